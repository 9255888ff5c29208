"""A whole round in Stockwell East, in a real browser against a live server: an officer
creates it, two residents propose, the officer reviews, five residents vote on a phone
(one by keyboard alone, one with JavaScript off, one in Somali), the officer counts,
and the results page funds exactly what `python -m pb.tally` funds from the .pb export.

Phases change by date, so between steps the test moves the round's dates the way
the calendar would."""

import json
import re
import subprocess
import sys
from datetime import date, timedelta

from playwright.sync_api import expect

from pb.models import Round, db
from tests.factories import set_phase
from tests.second_factor import sign_in_in_browser

PHONE = {"width": 360, "height": 740}
POSTCODE = "SW9 0AA"  # Stockwell East


def new_page(browser, axe_check, *, javascript=True):
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    mirror = None if javascript else browser.new_context().new_page()
    return axe_check.watch(context.new_page(), mirror=mirror)


def go(page, axe_check, url):
    page.goto(url)
    axe_check(page)


def tab_to(page, selector, limit=80):
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {selector} with the Tab key")


def resident_signs_in(page, live_server, axe_check, name, lang="en"):
    go(page, axe_check, f"{live_server}/account/resident?lang={lang}")
    page.locator("#name").fill(name)
    page.locator("#postcode").fill(POSTCODE)
    page.locator("form button.govuk-button").click()
    axe_check(page)


def fill_date(page, field, day):
    page.locator(f"#{field}-day").fill(str(day.day))
    page.locator(f"#{field}-month").fill(str(day.month))
    page.locator(f"#{field}-year").fill(str(day.year))


def propose(page, live_server, axe_check, round_id, title, cost):
    go(page, axe_check, f"{live_server}/rounds/{round_id}/propose")
    page.get_by_label("Name your project").fill(title)
    page.get_by_label("Describe it in one line").fill(f"{title} for Stockwell East")
    page.get_by_label("What should happen, and why?").fill("Neighbours asked for it at the summer fair.")
    page.get_by_label("Parks and green spaces").check()
    page.get_by_label("Roughly how much would it cost, in pounds?").fill(str(cost))
    page.get_by_role("button", name="Submit proposal").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(title)
    axe_check(page)


def vote_with_mouse(page, live_server, axe_check, round_id, titles, lang="en"):
    go(page, axe_check, f"{live_server}/vote/{round_id}?lang={lang}")
    for title in titles:
        page.locator("label", has_text=title).click()
    page.locator("button[value=continue]").click()
    axe_check(page)
    page.locator("form[action$='/cast'] button").click()
    expect(page.locator(".pb-receipt")).to_be_visible()
    axe_check(page)


def test_a_whole_round_in_stockwell_east(app, demo, browser, live_server, axe_check, tmp_path):
    today = date.today()
    # 1. An officer creates the round
    officer = new_page(browser, axe_check)
    go(officer, axe_check, f"{live_server}/account/sign-in")
    sign_in_in_browser(officer, axe_check, "officer@demo.lambeth.example")  # password, then code
    go(officer, axe_check, f"{live_server}/admin/rounds/new")
    officer.get_by_label("Title").fill("Stockwell East street fund")
    officer.get_by_label("Stockwell East").fill("10000")
    officer.get_by_label("Approval: tick the projects you support").check()
    officer.get_by_label("Method of Equal Shares", exact=True).check()
    officer.get_by_label("Most projects a voter can choose (optional)").fill("2")
    for offset, phase in enumerate(["proposals", "review", "voting", "counting", "results", "delivery"]):
        fill_date(officer, f"{phase}_from", today + timedelta(days=offset))
    officer.get_by_role("button", name="Save the draft").click()
    axe_check(officer)
    round_id = int(re.search(r"/admin/rounds/(\d+)", officer.url).group(1))
    expect(officer.get_by_text("Draft saved")).to_be_visible()
    officer.get_by_role("button", name="Publish the round").click()
    axe_check(officer)
    expect(officer.get_by_text("Published: residents can now see")).to_be_visible()

    # 2. Two residents propose projects
    for name, projects in [("Amara Okafor", [("Benches on Stockwell Park Walk", 4000),
                                             ("Street trees on Clapham Road", 6000)]),
                           ("Piotr Nowak", [("Community fridge", 2500), ("Youth club Saturdays", 5000)])]:
        page = new_page(browser, axe_check)
        resident_signs_in(page, live_server, axe_check, name)
        for title, cost in projects:
            propose(page, live_server, axe_check, round_id, title, cost)
        page.context.close()

    # 3. Review: the officer accepts every proposal at its rough cost
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        set_phase(round_, "review")
        proposal_ids = [p.id for p in round_.headings[0].proposals]
        costs = {p.id: p.rough_cost for p in round_.headings[0].proposals}
    for proposal_id in proposal_ids:
        go(officer, axe_check, f"{live_server}/admin/proposals/{proposal_id}/review")
        officer.get_by_label("Accept onto the ballot").check()
        officer.get_by_label("Final cost in pounds").fill(str(costs[proposal_id]))
        officer.get_by_label("Reason").fill("The parks team can deliver this within a year.")
        officer.get_by_role("button", name="Save review").click()
        axe_check(officer)

    # 4. Voting on phones
    with app.app_context():
        set_phase(db.session.get(Round, round_id), "voting")
    mouse = new_page(browser, axe_check)
    resident_signs_in(mouse, live_server, axe_check, "Grace Campbell")
    vote_with_mouse(mouse, live_server, axe_check, round_id, ["Benches on Stockwell Park Walk", "Community fridge"])
    # the optional equality questions, attached to the anonymous ballot
    mouse.get_by_role("button", name="Answer the optional questions").click()
    axe_check(mouse)
    mouse.locator("input[name=age][value='35_49']").check()
    mouse.locator("input[name=tenure][value='social_rent']").check()
    mouse.get_by_role("button", name="Send my answers").click()
    expect(mouse.get_by_role("heading", level=1)).to_have_text("Thank you")
    axe_check(mouse)
    with app.app_context():
        from pb.models import SealedBallot
        from pb.services.ballot_box import unseal

        # sealed with the ballot until voting closes; the mixer moves them together
        row = db.session.query(SealedBallot).one()
        sealed = unseal(row.id, row.heading_id, row.sealed)
        assert sealed["answers"]["age"] == "35_49"
        titles = {p.project_id: p.title for p in db.session.get(Round, round_id).headings[0].proposals}
        assert {titles[c] for c in sealed["choices"]} == {"Benches on Stockwell Park Walk", "Community fridge"}

    second = new_page(browser, axe_check)
    resident_signs_in(second, live_server, axe_check, "Luis Moreno")
    vote_with_mouse(second, live_server, axe_check, round_id, ["Street trees on Clapham Road"])

    somali = new_page(browser, axe_check)
    resident_signs_in(somali, live_server, axe_check, "Halima Warsame", lang="so")
    vote_with_mouse(somali, live_server, axe_check, round_id, ["Community fridge", "Youth club Saturdays"], lang="so")
    expect(somali.locator("html")).to_have_attribute("lang", "so")
    expect(somali.get_by_role("heading", level=1)).not_to_have_text("Your vote has been cast")

    keyboard = new_page(browser, axe_check)
    resident_signs_in(keyboard, live_server, axe_check, "Tunde Bakare")
    go(keyboard, axe_check, f"{live_server}/vote/{round_id}")
    for title in ["Benches on Stockwell Park Walk", "Youth club Saturdays"]:
        box_id = keyboard.locator("label", has_text=title).get_attribute("for")
        tab_to(keyboard, f"#{box_id}")
        keyboard.keyboard.press("Space")
    tab_to(keyboard, "button[value=continue]")
    keyboard.keyboard.press("Enter")
    expect(keyboard.get_by_role("heading", level=1)).to_have_text("Check your answers before you vote")
    axe_check(keyboard)
    tab_to(keyboard, "form[action$='/cast'] button")
    keyboard.keyboard.press("Enter")
    expect(keyboard.locator(".pb-receipt")).to_be_visible()
    axe_check(keyboard)

    no_js = new_page(browser, axe_check, javascript=False)
    resident_signs_in(no_js, live_server, axe_check, "Esther Mensah")
    vote_with_mouse(no_js, live_server, axe_check, round_id, ["Street trees on Clapham Road", "Community fridge"])

    # 5. The officer counts
    with app.app_context():
        set_phase(db.session.get(Round, round_id), "counting")
    go(officer, axe_check, f"{live_server}/admin/rounds/{round_id}")
    officer.get_by_role("button", name="Run the count").click()
    axe_check(officer)
    with app.app_context():
        from pb.models import Ballot, MonitoringResponse

        response = db.session.query(MonitoringResponse).one()  # mixed with its ballot
        assert json.loads(response.answers)["age"] == "35_49"
        chosen = json.loads(db.session.get(Ballot, response.ballot_id).choices)
        assert {titles[c] for c in chosen} == {"Benches on Stockwell Park Walk", "Community fridge"}

    # 6. Results, and the same funded set as the command-line tally on the export
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        set_phase(round_, "results")
        heading_id = round_.headings[0].id
    results = new_page(browser, axe_check)
    go(results, axe_check, f"{live_server}/rounds/{round_id}/wards/{heading_id}/results")
    expect(results.get_by_text("5 people voted.")).to_be_visible()
    shown = set(results.locator("[data-project]").evaluate_all("els => els.map(e => e.dataset.project)"))
    export = results.request.get(f"{live_server}/rounds/{round_id}/wards/{heading_id}/ballots.pb")
    assert export.ok
    exported = tmp_path / f"round-{round_id}.pb"
    exported.write_text(export.text(), encoding="utf-8")
    cli = subprocess.run([sys.executable, "-m", "pb.tally", str(exported), "--rule", "mes", "--json"],
                         capture_output=True, text=True, check=True)
    assert shown and shown == set(json.loads(cli.stdout)["selected"])

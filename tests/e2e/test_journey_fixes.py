"""Fixes from the testers' walk through a round, in Chromium on a phone: the back button
and the language links around check-your-answers, the closing date of voting, proposing
only while proposals are open, officers previewing results, unfunded projects as cards,
receipt groups that never break, error links that move focus to a field, and a plain
over-budget warning with and without JavaScript."""

import json
import re

import pytest
from playwright.sync_api import expect

from pb.models import Proposal, Round, db
from pb.services import counting
from pb.services.rounds import last_day
from pb.services.voting import cast_ballot
from tests.e2e.conftest import no_horizontal_scroll
from tests.e2e.test_round_journey import go, resident_signs_in
from tests.factories import add_projects, close_and_mix, make_round, officer, resident, set_phase
from tests.second_factor import sign_in_in_browser
from tests.security.test_secrecy import decode_session

pytestmark = pytest.mark.e2e

NARROW = {"width": 320, "height": 740}
PHONE = {"width": 360, "height": 740}
SESSION_AFTER_CAST = {"_user_id", "_fresh", "_id", "csrf_token", "voter_token"}


def british(day) -> str:
    return f"{day.day} {day:%B} {day.year}"


def new_page(browser, axe_check, viewport=PHONE):
    return axe_check.watch(browser.new_context(viewport=viewport).new_page())


def test_check_answers_survives_the_language_switch_and_the_back_button(app, browser, live_server, axe_check):
    with app.app_context():
        round_ = make_round("voting", max_choices=2)
        titles = [p.title for p in add_projects(round_.headings[0], [3000, 4000, 2500])]
        round_id, closes = round_.id, f"Voting closes on {british(last_day(round_, 'voting'))}."
    page = new_page(browser, axe_check, NARROW)
    resident_signs_in(page, live_server, axe_check, "Amara Okafor")
    go(page, axe_check, f"{live_server}/vote/{round_id}")
    expect(page.get_by_text(closes)).to_be_visible()
    page.locator("label", has_text=titles[0]).click()
    page.locator("label", has_text=titles[2]).click()
    page.locator("button[value=continue]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before you vote")
    assert page.url == f"{live_server}/vote/{round_id}/check"  # a page of its own, nothing chosen in it
    expect(page.get_by_text(closes)).to_be_visible()
    axe_check(page)
    assert no_horizontal_scroll(page)

    # the language links keep the choices
    page.locator(".pb-languages a[hreflang=pl]").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.locator(".govuk-summary-list")).to_contain_text(titles[0])
    expect(page.locator(".govuk-summary-list")).to_contain_text(titles[2])
    axe_check(page)
    page.locator(".pb-languages a[hreflang=en]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before you vote")
    axe_check(page)
    rows = page.locator(".govuk-summary-list__key").all_inner_texts()
    assert rows == [titles[0], titles[2]]

    # "Change your choices" comes back to the ticked ballot, and on again
    page.get_by_role("button", name="Change your choices").click()
    expect(page.get_by_label(re.compile(titles[0]))).to_be_checked()
    expect(page.get_by_label(re.compile(titles[1]))).not_to_be_checked()
    axe_check(page)
    page.locator("button[value=continue]").click()
    axe_check(page)

    page.get_by_role("button", name="Cast my vote").click()
    expect(page.locator(".pb-receipt")).to_be_visible()
    axe_check(page)
    expect(page.get_by_text(closes)).to_be_visible()
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "session")
    assert set(json.loads(decode_session(cookie))) <= SESSION_AFTER_CAST

    # 7. each group of four stays on one line; the code wraps only between groups
    groups = page.evaluate("""() => {
        const node = document.querySelector('.pb-receipt').firstChild;
        const range = document.createRange();
        const tops = [];
        for (let i = 0; i < node.length; i++) {
            range.setStart(node, i); range.setEnd(node, i + 1);
            tops.push([node.data[i], Math.round(range.getBoundingClientRect().top)]);
        }
        return tops;
    }""")
    text = "".join(ch for ch, _top in groups)
    assert re.fullmatch(r"([A-Z2-7]{4}-){6}[A-Z2-7]{2}", text)
    position = 0
    for group in text.split("-"):
        lines = {top for _ch, top in groups[position:position + len(group)]}
        assert len(lines) == 1, f"{group} is broken across lines"
        position += len(group) + 1
    assert no_horizontal_scroll(page)

    # back from the receipt: a GET of the check page, no resubmission, and the vote is cast
    page.go_back()
    assert page.url == f"{live_server}/vote/{round_id}/check"
    expect(page.get_by_role("heading", level=1)).to_have_text("You have already voted")
    axe_check(page)
    page.context.close()


def test_residents_see_when_voting_closes_and_propose_only_while_proposals_are_open(
        app, browser, live_server, axe_check):
    with app.app_context():
        voting = make_round("voting")
        add_projects(voting.headings[0], [3000])
        proposing = make_round("proposals")
        voting_id, proposing_id = voting.id, proposing.id
        closes = f"Voting closes on {british(last_day(voting, 'voting'))}."
        proposals_close = british(last_day(proposing, "proposals"))
    page = new_page(browser, axe_check)
    for path in ["/", "/wards/stockwell-east", f"/rounds/{voting_id}"]:
        go(page, axe_check, f"{live_server}{path}")
        expect(page.get_by_text(closes).first).to_be_visible()
    resident_signs_in(page, live_server, axe_check, "Piotr Nowak")
    go(page, axe_check, f"{live_server}/rounds/{voting_id}")
    expect(page.get_by_role("button", name="Vote now")).to_be_visible()
    expect(page.get_by_role("button", name="Suggest a project")).to_have_count(0)
    go(page, axe_check, f"{live_server}/rounds/{voting_id}/propose")
    expect(page.get_by_text("Proposals for this round are closed.")).to_be_visible()
    expect(page.get_by_role("button", name="Submit proposal")).to_have_count(0)
    go(page, axe_check, f"{live_server}/rounds/{proposing_id}")
    page.get_by_role("button", name="Suggest a project").click()
    axe_check(page)
    expect(page.get_by_text(f"until proposals close on {proposals_close}.")).to_be_visible()
    page.context.close()


@pytest.fixture
def counted(app):
    """Stockwell East counted: two projects funded, two not (one nobody chose)."""
    with app.app_context():
        round_ = make_round("voting", rule="mes", budget=10_000)
        heading = round_.headings[0]
        projects = add_projects(heading, [6000, 3000, 7000, 2500])
        projects[2].title = "A much longer project name for a community garden with raised beds"
        db.session.commit()
        for n, picks in enumerate([[0], [0, 1], [1, 2], [0], [2]]):
            cast_ballot(resident(f"Voter {n}", "stockwell-east"), heading,
                        [projects[i].project_id for i in picks])
        close_and_mix(round_)
        counting.count_round(officer(), round_)
        staff = officer()
        staff.set_password("test-password")
        db.session.commit()
        return {"round": round_.id, "heading": heading.id, "projects": [p.id for p in projects],
                "results_from": british(round_.results_from)}


def test_officers_preview_results_that_others_cannot_see_yet(browser, live_server, axe_check, counted):
    url = f"{live_server}/rounds/{counted['round']}/wards/{counted['heading']}/results"
    page = new_page(browser, axe_check)
    go(page, axe_check, f"{live_server}/account/sign-in")
    sign_in_in_browser(page, axe_check, "test.officer@example.org")  # password, then set-up
    response = page.goto(url)
    assert response.status == 200
    axe_check(page)
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("These results are not published yet.")
    expect(banner).to_contain_text(f"The results will be published on {counted['results_from']}.")
    expect(page.get_by_role("heading", name="Funded projects")).to_be_visible()
    expect(page.get_by_role("button", name="Check my receipt")).to_have_count(0)

    go(page, axe_check, f"{live_server}/account/sign-out")
    page.get_by_role("button", name="Sign out").click()
    axe_check(page)
    response = page.goto(url)
    assert response.status == 404
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Results are not published yet")
    page.context.close()


def test_unfunded_projects_are_cards_on_a_phone_and_funded_projects_say_so(
        app, browser, live_server, axe_check, counted):
    with app.app_context():
        set_phase(db.session.get(Round, counted["round"]), "results")
        heading = db.session.get(Round, counted["round"]).headings[0]
        funded = {int(i) for i in json.loads(heading.result.selected)}
        unfunded = [i for i in counted["projects"] if i not in funded]
        titles = {i: db.session.get(Proposal, i).title for i in counted["projects"]}
    assert funded and unfunded
    url = f"{live_server}/rounds/{counted['round']}/wards/{counted['heading']}/results"
    page = new_page(browser, axe_check, NARROW)
    go(page, axe_check, url)
    table = page.locator(".pb-unfunded-table")
    cards = page.locator(".pb-unfunded-cards .govuk-summary-card")
    for viewport in (NARROW, PHONE):
        page.set_viewport_size(viewport)
        assert no_horizontal_scroll(page), f"the results scroll sideways at {viewport['width']}px"
        expect(table).to_be_hidden()
        expect(cards).to_have_count(len(unfunded))
        for n, project_id in enumerate(unfunded):
            card = cards.nth(n)
            expect(card).to_contain_text(titles[project_id])
            why = card.locator(".govuk-summary-list__row", has_text="Why").locator("dd")
            expect(why).to_contain_text("Not funded")
            box = why.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    page.set_viewport_size({"width": 1024, "height": 800})
    expect(table).to_be_visible()
    expect(cards.first).to_be_hidden()
    axe_check(page)

    # a funded project's own page says it was funded, not that it is on the ballot
    page.set_viewport_size(PHONE)
    first_funded = next(i for i in counted["projects"] if i in funded)
    go(page, axe_check, f"{live_server}/rounds/{counted['round']}/proposals/{first_funded}")
    expect(page.locator(".govuk-tag").first).to_have_text("Funded")
    expect(page.get_by_text("On the ballot")).to_have_count(0)
    go(page, axe_check, f"{live_server}/rounds/{counted['round']}/proposals/{unfunded[0]}")
    expect(page.locator(".govuk-tag").first).to_have_text("Not funded")
    page.context.close()


def test_error_summary_links_move_focus_to_a_field(app, browser, live_server, axe_check):
    with app.app_context():
        ids = {}
        for kind, options in [("approval", {"max_choices": 2}), ("ranked", {"max_choices": 2}),
                              ("cumulative", {"points": 10})]:
            round_ = make_round("voting", ballot_type=kind, **options)
            add_projects(round_.headings[0], [3000, 4000])
            ids[kind] = round_.id
    page = new_page(browser, axe_check)
    resident_signs_in(page, live_server, axe_check, "Tunde Bakare")
    for kind, round_id in ids.items():
        go(page, axe_check, f"{live_server}/vote/{round_id}")
        page.locator("button[value=continue]").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        axe_check(page)
        links = summary.locator("a")
        for n in range(links.count()):
            target = links.nth(n).get_attribute("href")
            links.nth(n).click()
            focused = page.evaluate("() => [document.activeElement.tagName, '#' + document.activeElement.id]")
            assert focused[1] == target, f"{kind}: {target} did not take focus ({focused})"
            assert focused[0] in ("INPUT", "SELECT"), f"{kind}: {target} is a {focused[0]}"
    page.context.close()


@pytest.fixture
def knapsack(app):
    with app.app_context():
        round_ = make_round("voting", ballot_type="knapsack", budget=10_000)
        titles = [p.title for p in add_projects(round_.headings[0], [6000, 6000])]
        return round_.id, titles


def test_the_live_total_warns_when_over_budget(browser, live_server, axe_check, knapsack):
    round_id, titles = knapsack
    page = new_page(browser, axe_check, NARROW)
    resident_signs_in(page, live_server, axe_check, "Grace Campbell")
    go(page, axe_check, f"{live_server}/vote/{round_id}")
    total = page.locator("#running-total")
    page.locator("label", has_text=titles[0]).click()
    expect(total).to_have_text("Your choices cost £6,000. Budget left: £4,000.")
    page.locator("label", has_text=titles[1]).click()
    expect(total.locator(".govuk-warning-text")).to_be_visible()
    expect(total).to_contain_text("Your choices cost £12,000. You are £2,000 over the budget.")
    expect(total).not_to_contain_text("−")
    assert "pb-running-total--over" in total.get_attribute("class")
    axe_check(page)
    assert no_horizontal_scroll(page)
    page.locator("label", has_text=titles[1]).click()
    expect(total).to_have_text("Your choices cost £6,000. Budget left: £4,000.")
    expect(total.locator(".govuk-warning-text")).to_have_count(0)
    page.context.close()


def test_the_update_total_button_warns_when_over_budget(live_server, axe_check, no_js_page, knapsack):
    round_id, titles = knapsack
    page = no_js_page
    page.set_viewport_size(NARROW)
    resident_signs_in(page, live_server, axe_check, "Esther Mensah")
    go(page, axe_check, f"{live_server}/vote/{round_id}")
    for title in titles:
        page.locator("label", has_text=title).click()
    page.get_by_role("button", name="Update total").click()
    axe_check(page)
    total = page.locator("#running-total")
    expect(total.locator(".govuk-warning-text")).to_be_visible()
    expect(total).to_contain_text("Warning Your choices cost £12,000. You are £2,000 over the budget.")
    assert no_horizontal_scroll(page)

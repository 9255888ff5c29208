"""Every page of a resident's journey through a round, in all eight languages on a phone:
axe finds nothing and nothing scrolls sideways."""

import re

import pytest
from playwright.sync_api import expect

from pb.services import counting
from tests.e2e.conftest import LANGS, no_horizontal_scroll
from tests.factories import add_projects, close_and_mix, make_round, officer, resident, set_phase

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def rounds(app):
    """A round taking proposals, four voting (one per ballot type) and one with results."""
    with app.app_context():
        made = {"proposals": make_round("proposals", wards=("oval",))}
        for kind, options in [("approval", {"max_choices": 2}), ("knapsack", {}),
                              ("cumulative", {"points": 10}), ("ranked", {"max_choices": 3})]:
            made[kind] = make_round("voting", ballot_type=kind, wards=("oval",), **options)
            add_projects(made[kind].headings[0], [4000, 3000, 2500])
        results = make_round("voting", rule="mes", wards=("oval",))
        projects = add_projects(results.headings[0], [6000, 3000, 2500])
        from pb.services.voting import cast_ballot

        for n, picks in enumerate([[0], [0, 1], [2], [1, 2], [0]]):
            cast_ballot(resident(f"Voter {n}", "oval"), results.headings[0],
                        [projects[i].project_id for i in picks])
        close_and_mix(results)
        counting.count_round(officer(), results)
        set_phase(results, "results")
        made["results"] = results
        return {k: (r.id, r.headings[0].id) for k, r in made.items()}


def sign_in_as_resident(page, live_server, axe_check, lang):
    page.goto(f"{live_server}/account/resident?lang={lang}")
    axe_check(page)
    page.locator("#name").fill("Ngozi Eze")
    page.locator("#postcode").fill("SE11 4PP")
    page.locator("form button.govuk-button").click()


@pytest.mark.parametrize("lang", LANGS)
def test_resident_journey_pages_in_every_language(page, live_server, axe_check, rounds, lang):
    page.set_viewport_size(PHONE)

    def visit(path):
        page.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={lang}")
        axe_check(page)
        assert no_horizontal_scroll(page), f"{path} scrolls sideways in {lang}"

    round_id, heading_id = rounds["results"]
    for path in ["/rounds/", f"/rounds/{round_id}", f"/rounds/{round_id}/wards/{heading_id}/proposals",
                 f"/rounds/{round_id}/wards/{heading_id}/results",
                 f"/rounds/{round_id}/wards/{heading_id}/results?receipt=NOPE-NOPE",
                 f"/rounds/{round_id}/wards/{heading_id}/results?receipt=", "/wards/oval"]:
        visit(path)
    sign_in_as_resident(page, live_server, axe_check, lang)
    axe_check(page)
    proposal_round, _ = rounds["proposals"]
    visit(f"/rounds/{proposal_round}/propose")
    page.locator("form button.govuk-button").first.click()  # submit empty: every error shown
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    assert no_horizontal_scroll(page)
    visit(f"/rounds/{proposal_round}/my-proposals")
    for kind in ["approval", "knapsack", "cumulative", "ranked"]:
        round_id, _ = rounds[kind]
        visit(f"/vote/{round_id}")
        page.locator("button[value=continue]").click()  # nothing chosen: the engine explains
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        axe_check(page)
        assert no_horizontal_scroll(page), f"{kind} ballot errors scroll sideways in {lang}"


def test_check_answers_cast_and_receipt_pages(page, live_server, axe_check, rounds):
    page.set_viewport_size(PHONE)
    sign_in_as_resident(page, live_server, axe_check, "en")
    axe_check(page)
    round_id, _ = rounds["cumulative"]
    page.goto(f"{live_server}/vote/{round_id}")
    axe_check(page)
    page.locator("input[name^=points-]").nth(0).fill("7")
    page.locator("input[name^=points-]").nth(2).fill("3")
    page.locator("button[value=continue]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before you vote")
    axe_check(page)
    page.get_by_role("button", name="Cast my vote").click()
    expect(page.locator(".pb-receipt")).to_have_text(re.compile(r"^([A-Z2-7]{4}-){6}[A-Z2-7]{2}$"))
    axe_check(page)
    assert no_horizontal_scroll(page)

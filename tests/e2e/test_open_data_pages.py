"""The open-data pages in a browser at 320 px, axe-checked: a published result with its
downloads, the recount command and the audit head; the catalogue; the transparency page
(whose head matches the results page's); the API's page. Nothing scrolls sideways."""

import pytest

from pb.models import db
from pb.services import counting, proposals
from tests.e2e.conftest import no_horizontal_scroll
from tests.factories import add_projects, close_and_mix, make_round, officer, set_phase

pytestmark = pytest.mark.e2e

NARROW = {"width": 320, "height": 640}


def test_open_data_pages_work_on_a_narrow_phone(page, live_server, axe_check, app):
    with app.app_context():
        round_ = make_round("review", rule="mes", wards=("stockwell-east",))
        for proposal in add_projects(round_.headings[0], [6000, 3000], status="submitted"):
            proposals.review_proposal(officer(), proposal, decision="accept", reason="Feasible",
                                      final_cost=proposal.rough_cost)
        close_and_mix(round_)
        counting.count_round(officer(), round_)
        set_phase(round_, "results")
        url = f"/rounds/{round_.id}/wards/{round_.headings[0].id}/results"
        db.session.remove()
    page.set_viewport_size(NARROW)
    heads = {}
    for path in (url, "/data", "/transparency", "/api"):
        page.goto(live_server + path)
        axe_check(page)
        assert no_horizontal_scroll(page), f"{path} scrolls sideways at 320 px"
        if path == url:
            assert page.get_by_role("link", name="Results with every project's explanation (JSON)").is_visible()
            assert "python -m pb.tally" in page.locator("[data-recount-command]").inner_text()
            heads["results"] = page.locator("[data-audit-head]").get_attribute("data-audit-head")
        if path == "/transparency":
            heads["transparency"] = page.locator("#audit-head").inner_text()
    assert heads["results"] == heads["transparency"]

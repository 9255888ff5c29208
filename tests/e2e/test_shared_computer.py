"""A library computer: one resident votes, answers nothing and signs out; the next person at
the same browser cannot see, answer or change anything about that ballot. The cookie after
casting holds no receipt and no ballot key."""

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from pb.models import SealedBallot, db
from pb.services.ballot_box import unseal
from tests.e2e.test_round_journey import go, resident_signs_in, vote_with_mouse
from tests.factories import add_projects, make_round
from tests.security.test_secrecy import decode_session

pytestmark = pytest.mark.e2e


def test_the_next_person_at_a_shared_computer_finds_nothing(app, browser, live_server, axe_check):
    with app.app_context():
        round_ = make_round("voting", wards=("stockwell-east",), max_choices=2)
        titles = [p.title for p in add_projects(round_.headings[0], [3000, 4000])]
        round_id = round_.id
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = axe_check.watch(context.new_page())

    resident_signs_in(page, live_server, axe_check, "Amara Okafor")
    vote_with_mouse(page, live_server, axe_check, round_id, titles[:1])
    receipt = page.locator(".pb-receipt").inner_text().strip()
    expect(page.get_by_role("button", name="Answer the optional questions")).to_be_visible()
    cookie = next(c["value"] for c in context.cookies() if c["name"] == "session")
    readable = decode_session(cookie)
    with app.app_context():
        sealed = db.session.scalars(select(SealedBallot)).one()
        assert unseal(sealed.id, sealed.heading_id, sealed.sealed).get("receipt") is None  # shown once
        sealed_id = sealed.id
    assert receipt not in readable and receipt.replace("-", "") not in readable
    assert sealed_id not in readable
    assert set(json.loads(readable)) <= {"_user_id", "_fresh", "_id", "csrf_token", "voter_token"}

    # she answers nothing and signs out
    go(page, axe_check, f"{live_server}/account/sign-out")
    page.get_by_role("button", name="Sign out").click()
    axe_check(page)
    assert not any(c["name"] == "session" and json.loads(decode_session(c["value"]) or "{}")
                   for c in context.cookies())

    # the next person: the back button, the receipt page and the questions show nothing of hers
    page.go_back()
    page.wait_for_load_state("load")
    axe_check(page)
    assert receipt not in page.content()
    go(page, axe_check, f"{live_server}/vote/{round_id}/done")
    assert receipt not in page.content() and "Sign in" in page.content()
    go(page, axe_check, f"{live_server}/equalities/questions")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("no questions", re.I))

    # even signed in as themselves
    resident_signs_in(page, live_server, axe_check, "Bola Adeyemi")
    go(page, axe_check, f"{live_server}/equalities/questions")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("no questions", re.I))
    response = page.goto(f"{live_server}/vote/{round_id}/done")
    axe_check(page)
    assert response.status == 404 and receipt not in page.content()
    with app.app_context():
        sealed = db.session.get(SealedBallot, sealed_id)
        assert sealed.token_hash is None and sealed.token_expires_at is None  # her token is dead
        assert unseal(sealed.id, sealed.heading_id, sealed.sealed)["answers"] is None
        assert db.session.scalar(select(func.count()).select_from(SealedBallot)) == 1
    context.close()

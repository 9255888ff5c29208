"""Cached parts of pages (pb.web.fragments) change as soon as what they show changes, also when
another app server (here a second app object on the same database, with its own cache) made
the change; and nothing personal or per request (a CSRF token, a nonce) is ever kept."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from pb import create_app
from pb.models import Heading, Plan, Proposal, Round, db
from pb.services import content, counting, plans, proposals, rounds
from pb.web import fragments
from tests.factories import add_projects, close_and_mix, make_round, officer, set_phase, ward

AUDIT_HEAD = re.compile(r'data-audit-head="([0-9a-f]+)"')


@pytest.fixture(scope="module")
def other_app(app):
    """A second app server on the same database: its own engine, sessions and cache."""
    second = create_app({"TESTING": True})
    yield second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def counted_round(app):
    """A round in Stockwell East with three funded-or-not projects, counted and published."""
    with app.app_context():
        round_ = make_round("voting", wards=("stockwell-east",), budget=10_000)
        add_projects(round_.headings[0], [6000, 5000, 3000])
        close_and_mix(round_)
        counting.count_round(officer(), round_)
        set_phase(round_, "results")
        heading = round_.headings[0]
        return round_.id, heading.id, f"/rounds/{round_.id}/wards/{heading.id}/results"


def in_app(app, work):
    """Run `work` in `app` (another server), as its own request would."""
    with app.test_request_context("/?lang=en"):
        try:
            return work()
        finally:
            db.session.remove()


def test_results_page_follows_delivery_translations_and_recounts_from_another_server(app, client, other_app):
    round_id, heading_id, url = counted_round(app)
    first = page(client, url)
    hits = fragments.stats["hits"]
    assert _same(page(client, url)) == _same(first)
    assert fragments.stats["hits"] > hits  # the middle came from the cache
    assert "Delivery" not in first

    def deliver():
        heading = db.session.get(Heading, heading_id)
        funded = next(p for p in heading.proposals if p.title == "Project 1")
        proposals.update_delivery(officer(), funded, "in_progress", "Benches ordered", 40)

    in_app(other_app, deliver)
    delivered = page(client, url)
    assert "Benches ordered" in delivered and "40%" in delivered

    def translate():
        round_ = db.session.get(Round, round_id)
        funded = db.session.scalar(select(Proposal).where(
            Proposal.heading_id == heading_id, Proposal.title == "Project 1"))
        content.save(officer(), round_, "fr", {f"proposal-{funded.id}-title": ("Projet un", None, False)})

    french = page(client, url + "?lang=fr")
    assert "Projet un" not in french
    in_app(other_app, translate)
    assert "Projet un" in page(client, url + "?lang=fr")
    assert "Projet un" not in page(client, url + "?lang=en")  # English still shows the original

    # a recount (allowed before publication): the round's audit entry and count time change
    before = AUDIT_HEAD.search(page(client, url)).group(1)

    def recount():
        round_ = db.session.get(Round, round_id)
        set_phase(round_, "counting")
        counting.count_round(officer(), round_, reason="A ballot box was found")
        set_phase(round_, "results")

    in_app(other_app, recount)
    after = AUDIT_HEAD.search(page(client, url)).group(1)
    assert after != before


def _same(html: str) -> str:
    """A page without what differs on every view (its nonce and CSRF token)."""
    return re.sub(r'(nonce|value)="[^"]*"', r'\1=""', html)


def test_cached_parts_hold_no_token_nonce_or_person(app, client, other_app):
    _round_id, _heading_id, url = counted_round(app)
    one, two = page(client, url), page(client, url)
    tokens = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', one + two)
    nonces = re.findall(r'nonce="([^"]+)"', one + two)
    assert len(set(nonces)) == 2  # a fresh nonce on every view, though the middle is cached
    with app.app_context():
        for html in app.extensions.get("pb_fragments", {}).values():
            assert "csrf_token" not in html and "nonce" not in html
            assert not any(token in html for token in tokens)
            assert "Test Officer" not in html


def test_round_page_follows_dates_results_and_translations_from_another_server(app, client, other_app):
    round_id, _heading_id, url = counted_round(app)
    show = f"/rounds/{round_id}"
    first = page(client, show)
    assert "Results in Stockwell East" in first

    def move_results_later():
        round_ = db.session.get(Round, round_id)
        set_phase(round_, "counting")

    in_app(other_app, move_results_later)
    later = page(client, show)
    assert "Results in Stockwell East" not in later  # not published any more

    def translate_title():
        round_ = db.session.get(Round, round_id)
        content.save(officer(), round_, "fr", {f"round-{round_id}-title": ("Petites subventions", None, False)})

    assert "Petites subventions" not in page(client, show + "?lang=fr")
    in_app(other_app, translate_title)
    assert "Petites subventions" in page(client, show + "?lang=fr")

    def reason_changed():  # a change the phase does not show: only the stamp can
        round_ = db.session.get(Round, round_id)
        round_.description = "Small grants for greener streets"
        db.session.commit()

    in_app(other_app, reason_changed)
    assert "Small grants for greener streets" in page(client, show + "?lang=en")


def test_home_rounds_and_ward_pages_follow_rounds_and_plans_from_another_server(app, client, other_app):
    home, listing, ward_page = page(client, "/"), page(client, "/rounds/"), page(client, "/wards/stockwell-east")
    assert "Neighbourhood greening" not in home + listing + ward_page

    def open_round():
        round_ = make_round("proposals", wards=("stockwell-east",))
        round_.title = "Neighbourhood greening"
        db.session.commit()

    in_app(other_app, open_round)
    assert "Neighbourhood greening" in page(client, "/")
    assert "Neighbourhood greening" in page(client, "/rounds/")
    assert "Neighbourhood greening" in page(client, "/wards/stockwell-east")

    def publish_plan():
        plan = plans.create_plan(officer(), ward("stockwell-east"), title="Greener streets plan",
                                 start_year=2025, end_year=2028, summary="Trees on every street.",
                                 you_said_we_did="")
        priority = plans.add_priority(officer(), plan, title="More trees")
        plans.add_outcome(officer(), plan, title="200 trees planted", priority_id=priority.id,
                          responsible="Parks team", target_date=date(2027, 3, 31), measure="Trees counted")
        plans.publish_plan(officer(), plan, you_said_we_did="You asked for trees.")

    assert "Greener streets plan" not in page(client, "/wards/stockwell-east")
    in_app(other_app, publish_plan)
    assert "Greener streets plan" in page(client, "/wards/stockwell-east")

    def rename_plan():
        plan = db.session.scalar(select(Plan).where(Plan.title == "Greener streets plan"))
        plan.title = "Greener streets plan, revised"
        db.session.commit()

    in_app(other_app, rename_plan)
    assert "Greener streets plan, revised" in page(client, "/wards/stockwell-east")


def test_a_round_opening_shows_on_the_home_page_at_once(app, client):
    """Phases follow the dates: the day is in the lists' key, a round's phase in its page's."""
    with app.app_context():
        round_ = make_round("upcoming", wards=("stockwell-east",))
        round_id = round_.id
    assert "Stockwell East small grants" not in page(client, "/")  # not open yet
    with app.app_context():
        set_phase(db.session.get(Round, round_id), "proposals")
        assert rounds.current_phase(db.session.get(Round, round_id)) == "proposals"
    assert "Stockwell East small grants" in page(client, "/")


def test_a_census_correction_that_keeps_the_totals_shows_on_the_ward_page(app, client, other_app):
    """A reload of the census updates its rows in place (pb.services.census): a correction that
    moves people from one group to another leaves the count, the largest id and the sum alone,
    so a stamp made of those three would keep the old charts (and stored equality reports)."""
    from pb.models import CensusFigure

    def figures():
        return db.session.scalars(select(CensusFigure).join(CensusFigure.ward)
                                  .where(CensusFigure.topic == "age")
                                  .order_by(CensusFigure.position).limit(2)
                                  .filter_by(ward_id=ward("stockwell-east").id)).all()

    def move(people):
        def work():
            first, second = figures()
            first.count, second.count = first.count - people, second.count + people
            db.session.commit()
        return work

    with app.app_context():
        first, second = figures()
        before = (first.count, second.count)
    page(client, "/wards/stockwell-east")  # cached
    in_app(other_app, move(7))
    try:
        html = page(client, "/wards/stockwell-east")
        cells = re.findall(r'govuk-table__cell--numeric">([^<]+)</td>', html)
        assert f"{before[1] + 7:,}" in cells and f"{before[0] - 7:,}" in cells
    finally:
        in_app(other_app, move(-7))

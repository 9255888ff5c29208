"""Stored XSS in a consultation: the 200+ payloads of tests/security/xss_payloads.py typed as
residents' comments (on a priority and on the whole plan), free-text answers, the options
of the plan's own question, and moderators' reasons for hiding a comment. Every page that
shows them (the consultation and its summary, the plan, moderation, hiding a comment, a
resident's own response) must hold none of their markup: the same tags and attributes as
with harmless text, and each payload only escaped. tests/e2e/test_plan_consultation.py
loads a sample in Chromium and watches for a dialog or `window.__xss`."""

from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import select

from pb.models import Consultation, Person, RoleGrant, Ward, db
from pb.services import consultation as consult
from pb.services import plans
from pb.services.plans import CONTROL
from tests.factories import officer
from tests.security.test_plan_xss import markup_profile
from tests.security.xss_payloads import payloads

ACRE = "brixton-acre-lane"
OFFICER = "officer@demo.lambeth.example"


def build(texts: list[str]) -> dict:
    """A plan in consultation; one resident per text comments and answers with it; a
    quarter of the comments hidden with it as the reason, half waiting for a moderator."""
    ward = db.session.scalar(select(Ward).where(Ward.slug == ACRE))
    cllr = Person(name="Cllr X", email="cllr.x@example.org")
    cllr.roles.append(RoleGrant(role="councillor", ward=ward))
    db.session.add(cllr)
    db.session.commit()
    plan = plans.create_plan(cllr, ward, title="Consulted", start_year=2050, end_year=2052, summary="Plan")
    priorities = [plans.add_priority(cllr, plan, title=f"Priority {n}") for n in range(3)]
    plans.add_outcome(cllr, plan, title="Outcome", responsible="Parks",
                      target_date=plans.today() + timedelta(days=30), measure="Count")
    c = consult.open_consultation(cllr, plan, opens_on=plans.today(), closes_on=plans.today() + timedelta(days=9),
                                  premoderated=True)
    options = []
    for text in texts:
        line = CONTROL.sub("", text).strip()
        if line and "\n" not in line and len(line) <= 200 and line not in options:
            options.append(line)
    single = consult.add_question(cllr, c, kind="single", text=options[0][:500], options="\n".join(options[:20]))
    free = consult.add_question(cllr, c, kind="text", text="Anything else?")
    residents = []
    for n, text in enumerate(texts):
        person = Person(name=f"Resident <i>{n}</i>", ward=ward)
        db.session.add(person)
        db.session.commit()
        residents.append(person.get_id())
        consult.respond(person, c, ratings={p.id: "support" for p in priorities},
                        top_three=[priorities[n % 3].id],
                        comments={priorities[n % 3].id: text, 0: text},
                        answers={free.id: text, single.id: single.option_list[n % len(single.option_list)]})
    moderator = officer()
    comments = sorted(c.comments, key=lambda cm: cm.id)
    for n, comment in enumerate(comments):
        if n % 4 == 0:
            consult.hide_comment(moderator, comment, reason=comment.body[:500])
        elif n % 2 == 0:
            consult.approve_comment(moderator, comment)
    shown = next(cm for cm in comments if cm.state == "shown")
    return {"plan": plan.id, "resident": residents[0], "shown": shown.id}


def pages(client, ids: dict, sign_in) -> dict[str, str]:
    got = {}

    def get(path):
        response = client.get(path)
        assert response.status_code == 200, path
        # the page's shape, ids out (segment by segment: plan 1 must not eat comment 175's "1")
        parts = path.split("/")
        key = "/".join({"plans": "{id}", "comments": "{c}"}.get(before, part)
                       for before, part in zip([""] + parts[:-1], parts, strict=True))
        got[key] = response.get_data(as_text=True)

    with client.session_transaction() as session:
        session["_user_id"] = ids["resident"]
        session["_fresh"] = True
    get(f"/plans/{ids['plan']}/consultation/respond")
    client.get("/account/sign-out")
    with client.application.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.plan_id == ids["plan"]))
        c.opens_on, c.closes_on = plans.today() - timedelta(days=20), plans.today() - timedelta(days=1)
        db.session.commit()
    get(f"/plans/{ids['plan']}/consultation")
    get(f"/plans/{ids['plan']}")
    sign_in(OFFICER)
    get(f"/plans/{ids['plan']}/consultation/moderate")
    get(f"/plans/{ids['plan']}/consultation/comments/{ids['shown']}/hide")
    client.get("/account/sign-out")
    return got


@pytest.fixture
def baseline(app, client, demo, sign_in):
    from sqlalchemy import delete

    from tests.conftest import REFERENCE_TABLES

    def make(count):
        with app.app_context():
            ids = build([f"Ordinary text {n}" for n in range(count)])
        profiles = {path: markup_profile(html) for path, html in pages(client, ids, sign_in).items()}
        with app.app_context():
            demo_rows = {t.name for t in db.metadata.sorted_tables if t.name in ("people", "role_grants",
                                                                               "staff_credentials")}
            for table in reversed(db.metadata.sorted_tables):
                if table.name not in REFERENCE_TABLES and table.name not in demo_rows:
                    db.session.execute(delete(table))
            db.session.execute(delete(Person.__table__).where(Person.email.is_(None)))
            db.session.execute(delete(Person.__table__).where(Person.email == "cllr.x@example.org"))
            db.session.commit()
        return profiles

    return make


@pytest.mark.parametrize("chunk", range(2))
def test_no_payload_becomes_markup_in_comments_answers_or_reasons(app, client, sign_in, baseline, chunk):
    corpus = payloads()
    assert len(corpus) >= 200
    size = -(-len(corpus) // 2)
    texts = corpus[chunk * size:(chunk + 1) * size]
    expected = baseline(len(texts))
    with app.app_context():
        ids = build(texts)
    for path, html in pages(client, ids, sign_in).items():
        profile = markup_profile(html)
        assert profile["risky"] == [], (path, profile["risky"][:5])
        assert profile["counts"] == expected[path]["counts"], path
        if path == "/plans/{id}/consultation":
            for text in texts:
                if "<" in text and "\n" not in text:
                    assert text not in html, (path, text)
                    line = CONTROL.sub("", text).strip()
                    if line:
                        assert str(escape(line)) in html, (path, text)
            if any("{{7*7}}" in t for t in texts):
                assert "{{7*7}}" in html  # template syntax shown as typed, never evaluated

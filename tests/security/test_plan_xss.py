"""Stored XSS: 200+ payloads typed into every text of a ward plan (summary, "you said, we
did", priorities, outcomes, a dropped outcome's reason) and its progress updates. Every
page that shows them (the plan, the ward's current plan, the trackers, the ward page, the
plan list) must contain none of their markup: the CSP would block inline script anyway,
but this checks the HTML itself, so a gap in the CSP could not turn into an attack."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from sqlalchemy import select

from pb.models import Person, RoleGrant, Ward, db
from pb.services import plans
from pb.services.plans import CONTROL
from tests.security.xss_payloads import payloads

ACRE = "brixton-acre-lane"
DANGEROUS_TAGS = {"script", "svg", "math", "iframe", "object", "embed", "base", "meta", "style",
                  "link", "form", "img", "video", "audio", "source", "marquee", "details", "input",
                  "select", "textarea", "button", "noscript", "animate", "set", "foreignobject", "x"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "style"}


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: (v or "") for k, v in attrs}))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(html)
    return parser.elements


def markup_profile(html: str) -> dict:
    """How many of each tag that could run script or load something; and every risky attribute."""
    counts: dict = {}
    risky = []
    for tag, attrs in elements(html):
        if tag in DANGEROUS_TAGS:
            counts[tag] = counts.get(tag, 0) + 1
        for name, value in attrs.items():
            lowered = "".join(value.split()).lower()
            if name.startswith("on"):
                risky.append((tag, name, value))
            if name in URL_ATTRIBUTES and any(s in lowered for s in ("javascript:", "vbscript:", "data:text",
                                                                    "expression(")):
                risky.append((tag, name, value))
        if tag == "script" and "nonce" not in attrs and not attrs.get("src", "").startswith("/static/"):
            risky.append((tag, "no-nonce", str(attrs)))
    return {"counts": counts, "risky": risky}


def _staff(app) -> Person:
    councillor = Person(name="Cllr <b>Bold</b> <script>window.__xss=1</script>", email="xss.cllr@example.org")
    councillor.roles.append(RoleGrant(role="councillor", ward=db.session.scalar(select(Ward).where(Ward.slug == ACRE))))
    db.session.add(councillor)
    db.session.commit()
    return councillor


def build_plan(app, texts: list[str], benign: bool = False) -> int:
    """One published plan whose every text holds the payloads, one outcome per payload."""
    ward = db.session.scalar(select(Ward).where(Ward.slug == ACRE))
    person = _staff(app)
    joined = "\n".join(texts)
    plan = plans.create_plan(person, ward, title=texts[0][:200], start_year=2026, end_year=2028,
                             summary=joined, you_said_we_did=joined)
    priority_ids = []
    for text in texts[:40]:
        priority_ids.append(plans.add_priority(person, plan, title=text[:200] or "x", description=text).id)
    outcomes = []
    for n, text in enumerate(texts):
        outcomes.append(plans.add_outcome(
            person, plan, title=text[:200], description=text, priority_id=priority_ids[n % len(priority_ids)],
            responsible=text[:200], measure=text,
            target_date=plans.today() - timedelta(days=1 + n % 3)))  # overdue: shown in the tracker too
    plans.publish_plan(person, plan)
    for n, (outcome, text) in enumerate(zip(outcomes, texts, strict=True)):
        status = "dropped" if n % 4 == 0 else "in_progress"
        plans.post_update(person, outcome, body=text, new_status=status, dropped_reason=text)
    return plan.id


def pages(client, plan_id: int) -> dict[str, str]:
    """Each page's HTML, by its path with the plan's id as "{id}"."""
    got = {}
    for path in ("/plans/{id}", f"/wards/{ACRE}/plan", f"/wards/{ACRE}/tracker", "/tracker",
                 f"/wards/{ACRE}", f"/wards/{ACRE}/plans"):
        response = client.get(path.replace("{id}", str(plan_id)))
        assert response.status_code == 200, path
        assert response.mimetype == "text/html"
        got[path] = response.get_data(as_text=True)
    return got


@pytest.fixture
def baseline(app, client):
    """The same pages with harmless text: what the templates themselves contain."""
    with app.app_context():
        plan_id = build_plan(app, [f"Ordinary text {n}" for n in range(12)], benign=True)
    profiles = {path: markup_profile(html) for path, html in pages(client, plan_id).items()}
    with app.app_context():
        from sqlalchemy import delete

        from tests.conftest import REFERENCE_TABLES
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                db.session.execute(delete(table))
        db.session.commit()
    return profiles


def test_the_corpus_is_big_enough():
    corpus = payloads()
    assert len(corpus) >= 200 and len(set(corpus)) == len(corpus)
    assert any("{{7*7}}" in p for p in corpus) and any("{% for" in p for p in corpus)
    assert any("expression(" in p for p in corpus) and any("data:text/html" in p for p in corpus)
    assert any("\u202e" in p for p in corpus) and any("<svg" in p for p in corpus)


@pytest.mark.parametrize("chunk", range(4))
def test_no_payload_becomes_markup_on_any_page(app, client, baseline, chunk):
    corpus = payloads()
    size = -(-len(corpus) // 4)
    texts = corpus[chunk * size:(chunk + 1) * size]
    with app.app_context():
        plan_id = build_plan(app, texts)
    for path, html in pages(client, plan_id).items():
        profile = markup_profile(html)
        assert profile["risky"] == [], (path, profile["risky"][:5])
        assert profile["counts"] == baseline[path]["counts"], path
        for text in texts:
            if "<" in text and "\n" not in text and path.startswith("/plans/"):
                assert text not in html, (path, text)
                line = CONTROL.sub("", text).strip()  # as stored: control characters dropped
                if line:
                    assert str(escape(line)) in html, (path, text)
        # template syntax is shown as typed, never evaluated
        if any("{{7*7}}" in t for t in texts) and path.startswith("/plans/"):
            assert "{{7*7}}" in html
    for path in (f"/plans/{plan_id}.json", f"/plans/{plan_id}.csv", f"/wards/{ACRE}/tracker.json", "/tracker.csv"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.mimetype in ("application/json", "text/csv")
        assert response.headers["X-Content-Type-Options"] == "nosniff"

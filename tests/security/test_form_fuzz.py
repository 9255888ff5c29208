"""Hostile input never breaks the service.

Hypothesis posts random and hostile values (huge strings, empty and whitespace-only boxes,
control characters and NUL, every notation a number can be written in, ids near the limits
of the database's integers) to every form of the app, as each kind of visitor, with the
form's CSRF token. Each answer must be a page or a redirect, or a 4xx; never a 5xx. A 4xx
to a form page shows the GOV.UK error summary, and writes nothing.

The ballot is fuzzed only through "Update total" (action=update), and the equality
questions and signing out are left out: those pages are being rebuilt elsewhere.
"""

import io
import json
import operator
import re
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pb.extensions import db
from pb.models import Heading, Proposal, Round
from pb.services import voting
from pb.services.identity import identify_resident
from tests.conftest import REFERENCE_TABLES, FormClient
from tests.factories import add_projects, make_round, set_phase, ward
from tests.second_factor import sign_in_staff

ROLES = ("anonymous", "resident", "councillor", "officer", "panel", "admin")
WARD = "brixton-acre-lane"  # the demo councillor's ward
RESIDENT = ("Fuzz Resident", "SW2 1RW")  # a Brixton Acre Lane postcode
FUZZ = settings(
    max_examples=20, derandomize=True, database=None, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# -- hostile values ------------------------------------------------------------------------

BIG_IDS = ["2147483646", "2147483647", "2147483648", "4294967296", "9223372036854775807",
           "9223372036854775808", "18446744073709551616", "-2147483649", "-9223372036854775809"]
NUMBERS = ["1e1", "1E5", "1e309", "inf", "-inf", "Infinity", "nan", "NaN", "-nan", "sNaN", "0x3",
           "0b1", "0o7", "-0", "+0", "0", "00", "-1", "1.5", "0.5", "1,000", "£2,500", "£", "1_000",
           "١", "١٢٣", "٣٫٥", "１２", "Ⅻ", "½", "0.99", "0.1", "1.01", "10", "10.0000000001",
           "0.0000001", "9" * 5000, "1" + "0" * 400, "25000", "3"] + BIG_IDS
TEXT = ["", " ", "   ", "\t", "\n", "\r\n", " \t\r\n ", "\x00", "a\x00b", "\x00" * 50, "\x1b[31m",
        "\x7f", "\x85", "\u200b", "\u202e", "\ufeff", "\ufffd", "😀" * 3, "null", "None", "undefined",
        "true", "<script>alert(1)</script>", "' OR 1=1 --", "%s%n%x", "{{ 7 * 7 }}", "${7*7}",
        "../../etc/passwd", "SW2 1RW", "sw21rw", "SW2 ZZZ", "N1 9GU", "officer@demo.lambeth.example",
        "a@b", "@", "approval", "knapsack", "cumulative", "ranked", "greedy", "mes", "accept",
        "merge", "reject", "proposals", "voting", "delivered", "parks", "update", "submit"]
CHARS = ["a", "é", " ", "\x00", "\t", "\n", "9", "😀", "\u202e", "<"]
SIZES = [2, 9, 21, 33, 65, 121, 201, 255, 2001, 5001, 100_000]

hostile_value = st.one_of(
    st.sampled_from(NUMBERS),
    st.sampled_from(TEXT),
    st.builds(operator.mul, st.sampled_from(CHARS), st.sampled_from(SIZES)),  # long strings
    st.text(max_size=30),  # anything, control characters and NUL included
    st.integers().map(str),
)
# a field sent several times, or not at all; a date is three boxes sharing a name
hostile_values = st.lists(hostile_value, min_size=0, max_size=4)


@st.composite
def submission(draw, valid: dict[str, object]):
    """A good submission with some of its fields made hostile (or, sometimes, all of them)."""
    data = dict(valid)
    names = sorted(valid)
    if draw(st.integers(0, 4)) == 0:
        chosen = names
    else:
        chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)) if names else []
    for name in chosen:
        shape = draw(st.sampled_from(["one", "one", "many", "gone"]))
        if shape == "gone":
            data.pop(name, None)
        else:
            data[name] = draw(hostile_value) if shape == "one" else draw(hostile_values)
    if draw(st.booleans()):  # a field the form does not have
        data[draw(st.sampled_from(["id", "author_id", "status", "points-0", "rank-0", "x"]))] = \
            draw(hostile_value)
    return data


# -- the world the forms act on ---------------------------------------------------------------


@pytest.fixture
def world(app, demo):
    """A round in each phase a form acts on, all in the demo councillor's ward."""
    with app.app_context():
        resident = identify_resident(*RESIDENT)
        made = {}
        proposing = make_round("proposals", wards=(WARD,))
        draft = Proposal(heading=proposing.headings[0], author_id=resident.id, title="My draft",
                         summary="A draft", description="Because", category="parks", rough_cost=900)
        db.session.add(draft)
        db.session.commit()
        made.update(proposing=proposing.id, draft=draft.id)

        reviewing = make_round("review", wards=(WARD,))
        made["to_review"] = [p.id for p in add_projects(reviewing.headings[0], [500, 900, 20_000],
                                                        status="submitted")]
        made["moving"] = make_round("upcoming", wards=(WARD,)).id
        counting = make_round("counting", wards=(WARD,))
        add_projects(counting.headings[0], [3000, 4000])
        made["counting"] = counting.id

        made["ballots"] = {}
        for kind, options in (("approval", {"max_choices": 2}), ("knapsack", {}),
                              ("cumulative", {"points": 10}), ("ranked", {"max_choices": 3})):
            round_ = make_round("voting", ballot_type=kind, wards=(WARD,), **options)
            ids = [p.project_id for p in add_projects(round_.headings[0], [3000, 4000, 6000])]
            made["ballots"][kind] = (round_.id, ids)

        counted = make_round("voting", wards=(WARD,))
        heading = counted.headings[0]
        projects = add_projects(heading, [3000, 4000, 20_000])
        for n in range(2):
            voter = identify_resident(f"Voter {n}", RESIDENT[1])
            voting.cast_ballot(voter, heading, sorted([projects[0].project_id, projects[1].project_id]))
        set_phase(counted, "counting")
        made.update(counted=counted.id, counted_heading=heading.id, projects=[p.id for p in projects])
    return made


@pytest.fixture
def published(app, world, visitors):
    """The counted round's results, published through the officer's button."""
    visitors["officer"].post(f"/admin/rounds/{world['counted']}/count", {})
    with app.app_context():
        round_ = db.session.get(Round, world["counted"])
        set_phase(round_, "results")
        heading = db.session.get(Heading, world["counted_heading"])
        if heading.result is None:
            pytest.skip("the count did not run, so there is no delivery to track")
        funded = [int(i) for i in json.loads(heading.result.selected)]
    return {**world, "funded": funded[0]}


@dataclass
class Visitor:
    """One browser: a test client signed in as a role, with its session's CSRF token."""

    client: object
    token: str = ""
    cookie: str | None = field(default=None)

    def remember(self):
        self.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                               self.client.get("/account/sign-in").get_data(as_text=True)).group(1)
        saved = self.client.get_cookie("session")
        self.cookie = saved.value if saved else None

    def _restore(self):
        """Back to the session this visitor started with (a form may have signed them in or
        out, or flashed a message), so every example runs as the same role."""
        if self.cookie is not None:
            self.client.set_cookie("session", self.cookie)

    def post(self, url, data, **kwargs):
        try:
            return self.client.post(url, data={"csrf_token": self.token, **data}, **kwargs)
        finally:
            self._restore()

    def get(self, url, **kwargs):
        try:
            return self.client.get(url, **kwargs)
        finally:
            self._restore()


@pytest.fixture
def visitors(app, demo, world):
    signed_in = {"councillor": demo["councillor"], "officer": demo["officer"], "panel": demo["panel"],
                 "admin": demo["admin"]}
    made = {}
    for role in ROLES:
        visitor = Visitor(app.test_client())
        visitor.remember()
        if role == "resident":
            response = visitor.client.post("/account/resident", data={
                "csrf_token": visitor.token, "name": RESIDENT[0], "postcode": RESIDENT[1]})
            assert response.status_code in (302, 303)
        elif role in signed_in:
            response = sign_in_staff(FormClient(visitor.client), signed_in[role])  # password, then code
            assert response.status_code in (302, 303)
        visitor.remember()
        made[role] = visitor
    return made


def row_counts(app) -> tuple[int, ...]:
    """How many rows each table holds (but the reference data), in one query."""
    tables = [t for t in db.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    with app.app_context():
        counts = db.session.execute(select(*[
            select(func.count()).select_from(t).scalar_subquery() for t in tables])).one()
        db.session.remove()
        return tuple(counts)


def check(app, response, before, label):
    status = response.status_code
    assert status < 500, f"{label}: {status}"
    if 400 <= status < 500:
        body = response.get_data(as_text=True)
        if "<form" in body:  # the form again, with what was wrong
            assert "govuk-error-summary" in body, f"{label}: {status} without an error summary"
        assert row_counts(app) == before, f"{label}: {status}, yet something was written"


# Tried in every field in turn, the rest of the form good, by the role the form is for: the
# values most likely to get past a form and trouble the database. Hypothesis then explores.
NASTY = ["", "   ", "a\x00b", "x" * 121, "é" * 201, "x" * 2001, "x" * 5001, "9" * 5000,
         "2147483648", "9223372036854775808", "nan", "١"]


def send(visitor, method, url, data):
    return visitor.post(url, data) if method == "POST" else visitor.get(url, query_string=data)


def fuzz(app, visitors, url, valid, owner, method="POST"):
    """Send hostile versions of `valid` to `url`: each field in turn as its `owner`, then
    Hypothesis's choice as every role."""
    for name, good in valid.items():
        for value in NASTY:
            data = {**valid, name: [value] * len(good) if isinstance(good, list) else value}
            before = row_counts(app)
            response = send(visitors[owner], method, url, data)
            check(app, response, before, f"{method} {url} as {owner} with {name}={value!r:.40}")

    @FUZZ
    @given(data=submission(valid))
    def run(data):
        for role, visitor in visitors.items():
            before = row_counts(app)
            response = send(visitor, method, url, data)
            check(app, response, before, f"{method} {url} as {role} with {data!r:.300}")

    run()


# -- every form -----------------------------------------------------------------------------


def test_staff_sign_in(app, visitors):
    fuzz(app, visitors, "/account/sign-in", {"email": "officer@demo.lambeth.example", "password": "nope"},
         "anonymous")


def test_resident_sign_in(app, visitors):
    fuzz(app, visitors, "/account/resident", {"name": "Ada Lovelace", "postcode": "SW2 1RW"}, "anonymous")


def test_forgot_password(app, visitors):
    fuzz(app, visitors, "/account/forgot-password", {"email": "officer@demo.lambeth.example"}, "anonymous")


def test_invite_staff(app, visitors):
    fuzz(app, visitors, "/admin/people/invite", {"email": "new.person@example.org", "role": "officer", "ward": ""},
         "admin")


PROPOSAL = {"title": "Benches for Rush Common", "summary": "Six benches", "description": "So people can rest",
            "location": "Rush Common", "category": "parks", "rough_cost": "2500", "action": "submit"}


def test_propose_a_project(app, world, visitors):
    fuzz(app, visitors, f"/rounds/{world['proposing']}/propose", PROPOSAL, "resident")


def test_edit_a_draft(app, world, visitors):
    fuzz(app, visitors, f"/rounds/{world['proposing']}/proposals/{world['draft']}/edit",
         {**PROPOSAL, "action": "draft"}, "resident")


def test_create_a_round(app, world, visitors):
    from tests.factories import dates_for

    valid = {"title": "Fuzzed round", "description": "Money for ideas", "ballot_type": "approval",
             "rule": "mes", "points": "", "min_spend_percent": "", "min_choices": "1", "max_choices": "3"}
    with app.app_context():
        valid[f"budget_{ward(WARD).id}"] = "25,000"
    for phase, day in dates_for("upcoming").items():
        valid[f"{phase}_from"] = [str(day.day), str(day.month), str(day.year)]
    fuzz(app, visitors, "/admin/rounds/new", valid, "councillor")


def test_move_a_date(app, world, visitors):
    fuzz(app, visitors, f"/admin/rounds/{world['moving']}/dates",
         {"phase": "delivery", "new_date": ["1", "1", "2031"], "reason": "The contractor is late"}, "officer")


def test_run_the_count(app, world, visitors):
    fuzz(app, visitors, f"/admin/rounds/{world['counting']}/count", {}, "officer")


def test_review_a_proposal(app, world, visitors):
    first, second, _dear = world["to_review"]
    fuzz(app, visitors, f"/admin/proposals/{first}/review",
         {"decision": "merge", "final_cost": "500", "merge_into": str(second), "reason": "Same idea"},
         "officer")


def test_track_delivery(app, published, visitors):
    fuzz(app, visitors, f"/admin/proposals/{published['funded']}/delivery",
         {"status": "in_progress", "note": "Ordered"}, "officer")


def test_set_the_equalities_thresholds(app, published, visitors):
    fuzz(app, visitors, f"/equalities/headings/{published['counted_heading']}/threshold",
         {"low": "0.8", "high": "1.25"}, "panel")


def test_check_a_receipt(app, published, visitors):
    url = f"/rounds/{published['counted']}/wards/{published['counted_heading']}/results"
    fuzz(app, visitors, url, {"receipt": "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-AB"}, "anonymous", method="GET")
    fuzz(app, visitors, url, {"receipt": "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-AB"}, "anonymous")


def test_find_a_ward(app, visitors):
    fuzz(app, visitors, "/find-your-ward", {"postcode": "SW2 1RW"}, "anonymous", method="GET")


@pytest.mark.parametrize("kind", ["approval", "knapsack", "cumulative", "ranked"])
def test_update_the_ballot_total(app, world, visitors, kind):
    round_id, ids = world["ballots"][kind]
    valid = {"action": "update"}
    if kind in ("approval", "knapsack"):
        valid["project"] = ids[:2]
    elif kind == "cumulative":
        valid.update({f"points-{ids[0]}": "6", f"points-{ids[1]}": "4"})
    else:
        valid.update({"rank-1": ids[1], "rank-2": ids[0], "rank-3": ""})
    fuzz(app, visitors, f"/vote/{round_id}", valid, "resident")


# -- every page, with ids no row can have -----------------------------------------------------

HOSTILE_IDS = ["0", "1", "2147483647", "2147483648", "9223372036854775808", "9" * 5000, "1e1", "١",
               "1%00", "x" * 3000]
LEFT_OUT = {"account.sign_out", "equalities.questions", "equalities.thanks", "equalities.skip", "static"}


def test_every_page_with_hostile_ids(app, world, visitors):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in LEFT_OUT]
    for rule in rules:
        for value in (HOSTILE_IDS if rule.arguments else [""]):
            path = re.sub(r"<[^>]+>", value, rule.rule)
            # ids a row could have are tried as everyone; the others as three roles, for speed
            roles = ROLES if value in ("", "1", "2147483647") else ("anonymous", "resident", "officer")
            for role, visitor in [(role, visitors[role]) for role in roles]:
                before = row_counts(app) if "POST" in rule.methods else None
                response = visitor.get(path)
                assert response.status_code < 500, f"GET {path} as {role}: {response.status_code}"
                if "POST" in rule.methods:
                    response = visitor.post(path, {})
                    check(app, response, before, f"POST {path} as {role}")


QUERY_VALUES = ["2147483647", "2147483648", "9223372036854775808", "9" * 5000, "-1", "١", "\x00", "x" * 5000]
@pytest.mark.parametrize("value", QUERY_VALUES)
def test_hostile_values_in_the_query_string(app, world, visitors, value):
    for role, visitor in visitors.items():
        for path in ("/find-your-ward", "/rounds/", f"/rounds/{world['proposing']}/my-proposals"):
            response = visitor.get(path, query_string={"saved": value, "postcode": value, "lang": value})
            assert response.status_code < 500, f"GET {path} with {value:.20} as {role}"


BODIES = [("application/json", "5"), ("application/json", '"text"'), ("application/json", "[1, 2]"),
          ("application/json", '{"title": {"a": 1}, "name": [null]}'), ("application/json", "{"),
          ("text/plain", "\x00" * 10), ("application/x-www-form-urlencoded", "a=%00&&=&b=%ZZ")]


def test_every_form_with_a_body_that_is_not_a_form(app, world, visitors):
    """JSON, plain text, broken encodings, and files where text belongs."""
    urls = [f"/rounds/{world['proposing']}/propose", "/account/resident", "/account/sign-in",
            "/admin/rounds/new", f"/admin/rounds/{world['moving']}/dates",
            f"/admin/proposals/{world['to_review'][0]}/review",
            f"/equalities/headings/{world['counted_heading']}/threshold"]
    for role in ("resident", "officer", "panel"):
        visitor = visitors[role]
        for url in urls:
            for content_type, body in BODIES:
                response = visitor.client.post(url, data=body, content_type=content_type,
                                               headers={"X-CSRFToken": visitor.token})
                assert response.status_code < 500, f"{url} as {role} with {body!r}"
            response = visitor.post(url, {name: (io.BytesIO(b"\x00file"), "x.txt") for name in
                                          ("title", "name", "email", "reason", "low", "decision")},
                                    content_type="multipart/form-data")
            assert response.status_code < 500, f"{url} as {role} with files"
            visitor._restore()

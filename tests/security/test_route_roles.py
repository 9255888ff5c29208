"""Every route × every kind of visitor × GET and POST, against the allow-list in
tests/security/route_allow_list.py.

The visitors: anonymous, a resident of ward A and one of ward B (signed in with a mobile
number and a code, as residents do), a councillor of ward A and one of ward B, an officer,
an equalities panel member and an admin (signed in through the staff sign-in form with the
suite's shared `sign_in` fixture). The ids in each URL are ward A's objects, then ward B's
(so every visitor meets an object of their own ward and one of another ward), an id that
does not exist, and, where a URL has two ids, ward A's round with ward B's heading or
proposal. POSTs carry a real CSRF token of the visitor's session and an empty form, so the
permission check is what answers. Nobody ever gets a 5xx.

The world (rounds in every phase in both wards, proposals, ballots, counts, and the
visitors' sessions) is built once per test process through the services and the pages, and
copied back, row for row, before each test and after each POST that was not refused
outright: every case starts from the same world whatever ran before it (POSTs publish,
delete and count), and the visitors' cookies stay valid.

Known gaps are listed in route_allow_list.FINDINGS and expected to fail, strictly.
"""

import re
import time
from dataclasses import dataclass
from datetime import date, timedelta
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

import pytest
from sqlalchemy import delete, insert, select

from pb.extensions import db
from pb.models import OutboxMessage, Person, PhoneNumber, Proposal, RoleGrant
from pb.services import consultation, paper, plans, voting
from pb.services.counting import count_round
from pb.services.proposals import on_ballot
from tests.conftest import REFERENCE_TABLES, FormClient
from tests.factories import (
    add_projects,
    close_and_mix,
    make_round,
    officer,
    resident,
    set_phase,
    ward,
)
from tests.security.route_allow_list import (
    ALLOW,
    ANON,
    FINDINGS,
    KINDS,
    PROPOSALS,
    RESIDENTS,
    Case,
)

WARDS = {"A": ("brixton-acre-lane", "SW2 1RW", "07911 123401"),
         "B": ("stockwell-east", "SW9 0AA", "07911 123402")}
STAFF_EMAILS = {  # the demo accounts (the `demo` fixture)
    "councillor-A": "cllr.brixton-acre-lane.1@demo.lambeth.example",
    "councillor-B": "cllr.stockwell-east.1@demo.lambeth.example",
    "officer": "officer@demo.lambeth.example",
    "panel": "panel@demo.lambeth.example",
    "admin": "admin@demo.lambeth.example",
}
ROLES = ("anonymous", "resident-A", "resident-B", "councillor-A", "councillor-B", "officer",
         "panel", "admin")
MISSING_ID = 999_999
SIGN_IN_PAGES = {"/account/sign-in": "sign-in", "/account/phone": "phone sign-in"}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
WORLD_LIFETIME = 15 * 60  # seconds; staff sessions idle out after 30 minutes


# -- the world ---------------------------------------------------------------------------------


@dataclass
class Visitor:
    cookie: str | None
    token: str


@dataclass
class World:
    objects: dict  # kind -> "A" or "B" -> {"round": id, "heading": id, "proposals": {name: id}, ...}
    visitors: dict  # role -> Visitor
    rows: dict  # table name -> rows, as built
    built: float


_world: list[World] = []  # one per test process


def _staff_sign_in(client, sign_in, email: str) -> None:
    """Staff sign in through the real form, with the suite's shared helper (which knows
    about any second factor). One place, so a change of sign-in changes only this."""
    client.delete_cookie("session")
    sign_in(email)


def _resident_signs_in(app, number: str, postcode: str) -> FormClient:
    """A resident's phone: the number, the code from the development outbox, the postcode."""
    phone = FormClient(app.test_client())
    asked = phone.submit("/account/phone", {"number": number})
    assert asked.status_code == 302, asked.get_data(as_text=True)[:500]
    with app.app_context():
        text = db.session.scalars(select(OutboxMessage.text).order_by(OutboxMessage.id.desc())).first()
    code = re.search(r"\b(\d{6})\b", text).group(1)
    entered = phone.submit(asked.headers["Location"], {"code": code})
    assert entered.status_code == 302 and "/account/phone/postcode" in entered.headers["Location"]
    done = phone.submit(entered.headers["Location"], {"postcode": postcode})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    return phone


def _remember(client) -> Visitor:
    token = CSRF.search(client.get("/account/sign-in").get_data(as_text=True)).group(1)
    cookie = client.get_cookie("session")
    return Visitor(cookie.value if cookie else None, token)


def _ward_objects(label: str, slug: str, resident_id: int) -> dict:
    """One object of each kind in route_allow_list.KINDS in this ward: rounds in every phase
    with proposals, ballots, counts and paper ballots, plans, and the councillor's account."""
    made = {}
    author = db.session.get(Person, resident_id)

    def record(kind, round_, **proposals):
        made[kind] = {"round": round_.id, "heading": round_.headings[0].id, "proposals": proposals}

    # a budget of its own for each, or the service takes a second draft with the same
    # title and dates for the first one sent twice
    budgets = iter(range(10_000, 20_000, 1_000))

    def new_round(phase):
        return make_round(phase, wards=(slug,), budget=next(budgets))

    record("draft", new_round("draft"))
    record("upcoming", new_round("upcoming"))

    proposing = new_round("proposals")
    heading = proposing.headings[0]
    mine = {}
    for name, status in (("submitted", "submitted"), ("draft", "draft"), ("another", "submitted")):
        proposal = Proposal(heading=heading, author_id=author.id, title=f"{name} of {label}",
                            summary="A bench", description="Because", category="parks",
                            rough_cost=900, status=status)
        db.session.add(proposal)
        db.session.commit()
        mine[name] = proposal.id
    record("proposals", proposing, **mine)

    voting_round = new_round("voting")
    add_projects(voting_round.headings[0], [3000, 4000])
    record("voting", voting_round)

    # the ward's resident voted here; voting has now closed, and nobody has counted yet
    counting = new_round("voting")
    projects = add_projects(counting.headings[0], [3000, 4000])
    voting.cast_ballot(author, counting.headings[0], [projects[0].project_id])
    set_phase(counting, "counting")
    record("counting", counting)

    # paper ballots of the voting round: a batch, and a paper two officers keyed differently
    batch = paper.create_batch(officer(), voting_round.headings[0], f"Box of {label}", 10)
    ids = [p.project_id for p in on_ballot(voting_round.headings[0])]
    paper.key_paper(officer(), batch, 1, [ids[0]])
    mismatch = paper.key_paper(_second_keyer(), batch, 1, [ids[1]])
    assert mismatch.status == "mismatch"
    made["voting"].update(batch=batch.id, paper=mismatch.id, projects=[int(i) for i in ids])

    for kind in ("counted", "results"):
        round_ = new_round("voting")
        heading = round_.headings[0]
        projects = add_projects(heading, [3000, 4000, 20_000])
        for n in range(2):
            voting.cast_ballot(resident(f"Voter {n} {kind}", slug), heading,
                               sorted([projects[0].project_id, projects[1].project_id]))
        close_and_mix(round_)
        count_round(officer(), round_)
        if kind == "results":
            set_phase(round_, "results")
        record(kind, round_, funded=projects[0].id)

    # ward plans: a draft (only the ward's councillors and staff see it) and a published one
    for kind, years in (("draft-plan", (2031, 2033)), ("published-plan", (2026, 2028))):
        plan = plans.create_plan(officer(), ward(slug), title=f"{kind} of {label}", start_year=years[0],
                                 end_year=years[1], summary="What the ward wants")
        priority = plans.add_priority(officer(), plan, title="Greener streets")
        outcome = plans.add_outcome(officer(), plan, title="Twenty trees", priority_id=priority.id,
                                    responsible="Parks team", target_date=date(years[1], 12, 31),
                                    measure="Trees planted")
        if kind == "published-plan":
            plans.publish_plan(officer(), plan)
        made[kind] = {"plan": plan.id, "priority": priority.id, "outcome": outcome.id}

    # a plan in consultation: its own question, and the ward's resident's response with a comment
    plan = plans.create_plan(officer(), ward(slug), title=f"consultation-plan of {label}", start_year=2038,
                             end_year=2040, summary="What the ward wants")
    priority = plans.add_priority(officer(), plan, title="Greener streets")
    outcome = plans.add_outcome(officer(), plan, title="Twenty trees", priority_id=priority.id,
                                responsible="Parks team", target_date=date(2040, 12, 31), measure="Trees planted")
    consulting = consultation.open_consultation(officer(), plan, opens_on=plans.today(),
                                                closes_on=plans.today() + timedelta(days=30), premoderated=False)
    question = consultation.add_question(officer(), consulting, kind="text", text="Anything else?")
    consultation.respond(author, consulting, ratings={priority.id: "support"}, top_three=[priority.id],
                         comments={priority.id: "More trees"}, answers={})
    made["consultation-plan"] = {"plan": plan.id, "priority": priority.id, "outcome": outcome.id,
                                 "question": question.id, "comment": consulting.comments[0].id}

    # staff accounts: the ward's councillor, and their councillor role
    councillor = db.session.scalar(select(Person).where(Person.email == STAFF_EMAILS[f"councillor-{label}"]))
    made["staff"] = {"person": councillor.id,
                     "grant": next(g.id for g in councillor.roles if g.role == "councillor")}
    assert set(made) == set(KINDS)
    return made


def _second_keyer() -> Person:
    """Paper ballots are keyed twice, by two different officers."""
    person = db.session.scalar(select(Person).where(Person.email == "second.keyer@example.org"))
    if person is None:
        person = Person(name="Second Keyer", email="second.keyer@example.org")
        person.roles.append(RoleGrant(role="officer"))
        db.session.add(person)
        db.session.commit()
    return person


def _snapshot() -> dict:
    # in key order: PostgreSQL returns unordered rows in whatever order the heap holds them,
    # which changes when a restore's inserts reuse space freed by (auto)vacuum
    return {table.name: [dict(row) for row in db.session.execute(
                select(table).order_by(*(table.primary_key.columns or table.columns))).mappings()]
            for table in db.metadata.sorted_tables if table.name not in REFERENCE_TABLES}


def _restore(rows: dict) -> None:
    """The world, row for row (the suite's clean_database emptied these tables after the
    test before). Ids are the ones built, so URLs and sessions stay right."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in REFERENCE_TABLES:
            db.session.execute(delete(table))
    for table in db.metadata.sorted_tables:
        if rows.get(table.name):
            db.session.execute(insert(table), rows[table.name])
    db.session.commit()


def build_world(app, request) -> World:
    demo = request.getfixturevalue("demo")  # the staff accounts, however the suite makes them
    sign_in = request.getfixturevalue("sign_in")
    client = request.getfixturevalue("client")
    assert demo["councillor"] == STAFF_EMAILS["councillor-A"]

    visitors = {}
    anonymous = FormClient(app.test_client())
    visitors["anonymous"] = _remember(anonymous)
    residents = {}
    for label, (_slug, postcode, number) in WARDS.items():
        phone = _resident_signs_in(app, number, postcode)
        visitors[f"resident-{label}"] = _remember(phone)
        with app.app_context():
            person = db.session.scalar(select(Person).join(PhoneNumber, PhoneNumber.person_id == Person.id)
                                       .where(PhoneNumber.last_digits == number[-3:]))
            assert person.ward.slug == WARDS[label][0]
            residents[label] = person.id

    with app.app_context():
        objects = {}
        for label, (slug, _postcode, _number) in WARDS.items():
            for kind, made in _ward_objects(label, slug, residents[label]).items():
                objects.setdefault(kind, {})[label] = made
        objects["wards"] = {label: {"slug": ward(slug).slug} for label, (slug, _p, _n) in WARDS.items()}

    for role, email in STAFF_EMAILS.items():
        _staff_sign_in(client, sign_in, email)
        assert client.get("/account/").status_code == 200, f"{role} is not signed in"
        visitors[role] = _remember(client)

    with app.app_context():
        rows = _snapshot()
        db.session.remove()
    return World(objects, visitors, rows, time.monotonic())


@pytest.fixture
def world(app, request) -> World:
    if not _world or time.monotonic() - _world[0].built > WORLD_LIFETIME:
        _world[:] = [build_world(app, request)]
    else:
        with app.app_context():
            _restore(_world[0].rows)
            db.session.remove()
    return _world[0]


# -- the cases ---------------------------------------------------------------------------------

ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
OWN_SIDE = {"A": {"A": "own", "B": "other"}, "B": {"A": "other", "B": "own"}}


def arguments(rule: str) -> list[str]:
    return ARG.findall(rule)


def as_allow_list_role(role: str, ward_label: str) -> str:
    """resident-A visiting ward B's round is "resident-other"."""
    if role.startswith(("resident-", "councillor-")):
        kind, _, home = role.partition("-")
        return f"{kind}-{OWN_SIDE[ward_label][home]}"
    return role


# what fills each argument of a URL: a key of the ward's objects of the Case's kind
OBJECT_ARGS = {"round_id": "round", "heading_id": "heading", "plan_id": "plan",
               "priority_id": "priority", "outcome_id": "outcome", "batch_id": "batch",
               "paper_id": "paper", "person_id": "person", "grant_id": "grant",
               "question_id": "question", "comment_id": "comment"}
# arguments that are no object of a ward: the same value for everyone
OTHER_ARGS = {"token": "no-such-token"}


def variants(rule: str) -> list[str]:
    """Whose objects fill the URL: A's, B's, none that exist, or a mix of A's and B's."""
    args = [name for name in arguments(rule) if name not in OTHER_ARGS]
    if not args:
        return ["-"]
    found = ["A", "B", "missing"]
    if len(args) > 1:
        found.append("mixed")
    return found


def fill(rule: str, case: Case, variant: str, objects: dict) -> str:
    """The URL of `rule` for ward A's objects, B's, a missing id, or A's first object with
    B's others (a heading or proposal of another ward's round, say)."""
    first = next((name for name in arguments(rule) if name not in OTHER_ARGS), None)

    def value(name: str) -> str:
        if name in OTHER_ARGS:
            return OTHER_ARGS[name]
        if variant == "missing":
            return "no-such-ward" if name == "slug" else str(MISSING_ID)
        label = ("A" if name == first else "B") if variant == "mixed" else variant
        if name == "slug":
            return objects["wards"][label]["slug"]
        assert case.kind in KINDS, f"{rule}: the Case says no kind of object for <{name}>"
        mine = objects[case.kind][label]
        if name == "proposal_id":
            assert case.proposal in PROPOSALS, f"{rule}: the Case names no proposal"
            return str(mine["proposals"][case.proposal])
        assert name in OBJECT_ARGS and OBJECT_ARGS[name] in mine, \
            f"{rule}: no {case.kind} object to fill <{name}> with; teach build_world about it"
        return str(mine[OBJECT_ARGS[name]])

    return ARG.sub(lambda m: value(m.group(1)), rule)


def outcome(response) -> str:
    status = response.status_code
    if status >= 500:
        return f"{status}"
    if 300 <= status < 400:
        target = urlsplit(response.headers.get("Location", "")).path
        return SIGN_IN_PAGES.get(target, "redirect")
    if status < 300:
        return "page"
    if status in (400, 409, 422):
        return "form-error"
    if status in (403, 404, 405, 410):
        return str(status)
    return f"other {status}"


def sign_in_page(rule: str) -> str:
    """Residents sign in with their phone, staff with the staff sign-in: an anonymous
    visitor goes to the one for the people who may use the route."""
    who = set().union(*[(case.GET or set()) | (case.POST or set()) for case in ALLOW[rule]])
    return "phone sign-in" if who & RESIDENTS else "sign-in"


def expected(rule: str, case: Case, method: str, allowed: bool, role: str, variant: str) -> set[str]:
    if getattr(case, method) is None:
        return {"405"}
    exists = variant in ("A", "B", "-")
    if allowed and exists:
        found = {"page", "redirect"}
        if method == "POST":
            found.add("form-error")
        found |= case.also_ok
        return found
    if role == ANON and case.anonymous == "login":
        # an object that does not exist may be a 404 before the sign-in: that tells nothing
        return {sign_in_page(rule)} if exists else {sign_in_page(rule), "404"}
    return {"403", "404"}


def _send(app, visitor: Visitor, method: str, url: str, query: str) -> str:
    client = app.test_client()
    if visitor.cookie:
        client.set_cookie("session", visitor.cookie)
    try:
        if method == "GET":
            response = client.get(url + ("?" + query if query else ""))
        else:
            response = client.post(url, data={"csrf_token": visitor.token})
        return outcome(response)
    except Exception as error:  # TESTING propagates what would be a 500
        return f"500 ({type(error).__name__}: {error})"


def check(world: World, app, rule: str, method: str) -> tuple[list, list]:
    """Every case of `rule` and `method` for every visitor: ([(key, what went wrong)], [keys])."""
    wrong, checked = [], []
    werkzeug_rule = next((r for r in app.url_map.iter_rules() if r.rule == rule), None)
    if werkzeug_rule is None:
        pytest.skip("no longer a route of the app (test_every_route_is_in_the_allow_list says so)")
    takes_method = method in werkzeug_rule.methods
    for role in ROLES:
        for case in ALLOW[rule]:
            # a method the route does not take is refused while routing: one URL is enough
            for variant in variants(rule) if takes_method else variants(rule)[:1]:
                ward_label = variant if variant in ("A", "B") else "A"
                who = as_allow_list_role(role, ward_label)
                allowed = who in (getattr(case, method) or frozenset())
                url = fill(rule, case, variant, world.objects)
                got = _send(app, world.visitors[role], method, url, case.query)
                want = expected(rule, case, method, allowed, role, variant) if takes_method else {"405"}
                key = (rule, method, role, variant if len(ALLOW[rule]) == 1 else f"{case.kind}/{variant}")
                checked.append(key)
                if got not in want:
                    wrong.append((key, f"{method} {url} as {role} ({who}): got {got}, expected "
                                       f"{' or '.join(sorted(want))}"))
                if method == "POST" and got not in ("403", "404", "405", "sign-in", "phone sign-in"):
                    with app.app_context():  # it may have published, deleted, counted...
                        _restore(world.rows)
                        db.session.remove()
    return wrong, checked


ITEMS = [pytest.param(rule, method, id=f"{method} {rule}") for rule in sorted(ALLOW) for method in ("GET", "POST")]


@pytest.mark.parametrize(("rule", "method"), ITEMS)
def test_route_roles(app, world, rule, method):
    """One route and method, as each of the eight visitors, on each ward's objects."""
    wrong, checked = check(world, app, rule, method)
    takes_method = any(r.rule == rule and method in r.methods for r in app.url_map.iter_rules())
    known = {pattern: reason for pattern, reason in FINDINGS.items()
             if takes_method and matches(pattern[:2], (rule, method))}
    unexpected = [message for key, message in wrong if not any(matches(p, key) for p in known)]
    assert not unexpected, f"{len(unexpected)} of {len(checked)} cases:\n" + "\n".join(unexpected)
    gone = [pattern for pattern in known if not any(matches(pattern, key) for key, _ in wrong)]
    assert not gone, f"fixed? take these off FINDINGS in route_allow_list.py: {gone}"
    if known:
        pytest.xfail("; ".join(sorted(set(known.values()))))


def matches(pattern: tuple, key: tuple) -> bool:
    return all(fnmatchcase(part, wanted) for part, wanted in zip(key, pattern, strict=True))


# -- the allow-list itself -----------------------------------------------------------------------


def test_every_route_is_in_the_allow_list(app):
    rules = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    unlisted = sorted(rules - set(ALLOW))
    assert not unlisted, f"decide who may use these routes, in route_allow_list.py: {unlisted}"
    stale = sorted(set(ALLOW) - rules)
    assert not stale, f"these routes are gone: take them off route_allow_list.py: {stale}"


def test_the_allow_list_answers_every_method_and_side(app):
    problems = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule not in ALLOW:
            continue
        for case in ALLOW[rule.rule]:
            for method in ("GET", "POST"):
                said = getattr(case, method)
                if (method in rule.methods) != (said is not None):
                    problems.append(f"{rule.rule}: {method} is {'' if method in rule.methods else 'not '}"
                                    f"a method of the route, but the Case says {said}")
                if said is not None and not arguments(rule.rule):
                    for kind in ("resident", "councillor"):
                        if (f"{kind}-own" in said) != (f"{kind}-other" in said):
                            problems.append(f"{rule.rule} {method}: no object, so {kind}s of both "
                                            "wards or neither")
            if any(name in ("round_id", "heading_id", "proposal_id") for name in arguments(rule.rule)):
                if case.kind not in KINDS:
                    problems.append(f"{rule.rule}: which round's ids? kind={case.kind!r}")
    assert not problems, "\n".join(problems)


# -- ids of another ward inside a form ------------------------------------------------------------

def _post(app, visitor: Visitor, url: str, data: dict, query: str = ""):
    client = app.test_client()
    client.set_cookie("session", visitor.cookie)
    return client.post(url + ("?" + query if query else ""), data={"csrf_token": visitor.token, **data})


def _form_cases(objects: dict, w: str) -> list[tuple[str, str, str, dict, str]]:
    """(visitor, what, URL of ward A's object, a good form but for naming ward w's objects,
    query). With w="A" each is accepted; with w="B" each must be refused."""
    a, other = (lambda kind: objects[kind]["A"]), (lambda kind: objects[kind][w])
    project = str(other("voting")["projects"][0])
    target = date.today().replace(year=date.today().year + 1)
    return [
        ("resident-A", "chooses a project of ward B's ballot", f"/vote/{a('voting')['round']}",
         {"project": [project], "action": "continue"}, ""),
        ("resident-A", "casts a project of ward B's ballot", f"/vote/{a('voting')['round']}/cast",
         {"project": [project]}, ""),
        ("officer", "merges a proposal of ward A into one of ward B's",
         f"/admin/proposals/{a('proposals')['proposals']['submitted']}/review",
         {"decision": "merge", "merge_into": str(other("proposals")["proposals"]["another"]),
          "reason": "The same idea"}, ""),
        ("officer", "keys a paper of ward A with a project of ward B",
         f"/assist/paper/batches/{a('voting')['batch']}", {"number": "2", "project": [project]}, ""),
        ("admin", "settles a paper of ward A with a project of ward B",
         f"/assist/paper/papers/{a('voting')['paper']}/resolve", {"project": [project]}, ""),
        ("councillor-A", "adds an outcome serving ward B's priority to ward A's plan",
         f"/plans/{a('draft-plan')['plan']}/outcomes/new",
         {"title": "Ten benches", "priority_id": str(other("draft-plan")["priority"]), "responsible": "Parks",
          "target_date": [str(target.day), str(target.month), str(target.year)], "measure": "Benches"}, ""),
        ("councillor-A", "starts a plan for ward B", "/plans/new",
         {"title": "Our plan", "start_year": "2035", "end_year": "2037", "summary": "Ideas"},
         f"ward={objects['wards'][w]['slug']}"),
    ]


@pytest.mark.parametrize("number", range(7))
def test_a_form_naming_another_wards_objects_is_refused_and_writes_nothing(app, world, number):
    """The URL is ward A's and the visitor may act on it; the form names ward B's objects.
    The same form naming ward A's own is accepted (so the refusal is for the other ward)."""
    role, what, url, data, query = _form_cases(world.objects, "A")[number]
    own = _post(app, world.visitors[role], url, data, query)
    assert own.status_code in (302, 303), f"{role}, naming ward A's own: {own.status_code}"
    with app.app_context():
        _restore(world.rows)
        db.session.remove()

    role, what, url, data, query = _form_cases(world.objects, "B")[number]
    try:
        response = _post(app, world.visitors[role], url, data, query)
    except Exception as error:  # TESTING propagates what would be a 500
        pytest.fail(f"{role} {what}: {type(error).__name__}: {error}")
    assert 400 <= response.status_code < 500, f"{role} {what}: {response.status_code}"
    with app.app_context():
        assert _snapshot() == world.rows, f"{role} {what}: refused, yet something was written"
        db.session.remove()

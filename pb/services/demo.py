"""A believable demo: every ward's councillors and an account for every role.

Idempotent: accounts are found by email and only created once. Names are
invented; they are not Lambeth's real councillors.
"""

import itertools
import os
import secrets

from sqlalchemy import select

from pb.models import Person, RoleGrant, Ward, db
from pb.models.people import hash_password

FIRST = ["Amara", "Tom", "Funmi", "Priya", "Kwame", "Sofia", "Joanna", "Dylan", "Halima",
         "Marek", "Grace", "Luis", "Ngozi", "Rachel", "Yusuf", "Beatriz", "Colin", "Ama",
         "Hannah", "Abdi", "Claire", "Tunde", "Maria", "Owen", "Fatima", "Piotr", "Esther"]
LAST = ["Okafor", "Bennett", "Adeyemi", "Shah", "Mensah", "Costa", "Kowalski", "Hughes",
        "Warsame", "Nowak", "Campbell", "Moreno", "Eze", "Fletcher", "Ali", "Santos",
        "Murray", "Boateng", "Lewis", "Hassan", "Dubois", "Bakare", "Silva", "Price"]

STAFF = [
    ("admin@demo.lambeth.example", "Alex Admin", [("admin", None)]),
    ("officer@demo.lambeth.example", "Olu Officer", [("officer", None)]),
    ("panel@demo.lambeth.example", "Pat Panel", [("equalities", None)]),
    ("translator@demo.lambeth.example", "Tam Translator", [("translator", None)]),
]


def demo_password() -> str:
    """One shared password for the demo accounts; random unless PB_DEMO_PASSWORD is set."""
    return os.environ.get("PB_DEMO_PASSWORD") or secrets.token_urlsafe(12)


def seed_demo(password: str | None = None) -> list[tuple[str, str]]:
    """Create the demo accounts; returns (email, role description) for each account made or kept."""
    # One hash for all demo accounts: they share the password, and hashing is slow on purpose.
    # argon2 like every staff password, so demo accounts answer as fast as unknown emails
    password_hash = hash_password(password or demo_password())
    wards = list(db.session.scalars(select(Ward).order_by(Ward.ons_code)))
    if not wards:
        raise RuntimeError("Load the census first: flask --app app pb load-census")
    accounts = []
    for email, name, grants in STAFF:
        _account(email, name, password_hash, grants)
        accounts.append((email, grants[0][0]))

    names = (f"{first} {last}" for first, last in zip(itertools.cycle(FIRST), itertools.cycle(LAST), strict=False))
    for ward in wards:
        for seat in range(ward.councillor_seats):
            email = f"cllr.{ward.slug}.{seat + 1}@demo.lambeth.example"
            _account(email, "Cllr " + next(names), password_hash, [("councillor", ward)])
            if seat == 0:
                accounts.append((email, f"councillor for {ward.name}"))
    _demo_second_factors()
    db.session.commit()
    return accounts


def _demo_second_factors() -> None:
    """Outside production, every demo staff account gets the documented authenticator secret
    (pb.services.staff.DEMO_TOTP_SECRET), so developers and tests can compute its codes. In
    production the demo accounts set up their own, and the demo secret is refused anyway."""
    from flask import current_app

    from pb.models import StaffCredential
    from pb.services.staff import DEMO_TOTP_SECRET, open_secret, seal_secret

    if current_app.config.get("PB_ENV") == "production":
        return
    db.session.flush()
    people = db.session.scalars(select(Person).where(Person.email.like("%@demo.lambeth.example"))).all()
    for person in people:
        credential = db.session.get(StaffCredential, person.id)
        if credential is None:
            credential = StaffCredential(person_id=person.id)
            db.session.add(credential)
        if open_secret(person.id, credential.totp_secret) != DEMO_TOTP_SECRET:
            credential.totp_secret = seal_secret(person.id, DEMO_TOTP_SECRET)
            credential.pending_secret = None
            credential.last_step = None


def _account(email: str, name: str, password_hash: str, grants) -> Person:
    person = db.session.scalar(select(Person).where(Person.email == email))
    if person is None:
        person = Person(email=email, name=name)
        db.session.add(person)
    person.password_hash = password_hash
    for role, ward in grants:
        if not person.has_role(role, ward):
            person.roles.append(RoleGrant(role=role, ward=ward))
    return person


# Believable rounds in three wards: one taking proposals, one voting, one with results.
DEMO_ROUNDS = [
    ("brixton-windrush", "proposals", "Brixton Windrush community fund 2027", "approval", "mes-add1", 25_000, [
        ("Community fridge at the Windrush Square hub", "A shared fridge so surplus food reaches neighbours", "community", 4_000),
        ("Longer youth club hours", "Open the youth club on Friday and Saturday evenings", "young_people", 9_500),
    ]),
    ("stockwell-east", "voting", "Stockwell East small projects 2026", "knapsack", "greedy", 30_000, [
        ("Benches along Stockwell Park Walk", "Six benches so older residents can rest", "older_people", 6_000),
        ("Street trees on Clapham Road", "Twelve street trees for shade and cleaner air", "environment", 14_000),
        ("Youth club Saturday sessions", "A year of Saturday sessions with two youth workers", "young_people", 12_000),
        ("Community fridge", "A fridge and volunteer rota at the community centre", "community", 3_500),
        ("Safer crossing by the school", "A raised table crossing outside the primary school", "safety", 18_000),
    ]),
    ("streatham-wells", "results", "Streatham Wells neighbourhood budget 2026", "approval", "mes-add1", 40_000, [
        ("Play equipment in the rec", "New swings and a climbing frame for under-tens", "young_people", 15_000),
        ("Planters on the high road", "Twenty planters cared for by local volunteers", "environment", 5_000),
        ("Lunch club for older neighbours", "A weekly hot lunch club in the church hall", "older_people", 8_000),
        ("Bike hangars", "Four secure bike hangars for flats without storage", "streets", 12_000),
        ("Mural by local young artists", "A mural on the railway arch, designed by local teenagers", "community", 6_000),
    ]),
]
DAY_OFFSETS = {"proposals": [-3, 20, 30, 44, 46, 60], "voting": [-40, -30, -5, 10, 12, 30],
               "results": [-90, -70, -60, -30, -25, -5]}


def seed_rounds() -> int:
    """Add the demo rounds once (found by title); returns how many were added."""
    from datetime import timedelta

    from pb.models import PHASES, Heading, Proposal, Round
    from pb.services.ballot_box import mix_heading
    from pb.services.counting import count_heading
    from pb.services.rounds import today

    officer = db.session.scalar(select(Person).where(Person.email == STAFF[1][0]))
    added = 0
    for slug, phase, title, ballot_type, rule, budget, projects in DEMO_ROUNDS:
        if db.session.scalar(select(Round).where(Round.title == title)):
            continue
        ward = db.session.scalar(select(Ward).where(Ward.slug == slug))
        dates = {p: today() + timedelta(days=d) for p, d in zip(PHASES, DAY_OFFSETS[phase], strict=True)}
        round_ = Round(title=title, ballot_type=ballot_type, rule=rule, created_by_id=officer.id,
                       status="published",
                       description=f"Residents of {ward.name} decide how to spend £{budget:,} on their neighbourhood.",
                       max_choices=3 if ballot_type == "approval" else None,
                       **{f"{p}_from": d for p, d in dates.items()})
        heading = Heading(round=round_, ward=ward, budget=budget)
        db.session.add_all([round_, heading])
        for name, summary, category, cost in projects:
            db.session.add(Proposal(
                heading=heading, title=name, summary=summary, description=summary + ".",
                category=category, rough_cost=cost, final_cost=None if phase == "proposals" else cost,
                status="submitted" if phase == "proposals" else "accepted",
                feasibility_reason=None if phase == "proposals" else "Checked by the council's officers."))
        db.session.flush()
        if phase in ("voting", "results"):
            _demo_ballots(round_, heading, ward, 400 if phase == "results" else 60)
        db.session.commit()
        if phase == "results":
            mix_heading(heading)
            count_heading(officer, heading)
        added += 1
    added += _seed_youth_round(officer)
    added += _seed_past_round(officer)
    seed_plans()
    seed_translations()
    return added


# Translations of the voting round (Stockwell East): every text into Somali and Portuguese,
# the titles into Polish, so that a Somali or Portuguese reader sees the ballot in their own
# language and a Polish reader sees translated titles beside English text marked as such.
# The other rounds have none: their English text is shown marked lang="en".
DEMO_TRANSLATIONS = {
    "round": {
        "title": {"so": "Mashaariicda yaryar ee Stockwell East 2026", "pt": "Pequenos projetos de Stockwell East 2026"},
        "description": {
            "so": "Dadka deggan Stockwell East ayaa go'aamiya sida £30,000 loogu isticmaalo xaafaddooda.",
            "pt": "Os moradores de Stockwell East decidem como gastar £30.000 no seu bairro."},
    },
    "proposals": [
        {"title": {"so": "Kuraas fadhi oo ku teedsan Stockwell Park Walk", "pt": "Bancos ao longo de Stockwell Park Walk",
                   "pl": "Ławki wzdłuż Stockwell Park Walk"},
         "summary": {"so": "Lix kursi si dadka waayeelka ahi u nastaan",
                     "pt": "Seis bancos para os moradores mais velhos poderem descansar"}},
        {"title": {"so": "Geedo lagu beero Clapham Road", "pt": "Árvores na Clapham Road", "pl": "Drzewa przy Clapham Road"},
         "summary": {"so": "Laba iyo toban geed oo hoos iyo hawo nadiif ah keena",
                     "pt": "Doze árvores para dar sombra e ar mais limpo"}},
        {"title": {"so": "Kulamada Sabtida ee naadiga dhallinyarada", "pt": "Sessões de sábado no clube de jovens",
                   "pl": "Sobotnie zajęcia w klubie młodzieżowym"},
         "summary": {"so": "Sannad kulamo Sabti ah oo ay wadaan laba shaqaale dhallinyarada",
                     "pt": "Um ano de sessões aos sábados com dois animadores de juventude"}},
        {"title": {"so": "Qaboojiyaha bulshada", "pt": "Frigorífico comunitário", "pl": "Lodówka społeczna"},
         "summary": {"so": "Qaboojiye iyo jadwal mutadawiciin oo ku yaal xarunta bulshada",
                     "pt": "Um frigorífico e uma escala de voluntários no centro comunitário"}},
        {"title": {"so": "Goob ammaan ah oo waddada laga gudbo oo dugsiga agtiisa ah",
                   "pt": "Travessia mais segura junto à escola", "pl": "Bezpieczniejsze przejście przy szkole"},
         "summary": {"so": "Goob laga gudbo oo kor loo qaaday oo ka horraysa dugsiga hoose",
                     "pt": "Uma passadeira elevada em frente à escola primária"}},
    ],
    "feasibility_reason": {"so": "Waxaa hubiyay saraakiisha golaha.", "pt": "Verificado pelos técnicos da câmara."},
}


def seed_translations() -> int:
    """Translate the demo voting round once (as the demo translator); how many texts were added."""
    from pb.models import ContentTranslation, Round
    from pb.services import content

    translator = db.session.scalar(select(Person).where(Person.email == "translator@demo.lambeth.example"))
    round_ = db.session.scalar(select(Round).where(Round.title == DEMO_ROUNDS[1][2]))
    if translator is None or round_ is None or db.session.scalar(select(ContentTranslation.id).where(
            ContentTranslation.kind == "round", ContentTranslation.object_id == round_.id)):
        return 0
    wanted: dict[str, dict] = {}
    for field, texts in DEMO_TRANSLATIONS["round"].items():
        for code, text in texts.items():
            wanted.setdefault(code, {})[f"round-{round_.id}-{field}"] = text
    proposals = sorted(content.public_proposals(round_), key=lambda p: p.id)
    for proposal, fields in zip(proposals, DEMO_TRANSLATIONS["proposals"], strict=False):
        fields = {**fields, "description": {code: text + "." for code, text in fields["summary"].items()},
                  "feasibility_reason": DEMO_TRANSLATIONS["feasibility_reason"]}
        for field, texts in fields.items():
            for code, text in texts.items():
                wanted.setdefault(code, {})[f"proposal-{proposal.id}-{field}"] = text
    added = 0
    for code, entries in wanted.items():
        added += content.save(translator, round_, code, {key: (text, None, False) for key, text in entries.items()})
    return added


YOUTH_ROUND = "Young Brixton North youth budget 2026"


def _seed_youth_round(officer) -> int:
    """A youth budget for 11 to 25s, open for voting with no ballots yet: residents see who
    it is for, and tick that they are within its ages when they vote."""
    from datetime import timedelta

    from pb.models import PHASES, Heading, Proposal, Round
    from pb.services.rounds import today

    ward = db.session.scalar(select(Ward).where(Ward.slug == "brixton-north"))
    if officer is None or ward is None or db.session.scalar(select(Round).where(Round.title == YOUTH_ROUND)):
        return 0
    dates = {p: today() + timedelta(days=d) for p, d in zip(PHASES, DAY_OFFSETS["voting"], strict=True)}
    round_ = Round(title=YOUTH_ROUND, ballot_type="approval", rule="mes-add1", created_by_id=officer.id,
                   status="published", min_age=11, max_age=25, max_choices=2,
                   description="Young people in Brixton North decide how to spend £10,000, as the "
                               "Young Lambeth Co-operative's youth budgets do.",
                   **{f"{p}_from": d for p, d in dates.items()})
    heading = Heading(round=round_, ward=ward, budget=10_000)
    db.session.add_all([round_, heading])
    for name, summary, cost in [
            ("Free football on Friday nights", "Coaching and pitch hire on the estate's cage", 4_000),
            ("Music studio sessions", "Recording and production workshops at the youth centre", 5_500),
            ("Revision space in the library", "Late opening with snacks during exam season", 2_500)]:
        db.session.add(Proposal(heading=heading, title=name, summary=summary, description=summary + ".",
                                category="young_people", rough_cost=cost, final_cost=cost, status="accepted",
                                feasibility_reason="Checked by the council's officers."))
    db.session.commit()
    return 1


PAST_ROUND = "Streatham Wells neighbourhood budget 2025"


def _seed_past_round(officer) -> int:
    """Last year's round in Streatham Wells, counted, with a stronger lean to older home
    owners than this year's: the equalities panel's trends page has two rounds to compare."""
    from datetime import timedelta

    from pb.equalities.simulate import Tilt
    from pb.models import PHASES, Heading, Proposal, Round
    from pb.services.ballot_box import mix_heading
    from pb.services.counting import count_heading
    from pb.services.rounds import today

    ward = db.session.scalar(select(Ward).where(Ward.slug == "streatham-wells"))
    if officer is None or ward is None or db.session.scalar(select(Round).where(Round.title == PAST_ROUND)):
        return 0
    offsets = [d - 365 for d in DAY_OFFSETS["results"]]
    round_ = Round(title=PAST_ROUND, ballot_type="approval", rule="greedy", created_by_id=officer.id,
                   status="published", max_choices=3,
                   description=f"Residents of {ward.name} decided how to spend £30,000 on their neighbourhood.",
                   **{f"{p}_from": today() + timedelta(days=d) for p, d in zip(PHASES, offsets, strict=True)})
    heading = Heading(round=round_, ward=ward, budget=30_000)
    db.session.add_all([round_, heading])
    for name, cost in [("Hanging baskets on the high road", 6_000), ("Bowls club roof", 14_000),
                       ("Youth football coaching", 9_000), ("Benches in the rec", 5_000)]:
        db.session.add(Proposal(heading=heading, title=name, summary=name, description=name + ".",
                                category="community", rough_cost=cost, final_cost=cost, status="accepted",
                                feasibility_reason="Checked by the council's officers."))
    db.session.flush()
    older = Tilt({"age": {"16_24": 0.1, "25_34": 0.15, "50_64": 3.0, "65_74": 6.0, "75_plus": 6.0},
                  "tenure": {"own": 3.0, "social_rent": 0.5, "private_rent": 0.3}})
    _demo_ballots(round_, heading, ward, 250, tilt=older)
    db.session.commit()
    mix_heading(heading)
    count_heading(officer, heading)
    return 1


def _demo_ballots(round_, heading, ward, n: int, tilt=None) -> None:
    """Invented voters whose monitoring answers lean older and home-owning, and whose
    choices follow that lean, so the equalities reports have something to show.

    Written as real casts are: a roll entry and a sealed ballot each, for the mixer."""
    import numpy as np

    from pb.equalities.characteristics import census_margins
    from pb.equalities.simulate import OLDER_OWNERS, draw_answers
    from pb.models import RollEntry, SealedBallot
    from pb.services.ballot_box import seal
    from pb.services.equalities import census_rows
    from pb.services.voting import new_receipt, receipt_hash

    rng = np.random.default_rng(2026 + heading.id)
    answers = draw_answers(census_margins(census_rows(heading)), n, rng, tilt=tilt or OLDER_OWNERS, non_response=0.1)
    ids = [str(p.id) for p in heading.proposals]
    older_favourites, others = ids[1:3], ids[0:1] + ids[3:]
    for i, answer in enumerate(answers):
        older = answer.get("age") in ("50_64", "65_74", "75_plus") or answer.get("tenure") == "own"
        pool = older_favourites + list(rng.choice(others, 1)) if older else \
            list(rng.choice(others, min(2, len(others)), replace=False)) + list(rng.choice(older_favourites, 1))
        picks = sorted(set(pool[: 3]), key=int)
        row_id = f"{int(rng.integers(0, 2**62)):016x}{int(rng.integers(0, 2**62)):016x}"
        payload = {"choices": picks, "channel": "web", "receipt_hash": receipt_hash(new_receipt()),
                   "answers": answer if i % 4 else None}  # some people skip the questions
        voter = Person(name=f"Demo voter {i + 1}", ward=ward)
        db.session.add(voter)
        db.session.flush()  # the voter exists before the roll entry that points at them
        db.session.add(RollEntry(round_id=round_.id, person_id=voter.id))
        db.session.add(SealedBallot(id=row_id, heading_id=heading.id,
                                    sealed=seal(row_id, heading.id, payload)))


# Ward plans: a published plan with an outcome in every state (one overdue) in Brixton
# Windrush, served by its demo round, and a draft plan in Streatham Wells.
DEMO_PLAN_PRIORITIES = [
    ("Greener, cleaner streets", "More trees and planting, and less litter and fly-tipping."),
    ("Safer routes to school", "Crossings and quieter streets around the ward's primary schools."),
    ("Things to do for young people", "Evening and weekend activities close to home."),
]
# title, priority (index), responsible, days from today to the target, status, update
DEMO_OUTCOMES = [
    ("30 new street trees", 0, "Parks and Open Spaces", 300, "in_progress",
     "Twelve trees planted on Railton Road; the rest go in during the winter planting season."),
    ("Raised crossing outside the primary school", 1, "Highways", -20, "agreed",
     "Design agreed with the school. Works were due before the end of term but have slipped."),
    ("Friday youth club sessions", 2, "Young Lambeth Co-operative", -40, "delivered",
     "Sessions have run every Friday since September, with 40 young people a week."),
    ("Community clean-up days", 0, "Brixton Windrush Residents' Association", 120, "proposed", None),
    ("Weekend skate park sessions", 2, "Parks and Open Spaces", 200, "dropped",
     "The skate park is closed for repairs until next year."),
]


def seed_plans() -> int:
    """Add the demo plans once (found by ward and title); returns how many were added."""
    from datetime import timedelta

    from pb.models import Plan, Round
    from pb.services import plans

    added = 0
    officer = db.session.scalar(select(Person).where(Person.email == STAFF[1][0]))
    windrush = db.session.scalar(select(Ward).where(Ward.slug == "brixton-windrush"))
    wells = db.session.scalar(select(Ward).where(Ward.slug == "streatham-wells"))
    if officer is None or windrush is None or wells is None:
        return 0
    cllr = db.session.scalar(select(Person).where(Person.email == "cllr.brixton-windrush.1@demo.lambeth.example"))
    author = cllr or officer
    title = "Brixton Windrush ward plan 2026 to 2028"
    if not db.session.scalar(select(Plan).where(Plan.ward_id == windrush.id, Plan.title == title)):
        plan = plans.create_plan(
            author, windrush, title=title, start_year=2026, end_year=2028,
            summary="What the ward's councillors and residents want to change in Brixton Windrush by 2028.\n"
                    "Each outcome says who is responsible and how progress is measured.",
            you_said_we_did="You said the crossing by the school mattered most, so we moved it up the list.")
        priorities = [plans.add_priority(author, plan, title=t, description=d) for t, d in DEMO_PLAN_PRIORITIES]
        outcomes = []
        for name, priority, responsible, days, _status, _note in DEMO_OUTCOMES:
            outcomes.append(plans.add_outcome(
                author, plan, title=name, description="", priority_id=priorities[priority].id,
                responsible=responsible, target_date=plans.today() + timedelta(days=days),
                measure="Checked by the council and reported here every quarter."))
        plans.publish_plan(author, plan)
        for outcome, (_name, _p, _r, _d, status, note) in zip(outcomes, DEMO_OUTCOMES, strict=True):
            if status == "proposed":
                continue
            steps = {"agreed": ["agreed"], "in_progress": ["agreed", "in_progress"],
                     "delivered": ["agreed", "in_progress", "delivered"], "dropped": ["dropped"]}[status]
            for n, step in enumerate(steps):
                last = n == len(steps) - 1
                plans.post_update(officer if n % 2 else author, outcome,
                                  body=note if last else "Agreed with the service responsible.",
                                  new_status=step, dropped_reason=note if step == "dropped" else "")
        demo_round = db.session.scalar(select(Round).where(Round.title == DEMO_ROUNDS[0][2]))
        if demo_round is not None:
            plans.set_round_priorities(officer, demo_round, [priorities[2].id, priorities[0].id])
        added += 1
    draft_title = "Streatham Wells ward plan 2027 to 2029"
    if not db.session.scalar(select(Plan).where(Plan.ward_id == wells.id, Plan.title == draft_title)):
        draft = plans.create_plan(officer, wells, title=draft_title, start_year=2027, end_year=2029,
                                  summary="A first draft, for the ward's councillors to work on.")
        plans.add_priority(officer, draft, title="A high road people want to visit")
        added += 1
    added += _seed_consultation(officer)
    return added


# A plan in consultation in Gipsy Hill: residents' ratings, top threes and comments (one
# reported and hidden by an officer, with the reason shown), and a follower of the ward.
DEMO_CONSULTATION_PRIORITIES = ["Safer streets after dark", "A greener Gipsy Hill", "Support for local shops"]
DEMO_COMMENTS = [
    (0, "The lighting on the steps up to the station needs fixing first."),
    (1, "Please plant trees that give shade in summer."),
    (None, "Good to be asked. Please publish what you change."),
    (2, "The market on Saturdays brings people to the shops."),
    (1, "My neighbour at number 12 dumps rubbish every week, name and shame him."),
]


def _seed_consultation(officer) -> int:
    from datetime import timedelta

    from pb.models import Plan, RoleGrant, WardFollow
    from pb.models.people import _now
    from pb.services import consultation, plans

    hill = db.session.scalar(select(Ward).where(Ward.slug == "gipsy-hill"))
    title = "Gipsy Hill ward plan 2027 to 2030"
    if hill is None or db.session.scalar(select(Plan).where(Plan.ward_id == hill.id, Plan.title == title)):
        return 0
    author = db.session.scalar(select(Person).where(Person.email == "cllr.gipsy-hill.1@demo.lambeth.example")) or officer
    plan = plans.create_plan(author, hill, title=title, start_year=2027, end_year=2030,
                             summary="A draft for residents to shape: tell us what matters most.")
    priorities = [plans.add_priority(author, plan, title=t) for t in DEMO_CONSULTATION_PRIORITIES]
    for name, priority, days in (("Better lighting on the station steps", 0, 200),
                                 ("Ten new street trees", 1, 300)):
        plans.add_outcome(author, plan, title=name, priority_id=priorities[priority].id, responsible="Highways",
                          target_date=plans.today() + timedelta(days=days), measure="Reported here each quarter.")
    c = consultation.open_consultation(author, plan, opens_on=plans.today(),
                                       closes_on=plans.today() + timedelta(days=28), premoderated=False)
    consultation.add_question(author, c, kind="single", text="How do you usually get around the ward?",
                              options="On foot\nBy bus or train\nBy bike\nBy car")
    ratings = ["support", "support", "neutral", "oppose", "support", "neutral"]
    residents = []
    for i in range(6):
        person = Person(name=f"Demo resident {i + 1}", ward=hill)
        person.roles.append(RoleGrant(role="resident"))
        db.session.add(person)
        db.session.commit()
        residents.append(person)
        comments = {}
        if i < len(DEMO_COMMENTS):
            key, text = DEMO_COMMENTS[i]
            comments[priorities[key].id if key is not None else 0] = text
        consultation.respond(person, c, ratings={p.id: ratings[(i + n) % 6] for n, p in enumerate(priorities)},
                             top_three=[priorities[i % 3].id, priorities[(i + 1) % 3].id], comments=comments,
                             answers={c.questions[0].id: c.questions[0].option_list[i % 4]})
    rude = next(cm for cm in c.comments if cm.body.startswith("My neighbour"))
    consultation.report_comment(residents[0], rude)
    consultation.hide_comment(officer, rude, reason="It named a private person.")
    db.session.add(WardFollow(person_id=residents[1].id, ward_id=hill.id, channel="email",
                              address="follower@demo.lambeth.example", locale="en",
                              nonce="demo-follower", confirmed_at=_now()))
    db.session.commit()
    return 1

"""Building rounds in a chosen phase for tests: dates are set relative to today."""

from datetime import date, timedelta

from sqlalchemy import select

from pb.models import PHASES, Person, Proposal, RoleGrant, Ward, db
from pb.services.rounds import create_round

# days from today on which each phase starts, so that the round is in `phase` now
OFFSETS = {
    "upcoming": [1, 2, 3, 4, 5, 6],
    "proposals": [0, 2, 3, 4, 5, 6],
    "review": [-2, 0, 3, 4, 5, 6],
    "voting": [-3, -2, 0, 4, 5, 6],
    "counting": [-4, -3, -2, 0, 5, 6],
    "results": [-5, -4, -3, -2, 0, 6],
    "delivery": [-6, -5, -4, -3, -2, 0],
}


def dates_for(phase: str) -> dict:
    return {name: date.today() + timedelta(days=d) for name, d in zip(PHASES, OFFSETS[phase], strict=True)}


def set_phase(round_, phase: str) -> None:
    for name, day in dates_for(phase).items():
        setattr(round_, f"{name}_from", day)
    db.session.commit()


def ward(slug: str) -> Ward:
    return db.session.scalar(select(Ward).where(Ward.slug == slug))


def officer() -> Person:
    person = db.session.scalar(select(Person).where(Person.email == "test.officer@example.org"))
    if person is None:
        person = Person(name="Test Officer", email="test.officer@example.org")
        person.roles.append(RoleGrant(role="officer"))
        db.session.add(person)
        db.session.commit()
    return person


def resident(name: str, ward_slug: str) -> Person:
    person = Person(name=name, ward=ward(ward_slug))
    person.roles.append(RoleGrant(role="resident"))
    db.session.add(person)
    db.session.commit()
    return person


def make_round(phase="proposals", ballot_type="approval", rule="greedy", wards=("stockwell-east",),
               budget=10_000, **options):
    """A published round, already in `phase` (a draft when phase is "draft"). Publishing
    would refuse dates in the past, so the test sets the status the way time would."""
    round_ = create_round(officer(), title="Stockwell East small grants", description="Test round",
                          ballot_type=ballot_type, rule=rule,
                          headings=[(ward(slug), budget) for slug in wards],
                          dates=dates_for("upcoming" if phase == "draft" else phase), **options)
    if phase != "draft":
        round_.status = "published"
        db.session.commit()
    return round_


def add_projects(heading, costs: list[int], status="accepted") -> list[Proposal]:
    made = []
    for i, cost in enumerate(costs, start=1):
        proposal = Proposal(heading=heading, title=f"Project {i}", summary=f"Summary {i}",
                            description="Because", category="parks", rough_cost=cost,
                            final_cost=cost if status == "accepted" else None, status=status)
        db.session.add(proposal)
        made.append(proposal)
    db.session.commit()
    return made


def close_and_mix(round_) -> int:
    """Voting closes (the round moves to counting) and the mixer moves the sealed ballots."""
    from pb.services.ballot_box import mix_round

    set_phase(round_, "counting")
    return mix_round(round_)

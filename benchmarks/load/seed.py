"""Set up the load run's database: the demo staff (officer and admin, who key paper ballots),
one round open for voting in Stockwell East with five projects (a knapsack ballot, so
"Update total" matters); writes what the scenario needs as JSON.

Residents are not seeded: each simulated resident signs in with a new mobile number and
registers with a Stockwell East postcode, as a first-time resident does. Run by run.sh:

    python benchmarks/load/seed.py STATE.json
"""

import json
import os
import sys
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from sqlalchemy import select  # noqa: E402

from app import app  # noqa: E402
from pb.models import PHASES, Heading, Person, Proposal, Round, Ward, db  # noqa: E402
from pb.services.demo import STAFF, seed_demo  # noqa: E402
from pb.services.rounds import today  # noqa: E402

TITLE = "Load test: Stockwell East small projects"
PROJECTS = [("Benches along Stockwell Park Walk", 6_000), ("Street trees on Clapham Road", 14_000),
            ("Youth club Saturday sessions", 12_000), ("Community fridge", 3_500),
            ("Safer crossing by the school", 18_000)]
OFFSETS = [-40, -30, -5, 10, 12, 30]  # voting opened 5 days ago and closes in 10


def main(path: str) -> None:
    with app.app_context():
        seed_demo(os.environ["PB_DEMO_PASSWORD"])
        officer = db.session.scalar(select(Person).where(Person.email == STAFF[1][0]))
        ward = db.session.scalar(select(Ward).where(Ward.slug == "stockwell-east"))
        dates = {p: today() + timedelta(days=d) for p, d in zip(PHASES, OFFSETS, strict=True)}
        round_ = Round(title=TITLE, ballot_type="knapsack", rule="greedy", created_by_id=officer.id,
                       status="published", description="Residents decide how to spend £30,000.",
                       **{f"{p}_from": d for p, d in dates.items()})
        heading = Heading(round=round_, ward=ward, budget=30_000)
        db.session.add_all([round_, heading])
        proposals = [Proposal(heading=heading, title=name, summary=name, description=name + ".",
                              category="community", rough_cost=cost, final_cost=cost, status="accepted",
                              feasibility_reason="Checked by the council's officers.")
                     for name, cost in PROJECTS]
        db.session.add_all(proposals)
        db.session.commit()
        state = {"round_id": round_.id, "heading_id": heading.id,
                 "projects": [[p.project_id, p.cost] for p in proposals], "budget": 30_000,
                 "postcode": "SW9 0AA", "keyers": [STAFF[1][0], STAFF[0][0]]}
    with open(path, "w") as f:
        json.dump(state, f)
    print(f"Seeded round {state['round_id']} (heading {state['heading_id']}).")


if __name__ == "__main__":
    main(sys.argv[1])

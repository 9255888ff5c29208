"""Schemathesis (in-process, through its WSGI support) against /api/openapi.json on a demo
database: no 5xx, and every answer matches the schema the document gives (status codes,
content types, bodies, headers). Bounded examples per operation keep it under a minute."""

from datetime import date

import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from pb.models import Person, db
from pb.services import plans
from pb.services.demo import seed_rounds
from tests.factories import ward

EXAMPLES = 25


def _demo_world(app, demo):
    with app.app_context():
        seed_rounds()
        admin = db.session.scalar(select(Person).where(Person.email == demo["admin"]))
        plan = plans.create_plan(admin, ward("brixton-acre-lane"), title="Brixton Acre Lane plan",
                                 start_year=2026, end_year=2028, summary="What the ward wants")
        priority = plans.add_priority(admin, plan, title="Safer streets")
        plans.add_outcome(admin, plan, title="20 mph on side roads", priority_id=priority.id,
                          responsible="Highways", target_date=date(2027, 3, 31), measure="Roads done")
        plans.publish_plan(admin, plan)


def test_the_api_answers_as_its_openapi_document_says(app, demo):
    _demo_world(app, demo)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 8
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case):
            case.call_and_validate(headers={"Accept-Encoding": "identity"})

        call()

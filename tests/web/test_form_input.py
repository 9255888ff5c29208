"""What people type is tidied the same way in every form, and never more than the database
holds: a resident with a very long name, a proposal of only spaces, a form sent twice."""

import importlib
import io
import re

import pytest
from sqlalchemy import func, select

from pb.models import EqualitiesSetting, Person, PhaseDateChange, Proposal, Round
from pb.services.errors import ServiceError
from pb.services.identity import identify_resident
from pb.services.proposals import save_proposal
from pb.web.fields import LineField, ParagraphsField, WebForm, one_line, paragraphs
from tests.factories import make_round

FORM_MODULES = ["pb.web.account.forms", "pb.web.admin.forms", "pb.web.equalities.forms",
                "pb.web.pages.forms", "pb.web.rounds.forms"]
# the column each stored box ends up in
COLUMNS = {
    ("ResidentSignInForm", "name"): Person.name,
    ("SignInForm", "email"): Person.email,
    ("ProposalForm", "title"): Proposal.title,
    ("ProposalForm", "summary"): Proposal.summary,
    ("ProposalForm", "location"): Proposal.location,
    ("RoundForm", "title"): Round.title,
}
PROPOSAL = {"title": "Street trees", "summary": "Ten trees on Acre Lane", "description": "Shade\r\nand air",
            "category": "environment", "rough_cost": "4500", "action": "submit"}


def error_for(body: str, field_id: str) -> str:
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</p>', body, re.S)
    assert match, f"no error next to {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "").strip()


def count(app, model, *where) -> int:
    from pb.models import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def resident_signs_in(client, name="Ada Lovelace", postcode="SW2 1RW"):
    response = client.submit("/account/resident", {"name": name, "postcode": postcode})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


# -- the shared rules -------------------------------------------------------------------------


def test_every_form_is_a_web_form_and_every_text_box_has_a_limit(app):
    with app.test_request_context():
        forms = [cls for name in FORM_MODULES for cls in vars(importlib.import_module(name)).values()
                 if isinstance(cls, type) and issubclass(cls, WebForm) and cls is not WebForm]
        assert {cls.__name__ for cls in forms} >= {"ProposalForm", "RoundForm", "ResidentSignInForm",
                                                  "ThresholdForm", "ReviewForm", "ReceiptForm"}
        for cls in forms:
            form = cls.for_wards([]) if hasattr(cls, "for_wards") else cls(formdata=None)
            for field in form:
                if field.type in ("StringField", "TextAreaField"):
                    pytest.fail(f"{cls.__name__}.{field.name} is a plain {field.type}: use LineField")
                if isinstance(field, LineField | ParagraphsField):
                    column = COLUMNS.get((cls.__name__, field.name))
                    if column is not None:
                        assert field.max_length <= column.type.length, (cls.__name__, field.name)


def test_text_is_tidied():
    assert one_line("  Ada\x00 Love\tlace\r\n ") == "Ada Love lace"
    assert one_line("\x1b[31mred\x7f\x85") == "[31mred"
    assert paragraphs(" One\r\nTwo\rThree\n\tindented\x00\x0b ") == "One\nTwo\nThree\n\tindented"


# -- signing in ---------------------------------------------------------------------------------


def test_a_name_over_200_characters_is_refused_next_to_the_box(app, client):
    response = client.submit("/account/resident", {"name": "A" * 201, "postcode": "SW2 1RW"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "govuk-error-summary" in body
    assert error_for(body, "name") == "Your name must be 200 characters or fewer"
    assert count(app, Person) == 0
    resident_signs_in(client, name="A" * 200)


def test_control_characters_are_not_part_of_a_name(app, client):
    resident_signs_in(client, name="  Ada\x00 Love\x07lace\t")
    with app.app_context():
        from pb.models import db

        assert db.session.scalar(select(Person.name)) == "Ada Lovelace"


@pytest.mark.parametrize("name", ["", "   ", "\t\r\n", "\x00\x00"])
def test_a_name_of_only_spaces_is_asked_for(client, name):
    response = client.submit("/account/resident", {"name": name, "postcode": "SW2 1RW"})
    assert response.status_code == 400
    assert error_for(response.get_data(as_text=True), "name") == "Enter your name"


def test_the_service_refuses_a_name_the_database_cannot_hold(ctx):
    with pytest.raises(ServiceError) as refused:
        identify_resident("B" * 201, "SW2 1RW")
    assert refused.value.field == "name"
    assert identify_resident("Ada\x00", "SW2 1RW").name == "Ada"


def test_a_form_sent_as_json_or_with_a_file_is_read_as_its_fields(app, client):
    page = client.get("/account/resident").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    for body in ("5", '"text"', "[1, 2]", '{"name": {"a": 1}, "postcode": ["SW2 1RW"]}'):
        response = client.post("/account/resident", data=body, content_type="application/json",
                               headers={"X-CSRFToken": token})
        assert response.status_code == 400, body
    response = client.post("/account/resident", data={
        "csrf_token": token, "name": (io.BytesIO(b"Ada"), "name.txt"), "postcode": "SW2 1RW"},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert error_for(response.get_data(as_text=True), "name") == "Enter your name"
    assert count(app, Person) == 0


# -- proposals ----------------------------------------------------------------------------------


@pytest.fixture
def proposing(app, client):
    with app.app_context():
        round_id = make_round("proposals", wards=("brixton-acre-lane",)).id
    resident_signs_in(client)
    return f"/rounds/{round_id}/propose"


def test_a_proposal_of_only_spaces_is_refused(app, client, proposing):
    response = client.submit(proposing, {**PROPOSAL, "title": "   ", "summary": "\t \t", "description": " \r\n "})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "govuk-error-summary" in body
    assert error_for(body, "title") == "Enter a name for your project"
    assert error_for(body, "summary") == "Describe your project in one line"
    assert error_for(body, "description") == "Say what should happen and why"
    assert count(app, Proposal) == 0


def test_a_proposal_is_stored_tidy(app, client, proposing):
    response = client.submit(proposing, {**PROPOSAL, "title": "  Street\x00 trees ", "location": "   "})
    assert response.status_code == 302
    with app.app_context():
        from pb.models import db

        proposal = db.session.scalar(select(Proposal))
        assert (proposal.title, proposal.description, proposal.location) == ("Street trees", "Shade\nand air", None)


@pytest.mark.parametrize(("field", "size", "message"), [
    ("title", 121, "The name must be 120 characters or fewer"),
    ("summary", 201, "The one-line description must be 200 characters or fewer"),
    ("description", 5001, "The description must be 5,000 characters or fewer"),
    ("location", 201, "The place must be 200 characters or fewer"),
])
def test_a_proposal_longer_than_its_column_is_refused(app, client, proposing, field, size, message):
    response = client.submit(proposing, {**PROPOSAL, field: "x" * size})
    assert response.status_code == 400
    assert error_for(response.get_data(as_text=True), field) == message
    assert count(app, Proposal) == 0


@pytest.mark.parametrize("cost", ["١٢٣", "1_000", "+5", "1e3", "0x10", "9" * 5000])
def test_a_rough_cost_is_plain_digits(app, client, proposing, cost):
    response = client.submit(proposing, {**PROPOSAL, "rough_cost": cost})
    assert response.status_code == 400
    assert error_for(response.get_data(as_text=True), "rough_cost") == "Enter a rough cost in pounds, like 2500"


def test_a_proposal_sent_twice_is_saved_once(app, client, proposing):
    first = client.submit(proposing, PROPOSAL)
    second = client.submit(proposing, PROPOSAL)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]  # both show the one proposal
    assert count(app, Proposal) == 1


def test_a_draft_submitted_again_from_the_same_page_is_the_same_proposal(app, client, proposing):
    client.submit(proposing, {**PROPOSAL, "action": "draft"})
    client.submit(proposing, {**PROPOSAL, "rough_cost": "5000"})
    with app.app_context():
        from pb.models import db

        (proposal,) = db.session.scalars(select(Proposal)).all()
        assert (proposal.status, proposal.rough_cost) == ("submitted", 5000)
    # a different project with the same name is a new proposal
    client.submit(proposing, {**PROPOSAL, "summary": "Ten trees on Brixton Hill"})
    assert count(app, Proposal) == 2


def test_the_service_refuses_blank_or_oversized_proposals(app, ctx):
    from tests.factories import resident

    round_ = make_round("proposals", wards=("brixton-acre-lane",))
    person = resident("Ada", "brixton-acre-lane")
    data = {"title": "Trees", "summary": "Ten trees", "description": "Shade", "location": None,
            "category": "parks", "rough_cost": 500}
    for change, field in [({"title": "  "}, "title"), ({"description": "x" * 5001}, "description"),
                          ({"rough_cost": 0}, "rough_cost"), ({"rough_cost": 10**12}, "rough_cost"),
                          ({"category": "space"}, "category")]:
        with pytest.raises(ServiceError) as refused:
            save_proposal(person, round_.headings[0], {**data, **change}, submit=True)
        assert refused.value.field == field
    assert count(app, Proposal) == 0


# -- staff forms --------------------------------------------------------------------------------


def test_a_reason_of_only_spaces_is_refused(app, client, demo, sign_in):
    with app.app_context():
        round_id = make_round("upcoming", wards=("brixton-acre-lane",)).id
    sign_in(demo["officer"])
    page = client.get(f"/admin/rounds/{round_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/admin/rounds/{round_id}/dates", data={
        "csrf_token": token, "phase": "delivery", "new_date": ["1", "1", "2031"], "reason": " \r\n\t "})
    assert response.status_code == 400
    assert error_for(response.get_data(as_text=True), "reason") == "Give a reason for moving the date"
    assert count(app, PhaseDateChange) == 0


@pytest.mark.parametrize(("low", "high"), [("0.99", "10"), ("0.1", "1.01"), (" 0.5 ", "2")])
def test_the_thresholds_take_their_documented_limits(app, client, demo, sign_in, low, high):
    with app.app_context():
        heading_id = make_round("voting", wards=("brixton-acre-lane",)).headings[0].id
    sign_in(demo["panel"])
    response = client.submit(f"/equalities/headings/{heading_id}/threshold", {"low": low, "high": high})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        from pb.models import db

        setting = db.session.scalar(select(EqualitiesSetting))
        assert (setting.low, setting.high) == (float(low), float(high))

"""A restore from a backup gives person ids out again: people who signed up after the dump
are gone, and the next new residents get their ids. A browser that kept a cookie from the
lost timeline must then open nothing, not the account of whoever has its id now (found by
the backup drill, benchmarks/drill/backup_drill.py)."""

from sqlalchemy import delete

from pb.models import Person, RoleGrant, db
from tests.factories import ward


def _resident(name: str, person_id: int | None = None) -> Person:
    person = Person(id=person_id, name=name, postcode="SW9 0AA", ward=ward("stockwell-east"))
    person.roles.append(RoleGrant(role="resident"))
    db.session.add(person)
    db.session.commit()
    return person


def test_a_cookie_from_before_a_restore_does_not_open_the_account_that_reuses_its_id(app, client):
    with app.app_context():
        lost = _resident("Lena Lost")
        lost_id, cookie = lost.id, lost.get_id()
        # the restore: the database as it was before Lena signed up
        db.session.execute(delete(RoleGrant).where(RoleGrant.person_id == lost_id))
        db.session.execute(delete(Person).where(Person.id == lost_id))
        db.session.commit()
        newcomer = _resident("Nadia Newcomer", person_id=lost_id)
        assert (newcomer.id, newcomer.session_version) == (lost_id, 0)
    with client.session_transaction() as session:
        session["_user_id"] = cookie
        session["_fresh"] = True
    page = client.get("/account/")
    assert page.status_code == 302, "the old cookie opened the newcomer's account"
    assert "Nadia Newcomer" not in page.get_data(as_text=True)


def test_a_session_still_works_for_its_own_person(app, client):
    with app.app_context():
        cookie = _resident("Sam Same").get_id()
    with client.session_transaction() as session:
        session["_user_id"] = cookie
        session["_fresh"] = True
    page = client.get("/account/")
    assert page.status_code == 200 and "Sam Same" in page.get_data(as_text=True)

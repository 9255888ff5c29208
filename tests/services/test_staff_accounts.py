"""Staff accounts on the real database: the second factor (TOTP), one-time links for
invitations and password resets, and admins granting and withdrawing roles."""

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select, text, update

from pb.models import (
    EmailOutboxMessage,
    PendingSignIn,
    Person,
    RoleGrant,
    StaffAudit,
    StaffCredential,
    StaffLink,
    Ward,
    db,
)
from pb.services import staff
from pb.services.errors import NotAllowed, ServiceError
from tests.second_factor import code_for

PASSWORD = "correct horse battery"


@pytest.fixture
def req(app):
    with app.test_request_context():
        yield
        db.session.remove()


def person_with(email, *roles, password=PASSWORD, ward=None) -> Person:
    person = Person(name=email.split("@")[0].title(), email=email)
    if password:
        person.set_password(password)
    for role in roles:
        person.roles.append(RoleGrant(role=role, ward=ward if role == "councillor" else None))
    db.session.add(person)
    db.session.commit()
    return person


def admin() -> Person:
    return db.session.scalar(select(Person).where(Person.email == "boss@example.org")) or \
        person_with("boss@example.org", "admin")


def ward(slug="stockwell-east") -> Ward:
    return db.session.scalar(select(Ward).where(Ward.slug == slug))


def set_up(person) -> str:
    """The person sets up their app; returns the secret."""
    attempt, nonce = staff.begin_sign_in(person)
    secret = staff.set_up_secret(person)
    staff.check_code(attempt, nonce, code_for(secret), set_up=True)
    return secret


def last_link(address) -> str:
    """The token in the latest email to this address."""
    message = db.session.scalar(select(EmailOutboxMessage).where(EmailOutboxMessage.address == address)
                                .order_by(EmailOutboxMessage.id.desc()))
    return re.search(r"/account/link/([A-Za-z0-9_-]+)", message.body).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 10**6:06d}"


# --- the second factor -------------------------------------------------------------------

def test_every_role_but_resident_needs_a_second_factor(req):
    for role in staff.STAFF_ROLES:
        assert staff.needs_second_factor(person_with(f"{role}@example.org", role, ward=ward()))
    assert not staff.needs_second_factor(person_with("rita@example.org", "resident"))


def test_set_up_saves_the_secret_only_once_a_code_from_it_is_right(req):
    person = person_with("new.officer@example.org", "officer")
    attempt, nonce = staff.begin_sign_in(person)
    secret = staff.set_up_secret(person)
    assert staff.set_up_secret(person) == secret  # reloading the page shows the same key
    assert not staff.has_second_factor(person)
    with pytest.raises(ServiceError, match="not right"):
        staff.check_code(attempt, nonce, wrong(code_for(secret)), set_up=True)
    assert not staff.has_second_factor(person)
    assert staff.check_code(attempt, nonce, code_for(secret), set_up=True) == person
    assert staff.has_second_factor(person)
    with pytest.raises(ServiceError, match="already set up"):
        staff.set_up_secret(person)
    actions = db.session.scalars(select(StaffAudit.action)).all()
    assert actions == ["second_factor_set_up"]


def test_the_secret_is_sealed_at_rest_and_bound_to_its_person(req):
    person = person_with("sealed@example.org", "officer")
    secret = set_up(person)
    stored = db.session.scalar(select(StaffCredential.totp_secret))
    rows = " ".join(str(row) for row in db.session.execute(text("SELECT * FROM staff_credentials")).all())
    assert secret not in rows and secret.lower() not in rows and stored.startswith("v1:")
    assert staff.open_secret(person.id, stored) == secret
    assert staff.open_secret(person.id + 1, stored) is None  # another person's row cannot use it


def test_a_code_works_once(req):
    person = person_with("once@example.org", "officer")
    secret = set_up(person)  # used the code of this time step
    attempt, nonce = staff.begin_sign_in(person)
    with pytest.raises(ServiceError, match="already been used"):
        staff.check_code(attempt, nonce, code_for(secret))
    # the next step's code (accepted for clock drift) works, once
    later = pyotp.TOTP(secret).generate_otp(staff.current_step() + 1)
    assert staff.check_code(attempt, nonce, later) == person
    attempt, nonce = staff.begin_sign_in(person)
    with pytest.raises(ServiceError, match="already been used"):
        staff.check_code(attempt, nonce, later)


def test_codes_one_step_either_side_are_accepted_and_no_further(req):
    person = person_with("drift@example.org", "officer")
    secret = set_up(person)
    totp, now = pyotp.TOTP(secret), staff.current_step()
    db.session.execute(update(StaffCredential).values(last_step=now - 5))
    db.session.commit()
    attempt, nonce = staff.begin_sign_in(person)
    for far in (now - 2, now + 2):
        with pytest.raises(ServiceError, match="not right"):
            staff.check_code(attempt, nonce, totp.generate_otp(far))
    assert staff.check_code(attempt, nonce, totp.generate_otp(now - 1)) == person


def test_five_wrong_codes_end_the_pending_sign_in(req):
    person = person_with("guess@example.org", "officer")
    secret = set_up(person)
    attempt, nonce = staff.begin_sign_in(person)
    bad = wrong(code_for(secret, staff.current_step()))
    for _ in range(4):
        with pytest.raises(ServiceError, match="not right"):
            staff.check_code(attempt, nonce, bad)
    with pytest.raises(staff.SignInEnded, match="5 times"):
        staff.check_code(attempt, nonce, bad)
    assert staff.pending_sign_in(attempt, nonce) is None
    with pytest.raises(staff.SignInEnded):  # even the right code, now
        staff.check_code(attempt, nonce, code_for(secret, staff.current_step()))
    # a new sign-in (the password again) starts a new count
    attempt, nonce = staff.begin_sign_in(person)
    assert staff.check_code(attempt, nonce, code_for(secret, staff.current_step())) == person


def test_a_pending_sign_in_expires_after_five_minutes_and_needs_its_nonce(req):
    person = person_with("slow@example.org", "officer")
    attempt, nonce = staff.begin_sign_in(person)
    row = db.session.get(PendingSignIn, attempt)
    assert row.expires_at - row.created_at == timedelta(minutes=5)
    assert nonce not in row.nonce_hash and len(row.nonce_hash) == 64
    assert staff.pending_sign_in(attempt, nonce) == row
    assert staff.pending_sign_in(attempt, "another browser") is None
    assert staff.pending_sign_in(attempt + 1, nonce) is None
    row.expires_at = staff._now() - timedelta(seconds=1)
    db.session.commit()
    assert staff.pending_sign_in(attempt, nonce) is None
    with pytest.raises(staff.SignInEnded):
        staff.check_code(attempt, nonce, "123456")


def test_ending_the_sessions_ends_a_pending_sign_in_too(req):
    person = person_with("moved@example.org", "officer")
    attempt, nonce = staff.begin_sign_in(person)
    person.session_version += 1  # a password reset, a role change, a sign-out elsewhere
    db.session.commit()
    assert staff.pending_sign_in(attempt, nonce) is None


def test_the_demo_secret_opens_nothing_in_production(req, app, monkeypatch):
    person = person_with("demo.like@example.org", "officer")
    db.session.add(StaffCredential(person_id=person.id, totp_secret=staff.seal_secret(person.id, staff.DEMO_TOTP_SECRET)))
    db.session.commit()
    monkeypatch.setitem(app.config, "PB_ENV", "production")
    attempt, nonce = staff.begin_sign_in(person)
    with pytest.raises(ServiceError, match="not right"):
        staff.check_code(attempt, nonce, code_for(staff.DEMO_TOTP_SECRET))


def test_demo_accounts_get_the_demo_secret_but_not_in_production(req, app, monkeypatch):
    from pb.services.demo import seed_demo

    seed_demo("demo-password")
    officer = db.session.scalar(select(Person).where(Person.email == "officer@demo.lambeth.example"))
    credential = db.session.get(StaffCredential, officer.id)
    assert staff.open_secret(officer.id, credential.totp_secret) == staff.DEMO_TOTP_SECRET
    db.session.execute(text("DELETE FROM staff_credentials"))
    db.session.commit()
    monkeypatch.setitem(app.config, "PB_ENV", "production")
    seed_demo("demo-password")
    assert db.session.scalar(select(func.count()).select_from(StaffCredential)) == 0


def test_an_admin_resets_a_lost_second_factor(req):
    person = person_with("lost.phone@example.org", "officer")
    set_up(person)
    version = person.session_version
    with pytest.raises(NotAllowed):
        staff.reset_second_factor(person_with("other.officer@example.org", "officer"), person)
    staff.reset_second_factor(admin(), person)
    db.session.refresh(person)
    assert not staff.has_second_factor(person) and person.session_version == version + 1
    entry = db.session.scalars(select(StaffAudit).order_by(StaffAudit.id.desc())).first()
    assert (entry.action, entry.actor.email, entry.target_id) == ("second_factor_reset", "boss@example.org", person.id)
    # the password alone cannot set up a new app: it is gone, and the way back is the email
    assert person.password_hash is None and not person.check_password(PASSWORD)
    message = db.session.scalars(select(EmailOutboxMessage).order_by(EmailOutboxMessage.id.desc())).first()
    assert message.address == "lost.phone@example.org" and "72 hours" in message.body
    token = last_link("lost.phone@example.org")
    assert staff.use_link(token, "a brand new long password").check_password("a brand new long password")


# --- one-time links ------------------------------------------------------------------------

def test_an_invitation_sets_name_and_password_once(req):
    boss = admin()
    person = staff.invite(boss, "New.Officer@example.org", "officer")
    assert person.name == "" and person.password_hash is None and person.has_role("officer")
    message = db.session.scalar(select(EmailOutboxMessage))
    assert message.address == "New.Officer@example.org" and "72 hours" in message.body
    token = last_link("New.Officer@example.org")
    link = db.session.scalar(select(StaffLink))
    assert link.kind == "invitation" and link.expires_at - link.created_at == timedelta(hours=72)
    assert token not in link.token_hash and len(link.token_hash) == 64  # only the hash is kept
    assert staff.link_for(token) == link and staff.asks_name(link)
    with pytest.raises(ServiceError, match="full name"):
        staff.use_link(token, PASSWORD, "  ")
    joined = staff.use_link(token, PASSWORD, "Nia Officer")
    assert joined.name == "Nia Officer" and joined.check_password(PASSWORD)
    assert staff.link_for(token) is None
    with pytest.raises(staff.LinkNotUsable):
        staff.use_link(token, "another long password", "Someone Else")
    actions = db.session.scalars(select(StaffAudit.action).order_by(StaffAudit.id)).all()
    assert actions == ["invited", "joined"]


def test_links_expire(req):
    staff.invite(admin(), "late@example.org", "equalities")
    token = last_link("late@example.org")
    db.session.execute(update(StaffLink).values(expires_at=staff._now() - timedelta(seconds=1)))
    db.session.commit()
    assert staff.link_for(token) is None
    with pytest.raises(staff.LinkNotUsable):
        staff.use_link(token, PASSWORD, "Late Person")
    # a reset works for 1 hour
    person_with("reset.me@example.org", "officer")
    staff.request_password_reset("reset.me@example.org")
    link = db.session.scalars(select(StaffLink).where(StaffLink.kind == "reset")).one()
    assert link.expires_at - link.created_at == timedelta(hours=1)


def test_a_newer_link_voids_the_older(req):
    person = person_with("twice@example.org", "officer")
    staff.request_password_reset("twice@example.org")
    first = last_link("twice@example.org")
    staff.request_password_reset("TWICE@example.org ")
    second = last_link("twice@example.org")
    assert first != second
    assert staff.link_for(first) is None and staff.link_for(second) is not None
    with pytest.raises(staff.LinkNotUsable):
        staff.use_link(first, "a new long password")
    staff.use_link(second, "a new long password")
    db.session.refresh(person)
    assert person.check_password("a new long password")
    # and a newer invitation voids the older one
    staff.invite(admin(), "invited.twice@example.org", "officer")
    old = last_link("invited.twice@example.org")
    staff.invite(admin(), "invited.twice@example.org", "officer")
    assert staff.link_for(old) is None and staff.link_for(last_link("invited.twice@example.org"))


def test_a_reset_ends_every_session_and_keeps_the_second_factor(req):
    person = person_with("forgetful@example.org", "officer")
    secret = set_up(person)
    version = person.session_version
    staff.request_password_reset("forgetful@example.org")
    person = staff.use_link(last_link("forgetful@example.org"), "my brand new passphrase")
    assert person.session_version == version + 1
    assert staff.has_second_factor(person)
    attempt, nonce = staff.begin_sign_in(person)  # the next sign-in still needs the app's code
    credential = db.session.get(StaffCredential, person.id)
    assert staff.check_code(attempt, nonce, code_for(secret, credential.last_step)) == person


def test_an_unknown_email_gets_the_same_work_and_a_harmless_email(req):
    person_with("known@example.org", "officer")
    staff.request_password_reset("known@example.org")
    staff.request_password_reset("nobody@example.org")
    links = db.session.scalars(select(StaffLink).order_by(StaffLink.id)).all()
    assert [(link.kind, link.person_id is not None) for link in links] == [("reset", True), ("reset", False)]
    known, unknown = db.session.scalars(select(EmailOutboxMessage).order_by(EmailOutboxMessage.id)).all()
    assert known.subject == unknown.subject
    assert "/account/link/" in known.body and "/account/link/" not in unknown.body
    assert "no staff account" in unknown.body
    # a resident, or someone whose roles were all withdrawn, is not staff: no link
    person_with("resident@example.org", "resident")
    staff.request_password_reset("resident@example.org")
    assert "/account/link/" not in db.session.scalars(
        select(EmailOutboxMessage.body).order_by(EmailOutboxMessage.id.desc())).first()


def test_new_passwords_are_checked(req):
    for password, message in [("short", "at least 12"), ("x" * 257, "256 characters or fewer"),
                              ("pat@example.org", "not be your email"), ("PAT@example.org ", "not be your email"),
                              ("password1234", "too easy"), ("aaaaaaaaaaaaaaa", "too easy"),
                              ("123456789012", "too easy")]:
        with pytest.raises(ServiceError, match=message):
            staff.check_new_password(password, "pat@example.org")
    staff.check_new_password("tram lines over brixton hill", "pat@example.org")


# --- roles -----------------------------------------------------------------------------

def test_only_admins_invite_and_change_roles(req):
    officer = person_with("plain.officer@example.org", "officer")
    other = person_with("someone@example.org", "equalities")
    with pytest.raises(NotAllowed):
        staff.invite(officer, "x@example.org", "admin")
    with pytest.raises(NotAllowed):
        staff.grant_role(officer, other, "admin")
    with pytest.raises(NotAllowed):
        staff.withdraw_role(officer, other.roles[0])
    assert db.session.scalar(select(func.count()).select_from(StaffAudit)) == 0


def test_granting_and_withdrawing_roles_ends_sessions_and_is_recorded(req):
    boss = admin()
    person = person_with("growing@example.org", "officer")
    version = person.session_version
    with pytest.raises(ServiceError, match="ward"):
        staff.grant_role(boss, person, "councillor")
    with pytest.raises(ServiceError, match="role"):
        staff.grant_role(boss, person, "resident")
    staff.grant_role(boss, person, "councillor", ward())
    db.session.refresh(person)
    assert person.has_role("councillor", ward()) and person.session_version == version + 1
    with pytest.raises(ServiceError, match="already have"):
        staff.grant_role(boss, person, "officer")
    grant = next(g for g in person.roles if g.role == "officer")
    staff.withdraw_role(boss, grant)
    db.session.refresh(person)
    assert not person.has_role("officer") and person.session_version == version + 2
    entries = db.session.scalars(select(StaffAudit).order_by(StaffAudit.id)).all()
    assert [(e.action, e.role, e.ward.slug if e.ward else None, e.actor_id, e.target_id) for e in entries] == [
        ("granted", "councillor", "stockwell-east", boss.id, person.id),
        ("withdrawn", "officer", None, boss.id, person.id)]


def test_the_last_admin_keeps_the_admin_role(req):
    boss = admin()
    with pytest.raises(staff.LastAdmin, match="last administrator"):
        staff.withdraw_role(boss, boss.roles[0])
    db.session.refresh(boss)
    assert boss.has_role("admin")
    # an invited admin who has not set a password yet does not count
    staff.invite(boss, "future.admin@example.org", "admin")
    with pytest.raises(staff.LastAdmin):
        staff.withdraw_role(boss, boss.roles[0])
    # with a second admin who can sign in, the first may go
    second = person_with("second.admin@example.org", "admin")
    staff.withdraw_role(boss, boss.roles[0])
    db.session.refresh(boss)
    assert not boss.has_role("admin")
    with pytest.raises(NotAllowed):  # no longer an admin
        staff.withdraw_role(boss, second.roles[0])
    with pytest.raises(staff.LastAdmin):
        staff.withdraw_role(second, second.roles[0])


def test_inviting_an_existing_account_is_refused(req):
    person_with("already@example.org", "officer")
    with pytest.raises(ServiceError, match="already an account"):
        staff.invite(admin(), "ALREADY@example.org", "admin")
    with pytest.raises(ServiceError, match="ward"):
        staff.invite(admin(), "cllr@example.org", "councillor")
    staff.invite(admin(), "cllr@example.org", "councillor", ward())
    [row] = [r for r in staff.staff_list() if r["person"].email == "cllr@example.org"]
    assert row["invitation"] == "pending" and not row["second_factor"]
    assert [(g.role, g.ward.slug) for g in row["grants"]] == [("councillor", "stockwell-east")]


def test_the_operator_invites_the_first_admin_from_the_command_line(app):
    """A new council has no admin to invite anyone: `flask pb invite` is the way in, and
    its link works once like any other."""
    result = app.test_cli_runner().invoke(args=["pb", "invite", "first.admin@example.org"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().rsplit("/", 1)[-1]
    with app.test_request_context():
        person = db.session.scalar(select(Person).where(Person.email == "first.admin@example.org"))
        assert person.has_role("admin") and person.password_hash is None
        audit = db.session.scalar(select(StaffAudit))
        assert audit.action == "invited" and audit.actor_id is None
        assert staff.use_link(token, PASSWORD, "First Admin").check_password(PASSWORD)
    again = app.test_cli_runner().invoke(args=["pb", "invite", "first.admin@example.org"])
    assert again.exit_code != 0 and "already an account" in again.output
    wrong = app.test_cli_runner().invoke(args=["pb", "invite", "c@example.org", "--role", "councillor",
                                               "--ward", "atlantis"])
    assert wrong.exit_code != 0 and "no ward" in wrong.output

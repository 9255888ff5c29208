"""`flask --app app pb ...`: the operator's commands. They call the same services as the views."""

import json

import click
from flask import current_app
from flask.cli import AppGroup

pb_cli = AppGroup("pb", help="Ward Budgets commands.")


@pb_cli.command("load-census")
def load_census_command():
    """Load Lambeth's wards, census tables, postcodes and boundaries (idempotent)."""
    from pb.services.census import load_census

    counts = load_census()
    click.echo("Loaded " + ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items()))


@pb_cli.command("seed-demo")
def seed_demo_command():
    """Add demo accounts for every role (idempotent); prints credentials in development only."""
    from pb.services.demo import demo_password, seed_demo, seed_rounds

    password = demo_password()
    accounts = seed_demo(password)
    rounds = seed_rounds()
    click.echo(f"Demo data ready: {len(accounts)} example accounts (every ward has councillors), "
               f"{rounds} new budget rounds.")
    if current_app.config["SHOW_DEMO_CREDENTIALS"]:
        click.echo(f"Sign in at /account/sign-in with password: {password}")
        for email, role in accounts[:6]:
            click.echo(f"  {email:45} {role}")
        click.echo("  cllr.<ward-slug>.<n>@demo.lambeth.example  councillors for every ward")


@pb_cli.command("count")
@click.argument("round_id", type=int)
@click.option("--officer", "email", help="The officer running the count (default: the first officer).")
def count_command(round_id, email):
    """Run the count of a round whose voting has closed, and store the results."""
    from sqlalchemy import select

    from pb.models import Person, RoleGrant, Round, db
    from pb.services.counting import mix_and_count
    from pb.services.errors import ServiceError

    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"There is no round {round_id}.")
    query = select(Person).join(RoleGrant).where(RoleGrant.role == "officer").order_by(Person.id)
    officer = db.session.scalar(select(Person).where(Person.email == email) if email else query)
    if officer is None:
        raise click.ClickException("No officer account to run the count as.")
    try:
        results = mix_and_count(officer, round_)
    except ServiceError as err:
        raise click.ClickException(str(err.message)) from None
    for result in results:
        heading = result.heading
        funded = ", ".join(json.loads(result.selected)) or "nothing"
        click.echo(f"{heading.ward.name}: {result.ballots_counted} ballots, rule {result.rule}, "
                   f"funded proposals {funded}; ballots sha256 {result.ballots_sha256}")


@pb_cli.command("invite")
@click.argument("email")
@click.option("--role", default="admin", show_default=True,
              type=click.Choice(["admin", "officer", "equalities", "councillor"]))
@click.option("--ward", "ward_slug", help="The councillor's ward, e.g. brixton-windrush.")
def invite_command(email, role, ward_slug):
    """Invite a staff member (the first admin, above all): emails a 72-hour one-time link,
    and prints it too."""
    from flask import current_app
    from sqlalchemy import select

    from pb.models import Ward, db
    from pb.services import staff
    from pb.services.errors import ServiceError

    ward = db.session.scalar(select(Ward).where(Ward.slug == ward_slug)) if ward_slug else None
    if ward_slug and ward is None:
        raise click.ClickException(f"There is no ward {ward_slug!r}.")
    with current_app.test_request_context(base_url=current_app.config.get("PB_PUBLIC_URL") or None):
        try:
            _, token = staff.invite_from_server(email, role, ward)
        except ServiceError as err:
            raise click.ClickException(str(err.message)) from None
        click.echo(f"Invited {email} as {role}. Their one-time link (72 hours): {staff.link_url(token)}")


@pb_cli.command("mix")
def mix_command():
    """Mix the sealed ballots of every ward whose voting has closed (for a scheduled job)."""
    from pb.services.ballot_box import mix_closed_rounds

    moved = mix_closed_rounds()
    click.echo(f"Mixed {moved} sealed ballots.")


@pb_cli.command("equalities-reports")
def equalities_reports_command():
    """Make due equalities release points and compute every report not stored yet (for a
    scheduled job, e.g. after each mix and every 10 minutes during voting)."""
    from pb.services.equalities import prepare_due_reports

    made = prepare_due_reports()
    click.echo(f"Computed and stored {made} equalities reports.")


@pb_cli.command("send-notifications")
def send_notifications_command():
    """Send ward followers' messages still unsent (for a scheduled job, every few minutes)."""
    from pb.services.follows import send_pending

    sent, failed = send_pending(retry=True)
    click.echo(f"Sent {sent} messages to ward followers; {failed} failed and will be tried again.")


audit_cli = AppGroup("audit", help="The tamper-evident audit log.")
pb_cli.add_command(audit_cli)


@audit_cli.command("verify")
@click.option("--head", "expected_head", help="A head kept from earlier, SEQ:HASH (a download's "
              "current_audit_head or X-Audit-Head) or a bare HASH, that the chain must still hold: "
              "entry SEQ must have that hash, so a chain cut short after it fails too.")
def audit_verify_command(expected_head):
    """Check every entry's hash chain; say where it first breaks (exit status 1)."""
    from pb.services.audit import verify

    try:
        verdict = verify(expected_head=expected_head)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--head") from err
    click.echo(str(verdict))
    if not verdict.ok:
        raise SystemExit(1)

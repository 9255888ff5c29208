"""`flask --app app pb ...`: the operator's commands. They call the same services as the views."""

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
    from pb.services.demo import demo_password, seed_demo

    password = demo_password()
    accounts = seed_demo(password)
    click.echo(f"Demo data ready: {len(accounts)} example accounts (every ward has councillors).")
    if current_app.config["SHOW_DEMO_CREDENTIALS"]:
        click.echo(f"Sign in at /account/sign-in with password: {password}")
        for email, role in accounts[:6]:
            click.echo(f"  {email:45} {role}")
        click.echo("  cllr.<ward-slug>.<n>@demo.lambeth.example  councillors for every ward")

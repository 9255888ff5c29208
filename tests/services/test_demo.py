from sqlalchemy import func, select

from pb.models import Person, RoleGrant, db
from pb.services.demo import seed_demo


def test_demo_has_every_role_and_every_wards_councillors_and_is_idempotent(ctx):
    seed_demo("pw-one")
    seed_demo("pw-two")
    roles = dict(db.session.execute(
        select(RoleGrant.role, func.count()).group_by(RoleGrant.role)).all())
    assert roles == {"admin": 1, "officer": 1, "equalities": 1, "translator": 1, "councillor": 63}
    officer = db.session.scalar(select(Person).where(Person.email == "officer@demo.lambeth.example"))
    assert officer.check_password("pw-two") and not officer.check_password("pw-one")


def test_seed_demo_command_prints_credentials_in_development_only(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["pb", "seed-demo"], env={"PB_DEMO_PASSWORD": "shown-pw"})
    assert result.exit_code == 0, result.output
    assert "shown-pw" in result.output and "officer@demo.lambeth.example" in result.output
    app.config["SHOW_DEMO_CREDENTIALS"] = False
    try:
        result = runner.invoke(args=["pb", "seed-demo"], env={"PB_DEMO_PASSWORD": "hidden-pw"})
    finally:
        app.config["SHOW_DEMO_CREDENTIALS"] = True
    assert result.exit_code == 0 and "hidden-pw" not in result.output


def test_load_census_command(app):
    result = app.test_cli_runner().invoke(args=["pb", "load-census"])
    assert result.exit_code == 0
    assert "25 wards" in result.output and "6168 postcodes" in result.output

"""What a `flask pb count` process pays for besides the count (issue 17): no migration tools
at start-up, and the cyclic garbage collector paused while tens of thousands of ballots are
handled, then running again."""

import gc
import os
import subprocess
import sys
from pathlib import Path

from pb.services.counting import collector_paused

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path):
    return {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/app.db", "PYTHONPATH": str(ROOT)}


def test_making_the_app_loads_no_migration_tools(tmp_path):
    code = ("import sys; from pb import create_app; create_app(); "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('alembic', 'flask_migrate', 'mako', 'pygments')); print(bad[:5]); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env=_env(tmp_path), timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_flask_db_commands_still_load_when_used(tmp_path):
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    listed = subprocess.run([*flask, "--help"], cwd=ROOT, capture_output=True, text=True,
                            env=_env(tmp_path), timeout=120)
    assert "Perform database migrations." in listed.stdout
    heads = subprocess.run([*flask, "db", "heads"], cwd=ROOT, capture_output=True, text=True,
                           env=_env(tmp_path), timeout=120)
    assert heads.returncode == 0, heads.stderr
    assert "(head)" in heads.stdout


def test_the_collector_is_paused_only_while_counting():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # the count inside the mix-and-count
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    try:
        with collector_paused():
            raise RuntimeError("a failed count")
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_only_flask_pb_count_and_mix_make_the_app_without_pages():
    from pb import pages_needed

    flask, module = "/srv/.venv/bin/flask", "/srv/.venv/lib/python3.11/site-packages/flask/__main__.py"
    for argv in ([flask, "--app", "app", "pb", "count", "3"], [module, "pb", "mix"],
                 [flask, "pb", "count", "--officer", "a@b.org", "3"]):
        assert not pages_needed(argv), argv
    for argv in ([flask, "--app", "app", "pb", "invite", "a@b.org"], [flask, "run"], [flask, "pb"],
                 [flask, "db", "upgrade"], ["/srv/.venv/bin/gunicorn", "app:app"],
                 ["/srv/.venv/bin/pytest", "pb", "count"], [], [flask, "--app", "app", "pb", "--help"]):
        assert pages_needed(argv), argv


def test_flask_pb_count_counts_without_the_pages(app, ctx):
    from pb import create_app
    from pb.models import Result, db
    from pb.services import voting
    from tests.factories import add_projects, close_and_mix, make_round, resident

    round_ = make_round("voting")
    heading = round_.headings[0]
    project = add_projects(heading, [3000])[0]
    voting.cast_ballot(resident("Vi", "stockwell-east"), heading, [project.project_id])
    close_and_mix(round_)
    pageless = create_app({"TESTING": True}, pages=False)
    assert "rounds.results" not in pageless.view_functions and "admin" not in pageless.blueprints
    done = pageless.test_cli_runner().invoke(args=["pb", "count", str(round_.id)])
    assert done.exit_code == 0, done.output
    assert "Stockwell East: 1 ballots" in done.output
    db.session.expire_all()
    assert db.session.query(Result).filter_by(heading_id=heading.id).one().ballots_counted == 1

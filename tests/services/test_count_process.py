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

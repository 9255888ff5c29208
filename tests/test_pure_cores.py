"""The counting and statistics cores run without Flask (CLI, benchmarks, researchers)."""

import subprocess
import sys


def test_tally_and_equalities_import_without_flask():
    code = ("import sys, pb.tally, pb.equalities.report, pb.equalities.raking; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'flask_babel', 'werkzeug')); "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_making_the_app_loads_no_scipy(tmp_path):
    """`flask pb count` and every page start without SciPy's statistics (seconds of imports):
    only an equalities report, a release audit or an Equal Shares count load it."""
    code = ("import sys; from pb import create_app; create_app({'TESTING': True}); "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'); "
            "print(bad[:5]); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**__import__("os").environ, "DATABASE_URL": f"sqlite:///{tmp_path}/app.db"})
    assert result.returncode == 0, result.stdout + result.stderr

"""The counting and statistics cores run without Flask (CLI, benchmarks, researchers)."""

import subprocess
import sys


def test_tally_and_equalities_import_without_flask():
    code = ("import sys, pb.tally, pb.equalities.report, pb.equalities.raking; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'flask_babel', 'werkzeug')); "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

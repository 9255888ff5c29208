"""The command line counts a Pabulib file with no web app."""

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from pb.tally import count, read_pabulib
from tests.tally.tally_oracle import oracle_file

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "pabulib"


def run(*args):
    return subprocess.run([sys.executable, "-m", "pb.tally", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes-add1"])
def test_json_output_matches_pabutools(rule):
    path = DATA / "Netherlands_Assen_2024.pb"
    done = run(path, "--rule", rule, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["rule"] == rule
    assert data["selected"] == oracle_file(path, rule)  # selection order
    election = read_pabulib(path)
    costs = {p.id: p.cost for p in election.projects}
    assert data["spent"] == sum(costs[i] for i in data["selected"])
    assert data["budget"] == election.budget
    assert isinstance(data["spent"], int | float) and isinstance(data["budget"], int | float)


def test_decimal_budget_is_a_json_number():
    path = DATA / "France_Toulouse_2022_17_-_Mirail-Universite_Reynerie_Bellefontaine.pb"
    data = json.loads(run(path, "--rule", "mes", "--json").stdout)
    assert data["budget"] == 400000
    assert Fraction(str(data["spent"])) == count(read_pabulib(path), "mes").spent


def test_table_lists_every_project_with_a_reason():
    path = DATA / "Switzerland_Zurich_S5R.pb"
    done = run(path, "--rule", "mes-add1")
    assert done.returncode == 0, done.stderr
    outcome = count(read_pabulib(path), "mes-add1")
    rows = done.stdout.split("--\n", 1)[1].splitlines()
    table = {row.split()[-5]: (row.split()[-2], row.split()[-1]) for row in rows}
    assert table == {pid: ("yes" if e.funded else "no", e.code)
                     for pid, e in outcome.explanations.items()}


def test_unreadable_file_is_an_error_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nvote_type;approval\n", encoding="utf-8")
    done = run(bad, "--rule", "greedy", "--json")
    assert done.returncode == 2
    assert "budget" in done.stderr and "Traceback" not in done.stderr
    assert run(tmp_path / "missing.pb").returncode == 2


def test_an_equal_shares_count_loads_no_scipy():
    """SciPy's import alone took longer than a whole mes-add1 count of a city's file: the
    engine needs only NumPy (and gmpy2 when installed)."""
    code = ("import sys; from pb.tally import count, read_pabulib; "
            f"count(read_pabulib({str(DATA / 'Netherlands_Assen_2024.pb')!r}), 'mes-add1'); "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'); "
            "print(bad[:5]); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr

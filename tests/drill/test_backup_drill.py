"""The backup and restore drill (benchmarks/drill/backup_drill.py), run whole: two throwaway
PostgreSQL clusters, residents casting over HTTP to gunicorn while pg_dump runs, a restore into
a fresh cluster, and every check of README "Backup and restore".

It runs in the PostgreSQL pass of the suite only (DATABASE_URL set to PostgreSQL, which says
PostgreSQL's programs are here); it makes its own clusters and never touches that database.
About 1 minute on an idle 2-core machine (2 to 3 under a loaded one), hence `slow`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRILL = ROOT / "benchmarks" / "drill" / "backup_drill.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="the drill runs in the PostgreSQL pass (DATABASE_URL=postgresql://…)"),
    pytest.mark.skipif(not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
                       reason="PostgreSQL's programs (initdb, pg_dump, pg_restore) are not installed"),
]

# the checks the drill must have made, each passed: one missing means a step was skipped
MUST = [
    "voting went on while pg_dump ran",
    "audit chain verifies with the head kept at dump time",
    "every round: roll entries == sealed + mixed ballots",
    "every resident who cast before the dump is on the restored roll",
    "no resident who cast after the dump is on it",
    "a resident whose cast was lost can vote again on the restored copy",
    "a resident whose cast was kept cannot vote twice",
    "a cookie from after the dump never signs in as whoever reuses its person id",
    "without the right BALLOT_SEAL_KEY nothing is mixed",
    "closing, mixing and counting the restored copy counts exactly its roll",
    "each receipt finds its own choices iff its resident is on the restored roll",
    "results.json from the restored copy is byte for byte the published one",
    "ballots.pb from the restored copy is byte for byte the published one",
    "receipts.txt from the restored copy is byte for byte the published one",
    "a recount of the restored ballots selects the published projects",
    "the restored ballots table, written out again, is the published file",
    "audit chain verifies with the head kept at publication",
    "the count refuses to run again on the restored, published round",
]


def test_the_backup_and_restore_drill_passes(tmp_path):
    report = tmp_path / "drill.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_POOL_SIZE")}
    done = subprocess.run([sys.executable, str(DRILL), "--quick", "--before", "6", "--after", "4",
                           "--clients", "3", "--json", str(report)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    checks = {c["check"]: c for c in json.loads(report.read_text())["checks"]}
    failed = [f"{c['check']}: {c['detail']}" for c in checks.values() if not c["ok"]]
    assert not failed, "\n".join(failed)
    assert [name for name in MUST if name not in checks] == []
    assert done.returncode == 0 and "PASSED" in done.stdout, done.stdout[-3000:]
    # and it cleaned up after itself: both clusters' files gone, no server or postgres left
    report = json.loads(report.read_text())
    assert len(report["clusters"]) == 2 and not any(Path(d).exists() for d in report["clusters"])
    assert len(report["servers"]) == 3 and not any(Path(f"/proc/{pid}").exists() for pid in report["servers"])
    left = [p for p in Path("/proc").glob("[0-9]*/cmdline")
            if any(d.encode() in _read(p) for d in report["clusters"])]
    assert left == []


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # the process ended meanwhile
        return b""

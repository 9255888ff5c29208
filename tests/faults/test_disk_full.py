"""The disk full under the SQLite default: a cast and a proposal get the 503 page (translated,
"not available at the moment", with Retry-After), nothing is half-written, and both work
again once space is freed, without a restart. The database is copied onto a small tmpfs
that a file then fills; the test needs root to mount it and is skipped otherwise (and on
PostgreSQL, whose disk is the database server's)."""

import errno
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pb import create_app
from pb.models import Proposal, RollEntry, SealedBallot, db
from tests.conftest import FormClient
from tests.factories import make_round
from tests.faults.conftest import WARD, csrf, is_postgres, open_round

pytestmark = pytest.mark.slow
UNAVAILABLE = "Ward Budgets is not available at the moment"
PROPOSAL = {"title": "Street trees", "summary": "Ten trees on the estate", "description": "Shade and air",
            "category": "environment", "rough_cost": "4500", "action": "submit"}


@pytest.fixture
def small_disk(app):
    if is_postgres(app):
        pytest.skip("SQLite only: PostgreSQL's disk is the database server's")
    if os.getuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    source = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    mount = tempfile.mkdtemp(prefix="wb-full-")
    size_kb = source.stat().st_size // 1024 + 1024
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", mount],
                          capture_output=True, text=True)
    if done.returncode != 0:
        os.rmdir(mount)
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield source, Path(mount)
    subprocess.run(["umount", "-l", mount], check=False)
    shutil.rmtree(mount, ignore_errors=True)


def fill(path: Path) -> None:
    with open(path, "wb", buffering=0) as filler:
        for chunk in (65536, 4096, 512, 1):
            try:
                while True:
                    filler.write(b"\0" * chunk)
            except OSError as err:
                assert err.errno == errno.ENOSPC


def test_a_full_disk_gives_the_503_page_writes_nothing_and_recovers(app, ctx, small_disk, monkeypatch):
    source, mount = small_disk
    round_id, _, projects, postcode = open_round()
    proposals_id = make_round("proposals", wards=(WARD,)).id
    db.session.remove()
    shutil.copy(source, mount / "full.db")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{mount / 'full.db'}")
    full = create_app({"TESTING": True})
    client = FormClient(full.test_client())
    signed_in = client.submit("/account/resident", {"name": "Ada Full", "postcode": postcode})
    assert signed_in.status_code == 302
    ballot = client.get(f"/vote/{round_id}")
    propose = client.get(f"/rounds/{proposals_id}/propose")

    fill(mount / "filler")
    cast = client.post(f"/vote/{round_id}/cast", data={"csrf_token": csrf(ballot.get_data(as_text=True)),
                                                        "project": projects[:1]})
    proposed = client.post(f"/rounds/{proposals_id}/propose",
                           data={"csrf_token": csrf(propose.get_data(as_text=True)), **PROPOSAL})
    for response in (cast, proposed):
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and UNAVAILABLE in page and "Traceback" not in page
        assert response.headers["Retry-After"] == "30"
    portuguese = client.post(f"/vote/{round_id}/cast?lang=pt", data={
        "csrf_token": csrf(ballot.get_data(as_text=True)), "project": projects[:1]})
    assert portuguese.status_code == 503 and UNAVAILABLE not in portuguese.get_data(as_text=True)

    with full.app_context():  # nothing half-written
        assert db.session.scalar(select(func.count()).select_from(RollEntry)) == 0
        assert db.session.scalar(select(func.count()).select_from(SealedBallot)) == 0
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 3  # the ballot's own
        db.session.remove()

    (mount / "filler").unlink()  # space again: the same app works, no restart
    ballot = client.get(f"/vote/{round_id}")
    cast = client.post(f"/vote/{round_id}/cast", data={"csrf_token": csrf(ballot.get_data(as_text=True)),
                                                        "project": projects[:1]})
    assert cast.status_code == 303
    assert client.submit(f"/rounds/{proposals_id}/propose", PROPOSAL).status_code == 302
    with full.app_context():
        assert db.session.scalar(select(func.count()).select_from(RollEntry)) == 1
        assert db.session.scalar(select(func.count()).select_from(SealedBallot)) == 1
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 4
        db.session.remove()
        db.engine.dispose()

"""PostgreSQL restarted while residents use the site (on a throwaway cluster of its own):
every request during the outage gets the 503 page ("not available at the moment", with
Retry-After), never a 500 or a traceback; afterwards the same gunicorn workers answer again
without a restart (stale pooled connections are tested before use: pool_pre_ping), and no
cast is half-written. Only when the suite runs on PostgreSQL (DATABASE_URL)."""

import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time

import pytest
import requests
from sqlalchemy import func, select

from pb import create_app
from pb.models import RollEntry, SealedBallot, db
from tests.faults.conftest import FLASK, ROOT, Gunicorn, Voter, free_port, open_round

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
UNAVAILABLE = "Ward Budgets is not available at the moment"


def _pg_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return os.path.dirname(found[-1]) if found else None


class Cluster:
    def __init__(self):
        self.bin = _pg_bin()
        self.dir = tempfile.mkdtemp(prefix="wb-fault-pg-")
        self.port = free_port()
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.run("initdb", "-D", f"{self.dir}/data", "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self.start()
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "faults")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/faults"

    def run(self, tool, *args):
        command = [f"{self.bin}/{tool}", *args]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self):
        self.run("pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-w", "-o",
                 f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self):
        self.run("pg_ctl", "-D", f"{self.dir}/data", "-m", "fast", "-w", "stop")

    def remove(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster():
    if not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("PostgreSQL only (DATABASE_URL)")
    if _pg_bin() is None:
        pytest.skip("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
    made = Cluster()
    yield made
    made.remove()


def test_a_postgresql_restart_gives_the_503_page_then_recovers_by_itself(cluster, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", cluster.url)
    env = {**os.environ, "DATABASE_URL": cluster.url}
    for command in (["db", "upgrade"], ["pb", "load-census"]):
        subprocess.run([str(FLASK), "--app", "app", *command], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=300)
    application = create_app({"TESTING": True})
    with application.app_context():
        round_id, _, projects, postcode = open_round()
        db.session.remove()
    server = Gunicorn({"DATABASE_URL": cluster.url, "DATABASE_POOL_SIZE": "5"})
    try:
        voters = [Voter(server.base, f"Voter {i}", postcode) for i in range(8)]
        for voter in voters:
            voter.sign_in()
        answers, stop = [], threading.Event()

        def browse(voter):  # load: pages read the database; half the residents cast meanwhile
            paths = ["/", f"/rounds/{round_id}", "/account/resident", "/healthz"]
            cast = None
            while not stop.is_set():
                for path in paths:
                    try:
                        response = voter.http.get(server.base + path, timeout=30)
                        answers.append((path, response.status_code, response.text))
                    except requests.RequestException as err:
                        answers.append((path, None, str(err)))
                if cast != 303 and voters.index(voter) % 2 == 0:
                    cast = voter.cast(round_id, projects[:1])
                    answers.append(("cast", cast, ""))
                time.sleep(0.05)

        threads = [threading.Thread(target=browse, args=(v,)) for v in voters]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        cluster.stop()  # PostgreSQL goes away mid-load
        time.sleep(1)
        during = [voter.http.get(server.base + f"/rounds/{round_id}", timeout=30) for voter in voters[:2]]
        refused_cast = voters[1].cast(round_id, projects[:1])
        time.sleep(1)
        cluster.start()
        started = time.monotonic()
        while requests.get(server.base + "/healthz", timeout=30).status_code != 200:
            assert time.monotonic() - started < 20, "the app did not recover by itself"
            time.sleep(0.1)
        recovered_after = time.monotonic() - started
        time.sleep(1.5)
        stop.set()
        for thread in threads:
            thread.join(60)

        for page in during:
            assert page.status_code == 503 and UNAVAILABLE in page.text and "Traceback" not in page.text
            assert page.headers.get("Retry-After") == "30"
        assert refused_cast == 503
        statuses = {status for _, status, _ in answers}
        assert statuses <= {200, 302, 303, 409, 503}, '\n'.join(line for line in server.output().splitlines() if 'Database unavailable' not in line and 'Is the server' not in line and 'Background on' not in line)[-5000:] + str([(p, s, t[:300]) for p, s, t in answers
                                                       if s not in (200, 302, 303, 409, 503)][:3])
        assert 503 in statuses
        assert all(UNAVAILABLE in text for path, status, text in answers if status == 503 and path != "/healthz" and text)
        # afterwards: the same workers answer, the refused resident casts, nothing half-written
        for path in ("/", f"/rounds/{round_id}", "/healthz") * 3:
            assert requests.get(server.base + path, timeout=30).status_code == 200
        assert voters[1].cast(round_id, projects[:1]) in (303, 409)
        with application.app_context():
            roll = db.session.scalar(select(func.count()).select_from(RollEntry))
            sealed = db.session.scalar(select(func.count()).select_from(SealedBallot))
            db.session.remove()
        assert roll == sealed and roll >= 1
        print(f"answers during the run: {len(answers)}, 503s: {sum(s == 503 for _, s, _ in answers)}, "
              f"healthy again {recovered_after:.2f} s after PostgreSQL started")
    finally:
        server.stop()
        with application.app_context():
            db.engine.dispose()


def test_a_connection_the_database_drops_after_the_page_is_made_costs_the_page_nothing(app):
    """PostgreSQL going away between the view and the end of the request (the restart above
    found it): the end-of-request rollback fails on the dead connection, which is thrown away,
    and the page already made is sent, not turned into a bare 500."""
    from flask import request_finished
    from sqlalchemy import create_engine, text

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    killer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])

    def drop_connection(sender, response, **extra):
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))  # the request's own connection
        with killer.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    with request_finished.connected_to(drop_connection, app):
        response = app.test_client().get("/")
    killer.dispose()
    assert response.status_code == 200 and "Ward Budgets" in response.get_data(as_text=True)
    assert app.test_client().get("/healthz").status_code == 200  # and the pool recovers

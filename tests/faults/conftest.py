"""Helpers for the fault runs: the app under gunicorn in its own processes (so a worker can
be killed), residents who vote over real HTTP, and a round open for voting."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select, text

from pb.models import Postcode, db
from tests.factories import add_projects, make_round, ward

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
FLASK = Path(sys.executable).with_name("flask")
WARD = "stockwell-east"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def serving(pids: list[int], port: int) -> list[int]:
    """Which of the processes hold an open connection accepted on ``port`` (a request in flight)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # ESTABLISHED
                inodes.add(fields[9])
    found = []
    for pid in pids:
        try:
            links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        except FileNotFoundError:
            continue
        if any(f"socket:[{inode}]" in links for inode in inodes):
            found.append(pid)
    return found


class Gunicorn:
    """`gunicorn -w N app:app` on 127.0.0.1, in its own process group."""

    def __init__(self, env: dict | None = None, workers: int = 2):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile("w+", prefix="wb-gunicorn-", suffix=".log")  # noqa: SIM115
        environment = {**os.environ, **(env or {})}
        self.process = subprocess.Popen(
            [str(GUNICORN), "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "2",
             "--timeout", "30", "app:app"],
            cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.workers_expected = workers
        try:
            self.wait_ready()
        except BaseException:
            self.stop()  # never leave a server behind
            raise

    def output(self) -> str:
        """What gunicorn and the app logged so far."""
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gunicorn exited"
            if len(self.workers()) == self.workers_expected:
                try:
                    if requests.get(self.base + "/healthz", timeout=20).status_code == 200:
                        return
                except requests.RequestException:
                    pass
            time.sleep(0.1)
        raise AssertionError("gunicorn did not get ready")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


class Voter:
    def __init__(self, base: str, name: str, postcode: str):
        self.base, self.name, self.postcode = base, name, postcode
        self.http = requests.Session()
        self.receipt = None

    def sign_in(self):
        page = self.http.get(self.base + "/account/resident", timeout=30)
        response = self.http.post(self.base + "/account/resident", timeout=30, data={
            "csrf_token": csrf(page.text), "name": self.name, "postcode": self.postcode})
        assert response.ok, response.text[:300]

    def cast(self, round_id: int, choices: list[str]):
        """The answer to the cast: 303 (cast), or the refusal's status; None when the
        connection broke (the worker died)."""
        try:
            ballot = self.http.get(f"{self.base}/vote/{round_id}", timeout=30)
            if ballot.status_code != 200:
                return ballot.status_code
            response = self.http.post(f"{self.base}/vote/{round_id}/cast", allow_redirects=False, timeout=30,
                                      data={"csrf_token": csrf(ballot.text), "project": choices})
        except requests.RequestException:  # connection reset, or no answer
            return None
        if response.status_code == 303:
            done = self.http.get(f"{self.base}/vote/{round_id}/done", timeout=30)
            self.receipt = re.search(r'class="pb-receipt">([A-Z0-9-]+)<', done.text).group(1)
        return response.status_code


def open_round(projects: int = 3):
    """A round open for voting in Stockwell East: (round id, heading id, project ids, a postcode)."""
    round_ = make_round("voting")
    heading = round_.headings[0]
    made = add_projects(heading, [1000] * projects)
    postcode = db.session.scalar(select(Postcode.postcode).where(Postcode.ward_id == ward(WARD).id).limit(1))
    return round_.id, heading.id, [p.project_id for p in made], postcode


@pytest.fixture
def gunicorn_app(app):
    """Start the app under gunicorn against the test database: call with extra environment."""
    started = []

    def start(env: dict | None = None, workers: int = 2) -> Gunicorn:
        server = Gunicorn(env, workers)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def is_postgres(application) -> bool:
    return application.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


class Blocker:
    """Holds a lock (on PostgreSQL the row `lock_sql` locks; on SQLite the whole database)
    until released, so that a transaction needing it stops in the middle."""

    def __init__(self, app, lock_sql: str, **params):
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if is_postgres(app):
            self.engine = create_engine(url)
            self.connection = self.engine.connect()
            self.connection.execute(text(lock_sql), params)
        else:
            self.engine = None
            self.connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            self.connection.execute("BEGIN IMMEDIATE")

    def release(self):
        if self.engine is not None:
            self.connection.rollback()
            self.connection.close()
            self.engine.dispose()
        else:
            self.connection.execute("ROLLBACK")
            self.connection.close()


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError("timed out")

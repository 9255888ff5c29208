"""Backup and restore drill (issue 18): one command, two throwaway PostgreSQL clusters.

    .venv/bin/python benchmarks/drill/backup_drill.py [--before 30] [--after 15] [--clients 4]
    bash scripts/backup_drill.sh            # the same, installing Debian's postgresql if missing

1. Cluster A: the real migrations (`flask db upgrade`), the census, the demo (a round open for
   voting in Stockwell East, with 60 sealed ballots). gunicorn (2 workers) serves it, and
   residents sign in and cast over HTTP: some before the dump, some while `pg_dump -Fc` runs
   (voting goes on during a real night's dump), some after.
2. Cluster B, a fresh `initdb`: `pg_restore` of that dump, the app pointed at it with the same
   SECRET_KEY and BALLOT_SEAL_KEY, and the checks: the audit chain verifies with the head kept
   at dump time; the roll and the sealed ballots reconcile; every resident who cast before the
   dump is on the roll and every one who cast after is not; an after-dump voter can vote again,
   a before-dump voter cannot; nothing mixes under a wrong key; closing, mixing and counting
   the restored copy counts exactly the roll, and each drill voter's receipt finds the ballot
   they chose if and only if they are on the restored roll.
3. On A, voting closes, the round is counted and published, and a second dump is restored into
   B: results.json, ballots.pb and receipts.txt are byte for byte the published ones, the
   ballots table written out again gives the published file, `python -m pb.tally` on it selects
   the published projects, the count refuses to run again, and the chain verifies with the
   publication's head.

Prints a table of checks with timings, exits 1 on any failure, and always stops both clusters
and the servers and removes their files (also on Ctrl-C or SIGTERM). `--json FILE` writes the
checks for tests (tests/drill/test_backup_drill.py). Runs as root (PostgreSQL then runs as
the `postgres` user, as scripts/test.sh does) or as an ordinary user.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
ROUND_TITLE = "Stockwell East small projects 2026"  # the demo round open for voting
POSTCODE = "SW9 0AA"  # in Stockwell East
PHASES = ("proposals", "review", "voting", "counting", "results", "delivery")
# day offsets from today of each phase's first day (as tests/factories.py)
# (publishing moves only the results and delivery dates: the count's file names voting's dates)
OFFSETS = {"counting": [-5, -4, -3, -1, 5, 6], "results": [-5, -4, -3, -1, 0, 6]}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
IS_ROOT = os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql, or bash scripts/backup_drill.sh)")
    return found[-1]


# -- clusters, the app's commands, servers ------------------------------------------------------

class Cluster:
    """A throwaway PostgreSQL cluster in /tmp, trusted on 127.0.0.1 only."""

    def __init__(self, name: str):
        self.name = name
        self.dir = Path(tempfile.mkdtemp(prefix=f"wb-drill-{name}-"))
        self.port = free_port()
        self.started = False

    def _pg(self, *args, **kwargs):
        command = [str(a) for a in args]
        if IS_ROOT:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)

    def start(self) -> None:
        if IS_ROOT:
            shutil.chown(self.dir, "postgres")
        self._pg(pg_bin() / "initdb", "-D", self.dir / "data", "-U", "postgres", "-A", "trust",
                 "--no-sync", "-E", "UTF8")
        self._pg(pg_bin() / "pg_ctl", "-D", self.dir / "data", "-l", self.dir / "log", "-w", "-o",
                 f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                 "-c max_connections=100", "start")
        self.started = True

    def createdb(self, name: str) -> str:
        subprocess.run([pg_bin() / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
                       check=True, capture_output=True)
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.started:
            try:
                self._pg(pg_bin() / "pg_ctl", "-D", self.dir / "data", "-m", "fast", "-w", "stop")
            except subprocess.CalledProcessError:
                pass
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)


def app_env(url: str, secrets_: dict, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PB_", "RATELIMIT_", "NOTIFY_"))}
    env.update({"DATABASE_URL": url, "PB_ENV": "development", "SMS_ADAPTER": "outbox",
                "EMAIL_ADAPTER": "outbox", "PB_DEMO_PASSWORD": "drill-password-not-secret", **secrets_})
    env.update(extra)
    return env


def flask(env: dict, *args, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([VENV_BIN / "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if check and done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


class Server:
    """gunicorn with 2 workers, as in production (README "Production")."""

    def __init__(self, env: dict, log_dir: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(log_dir / f"gunicorn-{self.port}.log", "w")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [VENV_BIN / "gunicorn", "-w", "2", "-b", f"127.0.0.1:{self.port}", "--timeout", "60", "app:app"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start; see {self.log.name}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


# -- residents ----------------------------------------------------------------------------------

@dataclass
class Voter:
    name: str
    http: requests.Session = field(default_factory=requests.Session)
    choices: list = field(default_factory=list)
    receipt: str | None = None
    started: float = 0.0
    finished: float = 0.0
    error: str | None = None

    @property
    def receipt_hash(self) -> str:
        tidy = "".join(ch for ch in self.receipt.upper() if ch.isalnum())
        return hashlib.sha256(tidy.encode()).hexdigest()


def _post_form(http, url: str, data: dict, **kwargs):
    page = http.get(url, timeout=30)
    token = CSRF.search(page.text)
    return http.post(url, data={"csrf_token": token.group(1) if token else "", **data}, timeout=30, **kwargs)


def sign_in(http, base: str, name: str) -> None:
    signed = _post_form(http, f"{base}/account/resident", {"name": name, "postcode": POSTCODE},
                        allow_redirects=False)
    if signed.status_code != 302:
        raise RuntimeError(f"sign-in {signed.status_code}")


def cast(voter: Voter, base: str, round_id: int, rng: random.Random) -> Voter:
    """The resident's journey over HTTP: sign in, open the ballot, continue, check, cast, receipt."""
    voter.started = time.monotonic()
    try:
        sign_in(voter.http, base, voter.name)
        page = voter.http.get(f"{base}/vote/{round_id}", timeout=30)
        if page.status_code != 200:
            raise RuntimeError(f"ballot page {page.status_code}")
        ids = sorted(set(re.findall(r'name="project"[^>]*value="([^"]+)"', page.text)))
        picks = rng.sample(ids, rng.randint(1, min(3, len(ids))))
        while True:  # a ballot over the budget is refused (400): drop a choice, as a resident would
            voter.choices = sorted(picks)
            token = CSRF.search(page.text).group(1)
            check = voter.http.post(f"{base}/vote/{round_id}", data={
                "csrf_token": token, "project": voter.choices, "action": "continue"}, timeout=30)
            if check.status_code != 400 or len(picks) == 1:
                break
            page, picks = check, picks[:-1]
        if check.status_code != 200:
            raise RuntimeError(f"check page {check.status_code}")
        token = CSRF.search(check.text).group(1)
        done = voter.http.post(f"{base}/vote/{round_id}/cast", data={
            "csrf_token": token, "project": voter.choices}, allow_redirects=False, timeout=30)
        if done.status_code != 303:
            raise RuntimeError(f"cast {done.status_code}")
        receipt = voter.http.get(base + done.headers["Location"], timeout=30).text
        voter.receipt = re.search(r'class="pb-receipt">([A-Z2-7-]+)<', receipt).group(1)
    except Exception as err:  # noqa: BLE001 (reported as a failed check)
        voter.error = str(err)
    voter.finished = time.monotonic()
    return voter


class Voting:
    """Residents casting continuously from `clients` threads until stopped."""

    def __init__(self, base: str, round_id: int, clients: int, prefix: str):
        self.base, self.round_id, self.prefix = base, round_id, prefix
        self.voters: list[Voter] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(clients)
        self.futures = [self.pool.submit(self._run, n) for n in range(clients)]

    def _run(self, client: int) -> None:
        rng = random.Random(client)
        n = 0
        while not self.stopping.is_set():
            n += 1
            voter = cast(Voter(f"{self.prefix} {client}-{n}"), self.base, self.round_id, rng)
            with self.lock:
                self.voters.append(voter)

    def done(self, after: float = 0.0) -> int:
        with self.lock:
            return sum(1 for v in self.voters if v.receipt and v.started > after)

    def wait_for(self, n: int, after: float = 0.0, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while self.done(after) < n:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {self.done(after)} casts in {timeout} s")
            time.sleep(0.05)

    def stop(self) -> list[Voter]:
        self.stopping.set()
        for future in self.futures:
            future.result()
        self.pool.shutdown()
        return list(self.voters)


# -- the database, read directly for the checks ---------------------------------------------

def query(url: str, sql: str, *params):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def scalar(url: str, sql: str, *params):
    return query(url, sql, *params)[0][0]


def london_today() -> date:
    return datetime.now(ZoneInfo("Europe/London")).date()


def move_to(url: str, round_id: int, phase: str) -> None:
    """Time passing: the round's phase dates as if `phase` began today. The app moves no date
    into the past (nothing reopens voting), so the drill sets them as the calendar would."""
    today = london_today()
    days = {f"{p}_from": today + timedelta(days=d) for p, d in zip(PHASES, OFFSETS[phase], strict=True)}
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE rounds SET " + ", ".join(f"{col} = %s" for col in days) + " WHERE id = %s",
                     (*days.values(), round_id))


def reconcile(url: str) -> list[tuple[int, int, int]]:
    """Per round: (round, roll entries, ballots sealed + mixed, not paper)."""
    return query(url, """
        SELECT r.id,
               (SELECT count(*) FROM roll_entries e WHERE e.round_id = r.id),
               (SELECT count(*) FROM sealed_ballots s JOIN headings h ON h.id = s.heading_id
                 WHERE h.round_id = r.id)
             + (SELECT count(*) FROM ballots b JOIN headings h ON h.id = b.heading_id
                 WHERE h.round_id = r.id AND b.channel <> 'paper')
        FROM rounds r ORDER BY r.id""")


def on_roll(url: str, round_id: int, names: list[str]) -> set[str]:
    rows = query(url, """SELECT p.name FROM roll_entries e JOIN people p ON p.id = e.person_id
                         WHERE e.round_id = %s AND p.name = ANY(%s)""", round_id, names)
    return {name for (name,) in rows}


# -- the drill --------------------------------------------------------------------------------

class Drill:
    def __init__(self, args):
        self.args = args
        self.checks: list[dict] = []
        self.timings: list[tuple[str, float, float]] = []
        self.clusters: list[Cluster] = []
        self.servers: list[Server] = []
        self.stopped: list[Server] = []
        self.workdir = Path(tempfile.mkdtemp(prefix="wb-drill-"))
        self.secrets = {"SECRET_KEY": secrets.token_hex(32), "BALLOT_SEAL_KEY": secrets.token_hex(32)}

    # bookkeeping
    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append({"check": name, "ok": bool(ok), "detail": detail})
        print(f"  [{'pass' if ok else 'FAIL'}] {name}" + (f": {detail}" if detail else ""), flush=True)
        return bool(ok)

    def timed(self, label: str, fn, *args, **kwargs):
        wall, cpu = time.perf_counter(), _cpu()
        try:
            return fn(*args, **kwargs)
        finally:
            self.timings.append((label, time.perf_counter() - wall, _cpu() - cpu))

    def cluster(self, name: str) -> Cluster:
        cluster = Cluster(name)
        self.clusters.append(cluster)
        self.timed(f"initdb + start cluster {name}", cluster.start)
        return cluster

    def server(self, env: dict) -> Server:
        server = self.timed("start gunicorn (2 workers)", Server, env, self.workdir)
        self.servers.append(server)
        return server

    def stop_server(self, server: Server) -> None:
        server.stop()
        self.servers.remove(server)
        self.stopped.append(server)

    def cleanup(self) -> None:
        for server in list(self.servers):
            self.stop_server(server)
        for cluster in self.clusters:
            cluster.stop()
        if not self.args.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def dump(self, url: str, path: Path) -> None:
        subprocess.run([pg_bin() / "pg_dump", "-Fc", "-f", path, url], check=True, capture_output=True)

    def restore(self, cluster: Cluster, name: str, path: Path) -> str:
        url = cluster.createdb(name)
        subprocess.run([pg_bin() / "pg_restore", "--no-owner", "--exit-on-error", "-d", url, path],
                       check=True, capture_output=True)
        return url

    # the run
    def run(self) -> None:
        a = self.cluster("A")
        url_a = a.createdb("wardbudgets")
        env_a = app_env(url_a, self.secrets)
        self.timed("flask db upgrade (real migrations)", flask, env_a, "db", "upgrade")
        start = (time.perf_counter(), _cpu())
        if self.args.quick:  # the census and one round open for voting, in one process
            subprocess.run([sys.executable, "-c", QUICK_SEED, ROUND_TITLE], cwd=ROOT, env=env_a, check=True,
                           capture_output=True)
            self.timings.append(("census + one round open for voting (--quick)", *_since(start)))
        else:
            self.timed("flask pb load-census", flask, env_a, "pb", "load-census")
            self.timed("flask pb seed-demo", flask, env_a, "pb", "seed-demo")
        round_id, heading_id, rule = query(url_a, """SELECT r.id, h.id, r.rule FROM rounds r
            JOIN headings h ON h.round_id = r.id WHERE r.title = %s""", ROUND_TITLE)[0]
        seeded = scalar(url_a, "SELECT count(*) FROM roll_entries WHERE round_id = %s", round_id)
        server_a = self.server(env_a)

        print(f"== mid-voting dump: round {round_id} ({seeded} demo ballots sealed), "
              f"{self.args.clients} clients casting over HTTP", flush=True)
        voting = Voting(server_a.base, round_id, self.args.clients, "Drill voter")
        t = time.perf_counter()
        voting.wait_for(self.args.before)
        head_before = requests.get(server_a.base + "/data", timeout=30).headers["X-Audit-Head"]
        dump_1 = self.workdir / "during-voting.dump"
        dump_started = time.monotonic()
        self.timed("pg_dump -Fc while residents cast", self.dump, url_a, dump_1)
        dump_ended = time.monotonic()
        voting.wait_for(self.args.after, after=dump_ended)
        voters = voting.stop()
        cast_wall = time.perf_counter() - t
        good = [v for v in voters if v.receipt]
        self.timings.append((f"{len(good)} casts over HTTP (whole voting phase)", cast_wall, float("nan")))
        self.check("every cast on the original succeeded", len(good) == len(voters),
                   f"{len(good)} of {len(voters)}" + "".join(f"; {v.name}: {v.error}" for v in voters if v.error)[:300])
        before = [v for v in good if v.finished < dump_started]
        during = [v for v in good if v.finished >= dump_started and v.started <= dump_ended]
        after = [v for v in good if v.started > dump_ended]
        dump_s = dump_ended - dump_started
        print(f"   {len(before)} cast before the dump, {len(during)} overlapped it ({dump_s:.2f} s), "
              f"{len(after)} after; dump {dump_1.stat().st_size // 1024} KiB", flush=True)
        self.check("voting went on while pg_dump ran", len(during) > 0,
                   f"{len(during)} casts overlapped the {dump_s:.2f} s dump")

        b = self.cluster("B")
        url_b = self.timed("pg_restore into fresh cluster B", self.restore, b, "restored_voting", dump_1)
        env_b = app_env(url_b, self.secrets)
        self.check_mid_voting(url_b, env_b, round_id, heading_id, seeded, head_before, before, during, after)

        print("== post-publication dump", flush=True)
        # on the original: voting closes, the round is counted and published
        move_to(url_a, round_id, "counting")
        counted = self.timed("flask pb count (mix + count) on A", flask, env_a, "pb", "count", str(round_id))
        move_to(url_a, round_id, "results")
        base_files = f"/rounds/{round_id}/wards/{heading_id}"
        published = {name: requests.get(f"{server_a.base}{base_files}/{name}", timeout=30)
                     for name in ("results.json", "ballots.pb", "receipts.txt")}
        self.check("the round's results are published on A",
                   all(r.status_code == 200 for r in published.values()), counted.stdout.strip()[:200])
        result = published["results.json"].json()
        head_published = requests.get(server_a.base + "/data", timeout=30).headers["X-Audit-Head"]
        dump_2 = self.workdir / "published.dump"
        self.timed("pg_dump -Fc after publication", self.dump, url_a, dump_2)
        self.stop_server(server_a)
        url_c = self.timed("pg_restore into cluster B (new database)", self.restore, b, "restored_published", dump_2)
        env_c = app_env(url_c, self.secrets)
        self.check_published(url_c, env_c, round_id, heading_id, rule, published, server_a.base, result,
                             head_published, good)

    def check_mid_voting(self, url, env, round_id, heading_id, seeded, head, before, during, after):
        done = self.timed("flask pb audit verify --head (restored, mid-voting)", flask, env,
                          "pb", "audit", "verify", "--head", head, check=False)
        self.check("audit chain verifies with the head kept at dump time", done.returncode == 0,
                   f"{head[:20]}…: {done.stdout.strip()[:120]}")
        rows = reconcile(url)
        self.check("every round: roll entries == sealed + mixed ballots", all(r == s for _, r, s in rows),
                   "; ".join(f"round {i}: {r} roll / {s} ballots" for i, r, s in rows))
        names = [v.name for v in before + during + after]
        present = on_roll(url, round_id, names)
        roll = scalar(url, "SELECT count(*) FROM roll_entries WHERE round_id = %s", round_id)
        sealed = scalar(url, "SELECT count(*) FROM sealed_ballots WHERE heading_id = %s", heading_id)
        self.check("every resident who cast before the dump is on the restored roll",
                   all(v.name in present for v in before), f"{sum(v.name in present for v in before)} of {len(before)}")
        self.check("no resident who cast after the dump is on it",
                   not any(v.name in present for v in after), f"{sum(v.name in present for v in after)} of {len(after)}")
        in_dump = [v for v in during if v.name in present]
        self.check("restored roll == demo + before + the overlapping casts the snapshot caught",
                   roll == sealed == seeded + len(before) + len(in_dump),
                   f"{roll} roll, {sealed} sealed = {seeded} + {len(before)} + {len(in_dump)} of {len(during)}")

        server = self.server(env)
        try:
            # a resident whose cast was lost signs in again and votes; one whose cast was kept cannot
            if after:
                lost = after[0]
                again = cast(Voter(lost.name), server.base, round_id, random.Random(7))
                self.check("a resident whose cast was lost can vote again on the restored copy",
                           again.receipt is not None and again.receipt != lost.receipt, again.error or "new receipt")
                present.add(lost.name)  # their ballot on the restored copy is the new one
                after = [again if v is lost else v for v in after]
            kept = Voter(before[0].name)
            sign_in(kept.http, server.base, kept.name)
            refused = kept.http.get(f"{server.base}/vote/{round_id}", timeout=30)
            self.check("a resident whose cast was kept cannot vote twice", refused.status_code == 409,
                       f"ballot page {refused.status_code}")
            self.check_lost_sessions(server.base, url, [lost, *after[1:]] if after else after)
        finally:
            self.stop_server(server)

        move_to(url, round_id, "counting")
        wrong = app_env(url, {**self.secrets, "BALLOT_SEAL_KEY": secrets.token_hex(32)})
        mixed = flask(wrong, "pb", "mix", check=False)
        still = scalar(url, "SELECT count(*) FROM sealed_ballots WHERE heading_id = %s", heading_id)
        self.check("without the right BALLOT_SEAL_KEY nothing is mixed", mixed.returncode != 0 and still == sealed + bool(after),
                   f"exit {mixed.returncode}, {still} still sealed")
        counted = self.timed("flask pb count (mix + count) on the restored copy", flask, env,
                             "pb", "count", str(round_id), check=False)
        counted_n = scalar(url, "SELECT ballots_counted FROM results WHERE heading_id = %s", heading_id) \
            if counted.returncode == 0 else None
        self.check("closing, mixing and counting the restored copy counts exactly its roll",
                   counted_n == roll + bool(after), f"{counted_n} counted, roll {roll + bool(after)}")
        ballots = dict(query(url, "SELECT receipt_hash, choices FROM ballots WHERE heading_id = %s", heading_id))
        wrong_ = [v.name for v in before + during + after
                  if (v.receipt_hash in ballots) != (v.name in present)
                  or (v.name in present and json.loads(ballots[v.receipt_hash]) != v.choices)]
        self.check("each receipt finds its own choices iff its resident is on the restored roll", not wrong_,
                   f"{len(wrong_)} mismatches" + (f" ({', '.join(wrong_[:3])})" if wrong_ else ""))

    def check_lost_sessions(self, base, url, after):
        """Residents who signed in after the dump keep their browsers' cookies ("<person
        id>:<session version>", signed with the unchanged SECRET_KEY). After the restore
        those person ids are free again and go to the next new residents. An old cookie
        must not sign its holder in as someone else."""
        if not after:
            return
        for n in range(len(after)):  # newcomers take the ids the lost timeline had used
            sign_in(requests.Session(), base, f"Drill newcomer {n}")
        leaked = []
        for voter in after[1:]:  # after[0] signed in again above, under their own name
            page = voter.http.get(f"{base}/account/", timeout=30, allow_redirects=False)
            # their person is not in the restored copy: any account page at all is someone
            # else's (judged by the status, not by finding a name in the page's markup, which
            # would pass unseen if the markup changed)
            if page.status_code != 302:
                shown = re.search(r'summary-list__value">([^<]+)<', page.text)
                leaked.append(f"{voter.name} -> {page.status_code} "
                              f"{shown.group(1).strip() if shown else '(no name found)'}")
        self.check("a cookie from after the dump never signs in as whoever reuses its person id",
                   not leaked, f"{len(leaked)} of {len(after) - 1} old cookies open another resident's "
                   "account" + (f" ({leaked[0]})" if leaked else ""))

    def check_published(self, url, env, round_id, heading_id, rule, published, published_base, result,
                        head, voters):
        server = self.server(env)
        try:
            base_files = f"/rounds/{round_id}/wards/{heading_id}"
            restored = {name: requests.get(f"{server.base}{base_files}/{name}", timeout=30)
                        for name in published}
            for name, response in restored.items():
                (self.workdir / f"published-{name}").write_bytes(published[name].content)
                (self.workdir / f"restored-{name}").write_bytes(response.content)
                # links in results.json name the server they came from: the same site in production
                same = response.content.replace(server.base.encode(), b"SITE") == \
                    published[name].content.replace(published_base.encode(), b"SITE")
                self.check(f"{name} from the restored copy is byte for byte the published one",
                           response.status_code == 200 and same,
                           f"{len(response.content)} bytes, sha256 {hashlib.sha256(response.content).hexdigest()[:16]}…")
        finally:
            self.stop_server(server)
        pb_file = self.workdir / "ballots.pb"
        pb_file.write_bytes(restored["ballots.pb"].content)
        self.check("ballots.pb's sha256 is the published fingerprint",
                   hashlib.sha256(pb_file.read_bytes()).hexdigest() == result["ballots_file"]["sha256"])
        recount = self.timed("python -m pb.tally (recount of the restored file)", subprocess.run,
                             [sys.executable, "-m", "pb.tally", pb_file, "--rule", rule, "--json"],
                             cwd=ROOT, capture_output=True, text=True)
        selected = json.loads(recount.stdout)["selected"] if recount.returncode == 0 else None
        self.check("a recount of the restored ballots selects the published projects",
                   selected == result["selected"], f"{selected} vs {result['selected']}")
        rewritten = subprocess.run([sys.executable, "-c", REWRITE, str(heading_id)], cwd=ROOT, env=env,
                                   capture_output=True, text=True)
        self.check("the restored ballots table, written out again, is the published file",
                   rewritten.returncode == 0 and rewritten.stdout.strip() == result["ballots_file"]["sha256"],
                   (rewritten.stdout.strip() or rewritten.stderr.strip()[-200:])[:70])
        receipts = set(restored["receipts.txt"].text.split())
        self.check("every drill voter's receipt is in the restored receipts.txt",
                   all(v.receipt_hash in receipts for v in voters), f"{len(voters)} receipts, {len(receipts)} listed")
        done = flask(env, "pb", "audit", "verify", "--head", head, check=False)
        self.check("audit chain verifies with the head kept at publication", done.returncode == 0,
                   done.stdout.strip()[:120])
        stamp = f"{result['audit_head']['seq']}:{result['audit_head']['hash']}"
        done = flask(env, "pb", "audit", "verify", "--head", stamp, check=False)
        self.check("...and with the count entry's head in results.json", done.returncode == 0, stamp[:24] + "…")
        again = flask(env, "pb", "count", str(round_id), check=False)
        self.check("the count refuses to run again on the restored, published round", again.returncode != 0,
                   (again.stderr.strip() or again.stdout.strip())[-100:])

    def report(self) -> bool:
        load = os.getloadavg()
        print(f"\n== timings (load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; CPU = this "
              "process and the commands it waited for)")
        print(f"  {'step':58} {'wall s':>8} {'CPU s':>8}")
        for label, wall, cpu in self.timings:
            print(f"  {label:58} {wall:8.2f} {cpu:8.2f}")
        failed = [c for c in self.checks if not c["ok"]]
        print(f"\n== checks: {len(self.checks) - len(failed)} passed, {len(failed)} failed")
        print(f"  {'':4} {'check':84}")
        for c in self.checks:
            print(f"  {'pass' if c['ok'] else 'FAIL':4} {c['check']}")
        if self.args.json:
            Path(self.args.json).write_text(json.dumps({
                "checks": self.checks, "timings": [{"step": s, "wall": w, "cpu": c} for s, w, c in self.timings],
                "load": load, "clusters": [str(c.dir) for c in self.clusters],
                "servers": [s.proc.pid for s in self.stopped]}, indent=1, default=str))
        return not failed and bool(self.checks)


# Run in the app (the restored copy's environment): the count's own export of the ballots table.
REWRITE = """
import hashlib, io, sys
from pb import create_app
from pb.models import Heading, db
from pb import tally
from pb.services.counting import election_for
app = create_app()
with app.app_context():
    heading = db.session.get(Heading, int(sys.argv[1]))
    election = election_for(heading)
    buffer = io.StringIO()
    tally.write_pabulib(election, buffer, outcome=tally.count(election, rule=heading.round.rule))
    print(hashlib.sha256(buffer.getvalue().encode("utf-8")).hexdigest())
"""


# --quick: instead of the whole demo (accounts for every ward's councillors, four rounds,
# plans, translations), the census and one round open for voting, made by the services.
QUICK_SEED = """
import sys
from datetime import timedelta
from pb import create_app
from pb.models import Person, Proposal, RoleGrant, Ward, db
from pb.services.census import load_census
from pb.services.rounds import create_round, today
app = create_app()
with app.app_context():
    load_census()
    officer = Person(name="Drill Officer", email="drill.officer@example.org")
    officer.roles.append(RoleGrant(role="officer"))
    db.session.add(officer)
    db.session.commit()
    ward = db.session.query(Ward).filter_by(slug="stockwell-east").one()
    offsets = [-20, -10, -1, 10, 12, 30]
    phases = ("proposals", "review", "voting", "counting", "results", "delivery")
    round_ = create_round(officer, title=sys.argv[1], description="Backup drill", ballot_type="approval",
                          rule="greedy", headings=[(ward, 30_000)], max_choices=3,
                          dates={p: today() + timedelta(days=d) for p, d in zip(phases, offsets)})
    round_.status = "published"  # as time would have it: publishing refuses dates in the past
    for n, cost in enumerate([12_000, 9_000, 7_500, 6_000, 4_000], start=1):
        db.session.add(Proposal(heading=round_.headings[0], title=f"Project {n}", summary="Drill",
                                description="Drill.", category="parks", rough_cost=cost, final_cost=cost,
                                status="accepted", feasibility_reason="Checked."))
    db.session.commit()
"""


def _since(start: tuple[float, float]) -> tuple[float, float]:
    return time.perf_counter() - start[0], _cpu() - start[1]


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=int, default=30, help="casts before the dump starts")
    parser.add_argument("--after", type=int, default=15, help="casts started after the dump ended")
    parser.add_argument("--clients", type=int, default=4, help="residents casting at once")
    parser.add_argument("--quick", action="store_true", help="the census and one round instead of the "
                        "whole demo (for the test)")
    parser.add_argument("--json", help="write the checks and timings to this file")
    parser.add_argument("--keep", action="store_true", help="keep the dumps and server logs (path printed)")
    args = parser.parse_args(argv)
    drill = Drill(args)

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    started = time.perf_counter()
    try:
        drill.run()
    except Exception as err:  # noqa: BLE001 (a drill that cannot finish has failed)
        drill.check("the drill ran to the end", False, f"{type(err).__name__}: {err}"[:400])
    finally:
        drill.cleanup()
    ok = drill.report()
    print(f"\n{'PASSED' if ok else 'FAILED'} in {time.perf_counter() - started:.1f} s"
          + (f"; dumps and logs kept in {drill.workdir}" if args.keep else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""How many requests a second each main page serves, as a share of a trivial route in the same run.

    .venv/bin/python benchmarks/throughput.py [--tree DIR] [--reference DIR]
        [--databases sqlite,postgresql] [--seconds 5] [--connections 8] [--runs 3]

For each database: a fresh demo database (migrations, census, demo rounds), gunicorn with 2
workers serving the app from ``--tree`` (default: this checkout), then a keep-alive HTTP load
loop (``--connections`` threads) on each page for ``--seconds``. The trivial route is
``/healthz`` (one ``SELECT 1``). Each page's rate is divided by the trivial route's rate in
the same run, which is what to compare between machines; the median of ``--runs`` runs is
printed. With ``--reference DIR`` (an export of an older commit, with its built static files
and compiled translations) that tree is served too, on its own fresh database, and measured
in the same run, page by page in turn with this one, so both see the same machine load.

Beside the rates, the gunicorn workers' CPU time per request (from /proc) is printed, and
the ratio of /healthz's to each page's: on a machine shared with other work, that ratio moves
much less than the rates do (it is what a server with the CPU to itself would reach, less the
load generator's share). The load average is printed before and after. Target: every page's
rate ratio ≥ 0.30. This is not a test and nothing here asserts a rate.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = "postgresql+psycopg://postgres@127.0.0.1:55432/"
TARGET = 0.30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(db_url: str, tree: Path) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=db_url, SECRET_KEY="benchmark-secret-key-benchmark-secret-key",
               PB_DEMO_PASSWORD="benchmark-password", RATELIMIT_ENABLED="0", PYTHONPATH=str(tree))
    return env


def fresh_database(kind: str, tree: Path, name: str) -> str:
    """A new demo database: migrations, census, demo accounts and rounds. Returns its URL."""
    if kind == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp(prefix='pb-bench-')}/bench.db"
    else:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-p", "55432", "-U", "postgres", "--if-exists", name],
                       check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", "55432", "-U", "postgres", name], check=True)
        url = PG + name
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for command in (["db", "upgrade"], ["pb", "load-census"], ["pb", "seed-demo"]):
        subprocess.run(flask + command, cwd=tree, env=app_env(url, tree), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return url


class Server:
    """gunicorn with 2 workers serving the app from a tree, on a free port."""

    def __init__(self, tree: Path, db_url: str, workers: int = 2):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--chdir", str(tree),
             "--log-level", "warning", "app:app"],
            cwd=tree, env=app_env(db_url, tree))
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def workers_cpu(self) -> float:
        """CPU seconds (user + system) used so far by the gunicorn workers."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # a worker of this master
                total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def get(base: str, path: str, cookie: str = "") -> tuple[int, str, dict]:
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    return response.status, response.read().decode("utf-8", "replace"), dict(response.getheaders())


def resident_cookie(base: str, postcode: str = "SW9 0AA") -> str:
    """Sign a resident in through the form and return the session cookie header."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("GET", "/account/resident")
    response = conn.getresponse()
    body = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "name": "Benchmark Resident", "postcode": postcode})
    conn.request("POST", "/account/resident", body=form, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    return response.getheader("Set-Cookie", cookie).split(";")[0] or cookie


def main_pages(base: str) -> tuple[dict[str, str], str]:
    """The main pages of the demo data: {name: path}, and a resident's session cookie."""
    _, body, _ = get(base, "/rounds/")
    pages = {"home": "/", "rounds": "/rounds/", "ward": "/wards/stockwell-east"}
    round_ids = sorted(set(re.findall(r'href="/rounds/(\d+)"', body)), key=int)
    for rid in round_ids:
        _, show, _ = get(base, f"/rounds/{rid}")
        results = re.search(r'href="(/rounds/\d+/wards/\d+/results)"', show)
        if results and "results" not in pages:
            pages["round"] = f"/rounds/{rid}"
            pages["results"] = results.group(1)
    cookie = resident_cookie(base)
    for rid in round_ids:
        status, _, _ = get(base, f"/vote/{rid}", cookie)
        if status == 200:
            pages["ballot"] = f"/vote/{rid}"
            break
    return pages, cookie


def load(base: str, path: str, seconds: float, connections: int, cookie: str = "") -> tuple[float, int]:
    """Requests per second on one path, keep-alive connections in threads, and how many."""
    url = urllib.parse.urlsplit(base)
    stop = time.perf_counter() + seconds
    counts = [0] * connections
    errors = []

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        headers = {"Cookie": cookie, "Accept-Encoding": "gzip, br"} if cookie else {"Accept-Encoding": "gzip, br"}
        while time.perf_counter() < stop:
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(response.status)
                counts[i] += 1
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{path}: status {errors[0]}")
    return sum(counts) / (time.perf_counter() - start), sum(counts)


def measured(server: Server, path: str, seconds: float, connections: int, cookie: str = "") -> tuple[float, float]:
    """(requests a second, worker CPU milliseconds a request) on one path."""
    cpu = server.workers_cpu()
    rate, count = load(server.base, path, seconds, connections, cookie)
    return rate, 1000 * (server.workers_cpu() - cpu) / max(count, 1)


def measure(trees: dict[str, Path], kind: str, seconds: float, connections: int, runs: int) -> dict:
    """{tree label: {page: [(rate ratio, CPU ratio, page CPU ms), ...]}}, the trees measured in
    turn page by page."""
    servers, pages = {}, {}
    try:
        for label, tree in trees.items():
            url = fresh_database(kind, tree, f"pb_bench_throughput_{label}")
            servers[label] = Server(tree, url)
            pages[label] = main_pages(servers[label].base)
        found: dict = {label: {name: [] for name in pages[label][0]} for label in trees}
        for _ in range(runs):
            for name in pages[next(iter(trees))][0]:
                for label, server in servers.items():
                    paths, cookie = pages[label]
                    if name not in paths:
                        continue
                    load(server.base, paths[name], 1, connections, cookie)  # warm up
                    trivial, trivial_cpu = measured(server, "/healthz", seconds, connections)
                    rate, cpu = measured(server, paths[name], seconds, connections, cookie)
                    found[label][name].append((rate / trivial, trivial_cpu / cpu if cpu else 0.0, cpu))
        return found
    finally:
        for server in servers.values():
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--reference", type=Path, help="an older tree, measured in the same run")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    trees = {"after": args.tree.resolve()}
    if args.reference:
        trees["before"] = args.reference.resolve()
    load_before = os.getloadavg()
    cpu_start = time.process_time()
    results = {kind: measure(trees, kind, args.seconds, args.connections, args.runs)
               for kind in args.databases.split(",")}
    load_after = os.getloadavg()
    kinds = list(results)
    names = list(results[kinds[0]]["after"])

    def cell(kind: str, name: str, index: int, digits: int = 2) -> str:
        values = {label: [r[index] for r in results[kind][label].get(name, [])] for label in trees}
        text = f"{statistics.median(values['after']):.{digits}f}" if values["after"] else "–"
        if "before" in values and values["before"]:
            text += f" ({statistics.median(values['before']):.{digits}f})"
        return text

    title = f"tree {args.tree}" + (f", before: {args.reference} (in brackets)" if args.reference else "")
    print(f"\nPage throughput ÷ /healthz, same run (median of {args.runs}), {title}")
    print("| page | " + " | ".join(kinds) + " | target |")
    print("|---|" + "---:|" * len(kinds) + "---|")
    for name in names:
        print(f"| {name} | " + " | ".join(cell(k, name, 0) for k in kinds) + f" | ≥ {TARGET:.2f} |")
    print("\nServer CPU a request: /healthz's ÷ the page's (and the page's in ms), gunicorn workers from /proc")
    print("| page | " + " | ".join(f"{k} ratio | {k} ms" for k in kinds) + " |")
    print("|---|" + "---:|---:|" * len(kinds))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{cell(k, name, 1)} | {cell(k, name, 2, 1)}" for k in kinds) + " |")
    print(f"\nload average (1, 5, 15 min) before: {load_before[0]:.1f} {load_before[1]:.1f} {load_before[2]:.1f}, "
          f"after: {load_after[0]:.1f} {load_after[1]:.1f} {load_after[2]:.1f}; "
          f"load generator CPU {time.process_time() - cpu_start:.1f} s")


if __name__ == "__main__":
    main()

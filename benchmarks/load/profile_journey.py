"""Where a resident's journey spends its CPU: the web journey of the load scenario run
in-process (Flask's test client, no network) N times against DATABASE_URL, with each step's
CPU time (time.process_time) and wall time, and cProfile's top functions for one step.

    DATABASE_URL=postgresql+psycopg://... python benchmarks/load/profile_journey.py [N] [STEP]

The database is set up as run.sh does (migrations, census, seed.py's round); SMS go to the
development outbox, which the journey reads its codes from.
"""

import cProfile
import io
import os
import pstats
import re
import sys
import tempfile
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("PB_DEMO_PASSWORD", "load-test-password")
os.environ["SMS_ADAPTER"] = "outbox"

from sqlalchemy import select  # noqa: E402

from app import app  # noqa: E402
from pb.models import OutboxMessage, db  # noqa: E402

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def main(n: int, profiled: str | None) -> None:
    import json
    import subprocess

    state_path = os.path.join(tempfile.mkdtemp(), "state.json")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for args in (["db", "upgrade"], ["pb", "load-census"]):
        subprocess.run([os.path.join(root, ".venv/bin/flask"), "--app", "app", *args], cwd=root, check=True,
                       capture_output=True)
    subprocess.run([sys.executable, os.path.join(root, "benchmarks/load/seed.py"), state_path], check=True)
    state = json.load(open(state_path))
    round_id, projects = state["round_id"], [p for p, _ in state["projects"][:2]]
    cpu, wall = defaultdict(float), defaultdict(float)
    profiler = cProfile.Profile()

    def step(name, call, *args, **kwargs):
        if name == profiled:
            profiler.enable()
        c, w = time.process_time(), time.perf_counter()
        response = call(*args, **kwargs)
        cpu[name] += time.process_time() - c
        wall[name] += time.perf_counter() - w
        if name == profiled:
            profiler.disable()
        return response

    for i in range(n):
        client = app.test_client()
        number = f"+44790{os.getpid() % 1000:03d}{i:04d}"
        nxt = f"/vote/{round_id}"
        page = step("GET phone", client.get, f"/account/phone?next={nxt}")
        token = CSRF.search(page.text).group(1)
        step("POST phone", client.post, f"/account/phone?next={nxt}", data={"csrf_token": token, "number": number})
        with app.app_context():
            text = db.session.scalar(select(OutboxMessage.text).where(OutboxMessage.number == number)
                                     .order_by(OutboxMessage.id.desc()))
        code = re.search(r"\b(\d{6})\b", text).group(1)
        page = step("GET code", client.get, f"/account/phone/code?next={nxt}")
        step("POST code", client.post, f"/account/phone/code?next={nxt}", data={"csrf_token": token, "code": code})
        step("GET postcode", client.get, f"/account/phone/postcode?next={nxt}")
        step("POST postcode", client.post, f"/account/phone/postcode?next={nxt}",
             data={"csrf_token": token, "postcode": "SW9 0AA"})
        page = step("GET ballot", client.get, nxt)
        token = CSRF.search(page.text).group(1)
        step("POST update", client.post, nxt, data={"csrf_token": token, "project": projects, "action": "update"})
        step("POST confirm", client.post, nxt, data={"csrf_token": token, "project": projects})
        step("GET check", client.get, f"{nxt}/check")
        cast = step("POST cast", client.post, f"{nxt}/cast", data={"csrf_token": token, "project": projects})
        assert cast.status_code == 303, cast.status_code
        done = step("GET done", client.get, f"{nxt}/done")
        assert "pb-receipt" in done.text
    total_cpu = sum(cpu.values())
    print(f"{n} journeys: {1000 * total_cpu / n:.1f} ms CPU a journey, {1000 * sum(wall.values()) / n:.1f} ms wall")
    for name in cpu:
        print(f"  {name:14} {1000 * cpu[name] / n:7.1f} ms CPU {1000 * wall[name] / n:7.1f} ms wall")
    if profiled:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
        print(out.getvalue())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30, sys.argv[2] if len(sys.argv) > 2 else None)

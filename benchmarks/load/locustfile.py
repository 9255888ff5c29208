"""The load scenario: residents voting on the web and by text, and officers keying paper.

Started by run.sh, which sets LOAD_STATE (seed.py's JSON), LOAD_NOTIFY (the fake Notify),
LOAD_INBOUND_TOKEN, PB_DEMO_PASSWORD, LOAD_MODE (sustained, spike or soak), LOAD_RESULTS
(where this writes its counts) and the user counts (LOAD_WEB_USERS, LOAD_SMS_USERS,
LOAD_PACE seconds per ballot per user).

Proportions: 85% of ballots by web, 10% by text, 5% on paper (say 32,000 ballots: 27,200
web, 3,200 SMS, 1,600 paper, assisted voting by an officer being a web journey too).
Each simulated resident comes from their own address (X-Forwarded-For, trusted by the app
with PB_PROXIES=1, as behind the council's proxy) and has their own new mobile number, so
the per-address and per-number abuse limits count as they would for real residents.
"""

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
import uuid
from collections import Counter

import requests
import requests.adapters
from locust import HttpUser, between, constant, constant_pacing, events, task

STATE = json.load(open(os.environ["LOAD_STATE"]))
ROUND = STATE["round_id"]
NOTIFY = os.environ["LOAD_NOTIFY"]
TOKEN = os.environ["LOAD_INBOUND_TOKEN"]
MODE = os.environ.get("LOAD_MODE", "sustained")
PACE = float(os.environ.get("LOAD_PACE", "10"))
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CODE = re.compile(r"\b(\d{6})\b")

counts = Counter()  # outcomes the reconciliation compares with the database
numbers = itertools.count(1)
notify = requests.Session()
notify.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=200))


@events.request.add_listener
def _status(response=None, exception=None, request_type="", name="", **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    if status >= 500:
        counts["5xx"] += 1
        counts[f"5xx {request_type} {name}"] += 1
    elif status == 429:
        counts["429"] += 1
    if exception is not None and not status:
        counts["connection errors"] += 1


@events.quitting.add_listener
def _write(environment, **kwargs):
    stats = {}
    for (name, _method), entry in environment.stats.entries.items():
        stats[name] = {
            "requests": entry.num_requests, "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5), "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99), "max": entry.max_response_time,
            "rps": entry.total_rps}
    total = environment.stats.total
    result = {"counts": dict(counts), "stats": stats,
              "total": {"requests": total.num_requests, "failures": total.num_failures, "rps": total.total_rps,
                        "p95": total.get_response_time_percentile(0.95),
                        "p99": total.get_response_time_percentile(0.99)}}
    with open(os.environ["LOAD_RESULTS"], "w") as f:
        json.dump(result, f, indent=1)


def new_number() -> str:
    """A fresh UK mobile number, 077 and 8 digits (never the same twice in a run)."""
    return f"+4477{os.getpid() % 1000:03d}{next(numbers):05d}"


def address() -> str:
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def choices() -> list[str]:
    """Projects within the budget, shuffled: a few residents pick one, most two or three."""
    projects = STATE["projects"][:]
    random.shuffle(projects)
    chosen, spent = [], 0
    for project_id, cost in projects[:random.choice((1, 2, 2, 3))]:
        if spent + cost <= STATE["budget"]:
            chosen.append(project_id)
            spent += cost
    return chosen


def texts_to(number: str) -> list[str]:
    return notify.get(f"{NOTIFY}/_texts", params={"to": number}, timeout=10).json()


def csrf(response) -> str:
    found = CSRF.search(response.text)
    return found.group(1) if found else ""


class Resident(HttpUser):
    """The web journey: number, code (read from the phone, here the fake Notify), postcode
    (a first-time resident), the ballot, "Update total", continue to check your answers, cast,
    and the receipt."""

    weight = 85
    fixed_count = int(os.environ.get("LOAD_WEB_USERS", "0"))  # 0: by weight (the spike)
    wait_time = between(2, 6) if MODE == "spike" else constant_pacing(PACE)

    def think(self):
        if MODE == "spike":  # a person reading each page
            time.sleep(random.uniform(1, 4))

    def on_start(self):
        self.voted = False

    def page(self, method, url, name, expect=200, **kwargs):
        with self.client.request(method, url, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code} at {response.url}")
                raise _Stop
            response.success()
            return response

    @task
    def vote(self):
        if MODE == "spike" and self.voted:
            time.sleep(30)  # one ballot each; the crowd stays on the site
            return
        self.client.headers["X-Forwarded-For"] = address()
        self.client.cookies.clear()
        number = new_number()
        try:
            self._journey(number)
        except _Stop:
            counts["web journeys stopped"] += 1

    def _journey(self, number):
        next_ = f"/vote/{ROUND}"
        page = self.page("GET", f"/account/phone?next={next_}", "GET /account/phone")
        self.think()
        page = self.page("POST", f"/account/phone?next={next_}", "POST /account/phone (code sent)",
                         data={"csrf_token": csrf(page), "number": number})
        code = None
        for _ in range(20):
            found = [CODE.search(text) for text in texts_to(number)]
            code = next((m.group(1) for m in found if m), None)
            if code:
                break
            time.sleep(0.2)
        if code is None:
            counts["codes not received"] += 1
            raise _Stop
        self.think()
        page = self.page("POST", f"/account/phone/code?next={next_}", "POST /account/phone/code",
                         data={"csrf_token": csrf(page), "code": code})
        self.think()
        page = self.page("POST", f"/account/phone/postcode?next={next_}", "POST /account/phone/postcode",
                         data={"csrf_token": csrf(page), "postcode": STATE["postcode"]})
        if f"/vote/{ROUND}" not in page.url:
            counts["sign-ins not reaching the ballot"] += 1
            raise _Stop
        chosen = choices()
        self.think()
        page = self.page("POST", f"/vote/{ROUND}", "POST /vote/[id] (update total)",
                         data={"csrf_token": csrf(page), "project": chosen, "action": "update"})
        self.think()
        page = self.page("POST", f"/vote/{ROUND}", "POST /vote/[id] (confirm choices)",
                         data={"csrf_token": csrf(page), "project": chosen})
        if not page.url.endswith("/check"):
            counts["choices refused"] += 1
            raise _Stop
        self.think()
        counts["web casts tried"] += 1
        page = self.page("POST", f"/vote/{ROUND}/cast", "POST /vote/[id]/cast",
                         data={"csrf_token": csrf(page), "project": chosen})
        if 'class="pb-receipt"' not in page.text:
            counts["casts without receipt"] += 1
            raise _Stop
        counts["web casts"] += 1
        self.voted = True


class _Stop(Exception):
    pass


class TextingResident(HttpUser):
    """Voting by text: Notify's callback for each text the resident sends (VOTE, the
    postcode, the project numbers, YES); the replies go out through the fake Notify."""

    weight = 10
    fixed_count = int(os.environ.get("LOAD_SMS_USERS", "0"))
    wait_time = between(5, 20) if MODE == "spike" else constant_pacing(PACE)

    def on_start(self):
        self.voted = False
        self.client.headers["Authorization"] = f"Bearer {TOKEN}"

    def text(self, number, message, step):
        with self.client.post("/sms/notify/received", name=f"POST /sms/notify/received ({step})", catch_response=True,
                              json={"id": str(uuid.uuid4()), "source_number": number.lstrip("+"),
                                    "destination_number": "07860033333", "message": message,
                                    "date_received": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())}) as r:
            if r.status_code != 204:
                r.failure(f"{r.status_code}")
                raise _Stop
            r.success()
        if MODE == "spike":
            time.sleep(random.uniform(3, 10))  # typing the next text

    @task
    def conversation(self):
        if MODE == "spike" and self.voted:
            time.sleep(30)
            return
        self.client.headers["X-Forwarded-For"] = "192.0.2.10"  # Notify's address
        number = new_number()
        listing = {index + 1: project_id for index, (project_id, _cost) in enumerate(STATE["projects"])}
        chosen = set(choices())
        picks = [str(i) for i, project_id in listing.items() if project_id in chosen]
        try:
            self.text(number, "VOTE", "vote")
            self.text(number, STATE["postcode"], "postcode")
            self.text(number, " ".join(picks) or "4", "choices")
            counts["sms casts tried"] += 1
            self.text(number, "YES", "yes")
        except _Stop:
            counts["sms conversations stopped"] += 1
            return
        if any("receipt is" in text for text in texts_to(number)):
            counts["sms casts"] += 1
            self.voted = True
        else:
            counts["sms casts without receipt"] += 1


def totp(secret: str, step: int) -> str:
    import base64

    key = base64.b32decode(secret)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


DEMO_TOTP_SECRET = "WARDBUDGETSDEMOTOTPSECRETLAMBETH"  # pb.services.staff: every demo account outside production


class PaperKeyers(HttpUser):
    """Two officers at the count centre with boxes of papers: the first opens a batch of
    BOX papers, and each paper is keyed by both (the second, agreeing keying seals it as a
    ballot). When the run stops they finish the box in hand, so none is left unsettled."""

    weight = 5
    fixed_count = 1
    wait_time = constant_pacing(float(os.environ.get("LOAD_PAPER_PACE", "2")))
    BOX = 5

    def on_start(self):
        self.officers, self.batch_url, self.number = [], None, self.BOX
        for email in STATE["keyers"]:
            session = requests.Session()
            session.headers["X-Forwarded-For"] = "10.99.0.1"  # the council office
            page = session.get(f"{self.host}/account/sign-in", timeout=60)
            signed = session.post(f"{self.host}/account/sign-in", timeout=60, data={
                "csrf_token": csrf(page), "email": email, "password": os.environ["PB_DEMO_PASSWORD"]})
            done = session.post(signed.url, timeout=60, data={
                "csrf_token": csrf(signed), "code": totp(DEMO_TOTP_SECRET, int(time.time() // 30))})
            if "/account/sign-in" in done.url:
                counts["officer sign-ins refused"] += 1
                raise RuntimeError(f"{email} could not sign in: {done.status_code} {done.url}")
            self.officers.append(session)

    def timed(self, name, call):
        start = time.perf_counter()
        response = call()
        ok = response.status_code == 200
        self.environment.events.request.fire(
            request_type="POST", name=name, response_time=(time.perf_counter() - start) * 1000,
            response_length=len(response.content), response=response, context={},
            exception=None if ok else RuntimeError(f"{response.status_code} at {response.url}"))
        return response if ok else None

    def open_box(self):
        session, url = self.officers[0], f"{self.host}/assist/rounds/{ROUND}/paper"
        page = session.get(url, timeout=60)
        made = self.timed("POST /assist/rounds/[id]/paper (new batch)", lambda: session.post(url, timeout=60, data={
            "csrf_token": csrf(page), "heading": STATE["heading_id"], "label": f"Box {uuid.uuid4().hex[:8]}",
            "expected": self.BOX}))
        if made is None or "/paper/batches/" not in made.url:
            counts["batches not made"] += 1
            return False
        self.batch_url, self.number = made.url, 0
        return True

    def key_one(self) -> bool:
        if self.number >= self.BOX and not self.open_box():
            return False
        self.number += 1
        chosen = choices()
        for session in self.officers:
            page = session.get(self.batch_url, timeout=60)
            keyed = self.timed("POST /assist/paper/batches/[id] (key a paper)", lambda s=session, p=page: s.post(
                self.batch_url, timeout=60, data={"csrf_token": csrf(p), "number": self.number, "project": chosen}))
            if keyed is None or "keyed" not in keyed.text:
                counts["papers not keyed"] += 1
                return False
        counts["papers agreed"] += 1
        return True

    @task
    def key_a_paper(self):
        self.key_one()

    def on_stop(self):
        while self.batch_url and self.number < self.BOX and self.key_one():
            pass


if MODE == "spike":
    PaperKeyers.wait_time = constant(4)

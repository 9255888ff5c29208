"""What each main page costs a resident on a cheap phone: bytes, requests and time to usable.

    .venv/bin/python benchmarks/page_weight.py [--tree DIR] [--runs 3]

A fresh SQLite demo database and gunicorn (2 workers) serving the app from ``--tree``
(default: this checkout). Each page is opened in Chromium at 360 px, throttled through the
DevTools protocol to the slow-3G profile (400 ms latency, 400 kbit/s down and up, CPU ×4):
- first visit (empty cache): bytes over the wire (compressed sizes), requests, and time to
  usable (the navigation's load event: styles applied, scripts run);
- repeat visit (same browser, the page opened again): bytes and requests, and how many of
  them were for static files.
Beside them, a plain GOV.UK Frontend page (its whole stylesheet and script, as the design
system's own template would load them, served by Python's static file server) measured in
the same run. Medians of ``--runs``. Targets (ballot page): first ≤ 60 KB, repeat ≤ 10 KB
with no request for a static file, usable < 3 s.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import ROOT, Server, fresh_database, main_pages  # noqa: E402

CHROMIUM = "/usr/lib/chromium/chromium"
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8,
           "uploadThroughput": 400_000 / 8}

PLAIN_PAGE = """<!DOCTYPE html>
<html lang="en" class="govuk-template"><head><meta charset="utf-8">
<title>Plain GOV.UK Frontend page</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="govuk-frontend.min.css"></head>
<body class="govuk-template__body"><script>document.body.className += ' js-enabled govuk-frontend-supported';</script>
<a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">Skip to main content</a>
<div class="govuk-width-container"><main class="govuk-main-wrapper" id="main-content">
<h1 class="govuk-heading-xl">A plain page</h1><p class="govuk-body">One paragraph.</p>
<button type="submit" class="govuk-button" data-module="govuk-button">Continue</button>
</main></div>
<script type="module" src="govuk-frontend.min.js"></script>
<script type="module">import { initAll } from "./govuk-frontend.min.js"; initAll();</script>
</body></html>"""


def plain_site() -> tuple[str, http.server.ThreadingHTTPServer]:
    folder = Path(tempfile.mkdtemp(prefix="pb-plain-"))
    dist = ROOT / "node_modules/govuk-frontend/dist/govuk"
    (folder / "index.html").write_text(PLAIN_PAGE)
    for name in ("govuk-frontend.min.css", "govuk-frontend.min.js"):
        (folder / name).write_bytes((dist / name).read_bytes())
    shutil.copytree(dist / "assets", folder / "assets")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/index.html", server


def visit(page, cdp, url: str) -> dict:
    """Open url; bytes and requests as the network saw them, and the load event's time."""
    seen: dict[str, dict] = {}

    def sent(event):
        seen[event["requestId"]] = {"url": event["request"]["url"], "bytes": 0}

    def received(event):
        if event["requestId"] in seen:
            seen[event["requestId"]]["status"] = event["response"]["status"]
            seen[event["requestId"]]["cached"] = event["response"].get("fromDiskCache") or \
                event["response"].get("fromMemoryCache")

    def finished(event):
        if event["requestId"] in seen:
            seen[event["requestId"]]["bytes"] = event["encodedDataLength"]

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="load")
    usable = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000
    cdp.remove_listener("Network.requestWillBeSent", sent)
    cdp.remove_listener("Network.responseReceived", received)
    cdp.remove_listener("Network.loadingFinished", finished)
    # a response from the browser's cache moves no bytes (a 304 still moves its headers)
    wire = [r for r in seen.values() if not r.get("cached") and r["bytes"] > 0]
    if os.environ.get("PB_BENCH_DEBUG"):
        print(url, [(r["url"][-40:], r.get("status"), r["bytes"]) for r in wire], file=sys.stderr)
    statics = [r for r in wire if "/static/" in r["url"] or r["url"].endswith((".css", ".js"))]
    return {"bytes": sum(r["bytes"] for r in wire), "requests": len(wire),
            "static_requests": len(statics), "usable": usable}


def measure(browser, url: str, cookie: str | None, base: str | None) -> dict:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    if cookie:
        name, _, value = cookie.partition("=")
        context.add_cookies([{"name": name, "value": value, "url": base}])
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    first = visit(page, cdp, url)
    page.goto("about:blank")  # a new visit, not a reload (a reload revalidates everything)
    repeat = visit(page, cdp, url)
    context.close()
    return {"first": first, "repeat": repeat}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tree = args.tree.resolve()
    server = Server(tree, fresh_database("sqlite", tree, ""))
    plain_url, plain = plain_site()
    try:
        pages, cookie = main_pages(server.base)
        rows: dict[str, list[dict]] = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM)
            for _ in range(args.runs):
                # a fresh session each run: the ballot page needs a signed-in resident
                for name, path in pages.items():
                    rows.setdefault(name, []).append(
                        measure(browser, server.base + path, cookie, server.base))
                rows.setdefault("plain GOV.UK Frontend", []).append(measure(browser, plain_url, None, None))
            browser.close()
    finally:
        server.stop()
        plain.shutdown()

    def med(name, visit_, key):
        return statistics.median(r[visit_][key] for r in rows[name])

    print(f"\nPage weight at 360 px on slow 3G (400 ms, 400 kbit/s, CPU ×4), median of {args.runs}, tree {args.tree}")
    print("| page | first KB | first requests | usable s | repeat KB | repeat requests | static requests on repeat |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in rows:
        print(f"| {name} | {med(name, 'first', 'bytes') / 1000:.1f} | {med(name, 'first', 'requests'):.0f} "
              f"| {med(name, 'first', 'usable'):.2f} | {med(name, 'repeat', 'bytes') / 1000:.1f} "
              f"| {med(name, 'repeat', 'requests'):.0f} | {med(name, 'repeat', 'static_requests'):.0f} |")
    print("Targets (ballot page): first ≤ 60 KB; repeat ≤ 10 KB and 0 static requests; usable < 3 s.")


if __name__ == "__main__":
    main()

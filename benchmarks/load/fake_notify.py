"""A stand-in for GOV.UK Notify's SMS API, for the load run only (not part of the app).

The app's Notify adapter (pb.services.sms, SMS_ADAPTER=notify) is pointed here with
NOTIFY_BASE_URL. It accepts POST /v2/notifications/sms as Notify does (201 and a JSON body;
the JWT is not checked) and keeps the last few texts sent to each number, which the load
scenario reads back, as a resident reads their phone: GET /_texts?to=+447...

    python benchmarks/load/fake_notify.py --port 8025
"""

import argparse
import json
import threading
import uuid
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

KEEP = 8  # texts kept per number
texts: dict[str, deque] = defaultdict(lambda: deque(maxlen=KEEP))
lock = threading.Lock()
sent = {"count": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self, status: int, body: dict | list) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if urlparse(self.path).path != "/v2/notifications/sms":
            return self._answer(404, {"errors": [{"error": "NotFound"}]})
        number = body.get("phone_number", "")
        text = (body.get("personalisation") or {}).get("body", "")
        with lock:
            texts[number].append(text)
            sent["count"] += 1
        self._answer(201, {"id": str(uuid.uuid4()), "reference": None,
                           "content": {"body": text, "from_number": "GOVUK"},
                           "uri": "", "template": {"id": body.get("template_id"), "version": 1, "uri": ""}})

    def do_GET(self):  # noqa: N802
        url = urlparse(self.path)
        if url.path == "/_texts":
            number = parse_qs(url.query).get("to", [""])[0]
            with lock:
                return self._answer(200, list(texts.get(number, ())))
        if url.path == "/_stats":
            with lock:
                return self._answer(200, {"sent": sent["count"], "numbers": len(texts)})
        self._answer(404, {"errors": [{"error": "NotFound"}]})

    def log_message(self, *args):  # quiet
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()

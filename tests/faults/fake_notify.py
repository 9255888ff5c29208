"""A local stand-in for GOV.UK Notify's API that can fail on purpose: each POST takes the
next planned answer (a status, "slow" to answer 201 only after the client stopped waiting,
or "drop" to close the connection without answering); once the plan runs out, 201."""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeNotify(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.plan: list = []
        self.received: list[dict] = []  # every request that reached us
        self.accepted: list[dict] = []  # those we answered 201 (or accepted, then answered late)
        self.slow_seconds = 1.0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()
        self.thread.join()


class _Handler(BaseHTTPRequestHandler):
    server: FakeNotify

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            answer = self.server.plan.pop(0) if self.server.plan else 201
            self.server.received.append(body)
        if answer == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if answer == "slow 500":  # Notify is struggling: it refuses, but only after a while
            time.sleep(self.server.slow_seconds)
            answer = 500
        if answer == "slow":  # Notify takes it, but answers after the client gave up
            self.server.accepted.append(body)
            time.sleep(self.server.slow_seconds)
            answer = 201
        elif answer == 201:
            self.server.accepted.append(body)
        if answer == 201:
            reply = {"id": str(uuid.uuid4()), "reference": None, "content": {"body": "x"},
                     "uri": "https://api.notifications.service.gov.uk/v2/notifications/x",
                     "template": {"id": body["template_id"], "version": 1, "uri": "x"}}
        else:
            reply = {"status_code": answer, "errors": [{"error": "Error", "message": "Planned failure"}]}
        data = json.dumps(reply).encode()
        try:
            self.send_response(answer)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client stopped waiting
            pass

    def log_message(self, *args):
        pass

"""Where the abuse limits count: production warns when several processes would each count
alone (memory://), and a Redis that cannot be reached neither refuses nor breaks a page:
the counts fall back to each process's memory and the limits still hold."""

import logging
import socket

from pb import create_app


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once closed


def test_production_warns_when_limits_are_counted_in_memory(monkeypatch, caplog, tmp_path):
    monkeypatch.setenv("PB_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("BALLOT_SEAL_KEY", "ab" * 32)
    monkeypatch.setenv("PB_PUBLIC_URL", "https://wardbudgets.example")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/pb.db")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    with caplog.at_level(logging.WARNING):
        create_app()
    assert any("RATELIMIT_STORAGE_URI" in r.getMessage() for r in caplog.records)

    caplog.clear()
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", f"redis://127.0.0.1:{_closed_port()}")
    with caplog.at_level(logging.WARNING):
        create_app()
    assert not any("RATELIMIT_STORAGE_URI" in r.getMessage() for r in caplog.records)


def test_an_unreachable_redis_falls_back_to_memory_and_limits_still_hold(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/pb.db")
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{_closed_port()}",
                      "RATELIMIT_SMS_CODES_PER_IP": "2 per minute"})
    client = app.test_client()
    answers = [client.post("/account/phone", data={"number": "not a number"}).status_code for _ in range(3)]
    assert answers == [400, 400, 429]


def test_a_redis_that_takes_connections_but_never_answers_does_not_hold_pages(monkeypatch, tmp_path):
    """A hung Redis (overloaded, or a half-dead host that still completes the handshake) must
    not hold a worker: without socket timeouts redis-py waits forever, every limited page
    hangs until gunicorn kills the worker, and the fallback to memory never begins."""
    import time

    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(16)  # the kernel completes connections; nothing ever reads or answers
    try:
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/pb.db")
        app = create_app({"TESTING": True, "RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{hung.getsockname()[1]}",
                          "RATELIMIT_SMS_CODES_PER_IP": "2 per minute"})
        client = app.test_client()
        started = time.monotonic()
        answers = [client.post("/account/phone", data={"number": "not a number"}).status_code
                   for _ in range(3)]
        assert answers == [400, 400, 429]
        assert time.monotonic() - started < 10
    finally:
        hung.close()

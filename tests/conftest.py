"""Shared fixtures: one real database per test run (SQLite file, or PostgreSQL via
DATABASE_URL), built by the real migrations and loaded with the real census data."""

import os
import re
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import delete, text

from pb import create_app
from pb.extensions import db
from tests import second_factor

REFERENCE_TABLES = {"boroughs", "wards", "census_figures", "postcodes", "alembic_version"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(Path(tempfile.mkdtemp(prefix="wb-test-")) / "test.db")


@pytest.fixture(scope="session")
def app():
    from flask_migrate import upgrade

    from pb.services.census import load_census

    url = _database_url()
    os.environ["DATABASE_URL"] = url  # create_app reads it
    os.environ["DATABASE_POOL_SIZE"] = "60"  # room for the 50 concurrent casts
    application = create_app({"TESTING": True})
    second_factor.APPS.append(application)  # to compute staff sign-in codes in browser tests
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        load_census()
    yield application
    with application.app_context():
        db.session.remove()


@pytest.fixture(autouse=True)
def clean_database(request):
    """Each test starts with only the reference data (wards, census, postcodes)."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                db.session.execute(delete(table))
        db.session.commit()


@pytest.fixture(scope="session")
def live_server(app):
    """The app on a real HTTP server on 127.0.0.1 (browser and over-the-wire tests)."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


class FormClient:
    """The Flask test client, plus posting a form the way a browser does (with its CSRF token)."""

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        return getattr(self.client, name)

    def submit(self, url, data, follow_redirects=False, **kwargs):
        page = self.client.get(url)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
        if match:
            data = {"csrf_token": match.group(1), **data}
        return self.client.post(url, data=data, follow_redirects=follow_redirects, **kwargs)


@pytest.fixture
def client(app):
    return FormClient(app.test_client())


@pytest.fixture
def demo(app):
    """The demo accounts (password "test-password")."""
    from pb.services.demo import seed_demo

    with app.app_context():
        seed_demo("test-password")
    return {"officer": "officer@demo.lambeth.example", "admin": "admin@demo.lambeth.example",
            "panel": "panel@demo.lambeth.example",
            "councillor": "cllr.brixton-acre-lane.1@demo.lambeth.example"}


@pytest.fixture
def sign_in(client):
    """Signs the client in: the password, then (for staff) a code from the authenticator app
    (tests/second_factor.py)."""
    def sign_in_as(email, password="test-password"):
        response = second_factor.sign_in_staff(client, email, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response
    return sign_in_as

"""Light and quick pages: compressed responses, hashed immutable static files, parts of pages
cached until their data changes, and queries that leave out what a page does not show."""

import gzip
import re
from pathlib import Path

import brotli
from sqlalchemy import event, select

from pb.models import CensusFigure, Ward, db
from pb.services import counting
from pb.web import fragments
from pb.web.static_files import HASHED, ONE_YEAR
from tests.factories import add_projects, close_and_mix, make_round, officer, set_phase

ROOT = Path(__file__).resolve().parents[2]
STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def published_results(app):
    with app.app_context():
        round_ = make_round("voting", wards=("stockwell-east",), budget=10_000)
        add_projects(round_.headings[0], [6000, 5000, 3000])
        close_and_mix(round_)
        counting.count_round(officer(), round_)
        set_phase(round_, "results")
        return f"/rounds/{round_.id}/wards/{round_.headings[0].id}/results", round_.id


def test_pages_are_compressed_with_brotli_or_gzip_and_still_never_stored(client):
    plain = client.get("/wards/stockwell-east")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    html = plain.get_data()
    br = client.get("/wards/stockwell-east", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in br.headers["Vary"]
    assert len(br.get_data()) < len(html) / 3
    assert brotli.decompress(br.get_data()).count(b"<h3") == html.count(b"<h3")
    gz = client.get("/wards/stockwell-east", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.get_data()).count(b"<h3") == html.count(b"<h3")
    # a page may show a resident's choices: compressed or not, it is never cached
    assert br.headers["Cache-Control"] == gz.headers["Cache-Control"] == "no-store"


def test_every_static_url_carries_its_hash_and_is_immutable_for_a_year(app, client):
    results, round_id = published_results(app)
    urls = set()
    for page in ("/", "/rounds/", f"/rounds/{round_id}", results, "/wards/", "/wards/stockwell-east",
                 "/account/resident"):
        response = client.get(page)
        assert response.status_code == 200, page
        found = STATIC_URL.findall(response.get_data(as_text=True))
        assert found, page
        urls.update(found)
    assert any(u.endswith(".css") for u in urls) and any(u.endswith(".js") for u in urls)
    for url in urls:
        name = url.removeprefix("/static/")
        match = HASHED.match(name)
        assert match, f"{url} has no content hash"
        on_disk = (ROOT / "pb/static" / f"{match['stem']}{match['ext']}").read_bytes()
        plain = client.get(url)
        assert plain.status_code == 200 and plain.get_data() == on_disk
        assert plain.headers["Cache-Control"] == f"public, max-age={ONE_YEAR}, immutable"
        assert plain.headers.get("ETag")
        if url.endswith((".css", ".js")):
            br = client.get(url, headers={"Accept-Encoding": "br, gzip"})
            assert br.headers["Content-Encoding"] == "br"
            assert brotli.decompress(br.get_data()) == on_disk
            assert br.headers["Cache-Control"] == plain.headers["Cache-Control"]
            assert br.mimetype == plain.mimetype and "Content-Disposition" not in br.headers
            gz = client.get(url, headers={"Accept-Encoding": "gzip"})
            assert gz.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(gz.get_data()) == on_disk


def test_a_stale_or_missing_hash_is_served_but_never_kept(client):
    stale = client.get("/static/build/app.min.000000000000.css")
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"
    bare = client.get("/static/build/app.min.css")
    assert bare.status_code == 200 and bare.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/build/nothing.0123456789ab.css").status_code == 404
    assert client.get("/static/../pb/__init__.py").status_code == 404


def test_the_ward_census_part_is_kept_until_the_census_changes(app, client):
    first = client.get("/wards/stockwell-east").get_data(as_text=True)
    hits = fragments.stats["hits"]
    again = client.get("/wards/stockwell-east").get_data(as_text=True)
    assert fragments.stats["hits"] > hits  # the census part (and the page's other parts) came from the cache
    assert again.count("govuk-table__row") == first.count("govuk-table__row")
    # in another language the part is rendered again, in that language
    french = client.get("/wards/stockwell-east?lang=fr").get_data(as_text=True)
    assert 'lang="fr"' in french
    with app.app_context():
        ward = db.session.scalar(select(Ward).where(Ward.slug == "stockwell-east"))
        figure = db.session.scalar(select(CensusFigure).where(
            CensusFigure.ward_id == ward.id, CensusFigure.topic == "age").order_by(CensusFigure.id))
        old, figure_id = figure.count, figure.id
        figure.count = 987_654
        db.session.commit()
    try:
        changed = client.get("/wards/stockwell-east?lang=en").get_data(as_text=True)
        assert "987,654" in changed and "987,654" not in first
    finally:
        with app.app_context():
            db.session.get(CensusFigure, figure_id).count = old
            db.session.commit()
    assert "987,654" not in client.get("/wards/stockwell-east").get_data(as_text=True)


def test_the_results_page_does_not_read_the_counted_ballots_file(app, client):
    results, _ = published_results(app)
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = client.get(results)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert page.status_code == 200 and "SHA-256" in page.get_data(as_text=True)
    assert statements and not any("pabulib" in s for s in statements)
    download = client.get(results.replace("/results", "/ballots.pb"))
    assert download.status_code == 200 and download.get_data(as_text=True).startswith("META")


def test_every_component_a_template_uses_is_compiled_in():
    """Only the GOV.UK Frontend components we use are compiled into the stylesheet and script;
    a template that starts using another one must add it to assets/app.scss (and to
    assets/js/init.js if it has a script)."""
    scss = (ROOT / "assets/app.scss").read_text()
    script = (ROOT / "assets/js/init.js").read_text()
    components = {p.name for p in (ROOT / "node_modules/govuk-frontend/dist/govuk/components").iterdir()
                  if p.is_dir()}
    used, modules = set(), set()
    sources = list((ROOT / "templates").rglob("*.html")) + list((ROOT / "pb").rglob("*.py"))
    for path in sources:
        text = path.read_text(encoding="utf-8")
        used.update(re.findall(r"govuk-([a-z]+(?:-[a-z]+)*)(?:__|--|[\s\"'])", text))
        used.update(re.findall(r"govuk_frontend_jinja/components/([a-z-]+)/", text))
        modules.update(re.findall(r'data-module="govuk-([a-z-]+)"', text))
    for component in sorted(used & components - {"header"}):  # our own header replaces GOV.UK's
        assert f"components/{component}\"" in scss, f"{component} is used but not in assets/app.scss"
    for module in sorted(modules & components):
        name = "".join(part.capitalize() for part in module.split("-"))
        assert name in script, f"{module} has a script but is not in assets/js/init.js"

"""The API's views. Every answer is public data (the same for a signed-out visitor and for
staff), so it may be cached: `Cache-Control: public, max-age=60` and a strong ETag."""

import hashlib
import json
import re

from flask import Response, render_template, request
from sqlalchemy import false, func, select

from pb.models import Heading, Plan, PlanOutcome, Proposal, Result, Round, Ward, db
from pb.services import audit
from pb.services.plans import published_plans
from pb.services.rounds import published
from pb.web.api import bp
from pb.web.api.openapi import openapi_document
from pb.web.opendata import documents as docs
from pb.web.plans.exports import _outcome, plan_document

SLUG = re.compile(r"[a-z0-9-]{1,100}")
MAX_PER_PAGE = 100
MAX_PAGE = 100_000


def _json(document, status: int = 200) -> Response:
    body = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    etag = '"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=60", "Vary": "Accept-Encoding",
               "Access-Control-Allow-Origin": "*"}
    if status == 200 and etag_matches(etag, request.headers.get("If-None-Match", "")):
        return Response(status=304, headers=headers)
    if status != 200:
        headers["Cache-Control"] = "no-store"
    return Response(body, status=status, mimetype="application/json", headers=headers)


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag[:2] in ("W/", "w/") else tag


def etag_matches(etag: str, if_none_match: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110 13.1.2): "*" matches any current answer; else
    any tag of the comma-separated list whose opaque part, without W/, is this one's."""
    tags = [t for t in (t.strip() for t in if_none_match.split(",")) if t]
    return "*" in tags or _opaque(etag) in {_opaque(t) for t in tags}


@bp.after_request
def _audit_head_header(response: Response) -> Response:
    response.headers["X-Audit-Head"] = audit.head_text()
    return response


def _error(message: str, status: int = 400) -> Response:
    return _json({"error": message}, status)


class BadQuery(Exception):
    pass


def _int_arg(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or not low <= int(raw) <= high:
        raise BadQuery(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _page(query_or_list, render) -> Response:
    """One page of items: ?page= (from 1) and ?per_page= (1 to 100, default 50)."""
    try:
        page = _int_arg("page", 1, 1, MAX_PAGE)
        per_page = _int_arg("per_page", 50, 1, MAX_PER_PAGE)
    except BadQuery as err:
        return _error(str(err))
    if isinstance(query_or_list, list):
        total = len(query_or_list)
        items = query_or_list[(page - 1) * per_page: page * per_page]
    else:
        total = db.session.scalar(select(func.count()).select_from(query_or_list.subquery()))
        items = db.session.scalars(query_or_list.limit(per_page).offset((page - 1) * per_page)).all()
    pages = max(1, -(-total // per_page))
    return _json({"items": [render(i) for i in items], "page": page, "per_page": per_page,
                  "total": total, "pages": pages, "licence": docs.LICENCE})


@bp.errorhandler(BadQuery)
def _bad_query(err):
    return _error(str(err))


def _public_rounds():
    return select(Round).where(Round.status == "published").order_by(Round.id)


@bp.get("/wards")
def wards():
    return _page(select(Ward).order_by(Ward.name), lambda w: {
        "slug": w.slug, "name": w.name, "ons_code": w.ons_code})


@bp.get("/rounds")
def rounds():
    return _page(_public_rounds(), docs.round_document)


@bp.get("/rounds/<int:round_id>")
def round_(round_id: int):
    found = docs.public_round(round_id)
    if found is None:
        return _error("No published round has that id", 404)
    return _json(docs.round_document(found))


def _slug_is(ward: str):
    """A ward filter: a slug is lower-case letters, digits and hyphens, so anything else (a NUL
    byte, which PostgreSQL refuses in a query) matches no ward, without asking the database."""
    if not SLUG.fullmatch(ward):
        return false()
    return Ward.slug == ward


def _round_filter(query):
    round_id = _int_arg("round", None, 1, 2**31 - 1)
    if round_id is not None:
        query = query.where(Heading.round_id == round_id)
    ward = request.args.get("ward")
    if ward:
        query = query.join(Ward, Ward.id == Heading.ward_id).where(_slug_is(ward))
    return query


@bp.get("/proposals")
def proposals():
    query = (select(Proposal).join(Heading, Proposal.heading_id == Heading.id).join(Round)
             .where(Round.status == "published", Proposal.status.not_in(("draft", "withdrawn")))
             .order_by(Proposal.id))
    return _page(_round_filter(query), docs.proposal_document)


@bp.get("/results")
def results():
    query = (select(Heading).join(Result, Result.heading_id == Heading.id).join(Round)
             .where(Round.status == "published").order_by(Heading.id))
    headings = [h for h in db.session.scalars(_round_filter(query)) if published(h)]
    return _page(headings, docs.result_document)


def _plan_summary(plan: Plan) -> dict:
    document = plan_document(plan)
    document.pop("outcomes", None)
    return document


@bp.get("/plans")
def plans():
    return _page(published_plans(), _plan_summary)


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int):
    found = db.session.get(Plan, plan_id)
    if found is None or found.state != "published":
        return _error("No published plan has that id", 404)
    return _json(plan_document(found))


@bp.get("/outcomes")
def outcomes():
    query = (select(PlanOutcome).join(Plan, PlanOutcome.plan_id == Plan.id)
             .where(Plan.state == "published").order_by(PlanOutcome.id))
    ward = request.args.get("ward")
    if ward:
        query = query.join(Ward, Ward.id == Plan.ward_id).where(_slug_is(ward))
    return _page(query, lambda o: {**_outcome(o), "plan_id": o.plan_id, "ward_slug": o.plan.ward.slug})


@bp.get("/openapi.json")
def openapi():
    return _json(openapi_document())


@bp.get("")
def docs_page():
    return render_template("opendata/api.html", spec=openapi_document())

"""The data catalogue, the transparency page and each ward's downloads (all public data)."""

import json

from flask import Response, abort, current_app, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from pb.extensions import limiter
from pb.models import AuditEntry, Plan, Proposal, Result, Round, db
from pb.services import audit
from pb.services.rounds import published
from pb.web.opendata import bp
from pb.web.opendata import documents as docs
from pb.web.plans.exports import csv_response, json_response


def _published_heading(round_id: int, heading_id: int):
    heading = docs.public_heading(round_id, heading_id)
    if heading is None or not published(heading):
        abort(404)
    return heading


def _name(heading, what: str) -> str:
    return f"lambeth_{heading.ward.slug}_round_{heading.round_id}_{what}"


@bp.get("/rounds/<int:round_id>/wards/<int:heading_id>/results.json")
def results_json(round_id: int, heading_id: int):
    heading = _published_heading(round_id, heading_id)
    return json_response(docs.result_document(heading), _name(heading, "results"))


@bp.get("/rounds/<int:round_id>/wards/<int:heading_id>/results.csv")
def results_csv(round_id: int, heading_id: int):
    heading = _published_heading(round_id, heading_id)
    return csv_response(docs.result_rows(docs.result_document(heading)), docs.RESULT_FIELDS,
                        _name(heading, "results"))


@bp.get("/rounds/<int:round_id>/wards/<int:heading_id>/receipts.txt")
def receipts(round_id: int, heading_id: int):
    """The SHA-256 of every counted ballot's receipt, one a line, sorted: a resident hashes
    their receipt (letters and digits, upper case, no dashes) and looks for it offline."""
    heading = _published_heading(round_id, heading_id)
    body = "".join(h + "\n" for h in docs.receipt_hashes(heading))
    return Response(body, mimetype="text/plain; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename={_name(heading, 'receipts')}.txt"})


def _proposals_heading(round_id: int, heading_id: int):
    heading = docs.public_heading(round_id, heading_id)
    if heading is None:
        abort(404)
    return heading


@bp.get("/rounds/<int:round_id>/wards/<int:heading_id>/proposals.json")
def proposals_json(round_id: int, heading_id: int):
    heading = _proposals_heading(round_id, heading_id)
    return json_response({"round_id": round_id, "ward": heading.ward.name, "licence": docs.LICENCE,
                          "proposals": docs.proposals_of(heading)}, _name(heading, "proposals"))


@bp.get("/rounds/<int:round_id>/wards/<int:heading_id>/proposals.csv")
def proposals_csv(round_id: int, heading_id: int):
    heading = _proposals_heading(round_id, heading_id)
    return csv_response(docs.proposals_of(heading), docs.PROPOSAL_FIELDS, _name(heading, "proposals"))


def _latest(*columns) -> str | None:
    stamps = [db.session.scalar(select(func.max(c))) for c in columns]
    stamps = [s for s in stamps if s is not None]
    return max(stamps).date().isoformat() if stamps else None


@bp.get("/data")
def catalogue():
    """Every dataset, its licence, formats and when it last changed."""
    datasets = [
        {"name": "results", "updated": _latest(Result.counted_at),
         "formats": ["JSON", "CSV", "Pabulib (.pb)", "receipt hashes (text)"]},
        {"name": "proposals", "updated": _latest(Proposal.updated_at), "formats": ["JSON", "CSV"]},
        {"name": "rounds", "updated": _latest(Round.created_at), "formats": ["JSON"]},
        {"name": "plans", "updated": _latest(Plan.published_at), "formats": ["JSON", "CSV"]},
        {"name": "audit", "updated": (db.session.scalar(select(func.max(AuditEntry.at))) or "")[:10] or None,
         "formats": ["JSON"]},
    ]
    rounds = db.session.scalars(select(Round).where(Round.status == "published").order_by(Round.id.desc())).all()
    return render_template("opendata/catalogue.html", datasets={d["name"]: d for d in datasets},
                           rounds=rounds, licence=docs.LICENCE, published=published, head=audit.head())


def _audit_limit(view):
    """The audit log's pages per address (RATELIMIT_AUDIT_LOG_PER_IP, one count shared by both
    pages): they are the costliest public pages, so one client cannot keep the servers busy."""
    return limiter.shared_limit(lambda: current_app.config["RATELIMIT_AUDIT_LOG_PER_IP"], methods=["GET"],
                                scope="RATELIMIT_AUDIT_LOG_PER_IP")(view)


SHOWN = 500  # the newest entries listed on the transparency page
AUDIT_PER_PAGE = 1000
AUDIT_MAX_PER_PAGE = 5000


@bp.get("/transparency")
@_audit_limit
def transparency():
    current = audit.head()
    return render_template("opendata/transparency.html", entries=audit.newest(SHOWN), total=current["seq"],
                           head=current, verdict=audit.cached_verdict(),
                           readable=lambda e: audit.readable(e, current_user))


def _page_arg(name: str, default: int, high: int) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or not 1 <= int(raw) <= high:
        abort(Response(json.dumps({"error": f"{name} must be a whole number from 1 to {high}"}), status=400,
                       mimetype="application/json"))
    return int(raw)


@bp.get("/transparency/audit.json")
@_audit_limit
def audit_json():
    """The chain, a page at a time (?page= from 1, ?per_page= up to 5000, default 1000): every
    entry's hashes, and the body of those the public may read, so anyone can fetch every page
    and check it with pb.audit_chain.verify (or their own ten lines of code)."""
    per_page = _page_arg("per_page", AUDIT_PER_PAGE, AUDIT_MAX_PER_PAGE)
    current = audit.head()
    pages = max(1, -(-current["seq"] // per_page))
    page = _page_arg("page", 1, 10**8)
    rows = audit.page((page - 1) * per_page + 1, min(page * per_page, current["seq"]))
    chain = [audit.as_chain_entry(e, with_body=audit.readable(e, None)) for e in rows]
    following = (url_for("opendata.audit_json", page=page + 1, per_page=per_page, _external=True)
                 if page < pages else None)
    name = "lambeth_ward_budgets_audit" + (f"_page_{page}" if pages > 1 else "")
    return json_response({"head": current, "current_audit_head": current, "licence": docs.LICENCE,
                          "about": url_for("opendata.transparency", _external=True),
                          "page": page, "per_page": per_page, "pages": pages, "total": current["seq"],
                          "next": following, "entries": chain}, name)


@bp.after_request
def _audit_head_header(response: Response) -> Response:
    """Every download and page here says the log's head when it was made, so a copy kept by
    anyone can later show that no entry up to it was removed or changed."""
    response.headers["X-Audit-Head"] = audit.head_text()
    return response


bp.add_app_template_global(docs.recount_command, "recount_command")
bp.add_app_template_global(docs.audit_stamp, "audit_stamp")

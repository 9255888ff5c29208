"""Plans and trackers as open data: CSV (one row per outcome or funded project) and JSON.

Field names are documented in the README ("Ward plans: open data"). CSV cells that a
spreadsheet would read as a formula (starting with = + - @, or a tab or carriage return)
are prefixed with a single quote.
"""

import csv
import io
import json

from flask import Response, url_for

from pb.services.plans import is_overdue, plan_rounds, stamp

PLAN_FIELDS = ("ward", "plan_id", "plan_title", "period", "plan_state", "priority_position",
               "priority", "outcome_id", "outcome", "description", "responsible", "target_date",
               "measure", "status", "dropped_reason", "overdue", "updates", "last_update")
TRACKER_FIELDS = ("kind", "ward", "plan_or_round", "id", "title", "responsible", "target_date",
                  "status", "progress_percent", "overdue", "dropped_reason", "updates", "last_update", "url")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(rows: list[dict], fields, name: str) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(row.get(k)) for k in fields})
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={name}.csv"})


def json_response(document: dict, name: str) -> Response:
    return Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename={name}.json"})


def _update(update) -> dict:
    return {"posted_at": stamp(update.posted_at), "author_name": update.author_name,
            "author_role": update.author_role, "body": update.body,
            "from_status": update.from_status, "to_status": update.to_status}


def _outcome(outcome) -> dict:
    return {"id": outcome.id, "title": outcome.title, "description": outcome.description,
            "priority_id": outcome.priority_id, "responsible": outcome.responsible,
            "target_date": stamp(outcome.target_date), "measure": outcome.measure,
            "status": outcome.status, "dropped_reason": outcome.dropped_reason,
            "overdue": is_overdue(outcome), "updates": [_update(u) for u in outcome.updates]}


def plan_document(plan) -> dict:
    return {
        "id": plan.id, "ward": plan.ward.name, "ward_slug": plan.ward.slug, "ward_code": plan.ward.ons_code,
        "title": plan.title, "start_year": plan.start_year, "end_year": plan.end_year,
        "state": plan.state, "summary": plan.summary, "you_said_we_did": plan.you_said_we_did,
        "published_at": stamp(plan.published_at),
        "url": url_for("plans.show", plan_id=plan.id, _external=True),
        "priorities": [{"id": p.id, "position": n, "title": p.title, "description": p.description}
                       for n, p in enumerate(plan.priorities, start=1)],
        "outcomes": [_outcome(o) for o in plan.outcomes],
        "rounds": [{"id": r.id, "title": r.title,
                    "url": url_for("rounds.show", round_id=r.id, _external=True)}
                   for r in plan_rounds(plan)],
    }


def plan_rows(plan) -> list[dict]:
    positions = {p.id: n for n, p in enumerate(plan.priorities, start=1)}
    rows = []
    for outcome in plan.outcomes:
        rows.append({
            "ward": plan.ward.name, "plan_id": plan.id, "plan_title": plan.title,
            "period": f"{plan.start_year}-{plan.end_year}", "plan_state": plan.state,
            "priority_position": positions.get(outcome.priority_id),
            "priority": outcome.priority.title if outcome.priority else "",
            "outcome_id": outcome.id, "outcome": outcome.title, "description": outcome.description,
            "responsible": outcome.responsible, "target_date": stamp(outcome.target_date),
            "measure": outcome.measure, "status": outcome.status, "dropped_reason": outcome.dropped_reason,
            "overdue": is_overdue(outcome), "updates": len(outcome.updates),
            "last_update": stamp(outcome.updates[0].posted_at) if outcome.updates else ""})
    return rows


def tracker_rows(view: dict) -> list[dict]:
    rows = []
    for outcome in view["outcomes"]:
        rows.append({
            "kind": "outcome", "ward": outcome.plan.ward.name, "plan_or_round": outcome.plan.title,
            "id": outcome.id, "title": outcome.title, "responsible": outcome.responsible,
            "target_date": stamp(outcome.target_date), "status": outcome.status,
            "overdue": outcome.id in view["overdue_ids"], "dropped_reason": outcome.dropped_reason,
            "updates": len(outcome.updates),
            "last_update": stamp(outcome.updates[0].posted_at) if outcome.updates else "",
            "url": url_for("plans.show", plan_id=outcome.plan_id, _external=True, _anchor=f"outcome-{outcome.id}")})
    for row in view["projects"]:
        proposal = row["proposal"]
        rows.append({
            "kind": "project", "ward": row["ward"].name, "plan_or_round": row["round"].title,
            "id": proposal.id, "title": proposal.title, "status": row["status"],
            "progress_percent": row["progress"], "overdue": False,
            "url": url_for("rounds.results", round_id=row["round"].id, heading_id=row["heading"].id,
                           _external=True)})
    return rows


def tracker_document(view: dict) -> dict:
    ward = view["ward"]
    return {
        "ward": ward.name if ward else None, "ward_slug": ward.slug if ward else None,
        "date": stamp(view["today"]),
        "counts": view["counts"],
        "outcomes": [{**_outcome(o), "ward": o.plan.ward.name, "plan_id": o.plan_id, "plan_title": o.plan.title}
                     for o in view["outcomes"]],
        "overdue": [o.id for o in view["overdue"]],
        "projects": [{"id": r["proposal"].id, "title": r["proposal"].title, "ward": r["ward"].name,
                      "round_id": r["round"].id, "round_title": r["round"].title,
                      "delivery_status": r["status"], "progress_percent": r["progress"],
                      "delivery_note": r["proposal"].delivery_note,
                      "url": url_for("rounds.results", round_id=r["round"].id, heading_id=r["heading"].id,
                                     _external=True)}
                     for r in view["projects"]],
    }

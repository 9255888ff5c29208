"""The OpenAPI 3.1 description of /api (served at /api/openapi.json)."""

from flask import request

S = {"type": "string"}
INT = {"type": "integer"}
B = {"type": "boolean"}
NS = {"type": ["string", "null"]}
NI = {"type": ["integer", "null"]}
NUM = {"type": ["integer", "string", "null"], "description": "exact: a whole number, or a decimal as a string"}


def _obj(properties: dict, required=None) -> dict:
    return {"type": "object", "properties": properties,
            "required": list(required if required is not None else properties)}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _page_of(name: str) -> dict:
    return _obj({"items": {"type": "array", "items": _ref(name)}, "page": INT, "per_page": INT, "total": INT,
                 "pages": INT, "licence": _ref("Licence")})


SCHEMAS = {
    "Licence": _obj({"name": S, "url": S}),
    "Error": _obj({"error": S}),
    "Ward": _obj({"slug": S, "name": S, "ons_code": S}),
    "RoundWard": _obj({"heading_id": INT, "ward": S, "ward_slug": S, "ward_code": S, "budget": INT,
                       "results_published": B, "results_url": NS}),
    "Round": _obj({
        "id": INT, "title": S, "description": S,
        "ballot_type": {"enum": ["approval", "knapsack", "cumulative", "ranked"]},
        "rule": {"enum": ["greedy", "mes", "mes-add1"]},
        "phase": {"enum": ["upcoming", "proposals", "review", "voting", "counting", "results", "delivery"]},
        "dates": _obj({p: {"type": "string", "format": "date"} for p in
                       ("proposals", "review", "voting", "counting", "results", "delivery")}),
        "min_age": NI, "max_age": NI,
        "wards": {"type": "array", "items": _ref("RoundWard")},
        "date_changes": {"type": "array", "items": _obj({"phase": S, "kind": S, "from": S, "to": S, "reason": S})},
        "recounts": {"type": "array", "items": _obj({"reason": S, "at": S})},
        "url": S}),
    "Proposal": _obj({
        "id": INT, "round_id": INT, "ward": S, "ward_slug": S, "title": S, "summary": S, "description": S,
        "location": NS, "category": S, "rough_cost": INT, "final_cost": NI,
        "status": {"enum": ["submitted", "feasible", "unfeasible", "accepted", "rejected", "merged"]},
        "review_reason": NS, "merged_into": NI, "delivery_status": NS, "delivery_progress": NI, "url": S}),
    "Payment": _obj({"supporters": NUM, "each": NUM, "paid_all_they_had": B, "total": NUM}),
    "ProjectResult": _obj({
        "project_id": S, "title": NS, "cost": NUM, "funded": B, "position": NI, "reason_code": S,
        "reason": S, "supporters": NUM, "score": NUM, "price": NUM,
        "payments": {"type": "array", "items": _ref("Payment")}}),
    "AuditStamp": {"type": ["object", "null"], "properties": {"seq": INT, "hash": S, "verify_url": S},
                   "required": ["seq", "hash", "verify_url"]},
    "AuditHead": {**_obj({"seq": INT, "hash": S}),
                  "description": "The audit log's latest entry when this answer was made: keep it as "
                                 "SEQ:HASH and check it later with `flask pb audit verify --head`."},
    "Result": _obj({
        "round_id": INT, "round_title": S, "heading_id": INT, "ward": S, "ward_slug": S, "ward_code": S,
        "rule": S, "tie_breaking": S, "budget": NUM, "spent": NUM, "equal_share": NUM, "final_share": NUM,
        "ballots_counted": INT, "selected": {"type": "array", "items": S}, "counted_at": S,
        "projects": {"type": "array", "items": _ref("ProjectResult")},
        "ballots_file": _obj({"url": S, "name": S, "sha256": S}),
        "recount_command": S, "audit_head": _ref("AuditStamp"), "current_audit_head": _ref("AuditHead"),
        "licence": _ref("Licence")}),
    "Update": _obj({"posted_at": NS, "author_name": S, "author_role": S, "body": S,
                    "from_status": NS, "to_status": NS}),
    "Outcome": {"type": "object", "required": ["id", "title", "status", "overdue", "updates"], "properties": {
        "id": INT, "title": S, "description": NS, "priority_id": NI, "responsible": NS, "target_date": NS,
        "measure": NS, "status": {"enum": ["proposed", "agreed", "in_progress", "delivered", "dropped"]},
        "dropped_reason": NS, "overdue": B, "updates": {"type": "array", "items": _ref("Update")},
        "plan_id": INT, "ward_slug": S}},
    "Plan": {"type": "object", "required": ["id", "ward", "ward_slug", "title", "start_year", "end_year",
                                            "state", "priorities", "rounds", "url"], "properties": {
        "id": INT, "ward": S, "ward_slug": S, "ward_code": S, "title": S, "start_year": INT, "end_year": INT,
        "state": {"const": "published"}, "summary": NS, "you_said_we_did": NS, "published_at": NS, "url": S,
        "priorities": {"type": "array", "items": _obj({"id": INT, "position": INT, "title": S, "description": NS})},
        "outcomes": {"type": "array", "items": _ref("Outcome")},
        "rounds": {"type": "array", "items": _obj({"id": INT, "title": S, "url": S})}},
        "additionalProperties": True},
}

PAGING = [
    {"name": "page", "in": "query", "required": False, "description": "From 1.",
     "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}},
    {"name": "per_page", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
]
FILTERS = [
    {"name": "round", "in": "query", "required": False, "description": "A round's id.",
     "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}},
    {"name": "ward", "in": "query", "required": False, "description": "A ward's slug, like brixton-acre-lane.",
     "schema": {"type": "string", "maxLength": 100}},
]
CACHE_HEADERS = {"ETag": {"schema": S, "description": "Send it back as If-None-Match: 304 if unchanged "
                                                      "(compared weakly; * and lists accepted)."},
                 "X-Audit-Head": {"schema": S, "description": "The audit log's latest entry, SEQ:HASH, when "
                                                             "this answer was made (see /transparency)."}}


def _get(summary: str, schema: dict, parameters=(), not_found=False, paged=False) -> dict:
    responses = {
        "200": {"description": "OK", "headers": CACHE_HEADERS,
                "content": {"application/json": {"schema": schema}}},
        "304": {"description": "Not modified (the ETag sent in If-None-Match still matches)"},
    }
    if paged or parameters:
        responses["400"] = {"description": "A query parameter is out of range",
                            "content": {"application/json": {"schema": _ref("Error")}}}
    if not_found:
        responses["404"] = {"description": "Not found (or not published)"}
    operation = {"summary": summary, "responses": responses}
    params = list(parameters) + (PAGING if paged else [])
    if params:
        operation["parameters"] = params
    return {"get": operation}


def _id_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}}


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Lambeth Ward Budgets open data API", "version": "1.0.0",
                 "description": "Read-only public data: wards, published budget rounds, proposals with "
                                "their review decisions, published results with every project's "
                                "explanation, published ward plans and their outcomes. Nothing personal "
                                "and nothing unpublished. Paginated (page, per_page); every answer has an "
                                "ETag.",
                 "license": {"name": "Open Government Licence v3.0",
                             "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}},
        "servers": [{"url": request.host_url.rstrip("/")}],
        "paths": {
            "/api/wards": _get("Lambeth's wards", _page_of("Ward"), paged=True),
            "/api/rounds": _get("Published budget rounds", _page_of("Round"), paged=True),
            "/api/rounds/{round_id}": _get("One published round", _ref("Round"), [_id_param("round_id")],
                                           not_found=True),
            "/api/proposals": _get("Proposals (never drafts or withdrawn ones), with review decisions",
                                   _page_of("Proposal"), FILTERS, paged=True),
            "/api/results": _get("Published results, one per ward of a round", _page_of("Result"), FILTERS,
                                 paged=True),
            "/api/plans": _get("Published ward plans (without outcomes: see /api/outcomes)", _page_of("Plan"),
                               paged=True),
            "/api/plans/{plan_id}": _get("One published plan with its outcomes", _ref("Plan"),
                                         [_id_param("plan_id")], not_found=True),
            "/api/outcomes": _get("Outcomes of published plans, with their updates", _page_of("Outcome"),
                                  [FILTERS[1]], paged=True),
        },
        "components": {"schemas": SCHEMAS},
    }

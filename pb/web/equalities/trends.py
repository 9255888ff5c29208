"""Trends across rounds in a ward, for the equalities panel: a page (printable with
``?print=1``) and its CSV. Who may read it: ``view_equalities_report`` for the ward, the
same people as each round's report. What it shows: ``pb.services.equality_trends``."""

import csv
import io

from flask import Response, abort, render_template, request
from flask_login import current_user, login_required

from pb.equalities.releases import RULE_TEXT
from pb.policy import can
from pb.services.equality_trends import CHARACTERISTIC_COLUMNS, csv_rows, ward_by_slug, ward_trend
from pb.web.equalities import bp


def _ward(slug: str):
    ward = ward_by_slug(slug) or abort(404)
    if not can(current_user, "view_equalities_report", ward):
        abort(403)
    return ward


@bp.get("/wards/<slug>/trends")
@login_required
def trends(slug: str):
    ward = _ward(slug)
    return render_template("equalities/trends.html", trend=ward_trend(ward),
                           printing=request.args.get("print") == "1", release_rule=RULE_TEXT)


@bp.get("/wards/<slug>/trends.csv")
@login_required
def trends_csv(slug: str):
    ward = _ward(slug)
    rows = csv_rows(ward_trend(ward))
    buffer = io.StringIO()
    fieldnames = list(rows[0]) if rows else [
        "ward_code", "ward_name", "round_id", "round_title", "voting_from", "figures",
        "released_on", "ages", "voters", "verdict", "resamples_changed", "resamples",
        *CHARACTERISTIC_COLUMNS]
    writer = csv.DictWriter(buffer, fieldnames=fieldnames)
    writer.writeheader()
    writer.writerows(rows)
    name = f"equalities-trends-{ward.slug}.csv"
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

"""Equality monitoring questions after voting, and the sectional-capture report.

The monitoring hand-off: after casting, the voting view keeps the ballot's one-time token
in ``session["voter_token"]`` (never the ballot's key or receipt) and links here. The
answers are sealed in with that waiting ballot (never the person) by
``record_monitoring``, which ends the token; skipping and signing out end it too.
"""

import csv
import io
import textwrap

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from pb.equalities.releases import RULE_TEXT
from pb.models import Heading, db
from pb.policy import can
from pb.services import ballot_box
from pb.services.equalities import (
    ReportPending,
    UnknownBallot,
    flag_policy,
    heading_report,
    phase_of,
    questions_open,
    record_monitoring,
    refresh_release,
    results_published,
    set_threshold,
)
from pb.services.errors import ServiceError
from pb.services.rounds import current_phase, public_rounds
from pb.web.equalities import bp
from pb.web.equalities.forms import MonitoringForm, ThresholdForm
from pb.web.rounds.presenters import PHASE_NAMES

SESSION_KEY = "voter_token"  # set by the voting view; see pb.services.ballot_box
RECORDED_KEY = "monitoring_recorded"  # shows the thank-you page once, after recording

CHARACTERISTIC_NAMES = {
    "age": _l("Age"),
    "sex": _l("Sex"),
    "ethnic_group": _l("Ethnic group"),
    "disability": _l("Disability"),
    "english_proficiency": _l("Main language and English"),
    "tenure": _l("Housing tenure"),
}


# -- monitoring questions ----------------------------------------------------------------

def _finished():
    session.pop(SESSION_KEY, None)
    return render_template("equalities/thanks.html", already=True)


def _attach(form, error: ServiceError, default: str) -> None:
    """Show a use-case's refusal next to its field (or the first one)."""
    field = getattr(form, error.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, error.message]


@bp.route("/questions", methods=["GET", "POST"])
def questions():
    token = session.get(SESSION_KEY)
    if not questions_open(token):
        session.pop(SESSION_KEY, None)
        return render_template("equalities/no_ballot.html")
    form = MonitoringForm()
    if form.validate_on_submit():
        answers = form.answers()
        if not any(answers.values()):
            return redirect(url_for(".skip"), code=303)
        try:
            record_monitoring(token, answers)
        except UnknownBallot:
            return _finished()
        except ServiceError as error:
            _attach(form, error, "age")
        else:
            session.pop(SESSION_KEY, None)
            session[RECORDED_KEY] = True
            return redirect(url_for(".thanks"))
    status = 400 if form.errors else 200
    return render_template("equalities/questions.html", form=form), status


@bp.get("/questions/thanks")
def thanks():
    if not session.pop(RECORDED_KEY, False):  # only straight after answers were recorded
        return redirect(url_for(".questions"))
    return render_template("equalities/thanks.html", already=False)


@bp.get("/questions/skip")
def skip():
    token = session.pop(SESSION_KEY, None)
    if token is None:  # no ballot of this visit to skip questions for
        return redirect(url_for(".questions"))
    ballot_box.end_token(token)
    return render_template("equalities/thanks.html", skipped=True)


# -- the report for the panel, officers and the ward's councillors -----------------------

def _preparing(heading: Heading, error: ReportPending):
    """Another server is computing the report: say so (it is ready within a minute or two)."""
    response = Response(render_template("equalities/preparing.html", heading=heading,
                                        message=error.message))
    response.headers["Retry-After"] = "60"
    return response


def _heading(heading_id: int, action: str = "view_equalities_report") -> Heading:
    heading = db.session.get(Heading, heading_id) or abort(404)
    if not can(current_user, action, heading):
        abort(403)
    return heading


@bp.get("/")
@login_required
def index():
    """Every ward of every round whose report this person may read."""

    from pb.models import Round

    rounds = db.session.scalars(public_rounds().order_by(Round.voting_from.desc())).all()
    listed = [(r, [h for h in r.headings if can(current_user, "view_equalities_report", h)]) for r in rounds]
    listed = [(r, headings) for r, headings in listed if headings]
    if not listed and not can(current_user, "read_equalities"):
        abort(403)
    return render_template("equalities/index.html", listed=listed, phase_of=current_phase,
                           phase_names=PHASE_NAMES)


@bp.get("/headings/<int:heading_id>")
@login_required
def report(heading_id: int):
    heading = _heading(heading_id)
    release = refresh_release(heading)
    try:
        report = heading_report(heading)
    except ReportPending as error:
        return _preparing(heading, error)
    return render_template(
        "equalities/report.html", heading=heading, report=report,
        release=release, release_rule=RULE_TEXT,
        phase=phase_of(heading), published=results_published(heading),
        printing=request.args.get("print") == "1",
        can_set=can(current_user, "set_equalities_threshold", heading))


@bp.get("/headings/<int:heading_id>.csv")
@login_required
def report_csv(heading_id: int):
    heading = _heading(heading_id)
    refresh_release(heading)
    try:
        rows = heading_report(heading, with_result=False).to_csv_rows()
    except ReportPending as error:
        return _preparing(heading, error)
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    name = f"equalities-{heading.ward.slug}-round-{heading.round_id}.csv"
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/headings/<int:heading_id>/missing")
@login_required
def missing(heading_id: int):
    heading = _heading(heading_id)
    release = refresh_release(heading)
    try:
        report = heading_report(heading, with_result=False)
    except ReportPending as error:
        return _preparing(heading, error)
    return render_template("equalities/missing.html", heading=heading, report=report,
                           phase=phase_of(heading), release=release, release_rule=RULE_TEXT)


@bp.route("/headings/<int:heading_id>/threshold", methods=["GET", "POST"])
@login_required
def threshold(heading_id: int):
    heading = _heading(heading_id, "set_equalities_threshold")
    policy = flag_policy(heading)
    form = ThresholdForm(data={"low": f"{policy.low:g}", "high": f"{policy.high:g}"})
    if form.validate_on_submit():
        try:
            set_threshold(current_user, heading, form.low.number, form.high.number)
        except ServiceError as error:
            _attach(form, error, "low")
        else:
            flash(gettext("The thresholds have been saved."))
            return redirect(url_for(".report", heading_id=heading.id))
    status = 400 if form.errors else 200
    return render_template("equalities/threshold.html", heading=heading, form=form), status


# -- the published summary, for everyone once the results are out ------------------------

@bp.get("/headings/<int:heading_id>/summary")
def summary(heading_id: int):
    heading = db.session.get(Heading, heading_id) or abort(404)
    if not results_published(heading):
        return render_template("equalities/not_yet.html", heading=heading), 404
    try:
        report = heading_report(heading, with_result=False)
    except ReportPending as error:
        return _preparing(heading, error)
    return render_template("equalities/summary.html", heading=heading, report=report)


# -- presentation: translating the core's msgids, number formats, chart geometry ----------

def flag_sentence(flag) -> str:
    group = flag.params["group"]  # itself a msgid: translate it before it goes in the sentence
    return gettext(flag.msgid, **{**flag.params, "group": gettext(group)})


def support_sentences(project) -> list[tuple[str, str]]:
    """(characteristic name, sentence) for each characteristic's biggest gap of 5 points+."""
    sentences = []
    for breakdown in project.breakdowns:
        found = breakdown.sentences(min_gap=0.05)
        if found:
            msgid, params = found[0]
            answer = params["answer"]
            text = gettext(msgid, **{**params, "answer": gettext(answer)})
            sentences.append((CHARACTERISTIC_NAMES[breakdown.characteristic], text))
    return sentences


def ratio(value) -> str:
    return format_decimal(value, format="#,##0.00")


def p_value(value: float) -> str:
    return "< 0.001" if value < 0.001 else "= " + format_decimal(value, format="0.000")


def effect_size(w: float) -> str:
    if w < 0.1:
        return gettext("negligible")
    if w < 0.3:
        return gettext("small")
    if w < 0.5:
        return gettext("medium")
    return gettext("large")


CHART_WIDTH, BAR_SPACE, LINE, BAR = 600, 470, 18, 16


def paired_bars(characteristic_report) -> dict:
    """Geometry for participants' bars beside residents' bars, one pair per row."""
    rows, y = [], 34  # the legend takes the top
    top = max([r["participants"] or 0 for r in characteristic_report.chart]
              + [r["residents"] or 0 for r in characteristic_report.chart]) or 1
    for row in characteristic_report.chart:
        label = row["label"]
        lines = textwrap.wrap(gettext(label), 70) or [""]
        label_y = [y + LINE * (i + 1) - 4 for i in range(len(lines))]
        y += LINE * len(lines) + 4
        bars = []
        for kind in ("participants", "residents"):
            share = row[kind]
            bars.append({"kind": kind, "y": y, "share": share,
                         "width": 0 if share is None else BAR_SPACE * share / top})
            y += BAR + 4
        rows.append({"lines": list(zip(lines, label_y, strict=True)), "bars": bars})
        y += 12
    return {"width": CHART_WIDTH, "height": y, "rows": rows}


@bp.context_processor
def presentation():
    return {"flag_sentence": flag_sentence, "support_sentences": support_sentences,
            "ratio": ratio, "p_value": p_value, "effect_size": effect_size,
            "paired_bars": paired_bars, "characteristic_name": CHARACTERISTIC_NAMES.get}

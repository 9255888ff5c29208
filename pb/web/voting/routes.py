"""The ballot, designed for a phone first: choose, check your answers, cast, receipt.

Choices travel in the forms themselves (no server state) until the ballot is cast.
"""

from flask import abort, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from pb.models import Round, db
from pb.services import ballot_box, voting
from pb.services.equalities import questions_open
from pb.services.errors import ServiceError
from pb.services.proposals import on_ballot
from pb.services.rounds import current_phase, heading_for, is_public
from pb.tally import MONEY_PARAMS
from pb.web.helpers import money
from pb.web.voting import bp


def _setup(round_id: int):
    round_ = db.session.get(Round, round_id)
    if round_ is None or not is_public(round_):
        abort(404)
    heading = heading_for(round_, current_user.ward)
    return round_, heading


def read_choices(round_: Round, form) -> object:
    """The resident's choices from the posted form, in the tally engine's shape."""
    kind = round_.ballot_type
    if kind in ("approval", "knapsack"):
        return sorted(set(form.getlist("project")), key=lambda x: (len(x), x))
    if kind == "cumulative":
        points = {}
        for key, value in form.items():
            if key.startswith("points-") and value.strip():
                try:
                    points[key[len("points-"):]] = int(value)
                except ValueError:
                    points[key[len("points-"):]] = value.strip()  # the engine explains it
        return points
    ranks = []
    for position in range(1, 100):
        if f"rank-{position}" not in form:
            break
        if form[f"rank-{position}"]:
            ranks.append(form[f"rank-{position}"])
    return ranks


def problem_messages(problems) -> list[dict]:
    items = []
    for problem in problems:
        params = {k: money(v) if k in MONEY_PARAMS else v for k, v in problem.params.items()}
        text = gettext(problem.message, **params)
        href = f"#project-{problem.project_id}" if problem.project_id else "#choices"
        items.append({"text": text, "href": href})
    return items


def _ranked_slots(round_: Round, projects) -> int:
    return min(round_.max_choices or len(projects), len(projects))


def _render_ballot(round_, heading, choices, problems=(), status=200):
    projects = on_ballot(heading)
    chosen_cost = sum(p.cost for p in projects if round_.ballot_type == "knapsack" and p.project_id in choices)
    return render_template(
        "voting/ballot.html", round=round_, heading=heading, projects=projects, choices=choices,
        errors=problem_messages(problems), chosen_cost=chosen_cost,
        slots=_ranked_slots(round_, projects), form=FlaskForm()), status


@bp.route("/<int:round_id>", methods=["GET", "POST"])
@login_required
def ballot(round_id: int):
    round_, heading = _setup(round_id)
    if heading is None:
        return render_template("rounds/not_your_ward.html", round=round_), 403
    if current_phase(round_) != "voting":
        return render_template("voting/closed.html", round=round_), 409
    if voting.has_voted(current_user, round_):
        return render_template("voting/already.html", round=round_), 409
    empty = {} if round_.ballot_type == "cumulative" else []
    if request.method == "GET":
        return _render_ballot(round_, heading, empty)
    if not FlaskForm().validate_on_submit():
        abort(400)
    choices = read_choices(round_, request.form)
    action = request.form.get("action")
    if action in ("update", "change"):
        return _render_ballot(round_, heading, choices)
    problems = voting.problems_with(heading, choices)
    if problems:
        return _render_ballot(round_, heading, choices, problems, 400)
    return render_template("voting/check.html", round=round_, heading=heading, choices=choices,
                           projects={p.project_id: p for p in on_ballot(heading)}, form=FlaskForm())


@bp.post("/<int:round_id>/cast")
@login_required
def cast(round_id: int):
    round_, heading = _setup(round_id)
    if heading is None:
        abort(403)
    if not FlaskForm().validate_on_submit():
        abort(400)
    choices = read_choices(round_, request.form)
    try:
        done = voting.cast_ballot(current_user, heading, choices)
    except voting.InvalidBallot as err:
        return _render_ballot(round_, heading, choices, err.problems, 400)
    except ServiceError as err:
        return render_template("voting/refused.html", round=round_, message=err.message), err.status
    # only the one-time token: the session never holds the receipt or a ballot's key
    session["voter_token"] = done.token
    return redirect(url_for("voting.done", round_id=round_.id), code=303)


@bp.get("/<int:round_id>/done")
@login_required
def done(round_id: int):
    round_, heading = _setup(round_id)
    if heading is None or not voting.has_voted(current_user, round_):
        abort(404)
    token = session.get("voter_token")
    receipt = ballot_box.take_receipt(token)  # shown once
    return render_template("voting/done.html", round=round_, heading=heading, receipt=receipt,
                           questions_open=questions_open(token))

"""The ballot, designed for a phone first: choose, check your answers, cast, receipt.

Choosing posts the choices; once they are valid they wait in the session as a draft
(never in a URL, where they would reach access logs) and the browser is sent with a 303 to
the check-your-answers page, so the back button and the language links never re-post a
form. The check page carries the choices in hidden fields to the cast, which removes the
draft: after casting the session holds only the one-time voter token.
"""

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from pb.extensions import client_ip, limiter
from pb.models import Round, db
from pb.services import ballot_box, eligibility, voting
from pb.services.equalities import questions_open
from pb.services.errors import ServiceError
from pb.services.proposals import on_ballot
from pb.services.rounds import current_phase, heading_for, is_public
from pb.tally import MONEY_PARAMS
from pb.web.fields import WebForm
from pb.web.helpers import money
from pb.web.rounds.stamps import ballot_stamp
from pb.web.voting import bp
from pb.web.voting.forms import AGE_FIELD, CastForm


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
                value = value.strip()
                # plain digits only (int() would also take "٣", "1_0" and "+3"); anything
                # else goes to the engine, which explains it next to the project
                whole = value.isascii() and value.isdigit() and len(value) <= 9
                points[key[len("points-"):]] = int(value) if whole else value
        return points
    ranks = []
    for position in range(1, 100):
        if f"rank-{position}" not in form:
            break
        if form[f"rank-{position}"]:
            ranks.append(form[f"rank-{position}"])
    return ranks


DRAFT = "ballot_draft"  # the session key of the choices waiting on the check page, sealed


def _draft(round_: Round):
    """This round's valid choices waiting to be checked, or None."""
    return ballot_box.open_draft(session.get(DRAFT), current_user.id, round_.id)


def error_target(round_: Round, projects, choices, project_id: str | None) -> str:
    """The id of the field an error links to: one that is on the page and takes focus.

    The problem project's own field when there is one (for ranked ballots, the choice
    that names it), otherwise the first field of the choices."""
    if round_.ballot_type == "ranked":
        slots = _ranked_slots(round_, projects)
        if project_id is not None and project_id in choices:
            position = list(choices).index(project_id) + 1
            if position <= slots:
                return f"rank-{position}"
        return "rank-1" if slots else "continue"
    ids = [p.project_id for p in projects]
    if project_id in ids:
        return f"project-{project_id}"
    return f"project-{ids[0]}" if ids else "continue"


def problem_messages(problems, round_: Round, projects, choices) -> list[dict]:
    items = []
    for problem in problems:
        params = {k: money(v) if k in MONEY_PARAMS else v for k, v in problem.params.items()}
        text = gettext(problem.message, **params)
        href = "#" + error_target(round_, projects, choices, problem.project_id)
        items.append({"text": text, "href": href})
    return items


def _ranked_slots(round_: Round, projects) -> int:
    return min(round_.max_choices or len(projects), len(projects))


def _render_ballot(round_, heading, choices, problems=(), status=200):
    projects = on_ballot(heading)
    chosen_cost = sum(p.cost for p in projects if round_.ballot_type == "knapsack" and p.project_id in choices)
    return render_template(
        "voting/ballot.html", round=round_, heading=heading, projects=projects, choices=choices,
        errors=problem_messages(problems, round_, projects, choices), chosen_cost=chosen_cost,
        slots=_ranked_slots(round_, projects), form=WebForm(), ballot_stamp=ballot_stamp(heading)), status


def _cannot_vote(round_, heading):
    """The page to show instead of the ballot, or None when this resident can vote here now."""
    if heading is None:
        return render_template("rounds/not_your_ward.html", round=round_), 403
    if current_phase(round_) != "voting":
        return render_template("voting/closed.html", round=round_), 409
    if voting.has_voted(current_user, round_):
        session.pop(DRAFT, None)
        return render_template("voting/already.html", round=round_), 409
    return None


@bp.route("/<int:round_id>", methods=["GET", "POST"])
@login_required
def ballot(round_id: int):
    round_, heading = _setup(round_id)
    refused = _cannot_vote(round_, heading)
    if refused:
        return refused
    empty = {} if round_.ballot_type == "cumulative" else []
    if request.method == "GET":
        # back from the check page ("Change your choices"): the choices are still there
        draft = _draft(round_)
        return _render_ballot(round_, heading, empty if draft is None else draft)
    if not WebForm().validate_on_submit():
        abort(400)
    choices = read_choices(round_, request.form)
    action = request.form.get("action")
    if action in ("update", "change"):
        return _render_ballot(round_, heading, choices)
    problems = voting.problems_with(heading, choices)
    if problems:
        return _render_ballot(round_, heading, choices, problems, 400)
    # sealed: the session cookie is signed, not encrypted, and may sit on a shared computer
    session[DRAFT] = ballot_box.seal_draft(current_user.id, round_.id, choices)
    return redirect(url_for("voting.check", round_id=round_.id), code=303)


@bp.get("/<int:round_id>/check")
@login_required
def check(round_id: int):
    round_, heading = _setup(round_id)
    refused = _cannot_vote(round_, heading)
    if refused:
        return refused
    choices = _draft(round_)
    if choices is None:
        return redirect(url_for("voting.ballot", round_id=round_.id))
    problems = voting.problems_with(heading, choices)
    if problems:  # the ballot changed since (it cannot once voting is open, but be sure)
        return _render_ballot(round_, heading, choices, problems)
    return _render_check(round_, heading, choices, CastForm(formdata=None))


def _render_check(round_, heading, choices, form: CastForm, status=200):
    """The check-your-answers page with the cast form (asking for a reference number when
    the round has an eligibility list)."""
    return render_template("voting/check.html", round=round_, heading=heading, choices=choices,
                           projects={p.project_id: p for p in on_ballot(heading)}, form=form,
                           needs_reference=eligibility.has_list(round_),
                           errors=form.error_list()), status


# Guessing eligibility references: only refused references count (a resident who forgets to
# tick a box, or whose ballot needs changing, is not counted), per person and per address.
# The defaults (pb.config) let 50 residents at one library's address each mistype twice.

def _reference_refused(response) -> bool:
    return bool(g.get("reference_refused"))


def _voter_key() -> str:
    return f"person:{current_user.id}" if current_user.is_authenticated else "anonymous"


def _reference_limit(config_key: str, key_func):
    return limiter.limit(lambda: current_app.config[config_key], key_func=key_func, methods=["POST"],
                         scope=config_key, deduct_when=_reference_refused)


def _form_problems(round_, form: CastForm) -> list[ServiceError]:
    """What is wrong with the cast form itself, all at once: the age declaration and the
    reference number."""
    found = []
    if form.reference.errors:  # too long to be a reference
        found.append(ServiceError(form.reference.errors.pop(), field="reference"))
    try:
        voting.check_age(round_, form.age_declared.data)
    except ServiceError as err:
        found.append(err)
    # a missing reference is said at once; a given one is looked up only by the cast itself,
    # so a form sent without the age box cannot test references without using them
    if found and not any(err.field == "reference" for err in found) \
            and not eligibility.tidy(form.reference.data or ""):
        try:
            eligibility.check_reference(round_, form.reference.data)
        except ServiceError as err:
            found.append(err)
    return found


@bp.post("/<int:round_id>/cast")
@_reference_limit("RATELIMIT_REFERENCE_TRIES_PER_IP", client_ip)
@_reference_limit("RATELIMIT_REFERENCE_TRIES_PER_PERSON", _voter_key)
@login_required
def cast(round_id: int):
    round_, heading = _setup(round_id)
    if heading is None:
        abort(403)
    form = CastForm()
    if not form.validate_on_submit() and (form.csrf_token.errors or not form.is_submitted()):
        abort(400)
    choices = read_choices(round_, request.form)
    session.pop(DRAFT, None)  # whatever happens, the choices do not stay in the session
    problems: list[ServiceError] = []
    try:
        problems = _form_problems(round_, form)
        if problems:  # the ballot, the phase and the roll are checked first all the same
            ballot_problems = voting.problems_with(heading, choices)
            if ballot_problems:
                raise voting.InvalidBallot(ballot_problems)
            refused = _cannot_vote(round_, heading)
            if refused:
                return refused
            raise problems[0]
        done = voting.cast_ballot(current_user, heading, choices, reference=form.reference.data,
                                  age_declared=form.age_declared.data)
    except voting.InvalidBallot as err:
        return _render_ballot(round_, heading, choices, err.problems, 400)
    except ServiceError as err:
        if err.field not in ("reference", AGE_FIELD):
            return render_template("voting/refused.html", round=round_, message=err.message), err.status
        # the choices are valid: they wait in the session for the form to be put right, as before
        session[DRAFT] = ballot_box.seal_draft(current_user.id, round_.id, choices)
        for problem in problems or [err]:
            form.add_service_error(problem)
        if (form.reference.data or "").strip() and form.reference.errors:
            g.reference_refused = True  # counts towards the limits on guessing references
        return _render_check(round_, heading, choices, form, err.status)
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

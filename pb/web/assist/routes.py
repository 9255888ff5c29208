"""Assisted voting on an officer's device, and keying paper ballots.

Assisted voting: the officer checks the resident (`resident`), the resident chooses on
the officer's device (`ballot`, the residents' own ballot page), checks (`confirm`) and
casts (`cast`), and the officer's page shows the receipt once, straight from the cast, so
nothing about the ballot stays in the officer's session: no draft, no token. Which
resident is being assisted waits in the session sealed (like a ballot draft), bound to
the officer and the round, for 15 minutes; the cast, "Cancel" and sign-out clear it.
"""

import base64

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from pb.models import Paper, PaperBatch, Person, Round, db
from pb.models.people import _now
from pb.policy import can
from pb.services import assisted, ballot_box, eligibility, paper, voting
from pb.services.errors import ServiceError
from pb.services.proposals import on_ballot
from pb.services.rounds import current_phase, is_public
from pb.web.assist import bp
from pb.web.assist.forms import BatchForm, CastForm, KeyingForm, ResidentForm, ResolveForm
from pb.web.fields import WebForm
from pb.web.voting.routes import _ranked_slots, problem_messages, read_choices

ASSIST = "assisting"  # the session key of the sealed "who is being assisted" (and their choices)
ASSIST_LIFETIME_SECONDS = 15 * 60


@bp.before_request
def officers_only():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not (can(current_user, "assist_voter") or can(current_user, "key_paper")):
        abort(403)
    return None


def _round_or_404(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None or not is_public(round_):
        abort(404)
    return round_


@bp.context_processor
def assist_helpers():
    return {"current_phase": current_phase}


# -- the resident being assisted, sealed in the officer's session -------------------------

def _seal_state(round_: Round, state: dict) -> None:
    state = {**state, "expires": state.get("expires") or
             (_now().timestamp() + ASSIST_LIFETIME_SECONDS)}
    sealed = ballot_box.seal(f"assist:{current_user.id}", round_.id, state, pad_to=ballot_box.DRAFT_PAD_TO)
    session[ASSIST] = base64.urlsafe_b64encode(sealed).decode()


def _state(round_: Round) -> dict | None:
    """The live state for this round, or None (absent, altered, another officer's or round's, stale)."""
    text = session.get(ASSIST)
    if not isinstance(text, str) or len(text) > 20_000:
        return None
    try:
        state = ballot_box.unseal(f"assist:{current_user.id}", round_.id, base64.urlsafe_b64decode(text))
    except (ballot_box.SealBroken, ValueError):
        return None
    if not isinstance(state.get("expires"), (int, float)) or state["expires"] < _now().timestamp():
        session.pop(ASSIST, None)
        return None
    return state


def clear_assisting() -> None:
    session.pop(ASSIST, None)


def _assisting(round_: Round):
    """(state, resident, heading) for the resident being assisted in this round, or a redirect."""
    state = _state(round_)
    person = db.session.get(Person, state["person_id"]) if state else None
    heading = None
    if person is not None:
        heading = next((h for h in round_.headings if h.ward_id == person.ward_id), None)
    if heading is None:
        flash(gettext("Check the resident's identity first. A check lasts 15 minutes."), "error")
        return None, None, redirect(url_for("assist.resident", round_id=round_.id))
    return state, person, heading


# -- pages ----------------------------------------------------------------------------------

@bp.get("/")
def index():
    rounds = [r for r in db.session.scalars(select(Round).order_by(Round.id))
              if is_public(r) and current_phase(r) in ("voting", "counting")]
    return render_template("assist/index.html", rounds=rounds, form=WebForm())


@bp.post("/cancel")
def cancel():
    if not WebForm().validate_on_submit():
        abort(400)
    clear_assisting()
    flash(gettext("Nothing was cast. The resident's details have been cleared from this device."))
    return redirect(url_for("assist.index"), code=303)


@bp.route("/rounds/<int:round_id>/resident", methods=["GET", "POST"])
def resident(round_id: int):
    round_ = _round_or_404(round_id)
    if not can(current_user, "assist_voter", round_):
        abort(403)
    if current_phase(round_) != "voting":
        return render_template("assist/closed.html", round=round_), 409
    form = ResidentForm()
    needs_reference = eligibility.has_list(round_)
    status = 200
    if form.is_submitted():
        if not form.validate_on_submit() and form.csrf_token.errors:
            abort(400)
        if not form.errors:
            try:
                person = assisted.check_resident(
                    current_user, round_, name=form.name.data, born=form.born.data,
                    postcode=form.postcode.data, method=form.method.data, note=form.note.data,
                    reference=form.reference.data if needs_reference else None)
            except ServiceError as err:
                form.add_service_error(err)
                status = err.status
            else:
                clear_assisting()
                _seal_state(round_, {"person_id": person.id,
                                     "reference": form.reference.data if needs_reference else None})
                return redirect(url_for("assist.ballot", round_id=round_.id), code=303)
        else:
            status = 400
    return render_template("assist/resident.html", round=round_, form=form, needs_reference=needs_reference,
                           errors=form.error_list()), status


def _render_ballot(round_, heading, choices, problems=(), status=200):
    projects = on_ballot(heading)
    chosen_cost = sum(p.cost for p in projects if round_.ballot_type == "knapsack" and p.project_id in choices)
    return render_template(
        "voting/ballot.html", round=round_, heading=heading, projects=projects, choices=choices,
        errors=problem_messages(problems, round_, projects, choices), chosen_cost=chosen_cost,
        slots=_ranked_slots(round_, projects), form=WebForm(),
        ballot_action=url_for("assist.ballot", round_id=round_.id), assisted=True), status


@bp.route("/rounds/<int:round_id>/ballot", methods=["GET", "POST"])
def ballot(round_id: int):
    round_ = _round_or_404(round_id)
    if not can(current_user, "assist_voter", round_):
        abort(403)
    if current_phase(round_) != "voting":
        return render_template("assist/closed.html", round=round_), 409
    state, person, heading = _assisting(round_)
    if state is None:
        return heading
    empty = {} if round_.ballot_type == "cumulative" else []
    if request.method == "GET":
        return _render_ballot(round_, heading, state.get("choices") or empty)
    if not WebForm().validate_on_submit():
        abort(400)
    choices = read_choices(round_, request.form)
    if request.form.get("action") in ("update", "change"):
        return _render_ballot(round_, heading, choices)
    problems = voting.problems_with(heading, choices)
    if problems:
        return _render_ballot(round_, heading, choices, problems, 400)
    _seal_state(round_, {**state, "choices": choices})
    return redirect(url_for("assist.confirm", round_id=round_.id), code=303)


@bp.get("/rounds/<int:round_id>/confirm")
def confirm(round_id: int):
    round_ = _round_or_404(round_id)
    if not can(current_user, "assist_voter", round_):
        abort(403)
    if current_phase(round_) != "voting":
        return render_template("assist/closed.html", round=round_), 409
    state, person, heading = _assisting(round_)
    if state is None:
        return heading
    choices = state.get("choices")
    if choices is None or voting.problems_with(heading, choices):
        return redirect(url_for("assist.ballot", round_id=round_.id))
    return render_template("assist/confirm.html", round=round_, heading=heading, choices=choices,
                           projects={p.project_id: p for p in on_ballot(heading)}, form=CastForm())


@bp.post("/rounds/<int:round_id>/cast")
def cast(round_id: int):
    round_ = _round_or_404(round_id)
    if not can(current_user, "assist_voter", round_):
        abort(403)
    if not CastForm().validate_on_submit():
        abort(400)
    state, person, heading = _assisting(round_)
    if state is None:
        return heading
    choices = state.get("choices")
    clear_assisting()  # whatever happens, nothing about this resident or ballot stays here
    if choices is None:
        return redirect(url_for("assist.resident", round_id=round_.id))
    try:
        done = voting.cast_ballot(person, heading, choices, channel="assisted", reference=state.get("reference"),
                                  **assisted.cast_options(round_))
    except voting.InvalidBallot as err:
        _seal_state(round_, {k: v for k, v in state.items() if k != "choices"})
        return _render_ballot(round_, heading, choices, err.problems, 400)
    except ServiceError as err:
        return render_template("assist/refused.html", round=round_, message=err.message), err.status
    # the receipt is shown on this response, once; the token is ended at once, so no
    # equality questions follow and the officer's session never holds it
    receipt = ballot_box.take_receipt(done.token) or done.receipt
    ballot_box.end_token(done.token)
    return render_template("assist/done.html", round=round_, heading=heading, receipt=receipt)


# -- paper ballots --------------------------------------------------------------------------

def _heading_choices(round_: Round):
    return [("", gettext("Choose the ward"))] + [(str(h.id), h.ward.name) for h in round_.headings]


@bp.route("/rounds/<int:round_id>/paper", methods=["GET", "POST"])
def paper_round(round_id: int):
    round_ = _round_or_404(round_id)
    if not can(current_user, "key_paper", round_):
        abort(403)
    form = BatchForm()
    form.heading.choices = _heading_choices(round_)
    status = 200
    if form.is_submitted():
        if not form.validate_on_submit() and form.csrf_token.errors:
            abort(400)
        heading = next((h for h in round_.headings if str(h.id) == form.heading.data), None)
        if heading is None and not form.heading.errors:
            form.heading.errors = [gettext("Choose the ward")]
        if not form.errors:
            try:
                batch = paper.create_batch(current_user, heading, form.label.data, form.expected.data)
            except ServiceError as err:
                form.add_service_error(err)
                status = err.status
            else:
                return redirect(url_for("assist.paper_batch", batch_id=batch.id), code=303)
        else:
            status = 400
    batches = [(b, paper.summary(b)) for b in paper.batches_of(round_)]
    return render_template("assist/paper_round.html", round=round_, form=form, batches=batches,
                           keying_open=paper.keying_open(round_), mismatches=paper.mismatches(round_),
                           unsettled=paper.unsettled(round_), errors=form.error_list()), status


def _batch_or_404(batch_id: int) -> PaperBatch:
    batch = db.session.get(PaperBatch, batch_id)
    if batch is None or not is_public(batch.heading.round):
        abort(404)
    if not can(current_user, "key_paper", batch.heading.round):
        abort(403)
    return batch


def _render_batch(batch, form, choices=None, problems=(), status=200):
    round_ = batch.heading.round
    projects = on_ballot(batch.heading)
    choices = choices if choices is not None else ({} if round_.ballot_type == "cumulative" else [])
    errors = form.error_list() + problem_messages(problems, round_, projects, choices)
    return render_template("assist/paper_batch.html", batch=batch, round=round_, heading=batch.heading,
                           form=form, projects=projects, choices=choices, slots=_ranked_slots(round_, projects),
                           summary=paper.summary(batch), keying_open=paper.keying_open(round_),
                           errors=errors, has_problems=bool(problems), may_resolve=can), status


@bp.route("/paper/batches/<int:batch_id>", methods=["GET", "POST"])
def paper_batch(batch_id: int):
    batch = _batch_or_404(batch_id)
    round_ = batch.heading.round
    form = KeyingForm()
    if not form.is_submitted():
        return _render_batch(batch, form)
    if not form.validate_on_submit() and form.csrf_token.errors:
        abort(400)
    choices = read_choices(round_, request.form)
    if form.errors:
        return _render_batch(batch, form, choices, status=400)
    try:
        done = paper.key_paper(current_user, batch, form.number.data, choices, spoilt=form.spoilt.data)
    except voting.InvalidBallot as err:
        return _render_batch(batch, form, choices, err.problems, 400)
    except ServiceError as err:
        form.add_service_error(err)
        return _render_batch(batch, form, choices, status=err.status)
    messages = {
        "keyed_once": gettext("Paper %(num)s keyed. A different officer must key it a second time.", num=done.number),
        "agreed": gettext("Paper %(num)s keyed a second time: both keyings agree, so it will be counted.",
                          num=done.number),
        "spoilt": gettext("Paper %(num)s keyed a second time: both keyings say it is spoilt.", num=done.number),
        "mismatch": gettext("Paper %(num)s keyed a second time: the keyings do not agree. A supervisor must "
                            "check the paper.", num=done.number),
    }
    flash(messages.get(done.status, ""))
    return redirect(url_for("assist.paper_batch", batch_id=batch.id), code=303)


@bp.route("/paper/papers/<int:paper_id>/resolve", methods=["GET", "POST"])
def resolve(paper_id: int):
    found = db.session.get(Paper, paper_id)
    if found is None or not is_public(found.batch.heading.round):
        abort(404)
    if not can(current_user, "key_paper", found.batch.heading.round):
        abort(403)
    batch = found.batch
    round_ = batch.heading.round
    projects = on_ballot(batch.heading)
    empty = {} if round_.ballot_type == "cumulative" else []
    form = ResolveForm()
    may = can(current_user, "resolve_paper", found)

    def render(choices, problems=(), errors=(), status=200):
        items = list(errors) + problem_messages(problems, round_, projects, choices)
        return render_template("assist/resolve.html", paper=found, batch=batch, round=round_, heading=batch.heading,
                               form=form, projects=projects, choices=choices, slots=_ranked_slots(round_, projects),
                               errors=items, has_problems=bool(problems), may_resolve=may), status

    if not form.is_submitted():
        return render(empty)
    if not form.validate_on_submit():
        abort(400)
    choices = read_choices(round_, request.form)
    try:
        paper.resolve_paper(current_user, found, choices, spoilt=form.spoilt.data)
    except voting.InvalidBallot as err:
        return render(choices, err.problems, status=400)
    except ServiceError as err:
        return render(choices, errors=[{"text": err.message}], status=err.status)
    flash(gettext("Paper %(num)s of %(batch)s is settled.", num=found.number, batch=batch.label))
    return redirect(url_for("assist.paper_round", round_id=round_.id), code=303)


from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from pb.models import PHASES, Heading, Proposal, Round, db
from pb.policy import can
from pb.services import proposals as proposal_service
from pb.services import rounds as round_dates
from pb.services.errors import ServiceError
from pb.services.rounds import current_phase, is_public, public_rounds, published
from pb.services.voting import ballot_for_receipt
from pb.web.errors import MAX_ID
from pb.web.fields import WebForm
from pb.web.rounds import bp
from pb.web.rounds.forms import ProposalForm, ReceiptForm
from pb.web.rounds.presenters import (
    DELIVERY_NAMES,
    PHASE_NAMES,
    STATUS_COLOURS,
    STATUS_NAMES,
    results_view,
)
from pb.web.rounds.stamps import results_stamp, round_stamp, rounds_stamp


def _round(round_id: int, *relations) -> Round:
    """A published round; a draft is not there for the public (staff see it in admin).
    ``relations`` are loaded with it, in one query each, for pages that walk them."""
    round_ = db.session.get(Round, round_id, options=list(relations))
    if round_ is None or not is_public(round_):
        abort(404)
    return round_


def _heading(round_: Round, heading_id: int) -> Heading:
    # its ward and result in the same query (pages name the ward; results need the result)
    heading = db.session.get(Heading, heading_id, options=[joinedload(Heading.ward), joinedload(Heading.result)])
    if heading is None or heading.round_id != round_.id:
        abort(404)
    return heading


def _my_heading(round_: Round) -> Heading | None:
    """The signed-in person's ward's heading: one query, without loading the ward or every
    heading of the round (what heading_for would walk)."""
    if current_user.is_authenticated and current_user.ward_id is not None:
        return db.session.scalar(select(Heading).where(
            Heading.round_id == round_.id, Heading.ward_id == current_user.ward_id))
    return None


@bp.get("/")
def index():
    # the same for everyone: kept per language and day until a round changes (pb.web.fragments)
    return render_template("rounds/index.html", rounds=lambda: db.session.scalars(
        public_rounds().order_by(Round.voting_from.desc())
        .options(selectinload(Round.headings).selectinload(Heading.ward))).all(),
        phase_of=current_phase, phase_names=PHASE_NAMES, today=round_dates.today(), rounds_stamp=rounds_stamp())


@bp.get("/<int:round_id>")
def show(round_id: int):
    round_ = _round(round_id)
    phase = current_phase(round_)
    # all but the buttons for the signed-in person is the same for everyone: kept per language
    # and phase until the round's stamp changes; its relations are loaded only to render it
    return render_template("rounds/show.html", round=round_, phase=phase,
                           phases=PHASES, phase_names=PHASE_NAMES, my_heading=_my_heading(round_),
                           published=published, round_stamp=round_stamp(round_),
                           headings=lambda: _headings_of(round_))


def _headings_of(round_: Round) -> list[Heading]:
    return list(db.session.scalars(
        select(Heading).where(Heading.round_id == round_.id).order_by(Heading.id)
        .options(selectinload(Heading.ward), selectinload(Heading.result))))


@bp.get("/<int:round_id>/wards/<int:heading_id>/proposals")
def proposals(round_id: int, heading_id: int):
    round_ = _round(round_id)
    heading = _heading(round_, heading_id)
    return render_template("rounds/proposals.html", round=round_, heading=heading,
                           proposals=proposal_service.public_proposals(heading),
                           categories=proposal_service.CATEGORIES, phase=current_phase(round_))


@bp.get("/<int:round_id>/proposals/<int:proposal_id>")
def proposal(round_id: int, proposal_id: int):
    round_ = _round(round_id)
    item = db.session.get(Proposal, proposal_id)
    if item is None or item.heading.round_id != round_.id:
        abort(404)
    if item.status == "draft" and not (current_user.is_authenticated and item.author_id == current_user.id):
        abort(404)
    return render_template("rounds/proposal.html", round=round_, proposal=item,
                           categories=proposal_service.CATEGORIES, phase=current_phase(round_))


@bp.route("/<int:round_id>/propose", methods=["GET", "POST"])
@bp.route("/<int:round_id>/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def propose(round_id: int, proposal_id: int | None = None):
    round_ = _round(round_id)
    heading = _my_heading(round_)
    if heading is None:
        return render_template("rounds/not_your_ward.html", round=round_), 403
    existing = None
    if proposal_id is not None:
        existing = db.session.get(Proposal, proposal_id)
        if existing is None or existing.author_id != current_user.id or existing.heading_id != heading.id:
            abort(404)
    form = ProposalForm(obj=existing)
    if form.validate_on_submit():
        data = {field: getattr(form, field).data for field in proposal_service.EDITABLE_FIELDS}
        data["location"] = data["location"] or None
        try:
            saved = proposal_service.save_proposal(
                current_user, heading, data, submit=request.form.get("action") == "submit",
                proposal=existing)
        except ServiceError as err:
            (getattr(form, err.field).errors if err.field else form.form_errors).append(err.message)
            return render_template("rounds/propose.html", round=round_, heading=heading, form=form,
                                   proposal=existing), err.status
        return redirect(url_for("rounds.my_proposals", round_id=round_.id, saved=saved.id))
    status = 400 if form.errors else 200
    return render_template("rounds/propose.html", round=round_, heading=heading, form=form,
                           proposal=existing), status


@bp.post("/<int:round_id>/proposals/<int:proposal_id>/withdraw")
@login_required
def withdraw(round_id: int, proposal_id: int):
    round_ = _round(round_id)
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.heading.round_id != round_.id or proposal.author_id != current_user.id:
        abort(404)
    if not WebForm().validate_on_submit():
        abort(400)
    try:
        proposal_service.withdraw_proposal(current_user, proposal)
    except ServiceError as err:
        return render_template("rounds/refused.html", round=round_, message=err.message), err.status
    return redirect(url_for("rounds.my_proposals", round_id=round_.id), code=303)


@bp.get("/<int:round_id>/my-proposals")
@login_required
def my_proposals(round_id: int):
    round_ = _round(round_id)
    mine = db.session.scalars(select(Proposal).join(Heading).where(
        Heading.round_id == round_.id, Proposal.author_id == current_user.id).order_by(Proposal.id)).all()
    saved_id = request.args.get("saved", type=int)
    saved = db.session.get(Proposal, saved_id) if saved_id and 1 <= saved_id <= MAX_ID else None
    return render_template("rounds/my_proposals.html", round=round_, proposals=mine,
                           saved=saved if saved in mine else None, phase=current_phase(round_))


@bp.route("/<int:round_id>/wards/<int:heading_id>/results", methods=["GET", "POST"])
def results(round_id: int, heading_id: int):
    round_ = _round(round_id)
    heading = _heading(round_, heading_id)
    # officers see a count before it is published, to check it; everyone else waits
    preview = not published(heading)
    if preview and (heading.result is None or not can(current_user, "preview_results", round_)):
        return render_template("rounds/results_not_yet.html", round=round_, heading=heading), 404
    # a receipt is checked by POST only, so it never appears in a URL, a log line or a link
    form = ReceiptForm(request.form if request.method == "POST" else None)
    found = None
    status = 200
    if request.method == "POST" and not preview:
        if form.validate():
            found = ballot_for_receipt(heading, form.receipt.data) is not None
        else:
            status = 400
    # the middle of the page (projects, turnout, how the votes were counted, downloads) is the
    # same for everyone: rendered once per language and kept until its stamp changes
    return render_template("rounds/results.html", round=round_, heading=heading, form=form,
                           found=found, results=lambda: results_view(heading), preview=preview,
                           results_stamp=results_stamp(heading)), status


@bp.get("/<int:round_id>/wards/<int:heading_id>/ballots.pb")
def ballots_file(round_id: int, heading_id: int):
    round_ = _round(round_id)
    heading = _heading(round_, heading_id)
    if not published(heading):
        abort(404)
    name = f"lambeth_{heading.ward.slug}_round_{round_.id}.pb"
    return Response(heading.result.pabulib, mimetype="text/plain; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.app_template_global()
def status_tag(status: str) -> Markup:
    """A proposal's status as a GOV.UK tag, in one wording and one colour everywhere."""
    colour = STATUS_COLOURS.get(status, "grey")
    return Markup(f'<strong class="govuk-tag govuk-tag--{colour}">'
                  f'{escape(STATUS_NAMES.get(status, status))}</strong>')


bp.add_app_template_global(status_tag, "status_tag_html")  # for templates whose macro shadows it


@bp.app_template_global()
def delivery_name(status: str):
    return DELIVERY_NAMES.get(status, status)

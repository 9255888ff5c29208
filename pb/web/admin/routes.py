"""Staff pages for budget rounds: officers and admins manage every round, councillors the
rounds in their wards. Views only translate between forms and the services; every rule
lives in pb.policy and pb.services, and a ServiceError is shown next to its field."""

import json

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import BuildError

from pb import i18n
from pb.i18n import ngettext  # the count in the reader's locale
from pb.models import PHASES, Heading, Proposal, Round, Ward, db
from pb.policy import can
from pb.services import eligibility, plans, sms_vote
from pb.services.counting import is_counted, mix_and_count
from pb.services.errors import ServiceError
from pb.services.proposals import CATEGORIES, review_proposal, update_delivery
from pb.services.rounds import (
    create_round,
    current_phase,
    delete_draft,
    extend_voting,
    has_reached,
    is_frozen,
    last_day,
    move_phase_date,
    publish_round,
    published,
    unpublish_round,
    update_draft,
)
from pb.web.admin import bp
from pb.web.admin.forms import (
    BALLOT_TYPE_NAMES,
    DELIVERY_NAMES,
    PHASE_DATE_FIELDS,
    PHASE_NAMES,
    RULE_NAMES,
    STATUS_NAMES,
    ConfirmForm,
    CountForm,
    DeliveryForm,
    EligibilityForm,
    ExtendVotingForm,
    MoveDateForm,
    ReviewForm,
    RoundForm,
)

# ---------------------------------------------------------------- who gets in


@bp.before_request
def staff_only():
    """Signed in (as flask_login.login_required would insist), and an officer, admin or councillor."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not can(current_user, "use_admin"):
        abort(403)
    return None


def _round_or_404(round_id: int) -> Round:
    return db.session.get(Round, round_id) or abort(404)


def _may_see(round_: Round) -> bool:
    return can(current_user, "see_round_admin", round_)


@bp.context_processor
def admin_helpers():
    return {
        "long_date": i18n.date_long,
        "phase_name": lambda key: PHASE_NAMES.get(key, key),
        "status_name": lambda key: STATUS_NAMES.get(key, key),
        "delivery_name": lambda key: DELIVERY_NAMES.get(key, key) if key else "",
        "ballot_type_name": lambda key: BALLOT_TYPE_NAMES.get(key, key),
        "rule_name": lambda key: RULE_NAMES.get(key, key),
        "category_name": lambda key: CATEGORIES.get(key, key),
        "can": can,
        "results_url": results_url,
    }


def results_url(round_id: int, heading_id: int) -> str:
    """The public results page (the resident side's `rounds.results`)."""
    try:
        return url_for("rounds.results", round_id=round_id, heading_id=heading_id)
    except BuildError:
        return f"/rounds/{round_id}/wards/{heading_id}/results"


# ---------------------------------------------------------------- dashboard


@bp.get("/")
def dashboard():
    query = select(Round).order_by(Round.proposals_from.desc(), Round.id.desc())
    rounds = [r for r in db.session.scalars(query) if can(current_user, "see_round_admin", r)]
    rows = [{"round": r, "phase": current_phase(r)} for r in rounds]
    return render_template("admin/dashboard.html", rows=rows,
                           may_create=can(current_user, "create_round", None),
                           every_round=can(current_user, "see_every_round"))


# ---------------------------------------------------------------- creating a round


def _wards_for_form():
    """All wards (what the service is asked about) and the wards this person is offered."""
    wards = db.session.scalars(select(Ward).order_by(Ward.name)).all()
    return wards, [ward for ward in wards if can(current_user, "create_round", ward)]


@bp.route("/rounds/new", methods=["GET", "POST"])
def new_round():
    if not can(current_user, "create_round", None):
        abort(403)
    wards, shown = _wards_for_form()
    return _round_form_page(RoundForm.for_wards(wards, shown),
                            lambda **fields: create_round(current_user, **fields),
                            action=url_for("admin.new_round"), editing=None)


def _round_form_page(form: RoundForm, save, *, action: str, editing: Round | None, extra=None):
    """The create and edit-draft pages: one form, and a service that saves it as a draft."""
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                round_ = save(title=form.title.data.strip(),
                              description=(form.description.data or "").strip(),
                              ballot_type=form.ballot_type.data, rule=form.rule.data,
                              headings=form.headings(), dates=form.dates(),
                              **form.ballot_settings())
            except ServiceError as err:
                form.add_service_error(err)
                status = err.status
            else:
                flash(gettext("Draft saved: %(title)s. Nobody outside the council sees it until "
                              "you publish it.", title=round_.title))
                return redirect(url_for("admin.round_page", round_id=round_.id))
    return render_template("admin/new_round.html", form=form, date_fields=PHASE_DATE_FIELDS,
                           phases=PHASES, action=action, editing=editing, **(extra or {})), status


def _draft_data(round_: Round) -> dict:
    data = {name: getattr(round_, name) for name in (
        "title", "description", "ballot_type", "rule", "points", "min_spend_percent",
        "min_choices", "max_choices", "min_age", "max_age")}
    data.update({f"{phase}_from": getattr(round_, f"{phase}_from") for phase in PHASES})
    data.update({f"budget_{h.ward_id}": h.budget for h in round_.headings})
    return data


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
def edit_round(round_id: int):
    round_ = _round_or_404(round_id)
    if not can(current_user, "manage_round", round_):
        abort(403)
    if round_.status != "draft":
        abort(409)
    wards, shown = _wards_for_form()
    # the ward plan priorities the round serves: checkboxes of the published plans' priorities
    chosen = (request.form.getlist("priorities") if request.method == "POST"
              else [str(p.id) for p in round_.priorities])

    def save(**fields):
        serves = plans.check_round_priorities([ward for ward, _budget in fields["headings"]], chosen)
        saved = update_draft(current_user, round_, **fields)
        return plans.set_round_priorities(current_user, saved, [p.id for p in serves])

    return _round_form_page(RoundForm.for_wards(wards, shown, data=_draft_data(round_)), save,
                            action=url_for("admin.edit_round", round_id=round_.id),
                            editing=round_, extra={"priority_options": plans.linkable_priorities(shown),
                                                   "chosen_priorities": set(chosen)})


# ---------------------------------------------------------------- one round


def _funded_ids(heading: Heading) -> set[str]:
    if not published(heading):
        return set()
    return {str(i) for i in json.loads(heading.result.selected)}


def _render_round(round_: Round, *, move_form=None, count_form=None, extend_form=None,
                  eligibility_form=None, status=200):
    phase = current_phase(round_)
    headings = []
    for heading in round_.headings:
        funded = _funded_ids(heading)
        proposals = [p for p in heading.proposals if p.status != "draft"]
        headings.append({"heading": heading, "proposals": proposals, "funded": funded})
    may_manage = can(current_user, "manage_round", round_)
    counted = is_counted(round_)
    may_count = can(current_user, "count_round", round_) and phase == "counting"
    may_extend = (can(current_user, "extend_voting", round_) and phase == "voting"
                  and not any(change.kind == "extension" for change in round_.date_changes))
    movable = [p for p in PHASES if not has_reached(round_, p)
               and not (p == "counting" and phase == "voting")]
    if phase == "draft" or not movable:
        move_form = None
    else:
        move_form = move_form or (MoveDateForm(formdata=None) if may_manage else None)
    count_form = count_form or (CountForm(formdata=None) if may_count else None)
    extend_form = extend_form or (ExtendVotingForm(formdata=None) if may_extend else None)
    may_list = can(current_user, "manage_eligibility", round_)
    if eligibility_form is None and may_list and not is_frozen(round_):
        eligibility_form = EligibilityForm(formdata=None)
    forms = [f for f in (move_form, count_form, extend_form, eligibility_form) if f is not None]
    # the base template titles the page "Error:" when `form` has errors
    form = next((f for f in forms if f.errors), count_form)
    errors = [item for f in forms for item in f.error_list()]
    return render_template(
        "admin/round.html", round=round_, phase=phase, phases=PHASES, headings=headings,
        move_form=move_form, count_form=count_form, extend_form=extend_form, form=form,
        eligibility_form=eligibility_form, may_list=may_list,
        list_size=eligibility.list_size(round_) if may_list else 0,
        errors=errors, movable=movable, confirm_form=ConfirmForm(formdata=None),
        may_manage=may_manage, may_review=can(current_user, "review_proposals", round_),
        may_track=can(current_user, "track_delivery", round_),
        frozen=is_frozen(round_), counted=counted, show_count=may_count,
        voting_closes=last_day(round_, "voting"),
        sms_spend=sms_vote.spend(round_) if can(current_user, "view_sms_spend", round_) else None,
    ), status


@bp.get("/rounds/<int:round_id>")
def round_page(round_id: int):
    round_ = _round_or_404(round_id)
    if not _may_see(round_):
        abort(403)
    return _render_round(round_)


def _round_form_post(round_id: int, action: str, form_class, form_key: str, run):
    """A staff form on the round page: ask the policy, check the form, let the service act.

    ``run(round_, form)`` returns the success message; a ServiceError goes next to its field
    and the round page is shown again with the form's errors."""
    round_ = _round_or_404(round_id)
    if not can(current_user, action, round_):
        abort(403)
    form = form_class()
    status = 400
    if form.validate():
        try:
            message = run(round_, form)
        except ServiceError as err:
            form.add_service_error(err)
            status = err.status
        else:
            flash(message)
            return redirect(url_for("admin.round_page", round_id=round_.id))
    return _render_round(_round_or_404(round_id), status=status, **{form_key: form})


@bp.post("/rounds/<int:round_id>/dates")
def move_date(round_id: int):
    def run(round_, form):
        change = move_phase_date(current_user, round_, form.phase.data, form.new_date.data,
                                 form.reason.data)
        return gettext("%(phase)s now starts on %(date)s", phase=PHASE_NAMES[change.phase],
                       date=i18n.date_long(change.new_date))

    return _round_form_post(round_id, "manage_round", MoveDateForm, "move_form", run)


@bp.post("/rounds/<int:round_id>/extend-voting")
def extend(round_id: int):
    def run(round_, form):
        extend_voting(current_user, round_, form.closes_on.data, form.reason.data)
        return gettext("Voting now closes at the end of %(date)s",
                       date=i18n.date_long(last_day(round_, "voting")))

    return _round_form_post(round_id, "extend_voting", ExtendVotingForm, "extend_form", run)


@bp.post("/rounds/<int:round_id>/eligibility")
def upload_eligibility(round_id: int):
    def run(round_, form):
        upload = form.references.data
        size = eligibility.upload_list(current_user, round_, upload.filename, upload.read())
        return ngettext("The eligibility list now holds %(num)s reference number",
                        "The eligibility list now holds %(num)s reference numbers", size)

    return _round_form_post(round_id, "manage_eligibility", EligibilityForm, "eligibility_form",
                            run)


def _lifecycle(round_id: int, action, message):
    """Publish, unpublish: a button with only its CSRF token, and the service decides."""
    round_ = _round_or_404(round_id)
    if not can(current_user, "manage_round", round_):
        abort(403)
    if not ConfirmForm().validate():
        abort(400)
    try:
        action(current_user, round_)
    except ServiceError as err:
        flash(str(err.message), "error")
        return _render_round(_round_or_404(round_id), status=err.status)
    flash(message(round_))
    return redirect(url_for("admin.round_page", round_id=round_id))


@bp.post("/rounds/<int:round_id>/publish")
def publish(round_id: int):
    return _lifecycle(round_id, publish_round,
                      lambda r: gettext("Published: residents can now see %(title)s", title=r.title))


@bp.post("/rounds/<int:round_id>/unpublish")
def unpublish(round_id: int):
    return _lifecycle(round_id, unpublish_round,
                      lambda r: gettext("%(title)s is a draft again: residents cannot see it",
                                        title=r.title))


@bp.route("/rounds/<int:round_id>/delete", methods=["GET", "POST"])
def delete(round_id: int):
    round_ = _round_or_404(round_id)
    if not can(current_user, "manage_round", round_):
        abort(403)
    if round_.status != "draft":
        abort(409)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = round_.title
        try:
            delete_draft(current_user, round_)
        except ServiceError as err:
            flash(str(err.message), "error")
            return redirect(url_for("admin.round_page", round_id=round_id))
        flash(gettext("Draft deleted: %(title)s", title=title))
        return redirect(url_for("admin.dashboard"))
    return render_template("admin/delete_round.html", round=round_, form=form)


@bp.post("/rounds/<int:round_id>/count")
def run_count(round_id: int):
    round_ = _round_or_404(round_id)
    if not can(current_user, "count_round", round_):
        abort(403)
    form = CountForm()
    if not form.validate():
        return _render_round(round_, count_form=form, status=400)
    try:
        results = mix_and_count(current_user, round_, form.reason.data)
    except ServiceError as err:
        form.add_service_error(err)
        return _render_round(_round_or_404(round_id), count_form=form, status=err.status)
    ballots = sum(result.ballots_counted for result in results)
    flash(ngettext("The count has run: %(num)s ballot counted.",
                   "The count has run: %(num)s ballots counted.", ballots))
    return redirect(url_for("admin.round_page", round_id=round_.id))


# ---------------------------------------------------------------- proposals


def _proposal_or_404(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.status == "draft":  # drafts are the author's own
        abort(404)
    return proposal


def _merge_targets(proposal: Proposal) -> list[Proposal]:
    return [p for p in proposal.heading.proposals
            if p.id != proposal.id and p.status not in ("draft", "merged")]


REVIEWED = {"accepted": "accept", "rejected": "reject", "unfeasible": "unfeasible", "merged": "merge"}


@bp.route("/proposals/<int:proposal_id>/review", methods=["GET", "POST"])
def review(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    round_ = proposal.heading.round
    if not can(current_user, "review_proposals", round_):
        abort(403)
    form = ReviewForm()
    form.set_merge_choices(_merge_targets(proposal))
    status = 200
    if not form.is_submitted():
        form.decision.data = REVIEWED.get(proposal.status)
        form.reason.data = proposal.feasibility_reason or ""
        form.final_cost.data = proposal.final_cost or proposal.rough_cost or None
        form.merge_into.data = str(proposal.merged_into_id) if proposal.merged_into_id else ""
    elif form.validate():
        merge_into = db.session.get(Proposal, int(form.merge_into.data)) \
            if form.decision.data == "merge" else None
        try:
            review_proposal(current_user, proposal, decision=form.decision.data, reason=form.reason.data,
                            final_cost=form.final_cost.data if form.decision.data == "accept" else None,
                            merge_into=merge_into)
        except ServiceError as err:
            form.add_service_error(err)
            status = err.status
        else:
            flash(gettext("Review saved: %(title)s is now ‘%(status)s’", title=proposal.title,
                          status=STATUS_NAMES[proposal.status]))
            return redirect(url_for("admin.round_page", round_id=round_.id))
    else:
        status = 400
    proposal = _proposal_or_404(proposal_id)
    return render_template("admin/review.html", proposal=proposal, round=proposal.heading.round,
                           form=form, frozen=is_frozen(proposal.heading.round)), status


@bp.route("/proposals/<int:proposal_id>/delivery", methods=["GET", "POST"])
def delivery(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    round_ = proposal.heading.round
    if not can(current_user, "track_delivery", round_):
        abort(403)
    if proposal.project_id not in _funded_ids(proposal.heading):
        abort(404)  # only funded projects, once the results are public, have a delivery to track
    form = DeliveryForm()
    status = 200
    if not form.is_submitted():
        form.status.data = proposal.delivery_status
        form.note.data = proposal.delivery_note or ""
        form.progress.data = proposal.delivery_progress
    elif form.validate():
        try:
            update_delivery(current_user, proposal, form.status.data, form.note.data or "",
                            progress=form.progress.data)
        except ServiceError as err:
            form.add_service_error(err)
            status = err.status
        else:
            flash(gettext("Delivery updated: %(title)s", title=proposal.title))
            return redirect(url_for("admin.round_page", round_id=round_.id))
    else:
        status = 400
    proposal = _proposal_or_404(proposal_id)
    return render_template("admin/delivery.html", proposal=proposal, round=proposal.heading.round,
                           form=form), status

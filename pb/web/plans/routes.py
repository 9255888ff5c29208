"""Ward plans: the public plan and tracker pages (with CSV and JSON downloads), and the
pages the ward's councillors and council staff use to draft, publish and update a plan.

Views only translate between forms and pb.services.plans; who may do what is pb.policy's
"manage_plan" and "post_outcome_update". A draft is not there for the public (404); a
signed-in member of staff who may not manage it gets 403 on every page of it.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from pb.models import Plan, PlanOutcome, PlanPriority, Ward, db
from pb.policy import can
from pb.services import plans as service
from pb.web.form_page import form_page
from pb.web.names import DELIVERY_COLOURS, DELIVERY_NAMES
from pb.web.plans import bp, exports
from pb.web.plans.forms import (
    ConfirmForm,
    MoveForm,
    OutcomeForm,
    PlanForm,
    PriorityForm,
    PublishForm,
    UpdateForm,
)
from pb.web.plans.names import (
    OUTCOME_STATUS_COLOURS,
    OUTCOME_STATUS_NAMES,
    PLAN_STATE_COLOURS,
    PLAN_STATE_NAMES,
    POSTER_ROLE_NAMES,
)

# ---------------------------------------------------------------- showing text safely


def plain_paragraphs(text: str | None) -> Markup:
    """Text as typed, shown as paragraphs (one per line): every character escaped, no
    markup of any kind taken from it."""
    lines = [line.strip() for line in (text or "").splitlines()]
    return Markup("".join(f'<p class="govuk-body">{escape(line)}</p>' for line in lines if line))


@bp.app_template_filter("plain_paragraphs")
def _plain_paragraphs_filter(text):
    return plain_paragraphs(text)


def outcome_tag(status: str) -> Markup:
    colour = OUTCOME_STATUS_COLOURS.get(status, "grey")
    return Markup(f'<strong class="govuk-tag govuk-tag--{colour}">'
                  f'{escape(OUTCOME_STATUS_NAMES.get(status, status))}</strong>')


def plan_state_tag(state: str) -> Markup:
    colour = PLAN_STATE_COLOURS.get(state, "grey")
    return Markup(f'<strong class="govuk-tag govuk-tag--{colour}">'
                  f'{escape(PLAN_STATE_NAMES.get(state, state))}</strong>')


def poster(update) -> str:
    """"Cllr Jane Doe, councillor for Brixton Windrush" or "Sam Lee, council officer"."""
    role = POSTER_ROLE_NAMES.get(update.author_role)
    ward = update.outcome.plan.ward.name
    described = role % {"ward": ward} if role is not None else update.author_role
    return gettext("%(name)s, %(role)s", name=update.author_name, role=described)


@bp.context_processor
def plan_helpers():
    return {
        "outcome_tag": outcome_tag,
        "plan_state_tag": plan_state_tag,
        "outcome_status_name": lambda s: OUTCOME_STATUS_NAMES.get(s, s),
        "outcome_statuses": list(OUTCOME_STATUS_NAMES),
        "delivery_name": lambda s: DELIVERY_NAMES.get(s, s),
        "delivery_colour": lambda s: DELIVERY_COLOURS.get(s, "grey"),
        "poster": poster,
        "is_overdue": service.is_overdue,
    }


# ---------------------------------------------------------------- finding things


def _signed_in() -> None:
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())


def _need(action: str, subject) -> None:
    """Signed in (or off to the staff sign-in), and allowed (or 403)."""
    _signed_in()
    if not can(current_user, action, subject):
        abort(403)


def _ward(slug: str) -> Ward:
    return db.session.scalar(select(Ward).where(Ward.slug == slug)) or abort(404)


def _plan(plan_id: int) -> Plan:
    """A plan this visitor may see: a draft is missing for the public, forbidden for staff
    who may not manage it."""
    plan = db.session.get(Plan, plan_id) or abort(404)
    if service.may_see(current_user, plan):
        return plan
    if current_user.is_authenticated and can(current_user, "use_admin"):
        abort(403)
    abort(404)


def _managed(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id) or abort(404)
    _need("manage_plan", plan)
    return plan


def _draft(plan: Plan) -> None:
    """Editable: a draft, or a plan whose consultation has closed."""
    if plan.state == "published" or (plan.state == "consultation" and not service.consultation_closed(plan)):
        abort(409)


def _priority(plan: Plan, priority_id: int) -> PlanPriority:
    priority = db.session.get(PlanPriority, priority_id)
    if priority is None or priority.plan_id != plan.id:
        abort(404)
    return priority


def _outcome(plan: Plan, outcome_id: int) -> PlanOutcome:
    outcome = db.session.get(PlanOutcome, outcome_id)
    if outcome is None or outcome.plan_id != plan.id:
        abort(404)
    return outcome


def _plan_url(plan: Plan, anchor: str | None = None) -> str:
    return url_for("plans.show", plan_id=plan.id, _anchor=anchor)


# ---------------------------------------------------------------- public pages


@bp.get("/wards/<slug>/plans")
def ward_plans(slug: str):
    ward = _ward(slug)
    return render_template("plans/ward_plans.html", ward=ward, plans=service.plans_for(current_user, ward),
                           may_create=can(current_user, "manage_plan", ward))


@bp.get("/wards/<slug>/plan")
def current(slug: str):
    ward = _ward(slug)
    plan = service.current_plan(ward)
    if plan is None:
        return render_template("plans/no_plan.html", ward=ward,
                               may_create=can(current_user, "manage_plan", ward)), 404
    return _show(plan)


@bp.get("/plans/<int:plan_id>")
def show(plan_id: int):
    return _show(_plan(plan_id))


def _show(plan: Plan):
    manage = can(current_user, "manage_plan", plan)
    from pb.services.consultation import plan_consultation

    return render_template("plans/show.html", plan=plan, manage=manage, consultation=plan_consultation(plan),
                           may_update=can(current_user, "post_outcome_update", plan),
                           rounds=service.plan_rounds(plan), today=service.today(),
                           confirm=ConfirmForm(), move_form=MoveForm())


@bp.get("/plans/<int:plan_id>.csv")
def plan_csv(plan_id: int):
    plan = _plan(plan_id)
    return exports.csv_response(exports.plan_rows(plan), exports.PLAN_FIELDS, f"plan-{plan.ward.slug}-{plan.id}")


@bp.get("/plans/<int:plan_id>.json")
def plan_json(plan_id: int):
    plan = _plan(plan_id)
    return exports.json_response(exports.plan_document(plan), f"plan-{plan.ward.slug}-{plan.id}")


@bp.get("/wards/<slug>/tracker")
def ward_tracker(slug: str):
    ward = _ward(slug)
    return render_template("plans/tracker.html", ward=ward, view=service.tracker(ward))


@bp.get("/wards/<slug>/tracker.csv")
def ward_tracker_csv(slug: str):
    ward = _ward(slug)
    return exports.csv_response(exports.tracker_rows(service.tracker(ward)), exports.TRACKER_FIELDS,
                                f"tracker-{ward.slug}")


@bp.get("/wards/<slug>/tracker.json")
def ward_tracker_json(slug: str):
    ward = _ward(slug)
    return exports.json_response(exports.tracker_document(service.tracker(ward)), f"tracker-{ward.slug}")


@bp.get("/tracker")
def tracker():
    return render_template("plans/tracker.html", ward=None, view=service.tracker(None))


@bp.get("/tracker.csv")
def tracker_csv():
    return exports.csv_response(exports.tracker_rows(service.tracker(None)), exports.TRACKER_FIELDS,
                                "tracker-lambeth")


@bp.get("/tracker.json")
def tracker_json():
    return exports.json_response(exports.tracker_document(service.tracker(None)), "tracker-lambeth")


# ---------------------------------------------------------------- the plan itself


def _plan_fields(form: PlanForm) -> dict:
    return {"title": form.title.data, "start_year": form.start_year.data, "end_year": form.end_year.data,
            "summary": form.summary.data, "you_said_we_did": form.you_said_we_did.data or ""}


@bp.route("/plans/new", methods=["GET", "POST"])
def new_plan():
    _signed_in()
    slug = request.args.get("ward", "")
    ward = db.session.scalar(select(Ward).where(Ward.slug == slug)) if slug else None
    if ward is None:
        if not can(current_user, "use_admin"):
            abort(403)
        wards = [w for w in db.session.scalars(select(Ward).order_by(Ward.name))
                 if can(current_user, "manage_plan", w)]
        if not wards:
            abort(403)
        return render_template("plans/choose_ward.html", wards=wards)
    _need("manage_plan", ward)
    form = PlanForm()

    def done(plan):
        flash(gettext("Draft plan saved. Nobody outside the council sees it until you publish it."))
        return redirect(_plan_url(plan))

    return form_page(form, "plans/plan_form.html",
                     lambda: service.create_plan(current_user, ward, **_plan_fields(form)), done,
                     ward=ward, plan=None, action=url_for("plans.new_plan", ward=ward.slug))


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
def edit_plan(plan_id: int):
    plan = _managed(plan_id)
    _draft(plan)
    form = PlanForm(data={"title": plan.title, "start_year": plan.start_year, "end_year": plan.end_year,
                          "summary": plan.summary, "you_said_we_did": plan.you_said_we_did or ""})

    def done(plan):
        flash(gettext("Plan saved."))
        return redirect(_plan_url(plan))

    return form_page(form, "plans/plan_form.html",
                     lambda: service.update_plan(current_user, plan, **_plan_fields(form)), done,
                     ward=plan.ward, plan=plan, action=url_for("plans.edit_plan", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/publish", methods=["GET", "POST"])
def publish(plan_id: int):
    plan = _managed(plan_id)
    _draft(plan)
    consulted = plan.state == "consultation"
    form = PublishForm(data={"you_said_we_did": plan.you_said_we_did or ""})

    def done(plan):
        flash(gettext("Plan published. Residents can now see it."))
        return redirect(_plan_url(plan))

    def save():
        return service.publish_plan(current_user, plan,
                                    you_said_we_did=(form.you_said_we_did.data or "") if consulted else None)

    return form_page(form, "plans/confirm.html", save, done, plan=plan, kind="publish", consulted=consulted)


@bp.route("/plans/<int:plan_id>/delete", methods=["GET", "POST"])
def delete(plan_id: int):
    plan = _managed(plan_id)
    _draft(plan)
    form = ConfirmForm()
    ward = plan.ward

    def done(_):
        flash(gettext("Draft plan deleted."))
        return redirect(url_for("plans.ward_plans", slug=ward.slug))

    return form_page(form, "plans/confirm.html", lambda: service.delete_plan(current_user, plan), done,
                     plan=plan, kind="delete")


# ---------------------------------------------------------------- priorities


def _priority_page(plan: Plan, form: PriorityForm, save, *, priority=None):
    def done(_):
        flash(gettext("Priority saved."))
        return redirect(_plan_url(plan, "priorities"))

    return form_page(form, "plans/priority_form.html", save, done, plan=plan, priority=priority)


@bp.route("/plans/<int:plan_id>/priorities/new", methods=["GET", "POST"])
def new_priority(plan_id: int):
    plan = _managed(plan_id)
    _draft(plan)
    form = PriorityForm()
    return _priority_page(plan, form, lambda: service.add_priority(
        current_user, plan, title=form.title.data, description=form.description.data or ""))


@bp.route("/plans/<int:plan_id>/priorities/<int:priority_id>/edit", methods=["GET", "POST"])
def edit_priority(plan_id: int, priority_id: int):
    plan = _managed(plan_id)
    priority = _priority(plan, priority_id)
    _draft(plan)
    form = PriorityForm(data={"title": priority.title, "description": priority.description})
    return _priority_page(plan, form, lambda: service.update_priority(
        current_user, priority, title=form.title.data, description=form.description.data or ""),
        priority=priority)


@bp.route("/plans/<int:plan_id>/priorities/<int:priority_id>/delete", methods=["GET", "POST"])
def delete_priority(plan_id: int, priority_id: int):
    plan = _managed(plan_id)
    priority = _priority(plan, priority_id)
    _draft(plan)
    form = ConfirmForm()

    def done(_):
        flash(gettext("Priority deleted."))
        return redirect(_plan_url(plan, "priorities"))

    return form_page(form, "plans/confirm.html", lambda: service.delete_priority(current_user, priority),
                     done, plan=plan, kind="delete_priority", item=priority)


@bp.post("/plans/<int:plan_id>/priorities/<int:priority_id>/move")
def move_priority(plan_id: int, priority_id: int):
    plan = _managed(plan_id)
    priority = _priority(plan, priority_id)
    _draft(plan)
    form = MoveForm()
    direction = request.form.get("direction")
    if not form.validate() or direction not in ("up", "down"):
        abort(400)
    service.move_priority(current_user, priority, direction)
    return redirect(_plan_url(plan, "priorities"))


# ---------------------------------------------------------------- outcomes


def _outcome_data(form: OutcomeForm) -> dict:
    return {"title": form.title.data, "description": form.description.data or "",
            "priority_id": form.chosen_priority(), "responsible": form.responsible.data,
            "target_date": form.target_date.data, "measure": form.measure.data}


def _outcome_page(plan: Plan, form: OutcomeForm, save, *, outcome=None):
    def done(_):
        flash(gettext("Outcome saved."))
        return redirect(_plan_url(plan, "outcomes"))

    return form_page(form, "plans/outcome_form.html", save, done, plan=plan, outcome=outcome)


@bp.route("/plans/<int:plan_id>/outcomes/new", methods=["GET", "POST"])
def new_outcome(plan_id: int):
    plan = _managed(plan_id)
    _draft(plan)
    form = OutcomeForm().offer(plan)
    return _outcome_page(plan, form, lambda: service.add_outcome(current_user, plan, **_outcome_data(form)))


@bp.route("/plans/<int:plan_id>/outcomes/<int:outcome_id>/edit", methods=["GET", "POST"])
def edit_outcome(plan_id: int, outcome_id: int):
    plan = _managed(plan_id)
    outcome = _outcome(plan, outcome_id)
    _draft(plan)
    form = OutcomeForm(data={
        "title": outcome.title, "description": outcome.description,
        "priority_id": str(outcome.priority_id or ""), "responsible": outcome.responsible,
        "target_date": outcome.target_date, "measure": outcome.measure}).offer(plan)
    return _outcome_page(plan, form, lambda: service.update_outcome(current_user, outcome, **_outcome_data(form)),
                         outcome=outcome)


@bp.route("/plans/<int:plan_id>/outcomes/<int:outcome_id>/delete", methods=["GET", "POST"])
def delete_outcome(plan_id: int, outcome_id: int):
    plan = _managed(plan_id)
    outcome = _outcome(plan, outcome_id)
    _draft(plan)
    form = ConfirmForm()

    def done(_):
        flash(gettext("Outcome deleted."))
        return redirect(_plan_url(plan, "outcomes"))

    return form_page(form, "plans/confirm.html", lambda: service.delete_outcome(current_user, outcome),
                     done, plan=plan, kind="delete_outcome", item=outcome)


@bp.route("/plans/<int:plan_id>/outcomes/<int:outcome_id>/update", methods=["GET", "POST"])
def post_update(plan_id: int, outcome_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    _need("post_outcome_update", plan)
    outcome = _outcome(plan, outcome_id)
    if plan.state != "published":
        abort(409)
    form = UpdateForm()

    def done(_):
        flash(gettext("Update posted: %(title)s", title=outcome.title))
        return redirect(_plan_url(plan, f"outcome-{outcome.id}"))

    return form_page(form, "plans/update_form.html", lambda: service.post_update(
        current_user, outcome, body=form.body.data, new_status=form.new_status.data or None,
        dropped_reason=form.dropped_reason.data or ""), done, plan=plan, outcome=outcome)

"""Consultation on a draft plan, comment moderation, and following a ward.

Who may do what is pb.policy's: "manage_plan" (open a consultation, its questions, the live
summary), "respond_to_consultation" (the ward's residents), "report_comment",
"moderate_comments" (officers and admins) and "follow_ward". Residents are sent to the
phone sign-in, staff-only pages to the staff sign-in.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_url
from sqlalchemy import select

from pb.extensions import csrf
from pb.models import ConsultationComment, ConsultationQuestion, Plan, Ward, db
from pb.policy import can
from pb.services import consultation as service
from pb.services import follows
from pb.services import plans as plans_service
from pb.services.errors import ServiceError
from pb.web.form_page import form_page
from pb.web.plans import bp
from pb.web.plans.forms import (
    QUESTION_KIND_NAMES,
    ConfirmForm,
    FollowForm,
    HideCommentForm,
    OpenConsultationForm,
    QuestionForm,
)

RATING_NAMES = {"support": _l("Support"), "neutral": _l("Neutral"), "oppose": _l("Oppose")}


@bp.context_processor
def consultation_helpers():
    return {"consultation_status": service.status, "question_kind_name": lambda k: QUESTION_KIND_NAMES.get(k, k)}


# ---------------------------------------------------------------- finding things


def _phone_sign_in():
    """Residents sign in with their phone (this blueprint's default is the staff sign-in)."""
    if not current_user.is_authenticated:
        abort(redirect(login_url(current_app.login_manager.login_view, next_url=request.url)))


def _staff_sign_in():
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())


def _visible_plan(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id) or abort(404)
    if plans_service.may_see(current_user, plan):
        return plan
    if current_user.is_authenticated and can(current_user, "use_admin"):
        abort(403)
    abort(404)


def _consultation(plan: Plan):
    return service.plan_consultation(plan) or abort(404)


def _managed(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id) or abort(404)
    _staff_sign_in()
    if not can(current_user, "manage_plan", plan):
        abort(403)
    return plan


def _moderated(plan_id: int, comment_id: int | None = None):
    plan = db.session.get(Plan, plan_id) or abort(404)
    _staff_sign_in()
    if not can(current_user, "moderate_comments", plan):
        abort(403)
    consultation = _consultation(plan)
    if comment_id is None:
        return plan, consultation, None
    return plan, consultation, _comment(consultation, comment_id)


def _comment(consultation, comment_id: int) -> ConsultationComment:
    comment = db.session.get(ConsultationComment, comment_id)
    if comment is None or comment.consultation_id != consultation.id:
        abort(404)
    return comment


def _page_url(plan: Plan, anchor: str | None = None) -> str:
    return url_for("plans.consultation", plan_id=plan.id, _anchor=anchor)


# ---------------------------------------------------------------- opening, and the plan's questions


@bp.route("/plans/<int:plan_id>/consultation/open", methods=["GET", "POST"])
def open_consultation(plan_id: int):
    plan = _managed(plan_id)
    if plan.state != "draft":
        abort(409)
    form = OpenConsultationForm()

    def done(_):
        flash(gettext("Consultation set up. Residents of %(ward)s can answer from the day it opens.",
                      ward=plan.ward.name))
        return redirect(_page_url(plan))

    return form_page(form, "plans/consultation_open.html", lambda: service.open_consultation(
        current_user, plan, opens_on=form.opens_on.data, closes_on=form.closes_on.data,
        premoderated=form.premoderated.data == "yes"), done, plan=plan, today=service.today())


@bp.route("/plans/<int:plan_id>/consultation/questions/new", methods=["GET", "POST"])
def new_question(plan_id: int):
    plan = _managed(plan_id)
    consultation = _consultation(plan)
    form = QuestionForm()

    def done(_):
        flash(gettext("Question added."))
        return redirect(_page_url(plan, "questions"))

    return form_page(form, "plans/question_form.html", lambda: service.add_question(
        current_user, consultation, kind=form.kind.data, text=form.text.data, options=form.options.data or ""),
        done, plan=plan)


@bp.post("/plans/<int:plan_id>/consultation/questions/<int:question_id>/delete")
def delete_question(plan_id: int, question_id: int):
    plan = _managed(plan_id)
    consultation = _consultation(plan)
    question = db.session.get(ConsultationQuestion, question_id)
    if question is None or question.consultation_id != consultation.id:
        abort(404)
    if not ConfirmForm().validate():
        abort(400)
    try:
        service.delete_question(current_user, question)
    except ServiceError as err:
        flash(str(err.message))
        return redirect(_page_url(plan, "questions")), 303
    flash(gettext("Question deleted."))
    return redirect(_page_url(plan, "questions"))


# ---------------------------------------------------------------- the consultation page and summary


@bp.get("/plans/<int:plan_id>/consultation")
def consultation(plan_id: int):
    plan = _visible_plan(plan_id)
    consultation = _consultation(plan)
    show_summary = service.may_see_summary(current_user, consultation)
    return render_template(
        "plans/consultation.html", plan=plan, consultation=consultation,
        status=service.status(consultation),
        summary=service.summary(consultation) if show_summary else None,
        comments=service.visible_comments(consultation),
        manage=can(current_user, "manage_plan", plan),
        moderate=can(current_user, "moderate_comments", plan),
        may_respond=can(current_user, "respond_to_consultation", plan),
        may_report=can(current_user, "report_comment", plan),
        response=service.my_response(current_user, consultation),
        queue=service.moderation_queue(consultation), form=ConfirmForm(),
        rating_names=RATING_NAMES)


# ---------------------------------------------------------------- responding


def _int(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10 else None


def _posted(consultation) -> dict:
    plan = consultation.plan
    ratings = {p.id: request.form.get(f"rating-{p.id}", "") for p in plan.priorities}
    top = [_int(v) for v in request.form.getlist("top_three")]
    comments = {0: request.form.get("comment-0", "")}
    comments.update({p.id: request.form.get(f"comment-{p.id}", "") for p in plan.priorities})
    answers = {}
    for question in consultation.questions:
        name = f"question-{question.id}"
        answers[question.id] = (request.form.getlist(name) if question.kind == "multiple"
                                else request.form.get(name, ""))
    return {"ratings": ratings, "top_three": [t if t is not None else -1 for t in top],
            "comments": comments, "answers": answers}


def _saved(response) -> dict:
    """The resident's response as the form shows it."""
    if response is None:
        return {"ratings": {}, "top_three": [], "comments": {}, "answers": {}}
    return {"ratings": {r.priority_id: r.rating for r in response.ratings},
            "top_three": [r.priority_id for r in response.ratings if r.top_three],
            "comments": {(c.priority_id or 0): c.body for c in response.comments},
            "answers": {a.question_id: (a.value.split("\n") if a.question.kind == "multiple" else a.value)
                        for a in response.answers}}


@bp.route("/plans/<int:plan_id>/consultation/respond", methods=["GET", "POST"])
def respond(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    _phone_sign_in()
    consultation = service.plan_consultation(plan)
    if consultation is None or plan.state != "consultation":
        abort(404)
    if not can(current_user, "respond_to_consultation", plan):
        abort(403)
    if not service.is_open(consultation):
        abort(409)
    form = ConfirmForm()
    response = service.my_response(current_user, consultation)
    values, errors, status = _saved(response), {}, 200
    if form.is_submitted():
        values, status = _posted(consultation), 400
        if not form.validate():
            errors = {"form": gettext("The form expired. Send your answers again.")}
        else:
            try:
                service.respond(current_user, consultation, **values)
            except service.ResponseErrors as err:
                errors = {k: str(v) for k, v in err.errors.items()}
            except ServiceError as err:
                errors, status = {err.field or "form": str(err.message)}, err.status
            else:
                flash(gettext("Thank you. Your response has been saved. You can change it until the "
                              "consultation closes on %(date)s.", date=_long_date(consultation.closes_on)))
                return redirect(_page_url(plan))
    return render_template("plans/respond.html", plan=plan, consultation=consultation, form=form,
                           values=values, errors=errors, existing=response is not None,
                           rating_names=RATING_NAMES), status


def _long_date(day) -> str:
    from flask_babel import format_date

    return format_date(day, "long")


# ---------------------------------------------------------------- comments: report, approve, hide


@bp.post("/plans/<int:plan_id>/consultation/comments/<int:comment_id>/report")
def report_comment(plan_id: int, comment_id: int):
    plan = _visible_plan(plan_id)
    _phone_sign_in()
    consultation = _consultation(plan)
    comment = _comment(consultation, comment_id)
    if not can(current_user, "report_comment", plan):
        abort(403)
    if not ConfirmForm().validate():
        abort(400)
    try:
        reported = service.report_comment(current_user, comment)
    except ServiceError as err:
        flash(str(err.message))
        return redirect(_page_url(plan, f"comment-{comment.id}")), 303
    flash(gettext("Thank you. A council officer will look at the comment.") if reported
          else gettext("You have already reported this comment."))
    return redirect(_page_url(plan, f"comment-{comment.id}"))


@bp.get("/plans/<int:plan_id>/consultation/moderate")
def moderate(plan_id: int):
    plan, consultation, _ = _moderated(plan_id)
    return render_template("plans/moderate.html", plan=plan, consultation=consultation,
                           queue=service.moderation_queue(consultation), form=ConfirmForm())


@bp.post("/plans/<int:plan_id>/consultation/comments/<int:comment_id>/approve")
def approve_comment(plan_id: int, comment_id: int):
    plan, _, comment = _moderated(plan_id, comment_id)
    if not ConfirmForm().validate():
        abort(400)
    try:
        service.approve_comment(current_user, comment)
    except ServiceError as err:
        flash(str(err.message))
        return redirect(url_for("plans.moderate", plan_id=plan.id)), 303
    flash(gettext("Comment approved: it is now shown."))
    return redirect(url_for("plans.moderate", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/consultation/comments/<int:comment_id>/hide", methods=["GET", "POST"])
def hide_comment(plan_id: int, comment_id: int):
    plan, consultation, comment = _moderated(plan_id, comment_id)
    if comment.state == "hidden":
        abort(409)
    form = HideCommentForm()

    def done(_):
        flash(gettext("Comment hidden. The reason is shown in its place."))
        return redirect(url_for("plans.moderate", plan_id=plan.id))

    return form_page(form, "plans/hide_comment.html", lambda: service.hide_comment(
        current_user, comment, reason=form.reason.data), done, plan=plan, comment=comment)


# ---------------------------------------------------------------- following a ward


def _ward(slug: str) -> Ward:
    return db.session.scalar(select(Ward).where(Ward.slug == slug)) or abort(404)


@bp.route("/wards/<slug>/follow", methods=["GET", "POST"])
def follow(slug: str):
    ward = _ward(slug)
    _phone_sign_in()
    if not can(current_user, "follow_ward", ward):
        abort(403)
    form = FollowForm()
    phone = follows.has_verified_phone(current_user)
    if not phone:
        form.channel.choices = [c for c in form.channel.choices if c.value != "sms"]
    stop = request.form.get("stop")
    if request.method == "POST" and stop:
        if not ConfirmForm().validate():
            abort(400)
        for row in follows.follows_of(current_user, ward):
            if str(row.id) == stop:
                follows.stop_following(current_user, row)
                flash(gettext("You will get no more messages about %(ward)s that way.", ward=ward.name))
        return redirect(url_for("plans.follow", slug=ward.slug))

    def save():
        if form.channel.data == "sms":
            return follows.follow_by_sms(current_user, ward, form.number.data or "")
        return follows.follow_by_email(current_user, ward, form.email.data or "")

    def done(row):
        if row.active:
            flash(gettext("You are following %(ward)s. We will text you when a plan is published, a "
                          "consultation opens or an outcome changes.", ward=ward.name))
        else:
            flash(gettext("Check your email: open the link we sent to start getting updates about %(ward)s.",
                          ward=ward.name))
        return redirect(url_for("plans.follow", slug=ward.slug))

    return form_page(form, "plans/follow.html", save, done, ward=ward, phone=phone,
                     current=follows.follows_of(current_user, ward), stop_form=ConfirmForm())


@bp.get("/follow/confirm/<token>")
def confirm_follow(token: str):
    row = follows.confirm(token) or abort(404)
    return render_template("plans/follow_result.html", kind="confirmed", follow=row, token=None)


@bp.route("/follow/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """Visiting the link unsubscribes (one step); a mail client's one-click POST does too."""
    row = follows.unsubscribe(token) or abort(404)
    if request.method == "POST":
        return "", 204
    return render_template("plans/follow_result.html", kind="unsubscribed", follow=row, token=token,
                           form=ConfirmForm())


@bp.post("/follow/unsubscribe/<token>/undo")
def undo_unsubscribe(token: str):
    if not ConfirmForm().validate():
        abort(400)
    row = follows.undo_unsubscribe(token) or abort(404)
    return render_template("plans/follow_result.html", kind="resubscribed", follow=row, token=None)

"""Staff accounts, for admins: who has which role, invitations, granting and withdrawing
roles, and resetting a lost second factor. Every change ends the person's sessions (so it
takes effect at once) and is written to the record shown at the foot of the list."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired

from pb.models import Person, RoleGrant, Ward, db
from pb.policy import can
from pb.services import staff
from pb.services.errors import ServiceError
from pb.web.account.forms import EMAIL_MAX
from pb.web.admin import bp
from pb.web.admin.forms import ConfirmForm, OneOf, SummaryMixin
from pb.web.fields import LineField, WebForm
from pb.web.widgets import RadioInput, Select

AUDIT_NAMES = {
    "invited": _l("Invited"),
    "granted": _l("Gave a role"),
    "withdrawn": _l("Withdrew a role"),
    "second_factor_reset": _l("Reset the second factor"),
    "joined": _l("Accepted the invitation"),
    "second_factor_set_up": _l("Set up an authenticator app"),
    "password_reset": _l("Reset their password"),
}


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role, title) for role, title in staff.ROLE_TITLES.items()]


class RoleForm(SummaryMixin, WebForm):
    role = RadioField(
        _l("Role"), widget=RadioInput(), choices=_role_choices(), validate_choice=False,
        validators=[InputRequired(message=_l("Choose a role")), OneOf(_l("Choose a role"))])
    ward = SelectField(_l("Ward"), widget=Select(), validate_choice=False,
                       description=_l("Only for ward councillors"))

    summary_order = ("email", "role", "ward")

    @classmethod
    def with_wards(cls, **kwargs):
        form = cls(**kwargs)
        wards = db.session.scalars(select(Ward).order_by(Ward.name)).all()
        form.ward.choices = [SelectChoice("", gettext("Choose a ward"))] + [
            SelectChoice(str(w.id), w.name) for w in wards]
        form.wards = {str(w.id): w for w in wards}
        return form

    def chosen_ward(self) -> Ward | None:
        return self.wards.get(self.ward.data or "")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.ward.data and self.ward.data not in self.wards:
            self.ward.errors = [*self.ward.errors, _l("Choose a ward from the list")]
            ok = False
        return ok


class InviteForm(RoleForm):
    email = LineField(
        _l("Email address"), max_length=EMAIL_MAX,
        too_long=_l("Enter an email address in the correct format, like name@example.com"),
        validators=[DataRequired(message=_l("Enter their email address")),
                    Email(message=_l("Enter an email address in the correct format, like name@example.com"),
                          check_deliverability=False)])


@bp.before_request
def people_for_admins_only():
    """Admins only (anonymous visitors are sent to sign in by routes.staff_only)."""
    if (request.endpoint or "").startswith("admin.people") and current_user.is_authenticated \
            and not can(current_user, "manage_people"):
        abort(403)


@bp.context_processor
def people_helpers():
    return {
        "audit_name": lambda action: AUDIT_NAMES.get(action, action),
        "when": lambda moment: format_datetime(moment, "d MMMM y, HH:mm") if moment else "",
    }


def _person_or_404(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or not person.email:
        abort(404)
    return person


def _done(message: str):
    flash(message)
    return redirect(url_for("admin.people"))


@bp.get("/people")
def people():
    return render_template("admin/people.html", rows=staff.staff_list(), audit=staff.audit_entries())


@bp.route("/people/invite", methods=["GET", "POST"])
def people_invite():
    form = InviteForm.with_wards()
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                person = staff.invite(current_user, form.email.data, form.role.data, form.chosen_ward())
            except ServiceError as err:
                form.add_service_error(err)
                status = err.status
            else:
                return _done(gettext("Invitation sent to %(email)s. The link works for 72 hours.",
                                     email=person.email))
    return render_template("admin/people_invite.html", form=form), status


@bp.route("/people/<int:person_id>/grant", methods=["GET", "POST"])
def people_grant(person_id: int):
    person = _person_or_404(person_id)
    form = RoleForm.with_wards()
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                staff.grant_role(current_user, person, form.role.data, form.chosen_ward())
            except ServiceError as err:
                form.add_service_error(err)
                status = err.status
            else:
                return _done(gettext("%(person)s is now also: %(role)s.", person=person.name or person.email,
                                     role=staff.describe_role(form.role.data, form.chosen_ward())))
    return render_template("admin/people_grant.html", form=form, person=person), status


@bp.route("/people/<int:person_id>/roles/<int:grant_id>/withdraw", methods=["GET", "POST"])
def people_withdraw(person_id: int, grant_id: int):
    person = _person_or_404(person_id)
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.person_id != person.id or grant.role not in staff.STAFF_ROLES:
        abort(404)
    form = ConfirmForm()
    error = None
    role_title = staff.describe_role(grant.role, grant.ward)
    if form.validate_on_submit():
        try:
            staff.withdraw_role(current_user, grant)
        except ServiceError as err:
            error = err
        else:
            return _done(gettext("%(role)s withdrawn from %(person)s.", role=role_title,
                                 person=person.name or person.email))
    return render_template("admin/people_withdraw.html", form=form, person=person, grant=grant,
                           role_title=role_title, error=error), error.status if error else 200


@bp.route("/people/<int:person_id>/reset-second-factor", methods=["GET", "POST"])
def people_reset_second_factor(person_id: int):
    person = _person_or_404(person_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        staff.reset_second_factor(current_user, person)
        return _done(gettext("Second factor reset for %(person)s. They will set up an authenticator app "
                             "the next time they sign in.", person=person.name or person.email))
    return render_template("admin/people_reset.html", form=form, person=person)

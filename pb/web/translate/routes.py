"""Translating content: officers, admins and volunteer translators write a translation of
each text of a round (its own texts, every public proposal and the council's reasons) or a
ward plan, the original beside the box, with what is missing listed per language."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from pb.i18n import LANGUAGES
from pb.models import Plan, Round, db
from pb.policy import can
from pb.services import content
from pb.services.errors import ServiceError
from pb.web.fields import WebForm, one_line, paragraphs
from pb.web.translate import bp

ONE_LINE = ("title", "summary", "location")


@bp.before_request
def translators_only():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not can(current_user, "translate_content"):
        abort(403)
    return None


def _subject_or_404(model, object_id: int):
    subject = db.session.get(model, object_id)
    if subject is None or not can(current_user, "translate_content", subject):
        abort(404)  # a draft stays hidden from translators
    return subject


def _target() -> str | None:
    code = (request.form.get("to") if request.method == "POST" else request.args.get("to")) or ""
    return code if code in LANGUAGES else None


@bp.get("/")
def index():
    rounds = [r for r in db.session.scalars(select(Round).order_by(Round.voting_from.desc(), Round.id.desc()))
              if can(current_user, "translate_content", r)]
    plans = [p for p in db.session.scalars(select(Plan).order_by(Plan.start_year.desc(), Plan.id.desc()))
             if can(current_user, "translate_content", p)]
    return render_template("translate/index.html", rounds=rounds, plans=plans)


def _page(subject, kind: str, url: str):
    code = _target()
    if request.method == "POST" and code is None:
        flash(gettext("Choose a language"), "error")
        return redirect(url)
    if code is None:
        return render_template("translate/overview.html", subject=subject, kind=kind, url=url,
                               missing=content.missing_by_language(subject))
    items = content.with_translations(content.items_for(subject), code)
    form = WebForm()
    errors, posted = [], {}
    if request.method == "POST":
        if not form.validate():
            abort(400)
        entries = {}
        for item in items:
            name = f"t-{item.key}"
            if name not in request.form:
                continue
            tidy = one_line if item.field in ONE_LINE else paragraphs
            text = tidy(request.form.get(name, ""))
            posted[item.key] = text
            entries[item.key] = (text, request.form.get(f"h-{item.key}", ""),
                                 request.form.get(f"ok-{item.key}") == "yes")
        try:
            changed = content.save(current_user, subject, code, entries)
        except ServiceError as error:
            errors = [{"text": str(error.message), "href": "#" + (error.field or "translations")}]
            status = error.status
        else:
            flash(gettext("Translations saved: %(num)s changed.", num=changed))
            return redirect(f"{url}?to={code}")
    else:
        status = 200
    return render_template("translate/edit.html", subject=subject, kind=kind, url=url, code=code,
                           language=LANGUAGES[code][1],
                           items=items, form=form, errors=errors, posted=posted,
                           missing=[i for i in items if i.missing],
                           source_hash=content.source_hash), status


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
def round_page(round_id: int):
    round_ = _subject_or_404(Round, round_id)
    return _page(round_, "round", url_for("translate.round_page", round_id=round_.id))


@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
def plan_page(plan_id: int):
    plan = _subject_or_404(Plan, plan_id)
    return _page(plan, "plan", url_for("translate.plan_page", plan_id=plan.id))

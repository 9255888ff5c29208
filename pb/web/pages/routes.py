import os
from datetime import date

from flask import current_app, redirect, render_template, request, url_for
from sqlalchemy import text

from pb.extensions import db
from pb.services import rounds as round_dates
from pb.services.postcodes import ward_for
from pb.services.rounds import current_phase, open_rounds
from pb.web.pages import bp
from pb.web.pages.forms import PostcodeForm
from pb.web.rounds.presenters import PHASE_NAMES
from pb.web.rounds.stamps import rounds_stamp


@bp.get("/")
def home():
    # the page is the same for everyone (its form is a GET with no token): kept per language
    # and day until a round changes (pb.web.fragments)
    return render_template("pages/home.html", form=PostcodeForm(formdata=None), rounds=open_rounds,
                           phase_of=current_phase, phase_names=PHASE_NAMES, today=round_dates.today(),
                           rounds_stamp=rounds_stamp())


@bp.get("/find-your-ward")
def find_ward():
    form = PostcodeForm(request.args)
    if not form.validate():
        return render_template("pages/home.html", form=form), 400
    ward = ward_for(form.postcode.data)
    if ward is None:
        return render_template("pages/not_in_lambeth.html", postcode=form.postcode.data)
    return redirect(url_for("wards.show", slug=ward.slug))


@bp.get("/how-to-take-part")
def how_to_take_part():
    return render_template("pages/how_to_take_part.html")


# The accessibility statement's dates: update them when the checks are run again
# (README "Accessibility"). The contact can be set per council in the configuration.
STATEMENT_PREPARED = date(2026, 12, 2)
STATEMENT_REVIEWED = date(2026, 12, 2)
LAST_TESTED = date(2026, 12, 2)


@bp.get("/accessibility")
def accessibility():
    return render_template(
        "pages/accessibility.html", prepared=STATEMENT_PREPARED, reviewed=STATEMENT_REVIEWED,
        tested=LAST_TESTED, site_address=_setting("PB_PUBLIC_URL", request.host_url.rstrip("/")),
        contact_email=_setting("PB_ACCESSIBILITY_EMAIL", "wardbudgets@lambeth.gov.uk"),
        contact_phone=_setting("PB_ACCESSIBILITY_PHONE", "020 7926 1000"))


def _setting(name: str, default: str) -> str:
    return current_app.config.get(name) or os.environ.get(name, "").strip() or default


@bp.get("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.get("/cookies")
def cookies():
    return render_template("pages/cookies.html")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # the database did not answer: tell the load balancer
        db.session.rollback()
        return {"status": "database unavailable"}, 503
    return {"status": "ok"}

from flask import render_template

from pb.services.email import latest_emails
from pb.services.sms import latest_messages
from pb.web.dev import bp


@bp.get("/outbox")
def outbox():
    return render_template("dev/outbox.html", messages=latest_messages(), emails=latest_emails())

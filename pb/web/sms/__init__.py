"""Voting by text message: GOV.UK Notify's "received text message" callback
(pb.services.sms_vote holds the conversation). Registered by pb.services.sms.init_app."""

from flask import Blueprint

bp = Blueprint("sms", __name__, url_prefix="/sms")

from pb.web.sms import routes  # noqa: E402,F401

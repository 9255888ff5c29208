"""Domain errors raised by use-cases and turned into translated messages at the edge."""

from flask_babel import lazy_gettext as _l


class ServiceError(Exception):
    """A use-case refused: `message` is a lazy translated string, `field` the form field it is about."""

    status = 400

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    status = 403


class WrongPhase(ServiceError):
    status = 409


class AlreadyVoted(ServiceError):
    status = 409

    def __init__(self):
        super().__init__(_l("You have already voted in this round. Each person can vote once."))

"""Consulting a ward's residents on a draft plan.

    draft -> consultation (scheduled -> open -> closed) -> published, with "You said, we did"

The ward's councillors (or council staff) open a consultation on a draft plan for set dates
(Europe/London, `pb.services.rounds.today`). From then on the plan is public, and its
priorities and outcomes are fixed while residents answer; after the close the councillors
may change the plan, and publishing it needs a "You said, we did" note. The plan's own
questions can be added or removed until the first response arrives.

Each signed-in resident of the ward has one response (a unique constraint decides races),
which they may change until the close: sending it again replaces its ratings, top three,
answers and comments. A comment whose text is unchanged keeps its moderation; a new or
changed one waits for a moderator when the consultation is pre-moderated.

Moderators are officers and admins (`moderate_comments` in pb.policy), not the ward's
councillors: the plan is the councillors' own, and residents must be able to criticise it
without its authors deciding what stays up. They approve waiting comments and hide any
comment with a reason that is shown in its place. Residents report a shown comment, once
each.

Everything typed is kept as plain text and shown escaped: no markup is taken from it.
"""

from collections import Counter
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from pb.equalities.disclosure import protect
from pb.models import (
    CommentReport,
    Consultation,
    ConsultationComment,
    ConsultationQuestion,
    ConsultationResponse,
    Plan,
    PriorityRating,
    QuestionAnswer,
    db,
)
from pb.models.consultation import QUESTION_KINDS, RATINGS
from pb.models.people import _now
from pb.policy import can
from pb.services import follows
from pb.services.errors import NotAllowed, ServiceError, WrongPhase
from pb.services.plans import ChangedMeanwhile, _text
from pb.services.plans import _in_transaction as _commit  # one transaction, a clash is a 409
from pb.services.rounds import today

COMMENT_MAX = 2_000
QUESTION_MAX = 500
OPTION_MAX = 200
MAX_OPTIONS = 20
MAX_DAYS = 366
TOP = 3


def status(consultation: Consultation, on: date | None = None) -> str:
    """"scheduled" before its first day, "open" from its first to its last day, then "closed"."""
    on = on or today()
    if on < consultation.opens_on:
        return "scheduled"
    return "open" if on <= consultation.closes_on else "closed"


def is_open(consultation: Consultation | None) -> bool:
    return consultation is not None and status(consultation) == "open"


def plan_consultation(plan: Plan) -> Consultation | None:
    return db.session.scalar(select(Consultation).where(Consultation.plan_id == plan.id))


def _manage(person, plan: Plan) -> None:
    if not can(person, "manage_plan", plan):
        raise NotAllowed(_l("Only the ward's councillors and council staff can change this plan."))


# ---------------------------------------------------------------- opening


def open_consultation(person, plan: Plan, *, opens_on, closes_on, premoderated: bool) -> Consultation:
    """Consult the ward's residents on a draft plan from one day to another."""
    _manage(person, plan)
    if plan.state != "draft" or plan_consultation(plan) is not None:
        raise WrongPhase(_l("This plan has already been consulted on or published."))
    if not plan.priorities:
        raise ServiceError(_l("Add at least one priority before opening a consultation"), field="opens_on")
    if not isinstance(opens_on, date):
        raise ServiceError(_l("Enter the day the consultation opens"), field="opens_on")
    if not isinstance(closes_on, date):
        raise ServiceError(_l("Enter the day the consultation closes"), field="closes_on")
    if opens_on < today():
        raise ServiceError(_l("The consultation must open today or later"), field="opens_on")
    if closes_on < opens_on:
        raise ServiceError(_l("The consultation must close on or after the day it opens"), field="closes_on")
    if closes_on - opens_on > timedelta(days=MAX_DAYS):
        raise ServiceError(_l("A consultation can last at most a year"), field="closes_on")
    consultation = Consultation(plan_id=plan.id, opens_on=opens_on, closes_on=closes_on,
                                premoderated=bool(premoderated), opened_by_id=person.id)

    def work():
        db.session.add(consultation)
        plan.state = "consultation"
        db.session.flush()
        follows.queue_consultation_opened(plan, consultation)
        return consultation

    result = _commit(work)
    follows.send_pending()
    return result


# ---------------------------------------------------------------- the plan's own questions


def _no_responses_yet(consultation: Consultation) -> None:
    if consultation.responses or status(consultation) == "closed":
        raise WrongPhase(_l("Questions cannot change once residents have started to answer."))


def add_question(person, consultation: Consultation, *, kind: str, text: str, options: str = "") -> ConsultationQuestion:
    _manage(person, consultation.plan)
    _no_responses_yet(consultation)
    if kind not in QUESTION_KINDS:
        raise ServiceError(_l("Choose the kind of question"), field="kind")
    text = _text(text, "text", required=_l("Enter the question"), maximum=QUESTION_MAX,
                 too_long=_l("The question must be 500 characters or fewer"))
    choices = []
    if kind != "text":
        for line in _text(options, "options", too_long=_l("The options must be 10,000 characters or fewer")).split("\n"):
            line = line.strip()
            if not line:
                continue
            if len(line) > OPTION_MAX:
                raise ServiceError(_l("Each option must be 200 characters or fewer"), field="options")
            if line not in choices:
                choices.append(line)
        if not 2 <= len(choices) <= MAX_OPTIONS:
            raise ServiceError(_l("Give between 2 and 20 options, one a line"), field="options")
    question = ConsultationQuestion(kind=kind, text=text, options="\n".join(choices))

    def work():
        question.position = max((q.position for q in consultation.questions), default=0) + 1
        consultation.questions.append(question)
        return question

    return _commit(work)


def delete_question(person, question: ConsultationQuestion) -> None:
    consultation = question.consultation
    _manage(person, consultation.plan)
    _no_responses_yet(consultation)
    _commit(lambda: consultation.questions.remove(question))


# ---------------------------------------------------------------- responding


def my_response(person, consultation: Consultation) -> ConsultationResponse | None:
    if person is None or not getattr(person, "is_authenticated", False):
        return None
    return db.session.scalar(select(ConsultationResponse).where(
        ConsultationResponse.consultation_id == consultation.id,
        ConsultationResponse.person_id == person.id))


class ResponseErrors(ServiceError):
    """Several answers are wrong at once: `errors` maps each field to its message."""

    status = 400

    def __init__(self, errors: dict):
        super().__init__(next(iter(errors.values())), field=next(iter(errors)))
        self.errors = errors


def respond(person, consultation: Consultation, *, ratings: dict, top_three, comments: dict,
            answers: dict) -> ConsultationResponse:
    """Record (or replace) this resident's response.

    ratings: priority id -> "support" / "neutral" / "oppose"; top_three: up to three
    priority ids; comments: priority id (0 for the plan as a whole) -> text; answers:
    question id -> an option, a list of options, or text."""
    plan = consultation.plan
    if not can(person, "respond_to_consultation", plan):
        raise NotAllowed(_l("Only residents of %(ward)s can answer this consultation.", ward=plan.ward.name))
    if not is_open(consultation):
        raise WrongPhase(_l("This consultation is not open."))
    errors = {}
    priorities = {p.id: p for p in plan.priorities}
    clean_ratings = {}
    for pid, priority in priorities.items():
        value = ratings.get(pid) or None
        if value not in RATINGS:
            errors[f"rating-{pid}"] = _l("Choose support, neutral or oppose for ‘%(title)s’", title=priority.title)
        clean_ratings[pid] = value
    picks = []
    for raw in top_three or ():
        if raw not in priorities:
            errors["top_three"] = _l("Choose priorities from this plan")
        elif raw not in picks:
            picks.append(raw)
    if not picks:
        errors.setdefault("top_three", _l("Choose up to three priorities that matter most to you"))
    elif len(picks) > TOP:
        errors["top_three"] = _l("Choose no more than three priorities")
    clean_comments = {}
    for key, text in comments.items():
        if key != 0 and key not in priorities:
            continue
        try:
            value = _text(text, f"comment-{key}", maximum=COMMENT_MAX,
                          too_long=_l("A comment must be 2,000 characters or fewer"))
        except ServiceError as err:
            errors[err.field] = err.message
            continue
        if value:
            clean_comments[key] = value
    clean_answers = {}
    for question in consultation.questions:
        given = answers.get(question.id)
        field = f"question-{question.id}"
        if question.kind == "single":
            if given in (None, ""):
                continue
            if given not in question.option_list:
                errors[field] = _l("Choose one of the options")
            else:
                clean_answers[question.id] = given
        elif question.kind == "multiple":
            chosen = [g for g in (given or []) if g]
            if any(g not in question.option_list for g in chosen):
                errors[field] = _l("Choose from the options")
            elif chosen:
                clean_answers[question.id] = "\n".join(o for o in question.option_list if o in chosen)
        else:
            try:
                value = _text(given if isinstance(given, str) else "", field, maximum=COMMENT_MAX,
                              too_long=_l("An answer must be 2,000 characters or fewer"))
            except ServiceError as err:
                errors[field] = err.message
                continue
            if value:
                clean_answers[question.id] = value
    if errors:
        raise ResponseErrors(errors)

    def work():
        response = my_response(person, consultation)
        if response is None:
            response = ConsultationResponse(consultation_id=consultation.id, person_id=person.id)
            db.session.add(response)
            db.session.flush()
        old_comments = {(c.priority_id or 0): c for c in response.comments}
        response.ratings.clear()
        response.answers.clear()
        db.session.flush()
        for pid, value in clean_ratings.items():
            response.ratings.append(PriorityRating(priority_id=pid, rating=value, top_three=pid in picks))
        for qid, value in clean_answers.items():
            response.answers.append(QuestionAnswer(question_id=qid, value=value))
        for key, old in old_comments.items():
            if clean_comments.get(key) != old.body:
                response.comments.remove(old)
        for key, body in clean_comments.items():
            if key in old_comments and old_comments[key].body == body:
                continue
            response.comments.append(ConsultationComment(
                consultation_id=consultation.id, priority_id=key or None, body=body,
                state="pending" if consultation.premoderated else "shown"))
        response.updated_at = _now()
        return response

    return _commit(work)


# ---------------------------------------------------------------- comments and moderation


def visible_comments(consultation: Consultation) -> list[ConsultationComment]:
    """Shown and hidden comments (a hidden one shows only its reason), in an order that says
    nothing about who wrote them or when: by priority, then alphabetically."""
    rows = [c for c in consultation.comments if c.state in ("shown", "hidden")]
    return sorted(rows, key=lambda c: (c.body.casefold(), c.id))


def report_comment(person, comment: ConsultationComment) -> bool:
    """A resident says a shown comment breaks the rules. False if they had already reported it."""
    if not can(person, "report_comment", comment.consultation.plan):
        raise NotAllowed(_l("Sign in to report a comment."))
    if comment.state != "shown":
        raise WrongPhase(_l("This comment is not shown, so it cannot be reported."))
    already = db.session.scalar(select(CommentReport.id).where(
        CommentReport.comment_id == comment.id, CommentReport.person_id == person.id))
    if already is not None:
        return False
    try:
        _commit(lambda: db.session.add(CommentReport(comment_id=comment.id, person_id=person.id)))
    except ChangedMeanwhile:
        return False  # the same report sent twice at once: one stands
    return True


def _moderate(person, comment: ConsultationComment) -> None:
    if not can(person, "moderate_comments", comment.consultation.plan):
        raise NotAllowed(_l("Only council officers moderate comments."))


def approve_comment(person, comment: ConsultationComment) -> ConsultationComment:
    _moderate(person, comment)
    if comment.state != "pending":
        raise WrongPhase(_l("This comment has already been moderated."))

    def work():
        comment.state, comment.moderated_by_id, comment.moderated_at = "shown", person.id, _now()
        return comment

    return _commit(work)


def hide_comment(person, comment: ConsultationComment, *, reason: str) -> ConsultationComment:
    """Hide a comment with a reason, shown publicly in its place."""
    _moderate(person, comment)
    if comment.state == "hidden":
        raise WrongPhase(_l("This comment is already hidden."))
    reason = _text(reason, "reason", required=_l("Enter why the comment is hidden"), maximum=500,
                   too_long=_l("The reason must be 500 characters or fewer"))

    def work():
        comment.state, comment.hidden_reason = "hidden", reason
        comment.moderated_by_id, comment.moderated_at = person.id, _now()
        return comment

    return _commit(work)


def moderation_queue(consultation: Consultation) -> dict:
    waiting = sorted((c for c in consultation.comments if c.state == "pending"), key=lambda c: c.id)
    reported = sorted((c for c in consultation.comments if c.state == "shown" and c.reports),
                      key=lambda c: (-len(c.reports), c.id))
    return {"waiting": waiting, "reported": reported}


# ---------------------------------------------------------------- the summary


def may_see_summary(person, consultation: Consultation) -> bool:
    """The public once it has closed; the ward's councillors and staff while it runs."""
    return status(consultation) == "closed" or can(person, "manage_plan", consultation.plan)


def summary(consultation: Consultation) -> dict:
    """What the summary page shows.

    Per priority, how many rated it support / neutral / oppose and how many put it in
    their top three: exact counts, because they are opinions about the plan's own
    priorities, linked to no attribute of anyone (like a project's vote count).

    The plan's own choice questions may ask about the respondent (how long they have lived
    here, their age), so their counts go through the project's disclosure rule
    (pb.equalities.disclosure.protect: fewer than 10 withheld, with complementary
    suppression, rounded to 5), as does any figure split by another answer. Free-text
    answers and comments are shown as text only: no name, date, order of arrival or other
    answer of the same person beside them, sorted alphabetically."""
    plan = consultation.plan
    responses = list(consultation.responses)
    ratings = [r for response in responses for r in response.ratings]
    per_priority = []
    comments = visible_comments(consultation)
    for priority in plan.priorities:
        mine = [r for r in ratings if r.priority_id == priority.id]
        counts = Counter(r.rating for r in mine if r.rating)
        per_priority.append({
            "priority": priority,
            "counts": {rating: counts.get(rating, 0) for rating in RATINGS},
            "top_three": sum(1 for r in mine if r.top_three),
            "comments": [c for c in comments if c.priority_id == priority.id],
        })
    questions = []
    for question in consultation.questions:
        given = [a.value for response in responses for a in response.answers if a.question_id == question.id]
        entry = {"question": question, "answered": len(given)}
        if question.kind == "text":
            entry["texts"] = sorted(given, key=str.casefold)
        else:
            tally = Counter(v for value in given for v in value.split("\n"))
            cells = {option: tally.get(option, 0) for option in question.option_list}
            if question.kind == "single":
                cells[""] = len(responses) - len(given)  # not answered: the group adds up to everyone
                group = protect(cells, last_resort=[""])
                entry["options"] = [(o, group.shown[o]) for o in question.option_list]
                entry["total"] = group.total
            else:
                # each option of a multiple choice is its own yes/no group over everyone
                entry["options"] = [
                    (o, protect({"yes": cells[o], "no": len(responses) - cells[o]}).shown["yes"])
                    for o in question.option_list]
                entry["total"] = protect({"all": len(responses)}).total
        questions.append(entry)
    return {"consultation": consultation, "responses": len(responses), "priorities": per_priority,
            "questions": questions, "general_comments": [c for c in comments if c.priority_id is None],
            "status": status(consultation)}

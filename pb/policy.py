"""Who may do what: one table of (action) -> rule, in the spirit of Decidim's permissions.

Rules take the person (possibly anonymous) and the subject (a Round or a Heading or a Ward,
or None for "anything of this kind"). Views, services and templates ask only `can()`;
nothing else looks at roles.
"""

from pb.models import Heading, Plan, PlanOutcome, PlanPriority, Round, Ward


def _wards(subject) -> list[Ward]:
    if isinstance(subject, Round):
        return [h.ward for h in subject.headings]
    if isinstance(subject, Heading):
        return [subject.ward]
    if isinstance(subject, Ward):
        return [subject]
    if isinstance(subject, Plan):
        return [subject.ward]
    if isinstance(subject, (PlanPriority, PlanOutcome)):
        return [subject.plan.ward]
    return []


def _staff(person) -> bool:
    return person.has_role("officer") or person.has_role("admin")


def _councillor_for_all(person, subject) -> bool:
    wards = _wards(subject)
    return bool(wards) and all(person.has_role("councillor", ward) for ward in wards)


def _councillor_for_any(person, subject) -> bool:
    return any(person.has_role("councillor", ward) for ward in _wards(subject))


def _any_councillor(person) -> bool:
    return bool(person.councillor_wards())


def _draft(subject) -> bool:
    """A round or plan residents cannot read yet (a draft)."""
    if isinstance(subject, Round):
        return subject.status == "draft"
    if isinstance(subject, Plan):
        return subject.state == "draft"
    return False


def _resident_of(person, subject) -> bool:
    """The person lives in (one of) the subject's wards, as their postcode said."""
    ward_id = getattr(person, "ward_id", None)
    return ward_id is not None and any(w.id == ward_id for w in _wards(subject))


def _keyed(person, subject) -> bool:
    """Whether the person keyed the paper (a Paper; anything else: no paper, so no)."""
    return any(k.officer_id == person.id for k in getattr(subject, "keyings", ()))


RULES = {
    # the staff side of the site: officers and admins everywhere, councillors for their wards
    "use_admin": lambda p, s: _staff(p) or _any_councillor(p),
    "see_every_round": lambda p, s: _staff(p),
    "see_round_admin": lambda p, s: _staff(p) or _councillor_for_any(p, s),
    "read_equalities": lambda p, s: _staff(p) or p.has_role("equalities") or _any_councillor(p),
    # budget rounds
    "create_round": lambda p, s: _staff(p) or _councillor_for_all(p, s) or (s is None and _any_councillor(p)),
    "manage_round": lambda p, s: _staff(p) or _councillor_for_all(p, s),
    "extend_voting": lambda p, s: _staff(p),
    # who may vote: a round's list of reference numbers (electoral register, council tax)
    "manage_eligibility": lambda p, s: _staff(p),
    # assisted voting at a community access point, and keying paper ballots (twice, by two
    # officers); a mismatch is resolved by an officer or admin who keyed neither keying
    "assist_voter": lambda p, s: _staff(p),
    "key_paper": lambda p, s: _staff(p),
    # what voting by text cost a round (segments and money; never a number or a message)
    "view_sms_spend": lambda p, s: _staff(p),
    "resolve_paper": lambda p, s: _staff(p) and not _keyed(p, s),
    # drafts, and results before they are published: the staff who run the round
    "see_draft": lambda p, s: _staff(p) or _councillor_for_any(p, s),
    "preview_results": lambda p, s: _staff(p),
    "review_proposals": lambda p, s: _staff(p),
    "count_round": lambda p, s: _staff(p),
    "track_delivery": lambda p, s: _staff(p) or _councillor_for_all(p, s),
    # equalities: the full report during and after a round
    "view_equalities_report": lambda p, s: _staff(p) or p.has_role("equalities") or _councillor_for_any(p, s),
    "set_equalities_threshold": lambda p, s: p.has_role("equalities") or p.has_role("admin"),
    # staff accounts: invite, grant and withdraw roles, reset a second factor
    "manage_people": lambda p, s: p.has_role("admin"),
    # the audit log's restricted events (role changes, eligibility lists, assisted checks,
    # counts before publication): admins; everyone else reads the public events
    "read_audit": lambda p, s: p.has_role("admin"),
    # ward plans (a Plan, its parts, or a Ward): the ward's councillors, and staff who help
    "manage_plan": lambda p, s: _staff(p) or _councillor_for_all(p, s),
    "post_outcome_update": lambda p, s: _staff(p) or _councillor_for_all(p, s),
    # consultation on a draft plan (a Plan): its ward's residents answer; anyone signed in may
    # report a comment; officers and admins moderate, not the plan's own councillors (README)
    "respond_to_consultation": lambda p, s: _resident_of(p, s),
    "report_comment": lambda p, s: True,
    "moderate_comments": lambda p, s: _staff(p),
    # following a ward (a Ward): anyone signed in, for any ward
    "follow_ward": lambda p, s: True,
    # translations of residents' and the council's texts (a Round or a Plan; None: any):
    # officers and admins, and volunteer translators for what residents can already read
    "translate_content": lambda p, s: _staff(p) or (p.has_role("translator") and not _draft(s)),
}


def can(person, action: str, subject=None) -> bool:
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    answers = _request_answers()
    if answers is None:
        return RULES[action](person, subject)
    subject_id = getattr(subject, "id", None)
    if subject is not None and type(subject_id) is not int:
        return RULES[action](person, subject)  # not saved yet: nothing stable to key it by
    key = (person.id, getattr(person, "session_version", None), action,
           type(subject).__name__, subject_id)
    answer = answers.get(key)
    if answer is None:
        answer = answers[key] = RULES[action](person, subject)
    return answer


# -- one answer per question per request ------------------------------------------------------
# A page asks the same questions several times (the header's menu, then the page, then its
# macros), and each answer may walk a round's wards and a person's role grants. Answers are kept
# for the request, and forgotten whenever the database session commits or rolls back, so a page
# rendered after a role is granted or withdrawn in the same request sees the change.

def _request_answers() -> dict | None:
    from flask import g, has_request_context

    if not has_request_context():
        return None
    answers = g.get("_policy_answers")
    if answers is None:
        answers = g._policy_answers = {}
    return answers


def _forget_answers(*_args) -> None:
    from flask import g, has_request_context

    if has_request_context():
        g.pop("_policy_answers", None)


def _listen() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    for name in ("after_commit", "after_rollback", "after_soft_rollback"):
        if not event.contains(Session, name, _forget_answers):
            event.listen(Session, name, _forget_answers)


_listen()

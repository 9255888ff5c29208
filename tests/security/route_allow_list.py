"""Who may use each page of the site: the explicit allow-list that
tests/security/test_route_roles.py checks every route against, as every kind of visitor.

It says what the product should do (README, issue #11, pb/policy.py read as a statement of
intent), not what the code happens to do. Roles are named as seen from the ward of the
object in the URL: a councillor of ward A visiting ward A's round is "councillor-own", the
councillor of ward B visiting the same round is "councillor-other". Officers, admins and
the equalities panel work borough-wide. For a page with no object in its URL the resident
and councillor of ward A count as "own" and those of ward B as "other", so such an entry
must name both or neither (a test checks).

Each route (the URL rule, as `flask routes` prints it) has one or more `Case`s: which of a
ward's rounds (and which of its proposals) fills the ids in the URL, and who may GET and
who may POST it. `None` for a method means the route does not take it (a test checks that
it answers 405 to everyone). Every route of the app must be listed here: a new route fails
the test until someone decides who may use it.

What the test expects:
- allowed: a page (2xx) or a redirect that is not to a sign-in page; for a POST (sent with
  a real CSRF token and an empty form) also a 400/409/422 with the form's errors.
- not allowed, signed in: 403, or 404 (hiding that a draft exists is fine).
- not allowed, anonymous: a redirect to the sign-in page (`anonymous="login"`), or 403/404
  where the page hides that the object exists at all (`anonymous="hidden"`). The sign-in
  page is the phone sign-in where residents may use the route, the staff sign-in where only
  staff may (an officer sent to "enter your mobile number" is lost).
- an id that does not exist: 404 (403 where the whole area is closed to the visitor);
  anonymous as above.
- ids that do not belong together (round of ward A, heading or proposal of ward B): as a
  missing object, for everyone.
- never a 5xx, for anyone.
"""

from dataclasses import dataclass

ANON = "anonymous"
RES_OWN, RES_OTHER = "resident-own", "resident-other"
CLLR_OWN, CLLR_OTHER = "councillor-own", "councillor-other"
OFFICER, PANEL, ADMIN = "officer", "panel", "admin"

EVERYONE = frozenset({ANON, RES_OWN, RES_OTHER, CLLR_OWN, CLLR_OTHER, OFFICER, PANEL, ADMIN})
SIGNED_IN = EVERYONE - {ANON}
RESIDENTS = frozenset({RES_OWN, RES_OTHER})
COUNCILLORS = frozenset({CLLR_OWN, CLLR_OTHER})
STAFF = frozenset({OFFICER, ADMIN})  # officers and admins run rounds borough-wide
NOBODY = frozenset()
# a sign-in step with nothing waiting goes back to the start of its sign-in
PHONE_STEP, STAFF_STEP = frozenset({"phone sign-in"}), frozenset({"sign-in"})

# The kinds of object the world holds, one of each in ward A and one in ward B (see
# `build_world` in test_route_roles.py): a round of each kind (each round covers one ward;
# the voting round has a batch of paper ballots with a paper whose two keyings disagree), a
# draft and a published ward plan (each with a priority and an outcome), a plan in
# consultation (with a question of its own, and the ward's resident's response with a
# comment), and the ward's
# councillor's staff account (with their councillor role).
KINDS = ("draft", "upcoming", "proposals", "voting", "counting", "counted", "results",
         "draft-plan", "published-plan", "consultation-plan", "staff")
# A ward's proposals, by the name a Case uses: "submitted" and "draft" in the proposals
# round, written by the ward's resident; "funded" is a project the results round funded.
PROPOSALS = ("submitted", "draft", "funded")


@dataclass(frozen=True)
class Case:
    kind: str | None = None  # which round of the ward fills round_id / heading_id
    proposal: str | None = None  # which proposal of that round fills proposal_id
    GET: frozenset | None = None
    POST: frozenset | None = None
    anonymous: str = "login"  # what anonymous gets when not allowed: "login" or "hidden"
    also_ok: frozenset = frozenset()  # other answers that mean "allowed" here (see outcome())
    query: str = ""  # a query string for the GET
    note: str = ""


def public(kind=None, proposal=None, *, post=False, **kwargs) -> Case:
    """A page for everyone (and, with post=True, a form for everyone)."""
    return Case(kind, proposal, GET=EVERYONE, POST=EVERYONE if post else None, anonymous="hidden",
                **kwargs)


def hidden(kind, proposal=None, *, post=False, anonymous="hidden", note="") -> Case:
    """The object exists but nobody reaches it here: a draft round's public pages, or
    results that are not published yet."""
    return Case(kind, proposal, GET=NOBODY, POST=NOBODY if post else None, anonymous=anonymous,
                note=note)


MANAGERS = STAFF | {CLLR_OWN}  # pb.policy "manage_round": staff, and the ward's councillors
REPORT_READERS = STAFF | {PANEL, CLLR_OWN}  # "view_equalities_report"

DRAFTS_ARE_STAFF_ONLY = ("a draft is a 404 on the public side for everyone, staff included "
                         "(they see it in admin)")
NOT_PUBLISHED = "results that are not published yet are a 404 here for everyone"

ALLOW: dict[str, list[Case]] = {
    # -- public pages -------------------------------------------------------------------------
    "/": [public()],
    "/find-your-ward": [public(query="postcode=SW2+1RW")],
    "/accessibility": [public()],
    "/how-to-take-part": [public()],
    "/privacy": [public()],
    "/cookies": [public()],
    "/healthz": [public()],
    "/wards/": [public()],
    "/wards/<slug>": [public()],
    "/rounds/": [public()],
    "/rounds/<int:round_id>": [
        public("proposals"),
        hidden("draft", note=DRAFTS_ARE_STAFF_ONLY),
    ],
    "/rounds/<int:round_id>/wards/<int:heading_id>/proposals": [
        public("proposals"),
        hidden("draft", note=DRAFTS_ARE_STAFF_ONLY),
    ],
    "/rounds/<int:round_id>/proposals/<int:proposal_id>": [
        public("proposals", "submitted"),
        Case("proposals", "draft", GET=frozenset({RES_OWN}), anonymous="hidden",
             note="a draft proposal is its author's own"),
    ],
    "/rounds/<int:round_id>/wards/<int:heading_id>/results": [
        public("results", post=True, note="POST checks a receipt"),
        Case("counted", GET=STAFF, POST=STAFF, anonymous="hidden",
             note="officers check a count before it is published; everyone else gets a 404"),
    ],
    "/rounds/<int:round_id>/wards/<int:heading_id>/ballots.pb": [
        public("results"),
        hidden("counted", note=NOT_PUBLISHED),
    ],
    "/equalities/headings/<int:heading_id>/summary": [
        public("results"),
        hidden("counted", note=NOT_PUBLISHED),
    ],
    # -- a resident's own proposals -------------------------------------------------------------
    "/rounds/<int:round_id>/propose": [
        Case("proposals", GET=frozenset({RES_OWN}), POST=frozenset({RES_OWN}),
             note="residents propose in their own ward; staff and councillors have no ward here"),
        Case("draft", GET=NOBODY, POST=NOBODY, note=DRAFTS_ARE_STAFF_ONLY),
    ],
    "/rounds/<int:round_id>/proposals/<int:proposal_id>/edit": [
        Case("proposals", "draft", GET=frozenset({RES_OWN}), POST=frozenset({RES_OWN}),
             note="only its author edits a proposal"),
    ],
    "/rounds/<int:round_id>/proposals/<int:proposal_id>/withdraw": [
        Case("proposals", "submitted", POST=frozenset({RES_OWN}), note="only its author withdraws it"),
    ],
    "/rounds/<int:round_id>/my-proposals": [
        Case("proposals", GET=SIGNED_IN, note="anyone signed in sees their own list (often empty)"),
        hidden("draft", anonymous="login", note=DRAFTS_ARE_STAFF_ONLY),
    ],
    # -- voting ---------------------------------------------------------------------------------
    "/vote/<int:round_id>": [
        Case("voting", GET=frozenset({RES_OWN}), POST=frozenset({RES_OWN}),
             note="the ward's residents vote; nobody else has a ballot here"),
    ],
    "/vote/<int:round_id>/check": [Case("voting", GET=frozenset({RES_OWN}))],
    "/vote/<int:round_id>/cast": [Case("voting", POST=frozenset({RES_OWN}))],
    "/vote/<int:round_id>/done": [
        Case("counting", GET=frozenset({RES_OWN}), note="the ward's resident voted in this round"),
    ],
    # -- signing in and out -----------------------------------------------------------------------
    "/account/": [Case(GET=SIGNED_IN)],
    "/account/sign-in": [public(post=True, note="the staff sign-in")],
    "/account/sign-out": [Case(GET=SIGNED_IN, POST=SIGNED_IN)],
    "/account/resident": [public(post=True, note="development only: a 404 in production "
                                                  "(tests/web/test_phone_sign_in.py)")],
    "/account/phone": [public(post=True)],
    "/account/phone/code": [public(post=True, also_ok=PHONE_STEP,
                                   note="with no code asked for, back to the number page")],
    "/account/phone/postcode": [public(post=True, also_ok=PHONE_STEP,
                                       note="with no verified code, back to the number page")],
    "/account/phone/shared": [public()],
    "/dev/outbox": [public(note="development only: not registered in production (pb/services/sms.py)")],
    "/sms/notify/received": [Case(GET=None, POST=NOBODY, anonymous="hidden",
                                  note="Notify's callback: only its bearer token opens it (403 for everyone "
                                       "else); tests/web/test_sms_inbound.py sends the token")],
    # -- equality monitoring (after voting) and the panel's report ----------------------------------
    "/equalities/questions": [public(post=True, note="without a ballot of this visit: a page saying so")],
    "/equalities/questions/thanks": [public()],
    "/equalities/questions/skip": [public()],
    "/equalities/": [Case(GET=COUNCILLORS | STAFF | {PANEL})],
    "/equalities/headings/<int:heading_id>": [Case("results", GET=REPORT_READERS)],
    "/equalities/headings/<int:heading_id>.csv": [Case("results", GET=REPORT_READERS)],
    "/equalities/headings/<int:heading_id>/missing": [Case("results", GET=REPORT_READERS)],
    "/equalities/wards/<slug>/trends": [Case(GET=REPORT_READERS)],
    "/equalities/wards/<slug>/trends.csv": [Case(GET=REPORT_READERS)],
    "/equalities/headings/<int:heading_id>/threshold": [
        Case("results", GET=frozenset({PANEL, ADMIN}), POST=frozenset({PANEL, ADMIN}),
             note="the panel sets its own thresholds (and admins)"),
    ],
    # -- running rounds ---------------------------------------------------------------------------
    "/admin/": [Case(GET=COUNCILLORS | STAFF)],
    "/admin/rounds/new": [Case(GET=COUNCILLORS | STAFF, POST=COUNCILLORS | STAFF,
                               note="a councillor's new round may cover only their wards")],
    "/admin/rounds/<int:round_id>": [
        Case("voting", GET=MANAGERS),
        Case("draft", GET=MANAGERS),
    ],
    "/admin/rounds/<int:round_id>/edit": [Case("draft", GET=MANAGERS, POST=MANAGERS)],
    "/admin/rounds/<int:round_id>/delete": [Case("draft", GET=MANAGERS, POST=MANAGERS)],
    "/admin/rounds/<int:round_id>/publish": [Case("draft", POST=MANAGERS)],
    "/admin/rounds/<int:round_id>/unpublish": [Case("upcoming", POST=MANAGERS)],
    "/admin/rounds/<int:round_id>/dates": [Case("upcoming", POST=MANAGERS)],
    "/admin/rounds/<int:round_id>/extend-voting": [
        Case("voting", POST=STAFF, note="an officer, not a councillor, extends voting"),
    ],
    "/admin/rounds/<int:round_id>/eligibility": [Case("upcoming", POST=STAFF)],
    "/admin/rounds/<int:round_id>/count": [Case("counting", POST=STAFF)],
    "/admin/proposals/<int:proposal_id>/review": [
        Case("proposals", "submitted", GET=STAFF, POST=STAFF, note="officers review proposals"),
    ],
    "/admin/proposals/<int:proposal_id>/delivery": [
        Case("results", "funded", GET=MANAGERS, POST=MANAGERS),
    ],
    # -- staff accounts: admins manage people (helper A's pages) -------------------------------------
    "/admin/people": [Case(GET=frozenset({ADMIN}), note="admins grant and withdraw roles")],
    "/admin/people/invite": [Case(GET=frozenset({ADMIN}), POST=frozenset({ADMIN}))],
    "/admin/people/<int:person_id>/grant": [
        Case("staff", GET=frozenset({ADMIN}), POST=frozenset({ADMIN})),
    ],
    "/admin/people/<int:person_id>/roles/<int:grant_id>/withdraw": [
        Case("staff", GET=frozenset({ADMIN}), POST=frozenset({ADMIN})),
    ],
    "/admin/people/<int:person_id>/reset-second-factor": [
        Case("staff", GET=frozenset({ADMIN}), POST=frozenset({ADMIN})),
    ],
    # the rest of the staff sign-in: the second factor, forgotten passwords, invitation and
    # reset links. Part of signing in, so open to everyone; with nothing waiting they send
    # the visitor back to the start (the password page) or say the link has gone (410).
    "/account/sign-in/code": [public(post=True, also_ok=STAFF_STEP)],
    "/account/sign-in/set-up": [public(post=True, also_ok=STAFF_STEP)],
    "/account/forgot-password": [public(post=True)],
    "/account/forgot-password/sent": [public()],
    "/account/link/<token>": [public(note="keeps the token in the session, then /account/set-password")],
    "/account/set-password": [public(post=True, also_ok=frozenset({"410"}))],
    # -- assisted voting and paper ballots: officers and admins (helper B's pages) --------------------
    "/assist/": [Case(GET=STAFF, note="officers at a community access point")],
    "/assist/cancel": [Case(POST=STAFF)],
    "/assist/rounds/<int:round_id>/resident": [Case("voting", GET=STAFF, POST=STAFF)],
    "/assist/rounds/<int:round_id>/ballot": [
        Case("voting", GET=STAFF, POST=STAFF, note="with no resident checked: back to the check"),
    ],
    "/assist/rounds/<int:round_id>/confirm": [Case("voting", GET=STAFF)],
    "/assist/rounds/<int:round_id>/cast": [Case("voting", POST=STAFF)],
    "/assist/rounds/<int:round_id>/paper": [Case("voting", GET=STAFF, POST=STAFF)],
    "/assist/paper/batches/<int:batch_id>": [Case("voting", GET=STAFF, POST=STAFF)],
    "/assist/paper/papers/<int:paper_id>/resolve": [
        Case("voting", GET=STAFF, POST=STAFF,
             note="a supervisor who keyed neither keying settles a mismatch (the demo officer and "
                  "admin keyed neither)"),
    ],
    # -- ward plans: the ward's councillors and staff draft them, everyone reads them published -----
    "/tracker": [public()],
    "/tracker.csv": [public()],
    "/tracker.json": [public()],
    "/wards/<slug>/plans": [public()],
    "/wards/<slug>/plan": [public()],
    "/wards/<slug>/tracker": [public()],
    "/wards/<slug>/tracker.csv": [public()],
    "/wards/<slug>/tracker.json": [public()],
    "/plans/<int:plan_id>": [
        public("published-plan"),
        Case("draft-plan", GET=MANAGERS, anonymous="hidden", note="a draft plan is the council's own"),
    ],
    "/plans/<int:plan_id>.csv": [
        public("published-plan"),
        Case("draft-plan", GET=MANAGERS, anonymous="hidden"),
    ],
    "/plans/<int:plan_id>.json": [
        public("published-plan"),
        Case("draft-plan", GET=MANAGERS, anonymous="hidden"),
    ],
    "/plans/new": [Case(GET=COUNCILLORS | STAFF, POST=COUNCILLORS | STAFF,
                        note="without ?ward=, the wards this person may plan for")],
    "/plans/<int:plan_id>/edit": [Case("draft-plan", GET=MANAGERS, POST=MANAGERS)],
    "/plans/<int:plan_id>/publish": [Case("draft-plan", GET=MANAGERS, POST=MANAGERS)],
    "/plans/<int:plan_id>/delete": [Case("draft-plan", GET=MANAGERS, POST=MANAGERS)],
    "/plans/<int:plan_id>/priorities/new": [Case("draft-plan", GET=MANAGERS, POST=MANAGERS)],
    "/plans/<int:plan_id>/priorities/<int:priority_id>/edit": [
        Case("draft-plan", GET=MANAGERS, POST=MANAGERS),
    ],
    "/plans/<int:plan_id>/priorities/<int:priority_id>/delete": [
        Case("draft-plan", GET=MANAGERS, POST=MANAGERS),
    ],
    "/plans/<int:plan_id>/priorities/<int:priority_id>/move": [Case("draft-plan", POST=MANAGERS)],
    "/plans/<int:plan_id>/outcomes/new": [Case("draft-plan", GET=MANAGERS, POST=MANAGERS)],
    "/plans/<int:plan_id>/outcomes/<int:outcome_id>/edit": [
        Case("draft-plan", GET=MANAGERS, POST=MANAGERS),
    ],
    "/plans/<int:plan_id>/outcomes/<int:outcome_id>/delete": [
        Case("draft-plan", GET=MANAGERS, POST=MANAGERS),
    ],
    "/plans/<int:plan_id>/outcomes/<int:outcome_id>/update": [
        Case("published-plan", GET=MANAGERS, POST=MANAGERS,
             note="progress updates on a published plan: staff, and the ward's councillors"),
    ],
    # -- consultation on a draft plan: the ward's residents answer, officers moderate ----------
    "/plans/<int:plan_id>/consultation": [public("consultation-plan",
                                                 note="comments for everyone; results live for the ward's managers")],
    "/plans/<int:plan_id>/consultation/open": [Case("draft-plan", GET=MANAGERS, POST=MANAGERS)],
    "/plans/<int:plan_id>/consultation/questions/new": [
        Case("consultation-plan", GET=MANAGERS, POST=MANAGERS),
    ],
    "/plans/<int:plan_id>/consultation/questions/<int:question_id>/delete": [
        Case("consultation-plan", POST=MANAGERS),
    ],
    "/plans/<int:plan_id>/consultation/respond": [
        Case("consultation-plan", GET=frozenset({RES_OWN}), POST=frozenset({RES_OWN}),
             note="only residents of the plan's ward answer"),
    ],
    "/plans/<int:plan_id>/consultation/comments/<int:comment_id>/report": [
        Case("consultation-plan", POST=SIGNED_IN, note="anyone signed in reports a shown comment, once"),
    ],
    "/plans/<int:plan_id>/consultation/moderate": [
        Case("consultation-plan", GET=STAFF,
             note="officers and admins moderate, not the plan's own councillors (README)"),
    ],
    "/plans/<int:plan_id>/consultation/comments/<int:comment_id>/approve": [
        Case("consultation-plan", POST=STAFF),
    ],
    "/plans/<int:plan_id>/consultation/comments/<int:comment_id>/hide": [
        Case("consultation-plan", GET=STAFF, POST=STAFF),
    ],
    # -- following a ward: anyone signed in; the links in messages carry their own key -------
    "/wards/<slug>/follow": [Case(GET=SIGNED_IN, POST=SIGNED_IN)],
    "/follow/confirm/<token>": [
        Case(GET=NOBODY, anonymous="hidden",
             note="a made-up link opens nothing (404); tests/web/test_consultation_pages.py follows real ones"),
    ],
    "/follow/unsubscribe/<token>": [
        Case(GET=NOBODY, POST=NOBODY, anonymous="hidden",
             note="a made-up link opens nothing (404); a real one unsubscribes on GET and on a mail "
                  "client's one-click POST"),
    ],
    "/follow/unsubscribe/<token>/undo": [Case(POST=NOBODY, anonymous="hidden")],
    # -- translating content: officers, admins and volunteer translators (not in this world) ----
    "/translate/": [Case(GET=STAFF, note="translators too: tests/web/test_translated_content.py")],
    "/translate/rounds/<int:round_id>": [
        Case("voting", GET=STAFF, POST=STAFF, note="a POST naming no language goes back to the round"),
        Case("draft", GET=STAFF, POST=STAFF, note="translators may not see drafts; staff may"),
    ],
    "/translate/plans/<int:plan_id>": [
        Case("published-plan", GET=STAFF, POST=STAFF),
        Case("draft-plan", GET=STAFF, POST=STAFF),
    ],
    # -- open data (issue 15): public data only, the same for everyone ---------------------------
    "/data": [public()],
    "/transparency": [public(note="restricted entries show only their hashes to the public")],
    "/transparency/audit.json": [public()],
    "/rounds/<int:round_id>/wards/<int:heading_id>/results.json": [
        public("results"), hidden("counted", note=NOT_PUBLISHED)],
    "/rounds/<int:round_id>/wards/<int:heading_id>/results.csv": [
        public("results"), hidden("counted", note=NOT_PUBLISHED)],
    "/rounds/<int:round_id>/wards/<int:heading_id>/receipts.txt": [
        public("results"), hidden("counted", note=NOT_PUBLISHED)],
    "/rounds/<int:round_id>/wards/<int:heading_id>/proposals.json": [
        public("proposals"), hidden("draft", note=DRAFTS_ARE_STAFF_ONLY)],
    "/rounds/<int:round_id>/wards/<int:heading_id>/proposals.csv": [
        public("proposals"), hidden("draft", note=DRAFTS_ARE_STAFF_ONLY)],
    "/api": [public()],
    "/api/openapi.json": [public()],
    "/api/wards": [public()],
    "/api/rounds": [public()],
    "/api/rounds/<int:round_id>": [public("proposals"), hidden("draft", note=DRAFTS_ARE_STAFF_ONLY)],
    "/api/proposals": [public()],
    "/api/results": [public()],
    "/api/plans": [public()],
    "/api/plans/<int:plan_id>": [public("published-plan"),
                                 hidden("draft-plan", note="a draft plan is not public data")],
    "/api/outcomes": [public()],
}

# Known gaps between this list and the app: (rule, method, visitor, whose objects) -> why,
# each part a shell pattern (fnmatch). The visitor is one of test_route_roles.ROLES
# ("resident-A", "councillor-B", "officer"...); whose objects: "A", "B", "-" (none),
# "missing" or "mixed", prefixed with the Case's kind and "/" where a route has several.
# Each is expected to fail, strictly: a pattern that no longer fails fails the test until
# it is taken off this list.
FINDINGS: dict[tuple[str, str, str, str], str] = {
}

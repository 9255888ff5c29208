"""Read and write Pabulib ``.pb`` files (https://pabulib.org/format).

A file has three ``;``-separated sections: META (key;value), PROJECTS (a header, then one row
per project, ``project_id`` and ``cost`` first) and VOTES (``voter_id``, ``vote``, optional
``points`` and voter fields such as ``age``, ``sex``, ``voting_method``). We read as pabutools does:
utf-8 with or without BOM, decimals with a dot or comma (``2828094.61``, ``400000.0``, ``1,5``),
project ids as strings, values ``none`` ignored.

Lines end at ``\n`` or ``\r\n`` and nowhere else (not at the other characters
``str.splitlines`` splits on, such as ``\x1e`` or ``\u2028``). A field that starts with ``"``
is quoted as in CSV: it may hold ``;``, doubled quotes and line breaks, and is taken exactly as
written; unquoted fields are stripped of surrounding whitespace, as pabutools does. The writer
quotes every field that would not otherwise read back exactly, so any text round-trips.

vote_type: ``approval`` and ``choose-1`` -> approval; ``cumulative`` -> cumulative;
``ordinal`` -> ranked; ``scoring`` -> scoring.
"""

from __future__ import annotations

import io
import os
import re
from datetime import date
from fractions import Fraction

from .exact import decimal_text, rational
from .model import ONE, Ballot, BallotRules, Election, Project, TallyError

KIND_OF_VOTE_TYPE = {
    "approval": "approval",
    "choose-1": "approval",
    "cumulative": "cumulative",
    "ordinal": "ranked",
    "scoring": "scoring",
}
VOTE_TYPE_OF_KIND = {
    "approval": "approval",
    "knapsack": "approval",
    "cumulative": "cumulative",
    "ranked": "ordinal",
    "scoring": "scoring",
}
RULE_NAMES = {"greedy": "greedy", "mes": "equalshares", "mes-add1": "equalshares/add1"}
PROJECT_FIELDS = ("project_id", "cost", "name")


def _int_or_none(value):
    try:
        return int(rational(value)) if value not in (None, "") else None
    except (ValueError, TypeError):
        return None


def _rules_from_meta(meta: dict, num_projects: int) -> BallotRules:
    vote_type = meta.get("vote_type", "approval").strip().lower()
    if vote_type not in KIND_OF_VOTE_TYPE:
        raise TallyError(f"unsupported vote_type {vote_type!r}")
    kind = KIND_OF_VOTE_TYPE[vote_type]
    min_len = _int_or_none(meta.get("min_length"))
    max_len = _int_or_none(meta.get("max_length"))
    if vote_type == "choose-1":
        max_len = 1
    if kind == "cumulative":
        points = _int_or_none(meta.get("max_sum_points"))
        if points is None:
            points = _int_or_none(meta.get("max_points"))
        return BallotRules(kind, min_choices=min_len, max_choices=max_len, points=points or 1)
    if kind == "scoring":
        return BallotRules(kind, min_choices=min_len, max_choices=max_len,
                           points=_int_or_none(meta.get("max_points")))
    if kind == "ranked":
        return BallotRules(kind, min_choices=min_len, max_ranks=max_len)
    return BallotRules(kind, min_choices=min_len, max_choices=max_len)


def read_pabulib(path_or_text) -> Election:
    """Read a ``.pb`` file (a path, or the text of one) into an Election.

    Text is recognised by containing a newline; anything else is taken as a path.
    """
    if isinstance(path_or_text, os.PathLike) or (
        isinstance(path_or_text, str) and "\n" not in path_or_text
    ):
        with open(path_or_text, encoding="utf-8-sig", newline="") as f:
            text = f.read()
    else:
        text = path_or_text
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        text = text.removeprefix("\ufeff")
    return _parse(text)


SECTIONS = ("meta", "projects", "votes")


def _records(text: str):
    """Yield ``(fields, quoted)`` for each line of ``text``: ``fields`` as read (unquoted ones
    stripped) and ``quoted`` the set of indices of fields that were quoted.

    Lines without a ``"`` (nearly all of them) are simply split on ``;``.
    """
    lines = text.split("\n")
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        i += 1
        if '"' not in line:
            if line.endswith("\r"):
                line = line[:-1]
            yield [f.strip() for f in line.split(";")], ()
            continue
        fields, quoted, pos = [], set(), 0
        while True:  # one field per turn, starting at pos
            if line.startswith('"', pos):
                quoted.add(len(fields))
                parts, pos = [], pos + 1
                while True:  # inside quotes, possibly over several lines
                    end = line.find('"', pos)
                    if end < 0:
                        parts.append(line[pos:])
                        if i >= n:  # unterminated at the end of the file: keep what there is
                            line, pos = "", 0
                            break
                        parts.append("\n")
                        line, pos = lines[i], 0
                        i += 1
                        continue
                    parts.append(line[pos:end])
                    if line.startswith('"', end + 1):  # a doubled quote stands for one
                        parts.append('"')
                        pos = end + 2
                        continue
                    pos = end + 1
                    break
                stop = line.find(";", pos)
                rest = line[pos:] if stop < 0 else line[pos:stop]
                fields.append("".join(parts) + rest.rstrip())  # as csv would, then as strip()
            else:
                stop = line.find(";", pos)
                rest = line[pos:] if stop < 0 else line[pos:stop]
                fields.append(rest.strip())
            if stop < 0:
                break
            pos = stop + 1
        yield fields, quoted


def _parse(text: str) -> Election:
    meta: dict[str, str] = {}
    projects: list[Project] = []
    vote_rows: list[dict] = []
    section, header = "", []
    records = _records(text)
    for row, quoted in records:
        if len(row) == 1 and not row[0] and not quoted:
            continue
        if not quoted and row[0].lower() in SECTIONS:
            section = row[0].lower()
            header = next(records, ([], ()))[0]
        elif section == "meta":
            meta[row[0]] = row[1] if len(row) > 1 else ""
        elif section == "projects":
            fields = {header[i]: row[i] for i in range(min(len(row), len(header)))}
            given = {header[i]: row[i] for i in range(min(len(row), len(header)))
                     if i in quoted or row[i].lower() != "none"}
            extra = {k: v for k, v in given.items() if k not in ("project_id", "cost", "name")}
            projects.append(Project(row[0], _number(fields.get("cost"), f"project {row[0]}"),
                                    given.get("name", ""), extra))
        elif section == "votes":
            vote_rows.append({header[i]: row[i] for i in range(min(len(row), len(header)))
                              if i in quoted or row[i].lower() != "none"})
    if "budget" not in meta:
        raise TallyError("the META section has no budget")
    rules = _rules_from_meta(meta, len(projects))
    ballots = [_ballot(rules.kind, fields) for fields in vote_rows]
    return Election(_number(meta["budget"], "the budget"), projects, ballots, rules, meta)


def _number(text, what):
    try:
        return rational(text)
    except (TypeError, ValueError):
        raise TallyError(f"{what}: {str(text)[:40]!r} is not a number") from None


def _ballot(kind: str, fields: dict) -> Ballot:
    vote = fields.get("vote", "")
    voter = {k: v for k, v in fields.items() if k not in ("vote", "points")}
    ids = [p.strip() for p in vote.split(",")] if vote else []
    if kind in ("cumulative", "scoring"):
        if "points" not in fields or not ids:
            return Ballot({}, voter=voter)
        points = fields["points"].split(",")
        if len(points) != len(ids):
            raise TallyError(f"voter {voter.get('voter_id')}: vote and points differ in length")
        what = f"voter {voter.get('voter_id')}"
        return Ballot({p: _number(x, what) for p, x in zip(ids, points, strict=True)}, voter=voter)
    ids = [p for p in ids if p]
    if kind == "ranked":
        return Ballot(ids, voter=voter)
    return Ballot(frozenset(ids), voter=voter)


# ---------------------------------------------------------------- writing

def _text(value) -> str:
    if type(value) is str:
        return value
    if isinstance(value, Fraction | int):
        return decimal_text(value)
    return str(value)


def write_pabulib(election: Election, file_or_path, outcome=None) -> None:
    """Write ``election`` as a ``.pb`` file that passes ``pabulib-checker``.

    Required META fields missing from ``election.meta`` get neutral defaults. With ``outcome``,
    PROJECTS get a ``selected`` column (1/0) and META ``rule`` names the rule. Ballot weights
    must be whole numbers: a ballot of weight w is written as w identical rows (ids ``<id>``,
    ``<id>-2``, ...); weight 0 ballots are left out. Costs must have a finite decimal form.
    """
    rows = _rows(election, outcome)
    if isinstance(file_or_path, str | os.PathLike):
        with open(file_or_path, "w", encoding="utf-8", newline="") as f:
            f.write(rows)
    else:
        file_or_path.write(rows)


PROJECT_COLUMNS = ("project_id", "cost", "votes", "score", "name", "category", "beneficiaries",
                   "selected", "neighborhood", "subunit", "district", "description", "proposer",
                   "public_id", "latitude", "longitude")
VOTER_COLUMNS = ("voter_id", "vote", "points", "age", "sex", "voting_method", "district",
                 "neighborhood", "education")
META_COLUMNS = ("description", "country", "unit", "district", "subunit", "instance",
                "num_projects", "num_votes", "budget", "vote_type", "rule", "date_begin",
                "date_end", "min_length", "max_length", "min_sum_cost", "max_sum_cost",
                "min_points", "max_points", "min_sum_points", "max_sum_points", "default_score",
                "min_project_cost", "max_project_cost", "min_project_score_threshold",
                "neighborhoods", "subdistricts", "categories", "edition", "language", "currency",
                "fully_funded", "experimental", "comment", "acknowledgments", "leftover_budget",
                "budget_per_category", "budget_per_neighborhood", "min_length_per_category",
                "max_length_per_category", "min_sum_cost_per_category", "max_sum_cost_per_category")
LIST_FIELDS = {"category", "beneficiaries", "categories", "neighborhoods", "subdistricts",
               "budget_per_category", "budget_per_neighborhood", "min_sum_cost_per_category",
               "max_sum_cost_per_category"}


def _list_text(key, value) -> str:
    """Pabulib lists are comma-separated with no spaces around the commas."""
    if key in LIST_FIELDS and isinstance(value, str):
        return ",".join(part.strip() for part in value.split(","))
    return _text(value)


def _ordered(keys, known) -> list:
    """Keys in Pabulib's column order, unknown ones after in their own order."""
    keys = list(dict.fromkeys(keys))
    return [k for k in known if k in keys] + [k for k in keys if k not in known]


MISSING = object()
"""A cell with no value: written as a bare ``none``, which the reader skips."""
_QUOTE_IF = re.compile('[;"\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]')
"""Field separators, quotes and every character ``str.splitlines`` ends a line at."""


def _cell(value, first=False) -> str:
    """One field, quoted unless the reader would give back exactly ``value`` without quotes.

    ``none`` is quoted anywhere (bare, it means no value); a section name only as the first field
    of a row, where bare it would start a section.
    """
    if value is MISSING:
        return "none"
    if (_QUOTE_IF.search(value) or value != value.strip() or value.lower() == "none"
            or (first and value.lower() in SECTIONS)):
        return '"' + value.replace('"', '""') + '"'
    return value


class _Writer:
    def __init__(self, out):
        self.out = out

    def writerow(self, row):
        self.out.write(";".join([_cell(row[0], True), *map(_cell, row[1:])]) + "\n")

    def section(self, name):
        self.out.write(name + "\n")


def _rows(election: Election, outcome) -> str:
    out = io.StringIO()
    w = _Writer(out)
    kind = election.rules.kind
    vote_rows = _vote_rows(election)
    meta = _meta(election, outcome, len(vote_rows))
    w.section("META")
    w.writerow(["key", "value"])
    for k in _ordered(meta, META_COLUMNS):
        w.writerow([k, _list_text(k, meta[k])])

    projects = []
    for p in election.projects:
        fields = {"project_id": p.id, "cost": p.cost, "name": p.name or p.id}
        fields.update({k: v for k, v in p.extra.items() if k not in fields})
        if outcome is not None:
            e = outcome.explanations[p.id]
            fields["votes"] = e.supporters
            if kind == "cumulative":
                fields["score"] = e.score
            fields["selected"] = 1 if e.funded else 0
        projects.append(fields)
    if outcome is not None:  # in the order the rule considered them, so ties read the same
        rank = {pid: k for k, pid in enumerate(outcome.selected)}
        projects.sort(key=lambda f: rank.get(f["project_id"], len(rank)))
    # a ward nobody proposed anything in still gets a well-formed (empty) PROJECTS section
    header = _ordered([k for f in projects for k in f], PROJECT_COLUMNS) or list(PROJECT_FIELDS)
    w.section("PROJECTS")
    w.writerow(header)
    for f in projects:
        w.writerow([_list_text(k, f[k]) if k in f else MISSING for k in header])

    cardinal = kind in ("cumulative", "scoring")
    voter_keys = [k for _, voter, _ in vote_rows for k in voter if k not in ("voter_id",)]
    header = _ordered(["voter_id", "vote", *(["points"] if cardinal else []), *voter_keys],
                      VOTER_COLUMNS)
    w.section("VOTES")
    w.writerow(header)
    # tens of thousands of rows, most repeating a few votes and voter fields: each distinct
    # choices object is written out once, each repeated cell quoted (or not) once, and each
    # row after its voter_id once per (voter fields, vote) pair
    votes: dict[int, str] = {}
    cells: dict[str, str] = {}
    rests: dict[tuple, str] = {}
    lines = []
    for voter_id, voter, choices in vote_rows:
        if cardinal:
            items = sorted(((str(p), rational(x)) for p, x in choices.items() if rational(x) != 0),
                           key=lambda kv: (-kv[1], kv[0]))
            vote = (",".join(p for p, _ in items), ",".join(_text(x) for _, x in items))
        else:
            vote = votes.get(id(choices))  # the election keeps every choices object alive
            if vote is None:
                if kind == "ranked":
                    vote = ",".join(dict.fromkeys(map(str, choices)))
                else:
                    vote = ",".join(sorted(set(map(str, choices))))
                votes[id(choices)] = vote
        key = (id(voter), vote)  # every voter dict stays alive (and unchanged) meanwhile
        rest = rests.get(key)
        if rest is None:
            fields = dict(voter)
            if cardinal:
                fields["vote"], fields["points"] = vote
            else:
                fields["vote"] = vote
            parts = []
            for k in header[1:]:  # header[0] is voter_id
                value = _text(fields.get(k, ""))
                cell = cells.get(value)
                if cell is None:
                    cell = cells[value] = _cell(value)
                parts.append(cell)
            rest = rests[key] = "".join(";" + cell for cell in parts)
        # a number needs no quotes; anything else is checked
        lines.append((voter_id if voter_id.isdigit() else _cell(voter_id, True)) + rest + "\n")
    out.write("".join(lines))
    return out.getvalue()


def _vote_rows(election: Election) -> list:
    rows, used = [], set()
    empty: dict = {}
    for n, ballot in enumerate(election.ballots, start=1):
        weight = ballot.weight
        if weight is ONE:  # the usual ballot
            copies = 1
        elif weight.denominator != 1:
            raise TallyError("Pabulib files cannot hold ballots with fractional weights")
        else:
            copies = int(weight)
        voter = ballot.voter or empty  # only read from here on
        base = str(voter.get("voter_id", n))
        for k in range(copies):
            voter_id = base if k == 0 else f"{base}-{k + 1}"
            while voter_id in used:
                voter_id += "+"
            used.add(voter_id)
            rows.append((voter_id, voter, ballot.choices))
    return rows


def _meta(election: Election, outcome, num_votes: int) -> dict:
    meta = dict(election.meta)
    today = date.today().strftime("%d.%m.%Y")
    defaults = {
        "description": "Ward Budgets participatory budget",
        "country": "United Kingdom",
        "unit": "unknown",
        "instance": str(date.today().year),
        "date_begin": today,
    }
    for k, v in defaults.items():
        meta.setdefault(k, v)
    meta.setdefault("date_end", meta["date_begin"])
    meta["num_projects"] = len(election.projects)
    meta["num_votes"] = num_votes
    meta["budget"] = election.budget
    kind = election.rules.kind
    if KIND_OF_VOTE_TYPE.get(meta.get("vote_type")) != kind:
        meta["vote_type"] = VOTE_TYPE_OF_KIND[kind]
    if outcome is not None:
        meta["rule"], comment = _rule_name(outcome.rule, kind)
        if comment:
            meta["comment"] = comment
    meta.setdefault("rule", "unknown")
    r = election.rules
    limits = {
        "min_length": r.min_choices,
        "max_length": r.max_ranks if kind == "ranked" else r.max_choices,
        "max_sum_points": r.points if kind == "cumulative" else None,
        "max_points": r.points if kind == "scoring" else None,
    }
    for k, v in limits.items():
        if v is not None:
            meta.setdefault(k, v)
    total_cost = sum((p.cost for p in election.projects), Fraction(0))
    if election.budget >= total_cost:
        meta["fully_funded"] = 1
    return meta


def _rule_name(rule: str, kind: str) -> tuple[str, str | None]:
    """Pabulib's name for our rule, where its definition is the same; else "unknown" + a comment.

    Pabulib's ``greedy`` and ``equalshares`` are defined on approval votes. Its
    ``equalshares/add1`` has no greedy completion and starts from a rounded share, so our
    ``mes-add1`` is written as ``unknown`` with a comment saying exactly what was run.
    """
    if kind in ("approval", "knapsack") and rule in ("greedy", "mes"):
        return RULE_NAMES[rule], None
    return "unknown", f"#1: selected by pb.tally rule {rule} (pabutools 1.2.3 semantics)"

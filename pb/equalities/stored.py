"""A finished report as JSON, so that it can be computed once and stored.

A report between two release points (or after the results) is an artefact: every app
server reads the same stored text and rebuilds the same ``CaptureReport`` from it, so the
pages they render are byte for byte alike, whichever server computed it.

``dumps(report)`` / ``loads(text)`` round-trip a report exactly: dataclasses by name, tuples
kept as tuples, floats as Python writes them (``repr`` round-trips every float), a
characteristic by its key. ``loads`` rebuilds only the report's own dataclasses (a fixed
list): the stored text is data, never code.
"""

import json
from dataclasses import fields, is_dataclass

import numpy as np

from pb.equalities.characteristics import BY_KEY, Characteristic
from pb.equalities.outreach import MissingGroup, Outreach
from pb.equalities.report import (
    CaptureReport,
    CharacteristicReport,
    ProjectBreakdown,
    ProjectReport,
    WeightingSummary,
)
from pb.equalities.representation import (
    ChiSquare,
    Flag,
    FlagPolicy,
    RepresentationTable,
    Row,
    Summary,
)
from pb.equalities.reweight import Bootstrap

FORMAT = 1  # bump when the report's method or shape changes: older stored reports are left unused

TYPES = {cls.__name__: cls for cls in (
    CaptureReport, CharacteristicReport, RepresentationTable, Row, ChiSquare, Flag, FlagPolicy,
    Summary, Outreach, MissingGroup, WeightingSummary, Bootstrap, ProjectReport,
    ProjectBreakdown)}


def _encode(value):
    if isinstance(value, Characteristic):
        return {"~ch": value.key}
    if is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if TYPES.get(name) is not type(value):
            raise TypeError(f"cannot store a {name}")
        return {"~dc": name, "f": {f.name: _encode(getattr(value, f.name))
                                   for f in fields(value)}}
    if isinstance(value, tuple):
        return {"~t": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("cannot store a mapping with keys that are not text")
        return {"~d": {k: _encode(v) for k, v in value.items()}}
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(f"cannot store a {type(value).__name__}")


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "~ch" in value:
        return BY_KEY[value["~ch"]]
    if "~t" in value:
        return tuple(_decode(v) for v in value["~t"])
    if "~d" in value:
        return {k: _decode(v) for k, v in value["~d"].items()}
    cls = TYPES[value["~dc"]]
    return cls(**{k: _decode(v) for k, v in value["f"].items()})


def dumps(report: CaptureReport) -> str:
    """The report as JSON text (the same report always gives the same text)."""
    return json.dumps(_encode(report), sort_keys=True, separators=(",", ":"),
                      allow_nan=True)


def loads(text: str) -> CaptureReport:
    report = _decode(json.loads(text))
    if not isinstance(report, CaptureReport):
        raise TypeError("not a stored report")
    return report

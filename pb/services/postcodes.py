"""Finding a resident's ward from their postcode (ONS Postcode Directory allocation)."""

import re

from pb.models import Postcode, Ward, db

# The shape of a UK postcode: outward code (area, district) and inward code (sector, unit).
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")


def normalise(text: str) -> str | None:
    """'sw2 1aa ' -> 'SW2 1AA'; None when it is not shaped like a UK postcode."""
    match = POSTCODE.match(re.sub(r"\s+", " ", (text or "").strip().upper()))
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def ward_for(postcode: str) -> Ward | None:
    """The Lambeth ward a well-formed postcode belongs to, or None if it is not in Lambeth."""
    row = db.session.get(Postcode, postcode)
    return row.ward if row else None

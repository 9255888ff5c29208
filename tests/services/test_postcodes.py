import pytest

from pb.services.postcodes import normalise, ward_for


@pytest.mark.parametrize("text,expected", [
    ("sw2 1rw", "SW2 1RW"), ("SW21RW", "SW2 1RW"), (" se11  5aa ", "SE11 5AA"),
    ("EC1A 1BB", "EC1A 1BB"), ("W1A 0AX", "W1A 0AX"), ("CR4 1TL", "CR4 1TL"),
])
def test_well_formed_postcodes_are_tidied(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize("text", ["", "SW2", "1RW SW2", "SW2 1R", "SWW2 1RW", "S 1RW", "SW2 1RWX", None])
def test_malformed_postcodes_are_rejected(text):
    assert normalise(text) is None


def test_ward_lookup(ctx):
    assert ward_for("SW2 1RW").name == "Brixton Acre Lane"
    assert ward_for("N1 9GU") is None

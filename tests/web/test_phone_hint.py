"""The phone sign-in's hint and error describe numbers the sign-in accepts. They used to
show GOV.UK's example 07700 900 982, an Ofcom drama number that `phonenumbers` (rightly)
calls invalid, so a resident who typed the example was refused. Any valid example would be
someone's real number, so the page describes the format instead; and if a number ever
appears in that text again, it must be one the sign-in takes."""

import re

import phonenumbers

PHONE_LIKE = re.compile(r"\+?\d[\d ()-]{6,}\d")


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_hint_and_the_error_show_no_number_the_sign_in_would_refuse(client):
    page = client.get("/account/phone").get_data(as_text=True)
    hint = text_of(re.search(r'id="number-hint"[^>]*>(.*?)</div>', page, re.S).group(1))
    assert "starts with 07 and has 11 digits" in hint and "country code" in hint
    refused = client.submit("/account/phone", {"number": "12345"})
    assert refused.status_code == 400
    error = text_of(re.search(r'id="number-error"[^>]*>(.*?)</p>', refused.get_data(as_text=True), re.S).group(1))
    assert "11 digits starting with 07" in error
    for text in (hint, error):
        for example in PHONE_LIKE.findall(text):
            assert phonenumbers.is_valid_number(phonenumbers.parse(example, "GB")), example


def test_numbers_in_the_described_format_are_taken(client):
    for typed in ("07911 123456", "07911123456", "+44 7911 123456", "+33 6 12 34 56 78"):
        number = phonenumbers.parse(typed, "GB")
        assert phonenumbers.is_valid_number(number), typed
        fresh = type(client)(client.application.test_client())
        assert fresh.submit("/account/phone", {"number": typed}).status_code == 302, typed
    # the old example, which the hint no longer shows, is not a valid number
    assert not phonenumbers.is_valid_number(phonenumbers.parse("07700 900 982", "GB"))

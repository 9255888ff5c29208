"""Sessions that end: after sign-out, a copied session cookie opens nothing."""

from tests.second_factor import sign_in_staff
from tests.security.test_secrecy import decode_session


def test_a_copied_cookie_is_worthless_after_sign_out(app, client, demo, sign_in):
    sign_in(demo["officer"])
    assert client.get("/admin/").status_code == 200
    cookie = client.get_cookie("session").value
    assert decode_session(cookie)
    client.submit("/account/sign-out", {})
    assert client.get("/admin/").status_code == 302  # signed out: to the sign-in page
    client.set_cookie("session", cookie)  # the copy an attacker kept
    response = client.get("/admin/")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


def test_signing_out_on_one_device_ends_the_others(app, demo, sign_in, client):
    from tests.conftest import FormClient

    other = FormClient(app.test_client())
    sign_in(demo["officer"])
    response = sign_in_staff(other, demo["officer"])
    assert response.status_code == 302 and other.get("/admin/").status_code == 200
    client.submit("/account/sign-out", {})
    assert other.get("/admin/").status_code == 302


def test_a_forged_session_id_opens_nothing(app, client, demo):
    for forged in ("1", "1:x", "x:0", "99999999999999999999:0", "1:0:0", ""):
        with client.session_transaction() as session:
            session["_user_id"] = forged
        assert client.get("/admin/").status_code == 302, forged

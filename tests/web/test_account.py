from tests.second_factor import sign_in_staff


def test_staff_sign_in_and_out(client, demo):
    response = sign_in_staff(client, demo["officer"])  # the password, then the authenticator's code
    assert response.status_code == 302
    body = client.get("/account/").get_data(as_text=True)
    assert "Olu Officer" in body and "Council officer" in body
    assert client.submit("/account/sign-out", {}).status_code == 302
    assert client.get("/account/").status_code == 302  # back to sign in


def test_wrong_password_is_a_clear_error(client, demo):
    response = client.submit("/account/sign-in", {"email": demo["officer"], "password": "nope"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "The email address or password is not right" in body and "govuk-error-summary" in body


def test_missing_fields_are_named(client):
    response = client.submit("/account/sign-in", {"email": "", "password": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your email address" in body and "Enter your password" in body


def test_a_form_without_its_csrf_token_is_refused(client, demo):
    response = client.post("/account/sign-in", data={"email": demo["officer"], "password": "test-password"})
    assert response.status_code == 400


def test_next_only_goes_to_our_own_pages(client, demo):
    response = sign_in_staff(client, demo["officer"], next="//evil.example/x")
    assert response.headers["Location"] == "/"

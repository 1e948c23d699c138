"""Sign-in, landing pages, sign-out, rate-limited attempts, CSRF, security headers and error pages."""

from __future__ import annotations

import pytest

from daas.extensions import limiter
from tests import factories
from tests.helpers import configure
from tests.web.helpers import PASSWORD, csrf_token, post_form, sign_in

HOMES = {"admin": "/admin", "finance": "/finance", "logistics": "/logistics", "customer": "/portal"}


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_lands_on_its_own_home(app, database, role) -> None:
    customer_id = factories.customer().id if role == "customer" else None
    user = factories.user(role, customer_id, password=PASSWORD)
    client = app.test_client()
    response = sign_in(client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == HOMES[role]
    home = client.get(HOMES[role], follow_redirects=True)
    assert home.status_code == 200
    text = home.get_data(as_text=True)
    assert user.email in text and "Sign out" in text
    assert client.get("/").headers["Location"] == HOMES[role]


def test_a_wrong_password_is_refused_beside_the_field(app, database) -> None:
    user = factories.user("finance", password=PASSWORD)
    response = sign_in(app.test_client(), user.email, "not-the-password")
    assert response.status_code == 401
    assert "The e-mail or the password is not right." in response.get_data(as_text=True)


def test_sign_out_ends_the_session(app, database) -> None:
    user = factories.user("finance", password=PASSWORD)
    client = app.test_client()
    sign_in(client, user.email)
    response = post_form(client, "/logout", {}, form_page="/finance")
    assert response.status_code == 302
    assert client.get("/finance").headers["Location"].startswith("/login")


def test_a_role_may_not_open_another_role_s_pages(app, database) -> None:
    client = app.test_client()
    sign_in(client, factories.user("logistics", password=PASSWORD).email)
    response = client.get("/finance")
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert "Your role may not see this page." in response.get_data(as_text=True)


def test_a_form_posted_without_its_csrf_token_is_refused(app, database) -> None:
    user = factories.user("finance", password=PASSWORD)
    response = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)


def test_sign_in_attempts_are_rate_limited(app, database, monkeypatch) -> None:
    configure(app, monkeypatch, DAAS_LOGIN_RATE_LIMIT="3 per minute")
    limiter.reset()
    user = factories.user("finance", password=PASSWORD)
    client = app.test_client()
    token = csrf_token(client, "/login")
    statuses = [
        client.post(
            "/login", data={"csrf_token": token, "email": user.email, "password": "guess"}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    refused = client.post("/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert refused.status_code == 429  # even the right password waits: the limit is per address and e-mail
    assert "Too many attempts" in refused.get_data(as_text=True)
    other = factories.user("finance", password=PASSWORD)
    assert (
        client.post(
            "/login", data={"csrf_token": token, "email": other.email, "password": PASSWORD}
        ).status_code
        == 302
    )
    limiter.reset()


def test_pages_are_sent_with_security_headers_and_no_inline_script(app, database) -> None:
    response = app.test_client().get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.get_data(as_text=True)


def test_an_unknown_page_is_an_html_404_without_a_trace(app, database) -> None:
    response = app.test_client().get("/no-such-page")
    assert (response.status_code, response.mimetype) == (404, "text/html")
    assert "There is no such page" in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in response.headers


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one() -> None:
    from flask import request

    from daas import create_app

    behind = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "DAAS_TRUSTED_PROXIES": 1}, env="testing")
    direct = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, env="testing")
    for each in (behind, direct):
        each.add_url_rule("/address", "address", lambda: request.remote_addr or "")
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    assert behind.test_client().get("/address", headers=forwarded).get_data(as_text=True) == "203.0.113.7"
    assert direct.test_client().get("/address", headers=forwarded).get_data(as_text=True) == "127.0.0.1"

"""Sessions: production cookies (Secure, HttpOnly, SameSite), Strict-Transport-Security over HTTPS, and
sessions that end for good: a session cookie copied before sign-out, a password change or a deactivation
opens nothing afterwards, while other people's sessions carry on."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from daas import create_app
from daas.auth import services as auth
from daas.extensions import db
from tests.helpers import PRODUCTION_ISSUER
from tests.web.browsers import Browser, browser, signed_in
from tests.web.helpers import PASSWORD, post_form, sign_in

ONE_YEAR = 365 * 24 * 3600


def _production_environment(monkeypatch) -> None:
    """What production needs from the environment: a secret key, a database, the invoices' issuer."""
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-of-some-length")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    for name, value in PRODUCTION_ISSUER.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def production(monkeypatch) -> Flask:
    """The production settings (no database needed: the sign-in page's GET only sets the CSRF cookie)."""
    _production_environment(monkeypatch)
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, env="production")


def _session_cookie(response) -> list[str]:
    """The attributes of the session cookie the response sets, lower case."""
    [cookie] = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    return [part.strip().lower() for part in cookie.split(";")[1:]]


def test_production_session_cookies_are_secure_http_only_and_same_site_lax(production) -> None:
    config = production.config
    assert (config["SESSION_COOKIE_SECURE"], config["SESSION_COOKIE_HTTPONLY"]) == (True, True)
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert (config["REMEMBER_COOKIE_SECURE"], config["REMEMBER_COOKIE_HTTPONLY"]) == (True, True)
    assert config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    response = production.test_client().get("/login", base_url="https://daas.example")
    assert response.status_code == 200
    assert {"secure", "httponly", "samesite=lax"} <= set(_session_cookie(response))


def test_https_answers_carry_strict_transport_security_and_plain_http_ones_do_not(production) -> None:
    client = production.test_client()
    expected = f"max-age={ONE_YEAR}; includeSubDomains"
    for path in ("/login", "/api/v1/openapi.json", "/no-such-page"):
        assert (
            client.get(path, base_url="https://daas.example").headers["Strict-Transport-Security"] == expected
        )
        assert "Strict-Transport-Security" not in client.get(path, base_url="http://daas.example").headers


def test_behind_a_trusted_proxy_hsts_follows_x_forwarded_proto(monkeypatch) -> None:
    _production_environment(monkeypatch)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    behind = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "DAAS_TRUSTED_PROXIES": 1}, env="production")
    direct = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, env="production")
    tls_proxy = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" in behind.test_client().get("/login", headers=tls_proxy).headers
    assert "Strict-Transport-Security" not in behind.test_client().get("/login").headers
    # Not behind a trusted proxy: anybody can send the header, so it says nothing.
    assert "Strict-Transport-Security" not in direct.test_client().get("/login", headers=tls_proxy).headers


def test_hsts_max_age_is_a_setting_and_zero_turns_it_off(monkeypatch) -> None:
    _production_environment(monkeypatch)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("DAAS_HSTS_SECONDS", "600")
    short = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, env="production")
    https = {"base_url": "https://daas.example"}
    assert short.test_client().get("/login", **https).headers["Strict-Transport-Security"] == (
        "max-age=600; includeSubDomains"
    )
    monkeypatch.setenv("DAAS_HSTS_SECONDS", "0")
    off = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, env="production")
    assert "Strict-Transport-Security" not in off.test_client().get("/login", **https).headers


def test_production_warns_at_start_up_when_the_rate_limit_store_is_per_process(monkeypatch, caplog) -> None:
    _production_environment(monkeypatch)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    # The test session's migrations (alembic's fileConfig) disable the loggers that existed before them.
    monkeypatch.setattr(logging.getLogger("daas.web"), "disabled", False)

    def warnings() -> list[logging.LogRecord]:
        return [record for record in caplog.records if "DAAS_RATELIMIT_STORAGE_URI" in record.getMessage()]

    with caplog.at_level(logging.WARNING, logger="daas.web"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, env="testing")
        assert not warnings()
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, env="production")
    [warning] = warnings()
    assert warning.levelno == logging.WARNING and "memory://" in warning.getMessage()


# -- revocable sessions --------------------------------------------------------------------------------------


def _copy_of(app: Flask, client: FlaskClient) -> Browser:
    """Another browser holding a copy of `client`'s session cookie, as an attacker who stole it would."""
    copy = browser(app)
    copy.set_cookie("session", client.get_cookie("session").value)
    return copy


def _opens(client: FlaskClient, path: str) -> bool:
    response = client.get(path)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200, response.status_code
    return True


def test_a_session_cookie_copied_before_sign_out_opens_nothing_afterwards(app, database) -> None:
    client, _ = signed_in(app, "finance")
    copy = _copy_of(app, client)
    assert _opens(copy, "/finance")  # the copy is as good as the original while the session lasts
    assert post_form(client, "/logout", {}, form_page="/finance").status_code == 302
    assert not _opens(copy, "/finance")
    assert not _opens(client, "/finance")


def test_signing_out_ends_every_session_of_the_person_and_nobody_else_s(app, database) -> None:
    client, user = signed_in(app, "finance")
    laptop, _ = signed_in(app, "finance", user)
    colleague, _ = signed_in(app, "finance")
    post_form(client, "/logout", {}, form_page="/finance")
    assert not _opens(laptop, "/finance")
    assert _opens(colleague, "/finance")
    again, _ = signed_in(app, "finance", user)  # signing in again works as before
    assert _opens(again, "/finance")


def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(app, database) -> None:
    client, user = signed_in(app, "logistics")
    copy = _copy_of(app, client)
    colleague, _ = signed_in(app, "logistics")
    auth.set_password(user.id, "a-brand-new-password")
    db.session.commit()
    assert not _opens(copy, "/logistics")
    assert not _opens(client, "/logistics")
    assert _opens(colleague, "/logistics")
    assert sign_in(browser(app), user.email, PASSWORD).status_code == 401
    assert sign_in(browser(app), user.email, "a-brand-new-password").status_code == 302


def test_an_admin_deactivating_a_user_ends_their_sessions_and_can_undo_it(app, database) -> None:
    admin, _ = signed_in(app, "admin")
    client, user = signed_in(app, "finance")
    copy = _copy_of(app, client)
    colleague, _ = signed_in(app, "finance")
    page = f"/admin/users/{user.id}"
    done = post_form(admin, f"{page}/deactivate", {}, form_page=page)
    assert done.status_code == 302
    assert "is deactivated" in admin.get(done.headers["Location"]).get_data(as_text=True)
    assert db.session.get(type(user), user.id).active is False
    assert not _opens(copy, "/finance") and not _opens(client, "/finance")
    assert _opens(colleague, "/finance")
    assert sign_in(browser(app), user.email).status_code == 401
    post_form(admin, f"{page}/reactivate", {}, form_page=page)
    assert not _opens(copy, "/finance")  # ended sessions stay ended
    assert sign_in(browser(app), user.email).status_code == 302


def test_an_admin_cannot_deactivate_themselves(app, database) -> None:
    admin, me = signed_in(app, "admin")
    page = f"/admin/users/{me.id}"
    assert "Deactivate" not in admin.get(page).get_data(as_text=True)
    refused = post_form(admin, f"{page}/deactivate", {}, form_page="/admin/users")
    assert "You cannot deactivate yourself" in admin.get(refused.headers["Location"]).get_data(as_text=True)
    assert db.session.get(type(me), me.id).active is True
    assert _opens(admin, "/admin")


def test_deactivating_from_the_command_line_ends_the_sessions(app, database) -> None:
    client, user = signed_in(app, "finance")
    copy = _copy_of(app, client)
    result = app.test_cli_runner().invoke(args=["daas", "users", "deactivate", user.email.upper()])
    assert result.exit_code == 0, result.output
    assert "signed out everywhere" in result.output
    assert not _opens(copy, "/finance")
    result = app.test_cli_runner().invoke(args=["daas", "users", "reactivate", user.email])
    assert result.exit_code == 0, result.output
    assert sign_in(browser(app), user.email).status_code == 302


def test_a_session_cookie_of_the_old_kind_signs_nobody_in(app, database) -> None:
    """Cookies made before session versions carried the bare user id: they are turned away once."""
    client, user = signed_in(app, "finance")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert not _opens(client, "/finance")

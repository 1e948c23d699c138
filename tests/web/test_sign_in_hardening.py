"""Sign-in that tells an attacker nothing and holds across workers: the same password check whether or not
the account exists, one e-mail rule where users are made and none at sign-in, and failed sign-ins counted
per address in the database with a lockout that expires."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import argon2
import pytest
from sqlalchemy import select

from daas.auth import credentials
from daas.auth.models import SignInFailure, User
from daas.auth.rules import NOT_AN_ADDRESS, email_key
from daas.auth.sign_in import WRONG_CREDENTIALS
from daas.core import clock
from daas.extensions import db
from tests import factories
from tests.helpers import bearer, configure
from tests.web.browsers import browser, signed_in
from tests.web.helpers import PASSWORD, post_form, sign_in

NOW = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)
LOCKED = "Too many failed sign-ins with this e-mail address. Wait 15 minutes, then try again."


def errors_on_the_page(response) -> list[str]:
    return re.findall(r'<p class="field-error"[^>]*>([^<]*)</p>', response.get_data(as_text=True))


def error_beside(response, field_id: str) -> str:
    match = re.search(
        rf'<p class="field-error" id="{field_id}-error">([^<]*)</p>', response.get_data(as_text=True)
    )
    assert match, f"no error beside {field_id}"
    return match.group(1)


# -- the same work for unknown accounts ----------------------------------------------------------------------


@pytest.fixture
def verifications(monkeypatch) -> list[str]:
    """Every Argon2 verification the app runs, by the hash it checked against."""
    seen: list[str] = []
    real = argon2.PasswordHasher.verify

    def counting(hasher: argon2.PasswordHasher, password_hash: str, password: str) -> bool:
        seen.append(password_hash)
        return real(hasher, password_hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    return seen


def test_every_sign_in_runs_one_argon2_check_whether_or_not_the_account_exists(app, database, verifications):
    real = factories.user("finance", password=PASSWORD)
    inactive = factories.user("finance", password=PASSWORD)
    inactive.active = False
    tokens_only = factories.user("finance")  # no password: API tokens only
    db.session.commit()
    attempts = [
        ("nobody@example.com", PASSWORD, 401),
        (inactive.email, PASSWORD, 401),
        (tokens_only.email, PASSWORD, 401),
        (real.email, "not-the-password", 401),
        (real.email, PASSWORD, 302),
    ]
    for email, password, status in attempts:
        before = len(verifications)
        response = sign_in(browser(app), email, password)
        assert response.status_code == status
        assert len(verifications) == before + 1, email
        if status == 401:
            assert errors_on_the_page(response) == [WRONG_CREDENTIALS]  # one answer for all of them
    # The stand-in hash costs what a real one costs: the hasher's own parameters.
    dummy = verifications[0]
    assert argon2.extract_parameters(dummy) == argon2.extract_parameters(real.password_hash)
    assert not credentials._hasher.check_needs_rehash(dummy)
    assert verifications == [dummy, dummy, dummy, real.password_hash, real.password_hash]


# -- one e-mail rule, where users are made -----------------------------------------------------------------


def test_users_made_at_special_use_domains_sign_in(app, database, tokens) -> None:
    made = app.test_cli_runner().invoke(
        args=["daas", "users", "create", "x@corp.test", "--role", "finance", "--password", PASSWORD]
    )
    assert made.exit_code == 0, made.output
    api = app.test_client()
    for email in ("y@corp.test", "ops@intranet.local", "it@lab.example", "root@localhost.localdomain"):
        body = {"email": email, "role": "logistics", "password": PASSWORD}
        created = api.post("/api/v1/users", json=body, headers=bearer(tokens["admin"]))
        assert created.status_code == 201, created.get_json()
    admin, _ = signed_in(app, "admin")
    page = post_form(
        admin, "/admin/users/new", {"email": "z@corp.test", "role": "finance", "password": PASSWORD}
    )
    assert page.status_code == 302, errors_on_the_page(page)
    for email, home in [
        ("x@corp.test", "/finance"),
        ("Y@Corp.Test", "/logistics"),
        ("ops@intranet.local", "/logistics"),
        ("root@localhost.localdomain", "/logistics"),
        ("z@corp.test", "/finance"),
    ]:
        response = sign_in(browser(app), email)
        assert (response.status_code, response.headers.get("Location")) == (302, home), errors_on_the_page(
            response
        )


def test_the_api_the_command_line_and_the_admin_page_refuse_an_address_with_the_same_words(
    app, database, tokens
) -> None:
    for bad in ("it@@corp.example", "it@corp", "it @corp.example", "it@corp..example"):
        api = app.test_client().post(
            "/api/v1/users", json={"email": bad, "role": "finance"}, headers=bearer(tokens["admin"])
        )
        assert api.status_code == 422 and api.get_json()["errors"]["email"] == [
            "No spaces or control characters." if " " in bad else NOT_AN_ADDRESS
        ]
        cli = app.test_cli_runner().invoke(args=["daas", "users", "create", bad, "--role", "finance"])
        assert cli.exit_code != 0 and api.get_json()["errors"]["email"][0] in cli.output
    admin, _ = signed_in(app, "admin")
    page = post_form(admin, "/admin/users/new", {"email": "it@@corp.example", "role": "finance"})
    assert page.status_code == 422 and error_beside(page, "email") == NOT_AN_ADDRESS
    assert db.session.scalar(select(User).where(User.email.like("it%corp%"))) is None


def test_the_sign_in_form_asks_only_for_something_in_each_field(app, database) -> None:
    empty = sign_in(browser(app), "", PASSWORD)
    assert empty.status_code == 401 and "This field is required." in errors_on_the_page(empty)
    odd = sign_in(browser(app), "not an address at all", PASSWORD)  # no such user, but not a form error
    assert errors_on_the_page(odd) == [WRONG_CREDENTIALS]


# -- failed sign-ins counted per address, with a lockout ----------------------------------------------------


@pytest.fixture
def lockout(app, monkeypatch):
    configure(app, monkeypatch, DAAS_LOGIN_MAX_FAILURES=3)
    configure(app, monkeypatch, DAAS_LOGIN_LOCKOUT_SECONDS=15 * 60)


def _attempt(app, email: str, password: str, at: datetime):
    with clock.frozen(at):
        return sign_in(browser(app), email, password)


def failures_of(email: str) -> SignInFailure | None:
    db.session.expire_all()
    return db.session.get(SignInFailure, email_key(email))


def test_after_too_many_failures_even_the_right_password_waits_until_the_lockout_expires(
    app, database, lockout
) -> None:
    user = factories.user("finance", password=PASSWORD)
    db.session.commit()
    for minute in range(3):
        assert _attempt(app, user.email, "a-guess", NOW + timedelta(minutes=minute)).status_code == 401
    locked = _attempt(app, user.email, PASSWORD, NOW + timedelta(minutes=2, seconds=30))
    assert locked.status_code == 429
    assert errors_on_the_page(locked) == [LOCKED]
    late = _attempt(app, user.email.upper(), PASSWORD, NOW + timedelta(minutes=16, seconds=59))
    assert late.status_code == 429 and errors_on_the_page(late) == [
        "Too many failed sign-ins with this e-mail address. Wait 1 minute, then try again."
    ]
    row = failures_of(user.email)
    assert row.failures == 3 and row.locked_until == NOW + timedelta(minutes=17)  # from the third failure
    assert _attempt(app, user.email, PASSWORD, NOW + timedelta(minutes=17)).status_code == 302
    assert failures_of(user.email) is None  # success clears the count


def test_a_right_password_resets_the_count(app, database, lockout) -> None:
    user = factories.user("finance", password=PASSWORD)
    db.session.commit()
    for _ in range(2):
        assert _attempt(app, user.email, "a-guess", NOW).status_code == 401
    assert failures_of(user.email).failures == 2
    assert _attempt(app, user.email, PASSWORD, NOW).status_code == 302
    for _ in range(2):
        assert _attempt(app, user.email, "a-guess", NOW).status_code == 401
    assert failures_of(user.email).failures == 2
    assert _attempt(app, user.email, PASSWORD, NOW).status_code == 302


def test_failures_count_within_the_window_only(app, database, lockout) -> None:
    user = factories.user("finance", password=PASSWORD)
    db.session.commit()
    for at in (NOW, NOW + timedelta(minutes=10)):
        assert _attempt(app, user.email, "a-guess", at).status_code == 401
    # The window opened by the first failure is over: counting starts again at one.
    assert _attempt(app, user.email, "a-guess", NOW + timedelta(minutes=15)).status_code == 401
    assert failures_of(user.email).failures == 1
    assert _attempt(app, user.email, PASSWORD, NOW + timedelta(minutes=16)).status_code == 302


def test_an_unknown_address_is_locked_with_the_same_words_and_other_accounts_are_not(
    app, database, lockout
) -> None:
    user = factories.user("finance", password=PASSWORD)
    bystander = factories.user("finance", password=PASSWORD)
    db.session.commit()
    for email in ("nobody@example.com", user.email):
        for _ in range(3):
            assert _attempt(app, email, "a-guess", NOW).status_code == 401
    unknown, real = (_attempt(app, email, PASSWORD, NOW) for email in ("nobody@example.com", user.email))
    assert unknown.status_code == real.status_code == 429
    assert errors_on_the_page(unknown) == errors_on_the_page(real) == [LOCKED]
    assert _attempt(app, bystander.email, PASSWORD, NOW).status_code == 302
    # Only a digest of what was typed is kept.
    stored = db.session.scalars(select(SignInFailure.email_key)).all()
    assert "nobody@example.com" not in stored and email_key("nobody@example.com") in stored


def test_a_locked_address_checks_no_password_and_counts_nothing_more(
    app, database, lockout, verifications
) -> None:
    user = factories.user("finance", password=PASSWORD)
    db.session.commit()
    for _ in range(3):
        _attempt(app, user.email, "a-guess", NOW)
    checked = len(verifications)
    for _ in range(5):
        assert _attempt(app, user.email, "another-guess", NOW + timedelta(minutes=1)).status_code == 429
    assert len(verifications) == checked
    assert failures_of(user.email).failures == 3

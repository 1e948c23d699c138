"""Failed sign-ins under concurrent attempts (threads, real commits, PostgreSQL): every attempt is counted
once, and however many arrive at the same moment, exactly `DAAS_LOGIN_MAX_FAILURES` passwords are checked
before the address locks; the rest are refused unchecked, the right password included."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from flask import Flask

from daas.auth.rules import email_key
from daas.extensions import db
from tests import factories
from tests.helpers import configure
from tests.processes import TIMEOUT, sql
from tests.web.helpers import PASSWORD, csrf_token

pytestmark = pytest.mark.postgres

MAX_FAILURES = 4


def _at_once(app: Flask, email: str, passwords: list[str]) -> Counter[int]:
    """One browser per password, all posting the sign-in form at the same moment; their status codes."""
    clients = [app.test_client() for _ in passwords]
    forms = [csrf_token(client, "/login") for client in clients]
    start = threading.Barrier(len(passwords))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def attempt(index: int) -> None:
        try:
            start.wait(timeout=TIMEOUT)
            form = {"csrf_token": forms[index], "email": email, "password": passwords[index]}
            statuses.append(clients[index].post("/login", data=form).status_code)
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(len(passwords))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not errors, errors
    assert len(statuses) == len(passwords)
    return Counter(statuses)


def _count(app: Flask, email: str) -> tuple[int, bool] | None:
    rows = sql(
        app,
        "SELECT failures, locked_until IS NOT NULL FROM sign_in_failures "
        f"WHERE email_key = '{email_key(email)}'",
    )
    return (rows[0][0], rows[0][1]) if rows else None


@pytest.mark.parametrize("account", ["real", "unknown"])
def test_concurrent_failures_are_counted_exactly_and_lock_at_the_limit(committed, monkeypatch, account):
    app = committed
    configure(app, monkeypatch, DAAS_LOGIN_MAX_FAILURES=MAX_FAILURES)
    with app.app_context():
        user = factories.user("finance", password=PASSWORD)
        db.session.commit()
        email = user.email if account == "real" else "nobody@example.com"
    # Below the limit: no attempt lost, none counted twice, nothing locked.
    assert _at_once(app, email, ["guess"] * (MAX_FAILURES - 1)) == {401: MAX_FAILURES - 1}
    assert _count(app, email) == (MAX_FAILURES - 1, False)
    # Many more at once: exactly one more password is checked, it locks the address, the rest wait.
    burst = 3 * MAX_FAILURES
    assert _at_once(app, email, ["guess"] * burst) == {401: 1, 429: burst - 1}
    assert _count(app, email) == (MAX_FAILURES, True)
    assert _at_once(app, email, [PASSWORD, PASSWORD]) == {429: 2}  # the right password waits too

"""Test clients that behave like separate browsers on a real server: each request starts with an empty `g`.

A test's requests share the test's app context (the `database` fixture holds it), so whatever a request
caches in `g` (Flask-Login's user, Flask-WTF's CSRF token) would otherwise answer the next request of any
client; tests of which cookie opens what need each request to start afresh, as it does in production.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from flask.testing import FlaskClient

from tests import factories
from tests.web.helpers import PASSWORD, sign_in


class Browser(FlaskClient):
    def open(self, *args: Any, **kwargs: Any) -> Any:
        for name in list(g):
            g.pop(name)
        return super().open(*args, **kwargs)


def browser(app: Flask) -> Browser:
    return Browser(app, app.response_class, use_cookies=True)


def signed_in(app: Flask, role: str, user: Any = None, customer_id: int | None = None) -> tuple[Browser, Any]:
    """A browser signed in as `user`, or as a new user of `role`; and the user."""
    user = user or factories.user(role, customer_id, password=PASSWORD)
    client = browser(app)
    response = sign_in(client, user.email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, user

"""Signing in and posting forms with the Flask test client, CSRF tokens included (as a browser does)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient

from tests import factories

PASSWORD = "correct-horse-battery"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the form on the page at `url`."""
    page = client.get(url)
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1) or match.group(2)


def post_form(
    client: FlaskClient, url: str, data: dict[str, Any], form_page: str | None = None, **kwargs: Any
):
    """POST a form the way its page would: with the CSRF token the page (or `form_page`) carries."""
    token = csrf_token(client, form_page or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):
    return post_form(client, "/login", {"email": email, "password": password})


def signed_in(app: Any, role: str, customer_id: int | None = None) -> tuple[FlaskClient, Any]:
    """A test client signed in as a new user of `role` (of `customer_id` for a customer); and the user."""
    user = factories.user(role, customer_id, password=PASSWORD)
    client = app.test_client()
    response = sign_in(client, user.email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, user


class _HiddenFields(HTMLParser):
    """The hidden inputs of the forms posting to one action."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.inside = values.get("action") == self.action
        elif tag == "input" and self.inside and values.get("type") == "hidden" and values.get("name"):
            self.fields[values["name"]] = values.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def hidden_fields(response: Any, action: str) -> dict[str, str]:
    """What the page's form posting to `action` carries in hidden inputs (its CSRF token, and on a
    confirmation the figures reviewed and the values typed before): what confirming it sends."""
    parser = _HiddenFields(action)
    parser.feed(response.get_data(as_text=True))
    assert parser.fields, f"no form posting to {action} ({response.status_code})"
    return parser.fields

"""Every page each demo user can reach by following links, checked the way a careful reviewer would: it
answers 200, has one h1, labels every field, runs no inline script, shows no stack trace and no validation
error (a link never leads to a form that is wrong before anyone typed), and never links to a page that
fails. Runs on the demo data set, the one a newcomer sees after `make run`."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from daas.core import clock
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases.demo import load_demo
from tests.web.helpers import sign_in

DEMO_PASSWORD = "daas-demo-2026"
USERS = {
    "customer": "it@amsterdam-analytics.example",
    "finance": "finance@daas.example",
    "logistics": "logistics@daas.example",
    "admin": "admin@daas.example",
}
MAX_PAGES = 80
SKIP = ("/logout", "/api/", "/static/")


class Page(HTMLParser):
    """What the checks need from a page: links, headings, fields and their labels, scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.h1 = 0
        self.fields: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.inline_scripts = 0
        self.handlers: list[str] = []
        self._in_label = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label":
            self._in_label += 1
            if values.get("for"):
                self.label_for.add(values["for"] or "")
        elif tag in ("input", "select", "textarea") and values.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            self.fields.append({**values, "_wrapped": "yes" if self._in_label else None})
        elif tag == "script":
            self._in_script = not values.get("src") and values.get("type") != "application/json"

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._in_label -= 1
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def unlabelled(self) -> list[str]:
        return [
            str(field.get("name") or field.get("id"))
            for field in self.fields
            if not (field.get("id") in self.label_for or field.get("aria-label") or field.get("_wrapped"))
        ]


@pytest.fixture
def demo(app, database):
    with clock.frozen(clock.today()):
        load_demo(current_settings().billing_run)
        db.session.commit()


@pytest.mark.parametrize("role", list(USERS))
def test_every_reachable_page_is_sound(app, demo, role) -> None:
    client = app.test_client()
    home = sign_in(client, USERS[role], DEMO_PASSWORD).headers["Location"]
    queue, seen, problems = [home], set(), []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.append(response.headers["Location"])
            continue
        if response.status_code != 200:
            problems.append(f"{url}: {response.status_code}")
            continue
        if response.mimetype != "text/html":
            continue  # a PDF, a CSV, a calendar
        text = response.get_data(as_text=True)
        page = Page()
        page.feed(text)
        if page.h1 != 1:
            problems.append(f"{url}: {page.h1} h1 headings")
        if page.unlabelled():
            problems.append(f"{url}: fields without a label: {page.unlabelled()}")
        if page.inline_scripts or page.handlers:
            problems.append(f"{url}: inline script ({page.inline_scripts} blocks, handlers {page.handlers})")
        if "Traceback" in text:
            problems.append(f"{url}: shows a stack trace")
        if 'class="field-error"' in text or 'class="error-summary"' in text:
            problems.append(f"{url}: shows a validation error nobody caused")
        for link in page.links:
            target = urljoin(url, link)
            parts = urlsplit(target)
            if parts.netloc not in ("", "localhost") or parts.path.startswith(SKIP) or link.startswith("#"):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert problems == []
    assert len(seen) >= 4, seen  # the home page links to the role's sections


def test_the_outbox_pages_are_sound(app, database) -> None:
    """The admin outbox with rows in every state (the demo sends nothing before a delivery round runs):
    every page reachable from its summary passes the same checks. An e-mail's HTML, a script in it
    included, is the sandboxed frame's document (its srcdoc), never the page's."""
    from tests import outbox_helpers
    from tests.web.helpers import signed_in

    with clock.frozen(clock.now()):
        client, _ = signed_in(app, "admin")
        outbox_helpers.every_state()
        db.session.commit()
        queue, seen, problems = ["/admin/outbox"], set(), []
        while queue and len(seen) < MAX_PAGES:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code != 200:
                problems.append(f"{url}: {response.status_code}")
                continue
            text = response.get_data(as_text=True)
            page = Page()
            page.feed(text)
            if page.h1 != 1:
                problems.append(f"{url}: {page.h1} h1 headings")
            if page.unlabelled():
                problems.append(f"{url}: fields without a label: {page.unlabelled()}")
            if page.inline_scripts or page.handlers:
                problems.append(
                    f"{url}: inline script ({page.inline_scripts} blocks, handlers {page.handlers})"
                )
            if 'class="field-error"' in text or 'class="error-summary"' in text:
                problems.append(f"{url}: shows a validation error nobody caused")
            for link in page.links:
                parts = urlsplit(urljoin(url, link))
                if parts.path.startswith("/admin/outbox") and not link.startswith("#"):
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert problems == []
    for kind in ("events", "emails", "deliveries"):
        assert f"/admin/outbox/{kind}" in seen
    assert any(url.startswith("/admin/outbox/emails/") for url in seen)
    assert any(url.startswith("/admin/outbox/events/") for url in seen)

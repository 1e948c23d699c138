"""Admin's outbox pages: the summary's counts and chart match the rows, the lists filter and page, an
e-mail's HTML is shown only inside a sandboxed frame (never as the page's HTML), the buttons resend,
replay and retry through their use cases, the admin home says when something failed, and nobody but
admin sees any of it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest

from daas.core import clock
from daas.extensions import db
from daas.notifications.models import FAILED, PENDING, SENT, EmailMessage, WebhookDelivery
from daas.outbox.models import OutboxEvent
from tests import factories
from tests import outbox_helpers as rows
from tests.helpers import configure
from tests.web.helpers import csrf_token, post_form, signed_in

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def admin(app, database):
    with clock.frozen(NOW):
        client, _ = signed_in(app, "admin")
        db.session.commit()
        yield client


def text(response) -> str:
    return response.get_data(as_text=True)


def tile(response, href: str) -> int:
    """The number on the summary's tile linking to `href`."""
    match = re.search(rf'href="{re.escape(href)}"><span class="value">(\d+)</span>', text(response))
    assert match, f"no tile linking to {href}"
    return int(match.group(1))


def charts(response) -> dict[str, dict[str, Any]]:
    drawn = [json.loads(unescape(raw)) for raw in re.findall(r'data-chart="([^"]+)"', text(response))]
    return {chart["unit"]: chart for chart in drawn}


def test_the_summary_counts_what_the_rows_hold(admin) -> None:
    customer = factories.customer()
    hook = rows.endpoint(customer.id)
    for status in (PENDING, SENT, SENT, FAILED):
        rows.email(rows.dispatched(rows.invoice_issued(customer.id)), status=status)
    rows.delivery(rows.dispatched(rows.invoice_issued(customer.id)), hook, FAILED, answers=(500,))
    rows.invoice_issued(customer.id)
    rows.dispatched(rows.job_failed(), error="KeyError: 'run_id'")

    page = admin.get("/admin/outbox")

    assert page.status_code == 200
    assert [tile(page, f"/admin/outbox/emails?status={s}") for s in ("pending", "sent", "failed")] == [
        1,
        2,
        1,
    ]
    assert [tile(page, f"/admin/outbox/deliveries?status={s}") for s in ("pending", "sent", "failed")] == [
        0,
        0,
        1,
    ]
    assert tile(page, "/admin/outbox/events?state=waiting") == 1
    assert tile(page, "/admin/outbox/events?state=failed") == 1
    assert 'aria-current="page">Outbox</a>' in text(page)  # its entry in the admin menu


def test_the_chart_shows_the_rows_sent_and_failed_each_day(admin) -> None:
    customer = factories.customer()
    hook = rows.endpoint(customer.id)
    midnight = datetime(2026, 11, 15, tzinfo=UTC)
    for moment in (NOW, midnight, midnight - timedelta(minutes=1), midnight - timedelta(days=6)):
        rows.email(rows.invoice_issued(customer.id), status=SENT, at=moment)
    rows.email(rows.invoice_issued(customer.id), status=FAILED, at=midnight - timedelta(days=6, hours=1))
    rows.delivery(rows.invoice_issued(customer.id), hook, FAILED, at=NOW, answers=(500,))
    rows.delivery(rows.invoice_issued(customer.id), hook, SENT, at=NOW - timedelta(days=29), answers=(200,))

    drawn = charts(admin.get("/admin/outbox"))

    assert set(drawn) == {"e-mails", "deliveries"}
    for chart in drawn.values():
        assert chart["integer"] is True and len(chart["labels"]) == 30
        assert (chart["labels"][0], chart["labels"][-1]) == ("2026-10-17", "2026-11-15")
        assert [dataset["label"] for dataset in chart["datasets"]] == ["Sent", "Failed"]

    def per_day(unit: str) -> dict[str, tuple[int, int]]:
        sent, failed = (dataset["data"] for dataset in drawn[unit]["datasets"])
        return {day: (s, f) for day, s, f in zip(drawn[unit]["labels"], sent, failed, strict=True) if s or f}

    assert per_day("e-mails") == {
        "2026-11-08": (0, 1),
        "2026-11-09": (1, 0),
        "2026-11-14": (1, 0),
        "2026-11-15": (2, 0),
    }
    assert per_day("deliveries") == {"2026-10-17": (1, 0), "2026-11-15": (0, 1)}


def test_the_pages_say_e_mails_are_only_kept_when_the_backend_catches_them(app, admin, monkeypatch) -> None:
    message = rows.email(rows.invoice_issued(factories.customer().id), status=SENT)
    urls = ("/admin/outbox", "/admin/outbox/emails", f"/admin/outbox/emails/{message.id}")
    for url in urls:
        assert "data-mail-caught" in text(admin.get(url)), url
    configure(app, monkeypatch, DAAS_MAIL_BACKEND="smtp")
    for url in urls:
        assert "data-mail-caught" not in text(admin.get(url)), url


def test_the_e_mails_list_filters_and_pages(admin) -> None:
    amsterdam, rotterdam = factories.customer(name="Amsterdam BV"), factories.customer(name="Rotterdam BV")
    for n in range(26):
        rows.email(rows.invoice_issued(amsterdam.id), f"user{n}@amsterdam.example", SENT)
    failed = rows.email(rows.invoice_issued(rotterdam.id), "ap@rotterdam.example", FAILED)

    first = text(admin.get("/admin/outbox/emails"))
    assert "E-mails (27)" in first and "Page 1 of 2" in first
    assert first.index("ap@rotterdam.example") < first.index("user25@amsterdam.example")  # newest first
    assert "user0@amsterdam.example" in text(admin.get("/admin/outbox/emails?page=2"))

    only_failed = text(admin.get("/admin/outbox/emails?status=failed"))
    assert "E-mails (1)" in only_failed and "554 5.7.1 Relay denied" in only_failed
    assert f"/admin/outbox/emails/{failed.id}/resend" in only_failed
    by_customer = text(admin.get(f"/admin/outbox/emails?customer_id={rotterdam.id}"))
    assert "E-mails (1)" in by_customer and "ap@rotterdam.example" in by_customer
    assert "E-mails (1)" in text(admin.get("/admin/outbox/emails?address=USER25"))
    assert "No e-mail matches." in text(admin.get("/admin/outbox/emails?type=job.failed"))

    wrong = admin.get("/admin/outbox/emails?status=bounced")
    assert wrong.status_code == 200 and 'id="status-error"' in text(wrong)
    assert "E-mails (27)" in text(wrong)  # a wrong filter filters nothing


def test_the_deliveries_and_events_lists_filter(admin) -> None:
    customer = factories.customer(name="Utrecht BV")
    erp = rows.endpoint(customer.id, "https://erp.utrecht.example/hooks")
    ours = rows.endpoint(None, "https://ops.daas.example/events")
    issued = rows.dispatched(rows.invoice_issued(customer.id))
    rows.delivery(issued, erp, FAILED, answers=(500, 503))
    rows.delivery(issued, ours, SENT, answers=(200,))
    broken = rows.dispatched(rows.job_failed(), error="KeyError: 'run_id'")

    failed = text(admin.get("/admin/outbox/deliveries?status=failed"))
    assert "Deliveries (1)" in failed and "https://erp.utrecht.example/hooks" in failed
    assert "HTTP 503" in failed
    assert "Deliveries (1)" in text(admin.get("/admin/outbox/deliveries?url=OPS.daas"))
    assert "Deliveries (2)" in text(admin.get(f"/admin/outbox/deliveries?customer_id={customer.id}"))

    events = text(admin.get("/admin/outbox/events?state=failed"))
    assert "Events (1)" in events and "KeyError: &#39;run_id&#39;" in events
    assert f"/admin/outbox/events/{broken.id}" in events
    assert "Events (1)" in text(admin.get("/admin/outbox/events?type=invoice.issued"))


class _Frames(HTMLParser):
    """The page's iframes (their attributes, unescaped), its script elements and event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[dict[str, str | None]] = []
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "iframe":
            self.frames.append(dict(attrs))
        elif tag == "script":
            self.scripts.append(dict(attrs))


def test_an_e_mail_s_html_is_shown_only_inside_a_sandboxed_frame(admin) -> None:
    html = '<p>Invoice</p><script>alert("stolen " + document.cookie)</script><img src=x onerror="alert(2)">'
    message = rows.email(
        rows.invoice_issued(factories.customer().id), "ap@example.com", FAILED, html_body=html, attempts=6
    )
    message.text_body = "Hello <b>ap</b>,\nyour invoice."

    page = admin.get(f"/admin/outbox/emails/{message.id}")
    body = text(page)

    parsed = _Frames()
    parsed.feed(body)
    [frame] = parsed.frames
    assert frame["srcdoc"] == html and frame["sandbox"] == ""  # the body as it is, every restriction on
    assert all(script.get("src") for script in parsed.scripts) and parsed.handlers == []  # none of its own
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&#34;stolen &#34; + document.cookie)&lt;/script&gt;" in body
    assert "Hello &lt;b&gt;ap&lt;/b&gt;,\nyour invoice." in body  # the plain text, as text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    for shown in ("ap@example.com", message.subject, "554 5.7.1 Relay denied", "invoice.issued", ">en<"):
        assert shown in body, shown


def test_resend_on_the_page_makes_a_failed_e_mail_pending_now(admin) -> None:
    message = rows.email(
        rows.invoice_issued(factories.customer().id), status=FAILED, at=NOW - timedelta(days=1)
    )
    url = f"/admin/outbox/emails/{message.id}"

    done = post_form(admin, f"{url}/resend", {}, form_page=url)

    assert done.status_code == 302 and done.headers["Location"] == url
    db.session.refresh(message)
    assert (message.status, message.attempts, message.next_attempt_at) == (PENDING, 0, NOW)
    assert "is pending again" in text(admin.get(url))

    back = post_form(admin, f"{url}/resend", {"back": "list", "status": "failed"}, form_page=url)
    assert back.headers["Location"] == "/admin/outbox/emails?status=failed"
    assert (
        admin.post(
            f"/admin/outbox/emails/{message.id + 1000}/resend", data={"csrf_token": csrf_token(admin, url)}
        ).status_code
        == 404
    )


def test_replay_and_retry_fan_out_on_the_event_page(admin) -> None:
    customer = factories.customer()
    issued = rows.dispatched(rows.invoice_issued(customer.id))
    failed = rows.delivery(
        issued, rows.endpoint(customer.id), FAILED, at=NOW - timedelta(days=3), answers=(500,)
    )
    broken = rows.dispatched(rows.job_failed(), error="KeyError: 'run_id'")
    event_page = f"/admin/outbox/events/{issued.id}"

    shown = text(admin.get(event_page))
    assert "Bad gateway" in shown and "HTTP 500" in shown and f'id="delivery-{failed.id}"' in shown
    replayed = post_form(admin, f"/admin/outbox/deliveries/{failed.id}/replay", {}, form_page=event_page)
    assert replayed.headers["Location"] == event_page
    db.session.refresh(failed)
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (PENDING, 0, NOW)

    broken_page = f"/admin/outbox/events/{broken.id}"
    assert "Retry fan-out" in text(admin.get(broken_page))
    post_form(admin, f"{broken_page}/redispatch", {}, form_page=broken_page)
    db.session.refresh(broken)
    assert (broken.dispatched_at, broken.dispatch_error) == (None, None)

    refused = post_form(admin, f"{event_page}/redispatch", {}, form_page=event_page, follow_redirects=True)
    assert "was fanned out; resend its e-mails or deliveries instead" in text(refused)
    db.session.refresh(issued)
    assert issued.dispatched_at is not None


def test_the_admin_home_says_what_failed(admin) -> None:
    customer = factories.customer()
    rows.email(rows.dispatched(rows.invoice_issued(customer.id)), status=SENT)
    assert "data-outbox-failures" not in text(admin.get("/admin"))

    rows.email(rows.dispatched(rows.invoice_issued(customer.id)), status=FAILED)
    rows.email(rows.dispatched(rows.invoice_issued(customer.id)), status=FAILED)
    rows.delivery(
        rows.dispatched(rows.invoice_issued(customer.id)), rows.endpoint(None), FAILED, answers=(500,)
    )
    home = text(admin.get("/admin"))

    assert "data-outbox-failures" in home
    assert '<a href="/admin/outbox/emails?status=failed">2 failed e-mails</a>' in home
    assert '<a href="/admin/outbox/deliveries?status=failed">1 failed webhook delivery</a>' in home


@pytest.mark.parametrize("role", ["finance", "logistics", "customer"])
def test_only_admins_see_the_outbox(app, database, role) -> None:
    customer = factories.customer()
    issued = rows.dispatched(rows.invoice_issued(customer.id))
    message = rows.email(issued, status=FAILED)
    failed = rows.delivery(issued, rows.endpoint(customer.id), FAILED, answers=(500,))
    client, _ = signed_in(app, role, customer.id if role == "customer" else None)
    home = "/portal" if role == "customer" else f"/{role}"
    pages = [
        "/admin/outbox",
        "/admin/outbox/events",
        f"/admin/outbox/events/{issued.id}",
        "/admin/outbox/emails",
        f"/admin/outbox/emails/{message.id}",
        "/admin/outbox/deliveries",
    ]
    for url in pages:
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, home)
    for url in (
        f"/admin/outbox/emails/{message.id}/resend",
        f"/admin/outbox/deliveries/{failed.id}/replay",
        f"/admin/outbox/events/{issued.id}/redispatch",
    ):
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url
    assert db.session.get(EmailMessage, message.id).status == FAILED
    assert db.session.get(WebhookDelivery, failed.id).status == FAILED
    assert db.session.get(OutboxEvent, issued.id).dispatched_at is not None

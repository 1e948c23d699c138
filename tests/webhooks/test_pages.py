"""The webhook pages: a customer's in the portal, the provider's own in admin. Adding an endpoint shows
its secret once; an endpoint's page shows its deliveries with their attempts and a Replay button each;
disabling, enabling, rotating the secret and deleting work from the page; nothing of another customer."""

from __future__ import annotations

import re
from html import unescape

import pytest

from daas.extensions import db
from daas.notifications.models import DISABLED, ENABLED, PENDING
from daas.notifications.webhook_endpoints import list_endpoints
from daas.outbox.services import record_event
from tests import factories
from tests.web.helpers import post_form, signed_in
from tests.webhooks.conftest import sample_data
from tests.webhooks.helpers import deliver, deliveries_of, endpoint, fresh


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def _endpoints(customer_id: int) -> list:
    return list_endpoints(customer_id)[0]


def secret_on(response) -> str | None:
    match = re.search(r'id="signing-secret"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    return match.group(1) if match else None


@pytest.fixture
def portal(app, database):
    customer = factories.customer()
    client, _ = signed_in(app, "customer", customer.id)
    db.session.commit()
    return client, customer


def add(client, base: str, url: str, events=("*",), description: str = "") -> object:
    return post_form(client, base, {"url": url, "events": list(events), "description": description})


def test_adding_an_endpoint_shows_its_secret_once(portal, receiver):
    client, customer = portal
    listed = client.get("/portal/webhooks")
    assert listed.status_code == 200
    assert 'href="/portal/webhooks"' in listed.get_data(as_text=True)  # in the navigation
    assert "No endpoints yet" in text(listed)
    added = add(
        client, "/portal/webhooks", receiver.url("/portal"), ["invoice.issued", "payment.failed"], "ERP"
    )
    assert added.status_code == 200
    secret = secret_on(added)
    assert secret and secret.startswith("whsec_")
    assert "Copy it now" in text(added) and added.headers["Cache-Control"] == "no-store"
    [hook] = _endpoints(customer.id)
    assert hook.secret == secret and hook.event_types == ["invoice.issued", "payment.failed"]
    page = client.get(f"/portal/webhooks/{hook.id}")
    assert page.status_code == 200 and secret_on(page) is None and secret not in page.get_data(as_text=True)
    assert receiver.url("/portal") in text(client.get("/portal/webhooks"))


def test_a_refused_url_is_shown_beside_its_field(portal):
    client, customer = portal
    refused = add(client, "/portal/webhooks", "http://8.8.8.8/hook")
    assert refused.status_code == 422
    assert re.search(
        r'id="url-error">[^<]*http:// is only for the networks', unescape(refused.get_data(as_text=True))
    )
    no_events = post_form(client, "/portal/webhooks", {"url": "https://hooks.example.com/x"})
    assert no_events.status_code == 422 and "Choose at least one event type." in text(no_events)
    assert _endpoints(customer.id) == []
    assert "job.failed" not in client.get("/portal/webhooks").get_data(as_text=True)  # the provider's own


def test_the_endpoint_page_shows_deliveries_and_replays_one(portal, receiver, settings):
    client, customer = portal
    hook, _ = endpoint(customer.id, receiver.url("/page"), settings)
    receiver.status = 500
    event = record_event(
        "invoice.issued", key="test:page", customer_id=customer.id, data=sample_data("invoice.issued")
    )
    db.session.commit()
    deliver(settings)
    page = client.get(f"/portal/webhooks/{hook.id}")
    assert page.status_code == 200
    row = re.search(r'<tr id="delivery-\d+">(.*?)</tr>', text(page)).group(1)
    assert event.event_id in row and "pending" in row and "HTTP 500" in row and "Replay" in row
    assert "1 attempt" in row
    [delivery] = deliveries_of(hook.id)
    replay_url = f"/portal/webhook-deliveries/{delivery.id}/replay"
    replayed = post_form(
        client, replay_url, {}, form_page=f"/portal/webhooks/{hook.id}", follow_redirects=True
    )
    assert "sent again at the next delivery round" in text(replayed)
    [after] = deliveries_of(hook.id)
    assert (after.status, after.attempts) == (PENDING, 0)


def test_disable_enable_rotate_and_delete_from_the_page(portal, receiver, settings):
    client, customer = portal
    hook, secret = endpoint(customer.id, receiver.url("/actions"), settings)
    page = f"/portal/webhooks/{hook.id}"
    disabled = post_form(client, f"{page}/disable", {}, form_page=page, follow_redirects=True)
    assert "nothing more is delivered" in text(disabled) and fresh(hook.id).status == DISABLED
    assert "Enable" in text(disabled)
    enabled = post_form(client, f"{page}/enable", {}, form_page=page, follow_redirects=True)
    assert "delivered again" in text(enabled) and fresh(hook.id).status == ENABLED
    rotated = post_form(client, f"{page}/rotate-secret", {}, form_page=page)
    assert rotated.status_code == 200 and rotated.headers["Cache-Control"] == "no-store"
    new_secret = secret_on(rotated)
    assert new_secret not in (None, secret) and fresh(hook.id).secret == new_secret
    edited = post_form(
        client, page, {"url": receiver.url("/edited"), "events": ["charge.pending"], "description": "Ops"}
    )
    assert edited.status_code == 302 and fresh(hook.id).url == receiver.url("/edited")
    confirm = client.get(f"{page}/delete")
    assert "Delete this endpoint?" in text(confirm)
    deleted = post_form(client, f"{page}/delete", {}, form_page=f"{page}/delete", follow_redirects=True)
    assert "is deleted" in text(deleted) and _endpoints(customer.id) == []


def test_another_customers_endpoint_is_not_found(portal, settings, receiver):
    client, _ = portal
    theirs = factories.customer()
    hook, _ = endpoint(theirs.id, receiver.url("/theirs"), settings)
    provider, _ = endpoint(None, receiver.url("/provider"), settings)
    db.session.commit()
    for endpoint_id in (hook.id, provider.id):
        assert client.get(f"/portal/webhooks/{endpoint_id}").status_code == 404
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/portal/webhooks").get_data(as_text=True)
    )
    for action in ("disable", "rotate-secret", "delete"):
        response = client.post(f"/portal/webhooks/{hook.id}/{action}", data={"csrf_token": token.group(1)})
        assert response.status_code == 404, action
    assert fresh(hook.id).status == ENABLED


@pytest.fixture
def admin(app, database):
    client, _ = signed_in(app, "admin")
    db.session.commit()
    return client


def test_admin_manages_the_providers_own_endpoints(admin, receiver, settings):
    customer = factories.customer()
    customers_hook, _ = endpoint(customer.id, receiver.url("/customer"), settings)
    db.session.commit()
    listed = admin.get("/admin/webhooks")
    assert listed.status_code == 200 and 'href="/admin/webhooks"' in listed.get_data(as_text=True)
    assert receiver.url("/customer") not in text(listed)
    assert "job.failed" in listed.get_data(as_text=True)  # the provider's may hear staff events
    added = add(admin, "/admin/webhooks", receiver.url("/ops"), ["job.failed"])
    assert added.status_code == 200 and secret_on(added)
    [own] = list_endpoints(provider=True)[0]
    assert own.customer_id is None and own.event_types == ["job.failed"]
    assert admin.get(f"/admin/webhooks/{own.id}").status_code == 200
    assert admin.get(f"/admin/webhooks/{customers_hook.id}").status_code == 404


@pytest.mark.parametrize("role", ["finance", "logistics", "customer"])
def test_only_admins_see_the_admin_webhook_pages(app, database, role):
    customer_id = factories.customer().id if role == "customer" else None
    client, _ = signed_in(app, role, customer_id)
    assert client.get("/admin/webhooks").status_code == 403


@pytest.mark.parametrize("role", ["finance", "logistics", "admin"])
def test_only_customers_see_the_portal_webhook_pages(app, database, role):
    client, _ = signed_in(app, role)
    assert client.get("/portal/webhooks").status_code == 403

"""The webhook API: registering an endpoint (its secret in that answer only), changing, disabling,
rotating and deleting it, its deliveries, replaying one, and the events a receiver catches up from; 422s
naming the field at fault; customers for their own, admin for all, no one else."""

from __future__ import annotations

import json

import pytest

from daas.core import clock
from daas.extensions import db
from daas.outbox.services import record_event
from tests import factories
from tests.helpers import assert_error, bearer
from tests.webhooks.conftest import sample_data
from tests.webhooks.helpers import deliver, deliveries_of, verified

ENDPOINTS = "/api/v1/webhook-endpoints"


@pytest.fixture
def callers(database):
    """Two customers with a user each, and a token per staff role."""
    mine, theirs = factories.customer(), factories.customer()
    tokens = {role: factories.token(role) for role in ("admin", "finance", "logistics")}
    tokens["mine"] = factories.token("customer", mine.id)
    tokens["theirs"] = factories.token("customer", theirs.id)
    return mine, theirs, tokens


def create(client, token, url, events=("*",), **more):
    return client.post(ENDPOINTS, json={"url": url, "events": list(events), **more}, headers=bearer(token))


def test_the_secret_is_shown_when_the_endpoint_is_created_and_never_again(client, callers, receiver):
    mine, _, tokens = callers
    created = create(client, tokens["mine"], receiver.url("/mine"), ["invoice.issued"], description="ERP")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["secret"].startswith("whsec_")
    assert created.headers["Cache-Control"] == "no-store"
    assert {k: body[k] for k in ("customer_id", "url", "events", "description", "status")} == {
        "customer_id": mine.id,
        "url": receiver.url("/mine"),
        "events": ["invoice.issued"],
        "description": "ERP",
        "status": "enabled",
    }
    shown = client.get(f"{ENDPOINTS}/{body['id']}", headers=bearer(tokens["mine"]))
    assert shown.status_code == 200 and "secret" not in shown.get_json()
    listed = client.get(ENDPOINTS, headers=bearer(tokens["mine"]))
    assert [e["id"] for e in listed.get_json()] == [body["id"]]
    assert all("secret" not in e for e in listed.get_json())
    assert body["secret"] not in shown.get_data(as_text=True) + listed.get_data(as_text=True)


def test_creation_honours_an_idempotency_key(client, callers, receiver):
    _, _, tokens = callers
    headers = {**bearer(tokens["mine"]), "Idempotency-Key": "hook-1"}
    body = {"url": receiver.url("/once"), "events": ["*"]}
    first = client.post(ENDPOINTS, json=body, headers=headers)
    again = client.post(ENDPOINTS, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert len(client.get(ENDPOINTS, headers=bearer(tokens["mine"])).get_json()) == 1
    other = client.post(ENDPOINTS, json={**body, "url": receiver.url("/twice")}, headers=headers)
    assert_error(other, 422, "Idempotency-Key")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://hooks.example.com/x", "events": ["*"]}, "url"),
        ({"url": "https://user:secret@hooks.example.com/x", "events": ["*"]}, "url"),
        ({"url": "https://hooks.example.com/x#part", "events": ["*"]}, "url"),
        ({"url": "https:///no-host", "events": ["*"]}, "url"),
        ({"url": "https://hooks.example.com/" + "a" * 2000, "events": ["*"]}, "url"),
        ({"url": "https://hooks.example.com/x", "events": []}, "events"),
        ({"url": "https://hooks.example.com/x", "events": ["invoice.paid"]}, "events"),
        ({"url": "https://hooks.example.com/x", "events": ["*", "invoice.issued"]}, "events"),
        ({"url": "https://hooks.example.com/x", "events": ["job.failed"]}, "events"),  # staff's own
        ({"url": "https://hooks.example.com/x"}, "events"),
        ({"events": ["*"]}, "url"),
        ({"url": "https://hooks.example.com/x", "events": ["*"], "description": "x" * 201}, "description"),
        ({"url": "https://hooks.example.com/x", "events": ["*"], "secret": "mine"}, "secret"),
    ],
)
def test_a_bad_endpoint_is_refused_naming_the_field(client, callers, body, field):
    _, _, tokens = callers
    response = client.post(ENDPOINTS, json=body, headers=bearer(tokens["mine"]))
    assert_error(response, 422, field)
    assert client.get(ENDPOINTS, headers=bearer(tokens["mine"])).get_json() == []


def test_admin_registers_the_providers_own_endpoints_and_customers(client, callers):
    mine, _, tokens = callers
    provider = create(client, tokens["admin"], "https://ops.example.com/daas", ["job.failed"])
    for_mine = create(client, tokens["admin"], "https://erp.example.com/daas", customer_id=mine.id)
    assert (provider.status_code, for_mine.status_code) == (201, 201)
    assert provider.get_json()["customer_id"] is None
    assert for_mine.get_json()["customer_id"] == mine.id
    assert_error(create(client, tokens["admin"], "https://x.example.com/", customer_id=999_999), 404)
    admin = bearer(tokens["admin"])
    assert len(client.get(ENDPOINTS, headers=admin).get_json()) == 2
    only_provider = client.get(f"{ENDPOINTS}?provider=true", headers=admin).get_json()
    assert [e["id"] for e in only_provider] == [provider.get_json()["id"]]
    only_mine = client.get(f"{ENDPOINTS}?customer_id={mine.id}", headers=admin).get_json()
    assert [e["id"] for e in only_mine] == [for_mine.get_json()["id"]]
    assert [e["id"] for e in client.get(ENDPOINTS, headers=bearer(tokens["mine"])).get_json()] == [
        for_mine.get_json()["id"]
    ]


def test_a_customer_user_registers_only_for_its_own_customer(client, callers):
    mine, theirs, tokens = callers
    assert_error(create(client, tokens["mine"], "https://x.example.com/", customer_id=theirs.id), 404)
    own = create(client, tokens["mine"], "https://x.example.com/", customer_id=mine.id)
    assert own.status_code == 201 and own.get_json()["customer_id"] == mine.id


def test_staff_other_than_admin_and_strangers_are_kept_out(client, callers):
    _, _, tokens = callers
    hook = create(client, tokens["mine"], "https://x.example.com/").get_json()["id"]
    calls = [
        ("GET", ENDPOINTS, None),
        ("POST", ENDPOINTS, {"url": "https://y.example.com/", "events": ["*"]}),
        ("GET", f"{ENDPOINTS}/{hook}", None),
        ("PATCH", f"{ENDPOINTS}/{hook}", {"description": "changed"}),
        ("DELETE", f"{ENDPOINTS}/{hook}", None),
        ("POST", f"{ENDPOINTS}/{hook}/rotate-secret", None),
        ("GET", f"{ENDPOINTS}/{hook}/deliveries", None),
        ("POST", "/api/v1/webhook-deliveries/1/replay", None),
        ("GET", "/api/v1/events", None),
        ("GET", "/api/v1/events/evt_0", None),
    ]
    for method, path, body in calls:
        assert client.open(path, method=method, json=body).status_code == 401, path
        for role in ("finance", "logistics"):
            response = client.open(path, method=method, json=body, headers=bearer(tokens[role]))
            assert response.status_code == 403, (role, method, path)
    for method, path, body in calls[2:8]:
        response = client.open(path, method=method, json=body, headers=bearer(tokens["theirs"]))
        assert_error(response, 404)
    assert client.get(f"{ENDPOINTS}/{hook}", headers=bearer(tokens["mine"])).status_code == 200


def test_an_endpoint_is_changed_disabled_enabled_and_deleted(client, callers, receiver, settings):
    mine, _, tokens = callers
    headers = bearer(tokens["mine"])
    hook = create(client, tokens["mine"], receiver.url("/a")).get_json()["id"]
    changed = client.patch(
        f"{ENDPOINTS}/{hook}",
        json={"url": receiver.url("/b"), "events": ["invoice.issued"], "description": "Billing"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["url"], changed.get_json()["events"]) == (
        receiver.url("/b"),
        ["invoice.issued"],
    )
    assert_error(client.patch(f"{ENDPOINTS}/{hook}", json={}, headers=headers), 422)
    assert_error(
        client.patch(f"{ENDPOINTS}/{hook}", json={"events": ["job.failed"]}, headers=headers), 422, "events"
    )
    assert_error(
        client.patch(f"{ENDPOINTS}/{hook}", json={"url": "http://8.8.8.8/"}, headers=headers), 422, "url"
    )
    with clock.frozen(clock.now()):
        disabled = client.patch(
            f"{ENDPOINTS}/{hook}", json={"status": "disabled"}, headers=headers
        ).get_json()
        assert disabled["status"] == "disabled" and disabled["disabled_at"] is not None
        assert disabled["disabled_reason"].startswith("Disabled by ")
    enabled = client.patch(f"{ENDPOINTS}/{hook}", json={"status": "enabled"}, headers=headers).get_json()
    assert (enabled["status"], enabled["disabled_at"], enabled["failing_since"]) == ("enabled", None, None)

    record_event("invoice.issued", key="test:api", customer_id=mine.id, data=sample_data("invoice.issued"))
    db.session.commit()
    deliver(settings)
    assert len(receiver.to("/b")) == 1
    deleted = client.delete(f"{ENDPOINTS}/{hook}", headers=headers)
    assert deleted.status_code == 204 and deleted.get_data() == b""
    assert_error(client.get(f"{ENDPOINTS}/{hook}", headers=headers), 404)
    assert deliveries_of(hook) == []


def test_a_rotated_secret_signs_the_next_delivery(client, callers, receiver, settings):
    mine, _, tokens = callers
    created = create(client, tokens["mine"], receiver.url("/rotated")).get_json()
    rotated = client.post(f"{ENDPOINTS}/{created['id']}/rotate-secret", headers=bearer(tokens["mine"]))
    assert rotated.status_code == 200 and rotated.headers["Cache-Control"] == "no-store"
    secret = rotated.get_json()["secret"]
    assert secret != created["secret"] and secret.startswith("whsec_")
    record_event("invoice.issued", key="test:rotate", customer_id=mine.id, data=sample_data("invoice.issued"))
    db.session.commit()
    deliver(settings)
    [request] = receiver.to("/rotated")
    assert verified(request, secret) and not verified(request, created["secret"])


def test_deliveries_are_listed_newest_first_with_their_attempts_and_replayed(
    client, callers, receiver, settings
):
    mine, _, tokens = callers
    headers = bearer(tokens["mine"])
    hook = create(client, tokens["mine"], receiver.url("/listed")).get_json()["id"]
    receiver.status = 500
    for key in ("one", "two", "three"):
        record_event(
            "invoice.issued", key=f"test:{key}", customer_id=mine.id, data=sample_data("invoice.issued")
        )
    db.session.commit()
    deliver(settings)
    page = client.get(f"{ENDPOINTS}/{hook}/deliveries?page_size=2", headers=headers)
    assert page.status_code == 200
    assert json.loads(page.headers["X-Pagination"])["total"] == 3
    rows = page.get_json()
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True) and len(rows) == 2
    newest = rows[0]
    assert (newest["status"], newest["attempts"], newest["last_status_code"]) == ("pending", 1, 500)
    assert newest["event_type"] == "invoice.issued" and newest["event_id"].startswith("evt_")
    assert newest["next_attempt_at"] is not None
    [attempt] = newest["attempt_log"]
    assert (attempt["status_code"], attempt["response_excerpt"], attempt["error"]) == (
        500,
        "answered 500",
        None,
    )

    receiver.status = 200
    replayed = client.post(f"/api/v1/webhook-deliveries/{newest['id']}/replay", headers=headers)
    assert replayed.status_code == 200, replayed.get_json()
    assert (replayed.get_json()["status"], replayed.get_json()["attempts"]) == ("pending", 0)
    assert_error(
        client.post(f"/api/v1/webhook-deliveries/{newest['id']}/replay", headers=bearer(tokens["theirs"])),
        404,
    )
    client.patch(f"{ENDPOINTS}/{hook}", json={"status": "disabled"}, headers=headers)
    assert_error(client.post(f"/api/v1/webhook-deliveries/{newest['id']}/replay", headers=headers), 409)


def test_events_are_read_as_their_deliveries_carry_them(client, callers):
    mine, theirs, tokens = callers
    own = record_event(
        "invoice.issued", key="test:own", customer_id=mine.id, data=sample_data("invoice.issued")
    )
    other = record_event(
        "invoice.issued", key="test:other", customer_id=theirs.id, data=sample_data("invoice.issued")
    )
    staff = record_event("job.failed", key="test:staff", customer_id=None, data=sample_data("job.failed"))
    db.session.commit()
    listed = client.get("/api/v1/events", headers=bearer(tokens["mine"]))
    assert listed.status_code == 200
    assert listed.get_json() == [
        {
            "id": own.event_id,
            "type": "invoice.issued",
            "created": int(own.created_at.timestamp()),
            "data": own.data,
        }
    ]
    shown = client.get(f"/api/v1/events/{own.event_id}", headers=bearer(tokens["mine"]))
    assert shown.get_json() == listed.get_json()[0]
    assert_error(client.get(f"/api/v1/events/{other.event_id}", headers=bearer(tokens["mine"])), 404)
    admin = bearer(tokens["admin"])
    assert {e["id"] for e in client.get("/api/v1/events", headers=admin).get_json()} >= {
        own.event_id,
        other.event_id,
        staff.event_id,
    }
    assert [e["id"] for e in client.get("/api/v1/events?type=job.failed", headers=admin).get_json()] == [
        staff.event_id
    ]
    by_customer = client.get(f"/api/v1/events?customer_id={theirs.id}", headers=admin).get_json()
    assert [e["id"] for e in by_customer] == [other.event_id]
    assert_error(client.get("/api/v1/events?type=nope", headers=admin), 422, "type")

"""Webhook endpoints: the URLs customers (and the provider, `customer_id` None) register for event types,
their rules, and the deliveries an event makes to them.

A customer's endpoint hears of its own customer's events, and of the provider's own (staff) events never;
the provider's endpoints hear of every event. The URL must be https, or http to a host every address of
which lies in the allowed networks (a receiver on the provider's own network, or the tests'); the same
checks run again before each POST (daas.notifications.safe_http), because DNS may change in between. An
https host name is not resolved when it is registered (it may not exist yet); an address literal is
checked at once. The signing secret is shown when the endpoint is created and when it is rotated, never
again. Deleting an endpoint deletes it with its deliveries and their attempts (the events stay in the
outbox, readable at GET /api/v1/events): the schema has no column to mark an endpoint deleted.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select

from daas.core import clock
from daas.core.errors import Invalid, NotFound
from daas.customers.services import get_customer
from daas.db import fetch_page
from daas.extensions import db
from daas.notifications import delivery, signing
from daas.notifications.models import (
    DISABLED,
    ENABLED,
    PENDING,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from daas.notifications.policy import WebhookSettings
from daas.notifications.safe_http import Refused, address_problem, checked_addresses, parse_url, refusal
from daas.outbox.event_types import CUSTOMER_VISIBLE, EVENT_NAMES, EVENT_TYPES
from daas.outbox.models import OutboxEvent
from daas.outbox.services import record_event

ALL = "*"
MAX_DESCRIPTION_LENGTH = 200  # webhook_endpoints.description
MAX_REASON_LENGTH = 300  # webhook_endpoints.disabled_reason
DISABLED_EVENT = "webhook_endpoint.disabled"


# -- the rules ----------------------------------------------------------------------------------------------


def checked_url(url: Any, settings: WebhookSettings) -> str:
    """`url` if an endpoint may have it, else `Invalid` on `url`."""
    try:
        target = parse_url(url)
        if target.scheme == "http":
            checked_addresses(target, settings.allowed_networks)
        else:
            try:
                literal = ipaddress.ip_address(target.host)
            except ValueError:
                literal = None
            if literal is not None and (problem := address_problem(literal, settings.allowed_networks)):
                raise Refused(refusal(target.host, literal, problem))
    except Refused as refused:
        raise Invalid.field("url", str(refused)) from None
    return url


def checked_event_types(types: Any, customer_id: int | None) -> list[str]:
    """The event types an endpoint of `customer_id` (None: the provider) listens for: known names, each
    once, or `["*"]` alone; a customer's never the provider's own (staff) events. Else `Invalid` on
    `events`."""
    if not isinstance(types, list | tuple) or not types or not all(isinstance(t, str) for t in types):
        raise Invalid.field("events", 'Name the event types to listen for, or ["*"] for all of them.')
    if ALL in types:
        if set(types) != {ALL}:
            raise Invalid.field("events", '"*" already means every event type: send it alone.')
        return [ALL]
    unknown = sorted({t for t in types if t not in EVENT_TYPES})
    if unknown:
        raise Invalid.field(
            "events", f"Unknown event type {', '.join(unknown)}; known: {', '.join(EVENT_NAMES)}."
        )
    if customer_id is not None:
        staff = sorted({t for t in types if t not in CUSTOMER_VISIBLE})
        if staff:
            raise Invalid.field("events", f"{', '.join(staff)}: the provider's own events, not a customer's.")
    return list(dict.fromkeys(types))


def _description(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value.strip()) > MAX_DESCRIPTION_LENGTH:
        raise Invalid.field("description", f"At most {MAX_DESCRIPTION_LENGTH} characters.")
    return value.strip() or None


def listens(endpoint: WebhookEndpoint, event_type: str) -> bool:
    """Whether the endpoint hears of `event_type` (a customer's never of the provider's own events)."""
    if endpoint.customer_id is not None and event_type not in CUSTOMER_VISIBLE:
        return False
    return ALL in endpoint.event_types or event_type in endpoint.event_types


def owner_for(customer_id: int | None, customer_scope: int | None) -> int | None:
    """Whose a new endpoint is: a customer user's own customer (naming another is a 404), or the one
    admin names, or None: the provider's own."""
    if customer_scope is not None:
        if customer_id is not None and customer_id != customer_scope:
            raise NotFound(f"No customer {customer_id}.")
        return customer_scope
    if customer_id is not None:
        return get_customer(customer_id).id
    return None


# -- endpoints ----------------------------------------------------------------------------------------------


def create_endpoint(
    customer_id: int | None,
    url: Any,
    event_types: Any,
    description: Any,
    settings: WebhookSettings,
) -> tuple[WebhookEndpoint, str]:
    """A new enabled endpoint, and its signing secret (shown in this answer only)."""
    endpoint = WebhookEndpoint(
        customer_id=customer_id,
        url=checked_url(url, settings),
        event_types=checked_event_types(event_types, customer_id),
        description=_description(description),
        secret=signing.new_secret(),
        status=ENABLED,
        created_at=clock.now(),
    )
    db.session.add(endpoint)
    db.session.flush()
    return endpoint, endpoint.secret


def get_endpoint(endpoint_id: int, customer_scope: int | None = None, lock: bool = False) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id, with_for_update=lock, populate_existing=lock)
    if endpoint is None or (customer_scope is not None and endpoint.customer_id != customer_scope):
        raise NotFound(f"No webhook endpoint {endpoint_id}.")
    return endpoint


def list_endpoints(
    customer_scope: int | None = None,
    customer_id: int | None = None,
    provider: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[WebhookEndpoint], int]:
    """The oldest first. A customer user sees its own; admin every endpoint, one customer's, or with
    `provider` the provider's own."""
    query = select(WebhookEndpoint).order_by(WebhookEndpoint.id)
    if customer_scope is not None:
        query = query.where(WebhookEndpoint.customer_id == customer_scope)
    elif provider:
        query = query.where(WebhookEndpoint.customer_id.is_(None))
    elif customer_id is not None:
        query = query.where(WebhookEndpoint.customer_id == customer_id)
    return fetch_page(query, offset, limit)


def update_endpoint(
    endpoint_id: int,
    changes: dict[str, Any],
    settings: WebhookSettings,
    actor: str,
    customer_scope: int | None = None,
) -> WebhookEndpoint:
    """Change `url`, `events`, `description` and `status` (enabled: back on, its failing streak
    forgotten; disabled: off, its pending deliveries given up), whichever `changes` holds."""
    endpoint = get_endpoint(endpoint_id, customer_scope, lock=True)
    if "url" in changes:
        endpoint.url = checked_url(changes["url"], settings)
    if "events" in changes:
        endpoint.event_types = checked_event_types(changes["events"], endpoint.customer_id)
    if "description" in changes:
        endpoint.description = _description(changes["description"])
    status = changes.get("status")
    if status not in (None, ENABLED, DISABLED):
        raise Invalid.field("status", f"One of {ENABLED}, {DISABLED}.")
    if status == ENABLED and endpoint.status != ENABLED:
        enable_endpoint(endpoint)
    elif status == DISABLED and endpoint.status != DISABLED:
        disable_endpoint(endpoint, f"Disabled by {actor}.")
    db.session.flush()
    return endpoint


def enable_endpoint(endpoint: WebhookEndpoint) -> None:
    """Back on: what fails from now on counts from its next failure."""
    endpoint.status = ENABLED
    endpoint.failing_since = None
    endpoint.disabled_at = None
    endpoint.disabled_reason = None


def disable_endpoint(
    endpoint: WebhookEndpoint, reason: str, keep_delivery: int | None = None, at: datetime | None = None
) -> int:
    """Off (at `at`, else now): no new deliveries, its pending ones given up (but `keep_delivery`, whose
    sender records it itself); how many were given up."""
    endpoint.status = DISABLED
    endpoint.disabled_at = at or clock.now()
    endpoint.disabled_reason = reason[:MAX_REASON_LENGTH]
    condition = WebhookDelivery.endpoint_id == endpoint.id
    if keep_delivery is not None:
        condition = condition & (WebhookDelivery.id != keep_delivery)
    given_up = delivery.fail_pending(WebhookDelivery, condition, f"Endpoint disabled: {reason}"[:4000])
    db.session.flush()
    return given_up


def disable_failing_endpoint(endpoint: WebhookEndpoint, delivery_id: int) -> None:
    """Failing for the whole disable window: disabled, its other pending deliveries given up, and its
    owner told (`webhook_endpoint.disabled`, by e-mail and by its other endpoints)."""
    failing_since, disabled_at = endpoint.failing_since, clock.now()
    since = f" since {failing_since:%Y-%m-%d %H:%M} UTC" if failing_since else ""
    disable_endpoint(endpoint, f"Every delivery failed{since}.", keep_delivery=delivery_id, at=disabled_at)
    record_event(
        DISABLED_EVENT,
        key=f"webhook_endpoint:{endpoint.id}:disabled:{disabled_at.isoformat()}",
        customer_id=endpoint.customer_id,
        data={
            "endpoint_id": endpoint.id,
            "url": endpoint.url,
            "failing_since": failing_since,
            "disabled_at": disabled_at,
        },
    )


def rotate_secret(endpoint_id: int, customer_scope: int | None = None) -> tuple[WebhookEndpoint, str]:
    """A new signing secret, in force for the next delivery; the old one signs nothing more."""
    endpoint = get_endpoint(endpoint_id, customer_scope, lock=True)
    endpoint.secret = signing.new_secret()
    db.session.flush()
    return endpoint, endpoint.secret


def delete_endpoint(endpoint_id: int, customer_scope: int | None = None) -> None:
    """Gone, with its deliveries and their attempts (see the module)."""
    endpoint = get_endpoint(endpoint_id, customer_scope, lock=True)
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    db.session.execute(
        delete(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(deliveries))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(endpoint)
    db.session.flush()


# -- an event's deliveries --------------------------------------------------------------------------------


def _audience(event: OutboxEvent) -> Sequence[WebhookEndpoint]:
    """The enabled endpoints that may hear of `event`: its customer's and the provider's own."""
    owners = [WebhookEndpoint.customer_id.is_(None)]
    if event.customer_id is not None:
        owners.append(WebhookEndpoint.customer_id == event.customer_id)
    query = select(WebhookEndpoint).where(WebhookEndpoint.status == ENABLED, or_(*owners))
    return db.session.scalars(query.order_by(WebhookEndpoint.id)).all()


def deliveries_for(event: OutboxEvent) -> list[WebhookDelivery]:
    """One pending delivery per enabled endpoint listening for the event's type (not added to the session:
    dispatch adds them)."""
    now = clock.now()
    return [
        WebhookDelivery(
            event_id=event.id,
            endpoint_id=endpoint.id,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for endpoint in _audience(event)
        if listens(endpoint, event.type)
    ]

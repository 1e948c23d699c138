"""Webhook endpoints from the API, the portal and admin: register one (its secret shown in that answer),
change, disable or enable it, rotate its secret, delete it. Replaying a delivery is
`usecases.notifications.replay_webhook_delivery`; sending is the delivery pass's."""

from __future__ import annotations

from typing import Any

from daas.notifications import webhook_endpoints as endpoints
from daas.notifications.models import WebhookEndpoint
from daas.notifications.policy import WebhookSettings
from daas.usecases.transaction import use_case


@use_case
def create_webhook_endpoint(
    customer_id: int | None,
    values: dict[str, Any],
    settings: WebhookSettings,
    customer_scope: int | None = None,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint (`url`, `events`, `description`) of the caller's customer, of the customer admin
    names, or (admin naming none) the provider's own; with its signing secret, shown this once."""
    return endpoints.create_endpoint(
        endpoints.owner_for(customer_id, customer_scope),
        values.get("url"),
        values.get("events"),
        values.get("description"),
        settings,
    )


update_webhook_endpoint = use_case(endpoints.update_endpoint)
rotate_webhook_secret = use_case(endpoints.rotate_secret)
delete_webhook_endpoint = use_case(endpoints.delete_endpoint)

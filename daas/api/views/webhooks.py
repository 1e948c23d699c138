"""REST: /api/v1/webhook-endpoints (register, change, rotate the secret, delete, read the deliveries),
/api/v1/webhook-deliveries/<id>/replay, and /api/v1/events: the events as their deliveries carry them, for
a receiver catching up on what it missed.

Customer users manage their own customer's endpoints and read its events; admin every endpoint (and the
provider's own) and every event. Another customer's endpoint, delivery or event is a 404. The signing
secret is in the answer of a create and of a rotation only, never cached (`Cache-Control: no-store`).
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint, page_window
from daas.api.idempotency import idempotent
from daas.auth.roles import CUSTOMER
from daas.notifications import webhook_deliveries as deliveries
from daas.notifications import webhook_endpoints as endpoints
from daas.notifications.webhook_sending import event_body
from daas.outbox.services import get_event, list_events
from daas.schemas.webhooks import (
    EventQuerySchema,
    EventSchema,
    WebhookDeliverySchema,
    WebhookEndpointCreateSchema,
    WebhookEndpointQuerySchema,
    WebhookEndpointSchema,
    WebhookEndpointSecretSchema,
    WebhookEndpointUpdateSchema,
)
from daas.settings import current_settings
from daas.usecases import notifications as notification_use_cases
from daas.usecases import webhooks as use_cases

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1", description="Outbound webhooks and events")

NOT_STORED = {"Cache-Control": "no-store"}


def _scope() -> int | None:
    return current_principal().customer_scope


_SHOWN = (
    "id",
    "customer_id",
    "url",
    "description",
    "event_types",
    "status",
    "failing_since",
    "disabled_at",
    "disabled_reason",
    "created_at",
)


def _with_secret(endpoint: Any, secret: str) -> dict[str, Any]:
    """The endpoint as always shown, and its secret: the one answer that has it."""
    return {**{name: getattr(endpoint, name) for name in _SHOWN}, "secret": secret}


@blp.route("/webhook-endpoints")
class WebhookEndpoints(MethodView):
    @access(blp, CUSTOMER)
    @blp.arguments(WebhookEndpointQuerySchema, location="query")
    @blp.response(200, WebhookEndpointSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """The endpoints, oldest first (a customer user sees its own; admin all, one customer's, or the
        provider's own)."""
        rows, pagination_parameters.item_count = endpoints.list_endpoints(
            _scope(),
            args.get("customer_id"),
            args.get("provider", False),
            *page_window(pagination_parameters),
        )
        return rows

    @access(blp, CUSTOMER)
    @idempotent(blp)
    @blp.arguments(WebhookEndpointCreateSchema)
    @blp.response(201, WebhookEndpointSecretSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict[str, Any]) -> Any:
        """Register an endpoint; the answer holds its signing `secret`, shown this once."""
        endpoint, secret = use_cases.create_webhook_endpoint(
            data.pop("customer_id", None), data, current_settings().notifications.webhooks, _scope()
        )
        return _with_secret(endpoint, secret), 201, NOT_STORED


@blp.route("/webhook-endpoints/<id:endpoint_id>")
class WebhookEndpoint(MethodView):
    @access(blp, CUSTOMER)
    @blp.response(200, WebhookEndpointSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, endpoint_id: int) -> Any:
        """One endpoint (without its secret)."""
        return endpoints.get_endpoint(endpoint_id, _scope())

    @access(blp, CUSTOMER)
    @blp.arguments(WebhookEndpointUpdateSchema(partial=True))
    @blp.response(200, WebhookEndpointSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict[str, Any], endpoint_id: int) -> Any:
        """Change the URL, the events, the description; `status` disables it or enables it again."""
        return use_cases.update_webhook_endpoint(
            endpoint_id,
            data,
            current_settings().notifications.webhooks,
            current_principal().actor,
            customer_scope=_scope(),
        )

    @access(blp, CUSTOMER)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def delete(self, endpoint_id: int) -> Any:
        """Delete the endpoint with its deliveries and their attempts (its events stay readable)."""
        use_cases.delete_webhook_endpoint(endpoint_id, _scope())


@blp.route("/webhook-endpoints/<id:endpoint_id>/rotate-secret")
class WebhookEndpointSecret(MethodView):
    @access(blp, CUSTOMER)
    @blp.response(200, WebhookEndpointSecretSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, endpoint_id: int) -> Any:
        """A new signing secret, shown this once; the old one signs nothing from now on."""
        endpoint, secret = use_cases.rotate_webhook_secret(endpoint_id, _scope())
        return _with_secret(endpoint, secret), 200, NOT_STORED


@blp.route("/webhook-endpoints/<id:endpoint_id>/deliveries")
class WebhookEndpointDeliveries(MethodView):
    @access(blp, CUSTOMER)
    @blp.response(200, WebhookDeliverySchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.paginate()
    def get(self, endpoint_id: int, pagination_parameters: Any) -> Any:
        """The endpoint's deliveries, newest first, each with every attempt's answer."""
        rows, pagination_parameters.item_count = deliveries.list_deliveries(
            endpoint_id, _scope(), *page_window(pagination_parameters)
        )
        return rows


@blp.route("/webhook-deliveries/<id:delivery_id>/replay")
class WebhookDeliveryReplay(MethodView):
    @access(blp, CUSTOMER)
    @blp.response(200, WebhookDeliverySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, delivery_id: int) -> Any:
        """Send the delivery again, with the same event id, at the next delivery pass (409 when its
        endpoint is disabled)."""
        replayed = notification_use_cases.replay_webhook_delivery(delivery_id, _scope())
        return deliveries.records([replayed])[0]


@blp.route("/events")
class Events(MethodView):
    @access(blp, CUSTOMER)
    @blp.arguments(EventQuerySchema, location="query")
    @blp.response(200, EventSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """The events, newest first, as their webhook deliveries carry them (a customer user: its own)."""
        scope = _scope() if _scope() is not None else args.get("customer_id")
        rows, pagination_parameters.item_count = list_events(
            scope, args.get("type"), *page_window(pagination_parameters)
        )
        return [event_body(event) for event in rows]


@blp.route("/events/<string:event_id>")
class Event(MethodView):
    @access(blp, CUSTOMER)
    @blp.response(200, EventSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, event_id: str) -> Any:
        """One event by its id (`evt_...`)."""
        return event_body(get_event(event_id, _scope()))

"""REST: /api/v1/outbox, what daas sent, what waits and what failed (admin only), and sending it again."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import access
from daas.api.base import Blueprint, page_window
from daas.auth.roles import ADMIN
from daas.notifications import outbox_views
from daas.schemas.outbox import (
    OutboxDeliveryQuerySchema,
    OutboxDeliverySchema,
    OutboxEmailDetailSchema,
    OutboxEmailQuerySchema,
    OutboxEmailSchema,
    OutboxEventSchema,
    OutboxSummarySchema,
)
from daas.settings import current_settings
from daas.usecases import notifications as use_cases

blp = Blueprint(
    "outbox", __name__, url_prefix="/api/v1/outbox", description="E-mails and webhook deliveries (admin)"
)


@blp.route("/summary")
class Summary(MethodView):
    @access(blp, ADMIN)
    @blp.response(200, OutboxSummarySchema)
    def get(self) -> Any:
        """E-mails and webhook deliveries by status, events waiting to be fanned out and those whose
        fan-out failed, and whether e-mails are sent or only kept (`mail_backend`)."""
        summary = outbox_views.outbox_summary()
        return {
            "emails": summary.emails,
            "deliveries": summary.deliveries,
            "events_waiting": summary.events_waiting,
            "events_failed": summary.events_failed,
            "mail_backend": current_settings().notifications.mail.backend,
        }


@blp.route("/emails")
class Emails(MethodView):
    @access(blp, ADMIN)
    @blp.arguments(OutboxEmailQuerySchema, location="query")
    @blp.response(200, OutboxEmailSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List e-mails, the newest first, without their bodies: `status=failed` for those given up."""
        offset, limit = page_window(pagination_parameters)
        rows, pagination_parameters.item_count = outbox_views.list_emails(
            args.get("status"),
            args.get("type"),
            args.get("customer_id"),
            args.get("address"),
            offset=offset,
            limit=limit,
        )
        return rows


@blp.route("/emails/<id:email_id>")
class EmailById(MethodView):
    @access(blp, ADMIN)
    @blp.response(200, OutboxEmailDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, email_id: int) -> Any:
        """Show an e-mail as it was sent: its subject, both bodies and its attachments."""
        return outbox_views.email_detail(email_id)


@blp.route("/emails/<id:email_id>/resend")
class EmailResend(MethodView):
    @access(blp, ADMIN)
    @blp.response(200, OutboxEmailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, email_id: int) -> Any:
        """Send an e-mail again (failed, or sent and asked for again): pending now, with every retry ahead
        of it; the next delivery round sends it."""
        use_cases.resend_email(email_id)
        return outbox_views.email_detail(email_id)


@blp.route("/deliveries")
class Deliveries(MethodView):
    @access(blp, ADMIN)
    @blp.arguments(OutboxDeliveryQuerySchema, location="query")
    @blp.response(200, OutboxDeliverySchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List webhook deliveries, the newest first, with their endpoint's URL and last answer."""
        offset, limit = page_window(pagination_parameters)
        rows, pagination_parameters.item_count = outbox_views.list_deliveries(
            args.get("status"),
            args.get("type"),
            args.get("customer_id"),
            args.get("url"),
            offset=offset,
            limit=limit,
        )
        return rows


@blp.route("/events/<id:event_id>/redispatch")
class EventRedispatch(MethodView):
    @access(blp, ADMIN)
    @blp.response(200, OutboxEventSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, event_id: int) -> Any:
        """Fan out again an event whose fan-out failed: its e-mails and deliveries are made at the next
        delivery round. 409 for an event fanned out without error (resend its e-mails instead)."""
        return use_cases.redispatch_event(event_id)

"""The events daas tells people and systems about, and who hears of each (pure).

`money` events go to the customer's billing e-mail; `users` events to the customer's users who have not
turned them off; `staff` events to the provider's admins; `owner` events to whoever owns what the event is
about (a customer's webhook endpoint: its users; the provider's own: the admins). Every event goes to the
webhook endpoints that listen for its type, whatever its audience (staff events only to the provider's).
"""

from __future__ import annotations

from dataclasses import dataclass

MONEY = "money"
USERS = "users"
STAFF = "staff"
OWNER = "owner"


@dataclass(frozen=True)
class EventType:
    name: str
    audience: str
    description: str
    # The keys of its `data` (every one present; a value may be null where it says "or null").
    fields: tuple[str, ...] = ()


_TYPES = (
    EventType(
        "invoice.issued",
        MONEY,
        "An invoice was issued (its PDF and XML attached).",
        (
            "invoice_id",
            "number",
            "period",
            "issue_date",
            "due_date",
            "currency",
            "total",
        ),
    ),
    EventType(
        "credit_note.issued",
        MONEY,
        "A credit note was issued (its PDF and XML attached).",
        (
            "credit_note_id",
            "number",
            "invoice_id",
            "invoice_number",
            "issue_date",
            "currency",
            "total",
            "reason",
        ),
    ),
    EventType(
        "payment.succeeded",
        MONEY,
        "A card payment of an invoice succeeded.",
        (
            "invoice_id",
            "invoice_number",
            "currency",
            "amount",
            "paid_at",
        ),
    ),
    EventType(
        "payment.failed",
        MONEY,
        "A card payment failed (with the next retry, if any).",
        (
            "invoice_id",
            "invoice_number",
            "currency",
            "amount",
            "failure",
            "attempt",
            "next_retry_at",
        ),
    ),
    EventType(
        "invoice.overdue",
        MONEY,
        "An invoice is past its due date (reminders after 1, 7 and 14 days).",
        (
            "invoice_id",
            "number",
            "currency",
            "amount_due",
            "due_date",
            "days_overdue",
        ),
    ),
    EventType(
        "refresh.proposed",
        USERS,
        "A device is due for a refresh: a refresh order waits for approval.",
        (
            "refresh_order_id",
            "contract_id",
            "device_serial",
            "device_model",
            "due_date",
        ),
    ),
    EventType(
        "refresh.approved",
        USERS,
        "A refresh order was approved.",
        (
            "refresh_order_id",
            "contract_id",
            "device_serial",
            "due_date",
            "approved_by",
        ),
    ),
    EventType(
        "pickup.booked",
        USERS,
        "A pickup of returned devices was booked.",
        (
            "return_order_id",
            "contract_id",
            "pickup_date",
            "previous_date",
            "serials",
        ),
    ),
    EventType(
        "pickup.moved",
        USERS,
        "A booked pickup was moved to another day.",
        (
            "return_order_id",
            "contract_id",
            "pickup_date",
            "previous_date",
            "serials",
        ),
    ),
    EventType(
        "delivery.shipped",
        USERS,
        "A delivery was shipped (with its tracking).",
        (
            "order_id",
            "shipment_id",
            "carrier",
            "tracking_number",
            "tracking_url",
            "serials",
        ),
    ),
    EventType(
        "delivery.delivered",
        USERS,
        "A delivery was delivered.",
        (
            "order_id",
            "shipment_id",
            "delivered_on",
            "serials",
        ),
    ),
    EventType(
        "contract.ending",
        USERS,
        "A contract ends in 90, 60 or 30 days.",
        (
            "contract_id",
            "end_date",
            "days_left",
            "auto_renew",
        ),
    ),
    EventType(
        "charge.pending",
        USERS,
        "A one-off charge (damage, buy-out quote) waits for the customer.",
        (
            "charge_id",
            "contract_id",
            "kind",
            "description",
            "currency",
            "amount",
            "device_serial",
        ),
    ),
    EventType(
        "job.failed",
        STAFF,
        "A scheduled job failed.",
        (
            "job",
            "run_id",
            "due_at",
            "error",
        ),
    ),
    EventType(
        "webhook_endpoint.disabled",
        OWNER,
        "A webhook endpoint failed for 3 days and was disabled.",
        (
            "endpoint_id",
            "url",
            "failing_since",
            "disabled_at",
        ),
    ),
)

EVENT_TYPES: dict[str, EventType] = {t.name: t for t in _TYPES}
EVENT_NAMES: tuple[str, ...] = tuple(EVENT_TYPES)
# What a customer's user may turn off (money events always go to the billing e-mail, staff events are not
# theirs).
USER_CHOOSABLE: tuple[str, ...] = tuple(t.name for t in _TYPES if t.audience in (USERS, OWNER))
# What a customer's webhook endpoint may listen for: all but the provider's own (staff) events.
CUSTOMER_VISIBLE: tuple[str, ...] = tuple(t.name for t in _TYPES if t.audience != STAFF)


def audience_of(name: str) -> str:
    return EVENT_TYPES[name].audience

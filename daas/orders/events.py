"""The outbox events of the way out, keyed by the shipment and recorded in the transaction of the step:
`delivery.shipped` when the carrier has it (with the carrier and tracking number it was shipped with)
and `delivery.delivered` when it arrived."""

from __future__ import annotations

from collections.abc import Sequence

from daas.orders.models import Order, Shipment
from daas.outbox.services import record_event


def _key(shipment: Shipment) -> str:
    return f"shipment:{shipment.id}"


def record_shipped(order: Order, shipment: Shipment, serials: Sequence[str]) -> None:
    """The shipment of `order` with these devices left with its carrier. A tracking page's address is
    not stored with a shipment (the pages build it from the carrier's name), so `tracking_url` is null."""
    record_event(
        "delivery.shipped",
        key=_key(shipment),
        customer_id=order.customer_id,
        data={
            "order_id": order.id,
            "shipment_id": shipment.id,
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking,
            "tracking_url": None,
            "serials": list(serials),
        },
    )


def record_delivered(order: Order, shipment: Shipment, serials: Sequence[str]) -> None:
    """The shipment of `order` arrived on its `delivered_on` with these devices."""
    record_event(
        "delivery.delivered",
        key=_key(shipment),
        customer_id=order.customer_id,
        data={
            "order_id": order.id,
            "shipment_id": shipment.id,
            "delivered_on": shipment.delivered_on,
            "serials": list(serials),
        },
    )

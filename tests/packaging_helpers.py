"""Orders and shipments with their packaging, written straight to the models: what the impact statement
reads of the way out, without the ordering and shipping flow."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from daas.contracts.models import Contract
from daas.extensions import db
from daas.orders.lifecycle import OrderStatus, ShipmentStatus
from daas.orders.models import Order, Shipment, ShipmentPackaging
from tests.factories import ACTOR

ADDRESS = {
    "address_line1": "Keizersgracht 1",
    "postcode": "1015 CJ",
    "city": "Amsterdam",
    "country": "NL",
    "region": "NL-NH",
}


def order(contract: Contract, on: date = date(2026, 1, 5)) -> Order:
    """An approved order on the contract, for its customer."""
    placed = Order(
        customer_id=contract.customer_id,
        contract_id=contract.id,
        status=OrderStatus.APPROVED,
        requested_date=on,
        placed_by=ACTOR,
        **ADDRESS,
    )
    db.session.add(placed)
    db.session.flush()
    return placed


def shipment(
    of: Order,
    packaging: dict[str, str] | None = None,
    delivered_on: date | None = None,
    status: str | None = None,
    reusable_box_id: str | None = None,
) -> Shipment:
    """A shipment of the order with packaging rows {material: kg}: delivered on `delivered_on` when
    given (shipped otherwise, unless `status` says)."""
    sent = Shipment(
        order_id=of.id,
        status=status or (ShipmentStatus.DELIVERED if delivered_on else ShipmentStatus.SHIPPED),
        delivered_on=delivered_on,
        reusable_box_id=reusable_box_id,
        actor=ACTOR,
        **ADDRESS,
    )
    db.session.add(sent)
    db.session.flush()
    for material, kg in (packaging or {}).items():
        db.session.add(ShipmentPackaging(shipment_id=sent.id, material=material, kg=Decimal(kg)))
    db.session.flush()
    return sent

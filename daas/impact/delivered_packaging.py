"""Reads the packaging of delivered shipments, summed in the database: the kilograms of each material and
the shipments delivered in a reusable box, per contract (and its customer). A shipment belongs to a
contract through its order; it counts in the window its `delivered_on` falls in, and only once delivered
(a packed, shipped or failed shipment reached no one)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select

from daas.contracts.models import Contract
from daas.extensions import db
from daas.impact.packaging import packaging_figures
from daas.orders.lifecycle import ShipmentStatus
from daas.orders.models import Order, Shipment, ShipmentPackaging

Key = tuple[int, int]  # (customer_id, contract_id)


def _delivered(query: Select, start: date | None, end: date, contract_id: int | None) -> Select:
    query = (
        query.join(Order, Order.id == Shipment.order_id)
        .join(Contract, Contract.id == Order.contract_id)
        .where(Shipment.status == ShipmentStatus.DELIVERED, Shipment.delivered_on <= end)
        .group_by(Contract.customer_id, Order.contract_id)
    )
    if start is not None:
        query = query.where(Shipment.delivered_on >= start)
    if contract_id is not None:
        query = query.where(Order.contract_id == contract_id)
    return query


def _by_contract(
    start: date | None, end: date, contract_id: int | None = None
) -> tuple[dict[Key, dict[str, Decimal]], dict[Key, int]]:
    """Kilograms per material and reusable boxes, by customer and contract: two grouped queries."""
    kilograms = _delivered(
        select(
            Contract.customer_id,
            Order.contract_id,
            ShipmentPackaging.material,
            func.sum(ShipmentPackaging.kg),
        )
        .select_from(ShipmentPackaging)
        .join(Shipment, Shipment.id == ShipmentPackaging.shipment_id),
        start,
        end,
        contract_id,
    ).group_by(ShipmentPackaging.material)
    boxes = _delivered(
        select(Contract.customer_id, Order.contract_id, func.count(Shipment.id))
        .select_from(Shipment)
        .where(Shipment.reusable_box_id.is_not(None)),
        start,
        end,
        contract_id,
    )
    kg: dict[Key, dict[str, Decimal]] = defaultdict(dict)
    for customer_id, owner, material, total in db.session.execute(kilograms):
        kg[customer_id, owner][material] = total
    counts = {(customer_id, owner): count for customer_id, owner, count in db.session.execute(boxes)}
    return kg, counts


def contract_packaging(contract_id: int, start: date | None, end: date) -> dict[str, Any]:
    """The packaging of the contract's shipments delivered from `start` (None: from the beginning)
    through `end`."""
    kg, boxes = _by_contract(start, end, contract_id)
    # One contract: at most one (customer, contract) key.
    return packaging_figures(next(iter(kg.values()), {}), sum(boxes.values()))


def packaging_by_customer(start: date | None, end: date) -> dict[int, tuple[set[int], dict[str, Any]]]:
    """Per customer with a delivery in the window: the contracts delivered to, and their packaging added
    up (customers with no delivery are absent)."""
    kg, boxes = _by_contract(start, end)
    contracts: dict[int, set[int]] = defaultdict(set)
    materials: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    reusable: dict[int, int] = defaultdict(int)
    for (customer_id, contract_id), used in kg.items():
        contracts[customer_id].add(contract_id)
        for material, total in used.items():
            materials[customer_id][material] += total
    for (customer_id, contract_id), count in boxes.items():
        contracts[customer_id].add(contract_id)
        reusable[customer_id] += count
    return {
        customer_id: (ids, packaging_figures(materials[customer_id], reusable[customer_id]))
        for customer_id, ids in contracts.items()
    }

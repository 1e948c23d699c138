"""What the API and the pages show of orders, read for any number of orders in two queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from daas.catalog.models import DeviceModel
from daas.devices.models import Device
from daas.extensions import db
from daas.orders.lifecycle import AllocationState
from daas.orders.models import Order, OrderAllocation, OrderLine
from daas.people.rules import address_of


def order_views(orders: Sequence[Order]) -> list[dict[str, Any]]:
    """What the API and the pages show of orders: their fields, the delivery address, and each line with
    the serials allocated to it (held or delivered) — two queries for any number of orders."""
    ids = [order.id for order in orders]
    lines: dict[int, list[tuple[OrderLine, str]]] = defaultdict(list)
    serials: dict[int, list[str]] = defaultdict(list)
    if ids:
        for line, sku in db.session.execute(
            select(OrderLine, DeviceModel.sku)
            .join(DeviceModel, DeviceModel.id == OrderLine.device_model_id)
            .where(OrderLine.order_id.in_(ids))
            .order_by(OrderLine.order_id, OrderLine.position)
        ):
            lines[line.order_id].append((line, sku))
        for line_id, serial in db.session.execute(
            select(OrderAllocation.order_line_id, Device.serial)
            .join(Device, Device.id == OrderAllocation.device_id)
            .where(
                OrderAllocation.order_id.in_(ids),
                OrderAllocation.state.in_((AllocationState.RESERVED, AllocationState.DELIVERED)),
            )
            .order_by(OrderAllocation.id)
        ):
            serials[line_id].append(serial)
    return [
        {
            **{
                name: getattr(order, name)
                for name in (
                    "id",
                    "contract_id",
                    "customer_id",
                    "status",
                    "region",
                    "requested_date",
                    "accept_refurbished",
                    "lowest_grade",
                    "refresh_order_id",
                    "placed_by",
                    "approved_by",
                    "approved_at",
                    "cancelled_at",
                    "created_at",
                )
            },
            "address": address_of(order),
            "lines": [
                {
                    "sku": sku,
                    "quantity": line.quantity,
                    "person_id": line.person_id,
                    "serials": serials.get(line.id, []),
                }
                for line, sku in lines.get(order.id, [])
            ],
        }
        for order in orders
    ]


def order_view(order: Order) -> dict[str, Any]:
    return order_views([order])[0]

"""The outbox events of logistics, recorded in the transaction that makes each fact true: a refresh order
the planner opened (`refresh.proposed`) and its approval (`refresh.approved`), both keyed by the refresh
order; a return order's pickup booked for a day (`pickup.booked`) or moved to another (`pickup.moved`),
keyed by the order and the day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract
from daas.devices.models import Device
from daas.extensions import db
from daas.logistics.models import RefreshOrder, ReturnOrder
from daas.outbox.batch import NewEvent, record_events
from daas.outbox.services import record_event


def _refresh_key(order: RefreshOrder) -> str:
    return f"refresh_order:{order.id}"


def record_refreshes_proposed(opened: Sequence[tuple[RefreshOrder, int, Device, DeviceModel]]) -> None:
    """`refresh.proposed` for each refresh order the planner just opened: (order, its customer's id, its
    device, the device's model), in one batch."""
    record_events(
        "refresh.proposed",
        [
            NewEvent(
                key=_refresh_key(order),
                customer_id=customer_id,
                data={
                    "refresh_order_id": order.id,
                    "contract_id": order.contract_id,
                    "device_serial": device.serial,
                    "device_model": model.name,
                    "due_date": order.due_date,
                },
            )
            for order, customer_id, device, model in opened
        ],
    )


def record_refresh_approved(order: RefreshOrder, device_serial: str) -> None:
    """`refresh.approved` for an order just approved (`decided_by` is who approved it)."""
    record_event(
        "refresh.approved",
        key=_refresh_key(order),
        customer_id=db.session.scalar(select(Contract.customer_id).where(Contract.id == order.contract_id)),
        data={
            "refresh_order_id": order.id,
            "contract_id": order.contract_id,
            "device_serial": device_serial,
            "due_date": order.due_date,
            "approved_by": order.decided_by,
        },
    )


def record_pickup(
    order: ReturnOrder, pickup_date: date, previous_date: date | None, serials: Sequence[str]
) -> None:
    """The order's pickup is booked for `pickup_date`: `pickup.booked` when it had no day before,
    `pickup.moved` from `previous_date` otherwise."""
    record_event(
        "pickup.booked" if previous_date is None else "pickup.moved",
        key=f"return_order:{order.id}:pickup:{pickup_date.isoformat()}",
        customer_id=order.customer_id,
        data={
            "return_order_id": order.id,
            "contract_id": order.contract_id,
            "pickup_date": pickup_date,
            "previous_date": previous_date,
            "serials": list(serials),
        },
    )

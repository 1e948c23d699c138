"""An order's or a shipment's move checked against its lifecycle (lifecycle.py), refused the one way the
API shows it: a 409 naming the state and the moves it allows."""

from __future__ import annotations

from daas.core.errors import Conflict
from daas.orders.lifecycle import IllegalMove, check_order_move, next_shipment_status
from daas.orders.models import Order, Shipment


def illegal(error: IllegalMove) -> Conflict:
    return Conflict(
        str(error),
        errors={
            "status": [f"The {error.thing} is {error.status}; allowed: {', '.join(error.allowed) or 'none'}."]
        },
    )


def check_move(order: Order, move: str) -> None:
    """409 unless the order's state allows `move`."""
    try:
        check_order_move(order.status, move)
    except IllegalMove as error:
        raise illegal(error) from error


def next_status(shipment: Shipment, move: str) -> str:
    """The state `move` takes the shipment to; 409 when its state does not allow it."""
    try:
        return next_shipment_status(shipment.status, move)
    except IllegalMove as error:
        raise illegal(error) from error

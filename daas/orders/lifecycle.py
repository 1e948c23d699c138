"""The states of orders and shipments (orders.md), each declared once, and the moves between them.
Pure: no database. A move not allowed from the current state is refused with the state and the moves it
allows, which the API shows in its 409, as the device lifecycle does."""

from __future__ import annotations

from dataclasses import dataclass


class OrderStatus:
    REQUESTED = "requested"  # waiting for an approver: an allowance is exceeded
    APPROVED = "approved"
    BACKORDERED = "backordered"  # approved, not every unit in stock yet
    ALLOCATED = "allocated"  # every unit holds a device
    SHIPPED = "shipped"  # every device is on its way or delivered
    DELIVERED = "delivered"  # every device is delivered
    CANCELLED = "cancelled"


ORDER_STATUSES = (
    OrderStatus.REQUESTED,
    OrderStatus.APPROVED,
    OrderStatus.BACKORDERED,
    OrderStatus.ALLOCATED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.CANCELLED,
)
# Orders whose devices are still to come: their lines count against allowances and wait for stock.
OPEN_ORDER_STATUSES = (
    OrderStatus.REQUESTED,
    OrderStatus.APPROVED,
    OrderStatus.BACKORDERED,
    OrderStatus.ALLOCATED,
    OrderStatus.SHIPPED,
)

ORDER_MOVES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "approve": (frozenset({OrderStatus.REQUESTED}), frozenset({OrderStatus.APPROVED})),
    "allocate": (
        frozenset({OrderStatus.APPROVED, OrderStatus.BACKORDERED}),
        frozenset({OrderStatus.ALLOCATED, OrderStatus.BACKORDERED}),
    ),
    # Nothing is shipped yet: allocated devices go back to stock.
    "cancel": (
        frozenset(
            {OrderStatus.REQUESTED, OrderStatus.APPROVED, OrderStatus.BACKORDERED, OrderStatus.ALLOCATED}
        ),
        frozenset({OrderStatus.CANCELLED}),
    ),
    "ship": (
        frozenset({OrderStatus.ALLOCATED, OrderStatus.BACKORDERED, OrderStatus.SHIPPED}),
        frozenset({OrderStatus.ALLOCATED, OrderStatus.BACKORDERED, OrderStatus.SHIPPED}),
    ),
    "deliver": (
        frozenset({OrderStatus.ALLOCATED, OrderStatus.BACKORDERED, OrderStatus.SHIPPED}),
        frozenset(
            {OrderStatus.ALLOCATED, OrderStatus.BACKORDERED, OrderStatus.SHIPPED, OrderStatus.DELIVERED}
        ),
    ),
}


class AllocationState:
    """A device held for an order line: reserved (in stock, packed or on its way), delivered, or released
    (the order was cancelled or the delivery failed back to stock). One device, one reserved allocation."""

    RESERVED = "reserved"
    DELIVERED = "delivered"
    RELEASED = "released"


ALLOCATION_STATES = (AllocationState.RESERVED, AllocationState.DELIVERED, AllocationState.RELEASED)


class ShipmentStatus:
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    FAILED = "failed"


SHIPMENT_STATUSES = (
    ShipmentStatus.PACKED,
    ShipmentStatus.SHIPPED,
    ShipmentStatus.DELIVERED,
    ShipmentStatus.FAILED,
)
# A shipment that still holds its slot place and its devices.
OPEN_SHIPMENT_STATUSES = (ShipmentStatus.PACKED, ShipmentStatus.SHIPPED)

SHIPMENT_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "ship": (frozenset({ShipmentStatus.PACKED}), ShipmentStatus.SHIPPED),
    "deliver": (frozenset({ShipmentStatus.SHIPPED}), ShipmentStatus.DELIVERED),
    "fail": (frozenset({ShipmentStatus.PACKED, ShipmentStatus.SHIPPED}), ShipmentStatus.FAILED),
}

PACKAGING_MATERIALS = ("cardboard", "moulded_pulp", "bagasse", "bamboo", "recycled_plastic", "virgin_plastic")
PLASTIC_MATERIALS = frozenset({"recycled_plastic", "virgin_plastic"})


@dataclass(frozen=True)
class IllegalMove(Exception):
    """`thing` (order or shipment) in `status` may not `move`; `allowed` are the moves it may make."""

    thing: str
    status: str
    move: str
    allowed: tuple[str, ...]

    def __str__(self) -> str:
        allowed = ", ".join(self.allowed) or "none"
        article = "An" if self.thing[0] in "aeiou" else "A"
        return f"{article} {self.thing} that is {self.status} cannot {self.move}; allowed: {allowed}."


def order_moves_from(status: str) -> tuple[str, ...]:
    return tuple(move for move, (sources, _) in ORDER_MOVES.items() if status in sources)


def check_order_move(status: str, move: str) -> None:
    if status not in ORDER_MOVES[move][0]:
        raise IllegalMove("order", status, move, order_moves_from(status))


def shipment_moves_from(status: str) -> tuple[str, ...]:
    return tuple(move for move, (sources, _) in SHIPMENT_MOVES.items() if status in sources)


def next_shipment_status(status: str, move: str) -> str:
    sources, target = SHIPMENT_MOVES[move]
    if status not in sources:
        raise IllegalMove("shipment", status, move, shipment_moves_from(status))
    return target


def order_status_from_units(ordered: int, allocated: int, shipped: int, delivered: int) -> str:
    """Where an approved order stands from its units: every unit delivered, every unit shipped (or
    delivered), every unit holding a device, or still waiting for stock. `shipped` counts units on their
    way or delivered; `allocated` counts units holding a device in any of those steps."""
    if ordered and delivered >= ordered:
        return OrderStatus.DELIVERED
    if ordered and shipped >= ordered:
        return OrderStatus.SHIPPED
    if ordered and allocated >= ordered:
        return OrderStatus.ALLOCATED
    return OrderStatus.BACKORDERED

"""The device lifecycle of logistics.md as one explicit state machine, and the rules that narrow it by
what the device carries: the wipe certificate of its current life and its grade. Pure: no database.

A device moves only by a named action; an action not allowed in the current state is refused with the
state and the actions it allows, which the API shows in its 409. `actions_now` is the one answer to "what
may be done with this device now", which the device page offers and the takeback services enforce; it
never leaves a device that is not at the end of its life without a way forward.
"""

from __future__ import annotations

from dataclasses import dataclass


class DeviceStatus:
    """The states of the lifecycle, each named once here: the values are what `devices.status` stores, and
    every module that asks for a state uses these names."""

    IN_STOCK = "in_stock"
    # The way out (orders): reserved by an order, then on its way to the customer.
    ALLOCATED = "allocated"
    IN_TRANSIT_OUT = "in_transit_out"
    DEPLOYED = "deployed"
    RETURN_SCHEDULED = "return_scheduled"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    WIPED = "wiped"
    GRADED = "graded"
    REFURBISHING = "refurbishing"
    HARVESTED = "harvested"
    RECYCLED = "recycled"
    LOST = "lost"
    # Bought by the customer it served (a buy-out): the customer's own from then on.
    SOLD = "sold"


STATES = (
    DeviceStatus.IN_STOCK,
    DeviceStatus.ALLOCATED,
    DeviceStatus.IN_TRANSIT_OUT,
    DeviceStatus.DEPLOYED,
    DeviceStatus.RETURN_SCHEDULED,
    DeviceStatus.IN_TRANSIT,
    DeviceStatus.RECEIVED,
    DeviceStatus.WIPED,
    DeviceStatus.GRADED,
    DeviceStatus.REFURBISHING,
    DeviceStatus.HARVESTED,
    DeviceStatus.RECYCLED,
    DeviceStatus.LOST,
    DeviceStatus.SOLD,
)
FINAL_STATES = frozenset(
    {DeviceStatus.HARVESTED, DeviceStatus.RECYCLED, DeviceStatus.LOST, DeviceStatus.SOLD}
)
# Where a device that came back may rest once logistics is done with it: back in stock, being
# refurbished, or at the end of its life. A received return order closes when all its devices are here.
SETTLED_STATES = frozenset({DeviceStatus.IN_STOCK, DeviceStatus.REFURBISHING, *FINAL_STATES})

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "deploy": (frozenset({DeviceStatus.IN_STOCK}), DeviceStatus.DEPLOYED),
    # The way out: an order reserves a device in stock, a shipment takes it, its delivery deploys it; a
    # cancelled order releases it, a failed delivery brings it back to stock or to a new attempt.
    "allocate": (frozenset({DeviceStatus.IN_STOCK}), DeviceStatus.ALLOCATED),
    "release": (frozenset({DeviceStatus.ALLOCATED}), DeviceStatus.IN_STOCK),
    "ship": (frozenset({DeviceStatus.ALLOCATED}), DeviceStatus.IN_TRANSIT_OUT),
    "deliver": (frozenset({DeviceStatus.IN_TRANSIT_OUT}), DeviceStatus.DEPLOYED),
    "retry_delivery": (frozenset({DeviceStatus.IN_TRANSIT_OUT}), DeviceStatus.ALLOCATED),
    "return_to_stock": (frozenset({DeviceStatus.IN_TRANSIT_OUT}), DeviceStatus.IN_STOCK),
    # Handed to another person of the same customer, on the same deployment: no move, on the record.
    "reassign": (frozenset({DeviceStatus.DEPLOYED}), DeviceStatus.DEPLOYED),
    "schedule_return": (frozenset({DeviceStatus.DEPLOYED}), DeviceStatus.RETURN_SCHEDULED),
    "cancel_return": (frozenset({DeviceStatus.RETURN_SCHEDULED}), DeviceStatus.DEPLOYED),
    "pick_up": (frozenset({DeviceStatus.RETURN_SCHEDULED}), DeviceStatus.IN_TRANSIT),
    "receive": (frozenset({DeviceStatus.IN_TRANSIT}), DeviceStatus.RECEIVED),
    "hand_back": (frozenset({DeviceStatus.DEPLOYED}), DeviceStatus.RECEIVED),
    "wipe": (frozenset({DeviceStatus.RECEIVED}), DeviceStatus.WIPED),
    "grade": (frozenset({DeviceStatus.WIPED}), DeviceStatus.GRADED),
    # A stronger wipe after grading (a clear wipe does not allow recycling): the grade stays.
    "wipe_again": (frozenset({DeviceStatus.GRADED}), DeviceStatus.GRADED),
    "redeploy": (frozenset({DeviceStatus.GRADED}), DeviceStatus.IN_STOCK),
    "refurbish": (frozenset({DeviceStatus.GRADED}), DeviceStatus.REFURBISHING),
    "restock": (frozenset({DeviceStatus.REFURBISHING}), DeviceStatus.IN_STOCK),
    "harvest": (frozenset({DeviceStatus.GRADED}), DeviceStatus.HARVESTED),
    "recycle": (frozenset({DeviceStatus.GRADED}), DeviceStatus.RECYCLED),
    "lose": (
        frozenset({DeviceStatus.DEPLOYED, DeviceStatus.IN_TRANSIT, DeviceStatus.IN_TRANSIT_OUT}),
        DeviceStatus.LOST,
    ),
    # An upgrade (battery, storage, memory) instead of a replacement: no move, but on the record.
    "upgrade": (frozenset({DeviceStatus.DEPLOYED}), DeviceStatus.DEPLOYED),
    # A buy-out: the customer it serves keeps it; its deployment ends that day and it never comes back.
    "sell": (frozenset({DeviceStatus.DEPLOYED}), DeviceStatus.SOLD),
}


@dataclass(frozen=True)
class IllegalTransition(Exception):
    status: str
    action: str

    @property
    def allowed(self) -> list[str]:
        return allowed_actions(self.status)

    def __str__(self) -> str:
        ended = (
            "it was sold to its customer"
            if self.status == DeviceStatus.SOLD
            else "the device's life has ended"
        )
        allowed = ", ".join(self.allowed) or f"none ({ended})"
        return f"A device that is {self.status} cannot {self.action.replace('_', ' ')}; allowed: {allowed}."


def allowed_actions(status: str) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


def next_status(status: str, action: str) -> str:
    """The state `action` leads to from `status`; raises IllegalTransition when it may not."""
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise IllegalTransition(status, action)
    return target


# -- what the device carries: the wipe of its current life and its grade ---------------------------------

WIPE_METHODS = ("clear", "purge", "destroy")  # NIST SP 800-88 Rev. 1, weakest first
GRADES = ("A", "B", "C", "D")
DISPOSITIONS = ("redeploy", "refurbish", "harvest", "recycle")

# The wipe methods of the current life's certificate an action needs.
WIPE_NEEDED: dict[str, tuple[str, ...]] = {
    "grade": WIPE_METHODS,
    "redeploy": WIPE_METHODS,
    "refurbish": WIPE_METHODS,
    "harvest": WIPE_METHODS,
    "recycle": ("purge", "destroy"),
}
# Dispositions a grade rules out: a grade D device (parts only) is not redeployed as it is.
RULED_OUT_BY_GRADE: dict[str, frozenset[str]] = {"D": frozenset({"redeploy"})}

_PASSIVE = {
    "grade": "be graded",
    "redeploy": "be redeployed",
    "refurbish": "be refurbished",
    "harvest": "be harvested",
    "recycle": "be recycled",
}


@dataclass(frozen=True)
class Condition:
    """What the rules read of a device: its state, its grade and the method of the wipe certificate of its
    current life (None when it was not wiped since its last deployment)."""

    status: str
    grade: str | None = None
    wipe: str | None = None


@dataclass(frozen=True)
class Refusal:
    """Why an action may not be done now: the field at fault (status, wipe, grade or method) and a sentence
    that says what to do instead."""

    field: str
    message: str


def stronger_wipes(method: str | None) -> tuple[str, ...]:
    """The wipe methods stronger than `method` (all of them when there is no wipe)."""
    if method is None:
        return WIPE_METHODS
    return WIPE_METHODS[WIPE_METHODS.index(method) + 1 :]


def _wipe_refusal(action: str, wipe: str | None) -> Refusal | None:
    needed = WIPE_NEEDED.get(action)
    if needed is None or wipe in needed:
        return None
    if wipe is None:
        return Refusal(
            "wipe",
            f"There is no wipe certificate for the device's current life; wipe it before it can "
            f"{_PASSIVE[action]}.",
        )
    return Refusal(
        "wipe",
        f"To {_PASSIVE[action]}, the wipe must be {' or '.join(needed)}; the device was wiped with {wipe}. "
        f"Wipe it again ({' or '.join(needed)}) first.",
    )


def _wipe_again_refusal(condition: Condition, method: str | None) -> Refusal | None:
    """A second wipe of one life is for a disposition the wipe on record is too weak for, and must be
    stronger than it."""
    waiting = [
        action
        for action in DISPOSITIONS
        if _grade_refusal(action, condition.grade) is None and _wipe_refusal(action, condition.wipe)
    ]
    if condition.wipe is not None and not waiting:
        return Refusal(
            "wipe",
            f"The {condition.wipe} wipe on record is enough for every disposition; there is no need to wipe "
            "the device again.",
        )
    allowed = stronger_wipes(condition.wipe)
    if method is not None and method not in allowed:
        return Refusal(
            "method",
            f"A wipe after grading must be stronger than the {condition.wipe} wipe on record: "
            f"{' or '.join(allowed)}.",
        )
    return None


def _grade_refusal(action: str, grade: str | None) -> Refusal | None:
    if grade is not None and action in RULED_OUT_BY_GRADE.get(grade, ()):
        return Refusal(
            "grade",
            f"A grade {grade} device is parts only: it cannot {_PASSIVE[action]} as it is; refurbish, "
            "harvest or recycle it.",
        )
    return None


def refusal(condition: Condition, action: str, method: str | None = None) -> Refusal | None:
    """Why `action` may not be done now (None when it may): the state machine first, then the
    certificate and grade rules. `method` is the method of a wipe being recorded, when there is one."""
    if action not in allowed_actions(condition.status):
        return Refusal("status", str(IllegalTransition(condition.status, action)))
    if action == "wipe_again":
        return _wipe_again_refusal(condition, method)
    return _grade_refusal(action, condition.grade) or _wipe_refusal(action, condition.wipe)


def actions_now(condition: Condition) -> list[str]:
    """The actions that may be done now, in the state machine's order: those of the device's state that
    its wipe certificate and its grade allow."""
    return [action for action in allowed_actions(condition.status) if refusal(condition, action) is None]

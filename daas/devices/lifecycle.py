"""The device lifecycle of logistics.md as one explicit state machine. Pure: no database.

A device moves only by a named action; an action not allowed in the current state is refused with the
state and the actions it allows, which the API shows in its 409.
"""

from __future__ import annotations

from dataclasses import dataclass

STATES = (
    "in_stock",
    "deployed",
    "return_scheduled",
    "in_transit",
    "received",
    "wiped",
    "graded",
    "refurbishing",
    "harvested",
    "recycled",
    "lost",
)
FINAL_STATES = frozenset({"harvested", "recycled", "lost"})

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "deploy": (frozenset({"in_stock"}), "deployed"),
    "schedule_return": (frozenset({"deployed"}), "return_scheduled"),
    "cancel_return": (frozenset({"return_scheduled"}), "deployed"),
    "pick_up": (frozenset({"return_scheduled"}), "in_transit"),
    "receive": (frozenset({"in_transit"}), "received"),
    "hand_back": (frozenset({"deployed"}), "received"),
    "wipe": (frozenset({"received"}), "wiped"),
    "grade": (frozenset({"wiped"}), "graded"),
    "redeploy": (frozenset({"graded"}), "in_stock"),
    "refurbish": (frozenset({"graded"}), "refurbishing"),
    "restock": (frozenset({"refurbishing"}), "in_stock"),
    "harvest": (frozenset({"graded"}), "harvested"),
    "recycle": (frozenset({"graded"}), "recycled"),
    "lose": (frozenset({"deployed", "in_transit"}), "lost"),
    # An upgrade (battery, storage, memory) instead of a replacement: no move, but on the record.
    "upgrade": (frozenset({"deployed"}), "deployed"),
}


@dataclass(frozen=True)
class IllegalTransition(Exception):
    status: str
    action: str

    @property
    def allowed(self) -> list[str]:
        return allowed_actions(self.status)

    def __str__(self) -> str:
        allowed = ", ".join(self.allowed) or "none (the device's life has ended)"
        return f"A device that is {self.status} cannot {self.action.replace('_', ' ')}; allowed: {allowed}."


def allowed_actions(status: str) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


def next_status(status: str, action: str) -> str:
    """The state `action` leads to from `status`; raises IllegalTransition when it may not."""
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise IllegalTransition(status, action)
    return target

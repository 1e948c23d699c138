"""The lifecycle of a one-off charge as one explicit state machine. Pure: plain values, no database.

A charge is `proposed` (logistics found damage or a loss: finance has to agree first) or `pending` (finance
or an admin added it, or approved a proposed one). Only a pending charge is billed: the finalization of
the invoice that holds it makes it `billed`, and nothing else does. A charge may be `waived` before it is
billed. The customer may dispute it once, with a reason, while it is proposed, pending or billed; finance
then upholds the dispute's charge (it goes back to where it was: pending, or billed when an invoice
already holds it) or grants the dispute (the charge is waived; a billed one is credited by a credit note).

| move    | from                        | to                                        |
| ------- | --------------------------- | ----------------------------------------- |
| approve | proposed                    | pending                                   |
| waive   | proposed, pending           | waived                                    |
| bill    | pending                     | billed (an invoice's finalization only)   |
| dispute | proposed, pending, billed   | disputed (once per charge)                |
| uphold  | disputed                    | pending, or billed when it was billed     |
| grant   | disputed                    | waived (a billed one with a credit note)  |

A move its state does not allow is refused with the state it is in (`IllegalMove`, a 409).
"""

from __future__ import annotations

from dataclasses import dataclass

from daas.core.errors import Conflict

PROPOSED = "proposed"
PENDING = "pending"
BILLED = "billed"
WAIVED = "waived"
DISPUTED = "disputed"
STATUSES = (PROPOSED, PENDING, BILLED, WAIVED, DISPUTED)
# Not billed yet, and not given up: what a customer's contract page lists as still to come.
UNBILLED = (PROPOSED, PENDING, DISPUTED)
# Waiting for finance to decide.
TO_DECIDE = (PROPOSED, DISPUTED)

DAMAGE = "damage"
LOSS = "loss"
BUY_OUT = "buy_out"
EARLY_TERMINATION = "early_termination"
SHIPPING = "shipping"
SETUP = "setup"
OTHER = "other"
KINDS = (DAMAGE, LOSS, BUY_OUT, EARLY_TERMINATION, SHIPPING, SETUP, OTHER)
# What logistics proposes from what it finds when a device comes back.
PROPOSED_KINDS = (DAMAGE, LOSS)

APPROVE = "approve"
WAIVE = "waive"
BILL = "bill"
DISPUTE = "dispute"
UPHOLD = "uphold"
GRANT = "grant"
MOVES_IN_ORDER = (APPROVE, WAIVE, BILL, DISPUTE, UPHOLD, GRANT)


@dataclass(frozen=True)
class Move:
    """The states a move may start from, where it leads (None: back to where the charge was before its
    dispute) and what the refusal says the move needs."""

    sources: frozenset[str]
    target: str | None
    needs: str


MOVES: dict[str, Move] = {
    APPROVE: Move(frozenset({PROPOSED}), PENDING, "only a proposed charge can be approved"),
    WAIVE: Move(frozenset({PROPOSED, PENDING}), WAIVED, "only a proposed or pending charge can be waived"),
    BILL: Move(frozenset({PENDING}), BILLED, "only a pending charge is billed"),
    DISPUTE: Move(
        frozenset({PROPOSED, PENDING, BILLED}),
        DISPUTED,
        "only a proposed, pending or billed charge can be disputed",
    ),
    UPHOLD: Move(frozenset({DISPUTED}), None, "only a disputed charge can be upheld"),
    GRANT: Move(frozenset({DISPUTED}), WAIVED, "only a disputed charge's dispute can be granted"),
}


class IllegalMove(Conflict):
    """A move the charge's state does not allow: a 409 on its status, naming the state."""

    def __init__(
        self, status: str, move: str, charge: object | None = None, needs: str | None = None
    ) -> None:
        subject = f"Charge {charge}" if charge is not None else "The charge"
        super().__init__(
            f"{subject} is {status}; {needs or MOVES[move].needs}.",
            errors={"status": [f"The charge is {status}."]},
        )
        self.status = status
        self.move = move


def may(status: str, move: str) -> bool:
    return status in MOVES[move].sources


def allowed_moves(status: str) -> list[str]:
    return [move for move in MOVES_IN_ORDER if may(status, move)]


def next_status(
    status: str, move: str, *, billed: bool = False, disputed_before: bool = False, charge: object = None
) -> str:
    """The state `move` takes a charge in `status` to. `billed`: an invoice holds the charge (an upheld
    dispute leaves it billed). `disputed_before`: the customer disputed it once already, and that dispute
    was decided. Raises IllegalMove, naming `charge` when given."""
    rule = MOVES[move]
    if status not in rule.sources:
        raise IllegalMove(status, move, charge)
    if move == DISPUTE and disputed_before:
        raise IllegalMove(status, move, charge, "its dispute was decided, and a charge is disputed once")
    if rule.target is not None:
        return rule.target
    return BILLED if billed else PENDING

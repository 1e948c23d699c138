"""Charges: the one-off charges waiting for finance (proposed by logistics, or disputed by the customer),
each with the buttons of the decisions it allows: approve or waive a proposed charge, uphold or grant a
dispute (granting the dispute of a billed charge issues the credit note of its invoice line)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import redirect, render_template, url_for

from daas.charges import lifecycle
from daas.charges.services import get_charge, list_charges
from daas.settings import current_settings
from daas.usecases import charges as use_cases
from daas.web.finance import blp
from daas.web.pages import audience, carry_out, pager, principal

# The buttons of each state, in the order they show: (move, label, style).
DECISIONS = {
    lifecycle.PROPOSED: [(lifecycle.APPROVE, "Approve", ""), (lifecycle.WAIVE, "Waive", "secondary")],
    lifecycle.DISPUTED: [
        (lifecycle.UPHOLD, "Uphold", ""),
        (lifecycle.GRANT, "Grant the dispute", "secondary"),
    ],
}


def _grant(charge_id: int, actor: str) -> Any:
    settings = current_settings()
    return use_cases.grant_dispute(charge_id, actor, settings.issuer, settings.collection)


MOVES: dict[str, tuple[Callable[[int, str], Any], str]] = {
    lifecycle.APPROVE: (use_cases.approve_charge, "approved: it is billed on the next invoice"),
    lifecycle.WAIVE: (use_cases.waive_charge, "waived"),
    lifecycle.UPHOLD: (use_cases.uphold_dispute, "upheld"),
    lifecycle.GRANT: (_grant, "waived: the dispute is granted"),
}


@blp.get("/charges")
@audience("finance")
def charges() -> Any:
    page = pager(25)
    rows, total = list_charges(statuses=lifecycle.TO_DECIDE, offset=page.offset, limit=page.size)
    return render_template(
        "finance/charges.html", charges=rows, decisions=DECISIONS, pager=page.with_total(total)
    )


@blp.post("/charges/<int:charge_id>/<any(approve, waive, uphold, grant):move>")
@audience("finance")
def charges_move(charge_id: int, move: str) -> Any:
    get_charge(charge_id)  # an unknown charge: 404
    action, done = MOVES[move]

    def said(charge: Any) -> str:
        credited = f" (credit note {charge.credit_note_id})" if charge.credit_note_id else ""
        return f"Charge {charge.id} is {done}{credited}."

    carry_out(None, lambda: action(charge_id, principal().actor), said)
    return redirect(url_for("finance.charges"))

"""The one-off charge lifecycle as a table (daas.charges.lifecycle), and a charge's invoice line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from daas.billing.rating import DESCRIPTION_LENGTH, one_off_line
from daas.charges import lifecycle as lc

ALLOWED = {
    (lc.PROPOSED, lc.APPROVE): lc.PENDING,
    (lc.PROPOSED, lc.WAIVE): lc.WAIVED,
    (lc.PENDING, lc.WAIVE): lc.WAIVED,
    (lc.PENDING, lc.BILL): lc.BILLED,
    (lc.PROPOSED, lc.DISPUTE): lc.DISPUTED,
    (lc.PENDING, lc.DISPUTE): lc.DISPUTED,
    (lc.BILLED, lc.DISPUTE): lc.DISPUTED,
    (lc.DISPUTED, lc.UPHOLD): lc.PENDING,
    (lc.DISPUTED, lc.GRANT): lc.WAIVED,
}


@pytest.mark.parametrize("status", lc.STATUSES)
@pytest.mark.parametrize("move", lc.MOVES_IN_ORDER)
def test_every_move_from_every_state(status, move):
    if (status, move) in ALLOWED:
        assert lc.next_status(status, move) == ALLOWED[status, move]
        assert move in lc.allowed_moves(status)
    else:
        with pytest.raises(lc.IllegalMove) as refused:
            lc.next_status(status, move, charge=7)
        assert refused.value.message.startswith(f"Charge 7 is {status};")
        assert refused.value.errors == {"status": [f"The charge is {status}."]}
        assert refused.value.status_code == 409


def test_an_upheld_dispute_of_a_billed_charge_leaves_it_billed():
    assert lc.next_status(lc.DISPUTED, lc.UPHOLD, billed=True) == lc.BILLED


def test_a_charge_is_disputed_once():
    with pytest.raises(lc.IllegalMove, match="is pending; its dispute was decided"):
        lc.next_status(lc.PENDING, lc.DISPUTE, disputed_before=True)


def test_a_one_off_line_is_one_unit_at_the_amount_and_keeps_its_description_within_a_line():
    line = one_off_line(12, "Express courier", Decimal("45.50"))
    assert (line.kind, line.charge_id, line.description, line.amount) == (
        "one_off",
        12,
        "Express courier",
        Decimal("45.50"),
    )
    assert (line.quantity, line.unit_code, line.price, line.base_quantity) == (1, "C62", Decimal("45.50"), 1)
    long = one_off_line(12, "word " * 100, Decimal("1.00"))
    assert len(long.description) == DESCRIPTION_LENGTH and long.description.endswith("word…")

"""Building one-off charge situations for tests: a contract with a device on it, and charges added or
proposed through the domain, as finance and logistics make them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from daas.charges.services import NewCharge, add_charge, propose_charge
from tests import factories
from tests.billing_helpers import deploy


def contract_with_a_device(
    customer_id: int | None = None, plan_code: str | None = None, **values: Any
) -> tuple[Any, Any]:
    """A contract from 2026-01-01 with one laptop (39.00 a month) deployed from 2026-02-01, and the laptop."""
    contract = factories.contract(customer_id, plan_code, date(2026, 1, 1), **values)
    return contract, deploy(contract, date(2026, 2, 1))


def new_charge(
    amount: str = "100.00",
    on: date | None = date(2026, 10, 20),
    kind: str = "shipping",
    description: str = "Express courier for a replacement",
    key: str | None = None,
    device_serial: str | None = None,
) -> NewCharge:
    return NewCharge(
        kind=kind,
        amount=Decimal(amount),
        description=description,
        idempotency_key=key or factories.unique("charge"),
        on=on,
        device_serial=device_serial,
    )


def add(contract: Any, amount: str = "100.00", on: date | None = date(2026, 10, 20), **values: Any) -> Any:
    """A pending charge on the contract, as finance adds it."""
    charge, created = add_charge(contract.id, new_charge(amount, on, **values), "finance@daas.example")
    assert created
    return charge


def propose(contract: Any, amount: str = "90.00", kind: str = "damage", **values: Any) -> Any:
    """A proposed damage charge on the contract, as logistics' grading proposes it."""
    values.setdefault("description", "Cracked screen (grade C)")
    charge, created = propose_charge(
        contract.id, new_charge(amount, kind=kind, **values), "logistics@daas.example"
    )
    assert created
    return charge

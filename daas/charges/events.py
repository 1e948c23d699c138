"""The outbox event of a one-off charge the customer will pay or is asked to accept (`charge.pending`:
added pending, or proposed for finance's decision), recorded once per charge in the transaction that
stores it, whatever made it: finance, a grading's damage, a loss, a buy-out, an early termination."""

from __future__ import annotations

from daas.charges.models import OneOffCharge
from daas.contracts.models import Contract
from daas.outbox.services import record_event


def record_charge_pending(charge: OneOffCharge, contract: Contract, device_serial: str | None) -> None:
    record_event(
        "charge.pending",
        key=f"charge:{charge.id}",
        customer_id=contract.customer_id,
        data={
            "charge_id": charge.id,
            "contract_id": contract.id,
            "kind": charge.kind,
            "description": charge.description,
            "currency": contract.currency,
            "amount": charge.amount,
            "device_serial": device_serial,
        },
    )

"""One-off charges: add one (pending) or propose one (proposed: damage or a loss logistics found), read
them, and move them through their lifecycle (daas.charges.lifecycle), each move with its event.

`add_charge` and `propose_charge` take ids and values, so whatever finds a charge to make (finance, an
end-of-term buy-out, the grading of a returned device) makes it the same way, and the customer hears of
each new one (`charge.pending`, daas.charges.events). A charge's `idempotency_key` is unique per
contract: the same key with the same kind, amount, description, day and device is the charge already
stored (returned with `created` False), with anything else a 409 naming the fields that differ.

Billing marks charges billed when it finalizes the invoice that holds them (`lock_charges`, `mark_billed`);
nothing else bills a charge. Like every domain, this module flushes and raises but never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from daas.charges import lifecycle
from daas.charges.events import record_charge_pending
from daas.charges.models import ChargeEvent, OneOffCharge
from daas.contracts.models import Contract, Deployment
from daas.contracts.services import get_contract
from daas.core import clock, money
from daas.core.errors import Conflict, Invalid, NotFound
from daas.db import fetch_page
from daas.devices.models import Device
from daas.extensions import db

# What an invoice line's price holds (18 digits, 6 decimals): a charge is billed as one unit at its amount.
AMOUNT_LIMIT = Decimal(10) ** 12
# Who moves a charge that no person moved: the finalization of the invoice that bills it.
BILLING_ACTOR = "billing"


@dataclass(frozen=True)
class NewCharge:
    """What a charge is made of, as its creator gives it. `on` None: today (and, on a replay, whatever
    day the stored charge has)."""

    kind: str
    amount: Decimal
    description: str
    idempotency_key: str
    on: date | None = None
    device_serial: str | None = None


def _loaded(query):
    return query.options(
        selectinload(OneOffCharge.events),
        selectinload(OneOffCharge.device),
        selectinload(OneOffCharge.invoice),
        selectinload(OneOffCharge.contract).options(
            selectinload(Contract.plan), selectinload(Contract.customer)
        ),
    )


def _check_amount(amount: Decimal, currency: str) -> None:
    if money.decimal_places(amount) > money.exponent(currency):
        raise Invalid.field("amount", f"{currency} amounts have {money.exponent(currency)} decimals.")
    if amount <= 0:
        raise Invalid.field("amount", "Must be more than 0.")
    if amount >= AMOUNT_LIMIT:
        raise Invalid.field("amount", f"Must be less than {AMOUNT_LIMIT:f}.")


def _text(value: str, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid.field(field, "Must not be blank.")
    if len(text) > limit:
        raise Invalid.field(field, f"At most {limit} characters.")
    return text


def _deployed_device(contract_id: int, serial: str) -> int:
    """The id of the device `serial`, which must have been deployed on the contract at some time."""
    device_id = db.session.scalar(
        select(Device.id)
        .join(Deployment, Deployment.device_id == Device.id)
        .where(Device.serial == serial, Deployment.contract_id == contract_id)
        .limit(1)
    )
    if device_id is None:
        raise Invalid.field("device_serial", f"Device {serial} was never deployed on contract {contract_id}.")
    return device_id


def _event(charge: OneOffCharge, from_status: str | None, actor: str, note: str | None) -> None:
    db.session.add(
        ChargeEvent(
            charge_id=charge.id,
            from_status=from_status,
            to_status=charge.status,
            actor=actor,
            note=note,
            at=clock.now(),
        )
    )


def _differences(stored: OneOffCharge, new: NewCharge, device_id: int | None) -> list[str]:
    """The fields in which a charge sent again with its key differs from the stored one."""
    differs = {
        "kind": stored.kind != new.kind,
        "amount": stored.amount != new.amount,
        "description": stored.description != new.description,
        "on": new.on is not None and stored.charge_on != new.on,
        "device_serial": stored.device_id != device_id,
    }
    return [field for field, different in differs.items() if different]


def _replay(contract_id: int, new: NewCharge, device_id: int | None) -> OneOffCharge | None:
    """The charge stored with this key on the contract, when its fields are the ones sent; a 409 naming
    the fields that differ when they are not; None when the key is new."""
    stored = db.session.scalar(
        _loaded(select(OneOffCharge)).where(
            OneOffCharge.contract_id == contract_id, OneOffCharge.idempotency_key == new.idempotency_key
        )
    )
    if stored is None:
        return None
    differences = _differences(stored, new, device_id)
    if differences:
        message = (
            f"Charge {stored.id} was added with idempotency_key {new.idempotency_key!r} and another "
            f"{', '.join(differences)}; send a new key for a new charge."
        )
        raise Conflict(
            message,
            errors={
                "idempotency_key": [f"Used by charge {stored.id} with another {', '.join(differences)}."]
            },
        )
    return stored


def _create(contract_id: int, new: NewCharge, actor: str, status: str) -> tuple[OneOffCharge, bool]:
    contract = get_contract(contract_id)
    if new.kind not in lifecycle.KINDS:
        raise Invalid.field("kind", f"One of {', '.join(lifecycle.KINDS)}.")
    _check_amount(new.amount, contract.currency)
    description = _text(new.description, "description", 500)
    key = _text(new.idempotency_key, "idempotency_key", 255)
    new = NewCharge(new.kind, new.amount, description, key, new.on, new.device_serial)
    if new.on is not None and new.on < contract.start_date:
        raise Invalid.field("on", f"Before the contract starts ({contract.start_date.isoformat()}).")
    device_id = _deployed_device(contract.id, new.device_serial) if new.device_serial else None
    stored = _replay(contract.id, new, device_id)
    if stored is not None:
        return stored, False
    now = clock.now()
    charge = OneOffCharge(
        contract_id=contract.id,
        kind=new.kind,
        amount=new.amount,
        description=new.description,
        charge_on=new.on or clock.today(),
        idempotency_key=new.idempotency_key,
        device_id=device_id,
        status=status,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(charge)
            db.session.flush()
    except IntegrityError:
        # The same key was stored at the same moment by another request: that charge is the one.
        stored = _replay(contract.id, new, device_id)
        if stored is None:
            raise
        return stored, False
    _event(charge, None, actor, None)
    record_charge_pending(charge, contract, new.device_serial)
    db.session.flush()
    return get_charge(charge.id), True


def add_charge(contract_id: int, new: NewCharge, actor: str) -> tuple[OneOffCharge, bool]:
    """Add a charge to a contract, pending (it is billed on the next invoice of the period holding its
    day). Returns the charge and whether it was created (False: the same charge was stored before with
    its key). 422 on a field that breaks a rule, 409 when the key holds another charge."""
    return _create(contract_id, new, actor, lifecycle.PENDING)


def propose_charge(contract_id: int, new: NewCharge, actor: str) -> tuple[OneOffCharge, bool]:
    """Propose a damage or loss charge (what logistics found when a device came back): it waits,
    proposed, until finance approves or waives it. As `add_charge` otherwise."""
    if new.kind not in lifecycle.PROPOSED_KINDS:
        raise Invalid.field("kind", f"Only {' and '.join(lifecycle.PROPOSED_KINDS)} charges are proposed.")
    return _create(contract_id, new, actor, lifecycle.PROPOSED)


def _visible(charge: OneOffCharge | None, charge_id: int, customer_scope: int | None) -> OneOffCharge:
    if charge is None or (customer_scope is not None and charge.contract.customer_id != customer_scope):
        raise NotFound(f"No charge {charge_id}.")
    return charge


def get_charge(charge_id: int, customer_scope: int | None = None) -> OneOffCharge:
    """A charge with its events; a customer sees its own contracts' charges only."""
    charge = db.session.scalar(_loaded(select(OneOffCharge)).where(OneOffCharge.id == charge_id))
    return _visible(charge, charge_id, customer_scope)


def list_charges(
    contract_id: int | None = None,
    statuses: Iterable[str] = (),
    customer_scope: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[OneOffCharge], int]:
    """Charges by contract (which the caller must see: 404 otherwise) and states, oldest day first."""
    query = _loaded(select(OneOffCharge))
    if contract_id is not None:
        get_contract(contract_id, customer_scope)
        query = query.where(OneOffCharge.contract_id == contract_id)
    elif customer_scope is not None:
        query = query.join(Contract, Contract.id == OneOffCharge.contract_id).where(
            Contract.customer_id == customer_scope
        )
    if statuses := tuple(statuses):
        query = query.where(OneOffCharge.status.in_(statuses))
    return fetch_page(query.order_by(OneOffCharge.charge_on, OneOffCharge.id), offset, limit)


def lock_charge(charge_id: int, customer_scope: int | None = None) -> OneOffCharge:
    """The charge, its row locked until the transaction ends and read again under the lock: every move
    starts here, so it decides on the state it changes (a finalization may have billed it meanwhile)."""
    charge = db.session.scalar(
        select(OneOffCharge)
        .where(OneOffCharge.id == charge_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return _visible(charge, charge_id, customer_scope)


def _move(charge: OneOffCharge, move: str, actor: str, note: str | None = None) -> OneOffCharge:
    from_status = charge.status
    charge.status = lifecycle.next_status(
        charge.status,
        move,
        billed=charge.invoice_id is not None,
        disputed_before=charge.dispute_reason is not None,
        charge=charge.id,
    )
    charge.updated_at = clock.now()
    _event(charge, from_status, actor, note)
    db.session.flush()
    return charge


def _note(note: str | None) -> str | None:
    return (note or "").strip() or None


def _decide(charge: OneOffCharge, move: str, actor: str, note: str | None) -> OneOffCharge:
    note = _note(note)
    _move(charge, move, actor, note)
    charge.decision_note = note or charge.decision_note
    db.session.flush()
    return get_charge(charge.id)


def _decided(charge_id: int, move: str, actor: str, note: str | None) -> OneOffCharge:
    return _decide(lock_charge(charge_id), move, actor, note)


def approve_charge(charge_id: int, actor: str, note: str | None = None) -> OneOffCharge:
    """Finance agrees with a proposed charge: it is pending, billed on the next invoice."""
    return _decided(charge_id, lifecycle.APPROVE, actor, note)


def waive_charge(charge_id: int, actor: str, note: str | None = None) -> OneOffCharge:
    """Give up a proposed or pending charge: it is never billed."""
    return _decided(charge_id, lifecycle.WAIVE, actor, note)


def uphold_dispute(charge_id: int, actor: str, note: str | None = None) -> OneOffCharge:
    """The charge stands: back to pending (billed on the next invoice), or billed when an invoice bills
    it already."""
    return _decided(charge_id, lifecycle.UPHOLD, actor, note)


def dispute_charge(charge_id: int, reason: str, actor: str, customer_scope: int | None) -> OneOffCharge:
    """The customer disputes a proposed, pending or billed charge, once, with its reason: it is not billed
    while finance decides. Another customer's charge is not found."""
    charge = lock_charge(charge_id, customer_scope)
    reason = _text(reason, "reason", 2000)
    _move(charge, lifecycle.DISPUTE, actor, reason)
    charge.dispute_reason = reason
    db.session.flush()
    return get_charge(charge.id)


def check_grant(charge: OneOffCharge) -> None:
    """409 unless the charge's dispute can be granted now (what `grant_dispute` checks first, for the
    caller that must credit a billed charge's invoice before it grants)."""
    lifecycle.next_status(charge.status, lifecycle.GRANT, charge=charge.id)


def grant_dispute(
    charge_id: int, actor: str, note: str | None = None, credit_note_id: int | None = None
) -> OneOffCharge:
    """The customer is right: the charge is waived. A charge an invoice billed is credited by the credit
    note of its line, `credit_note_id`, which the caller issued (billing sits above charges)."""
    charge = lock_charge(charge_id)
    check_grant(charge)
    if charge.invoice_id is not None and credit_note_id is None:
        raise Conflict(
            f"Charge {charge.id} was billed on invoice {charge.invoice_id}: granting its dispute credits it.",
            errors={"status": ["A billed charge is waived with the credit note of its line."]},
        )
    charge.credit_note_id = credit_note_id
    return _decide(charge, lifecycle.GRANT, actor, note)


# -- billing ------------------------------------------------------------------------------------------------


def lock_charges(charge_ids: Iterable[int]) -> dict[int, OneOffCharge]:
    """These charges, locked in id order (concurrent finalizations take turns, never in a cycle) and
    read again under the lock."""
    ids = sorted(set(charge_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        select(OneOffCharge)
        .where(OneOffCharge.id.in_(ids))
        .order_by(OneOffCharge.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {charge.id: charge for charge in rows}


def mark_billed(charges_by_invoice: Mapping[int, Sequence[int]], notes: Mapping[int, str]) -> None:
    """Bill each invoice's charges, locked and found pending by the caller (`lock_charges`): the update
    takes only pending charges, so a charge is billed by one invoice, whatever runs at the same time.
    `notes`: invoice id -> what each charge's event says (the invoice's number)."""
    now = clock.now()
    for invoice_id, charge_ids in sorted(charges_by_invoice.items()):
        if not charge_ids:
            continue
        billed = db.session.execute(
            update(OneOffCharge)
            .where(OneOffCharge.id.in_(list(charge_ids)), OneOffCharge.status == lifecycle.PENDING)
            .values(status=lifecycle.BILLED, invoice_id=invoice_id, updated_at=now)
            .returning(OneOffCharge.id)
        ).scalars()
        if sorted(billed) != sorted(charge_ids):
            raise Conflict(f"A charge of invoice {invoice_id} is no longer pending; run its billing again.")
        db.session.add_all(
            ChargeEvent(
                charge_id=charge_id,
                from_status=lifecycle.PENDING,
                to_status=lifecycle.BILLED,
                actor=BILLING_ACTOR,
                note=notes.get(invoice_id),
                at=now,
            )
            for charge_id in charge_ids
        )
    db.session.flush()

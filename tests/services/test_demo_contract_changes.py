"""The demo's contract changes: a renewing contract, a set-up fee on last month's draft invoice, a damage
charge waiting for finance; loading again adds nothing."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from daas.billing.models import Invoice, InvoiceLine
from daas.charges.models import OneOffCharge
from daas.contracts.models import Contract
from daas.core.periods import Period
from daas.customers.models import Customer
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases.demo import load_demo


def test_the_demo_shows_contract_changes_and_charges(app, database, today):
    load_demo(current_settings().billing_run)
    amsterdam = db.session.scalar(select(Customer).where(Customer.name == "Amsterdam Analytics B.V."))
    contract = db.session.scalar(select(Contract).where(Contract.customer_id == amsterdam.id))
    assert contract.renews is True
    charges = {c.kind: c for c in db.session.scalars(select(OneOffCharge))}
    assert set(charges) == {"setup", "damage"}
    assert (charges["damage"].status, charges["damage"].amount) == ("proposed", Decimal("90.00"))
    set_up = charges["setup"]
    last_month = Period.containing(today).previous()
    draft = db.session.scalar(
        select(Invoice).where(Invoice.contract_id == contract.id, Invoice.period == last_month.name)
    )
    assert draft.status == "draft"
    line = db.session.scalar(select(InvoiceLine).where(InvoiceLine.charge_id == set_up.id))
    assert (line.invoice_id, line.kind, line.amount) == (draft.id, "one_off", Decimal("450.00"))
    assert set_up.status == "pending"  # billed when the draft is finalized

    again = load_demo(current_settings().billing_run)
    assert again.created.get("one-off charges", 0) == 0
    assert db.session.scalar(select(OneOffCharge.id).order_by(OneOffCharge.id.desc()).limit(1)) == max(
        c.id for c in charges.values()
    )

"""One-off charges on invoices: a pending charge is its own line (one unit at its amount) on the invoice
of the period holding its day, taxed like the other lines and outside the minimum; on the next invoice
when that one is finalized; on an invoice of its own period for a contract that ended. Recomputing a draft
never loses or doubles it; finalizing binds it to its invoice, and a draft whose charge was waived or
disputed since is not finalized (the reason says so) while the others are. A granted dispute of a billed
charge credits its line, with VAT. The e-invoices of a one-off line validate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from daas.billing import invoices as billing
from daas.billing.models import BillingRunError, Invoice, InvoiceLine
from daas.charges.models import OneOffCharge
from daas.charges.services import dispute_charge, uphold_dispute, waive_charge
from daas.core import clock
from daas.core.errors import Conflict
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases.charges import grant_dispute
from tests import factories
from tests.billing_helpers import NOVEMBER, OCTOBER, bill, documents, finalize_run
from tests.charge_helpers import add, contract_with_a_device
from tests.einvoice_validation import validate_cii, validate_ubl

D = Decimal


def _invoice(contract, period=OCTOBER) -> Invoice | None:
    invoice = db.session.scalar(
        select(Invoice)
        .where(Invoice.contract_id == contract.id, Invoice.period == period.name)
        .execution_options(populate_existing=True)
    )
    if invoice is not None:
        db.session.refresh(invoice, ["lines"])
    return invoice


def _lines(invoice) -> list[tuple[str, str, Decimal, Decimal | None, int | None]]:
    return [
        (line.kind, line.description, line.amount, line.quantity, line.charge_id) for line in invoice.lines
    ]


def _charge(charge_id: int) -> OneOffCharge:
    return db.session.scalar(
        select(OneOffCharge).where(OneOffCharge.id == charge_id).execution_options(populate_existing=True)
    )


def _failures(run) -> dict[int, str]:
    return dict(
        db.session.execute(
            select(BillingRunError.contract_id, BillingRunError.error).where(BillingRunError.run_id == run.id)
        ).all()
    )


@pytest.fixture
def contract(database, today):
    made, _ = contract_with_a_device()
    return made


def test_a_pending_charge_is_its_own_line_on_the_invoice_of_its_period_with_vat(contract):
    charge = add(contract, "100.00", date(2026, 10, 20), description="Express courier")
    bill(OCTOBER)
    invoice = _invoice(contract)
    assert _lines(invoice)[-1] == ("one_off", "Express courier", D("100.00"), D(1), charge.id)
    one_off = invoice.lines[-1]
    assert (one_off.unit_code, one_off.price, one_off.base_quantity) == ("C62", D("100.00"), D(1))
    # 39.00 for the laptop, 100.00 for the charge, 21 % VAT on both.
    assert (invoice.subtotal, invoice.tax_rate, invoice.tax_amount, invoice.total) == (
        D("139.00"),
        D("0.21"),
        D("29.19"),
        D("168.19"),
    )
    assert _charge(charge.id).status == "pending"  # bound only when the invoice is finalized


def test_a_charge_dated_after_the_period_waits_for_its_own(contract):
    add(contract, "100.00", date(2026, 11, 3))
    bill(OCTOBER)
    assert [kind for kind, *_ in _lines(_invoice(contract))] == ["device_monthly"]


def test_one_off_lines_are_outside_the_minimum(database, today):
    plan = factories.plan(minimum_monthly_amount=D("500.00"))
    contract, _ = contract_with_a_device(plan_code=plan.code)
    add(contract, "100.00")
    bill(OCTOBER)
    kinds = {kind: amount for kind, _, amount, *_ in _lines(_invoice(contract))}
    # The true-up tops the laptop's 39.00 up to 500.00, as without the charge; the charge comes on top.
    assert kinds == {"device_monthly": D("39.00"), "minimum_true_up": D("461.00"), "one_off": D("100.00")}
    assert _invoice(contract).subtotal == D("600.00")


def test_a_large_charge_does_not_count_toward_the_minimum(database, today):
    plan = factories.plan(minimum_monthly_amount=D("500.00"))
    contract, _ = contract_with_a_device(plan_code=plan.code)
    add(contract, "1000.00")
    bill(OCTOBER)
    assert [(kind, amount) for kind, _, amount, *_ in _lines(_invoice(contract))] == [
        ("device_monthly", D("39.00")),
        ("minimum_true_up", D("461.00")),
        ("one_off", D("1000.00")),
    ]


def test_finalizing_binds_the_charge_to_its_invoice(contract):
    charge = add(contract, "100.00")
    run = bill(OCTOBER)
    assert finalize_run(run.id) == 1
    invoice = _invoice(contract)
    billed = _charge(charge.id)
    assert (billed.status, billed.invoice_id, billed.invoice_number) == ("billed", invoice.id, invoice.number)
    assert [(e.from_status, e.to_status, e.actor, e.note) for e in billed.events][-1] == (
        "pending",
        "billed",
        "billing",
        f"Billed on invoice {invoice.number}.",
    )


def test_a_charge_on_a_finalized_period_goes_to_the_next_invoice(contract):
    finalize_run(bill(OCTOBER).id)
    late = add(contract, "25.00", date(2026, 10, 28), description="Setup of a spare")
    with clock.frozen(date(2026, 12, 2)):
        run = bill(NOVEMBER)
        assert _lines(_invoice(contract, NOVEMBER))[-1] == (
            "one_off",
            "Setup of a spare",
            D("25.00"),
            D(1),
            late.id,
        )
        assert len(_invoice(contract).lines) == 1  # October stays as it was issued
        finalize_run(run.id)
    assert _charge(late.id).invoice_id == _invoice(contract, NOVEMBER).id


def test_an_ended_contract_with_a_pending_charge_gets_an_invoice_for_its_own_period(database, today):
    contract, _ = contract_with_a_device(end_date=date(2026, 10, 1))
    charge = add(contract, "250.00", date(2026, 10, 12), kind="damage", description="Broken hinge")
    run = bill(OCTOBER)
    invoice = _invoice(contract)
    assert _lines(invoice) == [("one_off", "Broken hinge", D("250.00"), D(1), charge.id)]
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (D("250.00"), D("52.50"), D("302.50"))
    assert run.contracts == 1 and run.invoices_created == 1
    with clock.frozen(date(2026, 12, 2)):
        bill(NOVEMBER)
    assert _invoice(contract, NOVEMBER) is None  # nothing more to bill after the charge


def test_recomputing_a_draft_keeps_exactly_one_line_per_charge(contract):
    charge = add(contract, "100.00")
    bill(OCTOBER)
    bill(OCTOBER)
    bill(OCTOBER)
    lines = db.session.scalars(select(InvoiceLine).where(InvoiceLine.charge_id == charge.id)).all()
    assert len(lines) == 1 and lines[0].invoice_id == _invoice(contract).id


def test_a_draft_of_an_earlier_period_keeps_its_charge(contract):
    charge = add(contract, "100.00")
    bill(OCTOBER)
    with clock.frozen(date(2026, 12, 2)):
        bill(NOVEMBER)
    assert [kind for kind, *_ in _lines(_invoice(contract, NOVEMBER))] == ["device_monthly"]
    assert _lines(_invoice(contract))[-1][-1] == charge.id


def test_a_charge_waived_after_its_draft_blocks_only_that_invoice(database, today):
    waived_on, _ = contract_with_a_device()
    kept_on, _ = contract_with_a_device()
    waived = add(waived_on, "100.00")
    kept = add(kept_on, "60.00")
    run = bill(OCTOBER)
    waive_charge(waived.id, "finance@daas.example", "Goodwill")

    assert finalize_run(run.id) == 1
    assert (_invoice(waived_on).status, _invoice(kept_on).status) == ("draft", "open")
    reason = f"Charge {waived.id} was waived after this draft was computed; run the billing of 2026-10 again."
    assert _failures(run) == {waived_on.id: reason}
    assert db.session.get(type(run), run.id).status == "completed_with_errors"
    assert _charge(kept.id).status == "billed" and _charge(waived.id).invoice_id is None

    # Alone, the draft is refused with the same reason; billed again, it goes without the charge.
    with pytest.raises(Conflict, match=reason):
        billing.finalize_invoice(_invoice(waived_on).id, documents())
    db.session.rollback()
    finalize_run(bill(OCTOBER).id)
    assert _invoice(waived_on).status == "open"
    assert [kind for kind, *_ in _lines(_invoice(waived_on))] == ["device_monthly"]


def test_a_disputed_charge_holds_its_draft_until_the_dispute_is_upheld(contract, database):
    customer_user = factories.user("customer", contract.customer_id)
    charge = add(contract, "100.00")
    bill(OCTOBER, finalize=False)
    dispute_charge(charge.id, "We never asked for it", customer_user.email, contract.customer_id)
    run = bill(OCTOBER, finalize=True)
    assert _invoice(contract).status == "open"  # recomputed without the disputed charge, then finalized
    assert [kind for kind, *_ in _lines(_invoice(contract))] == ["device_monthly"]
    assert run.status == "completed"
    uphold_dispute(charge.id, "finance@daas.example", "It was asked for")
    with clock.frozen(date(2026, 12, 2)):
        finalize_run(bill(NOVEMBER).id)
    assert _charge(charge.id).invoice_id == _invoice(contract, NOVEMBER).id


def test_a_draft_whose_charge_was_disputed_since_is_refused_with_the_reason(contract):
    charge = add(contract, "100.00")
    run = bill(OCTOBER)
    dispute_charge(charge.id, "We never asked for it", "ap@example.com", contract.customer_id)
    assert finalize_run(run.id) == 0
    assert _failures(run) == {
        contract.id: f"Charge {charge.id} was disputed after this draft was computed; run the billing of "
        "2026-10 again."
    }


def test_a_billing_run_that_finalizes_counts_a_refused_draft_among_its_failures(contract, monkeypatch):
    """`bill --finalize` recomputes first, so only a move between its two steps can leave a draft behind:
    the charge is waived while the run finalizes its first chunk."""
    charge = add(contract, "100.00")
    other, _ = contract_with_a_device()
    real = billing.check_charges
    calls = []

    def waive_first(drafts):
        if not calls:
            waive_charge(charge.id, "finance@daas.example")
        calls.append(len(drafts))
        return real(drafts)

    monkeypatch.setattr(billing, "check_charges", waive_first)
    run = bill(OCTOBER, finalize=True)
    assert run.status == "completed_with_errors" and run.invoices_finalized == 1
    assert (_invoice(contract).status, _invoice(other).status) == ("draft", "open")
    assert "was waived after this draft was computed" in _failures(run)[contract.id]


def test_a_granted_dispute_of_a_billed_charge_credits_its_line_with_vat(contract):
    charge = add(contract, "100.00")
    finalize_run(bill(OCTOBER).id)
    invoice = _invoice(contract)
    dispute_charge(charge.id, "The courier never came", "ap@example.com", contract.customer_id)
    assert _charge(charge.id).status == "disputed"
    settings = current_settings()
    granted = grant_dispute(charge.id, "finance@daas.example", settings.issuer, settings.collection, "Sorry")
    assert (granted.status, granted.invoice_id) == ("waived", invoice.id)
    invoice = _invoice(contract)
    (note,) = invoice.credit_notes
    assert granted.credit_note_id == note.id
    assert (note.net_amount, note.tax_amount, note.amount) == (D("100.00"), D("21.00"), D("121.00"))
    line = next(line for line in invoice.lines if line.charge_id == charge.id)
    assert [(cl.invoice_line_id, cl.kind, cl.amount) for cl in note.lines] == [
        (line.id, "one_off", D("100.00"))
    ]
    assert (invoice.credited, invoice.amount_due) == (D("121.00"), invoice.total - D("121.00"))


def test_an_upheld_dispute_of_a_billed_charge_leaves_it_billed(contract):
    charge = add(contract, "100.00")
    finalize_run(bill(OCTOBER).id)
    dispute_charge(charge.id, "Too much", "ap@example.com", contract.customer_id)
    upheld = uphold_dispute(charge.id, "finance@daas.example", "As agreed in the contract")
    assert (upheld.status, upheld.invoice_id) == ("billed", _invoice(contract).id)
    with clock.frozen(date(2026, 12, 2)):
        bill(NOVEMBER)
    assert [kind for kind, *_ in _lines(_invoice(contract, NOVEMBER))] == ["device_monthly"]


def test_the_e_invoices_of_a_one_off_line_validate(client, database, today, tokens):
    customer = factories.customer(
        vat_id="NL123456782B90",
        address_line1="Keizersgracht 10",
        postcode="1015 CX",
        city="Amsterdam",
        peppol_id="0106:12345678",
        registration_id="0106:12345678",
        buyer_reference="IT-7",
    )
    contract, _ = contract_with_a_device(customer.id)
    add(contract, "100.00", description="Replacement charger")
    finalize_run(bill(OCTOBER).id)
    invoice = _invoice(contract)
    headers = {"Authorization": f"Bearer {tokens['finance']}"}
    ubl = client.get(f"/api/v1/invoices/{invoice.id}.xml", headers=headers)
    cii = client.get(f"/api/v1/invoices/{invoice.id}.xml?syntax=cii", headers=headers)
    assert (ubl.status_code, cii.status_code) == (200, 200)
    assert validate_ubl(ubl.data) == [] and validate_cii(cii.data) == []
    assert b"Replacement charger" in ubl.data and b"Replacement charger" in cii.data
    shown = client.get(f"/api/v1/invoices/{invoice.id}", headers=headers).get_json()
    assert [line["charge_id"] for line in shown["lines"]] == [None, invoice.lines[-1].charge_id]

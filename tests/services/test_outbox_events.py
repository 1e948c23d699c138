"""The outbox events of money documents and charges, recorded by the real workflows through their use
cases: `invoice.issued` (a billing run finalized chunk by chunk, a period billed and finalized, one draft
finalized), `credit_note.issued` (a credit, a void), `charge.pending` (added by finance, proposed for a
lost device, charged for an early termination); each with its customer, every key its type lists and the
values of the document, the PDF and UBL it attaches; recorded once however often the workflow runs, and
gone with a transaction that rolls back. Finalizing a chunk reads and writes the outbox the same few
times for one invoice or many."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from daas.billing import invoices
from daas.billing.models import CreditNote, Invoice, IssuedDocument
from daas.charges.models import OneOffCharge
from daas.contracts.services import deploy_device
from daas.core.errors import Conflict
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases import charges as charge_use_cases
from daas.usecases import logistics as logistics_use_cases
from daas.usecases.billing import finalize_period_and_collect, finalize_run_and_collect
from daas.usecases.invoices import finalize_invoice_and_collect, void_invoice
from daas.usecases.payments import issue_credit_note
from daas.usecases.transaction import use_case
from tests import factories
from tests.billing_helpers import OCTOBER, bill, deploy, documents, issuer, run_settings
from tests.charge_helpers import contract_with_a_device, new_charge
from tests.outbox_helpers import assert_event, events, keys, the_event


def _contracts(count: int, payment_terms_days: int = 30) -> list[Any]:
    """`count` customers with a contract of one laptop all October: 39.00 + 21 % VAT = 47.19."""
    plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
    made = []
    for _ in range(count):
        customer = factories.customer(payment_terms_days=payment_terms_days)
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
        deploy(contract, date(2026, 2, 1))
        made.append(contract)
    db.session.commit()
    return made


def _invoice_of(contract: Any) -> Invoice:
    db.session.expire_all()
    return db.session.scalar(select(Invoice).where(Invoice.contract_id == contract.id))


def _files(**owner: int) -> dict[str, int]:
    return {
        document.format: document.id
        for document in db.session.scalars(select(IssuedDocument).filter_by(**owner))
    }


def _policy():
    return current_settings().collection


# -- invoice.issued ----------------------------------------------------------------------------------------


def test_each_invoice_a_run_finalizes_is_issued_once_with_its_pdf_and_ubl(database, today):
    first, second = _contracts(2, payment_terms_days=14)
    run = bill(OCTOBER)
    assert events("invoice.issued") == []  # drafts are not issued
    assert finalize_run_and_collect(run.id, run_settings(chunk_size=1), _policy()) == 2
    db.session.rollback()  # committed chunk by chunk
    for contract, number in ((first, "INV-2026-000001"), (second, "INV-2026-000002")):
        invoice = _invoice_of(contract)
        issued = the_event("invoice.issued", f"invoice:{invoice.id}")
        assert_event(
            issued,
            contract.customer_id,
            {
                "invoice_id": invoice.id,
                "number": number,
                "period": "2026-10",
                "issue_date": "2026-11-15",
                "due_date": "2026-11-29",
                "currency": "EUR",
                "total": "47.19",
            },
        )
        files = _files(invoice_id=invoice.id)
        assert set(files) == {"pdf", "ubl", "cii"}
        assert issued.documents == [files["pdf"], files["ubl"]]
        pdf, ubl = (db.session.get(IssuedDocument, document_id) for document_id in issued.documents)
        assert pdf.content.startswith(b"%PDF") and b"<Invoice" in ubl.content

    assert finalize_run_and_collect(run.id, run_settings(), _policy()) == 0  # again: nothing new
    assert len(events("invoice.issued")) == 2


def test_a_period_billed_and_finalized_and_one_draft_finalized_are_issued_too(database, today):
    billed_first, single = _contracts(2)
    finalize_period_and_collect(OCTOBER, "cli", run_settings(), _policy())
    assert keys("invoice.issued") == [
        f"invoice:{_invoice_of(billed_first).id}",
        f"invoice:{_invoice_of(single).id}",
    ]

    late = _contracts(1)[0]
    bill(OCTOBER)
    draft = _invoice_of(late)
    invoice = finalize_invoice_and_collect(draft.id, documents(), _policy())
    issued = the_event("invoice.issued", f"invoice:{invoice.id}")
    assert (issued.customer_id, issued.data["number"], issued.data["due_date"]) == (
        late.customer_id,
        "INV-2026-000003",
        "2026-12-15",
    )
    with pytest.raises(Conflict):  # finalized once: the second try records nothing
        finalize_invoice_and_collect(draft.id, documents(), _policy())
    assert len(events("invoice.issued")) == 3


@contextmanager
def _outbox_statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block that read or write the outbox."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "outbox_events" in statement:
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def test_a_chunk_records_its_invoices_events_without_a_statement_per_invoice(database, today):
    _contracts(1)
    one = bill(OCTOBER)
    with _outbox_statements() as for_one:
        assert invoices.finalize_run(one.id, documents()) == 1
    _contracts(6)
    six = bill(OCTOBER)
    with _outbox_statements() as for_six:
        assert invoices.finalize_run(six.id, documents()) == 6
    assert len(events("invoice.issued")) == 7
    assert len(for_six) == len(for_one) <= 2, for_six  # the keys recorded before, then one insert


def test_an_invoice_finalized_in_a_transaction_that_rolls_back_is_not_issued(database, today):
    contract = _contracts(1)[0]
    bill(OCTOBER)
    draft = _invoice_of(contract)

    @use_case
    def finalize_then_fail() -> None:
        invoices.finalize_invoice(draft.id, documents())
        assert len(events("invoice.issued")) == 1  # recorded in the transaction...
        raise Conflict("The collection could not be scheduled.")

    with pytest.raises(Conflict):
        finalize_then_fail()
    assert events("invoice.issued") == []  # ...and gone with it
    assert _invoice_of(contract).status == "draft"


# -- credit_note.issued ------------------------------------------------------------------------------------


def _open_invoice() -> Invoice:
    contract = _contracts(1)[0]
    finalize_run_and_collect(bill(OCTOBER).id, run_settings(), _policy())
    return _invoice_of(contract)


def test_a_credit_note_is_issued_with_its_reason_amount_and_files(database, today):
    invoice = _open_invoice()
    note, refunded = issue_credit_note(
        invoice.id, "Goodwill: late delivery", "finance@tests", issuer(), _policy(), amount=Decimal("5.00")
    )
    assert refunded is None
    db.session.rollback()
    issued = the_event("credit_note.issued", f"credit_note:{note.id}")
    assert_event(
        issued,
        invoice.customer_id,
        {
            "credit_note_id": note.id,
            "number": "CN-2026-000001",
            "invoice_id": invoice.id,
            "invoice_number": "INV-2026-000001",
            "issue_date": "2026-11-15",
            "currency": "EUR",
            "total": "6.05",  # 5.00 net and 21 % VAT
            "reason": "Goodwill: late delivery",
        },
    )
    files = _files(credit_note_id=note.id)
    assert issued.documents == [files["pdf"], files["ubl"]]


def test_voiding_issues_the_full_credit_note_once_and_a_refused_credit_records_nothing(database, today):
    invoice = _open_invoice()
    note = void_invoice(invoice.id, "Billed twice", "finance@tests", issuer())
    issued = the_event("credit_note.issued", f"credit_note:{note.id}")
    assert (issued.data["total"], issued.data["reason"]) == ("47.19", "Billed twice")
    with pytest.raises(Conflict):  # void already
        void_invoice(invoice.id, "Billed twice", "finance@tests", issuer())
    with pytest.raises(Conflict):
        issue_credit_note(invoice.id, "more", "finance@tests", issuer(), _policy(), amount=Decimal("1.00"))
    assert keys("credit_note.issued") == [f"credit_note:{note.id}"]
    assert db.session.scalar(select(func.count(CreditNote.id))) == 1


# -- charge.pending ----------------------------------------------------------------------------------------


def test_a_charge_finance_adds_is_pending_once_whatever_its_key_replays(database, today):
    contract, laptop = contract_with_a_device()
    sent = new_charge("120.00", kind="shipping", key="courier-7", device_serial=laptop.serial)
    charge, created = charge_use_cases.add_charge(contract.id, sent, "finance@daas.example")
    assert created
    again, created_again = charge_use_cases.add_charge(contract.id, sent, "finance@daas.example")
    assert (again.id, created_again) == (charge.id, False)
    db.session.rollback()
    [pending] = events("charge.pending")
    assert pending.key == f"charge:{charge.id}"
    assert_event(
        pending,
        contract.customer_id,
        {
            "charge_id": charge.id,
            "contract_id": contract.id,
            "kind": "shipping",
            "description": "Express courier for a replacement",
            "currency": "EUR",
            "amount": "120.00",
            "device_serial": laptop.serial,
        },
    )
    charge_use_cases.waive_charge(charge.id, "finance@daas.example")
    assert len(events("charge.pending")) == 1  # its moves are not new charges


def test_a_lost_device_proposes_its_loss_charge(database, today):
    model = factories.device_model(list_values={"EUR": Decimal("1250.00")})
    device = factories.device(model.sku, "LOST-7", on=date(2024, 11, 1), manufactured_on=date(2024, 11, 1))
    contract = factories.contract(start_date=date(2025, 1, 1))
    deploy_device(contract.id, device.serial, date(2025, 1, 1), "tests")
    logistics_use_cases.lose_device(
        device.serial, "tests", date(2026, 11, 1), "stolen", policy=current_settings().end_of_term
    )
    [pending] = events("charge.pending")
    charge_id = db.session.scalar(select(OneOffCharge.id))
    assert_event(
        pending,
        contract.customer_id,
        {
            "charge_id": charge_id,
            "contract_id": contract.id,
            "kind": "loss",
            "description": "Loss: LOST-7 (Latitude 5430), lost on 2026-11-01",
            "currency": "EUR",
            "amount": "625.00",  # 24 months of 48 used: half its list value
            "device_serial": "LOST-7",
        },
    )


def test_an_early_termination_charges_the_customer_and_books_the_devices_pickup(database, today):
    customer = factories.customer(pickup_region="NL-NH", pickup_address="Damrak 1, 1012 LG Amsterdam")
    contract, laptop = contract_with_a_device(customer.id)
    logistics_use_cases.open_pickup_slot("NL-NH", date(2026, 12, 31), 1)
    logistics_use_cases.terminate_contract(
        contract.id, date(2026, 12, 31), current_settings().end_of_term, 14, "finance@daas.example"
    )
    charge = db.session.scalars(select(OneOffCharge)).one()
    assert_event(
        the_event("charge.pending", f"charge:{charge.id}"),
        customer.id,
        {
            "charge_id": charge.id,
            "contract_id": contract.id,
            "kind": "early_termination",
            "description": charge.description,
            "currency": "EUR",
            "amount": str(charge.amount),
            "device_serial": None,
        },
    )
    assert charge.amount > 0
    [booked] = events("pickup.booked")
    assert (booked.customer_id, booked.data["pickup_date"], booked.data["serials"]) == (
        customer.id,
        "2026-12-31",
        [laptop.serial],
    )

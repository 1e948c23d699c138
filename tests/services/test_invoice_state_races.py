"""Every change of an invoice's state takes its row lock and decides on the state read under it.

Voiding is refused (409, naming the reason) once anything was paid or credited, or while a card payment
is in progress; fired at the same moment as a bank transfer or a credit note on PostgreSQL (real threads,
committed data), every invoice ends either void with nothing against it or paid or credited, never void
holding a payment or a credit note."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from daas.billing.invoices import finalize_run
from daas.billing.models import CreditNote, Invoice
from daas.core import clock
from daas.extensions import db
from daas.payments.models import Payment, PaymentAttempt
from tests import factories
from tests.billing_helpers import bill, deploy, documents
from tests.helpers import assert_error, bearer

INVOICES = 10
TIMEOUT = 30.0


def _open_invoices(count: int) -> list[Invoice]:
    """`count` open invoices of October, 47.19 EUR each (one laptop at 39.00, 21 % VAT)."""
    plan = factories.plan()
    for _ in range(count):
        contract = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
        deploy(contract, date(2026, 2, 1))
    run = bill()
    finalize_run(run.id, documents())
    return list(db.session.scalars(select(Invoice).where(Invoice.billing_run_id == run.id)))


# -- the rules, on both databases -------------------------------------------------------------------------


@pytest.fixture
def invoice(database, today) -> Invoice:
    (open_invoice,) = _open_invoices(1)
    return open_invoice


def _void(client, invoice_id: int, token: str):
    return client.post(
        f"/api/v1/invoices/{invoice_id}/void", json={"reason": "Billed twice"}, headers=bearer(token)
    )


def test_an_invoice_with_a_payment_cannot_be_voided(client, tokens, invoice):
    finance = bearer(tokens["finance"])
    paid = client.post(
        f"/api/v1/invoices/{invoice.id}/payments",
        json={"amount": "20.00", "reference": "TR-1", "paid_on": "2026-11-14"},
        headers=finance,
    )
    assert paid.status_code == 201, paid.get_json()
    body = assert_error(_void(client, invoice.id, tokens["finance"]), 409, "payments")
    assert "has payments (20.00 EUR)" in body["message"] and "credit note" in body["message"]
    db.session.refresh(invoice)
    assert (invoice.status, invoice.amount_paid, invoice.amount_due) == (
        "open",
        Decimal("20.00"),
        Decimal("27.19"),
    )


def test_voiding_a_credited_invoice_credits_what_is_left(client, tokens, invoice):
    """Voiding issues the full credit note of what the earlier credit notes left: net and VAT together
    bring the invoice to zero to the cent."""
    finance = bearer(tokens["finance"])
    credited = client.post(
        f"/api/v1/invoices/{invoice.id}/credit-notes",
        json={"amount": "7.19", "reason": "Goodwill"},
        headers=finance,
    )
    assert credited.status_code == 201, credited.get_json()
    assert [credited.json[k] for k in ("net_amount", "tax_amount", "amount")] == ["7.19", "1.51", "8.70"]
    voided = _void(client, invoice.id, tokens["finance"])
    assert voided.status_code == 200, voided.get_json()
    db.session.refresh(invoice)
    notes = sorted(invoice.credit_notes, key=lambda note: note.id)
    assert [(note.net_amount, note.tax_amount, note.amount) for note in notes] == [
        (Decimal("7.19"), Decimal("1.51"), Decimal("8.70")),
        (
            invoice.subtotal - Decimal("7.19"),
            invoice.tax_amount - Decimal("1.51"),
            invoice.total - Decimal("8.70"),
        ),
    ]
    assert (invoice.status, invoice.credited, invoice.amount_due) == ("void", invoice.total, Decimal("0.00"))


def test_an_invoice_whose_card_payment_is_in_progress_cannot_be_voided(client, tokens, invoice):
    # Step 1 of a card collection is committed (the attempt), Stripe has not answered yet.
    db.session.add(
        PaymentAttempt(
            invoice_id=invoice.id,
            number=1,
            amount=invoice.amount_due,
            currency=invoice.currency,
            status="pending",
            idempotency_key=f"daas-invoice-{invoice.id}-attempt-1",
            payment_method="pm_card_visa",
        )
    )
    db.session.commit()
    body = assert_error(_void(client, invoice.id, tokens["finance"]), 409, "payments")
    assert "card payment in progress" in body["message"]
    db.session.refresh(invoice)
    assert invoice.status == "open"


# -- races on PostgreSQL ----------------------------------------------------------------------------------


def _committed_invoices(app: Flask) -> tuple[list[int], str]:
    with app.app_context(), clock.frozen(date(2026, 11, 15)):
        ids = [invoice.id for invoice in _open_invoices(INVOICES)]
        token = factories.token("finance")
        db.session.commit()
        return ids, token


def _together(app: Flask, requests: list[Callable[[Any], Any]]) -> list[int | str]:
    """Each request from its own thread (own app context, session and connection), let go at once."""
    barrier = threading.Barrier(len(requests))
    outcomes: list[int | str] = [""] * len(requests)

    def send(index: int, request: Callable[[Any], Any]) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=TIMEOUT)
            outcomes[index] = request(client).status_code
        except Exception as error:  # reported by the assertions on the outcomes
            outcomes[index] = repr(error)

    threads = [threading.Thread(target=send, args=(i, r), daemon=True) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a request did not finish"
    return outcomes


def _states(app: Flask, ids: list[int]) -> dict[int, tuple[str, int, int]]:
    """Per invoice: its status, how many payments and how many credit notes it holds."""
    with app.app_context():
        payments = dict(
            db.session.execute(
                select(Payment.invoice_id, func.count())
                .where(Payment.invoice_id.in_(ids))
                .group_by(Payment.invoice_id)
            ).all()
        )
        notes = dict(
            db.session.execute(
                select(CreditNote.invoice_id, func.count())
                .where(CreditNote.invoice_id.in_(ids))
                .group_by(CreditNote.invoice_id)
            ).all()
        )
        statuses = dict(
            db.session.execute(select(Invoice.id, Invoice.status).where(Invoice.id.in_(ids))).all()
        )
        return {i: (statuses[i], payments.get(i, 0), notes.get(i, 0)) for i in ids}


@pytest.mark.postgres
def test_voiding_and_a_bank_transfer_at_once_never_leave_a_void_invoice_holding_a_payment(committed):
    app = committed
    ids, token = _committed_invoices(app)
    requests: list[Callable[[Any], Any]] = []
    for invoice_id in ids:
        requests.append(lambda client, i=invoice_id: _void(client, i, token))
        requests.append(
            lambda client, i=invoice_id: client.post(
                f"/api/v1/invoices/{i}/payments",
                json={"amount": "47.19", "reference": f"TR-{i}", "paid_on": "2026-11-20"},
                headers=bearer(token),
            )
        )

    outcomes = _together(app, requests)

    states = _states(app, ids)
    for n, invoice_id in enumerate(ids):
        voided, paid = outcomes[2 * n], outcomes[2 * n + 1]
        assert states[invoice_id] in {("void", 0, 1), ("paid", 1, 0)}, (
            invoice_id,
            states[invoice_id],
            outcomes,
        )
        # One of the two won, the other was refused for the state the winner left.
        expected = (200, 409) if states[invoice_id][0] == "void" else (409, 201)
        assert (voided, paid) == expected, (invoice_id, states[invoice_id], voided, paid)


@pytest.mark.postgres
def test_voiding_and_a_credit_note_at_once_never_credit_a_void_invoice_or_more_than_its_total(committed):
    app = committed
    ids, token = _committed_invoices(app)
    requests: list[Callable[[Any], Any]] = []
    for invoice_id in ids:
        requests.append(lambda client, i=invoice_id: _void(client, i, token))
        requests.append(
            lambda client, i=invoice_id: client.post(
                f"/api/v1/invoices/{i}/credit-notes",
                json={"amount": "10.00", "reason": "Goodwill"},
                headers=bearer(token),
            )
        )

    outcomes = _together(app, requests)

    states = _states(app, ids)
    for n, invoice_id in enumerate(ids):
        voided, credited = outcomes[2 * n], outcomes[2 * n + 1]
        # Voiding issues the full credit note of what is left: first, it leaves nothing to credit (the
        # credit note is refused); second, it credits what the credit note left.
        assert states[invoice_id] in {("void", 0, 1), ("void", 0, 2)}, (
            invoice_id,
            states[invoice_id],
            outcomes,
        )
        expected = (200, 409) if states[invoice_id][2] == 1 else (200, 201)
        assert (voided, credited) == expected, (invoice_id, states[invoice_id], voided, credited)
    with app.app_context():
        for invoice in db.session.scalars(select(Invoice).where(Invoice.id.in_(ids))):
            assert (invoice.credited, invoice.amount_due) == (invoice.total, 0)

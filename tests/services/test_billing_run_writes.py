"""How a billing run writes a chunk: new drafts inserted with their amounts and their lines (by COPY on
PostgreSQL), drafts that exist recomputed, and an invoice the database refuses recorded while the rest
of the chunk is written. The bulk helpers behind it (`insert_rows`, `insert_new_rows`) keep every value
exact and insert only rows that are new."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from daas.billing import measure
from daas.billing.models import BillingRun, Invoice, InvoiceLine
from daas.billing.rating import Line
from daas.billing.run_compute import ComputedInvoice
from daas.billing.run_write import write_isolating
from daas.db import insert_new_rows, insert_rows
from daas.extensions import db
from tests import factories
from tests.billing_helpers import OCTOBER


def _run() -> int:
    run = BillingRun(period=OCTOBER.name, status="running", actor="test")
    db.session.add(run)
    db.session.flush()
    return run.id


def _computed(contract, amount: str, kind: str = "device_monthly") -> ComputedInvoice:
    subtotal = Decimal(amount)
    lines = (
        Line(
            kind=kind,
            description="Laptop, 31 days",
            amount=subtotal,
            quantity=Decimal(31),
            unit_code="DAY",
            price=subtotal,
            base_quantity=Decimal(31),
            unit_amount=subtotal,
        ),
        Line(
            kind="metered",
            description="Support tickets",
            amount=Decimal("0.00"),
            quantity=Decimal("0.5"),
            unit_code="C62",
            price=Decimal("0.0000"),
            base_quantity=Decimal(1),
            metric="tickets",
            usage_period=OCTOBER.name,
            usage_quantity=Decimal("0.5"),
        ),
    )
    customer = measure.customers([contract.customer_id])[contract.customer_id]
    tax = (subtotal * Decimal("0.19")).quantize(Decimal("0.01"))
    return ComputedInvoice(
        contract_id=contract.id,
        customer=customer,
        currency="EUR",
        lines=lines,
        subtotal=subtotal,
        tax_rate=Decimal("0.19"),
        tax_note=None,
        tax_amount=tax,
        total=subtotal + tax,
    )


def _written(contract) -> tuple[Decimal, Decimal, list[tuple[int, str, Decimal, Decimal | None]]]:
    invoice = db.session.scalar(
        select(Invoice).where(Invoice.contract_id == contract.id, Invoice.period == OCTOBER.name)
    )
    db.session.refresh(invoice)
    lines = db.session.execute(
        select(InvoiceLine.position, InvoiceLine.kind, InvoiceLine.amount, InvoiceLine.usage_quantity)
        .where(InvoiceLine.invoice_id == invoice.id)
        .order_by(InvoiceLine.position)
    ).all()
    return invoice.subtotal, invoice.total, [tuple(line) for line in lines]


def test_a_chunk_is_written_with_its_amounts_and_lines_and_recomputed_in_place(database):
    first, second = factories.contract(), factories.contract()
    run_id = _run()

    created, updated, failed = write_isolating(
        OCTOBER, run_id, [_computed(first, "352.00"), _computed(second, "44.17")]
    )

    assert (created, updated, failed) == (2, 0, {})
    assert _written(first) == (
        Decimal("352.00"),
        Decimal("418.88"),
        [(0, "device_monthly", Decimal("352.00"), None), (1, "metered", Decimal("0.00"), Decimal("0.5"))],
    )
    assert _written(second)[:2] == (Decimal("44.17"), Decimal("52.56"))

    again = _computed(first, "10.01")
    again = replace(again, lines=again.lines[:1])
    second_run = _run()
    created, updated, failed = write_isolating(OCTOBER, second_run, [again])

    assert (created, updated, failed) == (0, 1, {})
    assert _written(first) == (
        Decimal("10.01"),
        Decimal("11.91"),
        [(0, "device_monthly", Decimal("10.01"), None)],
    )
    assert (
        db.session.scalar(select(Invoice.billing_run_id).where(Invoice.contract_id == first.id)) == second_run
    )


def test_an_invoice_the_database_refuses_leaves_the_rest_of_its_chunk_written(database):
    good, bad, other = factories.contract(), factories.contract(), factories.contract()
    run_id = _run()

    created, updated, failed = write_isolating(
        OCTOBER,
        run_id,
        [_computed(good, "1.00"), _computed(bad, "2.00", kind="not_a_kind"), _computed(other, "3.00")],
    )

    assert (created, updated) == (2, 0)
    assert list(failed) == [bad.id]
    assert failed[bad.id].startswith("Its invoice could not be written: ")
    assert _written(good)[0] == Decimal("1.00")
    assert _written(other)[0] == Decimal("3.00")
    assert db.session.scalar(select(Invoice.id).where(Invoice.contract_id == bad.id)) is None


def test_insert_new_rows_returns_only_the_rows_it_inserted_in_key_order(database):
    table = Invoice.__table__
    contracts = [factories.contract() for _ in range(3)]
    run_id = _run()

    def row(contract, total: str) -> dict:
        return {
            "contract_id": contract.id,
            "customer_id": contract.customer_id,
            "period": OCTOBER.name,
            "status": "draft",
            "currency": "EUR",
            "customer_name": "Acme",
            "customer_country": "DE",
            "customer_email": "billing@example.com",
            "billing_run_id": run_id,
            "subtotal": Decimal(total),
            "tax_rate": Decimal("0.1900"),
            "tax_amount": Decimal("0.00"),
            "total": Decimal(total),
            "credited": Decimal(0),
            "amount_paid": Decimal(0),
            "amount_due": Decimal(total),
        }

    columns = (table.c.contract_id, table.c.total)
    first = insert_new_rows(table, [row(contracts[1], "1.10")], ("contract_id", "period"), columns)
    # The same transaction stages rows again: the one already there is left as it is.
    second = insert_new_rows(
        table,
        [row(contracts[2], "3.30"), row(contracts[1], "9.99"), row(contracts[0], "0.01")],
        ("contract_id", "period"),
        columns,
    )

    assert [tuple(r) for r in first] == [(contracts[1].id, Decimal("1.10"))]
    assert [tuple(r) for r in second] == [
        (contracts[0].id, Decimal("0.01")),
        (contracts[2].id, Decimal("3.30")),
    ]
    totals = db.session.execute(
        select(Invoice.contract_id, Invoice.total).order_by(Invoice.contract_id)
    ).all()
    assert [tuple(t) for t in totals] == [
        (contracts[0].id, Decimal("0.01")),
        (contracts[1].id, Decimal("1.10")),
        (contracts[2].id, Decimal("3.30")),
    ]


def test_insert_rows_raises_the_databases_refusal_and_writes_nothing(database):
    invoice_id = max(db.session.scalars(select(Invoice.id)).all(), default=0) + 1000
    line = {
        "invoice_id": invoice_id,
        "position": 0,
        "kind": "one_off",
        "description": "A line of an invoice that does not exist",
        "amount": Decimal("1.00"),
    }
    with pytest.raises(IntegrityError), db.session.begin_nested():
        insert_rows(InvoiceLine.__table__, [line])
    assert db.session.scalar(select(InvoiceLine.id).where(InvoiceLine.invoice_id == invoice_id)) is None

"""Billing runs, invoices and their lines, credit notes, document number series, and the usage each
contract has been billed for. Finalized invoices never change: the database refuses it (migration)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing import run_states
from daas.db import Decimal_, Money, UnitAmount, UtcDateTime, one_of
from daas.extensions import db
from daas.pricing.kinds import CHARGE_KINDS

INVOICE_STATUSES = lifecycle.STATUSES
# A line bills a plan charge (pricing.kinds: device_monthly, metered), the minimum top-up, usage that
# arrived after its month was invoiced, or a one-off charge of the contract (daas.charges).
MINIMUM_TRUE_UP = "minimum_true_up"
LATE_USAGE = "late_usage"
ONE_OFF = "one_off"
LINE_KINDS = (*CHARGE_KINDS, MINIMUM_TRUE_UP, LATE_USAGE, ONE_OFF)
# A credit note line credits an invoice line (and takes its kind), or an amount of the invoice (`credit`).
CREDIT = "credit"
CREDIT_LINE_KINDS = (*LINE_KINDS, CREDIT)
# The files an issued document is kept as: the Factur-X PDF, and its UBL and CII e-invoices.
DOCUMENT_FORMATS = ("pdf", "ubl", "cii")
RUN_STATUSES = run_states.STATUSES
Quantity = Decimal_(20, 6)
TaxRate = Decimal_(7, 4)


class BillingRun(db.Model):
    """One billing run of a period. While it runs it renews `lease_until` after every chunk (its heartbeat):
    a `running` run whose lease ran out lost its process, and the next run of the period marks it
    `interrupted` and records that it completes it (`completes_run_id`)."""

    __tablename__ = "billing_runs"
    __table_args__ = (CheckConstraint(one_of("status", RUN_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    status: Mapped[str] = mapped_column(String(24), default=run_states.RUNNING)
    contracts: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    invoices_created: Mapped[int] = mapped_column(default=0)
    invoices_updated: Mapped[int] = mapped_column(default=0)
    invoices_finalized: Mapped[int] = mapped_column(default=0)
    actor: Mapped[str] = mapped_column(String(254))
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completes_run_id: Mapped[int | None] = mapped_column(ForeignKey("billing_runs.id"))

    failed_contracts: Mapped[list[BillingRunError]] = relationship(
        order_by="BillingRunError.contract_id", viewonly=True
    )


class BillingRunChunk(db.Model):
    """A run's contracts with ids in [first_contract_id, last_contract_id], worked in one transaction by
    whichever of the run's processes claims it first (its row locked, `FOR UPDATE SKIP LOCKED`, until that
    transaction commits): a process that dies releases its lock, and another works the chunk. `done_at`
    and `worker` say when and by which process it was written."""

    __tablename__ = "billing_run_chunks"
    __table_args__ = (CheckConstraint("first_contract_id <= last_contract_id", name="range_ordered"),)

    run_id: Mapped[int] = mapped_column(ForeignKey("billing_runs.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    first_contract_id: Mapped[int]
    last_contract_id: Mapped[int]
    contracts: Mapped[int]
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    worker: Mapped[str | None] = mapped_column(String(200))


class BillingRunError(db.Model):
    """A contract a billing run could not measure, rate or write, with the reason: the run skipped it and
    billed the others."""

    __tablename__ = "billing_run_errors"

    run_id: Mapped[int] = mapped_column(ForeignKey("billing_runs.id"), primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True, index=True)
    error: Mapped[str] = mapped_column(Text)


class Invoice(db.Model):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("contract_id", "period"),
        CheckConstraint(one_of("status", INVOICE_STATUSES), name="status_known"),
        CheckConstraint(f"(status = '{lifecycle.DRAFT}') = (number IS NULL)", name="numbered_unless_draft"),
        CheckConstraint(
            "amount_due >= 0 AND credited >= 0 AND amount_paid >= 0", name="amounts_not_negative"
        ),
        # Credit notes on a paid invoice are refunded, so credited and paid each stay within the total.
        CheckConstraint("credited <= total AND amount_paid <= total", name="not_over_settled"),
        Index("ix_invoices_period_status", "period", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16), default=lifecycle.DRAFT)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    tax_rate: Mapped[Decimal] = mapped_column(TaxRate, default=Decimal(0))
    tax_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    tax_note: Mapped[str | None] = mapped_column(String(200))
    total: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    credited: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    amount_paid: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    amount_due: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    # The customer as invoiced: kept with the invoice so a later change of address or VAT id leaves it alone.
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_country: Mapped[str] = mapped_column(String(2))
    customer_vat_id: Mapped[str | None] = mapped_column(String(20))
    customer_email: Mapped[str] = mapped_column(String(254))
    # The rest of the buyer as issued, filled at finalization (drafts show the customer as it is).
    customer_address_line1: Mapped[str | None] = mapped_column(String(200))
    customer_address_line2: Mapped[str | None] = mapped_column(String(200))
    customer_postcode: Mapped[str | None] = mapped_column(String(20))
    customer_city: Mapped[str | None] = mapped_column(String(100))
    customer_registration_id: Mapped[str | None] = mapped_column(String(100))
    customer_peppol_id: Mapped[str | None] = mapped_column(String(100))
    buyer_reference: Mapped[str | None] = mapped_column(String(100))
    purchase_order: Mapped[str | None] = mapped_column(String(100))
    contract_reference: Mapped[str | None] = mapped_column(String(40))
    document_language: Mapped[str | None] = mapped_column(String(2))
    issued_on: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    billing_run_id: Mapped[int | None] = mapped_column(ForeignKey("billing_runs.id"), index=True)
    # Collection: card when the customer has a default card and Stripe is configured, else bank transfer.
    collection_method: Mapped[str | None] = mapped_column(String(16))
    failed_attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    next_collection_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    uncollectible_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    finalized_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    lines: Mapped[list[InvoiceLine]] = relationship(order_by="InvoiceLine.position", viewonly=True)
    credit_notes: Mapped[list[CreditNote]] = relationship(order_by="CreditNote.id", viewonly=True)
    # Collection (daas.payments): what was received, tried and given back.
    payments: Mapped[list[Any]] = relationship("Payment", order_by="Payment.id", viewonly=True)
    attempts: Mapped[list[Any]] = relationship(
        "PaymentAttempt", order_by="PaymentAttempt.number", viewonly=True
    )
    refunds: Mapped[list[Any]] = relationship("Refund", order_by="Refund.id", viewonly=True)


class InvoiceLine(db.Model):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        UniqueConstraint("invoice_id", "position"),
        CheckConstraint(one_of("kind", LINE_KINDS), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str | None] = mapped_column(String(64))
    quantity: Mapped[Decimal | None] = mapped_column(Quantity)
    unit_amount: Mapped[Decimal | None] = mapped_column(UnitAmount)
    amount: Mapped[Decimal] = mapped_column(Money)
    # How the line is written on documents: amount = round(quantity × price ÷ base_quantity). Lines
    # computed before these existed have none; documents then show them as 1 × amount.
    unit_code: Mapped[str | None] = mapped_column(String(3))
    price: Mapped[Decimal | None] = mapped_column(UnitAmount)
    base_quantity: Mapped[Decimal | None] = mapped_column(Quantity)
    # Metered and late-usage lines: the period whose usage they bill, and its whole quantity so far.
    usage_period: Mapped[str | None] = mapped_column(String(7))
    usage_quantity: Mapped[Decimal | None] = mapped_column(Quantity)
    # One-off lines: the charge they bill (bound to this invoice when it is finalized).
    charge_id: Mapped[int | None] = mapped_column(ForeignKey("one_off_charges.id"), index=True)
    # A period with several plans: the plan the line bills, and on lines that carry usage the first day
    # of that plan's days in the period (what finalization records as billed per plan). Null otherwise.
    plan_code: Mapped[str | None] = mapped_column(String(64))
    usage_window_start: Mapped[date | None] = mapped_column(Date)

    invoice: Mapped[Invoice] = relationship(viewonly=True)

    @property
    def currency(self) -> str:
        return self.invoice.currency


class BilledUsage(db.Model):
    """How much of a metric a contract has been invoiced for, per usage period and plan window: what late
    usage is measured against. A period on one plan has one window, starting on the period's first day;
    a period with several plans one per plan, from the day it took effect (the first from the period's
    first day). Written when an invoice is finalized; `measured_at` is when its draft measured the
    quantity, so events that arrived after that are found again."""

    __tablename__ = "billed_usage"

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    window_start: Mapped[date] = mapped_column(Date, primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    measured_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CreditNote(db.Model):
    """A credit note: `net_amount` credited (the sum of its lines), the VAT of its invoice's rate on it,
    and `amount`, the gross total it takes off the invoice. Never changed once issued (migration)."""

    __tablename__ = "credit_notes"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("amount = net_amount + tax_amount", name="gross_is_net_plus_tax"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    net_amount: Mapped[Decimal] = mapped_column(Money)
    tax_amount: Mapped[Decimal] = mapped_column(Money)
    # Why it was issued: a void (the full credit note that cancels the invoice) or a credit.
    voids_invoice: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="issued")
    issued_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())

    refund: Mapped[Any] = relationship("Refund", uselist=False, viewonly=True)
    lines: Mapped[list[CreditNoteLine]] = relationship(order_by="CreditNoteLine.position", viewonly=True)
    invoice: Mapped[Invoice] = relationship(viewonly=True)


class CreditNoteLine(db.Model):
    """What a credit note credits: part of an invoice line (`invoice_line_id`, its kind), or an amount of
    the invoice (kind `credit`). Net amounts, as invoice lines are."""

    __tablename__ = "credit_note_lines"
    __table_args__ = (
        UniqueConstraint("credit_note_id", "position"),
        CheckConstraint(one_of("kind", CREDIT_LINE_KINDS), name="kind_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_note_id: Mapped[int] = mapped_column(ForeignKey("credit_notes.id"), index=True)
    position: Mapped[int]
    invoice_line_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_lines.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_code: Mapped[str] = mapped_column(String(3))
    price: Mapped[Decimal] = mapped_column(UnitAmount)
    base_quantity: Mapped[Decimal] = mapped_column(Quantity)
    amount: Mapped[Decimal] = mapped_column(Money)

    credit_note: Mapped[CreditNote] = relationship(viewonly=True)

    @property
    def currency(self) -> str:
        return self.credit_note.currency


class IssuedDocument(db.Model):
    """An issued invoice or credit note as its files, rendered once when it was issued and kept with
    their SHA-256: every download returns these bytes. Never changed or removed (migration)."""

    __tablename__ = "issued_documents"
    __table_args__ = (
        UniqueConstraint("invoice_id", "format"),
        UniqueConstraint("credit_note_id", "format"),
        CheckConstraint(one_of("format", DOCUMENT_FORMATS), name="format_known"),
        CheckConstraint("(invoice_id IS NULL) <> (credit_note_id IS NULL)", name="of_one_document"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    credit_note_id: Mapped[int | None] = mapped_column(ForeignKey("credit_notes.id"))
    format: Mapped[str] = mapped_column(String(8))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())


class DocumentSequence(db.Model):
    """The last number given in a series (INV, CN) and year: numbers are gapless because they are taken
    in the same transaction that finalizes the documents."""

    __tablename__ = "document_sequences"

    series: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)

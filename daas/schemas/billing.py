"""Billing payloads: runs, invoices with their lines, credit notes. Money shows in the invoice's currency."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from daas.billing.models import CREDIT_LINE_KINDS, INVOICE_STATUSES, LINE_KINDS, RUN_STATUSES
from daas.billing.run_states import run_status
from daas.billing.tax import percent
from daas.core.periods import PERIOD_PATTERN, Period
from daas.payments.models import PAYMENT_METHODS
from daas.schemas.fields import DecimalString, Money, QueryId, Text, UnitAmount
from daas.schemas.payments import PaymentAttemptSchema, PaymentSchema, RefundSchema


class PeriodField(fields.String):
    """A billing period, YYYY-MM, in the years 2000 to 2999 (as billing.periods.Period reads them)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "pattern": PERIOD_PATTERN,
            "example": "2026-10",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return Period.parse(text).name
        except ValueError as exc:
            raise ValidationError("A billing period: YYYY-MM, such as 2026-10.") from exc


class BillingRunCreateSchema(Schema):
    period = PeriodField(required=True)


class BillingRunErrorSchema(Schema):
    contract_id = fields.Integer()
    error = fields.String(metadata={"description": "Why the contract could not be billed."})


class BillingRunSchema(Schema):
    id = fields.Integer()
    period = fields.String()
    status = fields.Function(
        run_status,
        metadata={
            "type": "string",
            "enum": list(RUN_STATUSES),
            "title": "BillingRunStatus",
            "description": "completed_with_errors: the contracts in failed_contracts were skipped, the "
            "others billed. interrupted: its process stopped part-way (no heartbeat within "
            "DAAS_BILLING_RUN_STALE_SECONDS); the next run of the period completes it.",
        },
    )
    contracts = fields.Integer(metadata={"description": "Contracts the run bills (active in the period)."})
    processed = fields.Integer(metadata={"description": "Contracts done so far (billed or failed)."})
    invoices_created = fields.Integer()
    invoices_updated = fields.Integer(metadata={"description": "Drafts recomputed."})
    invoices_finalized = fields.Integer()
    failed_contracts = fields.List(
        fields.Nested(BillingRunErrorSchema),
        metadata={"description": "Contracts the run could not measure, rate or write, with the reason."},
    )
    completes_run_id = fields.Integer(
        allow_none=True,
        metadata={"description": "The interrupted run of the period this run completes (it recomputes all)."},
    )
    started_at = fields.DateTime()
    heartbeat_at = fields.DateTime(
        allow_none=True, metadata={"description": "When the run last reported progress (every chunk)."}
    )
    finished_at = fields.DateTime(allow_none=True)
    error = fields.String(allow_none=True, metadata={"description": "Why a failed run failed."})


class InvoiceLineSchema(Schema):
    id = fields.Integer(metadata={"description": "What a credit note names to credit this line."})
    kind = fields.String(metadata={"enum": list(LINE_KINDS), "title": "InvoiceLineKind"})
    description = fields.String()
    metric = fields.String(allow_none=True)
    quantity = DecimalString(places=6, normalize=True, allow_none=True)
    unit_amount = UnitAmount(allow_none=True)
    unit_code = fields.String(
        allow_none=True, metadata={"description": "UN/ECE Rec. 20 unit of the quantity: DAY, C62 (one)."}
    )
    price = UnitAmount(
        allow_none=True,
        metadata={"description": "Net price per base_quantity: amount = quantity × price ÷ base."},
    )
    base_quantity = DecimalString(places=6, normalize=True, allow_none=True)
    amount = Money(minimum=None, metadata={"description": "Negative on a late-usage line that bills less."})
    usage_period = fields.String(
        allow_none=True, metadata={"description": "Late usage: the period it belongs to."}
    )
    charge_id = fields.Integer(
        allow_none=True, metadata={"description": "A one-off line: the charge it bills."}
    )
    plan_code = fields.String(
        allow_none=True,
        metadata={"description": "In a month with several plans, the plan the line bills; else null."},
    )


class CreditNoteLineSchema(Schema):
    invoice_line_id = fields.Integer(allow_none=True, metadata={"description": "The invoice line credited."})
    kind = fields.String(metadata={"enum": list(CREDIT_LINE_KINDS), "title": "CreditNoteLineKind"})
    description = fields.String()
    quantity = DecimalString(places=6, normalize=True)
    unit_code = fields.String()
    price = UnitAmount()
    base_quantity = DecimalString(places=6, normalize=True)
    amount = Money(metadata={"description": "Net."})


class CreditNoteSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    invoice_id = fields.Integer()
    net_amount = Money(metadata={"description": "What it credits, without VAT (the sum of its lines)."})
    tax_amount = Money(metadata={"description": "The VAT of the invoice's rate on the net amount."})
    amount = Money(metadata={"description": "The total it takes off the invoice: net plus VAT."})
    currency = fields.String()
    reason = fields.String()
    voids_invoice = fields.Boolean(metadata={"description": "The full credit note that voided the invoice."})
    lines = fields.List(fields.Nested(CreditNoteLineSchema))
    status = fields.String()
    issued_on = fields.Date()
    refund_status = fields.Function(
        lambda note: note.refund.status if note.refund else None,
        allow_none=True,
        metadata={"type": "string", "description": "On a card-paid invoice, the Stripe refund's state."},
    )


class InvoiceSchema(Schema):
    id = fields.Integer()
    number = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(INVOICE_STATUSES), "title": "InvoiceStatus"})
    customer_id = fields.Integer()
    contract_id = fields.Integer()
    period = fields.String()
    currency = fields.String()
    lines = fields.List(fields.Nested(InvoiceLineSchema))
    subtotal = Money()
    tax_rate = fields.Function(
        lambda invoice: percent(invoice.tax_rate),
        metadata={"type": "string", "example": "21.00", "description": "Percent."},
    )
    tax_amount = Money()
    tax_note = fields.String(allow_none=True)
    total = Money()
    credited = Money()
    amount_paid = Money()
    amount_due = Money()
    issued_on = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    contract_reference = fields.String(allow_none=True, metadata={"description": "As issued (BT-12)."})
    buyer_reference = fields.String(allow_none=True, metadata={"description": "As issued (BT-10)."})
    purchase_order = fields.String(allow_none=True, metadata={"description": "As issued (BT-13)."})
    document_language = fields.String(allow_none=True, metadata={"description": "As issued: en, nl, de, fr."})
    credit_notes = fields.List(fields.Nested(CreditNoteSchema))
    collection_method = fields.String(
        allow_none=True, metadata={"enum": list(PAYMENT_METHODS), "title": "CollectionMethod"}
    )
    next_collection_at = fields.DateTime(allow_none=True)
    payments = fields.List(fields.Nested(PaymentSchema))
    attempts = fields.List(fields.Nested(PaymentAttemptSchema))
    refunds = fields.List(fields.Nested(RefundSchema))


class InvoiceQuerySchema(Schema):
    period = PeriodField()
    contract_id = QueryId()
    customer_id = QueryId()
    status = fields.String(validate=validate.OneOf(INVOICE_STATUSES), metadata={"title": "InvoiceStatus"})
    overdue = fields.Boolean(metadata={"description": "true: uncollectible, or open past the due date."})


class ExportQuerySchema(Schema):
    period = PeriodField(required=True)
    status = fields.String(validate=validate.OneOf(INVOICE_STATUSES), metadata={"title": "InvoiceStatus"})


class LineCreditSchema(Schema):
    invoice_line_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    amount = DecimalString(
        places=2, minimum=0, required=True, metadata={"description": "Net, up to what is left of the line."}
    )


class CreditNoteCreateSchema(Schema):
    """Either an amount or lines: net amounts (as invoice lines are); the invoice's VAT rate is added."""

    amount = DecimalString(
        places=2, minimum=0, metadata={"description": "Net, up to what is not credited yet."}
    )
    lines = fields.List(fields.Nested(LineCreditSchema), validate=validate.Length(min=1, max=500))
    reason = Text(required=True, max_length=500)

    @validates_schema
    def _amount_or_lines(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("amount" in data) == ("lines" in data):
            raise ValidationError("Send either amount or lines.", field_name="amount")


class VoidSchema(Schema):
    reason = Text(required=True, max_length=500, metadata={"description": "Printed on the credit note."})


class DocumentQuerySchema(Schema):
    syntax = fields.String(
        load_default="ubl",
        validate=validate.OneOf(("ubl", "cii")),
        metadata={
            "title": "EInvoiceSyntax",
            "description": "ubl: Peppol BIS Billing 3.0 (UBL 2.1); cii: UN/CEFACT CII (Factur-X).",
        },
    )

"""The accounting journal's and the account statement's query, and the statement as the API shows it.
Money shows in the customer's currency, with its decimals."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from daas.accounting.facts import DOCUMENT_TYPES
from daas.core.dates import LAST_DAY
from daas.schemas.fields import Date, Money

_DAY = r"^2[0-9]{3}-[0-9]{2}-[0-9]{2}$"  # the years 2000 to 2999 the range allows
_FIRST_DAY = date(2000, 1, 1)


class AccountingRangeQuerySchema(Schema):
    """Days, both included. Left out: 1 January or 31 December of the other day's year, or the current
    year when both are."""

    from_ = Date(
        data_key="from",
        validate=validate.Range(min=_FIRST_DAY, max=LAST_DAY),
        metadata={"description": "First day (default: 1 January).", "pattern": _DAY},
    )
    to = Date(
        validate=validate.Range(min=_FIRST_DAY, max=LAST_DAY),
        metadata={"description": "Last day, included (default: 31 December).", "pattern": _DAY},
    )

    @validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "from_" in data and "to" in data and data["to"] < data["from_"]:
            raise ValidationError("Must be on or after `from`.", "to")


class AccountStatementRowSchema(Schema):
    date = fields.Date(attribute="on")
    document_type = fields.String(metadata={"enum": list(DOCUMENT_TYPES), "title": "StatementDocumentType"})
    document_number = fields.String(
        metadata={"description": "The invoice's or credit note's number; a payment's or refund's reference."}
    )
    invoice_number = fields.String(metadata={"description": "The invoice the row is about."})
    description = fields.String()
    due_date = fields.Date(attribute="due_on", allow_none=True, metadata={"description": "Invoices only."})
    debit = Money(metadata={"description": "Raises what is owed: an invoice, a refund paid back."})
    credit = Money(metadata={"description": "Lowers it: a credit note, a payment received."})
    balance = Money(
        minimum=None, metadata={"description": "Owed after this row; negative: in the customer's favour."}
    )


class AccountStatementSchema(Schema):
    customer_id = fields.Integer()
    customer_name = fields.String()
    currency = fields.String()
    from_ = fields.Date(data_key="from", attribute="start")
    to = fields.Date(attribute="end")
    opening_balance = Money(minimum=None, metadata={"description": "Owed at the start of `from`."})
    rows = fields.List(fields.Nested(AccountStatementRowSchema), metadata={"description": "In date order."})
    total_debit = Money()
    total_credit = Money()
    closing_balance = Money(minimum=None, metadata={"description": "Owed at the end of `to`."})

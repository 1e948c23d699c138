"""End-of-term payloads (billing.md "Contract changes" and "One-off charges").

- `devices`: one entry per device deployed on the contract that the customer decides on now: `return` (it
  goes home with an end-of-term return order for the end date), `extend` (the contract is extended and the
  device stays; the first extend choice for an end date extends the contract, by `extend_months` or its
  renewal months, and the devices not kept go home on that end date) or `buy_out` with the `quote_id` the
  GET gave (accepting it adds the pending buy_out charge at the quoted price and sells the device today:
  final). Choices may change until the end date, but not a buy-out.
- A quote is valid from its day until `valid_until` inclusive (30 days); an expired or accepted quote, a
  currency without a list value and a customer outside the countries buy-outs are offered in are 409s.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.logistics.models import END_OF_TERM_CHOICES, GRADES
from daas.schemas.fields import Int, Money, Serial

_CHOICE = {"title": "EndOfTermChoice"}
MAX_DEVICES = 1000


class EndOfTermDeviceChoiceSchema(Schema):
    serial = Serial(required=True)
    choice = fields.String(required=True, validate=validate.OneOf(END_OF_TERM_CHOICES), metadata=_CHOICE)
    quote_id = Int(
        allow_none=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The device's quote (GET), for a buy-out only."},
    )


class EndOfTermChooseSchema(Schema):
    devices = fields.List(
        fields.Nested(EndOfTermDeviceChoiceSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_DEVICES),
    )
    extend_months = Int(
        allow_none=True,
        validate=validate.Range(min=1, max=120),
        metadata={"description": "With an extend choice: the months of the extension; the renewal months."},
    )


class BuyOutQuoteSchema(Schema):
    quote_id = fields.Integer(attribute="id")
    price = Money()
    currency = fields.String()
    list_value = Money()
    age_months = fields.Integer()
    grade = fields.String(
        allow_none=True,
        metadata={"enum": list(GRADES), "title": "DeviceGrade", "description": "Null: never graded (as A)."},
    )
    quoted_on = fields.Date()
    valid_until = fields.Date(metadata={"description": "The last day it may be accepted."})
    accepted_on = fields.Date(allow_none=True)
    charge_id = fields.Integer(allow_none=True)


class EndOfTermDeviceSchema(Schema):
    serial = fields.String()
    sku = fields.String()
    model_name = fields.String()
    choice = fields.String(
        allow_none=True,
        metadata={
            "enum": list(END_OF_TERM_CHOICES),
            **_CHOICE,
            "description": "Null: not chosen; it comes back with the end-of-term round.",
        },
    )
    quote = fields.Nested(BuyOutQuoteSchema, allow_none=True)
    buy_out_refused = fields.String(allow_none=True, metadata={"description": "Why there is no quote."})
    return_order_id = fields.Integer(
        allow_none=True, metadata={"description": "The return order waiting for the device's pickup."}
    )


class EndOfTermSchema(Schema):
    contract_id = fields.Integer()
    currency = fields.String()
    end_date = fields.Date(metadata={"description": "The end date the choices are for."})
    extended_until = fields.Date(
        allow_none=True, metadata={"description": "The contract's new end once an extend choice moved it."}
    )
    open = fields.Boolean(metadata={"description": "Whether choices may still be made (until end_date)."})
    devices = fields.List(fields.Nested(EndOfTermDeviceSchema))

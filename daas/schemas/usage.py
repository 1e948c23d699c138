"""Usage payloads, for the OpenAPI document. The endpoint itself checks events with
`daas.usage.validation` (faster than a schema on batches of a thousand), to the same rules."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate

from daas.schemas.openapi import NOT_BLANK_TEXT_PATTERN, decimal_pattern
from daas.usage.validation import MAX_PROPERTIES, MAX_QUANTITY, MAX_TRANSACTION_ID, QUANTITY_DECIMALS

# Timestamps from 1970 to 9998 (validation._timestamp); the offset is part of an RFC 3339 date-time.
_TIMESTAMP_YEARS = r"^(19[7-9][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-"


class UsageEventSchema(Schema):
    transaction_id = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_TRANSACTION_ID),
        metadata={
            "description": "Unique per customer: a repeat is counted as a duplicate and not stored.",
            "pattern": NOT_BLANK_TEXT_PATTERN,
        },
    )
    contract_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    metric = fields.String(required=True, validate=validate.Length(min=1, max=64))
    timestamp = fields.DateTime(
        required=True,
        metadata={
            "description": "With an offset; within the contract's active days, at most 5 minutes ahead.",
            "pattern": _TIMESTAMP_YEARS,
        },
    )
    quantity = fields.Raw(
        metadata={
            "oneOf": [
                {
                    "type": "string",
                    "pattern": decimal_pattern(QUANTITY_DECIMALS, 13, Decimal(0), None),
                    "example": "1",
                },
                {"type": "number", "minimum": 0, "maximum": int(MAX_QUANTITY), "exclusiveMaximum": True},
            ],
            "nullable": True,
            "description": f"A non-negative decimal below 10^13 with at most {QUANTITY_DECIMALS} decimals, "
            "as a string or a number; default (or null) 1.",
        },
    )
    properties = fields.Dict(
        metadata={
            "maxProperties": MAX_PROPERTIES,
            "description": "Free properties, at most 50; a unique_count metric counts distinct values of "
            "its field (a string or an integer). Strings (keys too) must be valid Unicode without NUL or "
            "lone surrogates and numbers finite (no NaN or Infinity); a fraction is stored as its decimal "
            "text. Like every body, nested at most 64 levels.",
        }
    )


class UsageBatchSchema(Schema):
    events = fields.List(
        fields.Nested(UsageEventSchema), required=True, validate=validate.Length(min=1, max=1000)
    )


class UsageAcceptedSchema(Schema):
    accepted = fields.Integer(metadata={"description": "Events stored by this request."})
    duplicates = fields.Integer(metadata={"description": "Events whose transaction id was already stored."})

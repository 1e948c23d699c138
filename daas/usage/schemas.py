"""Usage payloads, for the OpenAPI document. The endpoint itself checks events with
`daas.usage.validation` (faster than a schema on batches of a thousand), to the same rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class UsageEventSchema(Schema):
    transaction_id = fields.String(
        required=True,
        validate=validate.Length(min=1, max=128),
        metadata={"description": "Unique per customer: a repeat is counted as a duplicate and not stored."},
    )
    contract_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    metric = fields.String(required=True, validate=validate.Length(min=1, max=64))
    timestamp = fields.DateTime(
        required=True,
        metadata={
            "description": "With an offset; within the contract's active days, at most 5 minutes ahead."
        },
    )
    quantity = fields.String(
        metadata={
            "pattern": r"^\d+(\.\d{1,6})?$",
            "description": "A non-negative decimal (string or number), default 1.",
            "example": "1",
        },
    )
    properties = fields.Dict(
        metadata={
            "description": "Free properties, at most 50; a unique_count metric counts distinct values of "
            "its field (a string or an integer). Strings (keys too) must be valid Unicode without NUL or "
            "lone surrogates and numbers finite (no NaN or Infinity); a fraction is stored as its decimal "
            "text. Like every body, nested at most 64 levels."
        }
    )


class UsageBatchSchema(Schema):
    events = fields.List(
        fields.Nested(UsageEventSchema), required=True, validate=validate.Length(min=1, max=1000)
    )


class UsageAcceptedSchema(Schema):
    accepted = fields.Integer(metadata={"description": "Events stored by this request."})
    duplicates = fields.Integer(metadata={"description": "Events whose transaction id was already stored."})

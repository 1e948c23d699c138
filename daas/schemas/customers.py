"""Customer payloads."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.schemas.fields import Code, Country, Currency, Int, Text


class CustomerCreateSchema(Schema):
    name = Text(required=True)
    country = Country(required=True)
    vat_id = fields.String(validate=validate.Length(min=2, max=20), allow_none=True)
    currency = Currency(required=True)
    billing_email = fields.Email(required=True, validate=validate.Length(max=254))
    payment_terms_days = Int(validate=validate.Range(min=0, max=365))
    pickup_region = Code(max_length=32, allow_none=True, metadata={"description": "Default pickup region."})
    pickup_address = Text(
        max_length=500, allow_none=True, metadata={"description": "Default pickup address."}
    )


class CustomerUpdateSchema(CustomerCreateSchema):
    """Every field optional: only what is sent changes."""


class CustomerSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    country = fields.String()
    vat_id = fields.String(allow_none=True)
    currency = fields.String()
    billing_email = fields.String()
    payment_terms_days = fields.Integer()
    pickup_region = fields.String(allow_none=True)
    pickup_address = fields.String(allow_none=True)
    created_at = fields.DateTime()


class CustomerQuerySchema(Schema):
    country = Country()

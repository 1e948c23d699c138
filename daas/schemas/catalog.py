"""Device model payloads."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.catalog.models import CATEGORIES
from daas.schemas.fields import Code, Int, Measure, Text


class DeviceModelCreateSchema(Schema):
    sku = Code(required=True)
    name = Text(required=True)
    category = fields.String(
        required=True, validate=validate.OneOf(CATEGORIES), metadata={"title": "DeviceCategory"}
    )
    manufacturer = Text(required=True, max_length=100)
    weight_kg = Measure(required=True, maximum=1000)
    embodied_co2e_kg = Measure(required=True, maximum=100000)
    use_kwh_per_year = Measure(required=True, maximum=100000)
    expected_lifetime_months = Int(required=True, validate=validate.Range(min=1, max=240))
    source = fields.String(validate=validate.Length(max=500), allow_none=True)


class DeviceModelUpdateSchema(DeviceModelCreateSchema):
    class Meta:
        exclude = ("sku",)


class DeviceModelSchema(Schema):
    id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    category = fields.String()
    manufacturer = fields.String()
    weight_kg = Measure()
    embodied_co2e_kg = Measure()
    use_kwh_per_year = Measure()
    expected_lifetime_months = fields.Integer()
    source = fields.String(allow_none=True)


class DeviceModelQuerySchema(Schema):
    category = fields.String(validate=validate.OneOf(CATEGORIES), metadata={"title": "DeviceCategory"})
    manufacturer = fields.String(validate=validate.Length(max=100))

"""Metric and plan payloads. Money is shown in the plan's currency."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.pricing.models import AGGREGATIONS, CHARGE_KINDS, PRICING_MODELS
from daas.schemas.fields import Code, Currency, DecimalString, Int, Money, Text, UnitAmount


class MetricCreateSchema(Schema):
    code = Code(required=True)
    name = Text(required=True)
    aggregation = fields.String(
        required=True, validate=validate.OneOf(AGGREGATIONS), metadata={"title": "MetricAggregation"}
    )
    field = Code(allow_none=True, metadata={"description": "The property a unique_count metric counts."})


class MetricSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    aggregation = fields.String()
    field = fields.String(allow_none=True)


class TierInSchema(Schema):
    up_to = DecimalString(
        places=6,
        minimum=0,
        allow_none=True,
        required=True,
        metadata={"description": "Inclusive upper bound; null for the last, open tier."},
    )
    unit_amount = UnitAmount(required=True)
    flat_amount = UnitAmount()


class ChargeInSchema(Schema):
    kind = fields.String(
        required=True, validate=validate.OneOf(CHARGE_KINDS), metadata={"title": "ChargeKind"}
    )
    unit_amount = UnitAmount(allow_none=True)
    device_model_sku = Code(allow_none=True)
    metric = Code(allow_none=True)
    model = fields.String(
        validate=validate.OneOf(PRICING_MODELS), allow_none=True, metadata={"title": "PricingModel"}
    )
    tiers = fields.List(fields.Nested(TierInSchema), allow_none=True, validate=validate.Length(max=50))
    package_size = Int(allow_none=True, validate=validate.Range(min=1, max=1_000_000_000))


class PlanCreateSchema(Schema):
    code = Code(required=True)
    name = Text(required=True)
    currency = Currency(required=True)
    term_months = Int(required=True, validate=validate.Range(min=1, max=120))
    refresh_cycle_months = Int(required=True, validate=validate.Range(min=1, max=120))
    minimum_monthly_amount = Money(allow_none=True)
    charges = fields.List(
        fields.Nested(ChargeInSchema), required=True, validate=validate.Length(min=1, max=50)
    )


class TierSchema(Schema):
    up_to = DecimalString(places=6, normalize=True, allow_none=True)
    unit_amount = UnitAmount()
    flat_amount = UnitAmount()


class ChargeSchema(Schema):
    kind = fields.String()
    unit_amount = UnitAmount(allow_none=True)
    device_model_sku = fields.Function(
        lambda c: c.device_model.sku if c.device_model else None, allow_none=True
    )
    metric = fields.Function(lambda c: c.metric.code if c.metric else None, allow_none=True)
    model = fields.String(allow_none=True)
    tiers = fields.Function(
        lambda c: TierSchema(many=True).dump(c.tiers) if c.tiers else None, allow_none=True
    )
    package_size = fields.Integer(allow_none=True)


class PlanSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    currency = fields.String()
    term_months = fields.Integer()
    refresh_cycle_months = fields.Integer()
    minimum_monthly_amount = Money(allow_none=True)
    charges = fields.List(fields.Nested(ChargeSchema))


class PlanQuerySchema(Schema):
    currency = Currency()

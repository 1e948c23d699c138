"""Device model payloads.

- `list_values`: currency -> what a new device of the model costs, net, e.g. `{"EUR": "1250.00"}`: a
  currency daas bills in, an amount more than 0 with at most the currency's decimals (a 422 naming
  `list_values.<currency>` otherwise). Sent on a PATCH, they replace the model's list values (a currency
  left out has none any more; `{}` removes them all). A buy-out is priced from the list value in the
  contract's currency.
- `floor_share`: from 0 to 1, the least share of its list value a buy-out costs; null (or left out) is the
  default, 0.1, which is what GET shows then.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields, validate

from daas.catalog.models import CATEGORIES
from daas.contracts.end_of_term_rules import DEFAULT_FLOOR_SHARE
from daas.core import money
from daas.schemas.fields import Code, Currency, DecimalString, Int, Measure, Text

_LIST_VALUE = {
    "description": "Net, more than 0, with at most the currency's decimals (JPY none).",
    "example": "1250.00",
}


def _share(**kwargs: Any) -> DecimalString:
    return DecimalString(places=4, minimum=0, maximum=1, normalize=True, **kwargs)


class _ListValues(fields.Field):
    """Shown: each currency's list value with the currency's exponent ("1250.00", "150000")."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "type": "object",
            "additionalProperties": {"type": "string", "pattern": r"^(0|[1-9][0-9]*)(\.[0-9]+)?$"},
            "example": {"EUR": "1250.00"},
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> dict[str, str]:
        return {currency: money.format_money(amount, currency) for currency, amount in (value or {}).items()}


class _EffectiveShare(DecimalString):
    """The floor share that applies: the model's own, or the default when it has none."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return super()._serialize(DEFAULT_FLOOR_SHARE if value is None else Decimal(value), attr, obj)


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
    list_values = fields.Dict(
        keys=Currency(),
        values=DecimalString(places=2, minimum=0, max_digits=14, metadata=_LIST_VALUE),
        metadata={
            "description": "Currency -> list value; a PATCH replaces them all.",
            "example": {"EUR": "1250.00"},
        },
    )
    floor_share = _share(
        allow_none=True,
        metadata={"description": "The least share of the list value a buy-out costs; null: 0.1."},
    )


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
    list_values = _ListValues()
    floor_share = _EffectiveShare(
        places=4, normalize=True, metadata={"description": "The model's own, else the default 0.1."}
    )


class DeviceModelQuerySchema(Schema):
    category = fields.String(validate=validate.OneOf(CATEGORIES), metadata={"title": "DeviceCategory"})
    manufacturer = fields.String(validate=validate.Length(max=100))

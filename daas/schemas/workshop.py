"""What-if planner payloads (workshop.md, docs/scenarios-api.md).

- A scenario is `{kind, name?, months?, share?}`: `months` (extend only) is a whole number of months, 1 to
  60, for every category, or an object of them per category (`{"laptop": 12, "*": 6}`; "*" for the
  categories not named); `share` (refurbished_first only) is the part, "0" to "1", of replacements served
  by refurbished stock. What depends on the kind is the domain's rule: a 422 naming the field
  (`scenarios.0.months`, `months.laptop`, `share`).
- The comparison's figures are decimal strings (kg, kWh, money in the customer's currency) and counts.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

from marshmallow import Schema, fields, validate

from daas.catalog.models import CATEGORIES
from daas.schemas.fields import DecimalString, Int, Text
from daas.workshop.plan_types import KINDS, Figures
from daas.workshop.scenarios import MAX_EXTEND_MONTHS, MAX_NAME

_KIND = {"title": "ScenarioKind"}
_MONTHS = {"type": "integer", "minimum": 1, "maximum": MAX_EXTEND_MONTHS}
_DATE = {"format": "date"}


def _kind(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(KINDS), metadata=_KIND, **kwargs)


def _months() -> fields.Raw:
    return fields.Raw(
        metadata={
            "oneOf": [
                _MONTHS,
                {
                    "type": "object",
                    "minProperties": 1,
                    "properties": {category: _MONTHS for category in (*CATEGORIES, "*")},
                    "additionalProperties": False,
                },
            ],
            "description": "extend only: months added to the refresh cycle, for every category or per "
            'category ("*" for the others).',
        }
    )


def _share() -> DecimalString:
    return DecimalString(
        places=4,
        minimum=0,
        maximum=1,
        max_digits=5,
        metadata={"description": "refurbished_first only: the part of replacements served refurbished."},
    )


class ScenarioInSchema(Schema):
    kind = _kind(required=True)
    name = Text(max_length=MAX_NAME)
    months = _months()
    share = _share()


class CompareSchema(Schema):
    horizon_years = Int(load_default=4, validate=validate.Range(min=1, max=10))
    contract_id = Int(
        allow_none=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "One of the customer's contracts; left out, the whole fleet."},
    )
    scenarios = fields.List(
        fields.Nested(ScenarioInSchema),
        load_default=list,
        validate=validate.Length(max=10),
        metadata={"description": "as_is is always computed and answered first."},
    )


class SavedScenarioCreateSchema(ScenarioInSchema):
    name = Text(required=True, max_length=MAX_NAME)
    horizon_years = Int(load_default=4, validate=validate.Range(min=1, max=10))
    contract_id = Int(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))


class SavedScenarioSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    contract_id = fields.Integer(allow_none=True)
    name = fields.String()
    kind = _kind()
    choices = fields.Dict(metadata={"description": "{months} of an extend, {share} of a refurbished_first."})
    horizon_years = fields.Integer()
    created_by = fields.String()
    created_at = fields.DateTime()
    applied_at = fields.DateTime(allow_none=True)
    applied_by = fields.String(allow_none=True)


class AppliedScenarioSchema(Schema):
    scenario = fields.Nested(SavedScenarioSchema)
    contracts_changed = fields.List(
        fields.Integer(),
        metadata={"description": "The contracts whose own refresh cycle was set or cleared."},
    )


def _figure(kind: Any) -> fields.Field:
    return fields.Integer() if kind in (int, "int") else fields.String(metadata={"format": "decimal"})


def _figures() -> dict[str, fields.Field]:
    """A field for each of the planner's figures (a fresh set per schema)."""
    return {field.name: _figure(field.type) for field in dataclass_fields(Figures)}


FiguresSchema = Schema.from_dict(_figures(), name="ScenarioFiguresSchema")
YearFiguresSchema = Schema.from_dict(
    {
        "year": fields.Integer(),
        "starts_on": fields.String(metadata=_DATE),
        "ends_on": fields.String(metadata={**_DATE, "description": "Exclusive."}),
        **_figures(),
    },
    name="ScenarioYearFiguresSchema",
)


class ScenarioResultSchema(Schema):
    kind = _kind()
    name = fields.String()
    choices = fields.Dict()
    years = fields.List(fields.Nested(YearFiguresSchema))
    total = fields.Nested(FiguresSchema)
    difference = fields.Nested(FiguresSchema, metadata={"description": "total minus as_is's total."})


class ComparisonSchema(Schema):
    as_of = fields.String(metadata=_DATE)
    horizon_years = fields.Integer()
    currency = fields.String()
    scenarios = fields.List(fields.Nested(ScenarioResultSchema))

"""Grid factor sets as the API shows and takes them: versions of kg CO2e per kWh by country and year."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from daas.impact.grid_factor_sets import years_of
from daas.schemas.fields import Text

_FACTORS_DESCRIPTION = (
    "By ISO 3166-1 alpha-2 country, then year (1990-2100): kg_per_kwh (a decimal from 0 to 2, as a "
    "string), source and source_version (non-empty). The whole table: a new version replaces the latest."
)
_FACTORS_EXAMPLE = {
    "DE": {
        "2023": {"kg_per_kwh": "0.36292", "source": "Ember via Our World in Data", "source_version": "2025"}
    }
}


def _countries(grid_set: Any) -> list[str]:
    return sorted(grid_set.factors)


class GridFactorSetCreateSchema(Schema):
    # Checked field by field by the domain, so that an error names e.g. factors.DE.2023.kg_per_kwh.
    factors = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": _FACTORS_DESCRIPTION, "example": _FACTORS_EXAMPLE},
    )
    note = Text(max_length=500, load_default=None, allow_none=True)


class GridFactorSetSummarySchema(Schema):
    version = fields.Integer()
    note = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    countries = fields.Function(_countries, metadata={"description": "The countries it has factors for."})
    years = fields.Function(years_of, metadata={"description": "The years any country has a factor for."})


class GridFactorSetSchema(GridFactorSetSummarySchema):
    factors = fields.Dict(metadata={"description": _FACTORS_DESCRIPTION, "example": _FACTORS_EXAMPLE})

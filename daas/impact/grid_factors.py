"""Location-based electricity grid factors (kg CO2e per kWh) per country and year, with their sources. Pure.

A version of the table is stored as a `GridFactorSet`; the yearly report asks it for the factor of the
country where a device served in the year it served, and names the factor's year, source and version.
When the year is not published yet, the latest earlier year stands in (and the report says which year).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class GridFactor:
    country: str
    year: int
    kg_per_kwh: Decimal
    source: str
    source_version: str


@dataclass(frozen=True)
class GridFactorTable:
    version: int
    factors: dict[str, dict[int, GridFactor]]

    def factor_for(self, country: str, year: int) -> GridFactor | None:
        """The factor of `year`, else of the latest earlier year, else of the earliest later one; None when
        the country has no factor at all."""
        years = self.factors.get(country.upper())
        if not years:
            return None
        if year in years:
            return years[year]
        earlier = [y for y in years if y < year]
        return years[max(earlier)] if earlier else years[min(years)]

    def to_json(self) -> dict[str, Any]:
        return {
            country: {
                str(year): {
                    "kg_per_kwh": str(factor.kg_per_kwh),
                    "source": factor.source,
                    "source_version": factor.source_version,
                }
                for year, factor in sorted(years.items())
            }
            for country, years in sorted(self.factors.items())
        }

    @classmethod
    def from_json(cls, version: int, data: dict[str, Any]) -> GridFactorTable:
        return cls(
            version,
            {
                country: {
                    int(year): GridFactor(
                        country, int(year), Decimal(row["kg_per_kwh"]), row["source"], row["source_version"]
                    )
                    for year, row in years.items()
                }
                for country, years in data.items()
            },
        )

"""Stored versions of the location-based grid factors: the latest one is what reports use.

A new version replaces the whole table (every country and year, each with its source); earlier versions
stay readable, so a report can say which version it used. Version 1 comes with migration 0020, from the
bundled `data/grid_factors.csv` as it was then.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from daas.core.countries import is_country
from daas.core.errors import Conflict, Invalid, NotFound
from daas.extensions import db
from daas.impact.grid_factor_csv import factors_from_csv
from daas.impact.grid_factors import GridFactorTable
from daas.impact.models import GridFactorSet
from daas.impact.versions import add_version

FIRST_YEAR, LAST_YEAR = 1990, 2100
MAX_KG_PER_KWH = Decimal(2)
# kg per kWh is stored with the grams' precision the sources publish (0.36292 = 362.92 g), at most 6 places.
_PLACES = 6


def load_bundled_grid_factors() -> dict[str, Any]:
    """The factors of the data file shipped with daas, as the JSON a set stores."""
    text = resources.files("daas.impact").joinpath("data/grid_factors.csv").read_text(encoding="utf-8")
    return validated_factors(factors_from_csv(text))


def list_grid_factor_sets() -> list[GridFactorSet]:
    return list(db.session.scalars(select(GridFactorSet).order_by(GridFactorSet.version)))


def grid_factor_set(version: int) -> GridFactorSet:
    found = db.session.scalar(select(GridFactorSet).where(GridFactorSet.version == version))
    if found is None:
        raise NotFound(f"No grid factor set version {version}.")
    return found


def years_of(grid_set: GridFactorSet) -> list[int]:
    """The years any country of the set has a factor for."""
    return sorted({int(year) for years in grid_set.factors.values() for year in years})


def latest_grid_factors() -> GridFactorTable:
    latest = db.session.scalar(select(GridFactorSet).order_by(GridFactorSet.version.desc()).limit(1))
    if latest is None:
        raise Conflict("No grid factor set is stored; run the migrations or create one.")
    return GridFactorTable.from_json(latest.version, latest.factors)


def create_grid_factor_set(factors: dict[str, Any], note: str | None, actor: str) -> GridFactorSet:
    """A new version (the highest so far plus one) holding `factors`, after checking every field."""
    stored = validated_factors(factors)
    version = (db.session.scalar(select(func.max(GridFactorSet.version))) or 0) + 1
    row = GridFactorSet(version=version, factors=stored, note=(note or "").strip() or None, created_by=actor)
    add_version(row, version)
    return row


def validated_factors(factors: Any) -> dict[str, Any]:
    """`factors` in the stored shape ({country: {year: {kg_per_kwh, source, source_version}}}, kg as a
    string), or `Invalid` naming every field that breaks a rule (e.g. `factors.DE.2023.kg_per_kwh`)."""
    if not isinstance(factors, dict) or not factors:
        raise Invalid("The factors are a non-empty object by country.", {"factors": ["a non-empty object"]})
    errors: dict[str, list[str]] = {}
    stored: dict[str, dict[str, Any]] = {}
    for country, years in sorted(factors.items(), key=lambda item: str(item[0])):
        field = f"factors.{country}"
        if not isinstance(country, str) or not is_country(country):
            errors[field] = ["not an ISO 3166-1 alpha-2 country code"]
            continue
        if not isinstance(years, dict) or not years:
            errors[field] = ["a non-empty object by year"]
            continue
        stored[country] = {}
        for year, entry in sorted(years.items(), key=lambda item: str(item[0])):
            checked = _checked_entry(f"{field}.{year}", year, entry, errors)
            if checked is not None:
                stored[country][str(year)] = checked
    if errors:
        first = next(iter(errors))
        raise Invalid(f"{first}: {errors[first][0]}.", errors)
    return stored


def _checked_entry(field: str, year: Any, entry: Any, errors: dict[str, list[str]]) -> dict[str, str] | None:
    # Four ASCII digits only: int() would also read "2_023", "02023" or full-width digits as 2023, and two
    # keys would then fight over one year.
    text = str(year)
    year_number = int(text) if len(text) == 4 and text.isascii() and text.isdigit() else None
    if year_number is None or not FIRST_YEAR <= year_number <= LAST_YEAR:
        errors[field] = [f"the year is between {FIRST_YEAR} and {LAST_YEAR}"]
        return None
    if not isinstance(entry, dict):
        errors[field] = ["an object with kg_per_kwh, source and source_version"]
        return None
    kg = _kg_per_kwh(entry.get("kg_per_kwh"))
    if kg is None:
        errors[f"{field}.kg_per_kwh"] = [f"a decimal number from 0 to {MAX_KG_PER_KWH} kg CO2e per kWh"]
    texts = {}
    for key in ("source", "source_version"):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            errors[f"{field}.{key}"] = ["required"]
        else:
            texts[key] = value.strip()
    if kg is None or len(texts) < 2:
        return None
    return {"kg_per_kwh": format(kg, "f"), **texts}


def _kg_per_kwh(value: Any) -> Decimal | None:
    """A Decimal kg per kWh, or None when out of rule. A JSON number arrives as a float: its shortest
    decimal form (str) is what the sender wrote, so no binary fraction is stored."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        return None
    try:
        kg = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not kg.is_finite() or not Decimal(0) <= kg <= MAX_KG_PER_KWH or -kg.as_tuple().exponent > _PLACES:
        return None
    return kg.normalize() if kg else Decimal(0)

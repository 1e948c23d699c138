"""Grid factors as CSV (country, year, kg_per_kwh, source, source_version, url), the shape of the bundled
data file and of an admin's upload. Pure: the stdlib csv module, no database.

A file becomes the JSON a `GridFactorSet` stores ({country: {year: {kg_per_kwh, source, source_version}}});
the url column documents where a figure was read and is not stored. Values are not judged here (the set's
validation does that, naming the field); only the file's own shape is: its columns and duplicate rows.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from daas.core.errors import Invalid

COLUMNS = ("country", "year", "kg_per_kwh", "source", "source_version", "url")
_REQUIRED = COLUMNS[:5]


def factors_from_csv(text: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The factors of a CSV text, by country and year as strings (as JSON keys are)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [column for column in _REQUIRED if column not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(
            f"The file needs the columns {', '.join(COLUMNS)}.", {"file": [f"missing {', '.join(missing)}"]}
        )
    factors: dict[str, dict[str, dict[str, Any]]] = {}
    for line, row in enumerate(reader, start=2):
        country = (row["country"] or "").strip().upper()
        year = (row["year"] or "").strip()
        years = factors.setdefault(country, {})
        if year in years:
            raise Invalid(
                f"Line {line}: {country} {year} appears twice.", {"file": [f"line {line}: duplicate"]}
            )
        years[year] = {
            "kg_per_kwh": (row["kg_per_kwh"] or "").strip(),
            "source": (row["source"] or "").strip(),
            "source_version": (row["source_version"] or "").strip(),
        }
    if not factors:
        raise Invalid("The file has no factor rows.", {"file": ["no rows"]})
    return factors

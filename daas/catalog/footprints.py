"""Reading the Boavizta footprint format into device-model figures, row by row, with reasons for skips.

Pure: rows in, `ModelFigures` or `Skipped` out; no database. Boavizta's data set has known defects
(missing weights and phase shares, a 15.6 kg laptop), so every row is checked and an unusable one is
skipped with a reason instead of stopping the import or storing a wrong figure.

The embodied footprint E0 is the whole-life footprint without its use phase: `gwp_total × (1 −
gwp_use_ratio)` where the use share is given (it captures manufacturing, transport and end of life even
where those shares are missing), else `gwp_total × (manufacturing + transport + end-of-life shares)`.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO

from daas.core.text import text_problem

REQUIRED_COLUMNS = ("manufacturer", "name", "subcategory", "gwp_total", "weight", "yearly_tec", "lifetime")

SUBCATEGORIES = {
    "laptop": "laptop",
    "desktop": "desktop",
    "workstation": "desktop",
    "thin client": "desktop",
    "monitor": "monitor",
    "tablet": "tablet",
    "smartphone": "phone",
    "phone": "phone",
    "dock": "dock",
    "docking station": "dock",
}

# Plausible weights per category (kg): outside them the row is a data error (Boavizta's 15.6 kg laptop).
WEIGHT_RANGES = {
    "laptop": (Decimal("0.5"), Decimal("5")),
    "desktop": (Decimal("0.2"), Decimal("30")),  # thin clients weigh from 0.24 kg
    "monitor": (Decimal("0.5"), Decimal("30")),  # portable 14-inch monitors from 0.59 kg
    "tablet": (Decimal("0.1"), Decimal("2")),
    "phone": (Decimal("0.05"), Decimal("0.5")),
    "dock": (Decimal("0.05"), Decimal("3")),
}
MAX_YEARLY_KWH = Decimal(2000)
LIFETIME_YEARS = (Decimal(1), Decimal(15))
SHARE_SUM_TOLERANCE = Decimal("1.05")
_THOUSANDTH = Decimal("0.001")
SKU_MAX = 64


@dataclass(frozen=True)
class ModelFigures:
    line: int
    sku: str
    name: str
    category: str
    manufacturer: str
    weight_kg: Decimal
    embodied_co2e_kg: Decimal
    use_kwh_per_year: Decimal
    expected_lifetime_months: int
    source: str | None


@dataclass(frozen=True)
class Skipped:
    line: int
    label: str
    reason: str
    kind: str  # the reason without its particulars, for counting ("weight implausible")


class FormatError(ValueError):
    """The file is not in the footprint format at all (missing columns)."""


def derive_sku(manufacturer: str, name: str) -> str:
    """A stable SKU for a data-set row that has none: the slug of its name, shortened with a hash."""
    slug = re.sub(r"[^A-Z0-9]+", "-", f"{manufacturer} {name}".upper()).strip("-")
    digest = hashlib.sha1(f"{manufacturer}|{name}".encode()).hexdigest()[:6].upper()
    if not slug:  # a name without a single ASCII letter or digit
        return f"MODEL-{digest}"
    if len(slug) <= SKU_MAX:
        return slug
    return f"{slug[: SKU_MAX - 7].rstrip('-')}-{digest}"


class _RowError(Exception):
    def __init__(self, kind: str, reason: str | None = None) -> None:
        super().__init__(reason or kind)
        self.kind = kind


def _number(row: dict[str, str], column: str, *, required: bool) -> Decimal | None:
    text = (row.get(column) or "").strip()
    if not text:
        if required:
            raise _RowError(f"{column} missing")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise _RowError(f"{column} not a number", f"{column} is not a number ({text!r})") from exc
    if not value.is_finite():
        raise _RowError(f"{column} not a number", f"{column} is not a finite number ({text!r})")
    return value


def _required(row: dict[str, str], column: str) -> Decimal:
    value = _number(row, column, required=True)
    assert value is not None  # _number raised otherwise
    return value


def _share(row: dict[str, str], column: str) -> Decimal | None:
    value = _number(row, column, required=False)
    if value is not None and not Decimal(0) <= value <= Decimal(1):
        raise _RowError(f"{column} not a share", f"{column} {value} is not a share between 0 and 1")
    return value


def _embodied(row: dict[str, str], total: Decimal) -> Decimal:
    use = _share(row, "gwp_use_ratio")
    manufacturing = _share(row, "gwp_manufacturing_ratio")
    transport = _share(row, "gwp_transport_ratio") or Decimal(0)
    end_of_life = _share(row, "gwp_eol_ratio") or Decimal(0)
    if (
        manufacturing is not None
        and manufacturing + transport + end_of_life + (use or 0) > SHARE_SUM_TOLERANCE
    ):
        raise _RowError("phase shares add up to more than 1")
    if use is not None:
        if use >= 1:
            raise _RowError("gwp_use_ratio leaves no embodied footprint")
        return total * (1 - use)
    if manufacturing is not None:
        return total * (manufacturing + transport + end_of_life)
    raise _RowError("no phase split (gwp_use_ratio or gwp_manufacturing_ratio)")


def read_row(line: int, row: dict[str, str]) -> ModelFigures | Skipped:
    manufacturer = (row.get("manufacturer") or "").strip()
    name = " ".join((row.get("name") or "").split())
    label = f"{manufacturer} {name}".strip().replace("\x00", "") or "(no name)"
    try:
        if any(text_problem(value) for value in row.values() if isinstance(value, str)):
            raise _RowError("text cannot be stored", "a cell holds a NUL character or a lone surrogate")
        if not manufacturer or not name:
            raise _RowError("manufacturer or name missing")
        subcategory = (row.get("subcategory") or "").strip()
        category = SUBCATEGORIES.get(subcategory.lower())
        if category is None:
            raise _RowError(
                f"category not rented ({subcategory or 'none'})",
                f"category {subcategory or '(none)'!r} is not a device daas rents",
            )
        total = _required(row, "gwp_total")
        if total <= 0:
            raise _RowError("gwp_total not positive", f"gwp_total {total} is not positive")
        embodied = _embodied(row, total)
        weight = _required(row, "weight")
        low, high = WEIGHT_RANGES[category]
        if not low <= weight <= high:
            raise _RowError(
                f"weight implausible for a {category}",
                f"weight {weight} kg is implausible for a {category} ({low} to {high} kg)",
            )
        kwh = _required(row, "yearly_tec")
        if not Decimal(0) < kwh <= MAX_YEARLY_KWH:
            raise _RowError("yearly_tec implausible", f"yearly_tec {kwh} kWh is implausible")
        years = _required(row, "lifetime")
        if not LIFETIME_YEARS[0] <= years <= LIFETIME_YEARS[1]:
            raise _RowError("lifetime implausible", f"lifetime {years} years is implausible")
    except _RowError as problem:
        return Skipped(line, label, str(problem), problem.kind)
    sku = (row.get("sku") or "").strip() or derive_sku(manufacturer, name)
    source = (row.get("sources") or "").strip() or None
    return ModelFigures(
        line=line,
        sku=sku[:SKU_MAX],
        name=name[:200],
        category=category,
        manufacturer=manufacturer[:100],
        weight_kg=weight.quantize(_THOUSANDTH, ROUND_HALF_UP),
        embodied_co2e_kg=embodied.quantize(_THOUSANDTH, ROUND_HALF_UP),
        use_kwh_per_year=kwh.quantize(_THOUSANDTH, ROUND_HALF_UP),
        expected_lifetime_months=int((years * 12).to_integral_value(ROUND_HALF_UP)),
        source=source[:500] if source else None,
    )


def read_rows(rows: Iterable[dict[str, str]]) -> Iterator[ModelFigures | Skipped]:
    """Each row's figures or the reason it is skipped; a SKU seen before in the file is skipped too."""
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        result = read_row(line, row)
        if isinstance(result, ModelFigures):
            if result.sku in seen:
                label = f"{result.manufacturer} {result.name}"
                result = Skipped(line, label, f"duplicate of line {seen[result.sku]}", "duplicate SKU")
            else:
                seen[result.sku] = line
        yield result


def open_rows(stream: IO[str]) -> csv.DictReader:
    """A CSV reader over the footprint format; raises FormatError when required columns are missing."""
    reader = csv.DictReader(stream)
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise FormatError(f"not a footprint file: columns {', '.join(missing)} missing")
    return reader

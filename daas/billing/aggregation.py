"""A billable metric's quantity over a period's events, computed in Python: count, sum, max and
unique_count as billing.md defines them. The billing run aggregates in the database (daas.billing.measure);
this is the same rule on plain values, the one the rating tests state it by. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ZERO = Decimal(0)


@dataclass(frozen=True)
class UsageRecord:
    quantity: Decimal = Decimal(1)
    properties: Mapping[str, Any] | None = None


def aggregate(aggregation: str, records: Iterable[UsageRecord], field_name: str | None = None) -> Decimal:
    """A metric's quantity over a period's events: count, sum, max (0 without events), unique_count."""
    records = list(records)
    if aggregation == "count":
        return Decimal(len(records))
    if aggregation == "sum":
        return sum((r.quantity for r in records), ZERO)
    if aggregation == "max":
        return max((r.quantity for r in records), default=ZERO)
    if aggregation == "unique_count":
        values = {
            str((r.properties or {})[field_name])
            for r in records
            if field_name and (r.properties or {}).get(field_name) is not None
        }
        return Decimal(len(values))
    raise ValueError(f"unknown aggregation {aggregation!r}")

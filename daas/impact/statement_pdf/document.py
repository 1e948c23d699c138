"""The plain values a statement prints (daas.impact.documents fills them in from the records)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class StatementDocument:
    issuer: str  # the provider's name
    customer_name: str
    customer_country: str  # ISO 3166-1 alpha-2
    contract_id: int
    plan_name: str
    period_from: date  # first day covered
    period_to: date  # last day covered
    as_of: date  # the day the statement was computed
    method: str
    parameter_set_versions: tuple[int, ...]
    provisional_periods: tuple[str, ...]  # "YYYY-MM", computed but not yet closed in the ledger
    totals: Mapping[str, Any]
    by_device: tuple[Mapping[str, Any], ...]
    by_period: tuple[Mapping[str, Any], ...]
    # The packaging delivered in the period: daas.impact.packaging.packaging_figures.
    packaging: Mapping[str, Any]
    parameters: Mapping[str, Any]  # the values of the latest parameter-set version used
    sources: Mapping[str, str]  # parameter name -> where its value comes from

"""Metrics and price plans: defining them, as the API and the admin pages start it. Plans are not changed
once made (contracts and invoices rely on them): a new price is a new plan."""

from __future__ import annotations

from typing import Any

from daas.pricing import services
from daas.pricing.models import Metric, Plan
from daas.usecases.transaction import use_case


@use_case
def create_metric(values: dict[str, Any]) -> Metric:
    """A new billable metric (its code not taken yet)."""
    return services.create_metric(values)


@use_case
def create_plan(values: dict[str, Any]) -> Plan:
    """A new price plan with its charges and tiers, all or nothing."""
    return services.create_plan(values)

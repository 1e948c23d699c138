"""Building billing situations for tests: the worked example's plan, contracts with devices, usage."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from daas.billing import invoices
from daas.billing.invoiced_months import invoiced_months
from daas.billing.issuer import Issuer
from daas.billing.issuing import DocumentSettings
from daas.billing.run import RunSettings
from daas.contracts.services import deploy_device, end_deployment
from daas.core.periods import Period
from daas.extensions import db
from daas.settings import current_settings
from daas.usage.services import store_usage_events
from daas.usecases.billing import finalize_period_and_collect, run_billing_period
from tests import factories

OCTOBER = Period.parse("2026-10")
NOVEMBER = Period.parse("2026-11")


def worked_example_plan(**overrides: Any) -> Any:
    """billing.md's `laptop-std-36`, with its two metrics."""
    tickets = factories.metric(code=factories.unique("support_tickets"), aggregation="count")
    swaps = factories.metric(code=factories.unique("express_swaps"), aggregation="sum")
    values = {
        "code": factories.unique("laptop-std-36"),
        "minimum_monthly_amount": Decimal("500.00"),
        "charges": [
            {"kind": "device_monthly", "unit_amount": Decimal("39.00")},
            {
                "kind": "metered",
                "metric": tickets.code,
                "model": "graduated",
                "tiers": [
                    {"up_to": Decimal(10), "unit_amount": Decimal(0)},
                    {"up_to": None, "unit_amount": Decimal("15.00")},
                ],
            },
            {"kind": "metered", "metric": swaps.code, "model": "per_unit", "unit_amount": Decimal("49.00")},
        ],
        **overrides,
    }
    return factories.plan(**values), tickets, swaps


def deploy(contract: Any, start: date, end: date | None = None, sku: str | None = None) -> Any:
    device = factories.device(sku)
    deploy_device(contract.id, device.serial, start, "tests")
    if end is not None:
        end_deployment(contract.id, device.serial, end, "tests")
    return device


def usage(
    contract: Any, metric: Any, *moments: datetime, quantity: Decimal = Decimal(1), **properties: Any
) -> int:
    rows = [
        {
            "customer_id": contract.customer_id,
            "transaction_id": factories.unique("tx"),
            "contract_id": contract.id,
            "metric_id": metric.id,
            "timestamp": moment,
            "quantity": quantity,
            "properties": properties or None,
        }
        for moment in moments
    ]
    return store_usage_events(rows, invoiced_months)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


RUN_SETTINGS = ("chunk_size", "throttle_ms", "stale_after")


def documents() -> DocumentSettings:
    """How the tests' installation issues documents (the testing issuer, in NL)."""
    return current_settings().documents


def run_settings(**changes: Any) -> RunSettings:
    """The testing installation's billing-run settings, with `changes` (chunk_size, throttle_ms...)."""
    return dataclasses.replace(current_settings().billing_run, **changes)


def issuer() -> Issuer:
    return current_settings().issuer


def bill(period: Period = OCTOBER, finalize: bool = False, **kwargs: Any) -> Any:
    """A billing run of `period` as the API starts it (issuer in NL); `chunk_size`, `throttle_ms` and
    `stale_after` are its settings, the other keywords its callbacks. `finalize`: as `bill --finalize`."""
    settings = run_settings(**{key: kwargs.pop(key) for key in RUN_SETTINGS if key in kwargs})
    if finalize:
        return finalize_period_and_collect(
            period, "tests", settings, current_settings().collection, **kwargs
        ).run
    return run_billing_period(period, "tests", settings, **kwargs)


def finalize_run(run_id: int) -> int:
    """Finalize the drafts a run computed and commit them (no card collection): open invoices that stand
    whatever the test does next."""
    finalized = invoices.finalize_run(run_id, documents())
    db.session.commit()
    return finalized

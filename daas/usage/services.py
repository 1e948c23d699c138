"""Usage ingestion: a batch is checked whole, then stored exactly once per customer transaction id."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text

from daas.contracts.models import Contract
from daas.core import clock
from daas.core.errors import Invalid
from daas.core.periods import Period
from daas.db import insert_ignoring_conflicts, upsert
from daas.extensions import db
from daas.pricing.models import Metric
from daas.usage.models import UsageEvent, UsageRevision
from daas.usage.validation import (
    BatchInvalid,
    ContractWindow,
    MetricInfo,
    batch_events,
    check_batch,
    requested_contract_ids,
)

# (contract ids, months as "YYYY-MM") -> the (contract id, month) pairs among them that already have an
# invoice, draft or final. Invoices are billing's, above usage: the caller passes billing's read
# (daas.billing.invoiced_months), which is what the use case that records usage does.
InvoicedMonths = Callable[[Collection[int], Collection[str]], set[tuple[int, str]]]


def _contracts(ids: set[int]) -> dict[int, ContractWindow]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(Contract.id, Contract.customer_id, Contract.start_date, Contract.end_date).where(
            Contract.id.in_(ids)
        )
    )
    return {row.id: ContractWindow(row.id, row.customer_id, row.start_date, row.end_date) for row in rows}


def _metrics() -> dict[str, MetricInfo]:
    rows = db.session.execute(select(Metric.id, Metric.code, Metric.aggregation, Metric.field))
    return {row.code: MetricInfo(row.id, row.code, row.aggregation, row.field) for row in rows}


def _mark_revisions(rows: list[dict[str, Any]], now: datetime, invoiced: InvoicedMonths) -> None:
    """Note the months whose usage changed after they may have been measured (see UsageRevision):
    back-dated events, and events for a month that already has an invoice."""
    if not rows:
        return
    current_month = Period.containing(now.date()).start
    billed = invoiced(
        {row["contract_id"] for row in rows}, {row["timestamp"].strftime("%Y-%m") for row in rows}
    )
    marks = {
        (row["contract_id"], row["metric_id"], row["timestamp"].date().replace(day=1))
        for row in rows
        if row["timestamp"].date() < current_month
        or (row["contract_id"], row["timestamp"].strftime("%Y-%m")) in billed
    }
    if marks:
        statement = upsert(
            UsageRevision.__table__, ["contract_id", "metric_id", "period_start"], ["received_at"]
        )
        db.session.execute(
            statement.values(received_at=func.now()),
            [{"contract_id": c, "metric_id": m, "period_start": p} for c, m, p in sorted(marks)],
        )


# PostgreSQL takes a batch as seven arrays in one short statement: nothing to render or parse per row,
# which is what keeps ingestion above 20,000 events a second (a thousand-row VALUES list is parsed anew
# by the driver on every batch).
_UNNEST_INSERT = text("""
    INSERT INTO usage_events
        (customer_id, transaction_id, contract_id, metric_id, timestamp, quantity, properties)
    SELECT * FROM unnest(
        CAST(:customer_ids AS integer[]), CAST(:transaction_ids AS varchar[]),
        CAST(:contract_ids AS integer[]), CAST(:metric_ids AS integer[]),
        CAST(:timestamps AS timestamptz[]), CAST(:quantities AS numeric[]), CAST(:properties AS json[]))
    ON CONFLICT (customer_id, transaction_id) DO NOTHING
    RETURNING customer_id, transaction_id
""")


def _insert_new(rows: list[dict[str, Any]]) -> set[tuple[int, str]]:
    """Insert the rows, skipping known (customer, transaction id) keys; return the keys inserted.

    Rows go in sorted by that key: two requests that share keys in different orders would otherwise
    wait on each other's uncommitted keys, and PostgreSQL would end one of them as a deadlock.
    """
    rows = sorted(rows, key=lambda row: (row["customer_id"], row["transaction_id"]))
    if db.session.get_bind().dialect.name == "postgresql":
        result = db.session.execute(
            _UNNEST_INSERT,
            {
                "customer_ids": [row["customer_id"] for row in rows],
                "transaction_ids": [row["transaction_id"] for row in rows],
                "contract_ids": [row["contract_id"] for row in rows],
                "metric_ids": [row["metric_id"] for row in rows],
                "timestamps": [row["timestamp"] for row in rows],
                "quantities": [row["quantity"] for row in rows],
                "properties": [
                    None if row["properties"] is None else json.dumps(row["properties"], default=str)
                    for row in rows
                ],
            },
        )
    else:
        table = UsageEvent.__table__
        statement = insert_ignoring_conflicts(table, "customer_id", "transaction_id").returning(
            table.c.customer_id, table.c.transaction_id
        )
        result = db.session.execute(statement, rows)
    return {(customer_id, transaction_id) for customer_id, transaction_id in result}


def store_usage_events(
    rows: Iterable[dict[str, Any]], invoiced: InvoicedMonths, now: datetime | None = None
) -> int:
    """Insert checked rows; a customer transaction id already stored (or being stored by a concurrent
    request) is skipped by the database. Returns how many were new. `invoiced` tells which of their
    months have an invoice already: the new events of those months are marked as revisions."""
    rows = list(rows)
    if not rows:
        return 0
    stored = _insert_new(rows)
    _mark_revisions(
        [row for row in rows if (row["customer_id"], row["transaction_id"]) in stored],
        now or clock.now(),
        invoiced,
    )
    return len(stored)


def record_usage(
    body: Any, customer_scope: int | None, now: datetime, invoiced: InvoicedMonths
) -> tuple[int, int]:
    """Check a request body of usage events and store the new ones: (accepted, duplicates).

    One bad event refuses the whole batch (Invalid, errors keyed by index) and nothing is stored.
    """
    try:
        events = batch_events(body)
        rows, repeats = check_batch(
            events, _contracts(requested_contract_ids(events)), _metrics(), customer_scope, now
        )
    except BatchInvalid as invalid:
        fields = ", ".join(sorted(invalid.errors))
        raise Invalid(
            f"The usage batch was refused, nothing was stored: {fields}.", invalid.errors
        ) from invalid
    accepted = store_usage_events(rows, invoiced, now)
    return accepted, repeats + len(rows) - accepted

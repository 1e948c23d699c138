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
from daas.db import insert_new_rows, is_one_of, upsert
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
            is_one_of(Contract.id, ids)
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
    if not marks:
        return
    marks = sorted(marks)  # in key order, as events are inserted: concurrent batches lock them in turn
    if db.session.get_bind().dialect.name == "postgresql":
        contract_ids, metric_ids, months = (list(column) for column in zip(*marks, strict=True))
        db.session.execute(
            _UNNEST_REVISIONS,
            {"contract_ids": contract_ids, "metric_ids": metric_ids, "months": months},
        )
        return
    statement = upsert(UsageRevision.__table__, ["contract_id", "metric_id", "period_start"], ["received_at"])
    db.session.execute(
        statement.values(received_at=func.now()),
        [{"contract_id": c, "metric_id": m, "period_start": p} for c, m, p in marks],
    )


# The months' marks in one statement of three arrays on PostgreSQL, rather than a statement per mark. A
# mark renewed less than a minute ago is left as it is: batch after batch of one month would otherwise
# rewrite (and lock, one request after another) the same rows, and a billing run reads marks with an hour
# of margin (LATE_USAGE_MARGIN in daas.billing.measure), so a mark a minute old still says the same.
_UNNEST_REVISIONS = text("""
    INSERT INTO usage_revisions (contract_id, metric_id, period_start, received_at)
    SELECT marks.contract_id, marks.metric_id, marks.period_start, now() FROM unnest(
        CAST(:contract_ids AS integer[]), CAST(:metric_ids AS integer[]), CAST(:months AS date[]))
        AS marks (contract_id, metric_id, period_start)
    WHERE NOT EXISTS (
        SELECT 1 FROM usage_revisions AS known
        WHERE known.contract_id = marks.contract_id AND known.metric_id = marks.metric_id
            AND known.period_start = marks.period_start AND known.received_at > now() - interval '1 minute')
    ON CONFLICT (contract_id, metric_id, period_start) DO UPDATE SET received_at = excluded.received_at
""")


def _insert_new(rows: list[dict[str, Any]]) -> set[tuple[int, str]]:
    """Insert the rows, skipping known (customer, transaction id) keys; return the keys inserted.

    On PostgreSQL the batch goes by COPY into a temporary table and from there in one INSERT ... SELECT
    ... ON CONFLICT DO NOTHING (`insert_new_rows`): nothing to render or parse per row. Rows go in sorted
    by that key: two requests that share keys in different orders would otherwise wait on each other's
    uncommitted keys, and PostgreSQL would end one of them as a deadlock.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        rows = [
            {**row, "properties": None if row["properties"] is None else json.dumps(row["properties"])}
            for row in rows
        ]
    table = UsageEvent.__table__
    inserted = insert_new_rows(
        table, rows, ["customer_id", "transaction_id"], [table.c.customer_id, table.c.transaction_id]
    )
    return {(customer_id, transaction_id) for customer_id, transaction_id in inserted}


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

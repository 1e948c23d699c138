"""Ingestion's floor: the same events, in the same batches, inserted straight into PostgreSQL.

Each batch goes as one multi-row `INSERT ... VALUES ... ON CONFLICT (customer_id, transaction_id) DO
NOTHING`, committed, from as many connections as the HTTP bench has clients, into `usage_floor`: a table
like `usage_events` (its columns, defaults, indexes, unique key and foreign keys), empty at the start as
`usage_events` was. No HTTP, no authentication, no checks: what the database alone needs to store them.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator

import psycopg
from sqlalchemy.engine import make_url

COLUMNS = "customer_id, transaction_id, contract_id, metric_id, timestamp, quantity, properties"


def event_rows(
    events: Iterable[dict], customer_of: dict[int, int], metric_ids: dict[str, int]
) -> Iterator[tuple]:
    """The bench's events as rows of COLUMNS, one at a time (the scaling run streams ten million)."""
    for event in events:
        yield (
            customer_of[event["contract_id"]],
            event["transaction_id"],
            event["contract_id"],
            metric_ids[event["metric"]],
            event["timestamp"],
            event.get("quantity", "1"),
            json.dumps(event["properties"]) if "properties" in event else None,
        )


def insert_floor(
    url: str,
    batches: list[list[dict]],
    contracts: list[tuple[int, int]],
    metric_ids: dict[str, int],
    clients: int,
) -> float:
    """Events a second for the batches inserted straight into the database (see the module)."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    customer_of = dict(contracts)
    prepared = [list(event_rows(batch, customer_of, metric_ids)) for batch in batches]
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS usage_floor")
        connection.execute("CREATE TABLE usage_floor (LIKE usage_events INCLUDING ALL)")
        for column, target in (
            ("customer_id", "customers"),
            ("contract_id", "contracts"),
            ("metric_id", "metrics"),
        ):
            connection.execute(f"ALTER TABLE usage_floor ADD FOREIGN KEY ({column}) REFERENCES {target} (id)")
    queue = list(reversed(prepared))
    lock = threading.Lock()

    def worker() -> None:
        with psycopg.connect(dsn) as connection:
            while True:
                with lock:
                    if not queue:
                        return
                    rows = queue.pop()
                values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
                connection.execute(
                    f"INSERT INTO usage_floor ({COLUMNS}) VALUES {values} "
                    "ON CONFLICT (customer_id, transaction_id) DO NOTHING",
                    [value for row in rows for value in row],
                )
                connection.commit()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    with psycopg.connect(dsn, autocommit=True) as connection:
        stored = connection.execute("SELECT count(*) FROM usage_floor").fetchone()[0]
        connection.execute("DROP TABLE usage_floor")
    return stored / seconds

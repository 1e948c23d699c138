"""Usage ingestion under concurrent requests (threads, real commits, PostgreSQL): a customer transaction id
is stored once however many requests carry it at the same moment, and a refused batch stores nothing
while a good batch sharing its transaction ids stores all of its events."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, insert, select

from daas.core import clock
from daas.extensions import db
from daas.usage.models import UsageEvent
from tests import factories
from tests.processes import TIMEOUT, sessions_waiting_for_a_lock, wait_until

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Meter:
    token: str
    customer_id: int
    contract_id: int
    metric_id: int
    metric: str


def set_up(app: Flask) -> Meter:
    """A customer with a contract on a metered plan, and a customer token."""
    with app.app_context(), clock.frozen(NOW):
        metric = factories.metric(name="Express swaps", aggregation="sum")
        charge = {"kind": "metered", "metric": metric.code, "model": "per_unit", "unit_amount": Decimal(49)}
        plan = factories.plan(charges=[charge])
        contract = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
        token = factories.token("customer", contract.customer_id)
        db.session.commit()
        return Meter(token, contract.customer_id, contract.id, metric.id, metric.code)


def event(meter: Meter, prefix: str, n: int) -> dict[str, Any]:
    """The same transaction id always carries the same event, whichever batch sends it."""
    return {
        "transaction_id": f"{prefix}-{n}",
        "contract_id": meter.contract_id,
        "metric": meter.metric,
        "timestamp": f"2026-10-{1 + n % 28:02d}T08:30:00Z",
        "quantity": str(1 + n % 3),
        "properties": {"ticket": f"T{n}"},
    }


def events(meter: Meter, prefix: str, numbers: Sequence[int]) -> list[dict[str, Any]]:
    return [event(meter, prefix, n) for n in numbers]


@contextmanager
def posting(app: Flask, token: str, batches: Sequence[list[dict[str, Any]]]) -> Iterator[list[Any]]:
    """POST each batch from its own thread (own app context and session), let go at once by a barrier.
    The yielded list holds (status, body) per batch once the block has ended (it waits for every thread)."""
    barrier = threading.Barrier(len(batches))
    outcomes: list[Any] = [None] * len(batches)

    def post(index: int, batch: list[dict[str, Any]]) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=TIMEOUT)
            response = client.post(
                "/api/v1/usage-events",
                json={"events": batch},
                headers={"Authorization": f"Bearer {token}"},
            )
            outcomes[index] = (response.status_code, response.get_json())
        except Exception as error:  # reported by the assertions on the outcomes
            outcomes[index] = (None, repr(error))

    threads = [threading.Thread(target=post, args=(i, b), daemon=True) for i, b in enumerate(batches)]
    with clock.frozen(NOW):
        for thread in threads:
            thread.start()
        try:
            yield outcomes
        finally:
            for thread in threads:
                thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a request did not finish"


def post_together(app: Flask, token: str, batches: Sequence[list[dict[str, Any]]]) -> list[Any]:
    with posting(app, token, batches) as outcomes:
        pass
    return outcomes


def stored(app: Flask, prefix: str) -> tuple[Counter[str], Decimal]:
    """Rows per transaction id with this prefix, and their total quantity."""
    with app.app_context():
        where = UsageEvent.transaction_id.like(f"{prefix}-%")
        ids = Counter(db.session.scalars(select(UsageEvent.transaction_id).where(where)))
        total = db.session.scalar(select(func.coalesce(func.sum(UsageEvent.quantity), 0)).where(where))
        return ids, Decimal(total)


def quantity(batch: Sequence[dict[str, Any]]) -> Decimal:
    return sum((Decimal(event["quantity"]) for event in batch), Decimal(0))


def test_one_transaction_id_is_stored_once_whatever_posts_it_at_the_same_time(committed):
    app = committed
    meter = set_up(app)

    for round_ in range(3):  # a few rounds: the race must never store a transaction twice or lose one
        prefix = f"r{round_}"
        same = events(meter, prefix, range(200))
        overlapping = events(meter, prefix, range(100, 300))
        tail = events(meter, prefix, [*range(250, 350), 260])  # overlaps, and repeats one of its own
        batches = [same] * 6 + [overlapping] * 2 + [tail]
        distinct = {event["transaction_id"]: event for batch in batches for event in batch}

        outcomes = post_together(app, meter.token, batches)

        assert [status for status, _ in outcomes] == [202] * len(batches), outcomes
        bodies = [body for _, body in outcomes]
        assert sum(body["accepted"] for body in bodies) == len(distinct) == 350
        assert sum(body["accepted"] + body["duplicates"] for body in bodies) == sum(map(len, batches))
        assert bodies[-1]["accepted"] + bodies[-1]["duplicates"] == 101
        rows, total = stored(app, prefix)
        assert rows == dict.fromkeys(distinct, 1)  # exactly one row per distinct transaction id
        assert total == quantity(list(distinct.values()))


def test_a_refused_batch_stores_nothing_while_a_good_one_sharing_its_ids_stores_all(committed):
    app = committed
    meter = set_up(app)

    for round_ in range(3):
        prefix = f"r{round_}"
        bad = events(meter, prefix, range(200))
        bad[150] = {**bad[150], "metric": "no_such_metric"}
        good = events(meter, prefix, range(100, 300))  # shares 100-199 with the bad batch
        batches = [bad, good] * 3

        outcomes = post_together(app, meter.token, batches)

        refused, accepted = outcomes[0::2], outcomes[1::2]
        assert [status for status, _ in refused] == [422] * 3, refused
        for _, body in refused:
            assert body["errors"] == {"events": {"150": {"metric": ["Unknown metric 'no_such_metric'."]}}}
        assert [status for status, _ in accepted] == [202] * 3, accepted
        assert sum(body["accepted"] for _, body in accepted) == len(good)
        assert sum(body["duplicates"] for _, body in accepted) == 2 * len(good)
        rows, total = stored(app, prefix)
        assert rows == Counter(event["transaction_id"] for event in good)  # none of the bad batch's 0-99
        assert total == quantity(good)


def test_batches_with_the_same_ids_in_opposite_orders_do_not_deadlock(committed):
    app = committed
    meter = set_up(app)
    ascending = events(meter, "o", range(200))
    descending = ascending[::-1]

    # Another transaction holds the middle id uncommitted: the ascending request stops there holding 0-99,
    # the descending one holding 199-101. When it commits, each needs what the other holds.
    middle = {
        **event(meter, "o", 100),
        "customer_id": meter.customer_id,
        "metric_id": meter.metric_id,
        "timestamp": datetime.fromisoformat(ascending[100]["timestamp"]),
        "quantity": Decimal(ascending[100]["quantity"]),
    }
    del middle["metric"]
    with app.app_context(), db.engine.connect() as connection:
        holding = connection.begin()
        connection.execute(insert(UsageEvent.__table__), [middle])
        with posting(app, meter.token, [ascending, descending]) as outcomes:
            wait_until(lambda: sessions_waiting_for_a_lock(app) >= 2, "both requests to wait", timeout=10)
            holding.commit()

    assert [status for status, _ in outcomes] == [202, 202], outcomes
    assert sum(body["accepted"] for _, body in outcomes) == 199
    rows, _ = stored(app, "o")
    assert rows == Counter(event["transaction_id"] for event in ascending)

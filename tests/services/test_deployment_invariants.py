"""The database itself keeps a device on one contract per day and the chain of custody append-only,
whatever the application code does; on PostgreSQL two concurrent deployments cannot both win."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from daas.contracts.models import Deployment
from daas.contracts.services import deploy_device
from daas.core import clock
from daas.core.errors import Conflict
from daas.extensions import db
from tests import factories


def _insert(device_id: int, contract_id: int, start: date, end: date | None) -> None:
    db.session.add(Deployment(device_id=device_id, contract_id=contract_id, start_date=start, end_date=end))
    db.session.flush()


@pytest.fixture
def two_contracts(database, today):
    plan = factories.plan()
    device = factories.device()
    first = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
    second = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
    return device, first, second


@pytest.mark.parametrize(
    ("existing", "new"),
    [
        ((date(2026, 1, 1), None), (date(2026, 3, 1), None)),  # two open deployments
        ((date(2026, 1, 1), date(2026, 2, 1)), (date(2026, 1, 31), date(2026, 3, 1))),  # one shared day
        ((date(2026, 2, 1), date(2026, 3, 1)), (date(2026, 1, 1), None)),  # the new one covers the old
    ],
)
def test_overlapping_deployments_are_refused_by_the_database(two_contracts, existing, new):
    device, first, second = two_contracts
    _insert(device.id, first.id, *existing)
    with pytest.raises(IntegrityError):
        _insert(device.id, second.id, *new)
    db.session.rollback()


@pytest.mark.parametrize(
    ("existing", "new"),
    [
        (
            (date(2026, 1, 1), date(2026, 2, 1)),
            (date(2026, 2, 1), None),
        ),  # picked up on the day the next starts
        (
            (date(2026, 3, 2), date(2026, 3, 2)),
            (date(2026, 3, 2), None),
        ),  # a zero-day deployment holds no day
    ],
)
def test_adjacent_and_empty_deployments_are_accepted(two_contracts, existing, new):
    device, first, second = two_contracts
    _insert(device.id, first.id, *existing)
    _insert(device.id, second.id, *new)
    assert db.session.query(Deployment).filter_by(device_id=device.id).count() == 2


def test_the_chain_of_custody_cannot_be_rewritten(database, today):
    device = factories.device()
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(
            text("UPDATE custody_events SET actor = 'someone else' WHERE device_id = :d"), {"d": device.id}
        )
    db.session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("DELETE FROM custody_events WHERE device_id = :d"), {"d": device.id})
    db.session.rollback()


def _race(app, workers):
    """Run each worker in its own thread, app context and database session, started together."""
    barrier = threading.Barrier(len(workers))
    outcomes: list[object] = [None] * len(workers)

    def run(index, work):
        with app.app_context():
            barrier.wait()
            try:
                work()
                db.session.commit()
                outcomes[index] = "ok"
            except (Conflict, IntegrityError) as error:
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
def test_two_concurrent_deployments_of_one_device_one_wins(committed):
    app = committed
    with app.app_context(), clock.frozen(date(2026, 11, 15)):
        plan = factories.plan()
        device = factories.device()
        contracts = [factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1)) for _ in range(2)]
        db.session.commit()
        serial, ids = device.serial, [c.id for c in contracts]

    for _ in range(5):  # a few rounds: the race must never let both through
        outcomes = _race(
            app, [lambda cid=cid: deploy_device(cid, serial, date(2026, 2, 1), "race") for cid in ids]
        )
        assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
        assert all(o == "ok" or isinstance(o, Conflict | IntegrityError) for o in outcomes)
        with app.app_context():
            rows = db.session.query(Deployment).all()
            assert len(rows) == 1
            db.session.execute(text("DELETE FROM deployments"))
            db.session.execute(text("UPDATE devices SET status = 'in_stock', lives = 0"))
            db.session.commit()


@pytest.mark.postgres
def test_the_exclusion_constraint_holds_under_concurrent_raw_inserts(committed):
    """Without the service's row lock, the exclusion constraint alone keeps the second insert out."""
    app = committed
    with app.app_context():
        plan = factories.plan()
        device = factories.device()
        contracts = [factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1)) for _ in range(2)]
        db.session.commit()
        device_id, ids = device.id, [c.id for c in contracts]

    outcomes = _race(app, [lambda cid=cid: _insert(device_id, cid, date(2026, 2, 1), None) for cid in ids])
    assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
    with app.app_context():
        assert db.session.query(Deployment).count() == 1

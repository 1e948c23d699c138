"""`flask daas orders allocate` and the daily `allocate_backorders` job: one round over the waiting orders,
committed, with what it did; and the job's schedule, declared and overridable like every job's."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from config import load_settings
from daas.core.jobs import JobContext
from daas.extensions import db
from daas.jobs.orders import allocate_backorders_job
from daas.orders.models import Order
from daas.scheduler.registry import job_settings
from daas.usecases.orders import place_order
from tests.helpers import settings_of
from tests.order_helpers import line, order_world, person, stock


def _waiting(world, count):
    ada = person(world["customer"].id)
    return [
        place_order(
            world["contract"].id, [line(world["model"].sku, 1, ada.id)], date(2026, 11, 20), "tests"
        ).id
        for _ in range(count)
    ]


def test_the_command_serves_the_oldest_orders_first_and_says_what_it_did(app, database, today):
    world = order_world()
    first, second = _waiting(world, 2)
    stock(world["model"].sku, date(2026, 10, 1))
    result = app.test_cli_runner().invoke(args=["daas", "orders", "allocate"])
    assert result.exit_code == 0, result.output
    assert result.output == "Allocation: allocated: 1, backordered: 1, failed: 0\n"
    db.session.rollback()  # the command committed its round
    statuses = dict(db.session.execute(select(Order.id, Order.status)).all())
    assert statuses == {first: "allocated", second: "backordered"}
    again = app.test_cli_runner().invoke(args=["daas", "orders", "allocate"])
    assert again.output == "Allocation: allocated: 0, backordered: 1, failed: 0\n"


def test_the_job_runs_the_round_as_the_scheduler(app, database, today):
    world = order_world()
    [order_id] = _waiting(world, 1)
    device = stock(world["model"].sku, date(2026, 10, 1))
    counts = allocate_backorders_job(JobContext(settings_of(app), datetime(2026, 11, 15, 5, tzinfo=UTC)))
    assert counts == {"allocated": 1, "backordered": 0, "failed": 0, "errors": []}
    db.session.rollback()
    event = db.session.get(type(device), device.id).events[-1]
    assert (event.action, event.actor, event.reference) == ("allocate", "scheduler", f"order {order_id}")


def test_the_job_is_daily_by_default_and_its_schedule_is_a_setting():
    default = {s.declared.name: s for s in job_settings(load_settings("testing", {}))}["allocate_backorders"]
    assert (default.schedule, default.grace.days, default.off_because) == ("0 5 * * *", 1, None)
    environ = {"DAAS_SCHEDULE_ALLOCATE_BACKORDERS": "off", "DAAS_GRACE_ALLOCATE_BACKORDERS": "3600"}
    changed = {s.declared.name: s for s in job_settings(load_settings("testing", environ))}[
        "allocate_backorders"
    ]
    assert changed.off_because == "DAAS_SCHEDULE_ALLOCATE_BACKORDERS is off"
    assert changed.grace.total_seconds() == 3600

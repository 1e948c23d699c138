"""Migration 0014 on a database with contracts and billed usage: every contract gets its plan from its
start date, billed usage its window (the period's first day) in its key, invoice lines keep their guards;
going back sums a period's windows into one row per metric. On SQLite and, when the suite runs there, on a
scratch PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from daas import create_app
from daas.extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL

BEFORE, AFTER = "0013_orders", "0014_plan_history"


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL runs with DAAS_TEST_DATABASE_URL")
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_migration_0014"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _quantity(sqlite: bool, value: str) -> object:
    """A quantity as the database keeps it: a whole number of millionths on SQLite."""
    return int(Decimal(value).scaleb(6)) if sqlite else Decimal(value)


def _rows_before(connection, sqlite: bool) -> None:
    connection.execute(
        text(
            "INSERT INTO customers (id, name, country, currency, billing_email, payment_terms_days) "
            "VALUES (1, 'Acme B.V.', 'NL', 'EUR', 'ap@acme.example', 30)"
        )
    )
    connection.execute(
        text(
            "INSERT INTO plans (id, code, name, currency, term_months, refresh_cycle_months) "
            "VALUES (1, 'std', 'Standard', 'EUR', 36, 36), (2, 'pro', 'Pro', 'EUR', 36, 36)"
        )
    )
    connection.execute(
        text("INSERT INTO metrics (id, code, name, aggregation) VALUES (1, 'tickets', 'T', 'count')")
    )
    connection.execute(
        text(
            "INSERT INTO contracts (id, customer_id, plan_id, start_date, end_date, reference) "
            "VALUES (7, 1, 1, '2026-01-01', '2029-01-01', 'C-000007'), "
            "(8, 1, 2, '2026-03-15', '2027-03-15', 'C-000008')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO invoices (id, contract_id, customer_id, period, status, number, currency, "
            "subtotal, tax_rate, tax_amount, total, credited, amount_paid, amount_due, customer_name, "
            "customer_country, customer_email) VALUES (1, 7, 1, '2026-10', 'open', 'INV-2026-000001', "
            "'EUR', 0, 0, 0, 0, 0, 0, 0, 'Acme B.V.', 'NL', 'ap@acme.example')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO billed_usage (contract_id, metric_id, period_start, quantity, invoice_id, "
            "measured_at) VALUES (7, 1, '2026-10-01', :quantity, 1, '2026-11-01 00:00:00')"
        ),
        {"quantity": _quantity(sqlite, "13")},
    )


def _day(value: object) -> object:
    """A date as raw SQL reads it: text on SQLite."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return date.fromisoformat(value)
    return value


def _guards(connection, sqlite: bool) -> set[str]:
    if sqlite:
        return set(
            connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
        )
    return set(connection.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())


def test_contracts_get_their_plan_and_billed_usage_its_window(scratch_url):
    sqlite = scratch_url.startswith("sqlite")
    app = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url}, env="testing")
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            _rows_before(connection, sqlite)
            guards_before = _guards(connection, sqlite)
        upgrade(revision=AFTER)
        with db.engine.connect() as connection:
            plans = connection.execute(
                text(
                    "SELECT contract_id, plan_id, starts_on, ends_on, minimum_monthly_amount, created_by "
                    "FROM contract_plans ORDER BY contract_id"
                )
            ).all()
            billed = connection.execute(text("SELECT period_start, window_start FROM billed_usage")).all()
            assert _guards(connection, sqlite) == guards_before
        assert [tuple(_day(value) for value in row) for row in plans] == [
            (7, 1, date(2026, 1, 1), None, None, "migration 0014_plan_history"),
            (8, 2, date(2026, 3, 15), None, None, "migration 0014_plan_history"),
        ]
        assert [tuple(_day(value) for value in row) for row in billed] == [
            (date(2026, 10, 1), date(2026, 10, 1))
        ]
        inspector = inspect(db.engine)
        assert inspector.get_pk_constraint("billed_usage")["constrained_columns"] == [
            "contract_id",
            "metric_id",
            "period_start",
            "window_start",
        ]
        assert {"plan_code", "usage_window_start"} <= {
            c["name"] for c in inspector.get_columns("invoice_lines")
        }
        if not sqlite:
            with db.engine.connect() as connection:
                exclusions = connection.execute(
                    text("SELECT conname FROM pg_constraint WHERE contype = 'x' ORDER BY conname")
                ).scalars()
                assert list(exclusions) == ["ex_contract_plans_days", "ex_deployments_device_days"]
        with pytest.raises(DBAPIError), db.engine.begin() as connection:  # one open plan per contract
            connection.execute(
                text(
                    "INSERT INTO contract_plans (contract_id, plan_id, starts_on, created_by) "
                    "VALUES (7, 2, '2026-12-01', 'test')"
                )
            )
        with db.engine.begin() as connection:  # a second window of October
            connection.execute(
                text(
                    "INSERT INTO billed_usage (contract_id, metric_id, period_start, window_start, quantity, "
                    "invoice_id, measured_at) VALUES (7, 1, '2026-10-01', '2026-10-10', :quantity, 1, "
                    "'2026-11-01 00:00:00')"
                ),
                {"quantity": _quantity(sqlite, "4")},
            )

        downgrade(revision=BEFORE)
        inspector = inspect(db.engine)
        assert "contract_plans" not in inspector.get_table_names()
        assert not {"plan_code", "usage_window_start"} & {
            c["name"] for c in inspector.get_columns("invoice_lines")
        }
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT period_start, quantity FROM billed_usage")).all()
            assert _guards(connection, sqlite) == guards_before
        assert [
            (row[0] if isinstance(row[0], date) else date.fromisoformat(row[0]), row[1]) for row in rows
        ] == [(date(2026, 10, 1), _quantity(sqlite, "17"))]
        db.engine.dispose()

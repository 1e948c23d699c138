"""Migration 0017 (the `sold` state, the ledger's transferred figures) on a database with rows: a device
may be sold after it and ledger rows written before it read 0 transferred; the append-only guards of
custody events and ledger rows stay; going back refuses while a sold device exists, and otherwise
restores the checks of 0013. On SQLite and, when the suite runs there, on a scratch PostgreSQL
database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from daas import create_app
from daas.extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL

BEFORE, AFTER = "0016_contract_renewal", "0017_device_sold"


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL runs with DAAS_TEST_DATABASE_URL")
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_migration_0017"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _rows_before(connection) -> None:
    """A device deployed on a contract, with its custody events and a closed month of the ledger."""
    statements = (
        "INSERT INTO customers (id, name, country, currency, billing_email, payment_terms_days) "
        "VALUES (1, 'Acme B.V.', 'NL', 'EUR', 'ap@acme.example', 30)",
        "INSERT INTO plans (id, code, name, currency, term_months, refresh_cycle_months) "
        "VALUES (1, 'std', 'Standard', 'EUR', 36, 36)",
        "INSERT INTO contracts (id, customer_id, plan_id, start_date, end_date, reference) "
        "VALUES (1, 1, 1, '2026-01-01', '2029-01-01', 'C-000001')",
        "INSERT INTO device_models (id, sku, name, category, manufacturer, weight_kg, embodied_co2e_kg, "
        "use_kwh_per_year, expected_lifetime_months) "
        "VALUES (1, 'LAT', 'Latitude', 'laptop', 'Dell', 1, 1, 1, 48)",
        "INSERT INTO devices (id, serial, device_model_id, status, lives) "
        "VALUES (1, 'SN-1', 1, 'deployed', 1)",
        "INSERT INTO custody_events (id, device_id, seq, action, from_status, to_status, occurred_on, "
        "recorded_at, actor) VALUES (1, 1, 1, 'deploy', 'in_stock', 'deployed', '2026-01-01', "
        "'2026-01-01 09:00:00', 'tests')",
        "INSERT INTO impact_period_closes (period, parameter_set_id) VALUES ('2026-01', 1)",
        "INSERT INTO impact_ledger_rows (id, period, device_id, contract_id, parameter_set_id, life, "
        "service_days, allocated_co2e_kg, allocated_mass_kg, avoided_co2e_kg, avoided_ewaste_kg, "
        "certified_recycled_kg, unmanaged_ewaste_avoided_kg, use_phase_kwh, balance_co2e_kg, "
        "balance_mass_kg) VALUES (1, '2026-01', 1, 1, 1, 1, 31, 0, 0, 0, 0, 0, 0, 0, 1, 1)",
    )
    for statement in statements:
        connection.execute(text(statement))


def _sell(connection) -> None:
    connection.execute(text("UPDATE devices SET status = 'sold' WHERE id = 1"))
    connection.execute(
        text(
            "INSERT INTO custody_events (id, device_id, seq, action, from_status, to_status, occurred_on, "
            "recorded_at, actor, contract_id, reference) VALUES (2, 1, 2, 'sell', 'deployed', 'sold', "
            "'2026-02-01', '2026-02-01 09:00:00', 'tests', 1, 'buy-out charge 1')"
        )
    )


def _refused(connection, statement: str) -> bool:
    try:
        with connection.begin_nested():
            connection.execute(text(statement))
    except DBAPIError:
        return True
    return False


def test_a_device_can_be_sold_after_0017_and_going_back_waits_until_none_is(scratch_url, capfd):
    app = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url}, env="testing")
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            _rows_before(connection)
            assert _refused(connection, "UPDATE devices SET status = 'sold' WHERE id = 1")

        upgrade(revision=AFTER)
        with db.engine.begin() as connection:
            transferred = connection.execute(
                text("SELECT transferred_co2e_kg, transferred_mass_kg FROM impact_ledger_rows WHERE id = 1")
            ).one()
            assert tuple(transferred) == (0, 0)  # rows written before read 0 transferred
            _sell(connection)
            # The guards of 0002 and 0005 are still there: neither table was rebuilt.
            assert _refused(connection, "UPDATE custody_events SET actor = 'x' WHERE id = 2")
            assert _refused(connection, "UPDATE impact_ledger_rows SET service_days = 0 WHERE id = 1")
            assert _refused(connection, "DELETE FROM impact_ledger_rows WHERE id = 1")
            assert _refused(connection, "UPDATE devices SET status = 'given_away' WHERE id = 1")

        with pytest.raises(SystemExit):  # flask_migrate reports the migration's RuntimeError and exits
            downgrade(revision=BEFORE)
        assert "Cannot go back before 0017_device_sold: devices have been sold" in capfd.readouterr().err
        with db.engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            assert version == AFTER
        db.engine.dispose()


def test_going_back_from_0017_restores_the_checks_and_drops_the_columns(scratch_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url}, env="testing")
    with app.app_context():
        upgrade(revision=AFTER)
        with db.engine.begin() as connection:
            _rows_before(connection)
        downgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            assert _refused(connection, "UPDATE devices SET status = 'sold' WHERE id = 1")
            assert _refused(connection, "SELECT transferred_co2e_kg FROM impact_ledger_rows")
            assert _refused(connection, "UPDATE impact_ledger_rows SET service_days = 0 WHERE id = 1")
            assert connection.execute(text("SELECT service_days FROM impact_ledger_rows")).scalar() == 31
        upgrade()
        db.engine.dispose()

"""Migration 0018 (list values, floor shares, buy-out quotes, end-of-term choices) on a database with a
device model: the model keeps its row and reads no floor share (the default), the floor share's CHECK
takes 0 to 1 and refuses more, list values are more than 0 and one per currency;
going back drops the tables and the column and leaves device_models as 0017 had it. On SQLite and, when the
suite runs there, on a scratch PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from daas import create_app
from daas.extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL

BEFORE, AFTER = "0017_device_sold", "0018_buy_out"
TABLES = {"device_model_list_values", "buy_out_quotes", "end_of_term_choices", "end_of_term_extensions"}


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL runs with DAAS_TEST_DATABASE_URL")
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_migration_0018"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _model(connection) -> None:
    connection.execute(
        text(
            "INSERT INTO device_models (id, sku, name, category, manufacturer, weight_kg, embodied_co2e_kg, "
            "use_kwh_per_year, expected_lifetime_months) "
            "VALUES (1, 'LAT', 'Latitude', 'laptop', 'Dell', 1, 1, 1, 48)"
        )
    )


def _refused(connection, statement: str) -> bool:
    try:
        with connection.begin_nested():
            connection.execute(text(statement))
    except DBAPIError:
        return True
    return False


def _share(dialect: str, share: str) -> str:
    """The floor share as the column stores it: whole ten-thousandths on SQLite (daas.db)."""
    return str(int(float(share) * 10000)) if dialect == "sqlite" else share


def test_0018_adds_the_floor_share_in_place_and_the_tables_with_their_checks(scratch_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url}, env="testing")
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            _model(connection)
        upgrade(revision=AFTER)
        dialect = db.engine.dialect.name
        with db.engine.begin() as connection:
            assert connection.execute(text("SELECT floor_share FROM device_models")).scalar() is None
            update = "UPDATE device_models SET floor_share = {} WHERE id = 1"
            assert not _refused(connection, update.format(_share(dialect, "0.25")))
            assert not _refused(connection, update.format(_share(dialect, "1")))
            assert _refused(connection, update.format(_share(dialect, "1.5")))
            assert _refused(connection, update.format(_share(dialect, "-0.1")))
            value = (
                "INSERT INTO device_model_list_values (device_model_id, currency, amount) "
                "VALUES (1, '{}', {})"
            )
            assert not _refused(connection, value.format("EUR", 125000 if dialect == "sqlite" else "1250.00"))
            assert _refused(connection, value.format("USD", 0))
            assert _refused(connection, value.format("EUR", 1))  # one list value per currency
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        if dialect == "sqlite":  # device_models was not rebuilt: no table of 0017 lost its guards
            with db.engine.connect() as connection:
                triggers = set(
                    connection.execute(
                        text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                    ).scalars()
                )
            assert {"custody_events_no_update", "impact_ledger_rows_no_delete"} <= triggers

        downgrade(revision=BEFORE)
        assert not TABLES & set(inspect(db.engine).get_table_names())
        assert "floor_share" not in {
            column["name"] for column in inspect(db.engine).get_columns("device_models")
        }
        with db.engine.begin() as connection:
            assert connection.execute(text("SELECT sku FROM device_models")).scalar() == "LAT"
            if dialect == "sqlite":
                stored = connection.execute(
                    text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'device_models'")
                ).scalar()
                assert "floor_share" not in stored
        upgrade()
        db.engine.dispose()

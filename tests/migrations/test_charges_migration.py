"""Migration 0015 on SQLite, both ways: invoice lines gain `charge_id` and the `one_off` kind in place (the
table keeps its guards), and going back rebuilds them with their guards and the old kinds."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from daas import create_app
from daas.extensions import db

LINE_GUARDS = {"invoice_lines_frozen_insert", "invoice_lines_frozen_update", "invoice_lines_frozen_delete"}


def _stored(connection, table: str) -> str:
    return connection.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": table}
    ).scalar_one()


def _triggers(connection) -> set[str]:
    return set(connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())


def test_the_charges_migration_goes_down_and_up_again_keeping_the_guards(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}"}, env="testing")
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            assert "'late_usage', 'one_off')" in _stored(connection, "invoice_lines")
            assert "'one_off', 'credit')" in _stored(connection, "credit_note_lines")
            events = {"charge_events_no_update", "charge_events_no_delete"}
            assert _triggers(connection) >= LINE_GUARDS | events
        assert "charge_id" in {column["name"] for column in inspect(db.engine).get_columns("invoice_lines")}

        downgrade(revision="0015_one_off_charges")  # the later revisions first
        downgrade(revision="-1")
        with db.engine.connect() as connection:
            lines = _stored(connection, "invoice_lines")
            assert "'late_usage')" in lines and "one_off" not in lines and "charge_id" not in lines
            assert "one_off" not in _stored(connection, "credit_note_lines")
            triggers = _triggers(connection)
        assert triggers >= LINE_GUARDS and not {t for t in triggers if t.startswith("charge_events")}
        assert "one_off_charges" not in inspect(db.engine).get_table_names()

        upgrade()
        with db.engine.connect() as connection:
            assert "'late_usage', 'one_off')" in _stored(connection, "invoice_lines")
            assert _triggers(connection) >= LINE_GUARDS
        db.engine.dispose()

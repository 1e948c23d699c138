"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL.

The session's database was empty and built by `flask db upgrade` (see conftest), so comparing it with
the models checks the migrations themselves.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from daas import create_app
from daas.extensions import db
from tests.conftest import ON_POSTGRES


def test_upgraded_database_matches_the_models(database):
    connection = db.session.connection()
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": False}
    )
    assert compare_metadata(context, db.metadata) == []


def test_database_guards_exist(database):
    connection = db.session.connection()
    if ON_POSTGRES:
        exclusions = (
            "SELECT conname FROM pg_constraint WHERE contype = 'x' AND conrelid = 'deployments'::regclass"
        )
        assert connection.execute(text(exclusions)).scalars().all() == ["ex_deployments_device_days"]
        own = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname"
        assert connection.execute(text(own)).scalars().all() == [
            "charge_events_append_only",
            "credit_note_lines_append_only",
            "credit_notes_append_only",
            "custody_events_append_only",
            "impact_ledger_rows_append_only",
            "invoice_lines_frozen",
            "invoices_frozen",
            "issued_documents_append_only",
            "payments_append_only",
        ]
    else:
        triggers = set(
            connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
        )
        assert triggers == {
            "deployments_no_overlap_insert",
            "deployments_no_overlap_update",
            "custody_events_no_update",
            "custody_events_no_delete",
            "invoices_frozen_update",
            "invoices_frozen_delete",
            "invoice_lines_frozen_insert",
            "invoice_lines_frozen_update",
            "invoice_lines_frozen_delete",
            "credit_notes_no_update",
            "credit_notes_no_delete",
            "credit_note_lines_no_update",
            "credit_note_lines_no_delete",
            "issued_documents_no_update",
            "issued_documents_no_delete",
            "payments_no_update",
            "payments_no_delete",
            "impact_ledger_rows_no_update",
            "impact_ledger_rows_no_delete",
            "charge_events_no_update",
            "charge_events_no_delete",
        }


def test_downgrade_and_upgrade_again_on_a_fresh_database(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}"}, env="testing")
    with app.app_context():
        upgrade()
        assert "deployments" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        assert "custody_events" in inspect(db.engine).get_table_names()
        db.engine.dispose()

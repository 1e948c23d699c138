"""Migration 0011 on a database with customers, contracts, issued invoices and credit notes: what the
existing rows had is carried over (the pickup address as the first address line, C-000123 references, a
credit note's net and VAT from its invoice's rate, one line per credit note), the guards still refuse
changes to issued invoices and credit notes, and going back restores the guards 0002 made. On SQLite and,
when the suite runs there, on a scratch PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from daas import create_app
from daas.extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL

BEFORE, AFTER = "0010_job_requests", "0011_documents"


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL runs with DAAS_TEST_DATABASE_URL")
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_migration_0011"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _scaled(sqlite: bool, value: str, scale: int) -> object:
    """How a decimal is written to the database: a whole number of its smallest unit on SQLite."""
    return int(Decimal(value).scaleb(scale)) if sqlite else Decimal(value)


def _rows_before(connection, sqlite: bool) -> None:
    money = lambda value: _scaled(sqlite, value, 2)  # noqa: E731
    connection.execute(
        text(
            "INSERT INTO customers "
            "(id, name, country, currency, billing_email, payment_terms_days, pickup_address) "
            "VALUES (1, 'Acme B.V.', 'NL', 'EUR', 'ap@acme.example', 30, 'Stationsplein 12, Utrecht'), "
            "(2, 'Globex', 'US', 'USD', 'ap@globex.example', 30, NULL)"
        )
    )
    connection.execute(
        text(
            "INSERT INTO plans (id, code, name, currency, term_months, refresh_cycle_months) "
            "VALUES (1, 'std', 'Standard', 'EUR', 36, 36)"
        )
    )
    connection.execute(
        text(
            "INSERT INTO contracts (id, customer_id, plan_id, start_date, end_date) "
            "VALUES (7, 1, 1, '2026-01-01', '2029-01-01'), (123, 1, 1, '2026-01-01', '2029-01-01'), "
            "(1234567, 1, 1, '2026-01-01', '2029-01-01')"
        )
    )
    connection.execute(
        text(
            """
            INSERT INTO invoices (id, contract_id, customer_id, period, status, number, currency, subtotal,
                tax_rate, tax_amount, total, credited, amount_paid, amount_due, customer_name,
                customer_country, customer_email, issued_on, due_date)
            VALUES (1, 7, 1, '2026-10', 'open', 'INV-2026-000001', 'EUR', :subtotal, :rate, :tax, :total,
                :credited, 0, :due, 'Acme B.V.', 'NL', 'ap@acme.example', '2026-11-01', '2026-12-01')
            """
        ),
        {
            "subtotal": money("500.00"),
            "rate": _scaled(sqlite, "0.21", 4),
            "tax": money("105.00"),
            "total": money("605.00"),
            "credited": money("121.00"),
            "due": money("484.00"),
        },
    )
    connection.execute(
        text(
            "INSERT INTO credit_notes "
            "(id, number, invoice_id, amount, currency, reason, status, issued_on, actor) "
            "VALUES (1, 'CN-2026-000001', 1, :amount, 'EUR', 'Goodwill', 'issued', '2026-11-05', 'finance')"
        ),
        {"amount": money("121.00")},
    )


def test_existing_rows_are_carried_over_and_the_guards_hold(scratch_url):
    sqlite = scratch_url.startswith("sqlite")
    app = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url}, env="testing")
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            _rows_before(connection, sqlite)
        upgrade(revision=AFTER)
        with db.engine.connect() as connection:
            customers = connection.execute(
                text("SELECT id, address_line1, postcode FROM customers ORDER BY id")
            ).all()
            references = connection.execute(text("SELECT id, reference FROM contracts ORDER BY id")).all()
            note = connection.execute(text("SELECT amount, net_amount, tax_amount FROM credit_notes")).one()
            lines = connection.execute(
                text(
                    "SELECT kind, description, quantity, price, base_quantity, amount FROM credit_note_lines"
                )
            ).all()
            invoice = connection.execute(
                text("SELECT contract_reference, customer_address_line1 FROM invoices")
            ).one()
        for statement in (
            "UPDATE credit_notes SET reason = 'changed'",
            "UPDATE credit_note_lines SET amount = 1",
            "UPDATE invoices SET contract_reference = 'C-999999'",
        ):
            with pytest.raises(DBAPIError), db.engine.begin() as connection:
                connection.execute(text(statement))
        downgrade(revision=BEFORE)
        with pytest.raises(DBAPIError), db.engine.begin() as connection:
            connection.execute(text("DELETE FROM invoices WHERE id = 1"))
        with pytest.raises(DBAPIError), db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO invoice_lines (invoice_id, position, kind, description, amount) "
                    "VALUES (1, 1, 'minimum_true_up', 'x', 1)"
                )
            )
        with db.engine.connect() as connection:
            amounts_after = connection.execute(text("SELECT amount FROM credit_notes")).scalars().all()
        db.engine.dispose()

    money = lambda value: _scaled(sqlite, value, 2)  # noqa: E731
    assert [tuple(row) for row in customers] == [(1, "Stationsplein 12, Utrecht", None), (2, None, None)]
    assert [tuple(row) for row in references] == [(7, "C-000007"), (123, "C-000123"), (1234567, "C-1234567")]
    assert tuple(note) == (money("121.00"), money("100.00"), money("21.00"))
    assert [tuple(row) for row in lines] == [
        (
            "credit",
            "Goodwill",
            _scaled(sqlite, "1", 6),
            _scaled(sqlite, "100.00", 6),
            _scaled(sqlite, "1", 6),
            money("100.00"),
        )
    ]
    assert tuple(invoice) == ("C-000007", "Stationsplein 12, Utrecht")
    assert amounts_after == [money("121.00")]

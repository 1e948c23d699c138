"""Test set-up: one app per session on SQLite or PostgreSQL, each test inside a rolled-back transaction.

The database is chosen by DAAS_TEST_DATABASE_URL (PostgreSQL) and is otherwise a fresh SQLite file. It is
emptied and built by running the migrations, so every run also proves the migrations build the schema.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from daas import create_app
from daas.core import clock
from daas.extensions import db

# pytest-xdist's worker name (gw0, gw1...) in a worker process; empty without workers.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _database_of_this_worker(url: str) -> str:
    """Each xdist worker has a PostgreSQL database of its own, `<name>_<worker>`, created beside the
    configured one (which is only used to create it): tests that commit, race or run processes never see
    another worker's rows."""
    if not url.startswith("postgresql") or not WORKER:
        return url
    configured = make_url(url)
    name = f"{configured.database}_{WORKER}"
    engine = create_engine(configured, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if exists.scalar() is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return configured.set(database=name).render_as_string(hide_password=False)


TEST_DATABASE_URL = _database_of_this_worker(os.environ.get("DAAS_TEST_DATABASE_URL", ""))
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


def _empty_postgres(url: str) -> None:
    name = make_url(url).database or ""
    if "test" not in name:
        raise pytest.UsageError(
            f"Refusing to wipe database {name!r}: a test database's name contains 'test'."
        )
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if ON_POSTGRES:
        _empty_postgres(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'daas-test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True}, env="testing")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield app


@contextmanager
def rolled_back(app: Flask) -> Iterator[Any]:
    """Everything written inside, commits included, is rolled back at the end (savepoints). Property
    tests use it once per generated example."""
    with app.app_context():
        engine = db.engine
        connection = engine.connect()
        transaction = connection.begin()
        original_session = db.session
        db.engines[None] = connection  # type: ignore[index]
        db.session = db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
        try:
            yield db
        finally:
            db.session.remove()
            db.session = original_session
            db.engines[None] = engine  # type: ignore[index]
            transaction.rollback()
            connection.close()


@pytest.fixture
def database(app: Flask) -> Iterator[Any]:
    """Everything the test writes, commits included, is rolled back afterwards."""
    with rolled_back(app) as rolled:
        yield rolled


@pytest.fixture
def client(app: Flask, database: Any) -> FlaskClient:
    return app.test_client()


@pytest.fixture(autouse=True)
def _clock_left_running() -> Iterator[None]:
    """No test leaves the clock as it did not find it (frozen, it would change what later tests compute).

    A module's fixture may freeze it for the whole module (the fuzz worlds do): that is the clock the
    test found, and the one it must leave."""
    found = clock.frozen_at()
    yield
    left = clock.frozen_at()
    if left != found:
        clock._frozen = found  # put it right for the tests after it, then fail this one
        real = "the real time"
        pytest.fail(f"The test left the clock at {left or real}; it found it at {found or real}.")


@pytest.fixture
def today() -> Iterator[date]:
    """A frozen clock: 2026-11-15, so tests about dates do not depend on the day they run."""
    frozen_day = date(2026, 11, 15)
    with clock.frozen(frozen_day):
        yield frozen_day


def pytest_report_header(config: pytest.Config) -> str:
    where = f"PostgreSQL {make_url(TEST_DATABASE_URL).render_as_string()}" if ON_POSTGRES else "SQLite"
    return f"daas database: {where}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DAAS_TEST_DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def tokens(database: Any) -> dict[str, str]:
    """A token per staff role: tokens["admin"], tokens["finance"], tokens["logistics"]."""
    from tests.factories import token

    return {role: token(role) for role in ("admin", "finance", "logistics")}


# Reference data the migrations seed, version 1 of each: the impact method's parameters, the grid factors.
SEEDED_VERSIONS = ("impact_parameter_sets", "grid_factor_sets")


def empty_tables() -> None:
    """Empty every table (PostgreSQL) after a test that committed, keeping the reference data the
    migrations seed (`SEEDED_VERSIONS`: their version 1)."""
    tables = ", ".join(
        f'"{table.name}"' for table in db.metadata.sorted_tables if table.name not in SEEDED_VERSIONS
    )
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        for seeded in SEEDED_VERSIONS:
            connection.execute(text(f"DELETE FROM {seeded} WHERE version > 1"))


@pytest.fixture
def committed(app: Flask) -> Iterator[Flask]:
    """For tests that need real commits seen by other connections (races): PostgreSQL only; every table
    is emptied afterwards."""
    if not ON_POSTGRES:
        pytest.skip("needs PostgreSQL")
    yield app
    with app.app_context():
        db.session.remove()
        empty_tables()
        db.engine.dispose()

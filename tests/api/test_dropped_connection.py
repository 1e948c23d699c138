"""A database connection that PostgreSQL dropped (a restart, a failover, an operator's
pg_terminate_backend) is replaced when the pool hands it out, so the next request succeeds instead of
answering 500."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from daas.extensions import db
from tests import factories
from tests.conftest import TEST_DATABASE_URL
from tests.helpers import bearer


def _terminate_every_other_connection() -> int:
    """From a connection of its own, end every other session on the test database; how many it ended."""
    engine = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            return connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_request_after_the_database_dropped_the_apps_connections_succeeds(committed):
    app = committed
    with app.app_context():
        token = factories.token("admin")
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200  # a connection in the pool
    assert _terminate_every_other_connection() >= 1
    after = client.get("/api/v1/me", headers=bearer(token))
    assert after.status_code == 200, after.get_json()
    assert after.get_json()["role"] == "admin"

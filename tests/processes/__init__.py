"""Races between real processes and threads on PostgreSQL; helpers shared by these tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from daas.extensions import db

TIMEOUT = 30.0


def wait_until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout} s waiting for {what}.")
        time.sleep(0.02)


def sql(app: Flask, statement: str) -> list[Any]:
    """One statement on a connection of its own, committed: sees what others committed."""
    with app.app_context(), db.engine.begin() as connection:
        result = connection.execute(text(statement))
        return list(result) if result.returns_rows else []


def sessions_waiting_for_a_lock(app: Flask) -> int:
    return sql(
        app,
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )[0][0]

"""What the bench scripts share: printing as they go, and a fresh database to measure in."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def say(message: str) -> None:
    print(message, flush=True)


def fresh_database(url: str) -> None:
    """Drop and create the database `url` names; refuses any whose name does not contain "bench"."""
    parsed = make_url(url)
    if "bench" not in (parsed.database or ""):
        raise SystemExit(f"refusing to drop {parsed.database!r}: a bench database's name contains 'bench'")
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()

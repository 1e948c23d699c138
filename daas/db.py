"""Database plumbing shared by every domain: exact decimals on SQLite, SQLite connection settings,
and the translation of constraint violations into domain conflicts.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Numeric, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import TypeDecorator

from daas.core.errors import Conflict
from daas.extensions import db


class _ScaledInteger(TypeDecorator):
    """Decimals stored on SQLite as whole numbers of their smallest unit (39.00 at scale 2 is 3900).

    SQLite's NUMERIC affinity would turn decimals into binary floats; integers keep them exact, and SUM,
    MAX and comparisons in SQL stay exact too. Give aggregate expressions this type (`type_=`) and their
    results come back as Decimal as well.
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        return int(Decimal(value).scaleb(self.scale).to_integral_value(rounding=ROUND_HALF_UP))

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.scale).quantize(Decimal(1).scaleb(-self.scale))


def Decimal_(precision: int, scale: int) -> Numeric:  # noqa: N802 - a column type, named like one
    """An exact decimal column: NUMERIC on PostgreSQL, a scaled integer on SQLite."""
    return Numeric(precision, scale, asdecimal=True).with_variant(_ScaledInteger(scale), "sqlite")


class UtcDateTime(TypeDecorator):
    """A moment, always handed out as an aware UTC datetime (SQLite keeps no offset; PostgreSQL keeps
    the session's). A naive value going in is taken as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK expression: the column holds one of these values (the tuple the code also uses)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# Money and unit prices; quantities such as weights and energy use the same type with their own scale.
Money = Decimal_(18, 2)
UnitAmount = Decimal_(18, 6)
Measure = Decimal_(14, 3)


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself (pysqlite's own transaction handling breaks SAVEPOINT).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Any) -> None:
    if conn.dialect.name == "sqlite":
        # IMMEDIATE takes the write lock at once: check-then-write in one transaction cannot interleave.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<cols>[\w., ]+)")
_CONSTRAINT_PREFIXES = ("uq_", "ix_", "ex_")

# Messages for violations that are not plain duplicates, by constraint name or trigger message marker.
_SPECIAL_CONFLICTS: dict[str, tuple[str, str]] = {
    "ex_deployments_device_days": (
        "start_date",
        "The device is deployed to another contract on one of these days.",
    ),
    "ix_deployments_device_id_open": ("serial", "The device already has an open deployment."),
}


def conflict_from_integrity_error(exc: IntegrityError, fields: dict[str, str] | None = None) -> Conflict:
    """Name the field a violated unique or exclusion constraint guards, for a 409.

    `fields` maps column names to API field names where they differ (device_model_id -> sku).
    """
    fields = fields or {}
    text = str(exc.orig)
    diag = getattr(exc.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or ""
    for name, (field, message) in _SPECIAL_CONFLICTS.items():
        if name in (constraint, *text.split()) or name in text:
            return Conflict(message, errors={field: [message]})
    columns: list[str] = []
    if constraint.startswith(_CONSTRAINT_PREFIXES):
        table = getattr(diag, "table_name", "") or ""
        rest = constraint[3:]
        columns = [rest[len(table) + 1 :] if rest.startswith(table + "_") else rest]
    elif match := _SQLITE_UNIQUE.search(text):
        columns = [col.split(".")[-1] for col in match.group("cols").split(",")]
    if not columns:
        return Conflict("The change conflicts with data already stored.")
    field = fields.get(columns[-1], columns[-1])
    message = f"A record with this {field} already exists."
    return Conflict(message, errors={field: [message]})


def fetch_page(query: Any, offset: int, limit: int) -> tuple[list[Any], int]:
    """One page of an ordered select, and the count of all its rows (for the X-Pagination header)."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.session.scalars(query.offset(offset).limit(limit)).all()
    return list(rows), total


def dialect_insert(table: Any) -> Any:
    """The database's own INSERT for `table`, which has ON CONFLICT ... DO NOTHING / DO UPDATE ... WHERE
    on PostgreSQL and SQLite alike."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def insert_ignoring_conflicts(table: Any, *conflict_columns: str) -> Any:
    """INSERT ... ON CONFLICT (columns) DO NOTHING, for PostgreSQL and SQLite alike: the unique key
    decides, so concurrent writers of the same rows never both win and never fail."""
    return dialect_insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))


def upsert(table: Any, conflict_columns: list[str], update_columns: list[str]) -> Any:
    """INSERT ... ON CONFLICT (columns) DO UPDATE SET the given columns from the new row."""
    statement = dialect_insert(table)
    return statement.on_conflict_do_update(
        index_elements=conflict_columns, set_={name: statement.excluded[name] for name in update_columns}
    )

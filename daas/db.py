"""Database plumbing shared by every domain: exact decimals on SQLite, SQLite connection settings,
and the translation of constraint violations into domain conflicts.
"""

from __future__ import annotations

import re
import sqlite3
import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, Numeric, any_, bindparam, event, func, insert, select
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
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


def is_one_of(column: Any, values: Iterable[Any], item_type: Any = None) -> Any:
    """`column IN (values)`; on PostgreSQL one array parameter (`column = ANY(:values)`) instead of a
    parameter per value, which SQLAlchemy renders and the server parses anew for every list length (for
    a thousand ids, ten times longer than the query itself)."""
    values = list(values)
    if db.session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    return column == any_(
        bindparam(None, values, type_=ARRAY(item_type if item_type is not None else Integer()))
    )


def insert_rows(table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows of the same columns in the session's transaction: by COPY on PostgreSQL, which
    takes rows some ten times faster than a multi-row INSERT (no SQL to build and parse per batch), and
    by one executemany elsewhere. The values are given as the database takes them (no column type
    processing runs on PostgreSQL's path, and none is needed there: decimals, dates and text go as they
    are). Constraints and foreign keys are checked as for any INSERT."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    _copy(connection, table.name, rows)


def insert_new_rows(
    table: Any, rows: Sequence[Mapping[str, Any]], conflict_columns: Sequence[str], returning: Sequence[Any]
) -> list[Any]:
    """`insert_ignoring_conflicts` for many rows of the same columns, returning `returning` of the rows
    it inserted, in the order of `conflict_columns`. On PostgreSQL the rows go by COPY into a temporary
    table of those columns (dropped at commit) and from there in one INSERT ... SELECT: a multi-row
    INSERT of thousands of parameters spends far longer building its SQL than the database running it."""
    if not rows:
        return []
    connection = db.session.connection()
    statement = insert_ignoring_conflicts(table, *conflict_columns).returning(*returning)
    if connection.dialect.name != "postgresql":
        ordered = sorted(rows, key=lambda row: tuple(row[column] for column in conflict_columns))
        return list(connection.execute(statement, ordered))
    names = list(rows[0])
    quote = connection.dialect.identifier_preparer.quote
    name = f"staged_{table.name}_{zlib.crc32(' '.join(names).encode()):08x}"  # one per set of columns
    listed = ", ".join(quote(column) for column in names)
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {quote(name)} ON COMMIT DROP AS "
        f"SELECT {listed} FROM {quote(table.name)} WITH NO DATA"
    )
    _copy(connection, name, rows)
    staged = sql_table(name, *(sql_column(column) for column in names))
    inserted = list(
        connection.execute(
            statement.from_select(
                names, select(staged).order_by(*(staged.c[column] for column in conflict_columns))
            )
        )
    )
    connection.exec_driver_sql(f"TRUNCATE {quote(name)}")
    return inserted


def _copy(connection: Any, table_name: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """COPY the rows (dicts of the same keys) into the table, in the connection's transaction."""
    names = list(rows[0])
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    copy_sql = f"COPY {quote(table_name)} ({columns}) FROM STDIN"
    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row([row[name] for name in names])
    except driver.Error as error:
        # Raised as SQLAlchemy raises a statement's error, so callers handle a refused COPY (a savepoint
        # rolled back, the rows tried one by one) as a refused INSERT.
        lost = connection.dialect.is_disconnect(error, driver, None)
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(
            copy_sql, None, error, type(driver).Error, connection_invalidated=lost
        ) from error

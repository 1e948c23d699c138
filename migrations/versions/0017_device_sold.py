"""device sold: the `sold` state; the impact ledger's transferred CO2e and mass

A device bought out by its customer ends in the final state `sold`, added to the checks of
`devices.status` and `custody_events.to_status`. What is left of its footprint on the sale day goes to the
buyer's contract as a transfer: `impact_ledger_rows` gets `transferred_co2e_kg` and `transferred_mass_kg`
(0 on every row written before).

On SQLite nothing is rebuilt, so every table keeps its triggers (custody events and ledger rows are
append-only): the CHECKs are edited in the stored CREATE TABLE text, as in 0013, and the two columns are
added in place. Going back refuses while a sold device exists (its state and its transfer would have
nowhere to go); otherwise it drops the columns in place and restores the checks.

Revision ID: 0017_device_sold
Revises: 0016_contract_renewal
Create Date: 2026-12-02 10:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017_device_sold"
down_revision = "0016_contract_renewal"
branch_labels = None
depends_on = None

Measure = sa.Numeric(precision=14, scale=3).with_variant(sa.BigInteger(), "sqlite")

_OLD_DEVICE_STATES = (
    "in_stock",
    "allocated",
    "in_transit_out",
    "deployed",
    "return_scheduled",
    "in_transit",
    "received",
    "wiped",
    "graded",
    "refurbishing",
    "harvested",
    "recycled",
    "lost",
)
_DEVICE_STATES = _OLD_DEVICE_STATES + ("sold",)
_TRANSFERRED = ("transferred_co2e_kg", "transferred_mass_kg")


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _replace_check(table, name, old, new):
    """Swap a CHECK's list of values. PostgreSQL alters the constraint. SQLite keeps a table's CHECKs in
    its CREATE TABLE text: the text is edited in place (SQLite's documented procedure for CHECK changes,
    which leave the stored rows' format alone), so the table is not rebuilt and keeps its triggers."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({new})")
        return
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar()
    if old not in sql:
        raise RuntimeError(f"{table}: the check {name} is not the expected one: {sql}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql.replace(old, new), table)
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade():
    _replace_check(
        "devices",
        "ck_devices_status_known",
        _one_of("status", _OLD_DEVICE_STATES),
        _one_of("status", _DEVICE_STATES),
    )
    _replace_check(
        "custody_events",
        "ck_custody_events_to_status_known",
        _one_of("to_status", _OLD_DEVICE_STATES),
        _one_of("to_status", _DEVICE_STATES),
    )
    for column in _TRANSFERRED:
        if op.get_bind().dialect.name == "postgresql":
            op.add_column(
                "impact_ledger_rows", sa.Column(column, Measure, server_default="0", nullable=False)
            )
        else:
            op.execute(f"ALTER TABLE impact_ledger_rows ADD COLUMN {column} BIGINT DEFAULT '0' NOT NULL")


def downgrade():
    bind = op.get_bind()
    sold = bind.exec_driver_sql(
        "SELECT (SELECT count(*) FROM devices WHERE status = 'sold')"
        " + (SELECT count(*) FROM custody_events WHERE to_status = 'sold')"
    ).scalar()
    if sold:
        raise RuntimeError(
            "Cannot go back before 0017_device_sold: devices have been sold (state `sold` in devices or "
            "custody_events), and the older schema has no such state and no transferred footprint in the "
            "impact ledger. Custody events and ledger rows are append-only, so they are not rewritten here."
        )
    for column in reversed(_TRANSFERRED):
        if bind.dialect.name == "postgresql":
            op.drop_column("impact_ledger_rows", column)
        else:
            op.execute(f"ALTER TABLE impact_ledger_rows DROP COLUMN {column}")
    _replace_check(
        "custody_events",
        "ck_custody_events_to_status_known",
        _one_of("to_status", _DEVICE_STATES),
        _one_of("to_status", _OLD_DEVICE_STATES),
    )
    _replace_check(
        "devices",
        "ck_devices_status_known",
        _one_of("status", _DEVICE_STATES),
        _one_of("status", _OLD_DEVICE_STATES),
    )

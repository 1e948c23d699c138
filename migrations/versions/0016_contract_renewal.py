"""contract renewal: renews, renewal_months, renewal_notice_days, renewal_stopped_on; contract_renewals

Contracts may renew themselves on their end date. New columns on `contracts` (existing contracts do not
renew: `renews` false, 12 months, 90 days' notice) and the table `contract_renewals`, one row per
renewal, unique per contract and end date renewed from, so a renewal is made once however many
schedulers run the job.

On SQLite the columns are added in place with their CHECKs as column constraints (ALTER TABLE ADD COLUMN
takes them), so the contracts table is not rebuilt; going back drops them (SQLite 3.35+ drops a column
that no index or constraint of another column names).

Revision ID: 0016_contract_renewal
Revises: 0015_one_off_charges
Create Date: 2026-12-01 23:00:00

"""

from alembic import op
import sqlalchemy as sa

from daas.db import UtcDateTime


# revision identifiers, used by Alembic.
revision = "0016_contract_renewal"
down_revision = "0015_one_off_charges"
branch_labels = None
depends_on = None

_CHECKS = {
    "renewal_months": ("ck_contracts_renewal_months_range", "renewal_months BETWEEN 1 AND 120"),
    "renewal_notice_days": (
        "ck_contracts_renewal_notice_days_range",
        "renewal_notice_days BETWEEN 0 AND 365",
    ),
}


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.add_column("contracts", sa.Column("renews", sa.Boolean(), server_default="0", nullable=False))
        op.add_column(
            "contracts", sa.Column("renewal_months", sa.Integer(), server_default="12", nullable=False)
        )
        op.add_column(
            "contracts", sa.Column("renewal_notice_days", sa.Integer(), server_default="90", nullable=False)
        )
        op.add_column("contracts", sa.Column("renewal_stopped_on", sa.Date(), nullable=True))
        for name, check in _CHECKS.values():
            op.create_check_constraint(name, "contracts", check)
    else:
        op.execute("ALTER TABLE contracts ADD COLUMN renews BOOLEAN DEFAULT '0' NOT NULL")
        for column, default in (("renewal_months", 12), ("renewal_notice_days", 90)):
            name, check = _CHECKS[column]
            op.execute(
                f"ALTER TABLE contracts ADD COLUMN {column} INTEGER DEFAULT '{default}' NOT NULL "
                f"CONSTRAINT {name} CHECK ({check})"
            )
        op.execute("ALTER TABLE contracts ADD COLUMN renewal_stopped_on DATE")

    op.create_table(
        "contract_renewals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("from_end_date", sa.Date(), nullable=False),
        sa.Column("to_end_date", sa.Date(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("renewed_at", UtcDateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint("to_end_date > from_end_date", name=op.f("ck_contract_renewals_moves_later")),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_contract_renewals_contract_id_contracts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_renewals")),
        sa.UniqueConstraint(
            "contract_id", "from_end_date", name=op.f("uq_contract_renewals_contract_id_from_end_date")
        ),
    )
    with op.batch_alter_table("contract_renewals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contract_renewals_contract_id"), ["contract_id"], unique=False)


def downgrade():
    with op.batch_alter_table("contract_renewals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_renewals_contract_id"))
    op.drop_table("contract_renewals")
    if op.get_bind().dialect.name == "postgresql":
        for name, _ in _CHECKS.values():
            op.drop_constraint(name, "contracts", type_="check")
        for column in ("renewal_stopped_on", "renewal_notice_days", "renewal_months", "renews"):
            op.drop_column("contracts", column)
        return
    # A column with a CHECK of its own cannot be dropped in place: SQLite's documented procedure edits the
    # stored CREATE TABLE text back, then the plain columns are dropped.
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'contracts'"
    ).scalar()
    for column, default in (("renewal_months", 12), ("renewal_notice_days", 90)):
        name, check = _CHECKS[column]
        sql = sql.replace(f" CONSTRAINT {name} CHECK ({check})", "")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'contracts'", (sql,)
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    for column in ("renewal_stopped_on", "renewal_notice_days", "renewal_months", "renews"):
        op.execute(f"ALTER TABLE contracts DROP COLUMN {column}")

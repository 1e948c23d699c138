"""workshop: customers' reporting choices, a contract's own refresh cycle, grid factors, saved scenarios

- `customers.fiscal_year_start_month` (1-12, default 1: the calendar year), `consolidation_approach`
  (operational_control | financial_control | equity_share, default operational_control) and
  `embodied_scope3_category` (1 or 8, default 1): what the yearly sustainability report follows.
- `contracts.refresh_cycle_months` (null, or 1-120): the contract's own refresh cycle, which the refresh
  planner reads before its plan's (an applied `extend` scenario sets it).
- `grid_factor_sets`: versions of the location-based grid factors per country and year with their sources;
  version 1 is inserted from the factors published with this revision (`_grid_factors_v1`).
- `saved_scenarios`: a customer's what-if scenarios (kind and choices), and when one was applied.

On SQLite the new columns are added in place with their CHECKs as column constraints, as 0016 does, so
neither table is rebuilt. Going back drops the tables, then the columns (on SQLite the CHECKs are edited
out of the stored CREATE TABLE text first, as 0016 does).

Revision ID: 0020_workshop
Revises: 0019_notifications
Create Date: 2026-12-05 10:00:00

"""

from alembic import op
import sqlalchemy as sa

from daas.db import UtcDateTime


# revision identifiers, used by Alembic.
revision = "0020_workshop"
down_revision = "0019_notifications"
branch_labels = None
depends_on = None

# table -> [(column, SQL type, default or None, not null, check name, check)]
_COLUMNS = {
    "customers": [
        ("fiscal_year_start_month", "INTEGER", "1", True,
         "ck_customers_fiscal_year_start_month_range", "fiscal_year_start_month BETWEEN 1 AND 12"),
        ("consolidation_approach", "VARCHAR(24)", "operational_control", True,
         "ck_customers_consolidation_approach_known",
         "consolidation_approach IN ('operational_control', 'financial_control', 'equity_share')"),
        ("embodied_scope3_category", "INTEGER", "1", True,
         "ck_customers_embodied_scope3_category_known", "embodied_scope3_category IN (1, 8)"),
    ],
    "contracts": [
        ("refresh_cycle_months", "INTEGER", None, False,
         "ck_contracts_refresh_cycle_months_range",
         "refresh_cycle_months IS NULL OR refresh_cycle_months BETWEEN 1 AND 120"),
    ],
}

_SA_TYPES = {"INTEGER": sa.Integer(), "VARCHAR(24)": sa.String(length=24)}


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, columns in _COLUMNS.items():
        for column, sql_type, default, not_null, check_name, check in columns:
            if postgresql:
                op.add_column(table, sa.Column(column, _SA_TYPES[sql_type], server_default=default,
                                               nullable=not not_null))
                op.create_check_constraint(check_name, table, check)
            else:
                default_sql = f" DEFAULT '{default}'" if default is not None else ""
                null_sql = " NOT NULL" if not_null else ""
                op.execute(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}{default_sql}{null_sql} "
                           f"CONSTRAINT {check_name} CHECK ({check})")

    op.create_table(
        "grid_factor_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", UtcDateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_factor_sets")),
        sa.UniqueConstraint("version", name=op.f("uq_grid_factor_sets_version")),
    )
    op.create_table(
        "saved_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("horizon_years", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", UtcDateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("applied_at", UtcDateTime(), nullable=True),
        sa.Column("applied_by", sa.String(length=254), nullable=True),
        sa.CheckConstraint("horizon_years BETWEEN 1 AND 10", name=op.f("ck_saved_scenarios_horizon_years_range")),
        sa.CheckConstraint("kind IN ('as_is', 'extend', 'upgrade_first', 'refurbished_first')",
                           name=op.f("ck_saved_scenarios_kind_known")),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"], name=op.f("fk_saved_scenarios_contract_id_contracts")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_saved_scenarios_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_scenarios")),
    )
    with op.batch_alter_table("saved_scenarios", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_scenarios_customer_id"), ["customer_id"], unique=False)


def downgrade():
    with op.batch_alter_table("saved_scenarios", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_scenarios_customer_id"))
    op.drop_table("saved_scenarios")
    op.drop_table("grid_factor_sets")
    bind = op.get_bind()
    for table, columns in _COLUMNS.items():
        if bind.dialect.name == "postgresql":
            for column, _, _, _, check_name, _ in columns:
                op.drop_constraint(check_name, table, type_="check")
                op.drop_column(table, column)
            continue
        sql = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar()
        for _, _, _, _, check_name, check in columns:
            sql = sql.replace(f" CONSTRAINT {check_name} CHECK ({check})", "")
        version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
        bind.exec_driver_sql("PRAGMA writable_schema = ON")
        bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql, table))
        bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
        for column, *_ in columns:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")

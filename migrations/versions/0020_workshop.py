"""workshop: customers' reporting choices, a contract's own refresh cycle, grid factors, saved scenarios

- `customers.fiscal_year_start_month` (1-12, default 1: the calendar year), `consolidation_approach`
  (operational_control | financial_control | equity_share, default operational_control) and
  `embodied_scope3_category` (1 or 8, default 1): what the yearly sustainability report follows.
- `contracts.refresh_cycle_months` (null, or 1-120): the contract's own refresh cycle, which the refresh
  planner reads before its plan's (an applied `extend` scenario sets it).
- `grid_factor_sets`: versions of the location-based grid factors per country and year with their sources;
  version 1 is inserted from the factors published with this revision (`_GRID_FACTORS_V1`).
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
    _insert_first_grid_factor_set()
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


# Version 1 of the grid factors as published with this revision (a snapshot: later edits of
# daas/impact/data/grid_factors.csv do not change it). kg CO2e per kWh of electricity generated, from
# grams per kWh / 1000; see daas/impact/data/grid_factors.md.
_SOURCE = ("Ember Yearly Electricity Data and Energy Institute Statistical Review via Our World in Data "
           "(CO2e per kWh generated)")
_SOURCE_VERSION = "OWID carbon-intensity-electricity, copy in pluginsGLPI/carbon 4e695c1"
_KG_PER_KWH_V1 = {
    "AT": {2021: "0.13529", 2022: "0.14084", 2023: "0.11172", 2024: "0.10348"},
    "BE": {2021: "0.13179", 2022: "0.1394", 2023: "0.13467", 2024: "0.12696"},
    "BG": {2021: "0.41529", 2022: "0.47633", 2023: "0.33832", 2024: "0.27885"},
    "CH": {2021: "0.03852", 2022: "0.03727", 2023: "0.03482", 2024: "0.03458"},
    "CY": {2021: "0.56445", 2022: "0.55513", 2023: "0.53283", 2024: "0.51123"},
    "CZ": {2021: "0.47179", 2022: "0.48836", 2023: "0.44261", 2024: "0.41423"},
    "DE": {2021: "0.39464", 2022: "0.41974", 2023: "0.36292", 2024: "0.33638"},
    "DK": {2021: "0.22297", 2022: "0.20364", 2023: "0.15196", 2024: "0.13177"},
    "EE": {2021: "0.45063", 2022: "0.4877", 2023: "0.39547", 2024: "0.34345"},
    "ES": {2021: "0.19354", 2022: "0.21713", 2023: "0.16968", 2024: "0.14622"},
    "FI": {2021: "0.13563", 2022: "0.12997", 2023: "0.08121", 2024: "0.06663"},
    "FR": {2021: "0.0598", 2022: "0.07854", 2023: "0.05326", 2024: "0.04048"},
    "GB": {2021: "0.2671", 2022: "0.25498", 2023: "0.23563", 2024: "0.2165"},
    "GR": {2021: "0.38311", 2022: "0.37681", 2023: "0.3364", 2024: "0.32165"},
    "HR": {2021: "0.21046", 2022: "0.24468", 2023: "0.19495", 2024: "0.1707"},
    "HU": {2021: "0.2385", 2022: "0.2289", 2023: "0.19612", 2024: "0.18447"},
    "IE": {2021: "0.35192", 2022: "0.33087", 2023: "0.28241", 2024: "0.27091"},
    "IT": {2021: "0.3391", 2022: "0.37784", 2023: "0.32323", 2024: "0.2814"},
    "LT": {2021: "0.22093", 2022: "0.18069", 2023: "0.11887", 2024: "0.11637"},
    "LU": {2021: "0.1626", 2022: "0.1405", 2023: "0.12057", 2024: "0.13245"},
    "LV": {2021: "0.17607", 2022: "0.13519", 2023: "0.11912", 2024: "0.13428"},
    "MT": {2021: "0.50451", 2022: "0.5", 2023: "0.49362", 2024: "0.48858"},
    "NL": {2021: "0.35197", 2022: "0.32561", 2023: "0.26817", 2024: "0.25072"},
    "NO": {2021: "0.02692", 2022: "0.02964", 2023: "0.03046", 2024: "0.02966"},
    "PL": {2021: "0.75636", 2022: "0.73248", 2023: "0.65068", 2024: "0.60818"},
    "PT": {2021: "0.21048", 2022: "0.22534", 2023: "0.15843", 2024: "0.11064"},
    "RO": {2021: "0.28996", 2022: "0.29777", 2023: "0.2432", 2024: "0.25133"},
    "SE": {2021: "0.04174", 2022: "0.04103", 2023: "0.03842", 2024: "0.03491"},
    "SI": {2021: "0.2694", 2022: "0.25749", 2023: "0.22508", 2024: "0.2304"},
    "SK": {2021: "0.16734", 2022: "0.14205", 2023: "0.11514", 2024: "0.09655"},
    "US": {2021: "0.42378", 2022: "0.41039", 2023: "0.39289", 2024: "0.38378"},
}
_GRID_FACTORS_V1 = {
    country: {str(year): {"kg_per_kwh": kg, "source": _SOURCE, "source_version": _SOURCE_VERSION}
              for year, kg in years.items()}
    for country, years in _KG_PER_KWH_V1.items()
}


def _insert_first_grid_factor_set():
    table = sa.table("grid_factor_sets", sa.column("version", sa.Integer), sa.column("factors", sa.JSON),
                     sa.column("note", sa.String), sa.column("created_by", sa.String))
    op.bulk_insert(table, [{"version": 1, "factors": _GRID_FACTORS_V1, "created_by": "migration 0020",
                            "note": "EU-27, GB, NO, CH and US, 2021-2024 (Ember via Our World in Data)"}])


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

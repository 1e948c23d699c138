"""buy out: list values and floor shares of device models; buy-out quotes; end-of-term choices

A contract's end, device by device: return it, extend the contract and keep it, or buy it out.

- `device_model_list_values`: what a new device of a model costs, one amount (> 0) per currency.
- `device_models.floor_share`: the least share of its list value a buy-out costs (0 to 1; null is the
  default, 0.1). On SQLite it is added in place with its CHECK as a column constraint (ALTER TABLE ADD
  COLUMN takes it), as 0016 does, so device_models is not rebuilt; the share is kept there as whole
  ten-thousandths (daas.db), which its CHECK counts in.
- `buy_out_quotes`: a device's price on a contract from its quote day until `valid_until`; accepted at most
  once, with its buy-out charge (unique), while it is valid.
- `end_of_term_choices`: each device's choice (return, extend or buy_out) for the end date it was made for,
  one per contract and device, with its quote or its end-of-term return order.
- `end_of_term_extensions`: the extension an `extend` choice made, once per contract and end date.

Going back drops the tables, then the column (on SQLite the column's CHECK is edited out of the stored
CREATE TABLE text first, as 0016 does, and the plain column dropped in place).

Revision ID: 0018_buy_out
Revises: 0017_device_sold
Create Date: 2026-12-03 10:00:00

"""

from alembic import op
import sqlalchemy as sa

from daas.db import UtcDateTime


# revision identifiers, used by Alembic.
revision = "0018_buy_out"
down_revision = "0017_device_sold"
branch_labels = None
depends_on = None

Money = sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), "sqlite")
Share = sa.Numeric(precision=5, scale=4).with_variant(sa.BigInteger(), "sqlite")

_FLOOR_CHECK = "ck_device_models_floor_share_range"
_FLOOR_RULE = {"postgresql": "floor_share BETWEEN 0 AND 1", "sqlite": "floor_share BETWEEN 0 AND 10000"}
_CHOICES = ("return", "extend", "buy_out")
_GRADES = ("A", "B", "C", "D")


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _dialect():
    return op.get_bind().dialect.name


def upgrade():
    if _dialect() == "postgresql":
        op.add_column("device_models", sa.Column("floor_share", Share, nullable=True))
        op.create_check_constraint(_FLOOR_CHECK, "device_models", _FLOOR_RULE["postgresql"])
    else:
        op.execute(
            f"ALTER TABLE device_models ADD COLUMN floor_share BIGINT "
            f"CONSTRAINT {_FLOOR_CHECK} CHECK ({_FLOOR_RULE['sqlite']})"
        )

    op.create_table(
        "device_model_list_values",
        sa.Column("device_model_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_device_model_list_values_amount_positive")),
        sa.ForeignKeyConstraint(
            ["device_model_id"],
            ["device_models.id"],
            name=op.f("fk_device_model_list_values_device_model_id_device_models"),
        ),
        sa.PrimaryKeyConstraint("device_model_id", "currency", name=op.f("pk_device_model_list_values")),
    )

    op.create_table(
        "buy_out_quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("list_value", Money, nullable=False),
        sa.Column("price", Money, nullable=False),
        sa.Column("age_months", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("quoted_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("charge_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint("list_value > 0", name=op.f("ck_buy_out_quotes_list_value_positive")),
        sa.CheckConstraint("price > 0", name=op.f("ck_buy_out_quotes_price_positive")),
        sa.CheckConstraint("age_months >= 0", name=op.f("ck_buy_out_quotes_age_not_negative")),
        sa.CheckConstraint(
            "grade IS NULL OR " + _one_of("grade", _GRADES), name=op.f("ck_buy_out_quotes_grade_known")
        ),
        sa.CheckConstraint("valid_until >= quoted_on", name=op.f("ck_buy_out_quotes_valid_from_quote_day")),
        sa.CheckConstraint(
            "(accepted_on IS NULL AND charge_id IS NULL) OR "
            "(accepted_on IS NOT NULL AND charge_id IS NOT NULL "
            "AND accepted_on >= quoted_on AND accepted_on <= valid_until)",
            name=op.f("ck_buy_out_quotes_accepted_with_charge_while_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_buy_out_quotes_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_buy_out_quotes_device_id_devices")
        ),
        sa.ForeignKeyConstraint(
            ["charge_id"], ["one_off_charges.id"], name=op.f("fk_buy_out_quotes_charge_id_one_off_charges")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buy_out_quotes")),
        sa.UniqueConstraint("charge_id", name=op.f("uq_buy_out_quotes_charge_id")),
        sa.UniqueConstraint(
            "contract_id",
            "device_id",
            "quoted_on",
            name=op.f("uq_buy_out_quotes_contract_id_device_id_quoted_on"),
        ),
    )
    with op.batch_alter_table("buy_out_quotes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_buy_out_quotes_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_buy_out_quotes_device_id"), ["device_id"], unique=False)

    op.create_table(
        "end_of_term_choices",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=8), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=True),
        sa.Column("return_order_id", sa.Integer(), nullable=True),
        sa.Column("chosen_on", sa.Date(), nullable=False),
        sa.Column("chosen_by", sa.String(length=254), nullable=False),
        sa.CheckConstraint(_one_of("choice", _CHOICES), name=op.f("ck_end_of_term_choices_choice_known")),
        sa.CheckConstraint(
            "choice <> 'buy_out' OR quote_id IS NOT NULL", name=op.f("ck_end_of_term_choices_buy_out_quoted")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_end_of_term_choices_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_end_of_term_choices_device_id_devices")
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["buy_out_quotes.id"], name=op.f("fk_end_of_term_choices_quote_id_buy_out_quotes")
        ),
        sa.ForeignKeyConstraint(
            ["return_order_id"],
            ["return_orders.id"],
            name=op.f("fk_end_of_term_choices_return_order_id_return_orders"),
        ),
        sa.PrimaryKeyConstraint("contract_id", "device_id", name=op.f("pk_end_of_term_choices")),
    )
    with op.batch_alter_table("end_of_term_choices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_end_of_term_choices_device_id"), ["device_id"], unique=False)

    op.create_table(
        "end_of_term_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("from_end_date", sa.Date(), nullable=False),
        sa.Column("to_end_date", sa.Date(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column(
            "extended_at", UtcDateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.CheckConstraint("to_end_date > from_end_date", name=op.f("ck_end_of_term_extensions_moves_later")),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_end_of_term_extensions_contract_id_contracts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_end_of_term_extensions")),
        sa.UniqueConstraint(
            "contract_id", "from_end_date", name=op.f("uq_end_of_term_extensions_contract_id_from_end_date")
        ),
    )
    with op.batch_alter_table("end_of_term_extensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_end_of_term_extensions_contract_id"), ["contract_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("end_of_term_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_end_of_term_extensions_contract_id"))
    op.drop_table("end_of_term_extensions")
    with op.batch_alter_table("end_of_term_choices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_end_of_term_choices_device_id"))
    op.drop_table("end_of_term_choices")
    with op.batch_alter_table("buy_out_quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buy_out_quotes_device_id"))
        batch_op.drop_index(batch_op.f("ix_buy_out_quotes_contract_id"))
    op.drop_table("buy_out_quotes")
    op.drop_table("device_model_list_values")

    if _dialect() == "postgresql":
        op.drop_constraint(_FLOOR_CHECK, "device_models", type_="check")
        op.drop_column("device_models", "floor_share")
        return
    # A column with a CHECK of its own cannot be dropped in place: SQLite's documented procedure edits the
    # stored CREATE TABLE text back, then the plain column is dropped.
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'device_models'"
    ).scalar()
    check = f" CONSTRAINT {_FLOOR_CHECK} CHECK ({_FLOOR_RULE['sqlite']})"
    if check not in sql:
        raise RuntimeError(f"device_models: the check {_FLOOR_CHECK} is not the expected one: {sql}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'device_models'",
        (sql.replace(check, ""),),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    op.execute("ALTER TABLE device_models DROP COLUMN floor_share")

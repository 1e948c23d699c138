"""contract plan history, lines that name their plan, billed usage per plan window

- `contract_plans`: each contract's plans over time, [starts_on, ends_on) with the last row open. One row
  per contract and start day, at most one open row per contract (a partial unique index), and on
  PostgreSQL an exclusion constraint over the rows' date ranges per contract (btree_gist, as 0001 set up
  for deployments). Every existing contract gets its one row: its plan from its start date, open, with no
  minimum of its own (the contract's override, if any, still applies). `contracts.plan_id` stays: it names
  the plan of the contract's last row.
- `invoice_lines.plan_code` and `usage_window_start`: in a period with several plans, the plan a line bills
  and, on lines that carry usage, the first day of that plan's days. Added in place on SQLite (ALTER TABLE
  ADD COLUMN), so the table keeps its guards; existing lines have neither.
- `billed_usage.window_start` joins its primary key: usage is recorded as billed per plan window. Existing
  rows are of periods on one plan, whose window starts on the period's first day. On SQLite the table is
  rebuilt to change its key (it has no triggers).

Going back sums each period's windows into one row per metric (exact for count and sum metrics, which
add up over the windows) and drops the history and the line columns.

Revision ID: 0014_plan_history
Revises: 0013_orders
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa

from daas.db import UtcDateTime


# revision identifiers, used by Alembic.
revision = '0014_plan_history'
down_revision = '0013_orders'
branch_labels = None
depends_on = None

Money = sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite')

_BILLED_KEY = ['contract_id', 'metric_id', 'period_start']


def _postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    op.create_table('contract_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('minimum_monthly_amount', Money, nullable=True),
    sa.Column('created_at', UtcDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.CheckConstraint('CAST(minimum_monthly_amount AS NUMERIC) >= 0', name=op.f('ck_contract_plans_minimum_not_negative')),
    sa.CheckConstraint('ends_on IS NULL OR ends_on > starts_on', name=op.f('ck_contract_plans_ends_after_start')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_contract_plans_contract_id_contracts')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_contract_plans_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_plans')),
    sa.UniqueConstraint('contract_id', 'starts_on', name=op.f('uq_contract_plans_contract_id_starts_on'))
    )
    with op.batch_alter_table('contract_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_plans_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index('ix_contract_plans_contract_id_open', ['contract_id'], unique=True, postgresql_where=sa.text('ends_on IS NULL'), sqlite_where=sa.text('ends_on IS NULL'))
    if _postgresql():
        op.execute(
            "ALTER TABLE contract_plans ADD CONSTRAINT ex_contract_plans_days "
            "EXCLUDE USING gist (contract_id WITH =, daterange(starts_on, ends_on, '[)') WITH &&)"
        )
    op.execute("INSERT INTO contract_plans (contract_id, plan_id, starts_on, ends_on, minimum_monthly_amount, created_by) "
               "SELECT id, plan_id, start_date, NULL, NULL, 'migration 0014_plan_history' FROM contracts")

    op.add_column('invoice_lines', sa.Column('plan_code', sa.String(length=64), nullable=True))
    op.add_column('invoice_lines', sa.Column('usage_window_start', sa.Date(), nullable=True))

    op.add_column('billed_usage', sa.Column('window_start', sa.Date(), nullable=True))
    op.execute("UPDATE billed_usage SET window_start = period_start")
    if _postgresql():
        op.alter_column('billed_usage', 'window_start', existing_type=sa.Date(), nullable=False)
        op.drop_constraint('pk_billed_usage', 'billed_usage', type_='primary')
        op.create_primary_key('pk_billed_usage', 'billed_usage', [*_BILLED_KEY, 'window_start'])
    else:
        with op.batch_alter_table('billed_usage', schema=None, recreate='always') as batch_op:
            batch_op.alter_column('window_start', existing_type=sa.Date(), nullable=False)
            batch_op.drop_constraint('pk_billed_usage', type_='primary')
            batch_op.create_primary_key('pk_billed_usage', [*_BILLED_KEY, 'window_start'])


def downgrade():
    same_period = ("b.contract_id = billed_usage.contract_id AND b.metric_id = billed_usage.metric_id "
                   "AND b.period_start = billed_usage.period_start")
    first_window = f"(SELECT MIN(b.window_start) FROM billed_usage b WHERE {same_period})"
    op.execute(f"UPDATE billed_usage SET quantity = (SELECT SUM(b.quantity) FROM billed_usage b WHERE {same_period}) "
               f"WHERE window_start = {first_window}")
    op.execute(f"DELETE FROM billed_usage WHERE window_start <> {first_window}")
    if _postgresql():
        op.drop_constraint('pk_billed_usage', 'billed_usage', type_='primary')
        op.drop_column('billed_usage', 'window_start')
        op.create_primary_key('pk_billed_usage', 'billed_usage', _BILLED_KEY)
    else:
        with op.batch_alter_table('billed_usage', schema=None, recreate='always') as batch_op:
            batch_op.drop_constraint('pk_billed_usage', type_='primary')
            batch_op.drop_column('window_start')
            batch_op.create_primary_key('pk_billed_usage', _BILLED_KEY)

    op.drop_column('invoice_lines', 'usage_window_start')  # SQLite 3.35+ drops columns in place
    op.drop_column('invoice_lines', 'plan_code')

    with op.batch_alter_table('contract_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_contract_plans_contract_id_open', postgresql_where=sa.text('ends_on IS NULL'), sqlite_where=sa.text('ends_on IS NULL'))
        batch_op.drop_index(batch_op.f('ix_contract_plans_contract_id'))

    op.drop_table('contract_plans')

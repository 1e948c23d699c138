"""billing runs: outcomes per contract, interrupted runs

billing_run_errors holds each contract a run could not bill, with the reason (the run went on with the
others and ended completed_with_errors). A run renews lease_until after every chunk (heartbeat_at); a
running run whose lease ran out lost its process, and the next run of the period marks it interrupted and
names it in completes_run_id. Runs left running before this revision get an expired lease, so they show
as interrupted rather than running forever.

On SQLite, changing the status column and its check means rebuilding billing_runs, which invoices refer
to: foreign keys are switched off around the rebuild (SQLite ignores that pragma inside a transaction).

Revision ID: 0008_billing_run_outcomes
Revises: 0007_sessions
Create Date: 2026-12-01 09:00:00

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_billing_run_outcomes'
down_revision = '0007_sessions'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('running', 'completed', 'failed')"
NEW_STATUSES = "status IN ('running', 'completed', 'completed_with_errors', 'failed', 'interrupted')"


def _set_sqlite_foreign_keys(on):
    """Outside any transaction, as SQLite requires: the block commits what ran before it, and the engine's
    begin hook (daas.db) has opened a transaction even in autocommit mode, so it is committed first."""
    with op.get_context().autocommit_block():
        raw = op.get_bind().connection.dbapi_connection
        raw.commit()
        raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


@contextmanager
def _foreign_keys_off_on_sqlite():
    if op.get_bind().dialect.name != 'sqlite':
        yield
        return
    _set_sqlite_foreign_keys(False)
    try:
        yield
    finally:
        _set_sqlite_foreign_keys(True)


def upgrade():
    with _foreign_keys_off_on_sqlite():
        with op.batch_alter_table('billing_runs', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('ck_billing_runs_status_known'), type_='check')
            batch_op.alter_column('status', existing_type=sa.String(length=16), type_=sa.String(length=24), existing_nullable=False)
            batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('completes_run_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f('fk_billing_runs_completes_run_id_billing_runs'), 'billing_runs', ['completes_run_id'], ['id'])
            batch_op.create_check_constraint(batch_op.f('ck_billing_runs_status_known'), NEW_STATUSES)
    op.execute(
        "UPDATE billing_runs SET heartbeat_at = COALESCE(finished_at, started_at),"
        " lease_until = COALESCE(finished_at, started_at)"
    )

    op.create_table('billing_run_errors',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_billing_run_errors_contract_id_contracts')),
    sa.ForeignKeyConstraint(['run_id'], ['billing_runs.id'], name=op.f('fk_billing_run_errors_run_id_billing_runs')),
    sa.PrimaryKeyConstraint('run_id', 'contract_id', name=op.f('pk_billing_run_errors'))
    )
    with op.batch_alter_table('billing_run_errors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_run_errors_contract_id'), ['contract_id'], unique=False)


def downgrade():
    with op.batch_alter_table('billing_run_errors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_run_errors_contract_id'))
    op.drop_table('billing_run_errors')

    # The statuses this revision added become what the earlier code knew for them.
    op.execute("UPDATE billing_runs SET status = 'completed' WHERE status = 'completed_with_errors'")
    op.execute("UPDATE billing_runs SET status = 'failed' WHERE status = 'interrupted'")
    with _foreign_keys_off_on_sqlite():
        with op.batch_alter_table('billing_runs', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('ck_billing_runs_status_known'), type_='check')
            batch_op.drop_constraint(batch_op.f('fk_billing_runs_completes_run_id_billing_runs'), type_='foreignkey')
            batch_op.drop_column('completes_run_id')
            batch_op.drop_column('lease_until')
            batch_op.drop_column('heartbeat_at')
            batch_op.alter_column('status', existing_type=sa.String(length=24), type_=sa.String(length=16), existing_nullable=False)
            batch_op.create_check_constraint(batch_op.f('ck_billing_runs_status_known'), OLD_STATUSES)

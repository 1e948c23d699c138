"""job runs: requested runs; scheduler heartbeats

A page that asks for a billing run queues a request in job_runs (status `queued`, who asked in
requested_by, what for in request_key) for a scheduler process to carry out. The unique (job, due_at)
key now holds among scheduled runs only (request_key IS NULL): a request's due time is the moment it was
asked for, and two requests may share it. At most one request per job and key is open (queued or
running): uq_job_runs_open_request is what makes asking twice give the first request. Each scheduler
process renews its row in scheduler_heartbeats, so the pages can say when none runs.

Revision ID: 0010_job_requests
Revises: 0009_stripe_event_retries
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_job_requests'
down_revision = '0009_stripe_event_retries'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('running', 'succeeded', 'failed', 'skipped')"
NEW_STATUSES = "status IN ('queued', 'running', 'succeeded', 'failed', 'skipped')"
QUEUED_ONLY_IF_REQUESTED = "status <> 'queued' OR request_key IS NOT NULL"
SCHEDULED = "request_key IS NULL"
OPEN_REQUEST = "status IN ('queued', 'running')"


def upgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_job_runs_job_due_at'), type_='unique')
        batch_op.drop_constraint(batch_op.f('ck_job_runs_status_known'), type_='check')
        batch_op.add_column(sa.Column('requested_by', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('request_key', sa.String(length=60), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_job_runs_status_known'), NEW_STATUSES)
        batch_op.create_check_constraint(
            batch_op.f('ck_job_runs_queued_only_if_requested'), QUEUED_ONLY_IF_REQUESTED
        )
    op.create_index(
        'uq_job_runs_job_due_at', 'job_runs', ['job', 'due_at'], unique=True,
        postgresql_where=sa.text(SCHEDULED), sqlite_where=sa.text(SCHEDULED),
    )
    op.create_index(
        'uq_job_runs_open_request', 'job_runs', ['job', 'request_key'], unique=True,
        postgresql_where=sa.text(OPEN_REQUEST), sqlite_where=sa.text(OPEN_REQUEST),
    )

    op.create_table('scheduler_heartbeats',
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('owner', name=op.f('pk_scheduler_heartbeats'))
    )


def downgrade():
    op.drop_table('scheduler_heartbeats')

    # Requests have no place in the older table: their records go (the billing runs they made stay).
    op.execute("DELETE FROM job_runs WHERE request_key IS NOT NULL")
    op.drop_index('uq_job_runs_open_request', table_name='job_runs')
    op.drop_index('uq_job_runs_job_due_at', table_name='job_runs')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_job_runs_queued_only_if_requested'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_job_runs_status_known'), type_='check')
        batch_op.drop_column('request_key')
        batch_op.drop_column('requested_by')
        batch_op.create_check_constraint(batch_op.f('ck_job_runs_status_known'), OLD_STATUSES)
        batch_op.create_unique_constraint(batch_op.f('uq_job_runs_job_due_at'), ['job', 'due_at'])

"""scheduler: job runs

One row per scheduled job and due time: the unique (job, due_at) key is the claim that makes a due time
run once across scheduler processes; owner and lease_until say who holds a running job and until when.

Revision ID: 0006_scheduler
Revises: 0005_impact
Create Date: 2026-11-29 12:15:27.372485

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_scheduler'
down_revision = '0005_impact'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=True),
    sa.CheckConstraint("status IN ('running', 'succeeded', 'failed', 'skipped')", name=op.f('ck_job_runs_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job', 'due_at', name=op.f('uq_job_runs_job_due_at'))
    )
    op.create_index('ix_job_runs_due_at', 'job_runs', ['due_at'], unique=False)
    op.create_index('ix_job_runs_status', 'job_runs', ['status'], unique=False)


def downgrade():
    op.drop_index('ix_job_runs_status', table_name='job_runs')
    op.drop_index('ix_job_runs_due_at', table_name='job_runs')
    op.drop_table('job_runs')

"""stripe events: failures, bounded retries with backoff

An event whose processing fails is kept `failed` with its error and tried again at `next_attempt_at`
(the payments job reads the index on it); once its attempts run out `next_attempt_at` is emptied and the
event stays failed for finance. Events already stored become `processed` (they have `processed_at`) or
`pending`, due at once.

Revision ID: 0009_stripe_event_retries
Revises: 0008_billing_run_outcomes
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_stripe_event_retries'
down_revision = '0008_billing_run_outcomes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stripe_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='pending', nullable=False))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_stripe_events_status_known'), "status IN ('pending', 'processed', 'failed')"
        )
        batch_op.create_index(batch_op.f('ix_stripe_events_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_stripe_events_next_attempt_at'), ['next_attempt_at'], unique=False)
    op.execute("UPDATE stripe_events SET status = 'processed' WHERE processed_at IS NOT NULL")
    op.execute("UPDATE stripe_events SET next_attempt_at = received_at WHERE processed_at IS NULL")


def downgrade():
    with op.batch_alter_table('stripe_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stripe_events_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_stripe_events_status'))
        batch_op.drop_constraint(batch_op.f('ck_stripe_events_status_known'), type_='check')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('last_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('status')

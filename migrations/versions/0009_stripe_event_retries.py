"""stripe events: failures, bounded retries with backoff

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
    pass


def downgrade():
    pass

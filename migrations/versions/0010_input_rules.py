"""input rules

Revision ID: 0010_input_rules
Revises: 0009_stripe_event_retries
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_input_rules'
down_revision = '0009_stripe_event_retries'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

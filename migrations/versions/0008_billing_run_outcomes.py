"""billing runs: outcomes per contract, interrupted runs

Revision ID: 0008_billing_run_outcomes
Revises: 0007_sessions
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_billing_run_outcomes'
down_revision = '0007_sessions'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

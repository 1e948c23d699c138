"""sessions: revocable sessions, failed sign-ins, feed tokens

Revision ID: 0007_sessions
Revises: 0006_scheduler
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_sessions'
down_revision = '0006_scheduler'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

"""pages

Revision ID: 0011_pages
Revises: 0010_input_rules
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_pages'
down_revision = '0010_input_rules'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

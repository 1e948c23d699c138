"""sessions: revocable sessions, failed sign-ins, feed tokens

users.session_version is carried by every session cookie and compared on each request: raising it ends
all sessions of the user. api_tokens.scope tells an API token from a calendar-feed token, which opens only
the iCalendar feed (the tokens the calendar page made before become calendar tokens). sign_in_failures
counts failed sign-ins per (hashed) e-mail address, in the database so that every worker and server shares
the count, with the lockout they caused.

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
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=16), server_default='api', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_api_tokens_scope_known'), "scope IN ('api', 'calendar')")
    # The tokens the pickup calendar page made so far sat in feed links (and access logs) as full API tokens:
    # they keep opening the feed, and nothing else any more.
    op.execute("UPDATE api_tokens SET scope = 'calendar' WHERE name = 'pickup calendar feed'")

    op.create_table('sign_in_failures',
    sa.Column('email_key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('failures > 0', name=op.f('ck_sign_in_failures_failures_positive')),
    sa.PrimaryKeyConstraint('email_key', name=op.f('pk_sign_in_failures'))
    )


def downgrade():
    op.drop_table('sign_in_failures')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_api_tokens_scope_known'), type_='check')
        batch_op.drop_column('scope')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')

"""idempotency keys

A client may send an `Idempotency-Key` header with a POST that changes money or documents; the key, per
caller (owner `user:<id>`), is kept for 24 hours with the request it came with (method, path, the SHA-256
of the body in canonical form) and, once that request is done, its answer (status and JSON body), which a
retry with the same key and body gets again. The unique (owner, key) is the claim that lets only one of
two requests with one key run. Rows expire at expires_at (indexed: the payments job deletes them). A new
table: nothing existing changes.

Revision ID: 0012_idempotency_keys
Revises: 0011_documents
Create Date: 2026-12-02 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_idempotency_keys'
down_revision = '0011_documents'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('in_flight', 'done')", name=op.f('ck_idempotency_keys_state_known')),
    sa.CheckConstraint(
        "state = 'in_flight' OR (status_code IS NOT NULL AND response_body IS NOT NULL)",
        name=op.f('ck_idempotency_keys_done_has_answer'),
    ),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('owner', 'key', name=op.f('uq_idempotency_keys_owner_key'))
    )
    op.create_index('ix_idempotency_keys_expires_at', 'idempotency_keys', ['expires_at'], unique=False)


def downgrade():
    op.drop_index('ix_idempotency_keys_expires_at', table_name='idempotency_keys')
    op.drop_table('idempotency_keys')

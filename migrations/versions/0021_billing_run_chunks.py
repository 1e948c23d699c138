"""billing run chunks: a billing run's contracts split into chunks that any of its processes claims

- `billing_run_chunks`: per run, the contract id ranges it bills one transaction at a time (`seq` in
  contract id order), how many contracts each holds, and when and by which process it was written. A
  process claims an unwritten chunk by locking its row (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so
  several processes share a run and a process that dies leaves its chunk to the others.

Runs made before this revision have no chunks; they were worked by one process and nothing reads their
chunks. Going back drops the table.

Revision ID: 0021_billing_run_chunks
Revises: 0020_workshop
Create Date: 2026-12-03 16:15:00

"""

from alembic import op
import sqlalchemy as sa

from daas.db import UtcDateTime


# revision identifiers, used by Alembic.
revision = "0021_billing_run_chunks"
down_revision = "0020_workshop"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "billing_run_chunks",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("first_contract_id", sa.Integer(), nullable=False),
        sa.Column("last_contract_id", sa.Integer(), nullable=False),
        sa.Column("contracts", sa.Integer(), nullable=False),
        sa.Column("done_at", UtcDateTime(), nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "first_contract_id <= last_contract_id", name=op.f("ck_billing_run_chunks_range_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["billing_runs.id"],
            name=op.f("fk_billing_run_chunks_run_id_billing_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "seq", name=op.f("pk_billing_run_chunks")),
    )


def downgrade():
    op.drop_table("billing_run_chunks")

"""payments: profiles, attempts, payments, refunds, stripe events; invoice collection state

At most one active payment attempt per invoice (partial unique index), so no invoice is charged twice;
payments are never changed (triggers).

Revision ID: 0003_payments
Revises: 0002_billing
Create Date: 2026-11-29 10:09:44.879006

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_payments'
down_revision = '0002_billing'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stripe_events',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_events'))
    )
    op.create_table('payment_profiles',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('stripe_customer_id', sa.String(length=64), nullable=True),
    sa.Column('default_payment_method', sa.String(length=64), nullable=True),
    sa.Column('card_brand', sa.String(length=20), nullable=True),
    sa.Column('card_last4', sa.String(length=4), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_payment_profiles_customer_id_customers')),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_payment_profiles')),
    sa.UniqueConstraint('stripe_customer_id', name=op.f('uq_payment_profiles_stripe_customer_id'))
    )
    op.create_table('payment_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=False),
    sa.Column('payment_method', sa.String(length=64), nullable=True),
    sa.Column('stripe_payment_intent_id', sa.String(length=64), nullable=True),
    sa.Column('failure_code', sa.String(length=64), nullable=True),
    sa.Column('failure_message', sa.String(length=500), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'processing', 'succeeded', 'failed', 'canceled')", name=op.f('ck_payment_attempts_status_known')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_payment_attempts_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_attempts')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payment_attempts_idempotency_key')),
    sa.UniqueConstraint('invoice_id', 'number', name=op.f('uq_payment_attempts_invoice_id_number')),
    sa.UniqueConstraint('stripe_payment_intent_id', name=op.f('uq_payment_attempts_stripe_payment_intent_id'))
    )
    with op.batch_alter_table('payment_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_payment_attempts_invoice_id_active', ['invoice_id'], unique=True, postgresql_where=sa.text("status IN ('pending', 'processing', 'succeeded')"), sqlite_where=sa.text("status IN ('pending', 'processing', 'succeeded')"))

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("method IN ('card', 'bank_transfer')", name=op.f('ck_payments_method_known')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payments_amount_positive')),
    sa.ForeignKeyConstraint(['attempt_id'], ['payment_attempts.id'], name=op.f('fk_payments_attempt_id_payment_attempts')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_payments_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_payments_attempt_id')),
    sa.UniqueConstraint('invoice_id', 'reference', name=op.f('uq_payments_invoice_id_reference'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('credit_note_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=False),
    sa.Column('stripe_refund_id', sa.String(length=64), nullable=True),
    sa.Column('failure_message', sa.String(length=500), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name=op.f('ck_refunds_status_known')),
    sa.ForeignKeyConstraint(['credit_note_id'], ['credit_notes.id'], name=op.f('fk_refunds_credit_note_id_credit_notes')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_refunds_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_refunds_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds')),
    sa.UniqueConstraint('credit_note_id', name=op.f('uq_refunds_credit_note_id')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_refunds_idempotency_key')),
    sa.UniqueConstraint('stripe_refund_id', name=op.f('uq_refunds_stripe_refund_id'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_invoice_id'), ['invoice_id'], unique=False)

    # Plain ALTER TABLE, not batch mode: rebuilding invoices on SQLite would drop its triggers.
    op.add_column('invoices', sa.Column('collection_method', sa.String(length=16), nullable=True))
    op.add_column('invoices', sa.Column('failed_attempts', sa.Integer(), server_default='0', nullable=False))
    op.add_column('invoices', sa.Column('next_collection_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('invoices', sa.Column('uncollectible_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_invoices_next_collection_at'), 'invoices', ['next_collection_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION payments_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'payments are never changed'; END $$""")
        op.execute("CREATE TRIGGER payments_append_only BEFORE UPDATE OR DELETE ON payments "
                   "FOR EACH ROW EXECUTE FUNCTION payments_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER payments_no_{verb.lower()} BEFORE {verb} ON payments "
                       "BEGIN SELECT RAISE(ABORT, 'payments are never changed'); END")



def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS payments_append_only ON payments")
        op.execute("DROP FUNCTION IF EXISTS payments_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS payments_no_update")
        op.execute("DROP TRIGGER IF EXISTS payments_no_delete")
    op.drop_index(op.f('ix_invoices_next_collection_at'), table_name='invoices')
    for column in ('uncollectible_at', 'next_collection_at', 'failed_attempts', 'collection_method'):
        op.drop_column('invoices', column)  # SQLite 3.35+ drops columns without rebuilding the table

    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_invoice_id'))

    op.drop_table('refunds')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_invoice_id'))

    op.drop_table('payments')
    with op.batch_alter_table('payment_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_attempts_invoice_id_active', postgresql_where=sa.text("status IN ('pending', 'processing', 'succeeded')"), sqlite_where=sa.text("status IN ('pending', 'processing', 'succeeded')"))

    op.drop_table('payment_attempts')
    op.drop_table('payment_profiles')
    op.drop_table('stripe_events')

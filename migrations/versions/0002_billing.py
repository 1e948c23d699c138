"""billing: runs, invoices, lines, credit notes, number series, billed usage and usage revisions

Finalized invoices never change, and credit notes are never rewritten: triggers on both databases refuse
changing a non-draft invoice's amounts, number, dates or customer, turning it back into a draft,
deleting it, or touching its lines.

Revision ID: 0002_billing
Revises: 0001_foundation
Create Date: 2026-11-29 09:33:46.040086

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_billing'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('billing_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('contracts', sa.Integer(), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('invoices_created', sa.Integer(), nullable=False),
    sa.Column('invoices_updated', sa.Integer(), nullable=False),
    sa.Column('invoices_finalized', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('running', 'completed', 'failed')", name=op.f('ck_billing_runs_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_runs'))
    )
    with op.batch_alter_table('billing_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_runs_period'), ['period'], unique=False)

    op.create_table('document_sequences',
    sa.Column('series', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('series', 'year', name=op.f('pk_document_sequences'))
    )
    op.create_table('invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('subtotal', sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('tax_rate', sa.Numeric(precision=7, scale=4).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('tax_amount', sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('tax_note', sa.String(length=200), nullable=True),
    sa.Column('total', sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('credited', sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('amount_paid', sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('amount_due', sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('customer_name', sa.String(length=200), nullable=False),
    sa.Column('customer_country', sa.String(length=2), nullable=False),
    sa.Column('customer_vat_id', sa.String(length=20), nullable=True),
    sa.Column('customer_email', sa.String(length=254), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('billing_run_id', sa.Integer(), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('finalized_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'draft') = (number IS NULL)", name=op.f('ck_invoices_numbered_unless_draft')),
    sa.CheckConstraint('credited <= total AND amount_paid <= total', name=op.f('ck_invoices_not_over_settled')),
    sa.CheckConstraint("status IN ('draft', 'open', 'paid', 'void', 'uncollectible')", name=op.f('ck_invoices_status_known')),
    sa.CheckConstraint('amount_due >= 0 AND credited >= 0 AND amount_paid >= 0', name=op.f('ck_invoices_amounts_not_negative')),
    sa.ForeignKeyConstraint(['billing_run_id'], ['billing_runs.id'], name=op.f('fk_invoices_billing_run_id_billing_runs')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_invoices_contract_id_contracts')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_invoices_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('contract_id', 'period', name=op.f('uq_invoices_contract_id_period')),
    sa.UniqueConstraint('number', name=op.f('uq_invoices_number'))
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoices_billing_run_id'), ['billing_run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_invoices_period_status', ['period', 'status'], unique=False)

    op.create_table('billed_usage',
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('metric_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=20, scale=6).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('measured_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_billed_usage_contract_id_contracts')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_billed_usage_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['metric_id'], ['metrics.id'], name=op.f('fk_billed_usage_metric_id_metrics')),
    sa.PrimaryKeyConstraint('contract_id', 'metric_id', 'period_start', name=op.f('pk_billed_usage'))
    )
    op.create_table('usage_revisions',
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('metric_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_usage_revisions_contract_id_contracts')),
    sa.ForeignKeyConstraint(['metric_id'], ['metrics.id'], name=op.f('fk_usage_revisions_metric_id_metrics')),
    sa.PrimaryKeyConstraint('contract_id', 'metric_id', 'period_start', name=op.f('pk_usage_revisions'))
    )
    op.create_table('credit_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_credit_notes_amount_positive')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_credit_notes_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_notes')),
    sa.UniqueConstraint('number', name=op.f('uq_credit_notes_number'))
    )
    with op.batch_alter_table('credit_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_notes_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('invoice_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('metric', sa.String(length=64), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=20, scale=6).with_variant(sa.BigInteger(), 'sqlite'), nullable=True),
    sa.Column('unit_amount', sa.Numeric(precision=18, scale=6).with_variant(sa.BigInteger(), 'sqlite'), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('usage_period', sa.String(length=7), nullable=True),
    sa.Column('usage_quantity', sa.Numeric(precision=20, scale=6).with_variant(sa.BigInteger(), 'sqlite'), nullable=True),
    sa.CheckConstraint("kind IN ('device_monthly', 'metered', 'minimum_true_up', 'late_usage')", name=op.f('ck_invoice_lines_kind_known')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_lines_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_lines')),
    sa.UniqueConstraint('invoice_id', 'position', name=op.f('uq_invoice_lines_invoice_id_position'))
    )
    with op.batch_alter_table('usage_events', schema=None) as batch_op:
        batch_op.create_index('ix_usage_events_received_at', ['received_at'], unique=False)
        batch_op.create_index('ix_usage_events_timestamp', ['timestamp'], unique=False)



    if op.get_bind().dialect.name == "postgresql":
        _postgresql_guards()
    else:
        _sqlite_guards()


_FROZEN = (
    "contract_id", "customer_id", "period", "number", "currency", "subtotal", "tax_rate", "tax_amount",
    "tax_note", "total", "customer_name", "customer_country", "customer_vat_id", "customer_email",
    "issued_on", "due_date", "finalized_at",
)
_MESSAGE = "finalized invoices never change"


def _postgresql_guards():
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _FROZEN)
    op.execute(f"""
        CREATE FUNCTION invoices_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                IF OLD.status <> 'draft' THEN RAISE EXCEPTION '{_MESSAGE}'; END IF;
                RETURN OLD;
            END IF;
            IF OLD.status <> 'draft' AND (NEW.status = 'draft' OR {changed}) THEN
                RAISE EXCEPTION '{_MESSAGE}';
            END IF;
            RETURN NEW;
        END $$""")
    op.execute("CREATE TRIGGER invoices_frozen BEFORE UPDATE OR DELETE ON invoices "
               "FOR EACH ROW EXECUTE FUNCTION invoices_frozen()")
    op.execute(f"""
        CREATE FUNCTION invoice_lines_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM invoices WHERE status <> 'draft'
                       AND id IN (CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END,
                                  CASE WHEN TG_OP = 'INSERT' THEN NEW.invoice_id ELSE OLD.invoice_id END)) THEN
                RAISE EXCEPTION '{_MESSAGE}';
            END IF;
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$""")
    op.execute("CREATE TRIGGER invoice_lines_frozen BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines "
               "FOR EACH ROW EXECUTE FUNCTION invoice_lines_frozen()")
    op.execute("""
        CREATE FUNCTION credit_notes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'credit notes are never changed'; END $$""")
    op.execute("CREATE TRIGGER credit_notes_append_only BEFORE UPDATE OR DELETE ON credit_notes "
               "FOR EACH ROW EXECUTE FUNCTION credit_notes_append_only()")


def _sqlite_guards():
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _FROZEN)
    abort = f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
    op.execute(f"CREATE TRIGGER invoices_frozen_update BEFORE UPDATE ON invoices "
               f"WHEN OLD.status <> 'draft' AND (NEW.status = 'draft' OR {changed}) {abort}")
    op.execute(f"CREATE TRIGGER invoices_frozen_delete BEFORE DELETE ON invoices WHEN OLD.status <> 'draft' {abort}")
    draft = "(SELECT status FROM invoices WHERE id = {}.invoice_id) <> 'draft'"
    op.execute(f"CREATE TRIGGER invoice_lines_frozen_insert BEFORE INSERT ON invoice_lines "
               f"WHEN {draft.format('NEW')} {abort}")
    op.execute(f"CREATE TRIGGER invoice_lines_frozen_update BEFORE UPDATE ON invoice_lines "
               f"WHEN {draft.format('OLD')} OR {draft.format('NEW')} {abort}")
    op.execute(f"CREATE TRIGGER invoice_lines_frozen_delete BEFORE DELETE ON invoice_lines "
               f"WHEN {draft.format('OLD')} {abort}")
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER credit_notes_no_{verb.lower()} BEFORE {verb} ON credit_notes "
                   "BEGIN SELECT RAISE(ABORT, 'credit notes are never changed'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, name in (("invoices", "invoices_frozen"), ("invoice_lines", "invoice_lines_frozen"),
                            ("credit_notes", "credit_notes_append_only")):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in ("invoices_frozen_update", "invoices_frozen_delete", "invoice_lines_frozen_insert",
                     "invoice_lines_frozen_update", "invoice_lines_frozen_delete", "credit_notes_no_update",
                     "credit_notes_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('usage_events', schema=None) as batch_op:
        batch_op.drop_index('ix_usage_events_timestamp')
        batch_op.drop_index('ix_usage_events_received_at')

    op.drop_table('invoice_lines')
    with op.batch_alter_table('credit_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_notes_invoice_id'))

    op.drop_table('credit_notes')
    op.drop_table('usage_revisions')
    op.drop_table('billed_usage')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_period_status')
        batch_op.drop_index(batch_op.f('ix_invoices_customer_id'))
        batch_op.drop_index(batch_op.f('ix_invoices_billing_run_id'))

    op.drop_table('invoices')
    op.drop_table('document_sequences')
    with op.batch_alter_table('billing_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_runs_period'))

    op.drop_table('billing_runs')

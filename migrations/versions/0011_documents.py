"""documents: buyer details, line pricing, credit note lines and VAT, issued files

What an invoice says about its buyer and how its lines are written, for EN 16931 e-invoices:
- customers get a structured billing address (line1, line2, postcode, city; the country is `country`), a
  legal registration id and a Peppol participant id (`scheme:value`), a buyer reference and a document
  language. Existing customers keep what they have: their pickup address becomes the first address line
  (postcode and city stay empty until someone fills them in, and the customer's page says so).
- contracts get a `reference` (unique; `C-000123` from the id for every existing contract) and a purchase
  order.
- invoices keep the rest of the buyer as issued; finalized invoices never change, now including those
  columns (the guards are recreated with them). Existing issued invoices take them from today's customer
  and contract, the best record there is.
- invoice lines get `unit_code`, `price` and `base_quantity` (amount = round(quantity × price ÷ base)).
  Lines of issued invoices cannot change, so lines computed before stay without them and documents show
  them as 1 × amount.
- credit notes split their amount into net and VAT and get lines; each existing one gets its net back
  from its invoice's rate and one line for the amount it credited. They stay append-only.
- issued_documents keeps the files an issued invoice or credit note was rendered to, with their SHA-256;
  rows are never changed or removed.

Revision ID: 0011_documents
Revises: 0010_job_requests
Create Date: 2026-12-01 16:00:00

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa



revision = '0011_documents'
down_revision = '0010_job_requests'
branch_labels = None
depends_on = None

# Exact decimals: NUMERIC on PostgreSQL, whole numbers of the smallest unit on SQLite (daas.db).
Money = sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite')
UnitAmount = sa.Numeric(precision=18, scale=6).with_variant(sa.BigInteger(), 'sqlite')
Quantity = sa.Numeric(precision=20, scale=6).with_variant(sa.BigInteger(), 'sqlite')

# What a finalized invoice may never change: the columns of 0002 and the buyer kept at finalization.
_FROZEN = (
    "contract_id", "customer_id", "period", "number", "currency", "subtotal", "tax_rate", "tax_amount",
    "tax_note", "total", "customer_name", "customer_country", "customer_vat_id", "customer_email",
    "issued_on", "due_date", "finalized_at",
    "customer_address_line1", "customer_address_line2", "customer_postcode", "customer_city",
    "customer_registration_id", "customer_peppol_id", "buyer_reference", "purchase_order",
    "contract_reference", "document_language",
)
_OLD_FROZEN = _FROZEN[:17]
_MESSAGE = "finalized invoices never change"


def _postgresql(dialect):
    return dialect == "postgresql"


def _set_sqlite_foreign_keys(on):
    """Outside any transaction, as SQLite requires (see 0008): rebuilding a table that other rows point
    at (contracts, credit notes) needs the foreign keys off while the copy replaces it."""
    with op.get_context().autocommit_block():
        raw = op.get_bind().connection.dbapi_connection
        raw.commit()
        raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


@contextmanager
def _foreign_keys_off_on_sqlite():
    if op.get_bind().dialect.name != 'sqlite':
        yield
        return
    _set_sqlite_foreign_keys(False)
    try:
        yield
    finally:
        _set_sqlite_foreign_keys(True)


def upgrade():
    with _foreign_keys_off_on_sqlite():
        _upgrade()


def downgrade():
    with _foreign_keys_off_on_sqlite():
        _downgrade()


def _upgrade():
    dialect = op.get_bind().dialect.name

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_line1', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('address_line2', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('postcode', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('city', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('registration_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('peppol_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('buyer_reference', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('document_language', sa.String(length=2), nullable=True))
    op.execute("UPDATE customers SET address_line1 = substr(pickup_address, 1, 200) "
               "WHERE pickup_address IS NOT NULL AND trim(pickup_address) <> ''")

    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('purchase_order', sa.String(length=100), nullable=True))
    if _postgresql(dialect):
        # lpad would cut a longer id to six digits; at least six, never fewer than the id has.
        op.execute("UPDATE contracts SET reference = 'C-' || lpad(id::text, greatest(6, length(id::text)), '0')")
    else:
        op.execute("UPDATE contracts SET reference = 'C-' || printf('%06d', id)")
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.alter_column('reference', existing_type=sa.String(length=40), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_contracts_reference'), ['reference'])

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_address_line1', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('customer_address_line2', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('customer_postcode', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('customer_city', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('customer_registration_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('customer_peppol_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('buyer_reference', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('purchase_order', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('contract_reference', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('document_language', sa.String(length=2), nullable=True))
    op.execute("""
        UPDATE invoices SET
            customer_address_line1 = (SELECT address_line1 FROM customers WHERE customers.id = invoices.customer_id),
            contract_reference = (SELECT reference FROM contracts WHERE contracts.id = invoices.contract_id)
        WHERE status <> 'draft'""")
    _drop_invoice_guards(dialect)
    _create_invoice_guards(dialect, _FROZEN)

    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_code', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('price', UnitAmount, nullable=True))
        batch_op.add_column(sa.Column('base_quantity', Quantity, nullable=True))

    _drop_append_only(dialect, "credit_notes")
    with op.batch_alter_table('credit_notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('net_amount', Money, nullable=True))
        batch_op.add_column(sa.Column('tax_amount', Money, nullable=True))
        batch_op.add_column(sa.Column('voids_invoice', sa.Boolean(), server_default=sa.text('false'),
                                      nullable=False))
    _split_existing_credit_notes()
    with op.batch_alter_table('credit_notes', schema=None) as batch_op:
        batch_op.alter_column('net_amount', existing_type=Money, nullable=False)
        batch_op.alter_column('tax_amount', existing_type=Money, nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_credit_notes_gross_is_net_plus_tax'),
                                         'amount = net_amount + tax_amount')
    _create_append_only(dialect, "credit_notes", "credit notes are never changed")

    op.create_table('credit_note_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credit_note_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('invoice_line_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('quantity', Quantity, nullable=False),
    sa.Column('unit_code', sa.String(length=3), nullable=False),
    sa.Column('price', UnitAmount, nullable=False),
    sa.Column('base_quantity', Quantity, nullable=False),
    sa.Column('amount', Money, nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_credit_note_lines_amount_positive')),
    sa.CheckConstraint("kind IN ('device_monthly', 'metered', 'minimum_true_up', 'late_usage', 'credit')",
                       name=op.f('ck_credit_note_lines_kind_known')),
    sa.ForeignKeyConstraint(['credit_note_id'], ['credit_notes.id'],
                            name=op.f('fk_credit_note_lines_credit_note_id_credit_notes')),
    sa.ForeignKeyConstraint(['invoice_line_id'], ['invoice_lines.id'],
                            name=op.f('fk_credit_note_lines_invoice_line_id_invoice_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_note_lines')),
    sa.UniqueConstraint('credit_note_id', 'position', name=op.f('uq_credit_note_lines_credit_note_id_position')),
    )
    with op.batch_alter_table('credit_note_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_note_lines_credit_note_id'), ['credit_note_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_note_lines_invoice_line_id'), ['invoice_line_id'], unique=False)
    # One unit at the net amount (on SQLite quantities are millionths and unit prices too, money cents).
    one, price = ("1", "net_amount") if _postgresql(dialect) else ("1000000", "net_amount * 10000")
    op.execute(f"""
        INSERT INTO credit_note_lines (credit_note_id, position, invoice_line_id, kind, description, quantity,
                                       unit_code, price, base_quantity, amount)
        SELECT id, 1, NULL, 'credit', substr(reason, 1, 300), {one}, 'C62', {price}, {one}, net_amount
        FROM credit_notes WHERE net_amount > 0""")
    _create_append_only(dialect, "credit_note_lines", "credit notes are never changed")

    op.create_table('issued_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('credit_note_id', sa.Integer(), nullable=True),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("format IN ('pdf', 'ubl', 'cii')", name=op.f('ck_issued_documents_format_known')),
    sa.CheckConstraint('(invoice_id IS NULL) <> (credit_note_id IS NULL)',
                       name=op.f('ck_issued_documents_of_one_document')),
    sa.ForeignKeyConstraint(['credit_note_id'], ['credit_notes.id'],
                            name=op.f('fk_issued_documents_credit_note_id_credit_notes')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_issued_documents_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_documents')),
    sa.UniqueConstraint('credit_note_id', 'format', name=op.f('uq_issued_documents_credit_note_id_format')),
    sa.UniqueConstraint('invoice_id', 'format', name=op.f('uq_issued_documents_invoice_id_format')),
    )
    _create_append_only(dialect, "issued_documents", "issued documents are never changed")


def _split_existing_credit_notes():
    """net = round(gross ÷ (1 + rate)) with the invoice's rate, VAT the rest: what the note meant."""
    from decimal import ROUND_HALF_UP, Decimal

    bind = op.get_bind()
    sqlite = bind.dialect.name != "postgresql"
    rows = bind.execute(sa.text(
        "SELECT credit_notes.id, credit_notes.amount, invoices.tax_rate, invoices.currency "
        "FROM credit_notes JOIN invoices ON invoices.id = credit_notes.invoice_id"
    )).all()
    for note_id, gross, rate, currency in rows:
        gross, rate = Decimal(gross), Decimal(rate)
        if sqlite:
            gross, rate = gross.scaleb(-2), rate.scaleb(-4)
        quantum = Decimal(1) if currency == "JPY" else Decimal("0.01")
        net = (gross / (1 + rate)).quantize(quantum, rounding=ROUND_HALF_UP)
        tax = gross - net
        if sqlite:
            net, tax = int(net.scaleb(2)), int(tax.scaleb(2))
        bind.execute(sa.text("UPDATE credit_notes SET net_amount = :net, tax_amount = :tax WHERE id = :id"),
                     {"net": net, "tax": tax, "id": note_id})


def _drop_invoice_guards(dialect):
    if _postgresql(dialect):
        op.execute("DROP TRIGGER IF EXISTS invoices_frozen ON invoices")
        op.execute("DROP FUNCTION IF EXISTS invoices_frozen()")
    else:  # both: rebuilding the table in batch mode (downgrade) drops its triggers
        op.execute("DROP TRIGGER IF EXISTS invoices_frozen_update")
        op.execute("DROP TRIGGER IF EXISTS invoices_frozen_delete")


def _create_invoice_guards(dialect, frozen):
    if _postgresql(dialect):
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in frozen)
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
    else:
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in frozen)
        abort = f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
        op.execute(f"CREATE TRIGGER invoices_frozen_update BEFORE UPDATE ON invoices "
                   f"WHEN OLD.status <> 'draft' AND (NEW.status = 'draft' OR {changed}) {abort}")
        op.execute(f"CREATE TRIGGER invoices_frozen_delete BEFORE DELETE ON invoices "
                   f"WHEN OLD.status <> 'draft' {abort}")


def _drop_append_only(dialect, table):
    if _postgresql(dialect):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def _create_append_only(dialect, table, message):
    if _postgresql(dialect):
        op.execute(f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{message}'; END $$""")
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def _downgrade():
    dialect = op.get_bind().dialect.name
    _drop_append_only(dialect, "issued_documents")
    op.drop_table('issued_documents')
    _drop_append_only(dialect, "credit_note_lines")
    with op.batch_alter_table('credit_note_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_note_lines_invoice_line_id'))
        batch_op.drop_index(batch_op.f('ix_credit_note_lines_credit_note_id'))
    op.drop_table('credit_note_lines')
    _drop_append_only(dialect, "credit_notes")
    with op.batch_alter_table('credit_notes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_credit_notes_gross_is_net_plus_tax'), type_='check')
        batch_op.drop_column('voids_invoice')
        batch_op.drop_column('tax_amount')
        batch_op.drop_column('net_amount')
    _create_append_only(dialect, "credit_notes", "credit notes are never changed")
    if not _postgresql(dialect):  # they name invoices, which is rebuilt below; made again after it
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS invoice_lines_frozen_{name}")
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_column('base_quantity')
        batch_op.drop_column('price')
        batch_op.drop_column('unit_code')
    _drop_invoice_guards(dialect)
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        for column in _FROZEN[17:]:
            batch_op.drop_column(column)
    _create_invoice_guards(dialect, _OLD_FROZEN)
    if not _postgresql(dialect):  # the guards of invoice lines, as 0002 made them
        abort = f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
        draft = "(SELECT status FROM invoices WHERE id = {}.invoice_id) <> 'draft'"
        op.execute(f"CREATE TRIGGER invoice_lines_frozen_insert BEFORE INSERT ON invoice_lines "
                   f"WHEN {draft.format('NEW')} {abort}")
        op.execute(f"CREATE TRIGGER invoice_lines_frozen_update BEFORE UPDATE ON invoice_lines "
                   f"WHEN {draft.format('OLD')} OR {draft.format('NEW')} {abort}")
        op.execute(f"CREATE TRIGGER invoice_lines_frozen_delete BEFORE DELETE ON invoice_lines "
                   f"WHEN {draft.format('OLD')} {abort}")
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_contracts_reference'), type_='unique')
        batch_op.drop_column('purchase_order')
        batch_op.drop_column('reference')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        for column in ('document_language', 'buyer_reference', 'peppol_id', 'registration_id', 'city',
                       'postcode', 'address_line2', 'address_line1'):
            batch_op.drop_column(column)

"""one-off charges

New tables: `one_off_charges` (a charge on a contract: its kind, net amount, day, optional device, state,
dispute and decision, the finalized invoice that billed it and the credit note of a granted dispute of a
billed one; `idempotency_key` unique per contract; a billed charge names its invoice) and `charge_events`,
the trail of every move of a charge, never changed or removed (triggers, like custody events).

Existing tables: `invoice_lines.charge_id` (the charge a one-off line bills) and the line kind `one_off`
in the checks of `invoice_lines.kind` and `credit_note_lines.kind`.

On SQLite nothing is rebuilt on the way up, so invoice_lines and credit_note_lines keep their triggers:
the column is added in place with its foreign key and the CHECKs are edited in the stored CREATE TABLE
text, as 0013 does. Going back rebuilds invoice_lines (a column in a foreign key cannot be dropped in
place; the foreign keys are off meanwhile) and creates its guards again.

Revision ID: 0015_one_off_charges
Revises: 0014_plan_history
Create Date: 2026-12-02 10:00:00

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_one_off_charges'
down_revision = '0014_plan_history'
branch_labels = None
depends_on = None

Money = sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite')

_KINDS = ('damage', 'loss', 'buy_out', 'early_termination', 'shipping', 'setup', 'other')
_STATUSES = ('proposed', 'pending', 'billed', 'waived', 'disputed')
_OLD_LINE_KINDS = ('device_monthly', 'metered', 'minimum_true_up', 'late_usage')
_LINE_KINDS = _OLD_LINE_KINDS + ('one_off',)
_EVENTS_MESSAGE = 'charge events are append-only'
_FROZEN_MESSAGE = 'finalized invoices never change'


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def _set_sqlite_foreign_keys(on):
    with op.get_context().autocommit_block():
        raw = op.get_bind().connection.dbapi_connection
        raw.commit()
        raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


@contextmanager
def _foreign_keys_off_on_sqlite():
    if _postgresql():
        yield
        return
    _set_sqlite_foreign_keys(False)
    try:
        yield
    finally:
        _set_sqlite_foreign_keys(True)


def _replace_check(table, name, old, new):
    """Swap a CHECK's list of values. PostgreSQL alters the constraint. SQLite keeps a table's CHECKs in
    its CREATE TABLE text: the text is edited in place (SQLite's documented procedure for CHECK changes,
    which leave the stored rows' format alone), so the table is not rebuilt and keeps its triggers."""
    if _postgresql():
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({new})")
        return
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar()
    if old not in sql:
        raise RuntimeError(f"{table}: the check {name} is not the expected one: {sql}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql.replace(old, new), table)
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _create_event_guards():
    if _postgresql():
        op.execute("CREATE FUNCTION charge_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN RAISE EXCEPTION '{_EVENTS_MESSAGE}'; END $$")
        op.execute("CREATE TRIGGER charge_events_append_only BEFORE UPDATE OR DELETE ON charge_events "
                   "FOR EACH ROW EXECUTE FUNCTION charge_events_append_only()")
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER charge_events_no_{verb.lower()} BEFORE {verb} ON charge_events "
                   f"BEGIN SELECT RAISE(ABORT, '{_EVENTS_MESSAGE}'); END")


def _drop_event_guards():
    if _postgresql():
        op.execute("DROP TRIGGER IF EXISTS charge_events_append_only ON charge_events")
        op.execute("DROP FUNCTION IF EXISTS charge_events_append_only()")
        return
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS charge_events_no_{verb}")


def _create_sqlite_line_guards():
    """The guards of invoice lines on SQLite, as 0002 made them (a rebuilt table loses its triggers)."""
    abort = f"BEGIN SELECT RAISE(ABORT, '{_FROZEN_MESSAGE}'); END"
    draft = "(SELECT status FROM invoices WHERE id = {}.invoice_id) <> 'draft'"
    op.execute(f"CREATE TRIGGER invoice_lines_frozen_insert BEFORE INSERT ON invoice_lines "
               f"WHEN {draft.format('NEW')} {abort}")
    op.execute(f"CREATE TRIGGER invoice_lines_frozen_update BEFORE UPDATE ON invoice_lines "
               f"WHEN {draft.format('OLD')} OR {draft.format('NEW')} {abort}")
    op.execute(f"CREATE TRIGGER invoice_lines_frozen_delete BEFORE DELETE ON invoice_lines "
               f"WHEN {draft.format('OLD')} {abort}")


def upgrade():
    with _foreign_keys_off_on_sqlite():
        _upgrade()


def downgrade():
    with _foreign_keys_off_on_sqlite():
        _downgrade()


def _upgrade():
    op.create_table('one_off_charges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('amount', Money, nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('charge_on', sa.Date(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=255), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('dispute_reason', sa.Text(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('credit_note_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint(_one_of('kind', _KINDS), name=op.f('ck_one_off_charges_kind_known')),
    sa.CheckConstraint(_one_of('status', _STATUSES), name=op.f('ck_one_off_charges_status_known')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_one_off_charges_amount_positive')),
    sa.CheckConstraint("status <> 'billed' OR invoice_id IS NOT NULL",
                       name=op.f('ck_one_off_charges_billed_on_invoice')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_one_off_charges_contract_id_contracts')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_one_off_charges_device_id_devices')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_one_off_charges_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['credit_note_id'], ['credit_notes.id'],
                            name=op.f('fk_one_off_charges_credit_note_id_credit_notes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_off_charges')),
    sa.UniqueConstraint('contract_id', 'idempotency_key',
                        name=op.f('uq_one_off_charges_contract_id_idempotency_key'))
    )
    with op.batch_alter_table('one_off_charges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_off_charges_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_one_off_charges_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_one_off_charges_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('charge_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('charge_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(_one_of('to_status', _STATUSES), name=op.f('ck_charge_events_to_status_known')),
    sa.CheckConstraint(f"from_status IS NULL OR {_one_of('from_status', _STATUSES)}",
                       name=op.f('ck_charge_events_from_status_known')),
    sa.ForeignKeyConstraint(['charge_id'], ['one_off_charges.id'],
                            name=op.f('fk_charge_events_charge_id_one_off_charges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_charge_events'))
    )
    with op.batch_alter_table('charge_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_charge_events_charge_id'), ['charge_id'], unique=False)
    _create_event_guards()

    # In place on SQLite (ALTER TABLE ADD COLUMN ... REFERENCES), so invoice_lines keeps its triggers.
    name = 'fk_invoice_lines_charge_id_one_off_charges'
    if _postgresql():
        op.add_column('invoice_lines', sa.Column('charge_id', sa.Integer(), nullable=True))
        op.create_foreign_key(name, 'invoice_lines', 'one_off_charges', ['charge_id'], ['id'])
    else:
        op.execute(f"ALTER TABLE invoice_lines ADD COLUMN charge_id INTEGER CONSTRAINT {name} "
                   "REFERENCES one_off_charges (id)")
    op.create_index('ix_invoice_lines_charge_id', 'invoice_lines', ['charge_id'], unique=False)

    _replace_check('invoice_lines', 'ck_invoice_lines_kind_known', _one_of('kind', _OLD_LINE_KINDS),
                   _one_of('kind', _LINE_KINDS))
    _replace_check('credit_note_lines', 'ck_credit_note_lines_kind_known',
                   _one_of('kind', _OLD_LINE_KINDS + ('credit',)), _one_of('kind', _LINE_KINDS + ('credit',)))


def _downgrade():
    # Lines of one-off charges cannot go back: the checks would refuse them.
    _replace_check('credit_note_lines', 'ck_credit_note_lines_kind_known',
                   _one_of('kind', _LINE_KINDS + ('credit',)), _one_of('kind', _OLD_LINE_KINDS + ('credit',)))
    _replace_check('invoice_lines', 'ck_invoice_lines_kind_known', _one_of('kind', _LINE_KINDS),
                   _one_of('kind', _OLD_LINE_KINDS))

    postgresql = _postgresql()
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        if postgresql:  # SQLite's rebuild leaves the column's foreign key out with the column
            batch_op.drop_constraint('fk_invoice_lines_charge_id_one_off_charges', type_='foreignkey')
        batch_op.drop_index('ix_invoice_lines_charge_id')
        batch_op.drop_column('charge_id')
    if not postgresql:
        for verb in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS invoice_lines_frozen_{verb}")
        _create_sqlite_line_guards()

    _drop_event_guards()
    with op.batch_alter_table('charge_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_charge_events_charge_id'))
    op.drop_table('charge_events')

    with op.batch_alter_table('one_off_charges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_off_charges_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_one_off_charges_device_id'))
        batch_op.drop_index(batch_op.f('ix_one_off_charges_contract_id'))
    op.drop_table('one_off_charges')

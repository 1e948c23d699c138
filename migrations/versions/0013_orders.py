"""orders, shipments, people

The way out. New tables: `people` (a customer's employees, e-mail unique per customer case-insensitively
through `email_key`), `delivery_slots` (like pickup slots), `orders` with `order_lines`,
`order_allocations` (a partial unique index: a device has at most one reserved allocation), `shipments`
with `shipment_devices` and `shipment_packaging`.

Existing tables: `users.can_approve` (false), `deployments.person_id`, `return_orders.person_id` and
`exchange_pending` (false), the `offboarding` return reason, `refresh_orders.completes_on_delivery`
(false: refresh orders approved before this revision complete as before), and the device states
`allocated` and `in_transit_out` in the checks of `devices.status` and `custody_events.to_status`.

On SQLite nothing is rebuilt on the way up, so every table keeps its triggers: the CHECKs are edited in
the stored CREATE TABLE text and the person columns are added in place with their foreign keys. Going
back rebuilds deployments and return_orders (with the foreign keys off, as in 0011) and creates the
deployments' overlap guard again.

Revision ID: 0013_orders
Revises: 0012_idempotency_keys
Create Date: 2026-12-01 19:00:00

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa

from daas.db import UtcDateTime


# revision identifiers, used by Alembic.
revision = '0013_orders'
down_revision = '0012_idempotency_keys'
branch_labels = None
depends_on = None

Money = sa.Numeric(precision=18, scale=2).with_variant(sa.BigInteger(), 'sqlite')
Measure = sa.Numeric(precision=14, scale=3).with_variant(sa.BigInteger(), 'sqlite')

_OLD_DEVICE_STATES = ('in_stock', 'deployed', 'return_scheduled', 'in_transit', 'received', 'wiped',
                      'graded', 'refurbishing', 'harvested', 'recycled', 'lost')
_DEVICE_STATES = ('in_stock', 'allocated', 'in_transit_out', 'deployed', 'return_scheduled', 'in_transit',
                  'received', 'wiped', 'graded', 'refurbishing', 'harvested', 'recycled', 'lost')
_OLD_REASONS = ('end_of_term', 'refresh', 'early_return', 'defect')
_REASONS = _OLD_REASONS + ('offboarding',)


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _set_sqlite_foreign_keys(on):
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


def _replace_check(table, name, old, new):
    """Swap a CHECK's list of values. PostgreSQL alters the constraint. SQLite keeps a table's CHECKs in
    its CREATE TABLE text: the text is edited in place (SQLite's documented procedure for CHECK changes,
    which leave the stored rows' format alone), so the table is not rebuilt and keeps its triggers."""
    if op.get_bind().dialect.name == 'postgresql':
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


def _add_person_column(table):
    """A nullable `person_id` referencing people. SQLite adds a column with its foreign key in place
    (ALTER TABLE ADD COLUMN ... REFERENCES), so the table keeps its triggers."""
    name = f"fk_{table}_person_id_people"
    if op.get_bind().dialect.name == 'postgresql':
        op.add_column(table, sa.Column('person_id', sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, 'people', ['person_id'], ['id'])
    else:
        op.execute(f"ALTER TABLE {table} ADD COLUMN person_id INTEGER CONSTRAINT {name} REFERENCES people (id)")
    op.create_index(f"ix_{table}_person_id", table, ['person_id'], unique=False)


_SQLITE_OVERLAP = """
    SELECT RAISE(ABORT, 'ex_deployments_device_days: the device is deployed on one of these days')
    WHERE NEW.start_date < COALESCE(NEW.end_date, '9999-12-31') AND EXISTS (
        SELECT 1 FROM deployments AS d
        WHERE d.device_id = NEW.device_id AND d.id IS NOT NEW.id
          AND d.start_date < COALESCE(d.end_date, '9999-12-31')
          AND d.start_date < COALESCE(NEW.end_date, '9999-12-31')
          AND NEW.start_date < COALESCE(d.end_date, '9999-12-31'));
"""


def _drop_person_column(table):
    """Going back rebuilds the table on SQLite (a column in a foreign key cannot be dropped in place):
    deployments' overlap guard is created again after it."""
    postgresql = op.get_bind().dialect.name == 'postgresql'
    with op.batch_alter_table(table, schema=None) as batch_op:
        if postgresql:  # SQLite's rebuild leaves the column's foreign key out with the column
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_person_id_people'), type_='foreignkey')
        batch_op.drop_index(batch_op.f(f'ix_{table}_person_id'))
        batch_op.drop_column('person_id')
    if table == 'deployments' and not postgresql:
        for verb in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS deployments_no_overlap_{verb}")
            op.execute(f"CREATE TRIGGER deployments_no_overlap_{verb} BEFORE {verb.upper()} ON deployments "
                       f"BEGIN {_SQLITE_OVERLAP} END")


def upgrade():
    with _foreign_keys_off_on_sqlite():
        _upgrade()


def downgrade():
    with _foreign_keys_off_on_sqlite():
        _downgrade()


def _upgrade():
    op.create_table('delivery_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint('booked >= 0 AND booked <= capacity', name=op.f('ck_delivery_slots_booked_within_capacity')),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_delivery_slots_capacity_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_slots')),
    sa.UniqueConstraint('region', 'date', name=op.f('uq_delivery_slots_region_date'))
    )
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_key', sa.String(length=254), nullable=False),
    sa.Column('cost_centre', sa.String(length=100), nullable=True),
    sa.Column('address_line1', sa.String(length=200), nullable=False),
    sa.Column('address_line2', sa.String(length=200), nullable=True),
    sa.Column('postcode', sa.String(length=20), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('monthly_allowance', Money, nullable=True),
    sa.Column('created_at', UtcDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("status IN ('active', 'leaving', 'left')", name=op.f('ck_people_status_known')),
    sa.CheckConstraint('length(country) = 2', name=op.f('ck_people_country_alpha2')),
    sa.CheckConstraint('monthly_allowance IS NULL OR CAST(monthly_allowance AS NUMERIC) >= 0', name=op.f('ck_people_allowance_not_negative')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_people_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('customer_id', 'email_key', name=op.f('uq_people_customer_id_email_key'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_customer_id'), ['customer_id'], unique=False)

    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('address_line1', sa.String(length=200), nullable=False),
    sa.Column('address_line2', sa.String(length=200), nullable=True),
    sa.Column('postcode', sa.String(length=20), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('requested_date', sa.Date(), nullable=False),
    sa.Column('accept_refurbished', sa.Boolean(), nullable=False),
    sa.Column('lowest_grade', sa.String(length=1), nullable=False),
    sa.Column('refresh_order_id', sa.Integer(), nullable=True),
    sa.Column('placed_by', sa.String(length=254), nullable=False),
    sa.Column('approved_by', sa.String(length=254), nullable=True),
    sa.Column('approved_at', UtcDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.String(length=254), nullable=True),
    sa.Column('cancelled_at', UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', UtcDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("lowest_grade IN ('A', 'B', 'C', 'D')", name=op.f('ck_orders_lowest_grade_known')),
    sa.CheckConstraint("status IN ('requested', 'approved', 'backordered', 'allocated', 'shipped', 'delivered', 'cancelled')", name=op.f('ck_orders_status_known')),
    sa.CheckConstraint('length(country) = 2', name=op.f('ck_orders_country_alpha2')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_orders_contract_id_contracts')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_orders_customer_id_customers')),
    sa.ForeignKeyConstraint(['refresh_order_id'], ['refresh_orders.id'], name=op.f('fk_orders_refresh_order_id_refresh_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('refresh_order_id', name=op.f('uq_orders_refresh_order_id'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_orders_status_created_at', ['status', 'created_at'], unique=False)

    op.create_table('order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('device_model_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_order_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['device_model_id'], ['device_models.id'], name=op.f('fk_order_lines_device_model_id_device_models')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_lines_order_id_orders')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_order_lines_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_lines')),
    sa.UniqueConstraint('order_id', 'position', name=op.f('uq_order_lines_order_id_position'))
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_lines_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_lines_person_id'), ['person_id'], unique=False)

    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('address_line1', sa.String(length=200), nullable=False),
    sa.Column('address_line2', sa.String(length=200), nullable=True),
    sa.Column('postcode', sa.String(length=20), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=True),
    sa.Column('reusable_box_id', sa.String(length=64), nullable=True),
    sa.Column('carrier', sa.String(length=100), nullable=True),
    sa.Column('tracking', sa.String(length=100), nullable=True),
    sa.Column('shipped_on', sa.Date(), nullable=True),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('received_by', sa.String(length=200), nullable=True),
    sa.Column('failed_on', sa.Date(), nullable=True),
    sa.Column('retry', sa.Boolean(), nullable=True),
    sa.Column('return_order_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("(status = 'delivered') = (delivered_on IS NOT NULL)", name=op.f('ck_shipments_delivered_has_date')),
    sa.CheckConstraint("status IN ('packed', 'shipped', 'delivered', 'failed')", name=op.f('ck_shipments_status_known')),
    sa.CheckConstraint('length(country) = 2', name=op.f('ck_shipments_country_alpha2')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_shipments_order_id_orders')),
    sa.ForeignKeyConstraint(['return_order_id'], ['return_orders.id'], name=op.f('fk_shipments_return_order_id_return_orders')),
    sa.ForeignKeyConstraint(['slot_id'], ['delivery_slots.id'], name=op.f('fk_shipments_slot_id_delivery_slots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_return_order_id'), ['return_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_slot_id'), ['slot_id'], unique=False)
        batch_op.create_index('ix_shipments_status_region', ['status', 'region'], unique=False)

    op.create_table('order_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=True),
    sa.Column('deployment_id', sa.Integer(), nullable=True),
    sa.Column('allocated_at', UtcDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('released_at', UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('reserved', 'delivered', 'released')", name=op.f('ck_order_allocations_state_known')),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployments.id'], name=op.f('fk_order_allocations_deployment_id_deployments')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_order_allocations_device_id_devices')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_allocations_order_id_orders')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_order_allocations_order_line_id_order_lines')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_order_allocations_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_allocations'))
    )
    with op.batch_alter_table('order_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_allocations_device_id'), ['device_id'], unique=False)
        batch_op.create_index('ix_order_allocations_device_id_reserved', ['device_id'], unique=True, postgresql_where=sa.text("state = 'reserved'"), sqlite_where=sa.text("state = 'reserved'"))
        batch_op.create_index(batch_op.f('ix_order_allocations_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_allocations_order_line_id'), ['order_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_allocations_shipment_id'), ['shipment_id'], unique=False)

    op.create_table('shipment_packaging',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('material', sa.String(length=20), nullable=False),
    sa.Column('kg', Measure, nullable=False),
    sa.CheckConstraint("material IN ('cardboard', 'moulded_pulp', 'bagasse', 'bamboo', 'recycled_plastic', 'virgin_plastic')", name=op.f('ck_shipment_packaging_material_known')),
    sa.CheckConstraint('CAST(kg AS NUMERIC) >= 0', name=op.f('ck_shipment_packaging_kg_not_negative')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_shipment_packaging_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_packaging')),
    sa.UniqueConstraint('shipment_id', 'material', name=op.f('uq_shipment_packaging_shipment_id_material'))
    )
    op.create_table('shipment_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['allocation_id'], ['order_allocations.id'], name=op.f('fk_shipment_devices_allocation_id_order_allocations')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_shipment_devices_device_id_devices')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_shipment_devices_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_devices')),
    sa.UniqueConstraint('shipment_id', 'device_id', name=op.f('uq_shipment_devices_shipment_id_device_id'))
    )
    with op.batch_alter_table('shipment_devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipment_devices_allocation_id'), ['allocation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipment_devices_device_id'), ['device_id'], unique=False)

    _add_person_column('deployments')
    _add_person_column('return_orders')

    with op.batch_alter_table('refresh_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completes_on_delivery', sa.Boolean(), server_default='0', nullable=False))

    with op.batch_alter_table('return_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exchange_pending', sa.Boolean(), server_default='0', nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('can_approve', sa.Boolean(), server_default='0', nullable=False))

    _replace_check('devices', 'ck_devices_status_known', _one_of('status', _OLD_DEVICE_STATES),
                   _one_of('status', _DEVICE_STATES))
    _replace_check('custody_events', 'ck_custody_events_to_status_known',
                   _one_of('to_status', _OLD_DEVICE_STATES), _one_of('to_status', _DEVICE_STATES))
    _replace_check('return_orders', 'ck_return_orders_reason_known', _one_of('reason', _OLD_REASONS),
                   _one_of('reason', _REASONS))


def _downgrade():
    # Rows in the new states or with the new reason cannot go back: the checks would refuse them.
    _replace_check('return_orders', 'ck_return_orders_reason_known', _one_of('reason', _REASONS),
                   _one_of('reason', _OLD_REASONS))
    _replace_check('custody_events', 'ck_custody_events_to_status_known',
                   _one_of('to_status', _DEVICE_STATES), _one_of('to_status', _OLD_DEVICE_STATES))
    _replace_check('devices', 'ck_devices_status_known', _one_of('status', _DEVICE_STATES),
                   _one_of('status', _OLD_DEVICE_STATES))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('can_approve')

    with op.batch_alter_table('return_orders', schema=None) as batch_op:
        batch_op.drop_column('exchange_pending')
    _drop_person_column('return_orders')

    with op.batch_alter_table('refresh_orders', schema=None) as batch_op:
        batch_op.drop_column('completes_on_delivery')

    _drop_person_column('deployments')

    with op.batch_alter_table('shipment_devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipment_devices_device_id'))
        batch_op.drop_index(batch_op.f('ix_shipment_devices_allocation_id'))

    op.drop_table('shipment_devices')
    op.drop_table('shipment_packaging')
    with op.batch_alter_table('order_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_allocations_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_order_allocations_order_line_id'))
        batch_op.drop_index(batch_op.f('ix_order_allocations_order_id'))
        batch_op.drop_index('ix_order_allocations_device_id_reserved', postgresql_where=sa.text("state = 'reserved'"), sqlite_where=sa.text("state = 'reserved'"))
        batch_op.drop_index(batch_op.f('ix_order_allocations_device_id'))

    op.drop_table('order_allocations')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index('ix_shipments_status_region')
        batch_op.drop_index(batch_op.f('ix_shipments_slot_id'))
        batch_op.drop_index(batch_op.f('ix_shipments_return_order_id'))
        batch_op.drop_index(batch_op.f('ix_shipments_order_id'))

    op.drop_table('shipments')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_lines_person_id'))
        batch_op.drop_index(batch_op.f('ix_order_lines_order_id'))

    op.drop_table('order_lines')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_status_created_at')
        batch_op.drop_index(batch_op.f('ix_orders_customer_id'))
        batch_op.drop_index(batch_op.f('ix_orders_contract_id'))

    op.drop_table('orders')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_customer_id'))

    op.drop_table('people')
    op.drop_table('delivery_slots')

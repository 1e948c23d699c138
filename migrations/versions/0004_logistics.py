"""logistics: pickup slots, return orders, refresh orders, upgrades, wipe certificates, harvested parts

A pickup slot never holds more bookings than its capacity (check constraint; bookings increment it
conditionally), and a device has at most one open refresh order (partial unique index).

Revision ID: 0004_logistics
Revises: 0003_payments
Create Date: 2026-11-29 10:33:40.176931

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_logistics'
down_revision = '0003_payments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pickup_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint('booked >= 0 AND booked <= capacity', name=op.f('ck_pickup_slots_booked_within_capacity')),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_pickup_slots_capacity_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pickup_slots')),
    sa.UniqueConstraint('region', 'date', name=op.f('uq_pickup_slots_region_date'))
    )
    op.create_table('harvested_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('part', sa.String(length=100), nullable=False),
    sa.Column('weight_kg', sa.Numeric(precision=14, scale=3).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('harvested_on', sa.Date(), nullable=False),
    sa.CheckConstraint('CAST(weight_kg AS NUMERIC) >= 0', name=op.f('ck_harvested_parts_weight_not_negative')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_harvested_parts_device_id_devices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvested_parts'))
    )
    with op.batch_alter_table('harvested_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvested_parts_device_id'), ['device_id'], unique=False)

    op.create_table('wipe_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('life', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('standard', sa.String(length=100), nullable=False),
    sa.Column('technique', sa.String(length=100), nullable=True),
    sa.Column('tool', sa.String(length=100), nullable=True),
    sa.Column('tool_version', sa.String(length=50), nullable=True),
    sa.Column('media_type', sa.String(length=50), nullable=True),
    sa.Column('media_serial', sa.String(length=100), nullable=True),
    sa.Column('verification', sa.String(length=10), nullable=False),
    sa.Column('performed_by', sa.String(length=254), nullable=False),
    sa.Column('verified_by', sa.String(length=254), nullable=False),
    sa.Column('performed_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("method IN ('clear', 'purge', 'destroy')", name=op.f('ck_wipe_certificates_method_known')),
    sa.CheckConstraint("verification IN ('full', 'sampling')", name=op.f('ck_wipe_certificates_verification_known')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_wipe_certificates_device_id_devices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wipe_certificates'))
    )
    with op.batch_alter_table('wipe_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wipe_certificates_device_id'), ['device_id'], unique=False)

    op.create_table('refresh_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('proposed_action', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=True),
    sa.Column('replacement_sku', sa.String(length=64), nullable=True),
    sa.Column('replacement_device_id', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.String(length=254), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("action IS NULL OR action IN ('replace', 'upgrade')", name=op.f('ck_refresh_orders_action_known')),
    sa.CheckConstraint("proposed_action IN ('replace', 'upgrade')", name=op.f('ck_refresh_orders_proposed_action_known')),
    sa.CheckConstraint("status IN ('open', 'approved', 'completed', 'cancelled')", name=op.f('ck_refresh_orders_status_known')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_refresh_orders_contract_id_contracts')),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployments.id'], name=op.f('fk_refresh_orders_deployment_id_deployments')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_refresh_orders_device_id_devices')),
    sa.ForeignKeyConstraint(['replacement_device_id'], ['devices.id'], name=op.f('fk_refresh_orders_replacement_device_id_devices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_orders'))
    )
    with op.batch_alter_table('refresh_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refresh_orders_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refresh_orders_device_id'), ['device_id'], unique=False)
        batch_op.create_index('ix_refresh_orders_device_id_open', ['device_id'], unique=True, postgresql_where=sa.text("status IN ('open', 'approved')"), sqlite_where=sa.text("status IN ('open', 'approved')"))

    op.create_table('device_upgrades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('refresh_order_id', sa.Integer(), nullable=True),
    sa.Column('kit', sa.String(length=32), nullable=False),
    sa.Column('performed_on', sa.Date(), nullable=False),
    sa.Column('extension_months', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployments.id'], name=op.f('fk_device_upgrades_deployment_id_deployments')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_device_upgrades_device_id_devices')),
    sa.ForeignKeyConstraint(['refresh_order_id'], ['refresh_orders.id'], name=op.f('fk_device_upgrades_refresh_order_id_refresh_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_upgrades')),
    sa.UniqueConstraint('refresh_order_id', name=op.f('uq_device_upgrades_refresh_order_id'))
    )
    with op.batch_alter_table('device_upgrades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_upgrades_device_id'), ['device_id'], unique=False)

    op.create_table('return_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_date', sa.Date(), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=True),
    sa.Column('picked_up_on', sa.Date(), nullable=True),
    sa.Column('carrier', sa.String(length=100), nullable=True),
    sa.Column('tracking', sa.String(length=100), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('refresh_order_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("(status = 'scheduled') <= (slot_id IS NOT NULL)", name=op.f('ck_return_orders_scheduled_has_slot')),
    sa.CheckConstraint("reason IN ('end_of_term', 'refresh', 'early_return', 'defect')", name=op.f('ck_return_orders_reason_known')),
    sa.CheckConstraint("status IN ('requested', 'scheduled', 'picked_up', 'received', 'closed', 'cancelled')", name=op.f('ck_return_orders_status_known')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_return_orders_contract_id_contracts')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_return_orders_customer_id_customers')),
    sa.ForeignKeyConstraint(['refresh_order_id'], ['refresh_orders.id'], name=op.f('fk_return_orders_refresh_order_id_refresh_orders')),
    sa.ForeignKeyConstraint(['slot_id'], ['pickup_slots.id'], name=op.f('fk_return_orders_slot_id_pickup_slots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_orders'))
    )
    with op.batch_alter_table('return_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_orders_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_orders_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_orders_slot_id'), ['slot_id'], unique=False)
        batch_op.create_index('ix_return_orders_status_region', ['status', 'region'], unique=False)

    op.create_table('return_order_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_order_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployments.id'], name=op.f('fk_return_order_devices_deployment_id_deployments')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_return_order_devices_device_id_devices')),
    sa.ForeignKeyConstraint(['return_order_id'], ['return_orders.id'], name=op.f('fk_return_order_devices_return_order_id_return_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_order_devices')),
    sa.UniqueConstraint('return_order_id', 'device_id', name=op.f('uq_return_order_devices_return_order_id_device_id'))
    )
    with op.batch_alter_table('return_order_devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_order_devices_device_id'), ['device_id'], unique=False)

    # Plain ALTER TABLE: no table rebuild on SQLite.
    op.add_column('customers', sa.Column('pickup_region', sa.String(length=32), nullable=True))
    op.add_column('customers', sa.Column('pickup_address', sa.String(length=500), nullable=True))

    op.add_column('devices', sa.Column('grade', sa.String(length=1), sa.CheckConstraint(
        "grade IS NULL OR grade IN ('A', 'B', 'C', 'D')", name='ck_devices_grade_known'), nullable=True))



def downgrade():
    op.drop_column('devices', 'grade')

    op.drop_column('customers', 'pickup_address')
    op.drop_column('customers', 'pickup_region')

    with op.batch_alter_table('return_order_devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_order_devices_device_id'))

    op.drop_table('return_order_devices')
    with op.batch_alter_table('return_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_return_orders_status_region')
        batch_op.drop_index(batch_op.f('ix_return_orders_slot_id'))
        batch_op.drop_index(batch_op.f('ix_return_orders_customer_id'))
        batch_op.drop_index(batch_op.f('ix_return_orders_contract_id'))

    op.drop_table('return_orders')
    with op.batch_alter_table('device_upgrades', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_upgrades_device_id'))

    op.drop_table('device_upgrades')
    with op.batch_alter_table('refresh_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_refresh_orders_device_id_open', postgresql_where=sa.text("status IN ('open', 'approved')"), sqlite_where=sa.text("status IN ('open', 'approved')"))
        batch_op.drop_index(batch_op.f('ix_refresh_orders_device_id'))
        batch_op.drop_index(batch_op.f('ix_refresh_orders_contract_id'))

    op.drop_table('refresh_orders')
    with op.batch_alter_table('wipe_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wipe_certificates_device_id'))

    op.drop_table('wipe_certificates')
    with op.batch_alter_table('harvested_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_harvested_parts_device_id'))

    op.drop_table('harvested_parts')
    op.drop_table('pickup_slots')

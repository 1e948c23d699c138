"""impact: parameter sets, ledger, closed periods, device states

Ledger rows are never updated or deleted (triggers): a correction is a new row.
The first parameter set, daas-impact-1 version 1, is inserted with its sources.

Revision ID: 0005_impact
Revises: 0004_logistics
Create Date: 2026-11-29 10:51:57.219333

"""
import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_impact'
down_revision = '0004_logistics'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('impact_parameter_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_impact_parameter_sets')),
    sa.UniqueConstraint('method', 'version', name=op.f('uq_impact_parameter_sets_method_version'))
    )
    op.create_table('impact_period_closes',
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('parameter_set_id', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['parameter_set_id'], ['impact_parameter_sets.id'], name=op.f('fk_impact_period_closes_parameter_set_id_impact_parameter_sets')),
    sa.PrimaryKeyConstraint('period', name=op.f('pk_impact_period_closes'))
    )
    op.create_table('impact_device_states',
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_impact_device_states_device_id_devices')),
    sa.PrimaryKeyConstraint('device_id', name=op.f('pk_impact_device_states'))
    )
    op.create_table('impact_ledger_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('parameter_set_id', sa.Integer(), nullable=False),
    sa.Column('life', sa.Integer(), nullable=False),
    sa.Column('service_days', sa.Integer(), nullable=False),
    sa.Column('allocated_co2e_kg', sa.Numeric(precision=14, scale=3).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('allocated_mass_kg', sa.Numeric(precision=14, scale=3).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('avoided_co2e_kg', sa.Numeric(precision=14, scale=3).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('avoided_ewaste_kg', sa.Numeric(precision=14, scale=3).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('certified_recycled_kg', sa.Numeric(precision=14, scale=3).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('unmanaged_ewaste_avoided_kg', sa.Numeric(precision=14, scale=3).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('use_phase_kwh', sa.Numeric(precision=14, scale=3).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('use_phase_co2e_kg', sa.Numeric(precision=14, scale=3).with_variant(sa.BigInteger(), 'sqlite'), nullable=True),
    sa.Column('balance_co2e_kg', sa.Numeric(precision=14, scale=3).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('balance_mass_kg', sa.Numeric(precision=14, scale=3).with_variant(sa.BigInteger(), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_impact_ledger_rows_contract_id_contracts')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_impact_ledger_rows_device_id_devices')),
    sa.ForeignKeyConstraint(['parameter_set_id'], ['impact_parameter_sets.id'], name=op.f('fk_impact_ledger_rows_parameter_set_id_impact_parameter_sets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_impact_ledger_rows'))
    )
    with op.batch_alter_table('impact_ledger_rows', schema=None) as batch_op:
        batch_op.create_index('ix_impact_ledger_rows_contract_id_period', ['contract_id', 'period'], unique=False)
        batch_op.create_index(batch_op.f('ix_impact_ledger_rows_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_impact_ledger_rows_period'), ['period'], unique=False)
    op.create_index('uq_impact_ledger_rows_period_device_contract', 'impact_ledger_rows',
                    ['period', 'device_id', 'contract_id'], unique=True,
                    sqlite_where=sa.text('contract_id IS NOT NULL'),
                    postgresql_where=sa.text('contract_id IS NOT NULL'))
    op.create_index('uq_impact_ledger_rows_period_device_provider', 'impact_ledger_rows',
                    ['period', 'device_id'], unique=True,
                    sqlite_where=sa.text('contract_id IS NULL'), postgresql_where=sa.text('contract_id IS NULL'))



    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION impact_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the impact ledger is append-only'; END $$""")
        for table in ("impact_ledger_rows",):
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION impact_append_only()")
    else:
        for table in ("impact_ledger_rows",):
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           "BEGIN SELECT RAISE(ABORT, 'the impact ledger is append-only'); END")
    _insert_first_parameter_set()


# The first version as it was published (a snapshot: later edits of daas.impact.parameters do not change it).
_VALUES = {   'formal_collection_rate': '0.401',
    'grade_extension_days': {'A': 730, 'B': 548, 'C': 365, 'D': 0},
    'grid_kg_per_kwh': {},
    'reference_service_days': 1460,
    'refurbishment_kg': {   'desktop': '15.5',
                            'dock': '5.4',
                            'laptop': '15.0',
                            'monitor': '21.8',
                            'phone': '3.1',
                            'tablet': '5.4'},
    'upgrade_extension_days': 365,
    'upgrade_kit_kg': {'battery': '9.8', 'memory': '33.1', 'storage': '28.2'}}
_SOURCES = {   'formal_collection_rate': "0.401: the EU's 2022 e-waste collection rate (Eurostat, "
                              'env_waselee).',
    'grade_extension_days': 'A 730, B 548, C 365, D 0 days of further life after refurbishment '
                            '(impact.md).',
    'grid_kg_per_kwh': 'None by default: use-phase CO2e is reported only where a country factor is '
                       'set.',
    'reference_service_days': "1460 days (4 years): the median lifetime in manufacturers' "
                              'footprint sheets (Boavizta environmental-footprint-data, laptops, '
                              '2023); impact.md.',
    'refurbishment_kg': 'Laptop 15 kg (impact.md). Other categories: the same 5.8 % of their '
                        'median embodied footprint in the Boavizta data set (desktop 267 kg, '
                        'monitor 374 kg, tablet 93 kg, phone 54 kg); docks, absent from the data '
                        'set, take the tablet figure.',
    'upgrade_extension_days': "365 days per upgrade (impact.md; logistics.md's 12 months).",
    'upgrade_kit_kg': 'Battery 9.8 kg: a 56 Wh laptop pack at 175 kg CO2e per kWh (IVL Swedish '
                      'Environmental Research Institute, Romare & Dahllöf 2017: 150-200 kg/kWh). '
                      'Storage 28.2 kg: a 512 GB SSD at 0.055 kg CO2e per GB (reconciled SSD '
                      'factor, DigitalPebble Spruce 2026, after Tailpipe and Boavizta). Memory '
                      "33.1 kg: a 16 GB module in Boavizta's RAM model (2.20 kg CO2e per cm2 of "
                      'die at 1.244 GB/cm2, plus 2.99 kg transport and 1.77 kg circuit board).'}


def _insert_first_parameter_set():
    table = sa.table("impact_parameter_sets", sa.column("method", sa.String), sa.column("version", sa.Integer),
                     sa.column("valid_from", sa.Date), sa.column("values", sa.JSON), sa.column("sources", sa.JSON))
    op.bulk_insert(table, [{"method": "daas-impact-1", "version": 1, "valid_from": datetime.date(2000, 1, 1),
                            "values": _VALUES, "sources": _SOURCES}])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in ("impact_ledger_rows",):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS impact_append_only()")
    else:
        for table in ("impact_ledger_rows",):
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.drop_index('uq_impact_ledger_rows_period_device_provider', table_name='impact_ledger_rows')
    op.drop_index('uq_impact_ledger_rows_period_device_contract', table_name='impact_ledger_rows')
    with op.batch_alter_table('impact_ledger_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_impact_ledger_rows_period'))
        batch_op.drop_index(batch_op.f('ix_impact_ledger_rows_device_id'))
        batch_op.drop_index('ix_impact_ledger_rows_contract_id_period')

    op.drop_table('impact_ledger_rows')
    op.drop_table('impact_device_states')
    op.drop_table('impact_period_closes')
    op.drop_table('impact_parameter_sets')

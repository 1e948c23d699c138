"""A customer with thousands of devices gets its yearly report from a handful of grouped queries, none per
device. The fleet is written in bulk (ten closed months of ledger rows, a third of the devices returned and
recycled), and the report's figures are checked. Its time is measured by bench/workshop.py, not here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import event, insert, select

from daas.contracts.models import Deployment
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.impact.models import ImpactLedgerRow, ImpactPeriodClose
from daas.workshop.report import build_report
from tests import factories

DEVICES = 3_000
MONTHS = [f"2026-{month:02d}" for month in range(1, 11)]
QUANTITIES = (
    "allocated_co2e_kg",
    "allocated_mass_kg",
    "avoided_co2e_kg",
    "avoided_ewaste_kg",
    "certified_recycled_kg",
    "unmanaged_ewaste_avoided_kg",
    "use_phase_kwh",
    "balance_co2e_kg",
    "balance_mass_kg",
)


def test_a_large_customer_is_reported_in_a_handful_of_queries(database, today):
    model = factories.device_model(source="https://example.com/pcf.pdf")
    customer = factories.customer(country="DE")
    contract = factories.contract(customer.id, factories.plan().code, date(2025, 1, 1))
    db.session.execute(
        insert(Device),
        [{"serial": f"SCALE-{i}", "device_model_id": model.id, "status": "deployed"} for i in range(DEVICES)],
    )
    ids = list(db.session.scalars(select(Device.id).where(Device.serial.like("SCALE-%")).order_by(Device.id)))
    returned = ids[::3]
    db.session.execute(
        insert(Deployment),
        [
            {
                "device_id": device_id,
                "contract_id": contract.id,
                "start_date": date(2025, 1, 1) + timedelta(days=i % 300),
                "end_date": date(2026, 1, 1) + timedelta(days=i % 200) if i % 3 == 0 else None,
            }
            for i, device_id in enumerate(ids)
        ],
    )
    recorded = datetime(2026, 9, 1, tzinfo=UTC)
    db.session.execute(
        insert(CustodyEvent),
        [
            {
                "device_id": device_id,
                "seq": 1,
                "action": "recycle",
                "to_status": "recycled",
                "occurred_on": date(2026, 9, 1),
                "recorded_at": recorded,
                "actor": "tests",
            }
            for device_id in returned
        ],
    )
    figures = dict.fromkeys(QUANTITIES, Decimal("1.234"))
    db.session.execute(
        insert(ImpactLedgerRow),
        [
            {
                "period": period,
                "device_id": device_id,
                "contract_id": contract.id,
                "parameter_set_id": 1,
                "life": 1,
                "service_days": 30,
                **figures,
            }
            for period in MONTHS
            for device_id in ids
        ],
    )
    db.session.execute(insert(ImpactPeriodClose), [{"period": p, "parameter_set_id": 1} for p in MONTHS])
    db.session.flush()

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        report = build_report(customer.id, 2026)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    # The same few queries whatever the fleet's size: none per device.
    assert 3 <= len(statements) <= 12, statements
    rows = DEVICES * len(MONTHS)
    assert report.use_phase.kwh == Decimal("1.234") * rows
    [germany] = report.use_phase.countries
    assert germany.country == "DE" and germany.data_quality == "vendor sheet"
    assert report.embodied.allocated_co2e_kg == Decimal("1.234") * rows
    assert report.outflows.devices == len(returned)
    assert report.outflows.by_fate["recycled_certified"] == (len(returned), model.weight_kg * len(returned))
    assert report.inflows.devices == 0
    assert report.missing_months == ("2026-11", "2026-12")

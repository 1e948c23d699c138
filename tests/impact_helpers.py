"""impact.md's worked example, built through the services: a laptop (E0 300 kg, 1.5 kg) serves contract A
for 1,000 days, is wiped, graded A and refurbished, serves B for 730 days, is redeployed as it is, serves C
for 200 days, and is recycled."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from daas.contracts import services as contracts
from daas.logistics import takeback
from daas.settings import current_settings
from tests import factories

WIPE = {"method": "purge", "standard": "NIST SP 800-88 Rev. 1", "verified_by": "QA"}
ACTOR = factories.ACTOR


def _life(contract_id: int, serial: str, start: date, days: int) -> date:
    contracts.deploy_device(contract_id, serial, start, ACTOR)
    end = start + timedelta(days=days)
    contracts.end_deployment(contract_id, serial, end, ACTOR)
    return end


def build_worked_example(customers: tuple[int, int, int] | None = None) -> dict[str, object]:
    """The three contracts (optionally of given customers) and the laptop's serial; the clock must be
    at or after 2025-04-20."""
    laptop = factories.device_model(
        category="laptop",
        embodied_co2e_kg=Decimal("300"),
        weight_kg=Decimal("1.5"),
        use_kwh_per_year=Decimal("20"),
    )
    serial = factories.device(sku=laptop.sku, on=date(2019, 12, 1)).serial
    plan = factories.plan(term_months=60).code
    owners = customers or (None, None, None)
    a, b, c = (
        factories.contract(customer_id=owner, plan_code=plan, start_date=date(year, 1, 1))
        for owner, year in zip(owners, (2020, 2022, 2024), strict=True)
    )

    end_a = _life(a.id, serial, date(2020, 1, 1), 1000)
    takeback.wipe_device(serial, {**WIPE, "on": end_a}, ACTOR)
    takeback.grade_device(serial, "A", ACTOR, on=end_a, policy=current_settings().end_of_term)
    takeback.dispose_device(serial, "refurbish", ACTOR, on=end_a)
    takeback.restock_device(serial, ACTOR, on=end_a + timedelta(days=2))

    end_b = _life(b.id, serial, end_a + timedelta(days=3), 730)
    takeback.wipe_device(serial, {**WIPE, "on": end_b}, ACTOR)
    takeback.grade_device(serial, "B", ACTOR, on=end_b, policy=current_settings().end_of_term)
    takeback.dispose_device(serial, "redeploy", ACTOR, on=end_b)

    end_c = _life(c.id, serial, end_b + timedelta(days=1), 200)
    takeback.wipe_device(serial, {**WIPE, "on": end_c}, ACTOR)
    takeback.grade_device(serial, "D", ACTOR, on=end_c, policy=current_settings().end_of_term)
    takeback.dispose_device(serial, "recycle", ACTOR, on=end_c + timedelta(days=1))
    return {"A": a.id, "B": b.id, "C": c.id, "serial": serial}


def without_flags(value: object) -> object:
    """A statement or report without what closing a month is meant to change: which months are
    provisional, and the parameter set versions named (a provisional month names none until it closes)."""
    if isinstance(value, dict):
        return {
            k: without_flags(v)
            for k, v in value.items()
            if k not in ("provisional", "provisional_periods", "parameter_set_versions")
        }
    if isinstance(value, list | tuple):
        return [without_flags(item) for item in value]
    return value

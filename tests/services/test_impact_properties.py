"""The impact invariants over random fleets built through the services (deployments, hand-backs, wipes,
grades, refurbishments, upgrades, recycling, harvesting, losses, sales to the customer), on the test
database (SQLite, and PostgreSQL when DAAS_TEST_DATABASE_URL is set):

- per device and for the fleet, allocated to subscriptions + transferred to a buyer + provider residual
  = E0 + ΣR, and = m, to the gram, for every device at the end of its life; a sold device's transfer is
  on its buyer's rows, and the provider keeps nothing of it;
- the statements of the subscriptions add up exactly to the portfolio report, by customer and in total;
- the months of a statement add up to it, and a window's statement equals its months;
- closing months (in any number of steps) changes no statement, and closing again appends nothing;
- facts entered late about closed months (a hand-back and recycling) keep all of the above true.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from daas.contracts import services as contracts
from daas.core import clock
from daas.core.dates import add_months
from daas.core.periods import Period
from daas.extensions import db
from daas.impact.ledger import close_periods_through, read_lines
from daas.impact.models import ImpactLedgerRow
from daas.impact.parameters import DEFAULTS
from daas.impact.statements import QUANTITIES, contract_statement, portfolio_report
from daas.logistics import sales, takeback
from daas.logistics.models import RefreshOrder
from daas.logistics.refresh import complete_refresh
from daas.logistics.rules import UpgradePolicy
from daas.settings import current_settings
from tests import factories
from tests.conftest import rolled_back
from tests.impact_helpers import without_flags

TODAY = date(2029, 12, 15)
ACTOR = factories.ACTOR
WIPE = {"method": "purge", "standard": "NIST SP 800-88 Rev. 1", "verified_by": "QA"}
POLICY = UpgradePolicy(min_battery=80, extension_months=12)
FIGURES = ("service_days", *QUANTITIES)


@dataclass
class Life:
    contract: int  # index into the fleet's four contracts
    gap: int
    days: int
    upgrade_at: int | None
    kit: str
    refurbish_grade: str | None  # after this life: refurbished with this grade, or redeployed as is


@dataclass
class DevicePlan:
    category: str
    embodied: Decimal
    mass: Decimal
    lives: list[Life]
    ending: str | None  # recycle | harvest | lose (while deployed) | sell (to its last customer) | None


@dataclass
class Built:
    contract_ids: list[int]
    customer_of: dict[int, int]
    footprint: dict[int, Decimal] = field(default_factory=dict)  # device id → E0 + ΣR
    mass: dict[int, Decimal] = field(default_factory=dict)
    ended: set[int] = field(default_factory=set)
    sold_to: dict[int, int] = field(default_factory=dict)  # device id → the buyer's contract
    # device → serial, contract, and the day of its last event (a late hand-back can be no earlier)
    in_service: dict[int, tuple[str, int, date]] = field(default_factory=dict)


@st.composite
def device_plans(draw):
    lives = []
    for _ in range(draw(st.integers(1, 3))):
        days = draw(st.integers(1, 900))
        upgrade_at = draw(st.one_of(st.none(), st.integers(1, days - 1))) if days > 2 else None
        lives.append(
            Life(
                contract=draw(st.integers(0, 3)),
                gap=draw(st.integers(1, 40)),
                days=days,
                upgrade_at=upgrade_at,
                kit=draw(st.sampled_from(["battery", "storage", "memory"])),
                refurbish_grade=draw(st.one_of(st.none(), st.sampled_from("ABCD"))),
            )
        )
    return DevicePlan(
        category=draw(st.sampled_from(["laptop", "monitor", "phone"])),
        embodied=Decimal(draw(st.integers(10_000, 600_000))) / 1000,
        mass=Decimal(draw(st.integers(100, 8_000))) / 1000,
        lives=lives,
        ending=draw(st.sampled_from(["recycle", "harvest", "lose", "sell", None])),
    )


def build(plans: list[DevicePlan]) -> Built:
    """Make the fleet through the services a user's actions go through."""
    plan = factories.plan(term_months=120).code
    customers = [factories.customer().id, factories.customer().id]
    fleet_contracts = [
        factories.contract(customer_id=customers[i // 2], plan_code=plan, start_date=date(2020, 1, 1))
        for i in range(4)
    ]
    built = Built([c.id for c in fleet_contracts], {c.id: c.customer_id for c in fleet_contracts})
    for device_plan in plans:
        model = factories.device_model(
            category=device_plan.category, embodied_co2e_kg=device_plan.embodied, weight_kg=device_plan.mass
        )
        device = factories.device(sku=model.sku, on=date(2019, 12, 1))
        serial, footprint = device.serial, device_plan.embodied
        day = date(2020, 1, 1)
        for number, life in enumerate(device_plan.lives, start=1):
            contract_id = built.contract_ids[life.contract]
            deployment = contracts.deploy_device(contract_id, serial, day, ACTOR)
            if life.upgrade_at is not None:
                order = RefreshOrder(
                    device_id=device.id,
                    contract_id=contract_id,
                    deployment_id=deployment.id,
                    due_date=day + timedelta(days=life.upgrade_at),
                    proposed_action="upgrade",
                    reason="test",
                    status="approved",
                    action="upgrade",
                )
                db.session.add(order)
                db.session.flush()
                complete_refresh(order.id, day + timedelta(days=life.upgrade_at), ACTOR, POLICY, kit=life.kit)
                footprint += DEFAULTS.upgrade_kit_kg[life.kit]
            end = day + timedelta(days=life.days)
            last = number == len(device_plan.lives)
            if last and device_plan.ending in (None, "lose", "sell"):
                if device_plan.ending == "lose":
                    takeback.lose_device(serial, ACTOR, on=end, policy=current_settings().end_of_term)
                    built.ended.add(device.id)
                elif device_plan.ending == "sell":
                    sales.sell_device(contract_id, serial, end, "buy-out charge", ACTOR)
                    built.ended.add(device.id)
                    built.sold_to[device.id] = contract_id
                else:
                    last_event = day + timedelta(days=life.upgrade_at or 0)
                    built.in_service[device.id] = (serial, contract_id, last_event)
                break
            contracts.end_deployment(contract_id, serial, end, ACTOR)
            takeback.wipe_device(serial, {**WIPE, "on": end}, ACTOR)
            takeback.grade_device(
                serial, life.refurbish_grade or "B", ACTOR, on=end, policy=current_settings().end_of_term
            )
            if last:
                takeback.dispose_device(serial, device_plan.ending, ACTOR, on=end + timedelta(days=1))
                built.ended.add(device.id)
                break
            if life.refurbish_grade:
                takeback.dispose_device(serial, "refurbish", ACTOR, on=end)
                takeback.restock_device(serial, ACTOR, on=end + timedelta(days=1))
                footprint += DEFAULTS.refurbishment_kg[device_plan.category]
            else:
                takeback.dispose_device(serial, "redeploy", ACTOR, on=end)
            day = end + timedelta(days=life.gap)
        built.footprint[device.id], built.mass[device.id] = footprint, device_plan.mass
    db.session.commit()
    return built


def month(n: int) -> Period:
    """The n-th month from January 2020."""
    return Period(add_months(date(2020, 1, 1), n))


def enter_late(built: Built, draw_day: int) -> None:
    """Facts entered today about the past: every device still in service was handed back on an earlier
    day (perhaps in a closed month) and recycled the day after."""
    for device_id, (serial, contract_id, since) in built.in_service.items():
        end = since + timedelta(days=draw_day % max(1, (TODAY - since).days))
        contracts.end_deployment(contract_id, serial, end, ACTOR)
        takeback.wipe_device(serial, {**WIPE, "on": end}, ACTOR)
        takeback.grade_device(serial, "D", ACTOR, on=end, policy=current_settings().end_of_term)
        takeback.dispose_device(serial, "recycle", ACTOR, on=end + timedelta(days=1))
        built.ended.add(device_id)
    built.in_service.clear()
    db.session.commit()


def figures(source: dict) -> dict[str, object]:
    return {name: source[name] for name in FIGURES}


def added(items: list[dict]) -> dict[str, object]:
    total: dict[str, object] = {name: Decimal("0.000") for name in QUANTITIES} | {"service_days": 0}
    total["use_phase_co2e_kg"] = None
    for item in items:
        for name in FIGURES:
            if item[name] is not None:
                total[name] = (total[name] or Decimal("0.000")) + item[name]
    return total


def check_conservation(built: Built) -> None:
    lines = read_lines(None, Period.containing(TODAY), TODAY)
    allocated, mass = defaultdict(Decimal), defaultdict(Decimal)  # allocated + transferred + residual
    for line in lines:
        allocated[line.device_id] += line.row.allocated_co2e_kg + line.row.transferred_co2e_kg
        mass[line.device_id] += line.row.allocated_mass_kg + line.row.transferred_mass_kg
        if line.row.transferred_co2e_kg or line.row.transferred_mass_kg:
            assert line.contract_id == built.sold_to.get(line.device_id), line
        if line.device_id in built.sold_to:
            assert line.contract_id is not None, line  # the provider keeps nothing of a sold device
    for device_id, footprint in built.footprint.items():
        if device_id in built.ended:
            assert (allocated[device_id], mass[device_id]) == (footprint, built.mass[device_id])
        else:
            assert allocated[device_id] <= footprint and mass[device_id] <= built.mass[device_id]
    ended = sorted(built.ended)
    assert sum(allocated[d] for d in ended) == sum(built.footprint[d] for d in ended)  # the fleet's
    assert sum(mass[d] for d in ended) == sum(built.mass[d] for d in ended)


def statements_and_report(built: Built) -> object:
    statements = {cid: contract_statement(cid, None, None, TODAY) for cid in built.contract_ids}
    report = portfolio_report(None, None, TODAY)
    by_customer = defaultdict(list)
    for contract_id, statement in statements.items():
        by_customer[built.customer_of[contract_id]].append(figures(statement))
        assert figures(statement) == added(statement["by_period"])
        assert figures(statement) == added(statement["by_device"])
    reported = {item["customer_id"]: figures(item) for item in report["customers"]}
    for customer_id, items in by_customer.items():
        if any(item["service_days"] or item["certified_recycled_kg"] for item in items):
            assert reported[customer_id] == added(items)
    assert figures(report["total"]) == added([figures(s) for s in statements.values()])
    return without_flags((statements, report))


@settings(
    max_examples=int(os.environ.get("DAAS_IMPACT_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plans=st.lists(device_plans(), min_size=1, max_size=3),
    first_close=st.integers(0, 118),
    more=st.integers(0, 118),
    window=st.tuples(st.integers(0, 119), st.integers(0, 30)),
    late_day=st.integers(0, 10_000),
)
def test_conservation_and_agreement_over_random_fleets(app, plans, first_close, more, window, late_day):
    with rolled_back(app), clock.frozen(TODAY):
        built = build(plans)
        check_conservation(built)
        before = statements_and_report(built)
        close_periods_through(month(first_close), TODAY)  # 2020-01 .. 2029-11
        assert statements_and_report(built) == before  # closing changes no figure

        enter_late(built, late_day)  # corrected in the first open month, never in the closed ones
        check_conservation(built)
        before = statements_and_report(built)
        close_periods_through(month(min(first_close + more, 118)), TODAY)
        assert statements_and_report(built) == before
        check_conservation(built)

        close_periods_through(Period.containing(TODAY).previous(), TODAY)
        rows = db.session.scalar(select(func.count(ImpactLedgerRow.id)))
        assert all(
            report.already_closed for report in close_periods_through(Period(date(2029, 11, 1)), TODAY)
        )
        assert (
            db.session.scalar(select(func.count(ImpactLedgerRow.id))) == rows
        )  # closing again appends nothing
        assert statements_and_report(built) == before

        # A window of whole months equals the months it covers.
        start, end = month(window[0]), month(window[0] + window[1])
        contract_id = built.contract_ids[0]
        whole = contract_statement(contract_id, None, None, TODAY)
        part = contract_statement(contract_id, start.start, end.start + timedelta(days=9), TODAY)
        months = [p for p in whole["by_period"] if start.name <= p["period"] <= end.name]
        assert figures(part) == added(months)

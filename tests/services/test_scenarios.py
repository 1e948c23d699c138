"""The what-if planner on the database: the fleet it reads, its settings, saved scenarios and applying them.

The fleet: a Dutch customer on a 24-month plan (term 48 months from 2025-01-01) with three laptops, two
deployed on 2025-01-15 (due 2027-01-15: a healthy one the rules upgrade, a worn one they replace) and one
deployed on 2026-06-01 (due 2028-06-01) to a person in Germany; a monitor on a second contract of the
customer, on the same plan with its own 30-month cycle. Today is 2026-11-15.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from daas.contracts.models import Contract, Deployment
from daas.contracts.services import deploy_device, end_deployment
from daas.core.errors import Conflict, Invalid, NotFound
from daas.extensions import db
from daas.impact.grid_factor_sets import latest_grid_factors
from daas.logistics.models import RefreshOrder
from daas.logistics.refresh import plan_refresh_orders
from daas.logistics.rules import UpgradePolicy
from daas.people.services import create_person
from daas.usecases import workshop as use_cases
from daas.workshop.comparison_json import comparison_json
from daas.workshop.fleet import fleet_of, planner_settings, reuse_share
from daas.workshop.models import SavedScenario
from daas.workshop.plan_types import Scenario, ScenarioKind
from daas.workshop.planner import project
from tests import factories

ACTOR = factories.ACTOR
POLICY = UpgradePolicy(min_battery=80, extension_months=12)
FEES = {"EUR": Decimal("79.00"), "GBP": Decimal("69.00")}


@pytest.fixture
def fleet(database, today):
    laptop = factories.device_model(sku=factories.unique("LAT"), expected_lifetime_months=60)
    monitor = factories.device_model(
        sku=factories.unique("MON"),
        category="monitor",
        weight_kg=Decimal("4.500"),
        embodied_co2e_kg=Decimal("380.000"),
        use_kwh_per_year=Decimal("40.000"),
        expected_lifetime_months=72,
    )
    plan = factories.plan(
        refresh_cycle_months=24,
        term_months=48,
        charges=[
            {"kind": "device_monthly", "unit_amount": Decimal("12.50"), "device_model_sku": monitor.sku},
            {"kind": "device_monthly", "unit_amount": Decimal("39.00"), "device_model_sku": laptop.sku},
        ],
    )
    customer = factories.customer(pickup_region="NL-NH", pickup_address="Keizersgracht 1, Amsterdam")
    laptops = factories.contract(customer.id, plan.code, date(2025, 1, 1))
    monitors = factories.contract(customer.id, plan.code, date(2025, 1, 1))
    monitors.refresh_cycle_months = 30
    devices = {}
    for name, battery, on in (("healthy", 91, date(2025, 1, 15)), ("worn", 64, date(2025, 1, 15))):
        device = factories.device(
            laptop.sku, manufactured_on=date(2024, 10, 1), battery_health=battery, on=date(2024, 12, 1)
        )
        deploy_device(laptops.id, device.serial, on, ACTOR)
        devices[name] = device
    late = factories.device(
        laptop.sku, manufactured_on=date(2026, 3, 1), battery_health=99, on=date(2026, 4, 1)
    )
    deploy_device(laptops.id, late.serial, date(2026, 6, 1), ACTOR)
    person = create_person(
        customer.id,
        {
            "name": "Grete",
            "email": f"{factories.unique('grete')}@example.com",
            "address": {
                "line1": "Unter den Linden 1",
                "postcode": "10117",
                "city": "Berlin",
                "country": "DE",
            },
            "region": "DE-BE",
        },
    )
    db.session.scalar(select(Deployment).where(Deployment.device_id == late.id)).person_id = person.id
    screen = factories.device(monitor.sku, manufactured_on=date(2024, 11, 1), on=date(2025, 1, 2))
    deploy_device(monitors.id, screen.serial, date(2025, 2, 1), ACTOR)
    db.session.commit()  # the set-up stays when a use case rolls its own work back
    return {
        "customer": customer,
        "laptops": laptops,
        "monitors": monitors,
        "late": late,
        "screen": screen,
        **devices,
    }


def _orders(customer_id: int) -> set[tuple[int, date, str]]:
    ids = select(Contract.id).where(Contract.customer_id == customer_id)
    return {
        (order.device_id, order.due_date, order.proposed_action)
        for order in db.session.scalars(select(RefreshOrder).where(RefreshOrder.contract_id.in_(ids)))
    }


# -- the fleet and its settings ------------------------------------------------------------------------


def test_the_fleet_is_what_is_deployed_with_its_model_plan_cycle_and_grid(fleet, today):
    devices = {device.device_id: device for device in fleet_of(fleet["customer"].id, as_of=today)}
    assert set(devices) == {fleet[name].id for name in ("healthy", "worn", "late", "screen")}
    healthy, late, screen = (
        devices[fleet["healthy"].id],
        devices[fleet["late"].id],
        devices[fleet["screen"].id],
    )
    assert (healthy.category, healthy.embodied_kg, healthy.mass_kg, healthy.kwh_per_year) == (
        "laptop",
        Decimal("252.840"),
        Decimal("1.360"),
        Decimal("23.360"),
    )
    assert (healthy.refresh_cycle_months, healthy.monthly_price, healthy.currency) == (
        24,
        Decimal("39.00"),
        "EUR",
    )
    assert (healthy.deployed_on, healthy.battery_health, healthy.expected_lifetime_months) == (
        date(2025, 1, 15),
        91,
        60,
    )
    # The monitor's contract has its own cycle; the plan bills the monitor its own price.
    assert (screen.category, screen.refresh_cycle_months, screen.monthly_price) == (
        "monitor",
        30,
        Decimal("12.50"),
    )
    table = latest_grid_factors()
    assert healthy.grid_kg_per_kwh == table.factor_for("NL", 2026).kg_per_kwh
    assert late.grid_kg_per_kwh == table.factor_for("DE", 2026).kg_per_kwh != healthy.grid_kg_per_kwh
    only = fleet_of(fleet["customer"].id, fleet["monitors"].id, as_of=today)
    assert [device.device_id for device in only] == [fleet["screen"].id]


def test_a_device_handed_back_is_not_in_the_fleet(fleet, today):
    end_deployment(fleet["laptops"].id, fleet["worn"].serial, date(2026, 11, 1), ACTOR)
    ids = {device.device_id for device in fleet_of(fleet["customer"].id, as_of=today)}
    assert fleet["worn"].id not in ids and fleet["healthy"].id in ids


def test_reading_the_fleet_takes_the_same_queries_whatever_its_size(fleet, today):
    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            fleet_of(fleet["customer"].id, as_of=today)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    statements()  # the first opens the test's savepoint
    before = statements()
    model = db.session.get(type(fleet["healthy"]), fleet["healthy"].id).device_model.sku
    for _ in range(6):
        deploy_device(fleet["laptops"].id, factories.device(model).serial, date(2026, 1, 5), ACTOR)
    db.session.flush()
    assert len(fleet_of(fleet["customer"].id, as_of=today)) == 10
    assert statements() == before <= 4


def test_settings_take_the_policy_the_fee_of_the_currency_and_the_grades_seen(fleet, today):
    assert reuse_share() == Decimal("0.75")  # nothing graded yet
    fleet["healthy"].grade, fleet["worn"].grade, fleet["late"].grade, fleet["screen"].grade = (
        "A",
        "B",
        "D",
        "C",
    )
    db.session.flush()
    settings = planner_settings("EUR", as_of=today, policy=POLICY, upgrade_fees=FEES)
    assert (settings.policy, settings.upgrade_fees, settings.reuse_share) == (
        POLICY,
        {"EUR": Decimal("79.00")},
        Decimal("0.7500"),
    )
    assert planner_settings("USD", as_of=today, upgrade_fees=FEES).upgrade_fees == {}


# -- as_is against the real refresh planner ---------------------------------------------------------------


def test_as_is_refreshes_in_the_first_year_what_the_refresh_planner_opens(fleet, today):
    devices = fleet_of(fleet["customer"].id, as_of=today)
    settings = planner_settings("EUR", as_of=today, policy=POLICY, upgrade_fees=FEES)
    years, events = project(devices, today, 4, Scenario(ScenarioKind.AS_IS), settings)
    first_year = {(e.device_id, e.on, e.action) for e in events if e.on < years[0].ends_on}

    plan_refresh_orders(today, (years[0].ends_on - today).days - 1, POLICY)

    opened = _orders(fleet["customer"].id)
    assert first_year == opened
    assert opened == {
        (fleet["healthy"].id, date(2027, 1, 15), "upgrade"),
        (fleet["worn"].id, date(2027, 1, 15), "replace"),
        # The monitor's contract refreshes every 30 months (2025-02-01 + 30); no battery to upgrade.
        (fleet["screen"].id, date(2027, 8, 1), "replace"),
    }
    assert years[0].figures.upgrades == 1 and years[0].figures.new_devices == 2


def test_the_comparison_is_in_the_customers_currency_with_as_is_first(fleet, today):
    comparison = use_cases.compare_customer_scenarios(
        fleet["customer"].id,
        3,
        [
            {"kind": "extend", "name": "Longer", "months": {"laptop": 12}},
            {"kind": "refurbished_first", "share": "0.5"},
        ],
        policy=POLICY,
        upgrade_fees=FEES,
    )
    shape = comparison_json(comparison)
    assert (shape["as_of"], shape["horizon_years"], shape["currency"]) == ("2026-11-15", 3, "EUR")
    assert [(s["kind"], s["name"], s["choices"]) for s in shape["scenarios"]] == [
        ("as_is", "as_is", {}),
        ("extend", "Longer", {"months": {"laptop": 12}}),
        ("refurbished_first", "refurbished_first", {"share": "0.5"}),
    ]
    as_is, longer = shape["scenarios"][0], shape["scenarios"][1]
    assert [year["year"] for year in as_is["years"]] == [1, 2, 3]
    assert as_is["years"][0]["starts_on"] == "2026-11-15" and as_is["years"][0]["ends_on"] == "2027-11-15"
    assert isinstance(as_is["total"]["new_devices"], int) and isinstance(as_is["total"]["cost"], str)
    # Extending by a year moves the worn laptop's replacement out of the first year.
    assert longer["years"][0]["new_devices"] == as_is["years"][0]["new_devices"] - 1
    assert (
        longer["difference"]["new_devices"] == longer["total"]["new_devices"] - as_is["total"]["new_devices"]
    )
    assert Decimal(as_is["total"]["cost"]) > 0


@pytest.mark.parametrize(
    ("scenario", "field"),
    [
        ({"kind": "later"}, "scenarios.0.kind"),
        ({"kind": "extend"}, "scenarios.0.months"),
        ({"kind": "extend", "months": 61}, "scenarios.0.months"),
        ({"kind": "extend", "months": {"laptop": 0}}, "scenarios.0.months.laptop"),
        ({"kind": "extend", "months": {"fridge": 6}}, "scenarios.0.months.fridge"),
        ({"kind": "refurbished_first", "share": "1.5"}, "scenarios.0.share"),
        ({"kind": "refurbished_first"}, "scenarios.0.share"),
        ({"kind": "as_is", "months": 6}, "scenarios.0.months"),
        ({"kind": "as_is", "name": "x" * 101}, "scenarios.0.name"),
    ],
)
def test_a_bad_scenario_is_refused_naming_its_field(fleet, scenario, field):
    with pytest.raises(Invalid) as refused:
        use_cases.compare_customer_scenarios(fleet["customer"].id, 4, [scenario])
    assert field in refused.value.errors


def test_a_horizon_or_contract_out_of_bounds_is_refused(fleet):
    other = factories.contract()
    for horizon, contract_id, field in (
        (0, None, "horizon_years"),
        (11, None, "horizon_years"),
        (4, other.id, "contract_id"),
    ):
        with pytest.raises(Invalid) as refused:
            use_cases.compare_customer_scenarios(fleet["customer"].id, horizon, [], contract_id)
        assert field in refused.value.errors
    with pytest.raises(NotFound):
        use_cases.compare_customer_scenarios(fleet["customer"].id, 4, [], customer_scope=other.customer_id)


# -- saved scenarios and applying them ----------------------------------------------------------------------


def _save(fleet, kind: str, contract_id: int | None = None, **choices) -> SavedScenario:
    return use_cases.save_scenario(fleet["customer"].id, f"{kind} plan", kind, choices, 4, ACTOR, contract_id)


def test_a_saved_scenario_is_kept_with_its_choices(fleet):
    saved = _save(fleet, "extend", months={"laptop": 12, "*": 6})
    db.session.rollback()
    stored = db.session.get(SavedScenario, saved.id)
    assert (stored.kind, stored.choices, stored.horizon_years, stored.created_by, stored.applied_at) == (
        "extend",
        {"months": {"laptop": 12, "*": 6}},
        4,
        ACTOR,
        None,
    )
    assert _save(fleet, "refurbished_first", share=Decimal("0.25")).choices == {"share": "0.25"}


def test_a_bad_saved_scenario_stores_nothing(fleet):
    for name, kind, choices, field in (
        ("", "extend", {"months": 6}, "name"),
        ("Plan", "extend", {"months": 0}, "months"),
        ("Plan", "sideways", {}, "kind"),
        ("Plan", "refurbished_first", {"share": Decimal(2)}, "share"),
    ):
        with pytest.raises(Invalid) as refused:
            use_cases.save_scenario(fleet["customer"].id, name, kind, choices, 4, ACTOR)
        assert field in refused.value.errors
    assert db.session.scalars(select(SavedScenario)).all() == []


def test_applying_extend_sets_the_cycle_and_the_refresh_planner_follows_it(fleet, today):
    saved = _save(fleet, "extend", months={"laptop": 12, "monitor": 12})
    changed = use_cases.apply_scenario(fleet["customer"].id, saved.id, "customer@example.com")
    db.session.rollback()
    assert sorted(changed) == sorted([fleet["laptops"].id, fleet["monitors"].id])
    assert db.session.get(Contract, fleet["laptops"].id).refresh_cycle_months == 36  # the plan's 24 + 12
    assert db.session.get(Contract, fleet["monitors"].id).refresh_cycle_months == 36  # 24 + 12
    stored = db.session.get(SavedScenario, saved.id)
    assert stored.applied_by == "customer@example.com" and stored.applied_at is not None

    plan_refresh_orders(today, 365, POLICY)  # the old due date, 2027-01-15, is within the lead time
    assert _orders(fleet["customer"].id) == set()
    plan_refresh_orders(today, (date(2028, 1, 15) - today).days, POLICY)
    assert {(device, due) for device, due, _ in _orders(fleet["customer"].id)} == {
        (fleet["healthy"].id, date(2028, 1, 15)),
        (fleet["worn"].id, date(2028, 1, 15)),
    }
    # The fleet and the comparison read the new cycle too.
    cycles = {d.device_id: d.refresh_cycle_months for d in fleet_of(fleet["customer"].id, as_of=today)}
    assert cycles[fleet["healthy"].id] == 36 and cycles[fleet["screen"].id] == 36


def test_applying_as_is_clears_the_contracts_own_cycle(fleet, today):
    saved = _save(fleet, "as_is", fleet["monitors"].id)
    assert use_cases.apply_scenario(fleet["customer"].id, saved.id, ACTOR) == [fleet["monitors"].id]
    db.session.rollback()
    assert db.session.get(Contract, fleet["monitors"].id).refresh_cycle_months is None
    assert use_cases.apply_scenario(fleet["customer"].id, saved.id, ACTOR) == []  # nothing left to change


def test_extend_for_one_category_leaves_contracts_of_another_alone(fleet):
    saved = _save(fleet, "extend", months={"monitor": 9})
    assert use_cases.apply_scenario(fleet["customer"].id, saved.id, ACTOR) == [fleet["monitors"].id]
    assert db.session.get(Contract, fleet["laptops"].id).refresh_cycle_months is None
    assert db.session.get(Contract, fleet["monitors"].id).refresh_cycle_months == 33


def test_policies_of_the_refresh_desk_cannot_be_applied(fleet):
    for kind, choices in (("upgrade_first", {}), ("refurbished_first", {"share": Decimal("0.5")})):
        saved = _save(fleet, kind, **choices)
        with pytest.raises(Conflict) as refused:
            use_cases.apply_scenario(fleet["customer"].id, saved.id, ACTOR)
        assert "not a contract setting" in str(refused.value)
        assert db.session.get(SavedScenario, saved.id).applied_at is None
    assert db.session.get(Contract, fleet["monitors"].id).refresh_cycle_months == 30


def test_another_customers_scenario_is_not_found(fleet):
    saved = _save(fleet, "as_is")
    other = factories.customer()
    with pytest.raises(NotFound):
        use_cases.apply_scenario(other.id, saved.id, ACTOR)
    with pytest.raises(NotFound):
        use_cases.apply_scenario(fleet["customer"].id, saved.id, ACTOR, customer_scope=other.id)
    assert db.session.get(Contract, fleet["monitors"].id).refresh_cycle_months == 30


def test_a_cycle_beyond_ten_years_is_refused(fleet):
    fleet["monitors"].plan.refresh_cycle_months = 100
    saved = _save(fleet, "extend", fleet["monitors"].id, months=30)
    with pytest.raises(Conflict) as refused:
        use_cases.apply_scenario(fleet["customer"].id, saved.id, ACTOR)
    assert "months" in refused.value.errors
    assert db.session.get(Contract, fleet["monitors"].id).refresh_cycle_months == 30


# -- the upgrade fees setting ------------------------------------------------------------------------------


def test_upgrade_fees_are_read_per_currency_and_a_bad_value_names_its_key():
    from config import SettingsError, load_settings
    from daas.settings import Settings
    from tests.helpers import PRODUCTION_ISSUER

    base = {"SECRET_KEY": "s3cret", "DATABASE_URL": "postgresql+psycopg://db/daas", **PRODUCTION_ISSUER}
    settings = Settings.from_config(load_settings("production", base))
    assert settings.workshop_upgrade_fees == {
        "EUR": Decimal("79.00"),
        "GBP": Decimal("69.00"),
        "USD": Decimal("89.00"),
    }
    changed = {**base, "DAAS_WORKSHOP_UPGRADE_FEES": "chf=95.50, JPY=9000"}
    fees = Settings.from_config(load_settings("production", changed)).workshop_upgrade_fees
    assert fees == {"CHF": Decimal("95.50"), "JPY": Decimal("9000")}
    assert (
        Settings.from_config(
            load_settings("production", {**base, "DAAS_WORKSHOP_UPGRADE_FEES": ""})
        ).workshop_upgrade_fees
        == {}
    )
    for value in ("EUR=seventy", "XXX=1.00", "EUR=-1", "JPY=9000.5", "EUR"):
        with pytest.raises(SettingsError, match="DAAS_WORKSHOP_UPGRADE_FEES"):
            Settings.from_config(load_settings("production", {**base, "DAAS_WORKSHOP_UPGRADE_FEES": value}))

"""The what-if planner's API: compare scenarios (stores nothing), save them, list them, apply one to the
customer's contracts; who may, and what bad input answers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.contracts.models import Contract
from daas.contracts.services import deploy_device
from daas.extensions import db
from daas.logistics.models import RefreshOrder
from daas.logistics.refresh import plan_refresh_orders
from daas.logistics.rules import UpgradePolicy
from daas.workshop.models import SavedScenario
from daas.workshop.plan_types import Figures
from tests import factories
from tests.helpers import assert_error, bearer

ACTOR = factories.ACTOR


@pytest.fixture
def world(database, today):
    """A customer on a 24-month plan (from 2025-01-01, 48 months) with a healthy and a worn laptop deployed
    on 2025-01-15 (due 2027-01-15), its own user, a finance user and another customer's user."""
    model = factories.device_model(sku=factories.unique("LAT"), expected_lifetime_months=60)
    plan = factories.plan(refresh_cycle_months=24, term_months=48)
    customer = factories.customer()
    contract = factories.contract(customer.id, plan.code, date(2025, 1, 1))
    for battery in (91, 64):
        device = factories.device(
            model.sku, manufactured_on=date(2024, 10, 1), battery_health=battery, on=date(2024, 12, 1)
        )
        deploy_device(contract.id, device.serial, date(2025, 1, 15), ACTOR)
    other = factories.customer()
    db.session.commit()
    return {
        "customer": customer,
        "contract": contract,
        "other": other,
        "mine": bearer(factories.token("customer", customer.id)),
        "theirs": bearer(factories.token("customer", other.id)),
        "finance": bearer(factories.token("finance")),
        "logistics": bearer(factories.token("logistics")),
    }


def _compare(client, world, body, who="mine", customer=None):
    customer_id = (customer or world["customer"]).id
    return client.post(f"/api/v1/customers/{customer_id}/scenarios", json=body, headers=world[who])


def _save(client, world, body, who="mine", key=None):
    headers = {**world[who], **({"Idempotency-Key": key} if key else {})}
    return client.post(
        f"/api/v1/customers/{world['customer'].id}/saved-scenarios", json=body, headers=headers
    )


def _apply(client, world, scenario_id, who="mine", key=None):
    headers = {**world[who], **({"Idempotency-Key": key} if key else {})}
    return client.post(
        f"/api/v1/customers/{world['customer'].id}/saved-scenarios/{scenario_id}/apply", headers=headers
    )


def _saved() -> int:
    return db.session.scalar(select(func.count()).select_from(SavedScenario))


def test_the_comparison_answers_every_figure_per_year_with_as_is_first(client, world):
    response = _compare(client, world, {"horizon_years": 2, "scenarios": [{"kind": "extend", "months": 12}]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["as_of"], body["horizon_years"], body["currency"]) == ("2026-11-15", 2, "EUR")
    as_is, extend = body["scenarios"]
    assert (as_is["kind"], extend["kind"], extend["choices"]) == ("as_is", "extend", {"months": {"*": 12}})
    figures = {field for field in Figures.__dataclass_fields__}
    assert set(as_is["total"]) == set(as_is["difference"]) == figures
    assert set(as_is["years"][0]) == figures | {"year", "starts_on", "ends_on"}
    # as_is in its first year: the healthy laptop upgraded, the worn one replaced by a new one.
    assert (as_is["years"][0]["upgrades"], as_is["years"][0]["new_devices"]) == (1, 1)
    assert as_is["years"][0]["embodied_co2e_kg"] != "0" and Decimal(as_is["total"]["cost"]) > 0
    # Extending the cycle by a year moves both refreshes to the second year.
    assert (extend["years"][0]["upgrades"], extend["years"][0]["new_devices"]) == (0, 0)
    assert _saved() == 0


def test_the_horizon_defaults_to_four_years(client, world):
    body = _compare(client, world, {}).get_json()
    assert body["horizon_years"] == 4 and [s["kind"] for s in body["scenarios"]] == ["as_is"]
    assert [year["year"] for year in body["scenarios"][0]["years"]] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"horizon_years": 11}, "horizon_years"),
        ({"scenarios": [{"kind": "sideways"}]}, "scenarios"),
        ({"scenarios": [{"kind": "extend"}]}, "scenarios.0.months"),
        ({"scenarios": [{"kind": "extend", "months": {"laptop": 99}}]}, "scenarios.0.months.laptop"),
        ({"scenarios": [{"kind": "refurbished_first", "share": "2"}]}, "scenarios"),
        ({"scenarios": [{"kind": "as_is", "share": "0.5"}]}, "scenarios.0.share"),
        ({"contract_id": 999999}, "contract_id"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, world, body, field):
    assert_error(_compare(client, world, body), 422, field)


def test_saving_listing_and_applying_a_scenario(client, world, today):
    created = _save(
        client, world, {"name": "Keep laptops longer", "kind": "extend", "months": {"laptop": 12}}
    )
    assert created.status_code == 201, created.get_json()
    saved = created.get_json()
    assert (saved["name"], saved["kind"], saved["choices"], saved["horizon_years"], saved["applied_at"]) == (
        "Keep laptops longer",
        "extend",
        {"months": {"laptop": 12}},
        4,
        None,
    )
    listed = client.get(f"/api/v1/customers/{world['customer'].id}/saved-scenarios", headers=world["finance"])
    assert [row["id"] for row in listed.get_json()] == [saved["id"]]

    applied = _apply(client, world, saved["id"])
    assert applied.status_code == 200, applied.get_json()
    assert applied.get_json()["contracts_changed"] == [world["contract"].id]
    assert applied.get_json()["scenario"]["applied_at"] is not None
    assert db.session.get(Contract, world["contract"].id).refresh_cycle_months == 36
    # The refresh planner opens nothing at the old due date, and the orders at the new one.
    plan_refresh_orders(today, (date(2027, 12, 31) - today).days, UpgradePolicy())
    assert db.session.scalar(select(func.count()).select_from(RefreshOrder)) == 0
    plan_refresh_orders(today, (date(2028, 1, 15) - today).days, UpgradePolicy())
    assert set(db.session.scalars(select(RefreshOrder.due_date))) == {date(2028, 1, 15)}


def test_a_saved_scenario_with_a_key_is_stored_once(client, world):
    body = {"name": "Refurbished", "kind": "refurbished_first", "share": "0.5"}
    first = _save(client, world, body, key="save-1")
    again = _save(client, world, body, key="save-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert _saved() == 1


def test_bad_saved_scenarios_store_nothing(client, world):
    for body, field in (
        ({"kind": "extend", "months": 6}, "name"),
        ({"name": "x" * 101, "kind": "as_is"}, "name"),
        ({"name": "Later", "kind": "extend", "months": 0}, "months"),
        ({"name": "Later", "kind": "extend", "months": {"fridge": 3}}, "months.fridge"),
        ({"name": "Some", "kind": "refurbished_first"}, "share"),
        ({"name": "Theirs", "kind": "as_is", "contract_id": 999999}, "contract_id"),
    ):
        assert_error(_save(client, world, body), 422, field)
    assert _saved() == 0


def test_applying_a_refresh_desk_policy_is_a_409(client, world):
    saved = _save(client, world, {"name": "Upgrade", "kind": "upgrade_first"}).get_json()
    body = assert_error(_apply(client, world, saved["id"]), 409, "kind")
    assert "not a contract setting" in body["message"]
    assert db.session.get(Contract, world["contract"].id).refresh_cycle_months is None


def test_another_customer_and_other_roles_are_kept_out(client, world):
    saved = _save(client, world, {"name": "Mine", "kind": "as_is"}).get_json()
    customer = world["customer"].id
    assert _compare(client, world, {}, who="theirs").status_code == 404
    assert _save(client, world, {"name": "Theirs", "kind": "as_is"}, who="theirs").status_code == 404
    assert (
        client.get(f"/api/v1/customers/{customer}/saved-scenarios", headers=world["theirs"]).status_code
        == 404
    )
    assert _apply(client, world, saved["id"], who="theirs").status_code == 404
    assert _compare(client, world, {}, who="logistics").status_code == 403
    assert _compare(client, world, {}, who="finance").status_code == 200
    assert _compare(client, world, {}, who="mine", customer=world["other"]).status_code == 404
    # A scenario of one customer is not found under another's path.
    other = world["other"].id
    admin = bearer(factories.token("admin"))
    response = client.post(f"/api/v1/customers/{other}/saved-scenarios/{saved['id']}/apply", headers=admin)
    assert response.status_code == 404
    assert _saved() == 1


def test_a_customer_without_devices_gets_a_comparison_in_its_currency(client, world):
    admin = bearer(factories.token("admin"))
    response = client.post(f"/api/v1/customers/{world['other'].id}/scenarios", json={}, headers=admin)
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["currency"] == "EUR" and body["scenarios"][0]["total"]["cost"] == "0.00"

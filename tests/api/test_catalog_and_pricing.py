"""Device models, metrics and plans through the API."""

from __future__ import annotations

from tests import factories
from tests.factories import LAPTOP_BODY as LAPTOP
from tests.helpers import assert_error, bearer

# The plan of billing.md's worked example.
LAPTOP_STD_36 = {
    "code": "laptop-std-36",
    "name": "Laptop Standard, 36 months",
    "currency": "EUR",
    "term_months": 36,
    "refresh_cycle_months": 36,
    "minimum_monthly_amount": "500.00",
    "charges": [
        {"kind": "device_monthly", "unit_amount": "39.00"},
        {
            "kind": "metered",
            "metric": "support_tickets",
            "model": "graduated",
            "tiers": [{"up_to": "10", "unit_amount": "0"}, {"up_to": None, "unit_amount": "15.00"}],
        },
        {"kind": "metered", "metric": "express_swaps", "model": "per_unit", "unit_amount": "49.00"},
    ],
}


def test_device_model_figures_are_exact_decimal_strings(client, tokens):
    created = client.post("/api/v1/device-models", json=LAPTOP, headers=bearer(tokens["admin"]))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["weight_kg"], body["embodied_co2e_kg"], body["use_kwh_per_year"]) == (
        "1.360",
        "252.840",
        "23.360",
    )
    listed = client.get("/api/v1/device-models?category=laptop", headers=bearer(tokens["logistics"]))
    assert [m["sku"] for m in listed.get_json()] == ["DELL-LAT-5430"]


def test_device_model_validation(client, tokens):
    bad = {
        **LAPTOP,
        "category": "toaster",
        "weight_kg": "-1",
        "embodied_co2e_kg": "1.2345",
        "expected_lifetime_months": 0,
    }
    assert_error(
        client.post("/api/v1/device-models", json=bad, headers=bearer(tokens["admin"])),
        422,
        "category",
        "weight_kg",
        "embodied_co2e_kg",
        "expected_lifetime_months",
    )


def test_device_model_figures_can_be_corrected(client, tokens, database):
    model = factories.device_model()
    response = client.patch(
        f"/api/v1/device-models/{model.id}", json={"weight_kg": "1.5"}, headers=bearer(tokens["admin"])
    )
    assert response.status_code == 200
    assert response.get_json()["weight_kg"] == "1.500"
    assert_error(
        client.patch(f"/api/v1/device-models/{model.id}", json={"sku": "X"}, headers=bearer(tokens["admin"])),
        422,
        "sku",
    )


def test_metrics_need_a_field_exactly_for_unique_count(client, tokens):
    ok = client.post(
        "/api/v1/metrics",
        json={"code": "active_users", "name": "Active users", "aggregation": "unique_count", "field": "user"},
        headers=bearer(tokens["admin"]),
    )
    assert ok.status_code == 201
    missing = {"code": "seats", "name": "Seats", "aggregation": "unique_count"}
    assert_error(client.post("/api/v1/metrics", json=missing, headers=bearer(tokens["admin"])), 422, "field")
    extra = {"code": "tickets", "name": "Tickets", "aggregation": "count", "field": "user"}
    assert_error(client.post("/api/v1/metrics", json=extra, headers=bearer(tokens["admin"])), 422, "field")
    duplicate = {"code": "active_users", "name": "Again", "aggregation": "count"}
    assert_error(client.post("/api/v1/metrics", json=duplicate, headers=bearer(tokens["admin"])), 409, "code")


def test_the_worked_example_plan_round_trips(client, tokens, database):
    factories.metric(code="support_tickets")
    factories.metric(code="express_swaps", aggregation="sum")
    created = client.post("/api/v1/plans", json=LAPTOP_STD_36, headers=bearer(tokens["admin"]))
    assert created.status_code == 201, created.get_json()
    plan = client.get(
        f"/api/v1/plans/{created.get_json()['id']}", headers=bearer(tokens["finance"])
    ).get_json()
    assert plan["minimum_monthly_amount"] == "500.00"
    device, tickets, swaps = plan["charges"]
    assert device == {
        "kind": "device_monthly",
        "unit_amount": "39.00",
        "device_model_sku": None,
        "metric": None,
        "model": None,
        "tiers": None,
        "package_size": None,
    }
    assert tickets["tiers"] == [
        {"up_to": "10", "unit_amount": "0.00", "flat_amount": "0.00"},
        {"up_to": None, "unit_amount": "15.00", "flat_amount": "0.00"},
    ]
    assert (swaps["metric"], swaps["model"], swaps["unit_amount"]) == ("express_swaps", "per_unit", "49.00")


def test_unit_prices_keep_six_decimals_and_jpy_has_none(client, tokens, database):
    plan = {
        **LAPTOP_STD_36,
        "code": "fine",
        "minimum_monthly_amount": None,
        "charges": [{"kind": "device_monthly", "unit_amount": "1.283871"}],
    }
    body = client.post("/api/v1/plans", json=plan, headers=bearer(tokens["admin"])).get_json()
    assert body["charges"][0]["unit_amount"] == "1.283871"
    yen = {
        **plan,
        "code": "yen",
        "currency": "JPY",
        "minimum_monthly_amount": "5000",
        "charges": [{"kind": "device_monthly", "unit_amount": "4200"}],
    }
    body = client.post("/api/v1/plans", json=yen, headers=bearer(tokens["admin"])).get_json()
    assert (body["minimum_monthly_amount"], body["charges"][0]["unit_amount"]) == ("5000", "4200")
    bad_yen = {**yen, "code": "yen2", "minimum_monthly_amount": "5000.50"}
    assert_error(
        client.post("/api/v1/plans", json=bad_yen, headers=bearer(tokens["admin"])),
        422,
        "minimum_monthly_amount",
    )


def test_plan_charges_naming_missing_metrics_or_models_are_refused(client, tokens, database):
    plan = {
        **LAPTOP_STD_36,
        "code": "ghost",
        "charges": [
            {"kind": "device_monthly", "device_model_sku": "NO-SUCH-SKU", "unit_amount": "10.00"},
            {"kind": "metered", "metric": "no_such_metric", "model": "per_unit", "unit_amount": "1.00"},
        ],
    }
    body = assert_error(
        client.post("/api/v1/plans", json=plan, headers=bearer(tokens["admin"])), 422, "charges"
    )
    assert "device_model_sku" in body["errors"]["charges"]["0"]
    assert "metric" in body["errors"]["charges"]["1"]
    assert client.get("/api/v1/plans", headers=bearer(tokens["admin"])).get_json() == []


def test_plan_rules_are_enforced_with_the_path_to_the_field(client, tokens, database):
    factories.metric(code="support_tickets")
    descending = {
        **LAPTOP_STD_36,
        "code": "bad-tiers",
        "charges": [
            {
                "kind": "metered",
                "metric": "support_tickets",
                "model": "graduated",
                "tiers": [
                    {"up_to": "10", "unit_amount": "0"},
                    {"up_to": "5", "unit_amount": "1"},
                    {"up_to": None, "unit_amount": "2"},
                ],
            },
        ],
    }
    body = assert_error(client.post("/api/v1/plans", json=descending, headers=bearer(tokens["admin"])), 422)
    assert "up_to" in body["errors"]["charges"]["0"]["tiers"]["1"]
    closed = {
        **descending,
        "charges": [
            {
                "kind": "metered",
                "metric": "support_tickets",
                "model": "volume",
                "tiers": [{"up_to": "10", "unit_amount": "1"}],
            },
        ],
    }
    body = assert_error(client.post("/api/v1/plans", json=closed, headers=bearer(tokens["admin"])), 422)
    assert "up_to" in body["errors"]["charges"]["0"]["tiers"]["0"]
    package_without_size = {
        **descending,
        "charges": [
            {"kind": "metered", "metric": "support_tickets", "model": "package", "unit_amount": "10.00"},
        ],
    }
    body = assert_error(
        client.post("/api/v1/plans", json=package_without_size, headers=bearer(tokens["admin"])), 422
    )
    assert "package_size" in body["errors"]["charges"]["0"]
    negative = {**descending, "charges": [{"kind": "device_monthly", "unit_amount": "-1.00"}]}
    assert_error(client.post("/api/v1/plans", json=negative, headers=bearer(tokens["admin"])), 422, "charges")
    no_charges = {**descending, "charges": []}
    assert_error(
        client.post("/api/v1/plans", json=no_charges, headers=bearer(tokens["admin"])), 422, "charges"
    )


def test_duplicate_plan_code_is_409(client, tokens, database):
    factories.plan(code="std")
    plan = {**LAPTOP_STD_36, "code": "std", "charges": [{"kind": "device_monthly", "unit_amount": "39.00"}]}
    assert_error(client.post("/api/v1/plans", json=plan, headers=bearer(tokens["admin"])), 409, "code")

"""The impact API: a subscription's statement (JSON, CSV, PDF), the portfolio report, and parameter sets,
on impact.md's worked example (contracts A, B and C of three customers)."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from daas.core.periods import Period
from daas.impact.ledger import close_periods_through
from tests import factories
from tests.helpers import assert_error, bearer
from tests.impact_helpers import build_worked_example

PARAMETERS = {
    "reference_service_days": 1000,
    "refurbishment_kg": {
        "laptop": "15",
        "desktop": "15.5",
        "monitor": "21.8",
        "tablet": "5.4",
        "phone": "3.1",
        "dock": "5.4",
    },
    "upgrade_kit_kg": {"battery": "9.8", "storage": "28.2", "memory": "33.1"},
    "grade_extension_days": {"A": 730, "B": 548, "C": 365, "D": 0},
    "upgrade_extension_days": 365,
    "formal_collection_rate": "0.45",
    "grid_kg_per_kwh": {"NL": "0.268"},
}
SOURCES = {name: f"Source of {name}." for name in PARAMETERS}


@pytest.fixture
def example(database, today):
    customers = tuple(factories.customer(name=name).id for name in ("Alpha", "Beta", "Gamma"))
    built = build_worked_example(customers)
    return {
        **built,
        "customers": customers,
        "token_b": factories.token("customer", customers[1]),
        "finance": factories.token("finance"),
        "admin": factories.token("admin"),
    }


def test_a_customer_reads_its_statement_with_every_figure_as_three_decimals(client, example):
    response = client.get(f"/api/v1/contracts/{example['B']}/impact", headers=bearer(example["token_b"]))
    assert response.status_code == 200
    body = response.get_json()
    assert {
        key: body[key]
        for key in (
            "contract_id",
            "from",
            "to",
            "method",
            "service_days",
            "devices",
            "second_life_devices",
            "upgrades",
            "allocated_co2e_kg",
            "allocated_mass_kg",
            "avoided_co2e_kg",
            "avoided_ewaste_kg",
            "certified_recycled_kg",
            "unmanaged_ewaste_avoided_kg",
            "use_phase_kwh",
            "use_phase_co2e_kg",
        )
    } == {
        "contract_id": example["B"],
        "from": "2022-01-01",
        "to": "2026-11-30",
        "method": "daas-impact-1",
        "service_days": 730,
        "devices": 1,
        "second_life_devices": 1,
        "upgrades": 0,
        "allocated_co2e_kg": "109.521",
        "allocated_mass_kg": "0.473",
        "avoided_co2e_kg": "40.479",
        "avoided_ewaste_kg": "0.277",
        "certified_recycled_kg": "0.568",
        "unmanaged_ewaste_avoided_kg": "0.340",
        "use_phase_kwh": "40.000",  # 730 days × 20 kWh / 365
        "use_phase_co2e_kg": None,  # no grid factor in version 1
    }
    assert body["provisional_periods"][0] == "2022-01" and body["provisional_periods"][-1] == "2026-11"
    [device] = body["by_device"]
    assert (device["serial"], device["life"], device["avoided_co2e_kg"]) == (example["serial"], 2, "40.479")
    assert sum(p["service_days"] for p in body["by_period"]) == 730


def test_a_window_covers_whole_months_and_is_checked(client, example):
    url, headers = f"/api/v1/contracts/{example['B']}/impact", bearer(example["token_b"])
    body = client.get(f"{url}?from=2023-01-15&to=2023-03-02", headers=headers).get_json()
    assert (body["from"], body["to"], body["service_days"]) == ("2023-01-01", "2023-03-31", 90)
    assert [p["period"] for p in body["by_period"]] == ["2023-01", "2023-02", "2023-03"]

    assert_error(client.get(f"{url}?from=2023-03-01&to=2023-01-01", headers=headers), 422, "to")
    assert_error(client.get(f"{url}?from=2023-02-30", headers=headers), 422, "from")
    assert_error(client.get(f"{url}?from=1999-12-31", headers=headers), 422, "from")
    assert_error(client.get(f"{url}?to=9999-12-31", headers=headers), 422, "to")


def test_another_customers_statement_is_not_found(client, example):
    for suffix in ("", ".csv", ".pdf"):
        response = client.get(
            f"/api/v1/contracts/{example['A']}/impact{suffix}", headers=bearer(example["token_b"])
        )
        assert_error(response, 404)


def test_the_statement_as_csv_has_a_row_per_device_and_the_total(client, example):
    response = client.get(f"/api/v1/contracts/{example['B']}/impact.csv", headers=bearer(example["token_b"]))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"impact-contract-{example['B']}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["row"] for row in rows] == ["device", "total"]
    device, total = rows
    assert device["serial"] == example["serial"] and device["life"] == "2"
    assert (total["service_days"], total["allocated_co2e_kg"], total["avoided_co2e_kg"]) == (
        "730",
        "109.521",
        "40.479",
    )
    assert total["use_phase_co2e_kg"] == "" and total["provisional"] == "yes"


def test_the_statement_as_a_pdf_shows_the_figures_and_the_method(client, example):
    response = client.get(f"/api/v1/contracts/{example['B']}/impact.pdf", headers=bearer(example["token_b"]))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("109.521", "40.479", "daas-impact-1", "Beta", example["serial"], "Eurostat"):
        assert expected in text, expected


def test_the_report_adds_up_the_subscriptions_by_customer(client, example):
    response = client.get("/api/v1/impact/report", headers=bearer(example["finance"]))
    assert response.status_code == 200
    body = response.get_json()
    by_name = {item["name"]: item for item in body["customers"]}
    assert [by_name[n]["avoided_co2e_kg"] for n in ("Alpha", "Beta", "Gamma")] == [
        "0.000",
        "40.479",
        "41.096",
    ]
    assert [by_name[n]["allocated_co2e_kg"] for n in ("Alpha", "Beta", "Gamma")] == [
        "205.479",
        "109.521",
        "0.000",
    ]
    assert body["total"]["avoided_co2e_kg"] == "81.575"
    assert body["total"]["allocated_co2e_kg"] == "315.000"
    assert body["total"]["certified_recycled_kg"] == "1.500"
    assert body["provider_residual"]["allocated_co2e_kg"] == "0.000"

    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/api/v1/impact/report.csv", headers=bearer(example["finance"])).get_data(True)
            )
        )
    )
    assert [row["row"] for row in rows] == ["customer", "customer", "customer", "total", "provider_residual"]
    assert rows[3]["avoided_co2e_kg"] == "81.575" and rows[3]["service_days"] == "1930"


def test_parameter_sets_are_listed_with_their_sources(client, example):
    body = client.get("/api/v1/impact/parameter-sets", headers=bearer(example["token_b"])).get_json()
    [first] = body
    assert (first["method"], first["version"], first["values"]["reference_service_days"]) == (
        "daas-impact-1",
        1,
        1460,
    )
    assert first["values"]["formal_collection_rate"] == "0.401"
    assert set(first["sources"]) == set(first["values"])
    assert "Eurostat" in first["sources"]["formal_collection_rate"]


def test_a_new_version_applies_from_a_month_after_the_closed_ones(client, example):
    admin = bearer(example["admin"])
    close_periods_through(Period.parse("2026-10"), date(2026, 11, 15))
    before = client.get(f"/api/v1/contracts/{example['B']}/impact", headers=admin).get_json()

    body = {"valid_from": "2026-10-01", "values": PARAMETERS, "sources": SOURCES}
    assert_error(client.post("/api/v1/impact/parameter-sets", json=body, headers=admin), 422, "valid_from")
    body["valid_from"] = "2026-12-15"
    assert_error(client.post("/api/v1/impact/parameter-sets", json=body, headers=admin), 422, "valid_from")
    missing = {
        **body,
        "valid_from": "2026-12-01",
        "sources": {k: v for k, v in SOURCES.items() if k != "grid_kg_per_kwh"},
    }
    assert_error(client.post("/api/v1/impact/parameter-sets", json=missing, headers=admin), 422, "sources")
    partial = {
        **body,
        "valid_from": "2026-12-01",
        "values": {**PARAMETERS, "upgrade_kit_kg": {"battery": "1"}},
    }
    assert_error(client.post("/api/v1/impact/parameter-sets", json=partial, headers=admin), 422, "values")
    assert_error(
        client.post("/api/v1/impact/parameter-sets", json=body, headers=bearer(example["finance"])), 403
    )

    body["valid_from"] = "2026-12-01"
    created = client.post("/api/v1/impact/parameter-sets", json=body, headers=admin)
    assert created.status_code == 201, created.get_json()
    assert (created.get_json()["version"], created.get_json()["values"]["reference_service_days"]) == (
        2,
        1000,
    )
    assert_error(client.post("/api/v1/impact/parameter-sets", json=body, headers=admin), 422, "valid_from")

    after = client.get(f"/api/v1/contracts/{example['B']}/impact", headers=admin).get_json()
    assert after == before  # the closed months keep version 1
    assert after["parameter_set_versions"] == [1]


def test_an_auditor_recomputes_the_statement_from_the_ledger_rows(client, example):
    """Closed months as stored and the open month computed, with balances and the parameter set version:
    the rows add up to the statement, and each month's allocation follows from the balances."""
    close_periods_through(Period.parse("2023-06"), date(2026, 11, 15))
    headers = bearer(example["token_b"])
    statement = client.get(f"/api/v1/contracts/{example['B']}/impact", headers=headers).get_json()
    response = client.get(f"/api/v1/contracts/{example['B']}/impact/ledger.csv", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {row["provisional"] for row in rows if row["period"] <= "2023-06"} == {"no"}
    assert {row["provisional"] for row in rows if row["period"] > "2023-06"} == {"yes"}
    assert {row["parameter_set_version"] for row in rows} == {"1"}
    for name in ("service_days", "allocated_co2e_kg", "avoided_co2e_kg", "certified_recycled_kg"):
        total = sum(Decimal(row[name]) for row in rows)
        assert total == Decimal(statement[name]), name
    # What a month allocates is what the balance lost over it (until recycling zeroes it).
    serving = [row for row in rows if int(row["service_days"]) > 0]
    for before, after in itertools.pairwise(serving):
        assert (
            Decimal(before["balance_co2e_kg"]) - Decimal(after["balance_co2e_kg"])
            == Decimal(after["allocated_co2e_kg"])
            or after["period"] == serving[-1]["period"]
        )

"""The sustainability report over HTTP: who may read it, the year it needs, the reporting choices a customer
PATCH sets, and the files (CSV, XLSX with a sheet per section, PDF) carrying the same totals as the JSON."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from daas.core.periods import Period
from daas.customers.models import Customer
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases.demo import load_demo
from daas.usecases.impact import close_impact_months
from tests import factories
from tests.helpers import bearer

YEAR = 2026


@pytest.fixture
def demo(database, today):
    load_demo(current_settings().billing_run)
    close_impact_months(Period.parse("2026-10"), today)
    customers = list(db.session.scalars(select(Customer).order_by(Customer.id)))
    mine, theirs = customers[0], customers[1]
    return {
        "mine": mine,
        "theirs": theirs,
        "customer": factories.token("customer", mine.id),
        "finance": factories.token("finance"),
        "admin": factories.token("admin"),
        "logistics": factories.token("logistics"),
    }


def _url(customer: Customer, suffix: str = "", year: object = YEAR) -> str:
    return f"/api/v1/customers/{customer.id}/sustainability-report{suffix}?year={year}"


def test_admin_finance_and_the_customers_own_users_read_it(client, demo):
    for role in ("admin", "finance", "customer"):
        response = client.get(_url(demo["mine"]), headers=bearer(demo[role]))
        assert response.status_code == 200, role
        body = response.get_json()
        assert body["customer_name"] == demo["mine"].name and body["year"] == YEAR
    assert client.get(_url(demo["mine"]), headers=bearer(demo["logistics"])).status_code == 403
    assert client.get(_url(demo["mine"])).status_code == 401
    for suffix in ("", ".csv", ".xlsx", ".pdf"):
        foreign = client.get(_url(demo["theirs"], suffix), headers=bearer(demo["customer"]))
        assert foreign.status_code == 404, suffix


def test_the_year_is_required_and_between_2000_and_2100(client, demo):
    url = f"/api/v1/customers/{demo['mine'].id}/sustainability-report"
    for year in ("", "1999", "2101", "twenty"):
        for suffix in ("", ".csv", ".xlsx", ".pdf"):
            query = f"?year={year}" if year else ""
            response = client.get(url + suffix + query, headers=bearer(demo["finance"]))
            assert response.status_code == 422, (year, suffix)
            assert "year" in response.get_json()["errors"], (year, suffix)


def test_the_json_reports_its_sections_with_their_method_and_factors(client, demo):
    body = client.get(_url(demo["mine"]), headers=bearer(demo["finance"])).get_json()
    assert body["method"] == "daas-impact-1" and body["parameter_set_versions"] == [1]
    assert body["missing_months"] == ["2026-11", "2026-12"]
    use = body["use_phase"]
    assert use["scope"] == "Scope 2 (location-based)" and use["grid_factor_version"] == 1
    [line] = use["countries"]
    assert line["country"] == demo["mine"].country and line["factor_source"]
    assert Decimal(line["co2e_kg"]) == (Decimal(line["kwh"]) * Decimal(line["factor_kg_per_kwh"])).quantize(
        Decimal("0.001")
    )
    assert body["embodied"]["transferred_scope"] == "Scope 3 category 2 (capital goods)"
    assert "Buying new" in body["avoided"]["reference_scenario"]
    assert set(body["outflows"]["by_fate"]) == {
        "redeployed",
        "refurbished",
        "parts_harvested",
        "recycled_certified",
        "sold_to_customer",
        "lost",
        "not_yet_processed",
    }
    assert body["reporting_choices"] == {
        "fiscal_year_start_month": 1,
        "consolidation_approach": "operational_control",
        "embodied_scope3_category": 1,
    }


def test_a_patch_sets_the_reporting_choices_and_the_report_follows(client, demo):
    url = f"/api/v1/customers/{demo['mine'].id}"
    headers = bearer(demo["finance"])
    for field, bad in (
        ("fiscal_year_start_month", 13),
        ("consolidation_approach", "control"),
        ("embodied_scope3_category", 2),
    ):
        refused = client.patch(url, json={field: bad}, headers=headers)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], field
    choices = {
        "fiscal_year_start_month": 4,
        "consolidation_approach": "equity_share",
        "embodied_scope3_category": 8,
    }
    assert client.patch(url, json=choices, headers=headers).status_code == 200
    shown = client.get(url, headers=headers).get_json()
    assert {name: shown[name] for name in choices} == choices
    body = client.get(_url(demo["mine"]), headers=headers).get_json()
    assert (body["first_day"], body["last_day"]) == ("2025-04-01", "2026-03-31")
    assert body["use_phase"]["scope"] == "Scope 3 category 8 (upstream leased assets)"
    assert body["embodied"]["scope"] == "Scope 3 category 8 (upstream leased assets)"
    assert body["missing_months"] == []


def test_the_files_carry_the_same_totals(client, demo):
    headers = bearer(demo["customer"])
    body = client.get(_url(demo["mine"]), headers=headers).get_json()

    csv_response = client.get(_url(demo["mine"], ".csv"), headers=headers)
    assert csv_response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(csv_response.get_data(as_text=True))))
    use_total = next(r for r in rows if r[0] == "Use-phase electricity" and r[1] == "Total")
    assert (use_total[2], use_total[3]) == (body["use_phase"]["kwh"], body["use_phase"]["co2e_kg"])
    allocated = next(r for r in rows if r[0] == "Embodied emissions" and r[1] == "Attributed (allocated)")
    assert allocated[2] == body["embodied"]["allocated_co2e_kg"]

    xlsx = client.get(_url(demo["mine"], ".xlsx"), headers=headers)
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == [
        "Overview",
        "Use-phase electricity",
        "Embodied emissions",
        "Avoided (not netted)",
        "Inflows (ESRS E5-4)",
        "Outflows (ESRS E5-5)",
        "Packaging",
    ]
    sheet_total = next(
        r for r in book["Use-phase electricity"].iter_rows(values_only=True) if r[0] == "Total"
    )
    assert Decimal(str(sheet_total[2])) == Decimal(body["use_phase"]["co2e_kg"])
    outflow_total = next(
        r for r in book["Outflows (ESRS E5-5)"].iter_rows(values_only=True) if r[0] == "Total"
    )
    assert outflow_total[1] == body["outflows"]["devices"]
    assert Decimal(str(outflow_total[2])) == Decimal(body["outflows"]["kg"])

    pdf = client.get(_url(demo["mine"], ".pdf"), headers=headers)
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert demo["mine"].name in text and body["use_phase"]["co2e_kg"] in text


def test_the_portfolio_is_for_admin_and_finance(client, demo):
    url = f"/api/v1/sustainability-report/portfolio?year={YEAR}"
    rows = client.get(url, headers=bearer(demo["finance"])).get_json()
    mine = next(row for row in rows if row["customer_id"] == demo["mine"].id)
    report = client.get(_url(demo["mine"]), headers=bearer(demo["finance"])).get_json()
    assert mine["allocated_co2e_kg"] == report["embodied"]["allocated_co2e_kg"]
    assert mine["outflow_devices"] == report["outflows"]["devices"]
    assert client.get(url, headers=bearer(demo["customer"])).status_code == 403
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(url.replace("portfolio", "portfolio.csv"), headers=bearer(demo["admin"])).get_data(
                    as_text=True
                )
            )
        )
    )
    assert {row["name"] for row in csv_rows} == {row["name"] for row in rows}
    assert (
        client.get("/api/v1/sustainability-report/portfolio", headers=bearer(demo["admin"])).status_code
        == 422
    )

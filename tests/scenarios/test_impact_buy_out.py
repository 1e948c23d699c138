"""impact.md's laptop bought out by its first customer, through the services and the API: E0 300 kg,
m 1.5 kg, L_ref 1,460 days, deployed on contract A for 1,000 days (2020-01-01 to 2022-09-27) and sold on
the 1,000th day's morrow. A carries 205.479 kg and 1.027 kg as before; the 94.521 kg and 0.473 kg left go to
A as a transfer in September 2022, beside its allocation; nothing is avoided by the sale, and the provider
keeps nothing. Statements show the same figures before and after the month closes; the CSVs, the PDF and
the portfolio report carry them."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from daas.contracts import services as contracts
from daas.core import clock
from daas.core.periods import Period
from daas.extensions import db
from daas.impact.ledger import close_periods_through
from daas.impact.models import ImpactLedgerRow
from daas.impact.statements import contract_statement, portfolio_report
from daas.usecases import logistics as use_cases
from tests import factories
from tests.helpers import bearer
from tests.impact_helpers import without_flags

DEPLOYED = date(2020, 1, 1)
SOLD = DEPLOYED + timedelta(days=1000)  # 2022-09-27
TODAY = date(2022, 10, 10)
ACTOR = factories.ACTOR
FIGURES = {
    "service_days": 1000,
    "allocated_co2e_kg": Decimal("205.479"),
    "allocated_mass_kg": Decimal("1.027"),
    "transferred_co2e_kg": Decimal("94.521"),
    "transferred_mass_kg": Decimal("0.473"),
    "avoided_co2e_kg": Decimal("0.000"),
    "avoided_ewaste_kg": Decimal("0.000"),
}


@pytest.fixture
def sold(database):
    with clock.frozen(TODAY):  # the sale is recorded 13 days after it was made
        laptop = factories.device_model(
            category="laptop",
            embodied_co2e_kg=Decimal("300"),
            weight_kg=Decimal("1.5"),
            use_kwh_per_year=Decimal("20"),
        )
        serial = factories.device(sku=laptop.sku, on=date(2019, 12, 1)).serial
        customer = factories.customer(name="Alpha")
        contract = factories.contract(customer.id, factories.plan(term_months=60).code, DEPLOYED)
        contracts.deploy_device(contract.id, serial, DEPLOYED, ACTOR)
        use_cases.sell_device(contract.id, serial, SOLD, "buy-out charge 12", ACTOR)
    return {"contract": contract.id, "customer": customer.id, "serial": serial}


def _figures(source: dict) -> dict[str, object]:
    return {name: source[name] for name in FIGURES}


def test_the_buyer_carries_its_days_and_takes_over_what_is_left(sold):
    with clock.frozen(TODAY):
        statement = contract_statement(sold["contract"], None, None, TODAY)
        report = portfolio_report(None, None, TODAY)
    assert _figures(statement) == FIGURES
    (device,) = statement["by_device"]
    assert (device["serial"], device["life"]) == (sold["serial"], 1)
    assert _figures(device) == FIGURES
    months = {row["period"]: row for row in statement["by_period"]}
    assert (months["2022-09"]["service_days"], months["2022-09"]["transferred_co2e_kg"]) == (
        26,
        Decimal("94.521"),
    )
    assert months["2022-09"]["transferred_mass_kg"] == Decimal("0.473")
    assert all(row["transferred_co2e_kg"] == 0 for name, row in months.items() if name != "2022-09")
    assert "2022-10" not in months  # nothing after the sale

    (alpha,) = report["customers"]
    assert _figures(alpha) == FIGURES and _figures(report["total"]) == FIGURES
    residual = report["provider_residual"]
    assert (residual["devices"], residual["allocated_co2e_kg"], residual["allocated_mass_kg"]) == (
        0,
        Decimal("0.000"),
        Decimal("0.000"),
    )
    total = report["total"]
    # allocated + transferred + provider residual = E0 + ΣR, and = m, to the gram
    assert total["allocated_co2e_kg"] + total["transferred_co2e_kg"] + residual["allocated_co2e_kg"] == 300
    assert total["allocated_mass_kg"] + total["transferred_mass_kg"] + residual["allocated_mass_kg"] == (
        Decimal("1.500")
    )


def test_closing_the_sale_month_changes_no_figure_and_stores_the_transfer(sold):
    with clock.frozen(TODAY):
        before = contract_statement(sold["contract"], None, None, TODAY)
        report_before = portfolio_report(None, None, TODAY)
        assert before["provisional_periods"][-1] == "2022-10"
        reports = close_periods_through(Period.containing(SOLD), TODAY)
        assert reports[-1].period == "2022-09"
        after = contract_statement(sold["contract"], None, None, TODAY)
        assert after["provisional_periods"] == ["2022-10"]
        assert without_flags(after) == without_flags(before)
        assert without_flags(portfolio_report(None, None, TODAY)) == without_flags(report_before)
        window = contract_statement(sold["contract"], date(2022, 9, 1), date(2022, 9, 30), TODAY)
    september = db.session.scalars(select(ImpactLedgerRow).where(ImpactLedgerRow.period == "2022-09")).all()
    assert [(row.contract_id, row.service_days) for row in september] == [(sold["contract"], 26)]
    (row,) = september
    assert (row.transferred_co2e_kg, row.transferred_mass_kg) == (Decimal("94.521"), Decimal("0.473"))
    assert (row.balance_co2e_kg, row.balance_mass_kg) == (Decimal("0.000"), Decimal("0.000"))
    assert (window["transferred_co2e_kg"], window["transferred_mass_kg"]) == (
        Decimal("94.521"),
        Decimal("0.473"),
    )


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_csvs_the_pdf_and_the_report_carry_the_transfer(client, sold):
    customer = bearer(factories.token("customer", sold["customer"]))
    finance = bearer(factories.token("finance"))
    base = f"/api/v1/contracts/{sold['contract']}/impact"
    with clock.frozen(TODAY):
        body = client.get(base, headers=customer).get_json()
        rows = _csv(client.get(f"{base}.csv", headers=customer))
        ledger = _csv(client.get(f"{base}/ledger.csv", headers=customer))
        pdf = client.get(f"{base}.pdf", headers=customer)
        report = client.get("/api/v1/impact/report", headers=finance).get_json()
        report_rows = _csv(client.get("/api/v1/impact/report.csv", headers=finance))
    assert (body["transferred_co2e_kg"], body["transferred_mass_kg"]) == ("94.521", "0.473")
    assert (body["allocated_co2e_kg"], body["allocated_mass_kg"]) == ("205.479", "1.027")
    assert body["by_device"][0]["transferred_co2e_kg"] == "94.521"

    device, total = rows
    for row in (device, total):
        assert (row["allocated_co2e_kg"], row["transferred_co2e_kg"], row["transferred_mass_kg"]) == (
            "205.479",
            "94.521",
            "0.473",
        )
    columns = list(device)
    assert columns.index("transferred_co2e_kg") == columns.index("allocated_mass_kg") + 1
    september = [row for row in ledger if row["period"] == "2022-09"]
    assert [(r["service_days"], r["transferred_co2e_kg"], r["balance_co2e_kg"]) for r in september] == [
        ("26", "94.521", "0.000")
    ]
    assert sum(Decimal(r["transferred_co2e_kg"]) for r in ledger) == Decimal("94.521")

    assert pdf.status_code == 200
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Embodied CO2e transferred with devices bought out" in text
    assert "94.521 kg" in text and "0.473 kg" in text
    assert "Transferred CO2e (kg)" in text  # the column beside the allocation in the month and device tables

    (alpha,) = report["customers"]
    assert (alpha["transferred_co2e_kg"], report["total"]["transferred_co2e_kg"]) == ("94.521", "94.521")
    assert report["provider_residual"]["allocated_co2e_kg"] == "0.000"
    by_row = {row["row"]: row for row in report_rows}
    assert (by_row["customer"]["transferred_co2e_kg"], by_row["total"]["transferred_mass_kg"]) == (
        "94.521",
        "0.473",
    )

"""The command line: users, tokens, catalog import and the demo data set."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from daas.auth.services import authenticate_token
from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract, Deployment
from daas.customers.models import Customer
from daas.devices.models import Device
from daas.extensions import db
from daas.impact.models import ImpactLedgerRow
from daas.impact.statements import portfolio_report
from daas.usage.models import UsageEvent
from tests import factories

SAMPLE = Path(__file__).parent.parent / "data" / "boavizta-sample.csv"


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=["daas", *args])
    return result


def test_users_and_tokens_are_created_from_the_command_line(app, database):
    customer = factories.customer()
    result = _run(
        app,
        "users",
        "create",
        "it@acme.example",
        "--role",
        "customer",
        "--customer",
        str(customer.id),
        "--password",
        "correct-horse-battery",
    )
    assert result.exit_code == 0, result.output
    result = _run(app, "tokens", "create", "it@acme.example")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    principal = authenticate_token(token)
    assert principal is not None
    assert (principal.role, principal.customer_id) == ("customer", customer.id)


def test_bad_command_line_input_says_what_is_wrong(app, database):
    result = _run(app, "users", "create", "someone@acme.example", "--role", "customer")
    assert result.exit_code != 0
    assert "customer_id" in result.output + result.stderr
    result = _run(app, "tokens", "create", "nobody@acme.example")
    assert result.exit_code != 0
    assert "nobody@acme.example" in result.output + result.stderr


def test_catalog_import_reports_kept_and_skipped_rows_and_is_idempotent(app, database):
    result = _run(app, "catalog", "import", str(SAMPLE))
    assert result.exit_code == 0, result.output
    first = result.output
    assert "kept" in first and "skipped" in first
    models = db.session.scalar(select(func.count(DeviceModel.id)))
    assert models > 0
    assert f"kept {models} ({models} new" in first

    again = _run(app, "catalog", "import", str(SAMPLE))
    assert f"kept {models} (0 new, 0 updated, {models} unchanged)" in again.output
    assert db.session.scalar(select(func.count(DeviceModel.id))) == models


def test_catalog_import_refuses_a_file_in_another_format(app, database, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("serial,owner\nSN1,me\n")
    result = _run(app, "catalog", "import", str(other))
    assert result.exit_code != 0
    assert "not a footprint file" in result.output + result.stderr


def test_demo_loads_a_realistic_data_set_once(app, database, today):
    result = _run(app, "demo")
    assert result.exit_code == 0, result.output
    counts = {
        "customers": db.session.scalar(select(func.count(Customer.id))),
        "devices": db.session.scalar(select(func.count(Device.id))),
        "deployments": db.session.scalar(select(func.count(Deployment.id))),
        "contracts": db.session.scalar(select(func.count(Contract.id))),
        "usage": db.session.scalar(select(func.count(UsageEvent.id))),
    }
    assert counts["devices"] >= 60
    assert {c.country for c in db.session.scalars(select(Customer))} >= {"NL", "DE", "US"}
    returned = db.session.scalar(select(func.count(Deployment.id)).where(Deployment.end_date.is_not(None)))
    assert returned > 0
    assert counts["usage"] > 0
    tokens = [line.split()[-1] for line in result.output.splitlines() if "daas_demo_" in line]
    roles = {authenticate_token(token).role for token in tokens}
    assert roles == {"admin", "finance", "logistics", "customer"}
    # Devices came back, were refurbished and serve another customer: the impact ledger shows it.
    assert "second lives" in result.output and "impact months closed" in result.output
    second_lives = db.session.scalar(select(func.count(ImpactLedgerRow.id)).where(ImpactLedgerRow.life == 2))
    assert second_lives > 0
    report = portfolio_report(None, None, today)
    assert report["total"]["avoided_co2e_kg"] > 0 and report["provisional_periods"] == ["2026-11"]
    ledger_rows = db.session.scalar(select(func.count(ImpactLedgerRow.id)))

    again = _run(app, "demo")
    assert again.exit_code == 0, again.output
    assert "nothing new" in again.output
    assert counts == {
        "customers": db.session.scalar(select(func.count(Customer.id))),
        "devices": db.session.scalar(select(func.count(Device.id))),
        "deployments": db.session.scalar(select(func.count(Deployment.id))),
        "contracts": db.session.scalar(select(func.count(Contract.id))),
        "usage": db.session.scalar(select(func.count(UsageEvent.id))),
    }
    assert db.session.scalar(select(func.count(ImpactLedgerRow.id))) == ledger_rows


def test_impact_close_and_report_from_the_command_line(app, database, today):
    import csv
    import io
    import json

    from tests.impact_helpers import build_worked_example

    built = build_worked_example()
    result = _run(app, "impact", "close")
    assert result.exit_code == 0, result.output
    assert "2020-01: 1 rows, 1 devices" in result.output and "2026-10:" in result.output
    assert "Nothing to close: the ledger is closed through 2026-10." in _run(app, "impact", "close").output

    refused = _run(app, "impact", "close", "2026-11")
    assert refused.exit_code != 0 and "2026-11 has not ended yet" in refused.output
    assert _run(app, "impact", "close", "2026-13").exit_code == 2

    report = json.loads(_run(app, "impact", "report").output)
    assert report["total"]["avoided_co2e_kg"] == "81.575"
    assert {item["customer_id"] for item in report["customers"]} == {
        db.session.get(Contract, built[name]).customer_id for name in "ABC"
    }
    # B served 2022-09-30 .. 2024-09-28 and C from 2024-09-30: 729 + 1 days fall in the window.
    window = json.loads(_run(app, "impact", "report", "--from", "2022-10-01", "--to", "2024-09-30").output)
    assert (window["from"], window["to"], window["total"]["service_days"]) == (
        "2022-10-01",
        "2024-09-30",
        730,
    )

    rows = list(csv.DictReader(io.StringIO(_run(app, "impact", "report", "--format", "csv").output)))
    assert rows[-2]["row"] == "total" and rows[-2]["avoided_co2e_kg"] == "81.575"
    bad = _run(app, "impact", "report", "--from", "2024-01-01", "--to", "2023-01-01")
    assert bad.exit_code == 2 and "--to" in bad.output


def test_grid_factors_import_creates_a_version_from_a_csv(app, database, tmp_path):
    from daas.impact.grid_factor_sets import latest_grid_factors

    good = tmp_path / "factors.csv"
    good.write_text(
        "country,year,kg_per_kwh,source,source_version,url\n"
        "DE,2024,0.33638,Ember,2025,https://ember.example\nFR,2024,0.04048,Ember,2025,\n",
        encoding="utf-8",
    )
    result = _run(app, "impact", "grid-factors", "import", str(good), "--note", "Ember 2025")
    assert result.exit_code == 0, result.output
    assert "Grid factors version 2: 2 countries, 2024-2024." in result.output
    table = latest_grid_factors()
    assert (table.version, str(table.factor_for("FR", 2024).kg_per_kwh)) == (2, "0.04048")

    bad = tmp_path / "bad.csv"
    bad.write_text("country,year,kg_per_kwh,source,source_version\nDE,2024,9,Ember,2025\n", encoding="utf-8")
    refused = _run(app, "impact", "grid-factors", "import", str(bad))
    assert refused.exit_code == 1
    assert "factors.DE.2024.kg_per_kwh" in refused.output
    assert latest_grid_factors().version == 2

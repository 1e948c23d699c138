"""Figures for issued documents: rendering at finalization (Factur-X PDF, UBL, CII per invoice), and
serving the kept files, in-process.

    .venv/bin/python bench/documents.py [--database-url URL] [--invoices 300] [--downloads 500]

Builds `--invoices` contracts on billing.md's worked-example plan (three devices, tickets and swaps each),
bills October 2026, then times finalizing the run (numbers, buyer recorded, three files rendered and kept
per invoice, all in one transaction) and downloading the kept PDFs and XMLs through the API. Prints
invoices per second, milliseconds per invoice, the stored bytes per invoice, download requests per
second and the process's peak memory. Runs on a fresh SQLite file unless --database-url names another
(empty) database. Never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import func, select

from daas import create_app
from daas.auth.services import create_token, create_user
from daas.billing.invoiced_months import invoiced_months
from daas.billing.invoices import finalize_run
from daas.billing.models import Invoice, IssuedDocument
from daas.catalog.services import create_device_model
from daas.contracts.services import create_contract, deploy_device, end_deployment
from daas.core import clock
from daas.core.periods import Period
from daas.customers.services import create_customer
from daas.devices.services import register_device
from daas.extensions import db
from daas.pricing.services import create_metric, create_plan
from daas.settings import current_settings
from daas.usage.services import store_usage_events
from daas.usecases.billing import run_billing_period

OCTOBER = Period.parse("2026-10")


def _world(invoices: int) -> None:
    model = create_device_model(
        {
            "sku": "BENCH-LAT-5440",
            "name": "Latitude 5440",
            "category": "laptop",
            "manufacturer": "Dell",
            "weight_kg": Decimal("1.36"),
            "embodied_co2e_kg": Decimal("252.84"),
            "use_kwh_per_year": Decimal("23.36"),
            "expected_lifetime_months": 48,
        }
    )
    tickets = create_metric({"code": "support_tickets", "name": "Support tickets", "aggregation": "count"})
    swaps = create_metric({"code": "express_swaps", "name": "Express swaps", "aggregation": "sum"})
    plan = create_plan(
        {
            "code": "laptop-std-36",
            "name": "Laptop standard",
            "currency": "EUR",
            "term_months": 36,
            "refresh_cycle_months": 36,
            "minimum_monthly_amount": Decimal("500.00"),
            "charges": [
                {"kind": "device_monthly", "unit_amount": Decimal("39.00")},
                {
                    "kind": "metered",
                    "metric": tickets.code,
                    "model": "graduated",
                    "tiers": [
                        {"up_to": Decimal(10), "unit_amount": Decimal(0)},
                        {"up_to": None, "unit_amount": Decimal("15.00")},
                    ],
                },
                {
                    "kind": "metered",
                    "metric": swaps.code,
                    "model": "per_unit",
                    "unit_amount": Decimal("49.00"),
                },
            ],
        }
    )
    countries = [("NL", "NL123456782B90"), ("DE", "DE136695976"), ("BE", "BE0403019261"), ("US", None)]
    with click.progressbar(range(invoices), label="contracts", file=sys.stderr) as bar:
        for i in bar:
            country, vat_id = countries[i % len(countries)]
            customer = create_customer(
                {
                    "name": f"Customer {i} GmbH",
                    "country": country,
                    "vat_id": vat_id,
                    "currency": "EUR",
                    "billing_email": "ap@bench.example",
                    "address_line1": "Hafenstraße 5",
                    "postcode": "20457",
                    "city": "Hamburg",
                    "peppol_id": "0208:0403019261",
                }
            )
            contract = create_contract(customer.id, plan.code, date(2026, 1, 1))
            for n, (start, end) in enumerate(
                [(date(2026, 9, 15), None), (date(2026, 10, 10), None), (date(2026, 8, 1), date(2026, 10, 5))]
            ):
                device = register_device(f"BENCH-{i:06d}-{n}", model.sku, "bench", on=date(2026, 1, 1))
                deploy_device(contract.id, device.serial, start, "bench")
                if end is not None:
                    end_deployment(contract.id, device.serial, end, "bench")
            rows = [
                {
                    "customer_id": customer.id,
                    "transaction_id": f"bench-{i}-{day}",
                    "contract_id": contract.id,
                    "metric_id": tickets.id if day < 14 else swaps.id,
                    "timestamp": datetime(2026, 10, day, 12, tzinfo=UTC),
                    "quantity": Decimal(1),
                    "properties": None,
                }
                for day in range(1, 15)
            ]
            store_usage_events(rows, invoiced_months)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--invoices", type=int, default=300)
    parser.add_argument("--downloads", type=int, default=500)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="daas-bench-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, env="testing")
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")
    with app.app_context(), clock.frozen(date(2026, 11, 15)):
        upgrade()
        _world(args.invoices)
        settings = current_settings()
        run = run_billing_period(OCTOBER, "bench", settings.billing_run)

        start = time.perf_counter()
        finalized = finalize_run(run.id, settings.documents, settings.billing_run.chunk_size)
        db.session.commit()
        seconds = time.perf_counter() - start
        stored = db.session.scalar(select(func.sum(func.length(IssuedDocument.content))))
        print(
            f"finalize and render {finalized} invoices (PDF/A-3 + UBL + CII each): {seconds:.2f} s, "
            f"{finalized / seconds:.1f} invoices/s, {1000 * seconds / finalized:.1f} ms an invoice, "
            f"{stored / finalized / 1024:.0f} KiB stored an invoice"
        )

        user = create_user("finance@bench.example", "finance", None, "bench-password-2026")
        _, token = create_token(user.id, "bench")
        db.session.commit()
        ids = db.session.scalars(select(Invoice.id).order_by(Invoice.id)).all()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        for suffix in (".pdf", ".xml", ".xml?syntax=cii"):
            start = time.perf_counter()
            with click.progressbar(range(args.downloads), label=f"GET {suffix}", file=sys.stderr) as bar:
                for n in bar:
                    response = client.get(f"/api/v1/invoices/{ids[n % len(ids)]}{suffix}", headers=headers)
                    assert response.status_code == 200, response.status_code
            seconds = time.perf_counter() - start
            print(f"GET /invoices/<id>{suffix:<16} {args.downloads / seconds:8.1f} requests/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()

"""The sustainability workshop for one 10,000-device customer, on PostgreSQL (or any configured database).

    .venv/bin/python bench/workshop.py [--devices 10000] [--year 2025] [--database-url URL]

1. Builds the fleet of bench/impact.py (not measured), all of it on one customer's contracts: devices on
   50-device contracts since early 2021, a third returned, graded, refurbished or redeployed, some
   upgraded, some lost; the plan bills EUR 39.00 a device a month.
2. Closes the impact ledger through the report's year (not measured: the monthly job does it).
3. Measures, each step in its own process (seconds and that process's peak memory):
   - the yearly sustainability report of the customer (JSON), then its CSV, XLSX and PDF files;
   - a four-scenario plan (as_is, extend by 12 months, upgrade_first, refurbished_first at 50 %) over
     four years: the fleet read from the database and the projection, and the projection alone.

The database named by --database-url is dropped and created again; its name must contain "bench".
Prints figures; never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import impact as impact_bench
from common import fresh_database, say

from daas import create_app
from daas.extensions import db

SCENARIOS = (
    "[{'kind': 'as_is'}, {'kind': 'extend', 'months': 12}, {'kind': 'upgrade_first'}, "
    "{'kind': 'refurbished_first', 'share': '0.5'}]"
)


def build(app, devices: int) -> int:
    """The impact bench's fleet, every contract one customer's; returns the customer's id."""
    impact_bench.CONTRACTS_PER_CUSTOMER = max(2, devices // impact_bench.DEVICES_PER_CONTRACT)
    impact_bench.build(app, devices)
    with app.app_context():
        conn = db.session.connection()
        conn.execute(
            text(
                "INSERT INTO plan_charges (plan_id, position, kind, unit_amount) "
                "SELECT id, 1, 'device_monthly', 39.00 FROM plans"
            )
        )
        customer_id = conn.execute(text("SELECT min(id) FROM customers")).scalar_one()
        db.session.commit()
    return customer_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/daas_bench_workshop"
    )
    args = parser.parse_args()
    url = args.database_url
    fresh_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    started = time.perf_counter()
    customer_id = build(app, args.devices)
    say(f"built in {time.perf_counter() - started:.1f} s")
    impact_bench.measure(
        url,
        f"close the impact ledger through {args.year}-12 (setup)",
        f"reports = close_impact_months(Period.parse('{args.year}-12'), today)\n"
        '    detail = f"{len(reports)} months, {sum(r.rows for r in reports):,} ledger rows"',
    )
    say("")
    report = (
        "from daas.workshop.report import build_report, report_json\n"
        f"    r = build_report({customer_id}, {args.year})\n"
    )
    impact_bench.measure(
        url,
        f"yearly report {args.year} (JSON)",
        report + "    body = report_json(r)\n"
        '    detail = f"{r.use_phase.kwh} kWh, {r.inflows.devices} in, {r.outflows.devices} out"',
    )
    for fmt in ("csv", "xlsx", "pdf"):
        impact_bench.measure(
            url,
            f"yearly report {args.year} as {fmt.upper()}",
            report + "    from daas.workshop import report_files\n"
            f"    data = report_files.report_{fmt}(r)\n"
            '    detail = f"{len(data):,} bytes"',
        )
    plan = (
        "from daas.usecases.workshop import compare_customer_scenarios\n"
        "    from daas.settings import current_settings\n"
        "    s = current_settings()\n"
        f"    c = compare_customer_scenarios({customer_id}, 4, {SCENARIOS}, "
        "policy=s.upgrade, upgrade_fees=s.workshop_upgrade_fees)\n"
        "    detail = ', '.join(f\"{x.scenario.kind} {x.total.new_devices} new\" for x in c.results)"
    )
    impact_bench.measure(url, "four-scenario plan, 4 years (fleet read + projection)", plan)
    projection = (
        "from daas.workshop.fleet import fleet_of, planner_settings\n"
        "    from daas.workshop.planner import compare_scenarios\n"
        "    from daas.workshop.plan_types import Scenario\n"
        "    from decimal import Decimal\n"
        "    from daas.settings import current_settings\n"
        f"    fleet = fleet_of({customer_id}, None, as_of=today)\n"
        "    s = current_settings()\n"
        "    settings = planner_settings(fleet[0].currency, as_of=today, policy=s.upgrade, "
        "upgrade_fees=s.workshop_upgrade_fees)\n"
        "    scenarios = [Scenario('as_is'), Scenario('extend', extend_months={'*': 12}), "
        "Scenario('upgrade_first'), Scenario('refurbished_first', refurbished_share=Decimal('0.5'))]\n"
        "    started = time.perf_counter()\n"
        "    c = compare_scenarios(fleet, today, 4, scenarios, settings)\n"
        '    detail = f"{len(fleet):,} devices, projection alone {time.perf_counter() - started:.2f} s"'
    )
    impact_bench.measure(url, "four-scenario plan, 4 years (projection alone)", projection)


if __name__ == "__main__":
    main()

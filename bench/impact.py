"""The impact ledger at fleet scale, on PostgreSQL (or any configured database).

    .venv/bin/python bench/impact.py [--devices 10000] [--database-url URL]

1. Builds a fleet written in bulk (not measured): devices on 50-device contracts since early 2021; a third
   of them returned after 33 to 46 months, graded, refurbished or redeployed and serving a second life
   (a tenth recycled instead), some upgraded at their 36-month refresh, some lost.
2. Measures, each step in its own process (seconds and that process's peak memory):
   - the portfolio report before anything is closed (every device computed from its first day);
   - closing the ledger from the first month through October 2026 (catch-up, a month at a time);
   - the portfolio report after it (open months only, from the stored device states);
   - one contract's statement;
   - next month's close, as the monthly job does it on 1 December.

The database named by --database-url is dropped and created again; its name must contain "bench".
Prints figures; never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import fresh_database, say
from flask_migrate import upgrade

from daas import create_app
from daas.extensions import db

DEVICES_PER_CONTRACT = 50
KITS = ["battery", "storage", "memory"]
CONTRACTS_PER_CUSTOMER = 10
TODAY = date(2026, 11, 29)


def _events(
    rng: random.Random, device_id: int, first: dict, second_contract: int | None
) -> tuple[list, list, list]:
    """A device's deployments, custody events and upgrades after its first deployment `first`."""
    deployments, events, upgrades = [first], [], []
    seq = 1

    def event(action: str, on: date, reference: str | None = None) -> None:
        nonlocal seq
        seq += 1
        events.append(
            {"d": device_id, "q": seq, "a": action, "on": on, "r": reference, "f": "graded", "t": "graded"}
        )

    if second_contract is None:
        if rng.random() < 0.05:
            event("lose", first["s"] + timedelta(days=rng.randrange(30, 1000)))
            first["e"] = events[-1]["on"]
        elif rng.random() < 0.3:  # upgraded at its 36-month refresh instead of being replaced
            upgrades.append({"d": device_id, "on": first["s"] + timedelta(days=1095), "k": rng.choice(KITS)})
        return deployments, events, upgrades
    first["e"] = first["s"] + timedelta(days=rng.randrange(1000, 1400))
    graded = first["e"] + timedelta(days=5)
    event("grade", graded, f"grade {rng.choice('AAABBC')}")
    if rng.random() < 0.1:
        event("recycle", graded + timedelta(days=3))
        return deployments, events, upgrades
    event("refurbish" if rng.random() < 0.6 else "redeploy", graded + timedelta(days=1))
    start = graded + timedelta(days=rng.randrange(10, 40))
    end = start + timedelta(days=rng.randrange(100, 300)) if rng.random() < 0.2 else None
    if end is not None and end >= TODAY:
        end = None
    deployments.append({"d": device_id, "c": second_contract, "s": start, "e": end})
    return deployments, events, upgrades


def build(app, devices: int) -> int:
    """The fleet, written in bulk; returns a contract id to take a statement of."""
    with app.app_context():
        upgrade()
        conn = db.session.connection()
        conn.execute(
            text(
                "INSERT INTO device_models (sku, name, category, manufacturer, weight_kg, embodied_co2e_kg, "
                "use_kwh_per_year, expected_lifetime_months) VALUES "
                "('BENCH-LAPTOP', 'Bench laptop', 'laptop', 'Bench', 1.36, 252.84, 23.36, 48), "
                "('BENCH-PHONE', 'Bench phone', 'phone', 'Bench', 0.19, 54.2, 4.1, 36)"
            )
        )
        models = conn.execute(text("SELECT id FROM device_models ORDER BY id")).scalars().all()
        conn.execute(
            text(
                "INSERT INTO plans (code, name, currency, term_months, refresh_cycle_months) "
                "VALUES ('bench-120', 'Bench 120', 'EUR', 120, 36)"
            )
        )
        plan_id = conn.execute(text("SELECT id FROM plans")).scalar_one()
        contracts = max(2, devices // DEVICES_PER_CONTRACT)
        customers = (contracts + CONTRACTS_PER_CUSTOMER - 1) // CONTRACTS_PER_CUSTOMER
        conn.execute(
            text(
                "INSERT INTO customers (name, country, currency, billing_email, payment_terms_days) "
                "VALUES (:n, 'NL', 'EUR', 'ap@bench.example', 30)"
            ),
            [{"n": f"Customer {i:04d}"} for i in range(customers)],
        )
        customer_ids = conn.execute(text("SELECT id FROM customers ORDER BY id")).scalars().all()
        conn.execute(
            text(
                "INSERT INTO contracts (customer_id, plan_id, start_date, end_date, reference) "
                "VALUES (:c, :p, '2021-01-01', '2031-01-01', :r)"
            ),
            [
                {"c": customer_ids[i // CONTRACTS_PER_CUSTOMER], "p": plan_id, "r": f"BENCH-{i:08d}"}
                for i in range(contracts)
            ],
        )
        contract_ids = conn.execute(text("SELECT id FROM contracts ORDER BY id")).scalars().all()
        conn.execute(
            text(
                "INSERT INTO devices (serial, device_model_id, status, lives) VALUES (:s, :m, 'deployed', 1)"
            ),
            [{"s": f"BENCH-{i:08d}", "m": models[i % 7 == 0]} for i in range(devices)],
        )
        device_ids = conn.execute(text("SELECT id FROM devices ORDER BY id")).scalars().all()
        rng = random.Random(7)
        deployments, events, upgrades = [], [], []
        for n, device_id in enumerate(device_ids):
            first = {
                "d": device_id,
                "c": contract_ids[n // DEVICES_PER_CONTRACT % contracts],
                "s": date(2021, 1, 1) + timedelta(days=rng.randrange(0, 180)),
                "e": None,
            }
            second = rng.choice(contract_ids) if rng.random() < 0.35 else None
            more = _events(rng, device_id, first, second)
            deployments += more[0]
            events += more[1]
            upgrades += more[2]
        conn.execute(
            text(
                "INSERT INTO deployments (device_id, contract_id, start_date, end_date) "
                "VALUES (:d, :c, :s, :e)"
            ),
            deployments,
        )
        conn.execute(
            text(
                "INSERT INTO custody_events (device_id, seq, action, from_status, to_status, occurred_on, "
                "recorded_at, actor, reference) VALUES (:d, :q, :a, :f, :t, :on, now(), 'bench', :r)"
            ),
            events,
        )
        first_deployment = dict(
            conn.execute(text("SELECT device_id, min(id) FROM deployments GROUP BY device_id")).all()
        )
        conn.execute(
            text(
                "INSERT INTO device_upgrades (device_id, deployment_id, kit, performed_on, extension_months, "
                "actor) VALUES (:d, :p, :k, :on, 12, 'bench')"
            ),
            [{**u, "p": first_deployment[u["d"]]} for u in upgrades],
        )
        db.session.commit()
        say(
            f"fleet: {devices:,} devices, {len(deployments):,} deployments on {contracts:,} contracts of "
            f"{customers:,} customers, {len(events):,} lifecycle events, {len(upgrades):,} upgrades"
        )
        return contract_ids[0]


STEP = """
import json, resource, sys, time
from datetime import date
sys.path.insert(0, {root!r})
from daas import create_app
from daas.core.periods import Period
from daas.core import clock
from daas.extensions import db
from daas.impact import statements
from daas.usecases.impact import close_impact_months
app = create_app({{"SQLALCHEMY_DATABASE_URI": {url!r}}})
with app.app_context(), clock.frozen(date.fromisoformat({today!r})):
    today = clock.today()
    started = time.perf_counter()
    {work}
    db.session.commit()
    seconds = time.perf_counter() - started
print(json.dumps({{"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "detail": detail}}))
"""


def measure(url: str, label: str, work: str, today: date = TODAY) -> dict:
    code = STEP.format(
        root=str(Path(__file__).resolve().parent.parent), url=url, today=today.isoformat(), work=work
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{label} failed:\n{result.stderr}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    say(f"{label:<48} {figures['seconds']:8.2f} s   peak {figures['peak_mb']:6.0f} MB   {figures['detail']}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/daas_bench_impact"
    )
    args = parser.parse_args()
    fresh_database(args.database_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    started = time.perf_counter()
    contract_id = build(app, args.devices)
    say(f"built in {time.perf_counter() - started:.1f} s\n")
    report = (
        "report = statements.portfolio_report(None, None, today)\n"
        "    detail = f\"avoided {report['total']['avoided_co2e_kg']} kg CO2e, "
        "{len(report['provisional_periods'])} provisional months\""
    )
    measure(args.database_url, "report, nothing closed (every month computed)", report)
    measure(
        args.database_url,
        "close 2021-01 .. 2026-10 (catch-up)",
        "reports = close_impact_months(Period.parse('2026-10'), today)\n"
        '    detail = f"{len(reports)} months, {sum(r.rows for r in reports):,} ledger rows"',
    )
    measure(args.database_url, "report, closed through 2026-10", report)
    measure(
        args.database_url,
        f"statement of contract {contract_id} (whole contract)",
        f"s = statements.contract_statement({contract_id}, None, None, today)\n"
        "    detail = f\"{s['devices']} devices, {s['service_days']:,} service days\"",
    )
    measure(
        args.database_url,
        "monthly close of 2026-11 on 2026-12-01",
        "reports = close_impact_months(Period.parse('2026-11'), today)\n"
        '    detail = f"{sum(r.rows for r in reports):,} ledger rows"',
        today=date(2026, 12, 1),
    )


if __name__ == "__main__":
    main()

"""Usage ingestion and the billing run at scale, on PostgreSQL (or any configured database).

    .venv/bin/python bench/billing.py [--contracts 10000] [--scale-to 20000] [--database-url URL]
                                      [--processes 2] [--profile FILE]

1. Builds N contracts (100 per customer) with 5 deployed devices each, in a fresh database.
2. Ingests 100 usage events per contract for October 2026 through the real HTTP endpoint, served by
   gunicorn on loopback, in batches of 1,000 (events per second), and prints it beside its floor: the
   same batches inserted straight into the database (`insert_floor.py`).
3. Runs the billing run for October 2026 in its own process (seconds, peak memory of that process).
4. With --scale-to M: builds M contracts again, loads their events directly (COPY), and times the billing
   run once more, to show how it scales.
5. With --scale-to and --processes N (2 by default): deletes the drafts and runs the billing again with
   N - 1 processes joining it (`flask daas bill --join`), to show what a second process gains.
6. After each run, its floor: the run's own reads of the period and one statement writing as many
   invoice lines as it wrote, in the same database; the run's time is printed as a ratio to it.

The database named by --database-url is dropped and created again; its name must contain "bench".
Prints figures; never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import PRODUCTION_ISSUER, fresh_database, say
from flask_migrate import upgrade
from insert_floor import COLUMNS, event_rows, insert_floor

from daas import create_app
from daas.auth.services import create_token, create_user
from daas.billing import measure
from daas.billing.models import BillingRun
from daas.core.periods import Period
from daas.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-10"
OCTOBER_START = datetime(2026, 10, 1, tzinfo=UTC)
DEVICES_PER_CONTRACT = 5
EVENTS_PER_CONTRACT = 100
CONTRACTS_PER_CUSTOMER = 100
BATCH = 1000


def build(app, contracts: int) -> dict:
    """Customers, a plan, contracts, devices and deployments, written in bulk (not what is measured)."""
    with app.app_context():
        upgrade()
        conn = db.session.connection()
        conn.execute(
            text(
                "INSERT INTO device_models (sku, name, category, manufacturer, weight_kg, "
                "embodied_co2e_kg, use_kwh_per_year, expected_lifetime_months) "
                "VALUES ('BENCH-LAPTOP', 'Bench laptop', 'laptop', 'Bench', 1.5, 250, 20, 48)"
            )
        )
        for code, aggregation, field in (
            ("support_tickets", "count", None),
            ("data_gb", "sum", None),
            ("active_users", "unique_count", "user"),
        ):
            conn.execute(
                text("INSERT INTO metrics (code, name, aggregation, field) VALUES (:c, :c, :a, :f)"),
                {"c": code, "a": aggregation, "f": field},
            )
        conn.execute(
            text(
                "INSERT INTO plans (code, name, currency, term_months, refresh_cycle_months, "
                "minimum_monthly_amount) VALUES ('bench-36', 'Bench 36', 'EUR', 36, 36, 250)"
            )
        )
        plan_id = conn.execute(text("SELECT id FROM plans")).scalar_one()
        metric_ids = dict(conn.execute(text("SELECT code, id FROM metrics")).all())
        conn.execute(
            text(
                "INSERT INTO plan_charges (plan_id, position, kind, unit_amount) VALUES (:p, 0, "
                "'device_monthly', 39)"
            ),
            {"p": plan_id},
        )
        conn.execute(
            text(
                "INSERT INTO plan_charges (plan_id, position, kind, metric_id, model) VALUES (:p, 1, "
                "'metered', :m, 'graduated')"
            ),
            {"p": plan_id, "m": metric_ids["support_tickets"]},
        )
        graduated = conn.execute(text("SELECT id FROM plan_charges WHERE position = 1")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO plan_tiers (charge_id, position, up_to, unit_amount, flat_amount) VALUES "
                "(:c, 0, 10, 0, 0), (:c, 1, NULL, 15, 0)"
            ),
            {"c": graduated},
        )
        conn.execute(
            text(
                "INSERT INTO plan_charges (plan_id, position, kind, metric_id, model, unit_amount) VALUES "
                "(:p, 2, 'metered', :m, 'per_unit', 0.25)"
            ),
            {"p": plan_id, "m": metric_ids["data_gb"]},
        )
        conn.execute(
            text(
                "INSERT INTO plan_charges (plan_id, position, kind, metric_id, model, unit_amount, "
                "package_size) VALUES (:p, 3, 'metered', :m, 'package', 20, 10)"
            ),
            {"p": plan_id, "m": metric_ids["active_users"]},
        )
        model_id = conn.execute(text("SELECT id FROM device_models")).scalar_one()
        customers = (contracts + CONTRACTS_PER_CUSTOMER - 1) // CONTRACTS_PER_CUSTOMER
        countries = ["NL", "DE", "US", "FR"]
        conn.execute(
            text(
                "INSERT INTO customers (name, country, currency, billing_email, payment_terms_days) "
                "VALUES (:n, :c, 'EUR', 'ap@bench.example', 30)"
            ),
            [{"n": f"Customer {i}", "c": countries[i % 4]} for i in range(customers)],
        )
        customer_ids = conn.execute(text("SELECT id FROM customers ORDER BY id")).scalars().all()
        conn.execute(
            text(
                "INSERT INTO contracts (customer_id, plan_id, start_date, end_date, reference) "
                "VALUES (:c, :p, '2026-01-01', '2029-01-01', :r)"
            ),
            [
                {"c": customer_ids[i // CONTRACTS_PER_CUSTOMER], "p": plan_id, "r": f"BENCH-{i:08d}"}
                for i in range(contracts)
            ],
        )
        conn.execute(
            text(
                "INSERT INTO contract_plans (contract_id, plan_id, starts_on, created_by) "
                "SELECT id, plan_id, start_date, 'bench' FROM contracts"
            )
        )
        contract_rows = conn.execute(text("SELECT id, customer_id FROM contracts ORDER BY id")).all()
        conn.execute(
            text(
                "INSERT INTO devices (serial, device_model_id, status, lives) VALUES (:s, :m, 'deployed', 1)"
            ),
            [{"s": f"BENCH-{i:08d}", "m": model_id} for i in range(contracts * DEVICES_PER_CONTRACT)],
        )
        device_ids = conn.execute(text("SELECT id FROM devices ORDER BY id")).scalars().all()
        rng = random.Random(7)
        deployments = []
        for n, device_id in enumerate(device_ids):
            start = date(2026, 9, 1) + timedelta(days=rng.randrange(0, 45))
            end = start + timedelta(days=rng.randrange(1, 60)) if rng.random() < 0.2 else None
            deployments.append(
                {"d": device_id, "c": contract_rows[n // DEVICES_PER_CONTRACT].id, "s": start, "e": end}
            )
        conn.execute(
            text(
                "INSERT INTO deployments (device_id, contract_id, start_date, end_date) "
                "VALUES (:d, :c, :s, :e)"
            ),
            deployments,
        )
        admin = create_user("bench-admin@daas.example", "admin")
        _, token = create_token(admin.id, "bench")
        db.session.commit()
        return {
            "contracts": [(row.id, row.customer_id) for row in contract_rows],
            "token": token,
            "metric_ids": metric_ids,
        }


def events_for(contracts: list[tuple[int, int]]) -> list[dict]:
    """100 events per contract in October: tickets, data and active users."""
    rng = random.Random(11)
    codes = ["support_tickets", "data_gb", "active_users"]
    events = []
    for contract_id, _ in contracts:
        for n in range(EVENTS_PER_CONTRACT):
            moment = OCTOBER_START + timedelta(seconds=rng.randrange(0, 31 * 86400))
            code = codes[n % 3]
            event = {
                "transaction_id": f"c{contract_id}-e{n}",
                "contract_id": contract_id,
                "metric": code,
                "timestamp": moment.isoformat().replace("+00:00", "Z"),
            }
            if code == "data_gb":
                event["quantity"] = f"{rng.randrange(1, 5000) / 100:.2f}"
            if code == "active_users":
                event["properties"] = {"user": f"u{rng.randrange(1, 40)}"}
            events.append(event)
    return events


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(url: str, port: int, workers: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    """gunicorn serving the app on loopback, production settings unless `env` says otherwise."""
    env = env or {
        **os.environ,
        "DATABASE_URL": url,
        "DAAS_ENV": "production",
        "SECRET_KEY": "bench",
        **PRODUCTION_ISSUER,
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def ingest(port: int, token: str, bodies: list[bytes], clients: int) -> tuple[float, int]:
    """Post every body over keep-alive connections from `clients` threads; (seconds, events accepted)."""
    queue = list(reversed(bodies))
    lock = threading.Lock()
    accepted = [0]
    errors: list[str] = []
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def worker(bar) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                body = queue.pop()
            connection.request("POST", "/api/v1/usage-events", body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            with lock:
                if response.status != 202:
                    errors.append(f"{response.status} {payload[:200]!r}")
                else:
                    accepted[0] += json.loads(payload)["accepted"]
                bar.update(1)
        connection.close()

    with click.progressbar(length=len(bodies), label="ingesting", file=sys.stderr) as bar:
        start = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(bar,)) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
    if errors:
        raise SystemExit(f"{len(errors)} batches failed, first: {errors[0]}")
    return seconds, accepted[0]


def copy_events(url: str, contracts: list[tuple[int, int]], metric_ids: dict[str, int]) -> None:
    """Load the events straight into PostgreSQL (for the scaling run, where ingestion is not measured)."""
    import psycopg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    customer_of = dict(contracts)
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        with cursor.copy(f"COPY usage_events ({COLUMNS}) FROM STDIN") as copy:
            for row in event_rows(events_for(contracts), customer_of, metric_ids):
                copy.write_row(row)
        cursor.execute("ANALYZE usage_events")


# Runs `flask` in a process that reports its own peak memory when it exits. VmHWM, not ru_maxrss: Linux
# carries the parent's high-water mark into ru_maxrss across fork and exec, which would count the bench's
# own memory (its prepared request bodies) as the billing run's.
_MEASURED_FLASK = (
    "import atexit, runpy, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            print('PEAK_RSS_KB', line.split()[1], file=sys.stderr)\n"
    "atexit.register(peak)\n"
    "import os\n"
    "if os.environ.get('BENCH_PROFILE'):\n"
    "    from pyinstrument import Profiler\n"
    "    profiler = Profiler(interval=0.01)\n"
    "    def report():\n"
    "        profiler.stop()\n"
    "        with open(os.environ['BENCH_PROFILE'], 'w') as out:\n"
    "            out.write(profiler.output_text(unicode=True, show_all=False))\n"
    "    atexit.register(report)\n"
    "    profiler.start()\n"
    "sys.argv = ['flask', *sys.argv[1:]]\n"
    "runpy.run_module('flask', run_name='__main__')\n"
)


def _flask_env(url: str, profile: str | None = None) -> dict[str, str]:
    return {
        **os.environ,
        **({"BENCH_PROFILE": profile} if profile else {}),
        "DATABASE_URL": url,
        "DAAS_ENV": "production",
        "SECRET_KEY": "bench",
        **PRODUCTION_ISSUER,
    }


def _peak_mb(stderr: str) -> float:
    return next(int(line.split()[1]) for line in stderr.splitlines() if line.startswith("PEAK_RSS_KB")) / 1024


def _chunks_planned(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.execute(text("SELECT count(*) FROM billing_run_chunks")).scalar())
    finally:
        engine.dispose()


def bill(url: str, profile: str | None = None, joiners: int = 0) -> tuple[float, float, str]:
    """The billing run in its own process, with `joiners` more processes joining it (`bill --join`) once
    it has planned its chunks: (seconds, peak RSS of the run's process in MB, its summary line); with
    `profile`, pyinstrument samples the run's process and writes where its time went to that file."""
    command = [sys.executable, "-c", _MEASURED_FLASK, "--app", "wsgi", "daas", "bill", PERIOD]
    start = time.perf_counter()
    owner = subprocess.Popen(
        command,
        cwd=ROOT,
        env=_flask_env(url, profile),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    joining = []
    if joiners:
        while owner.poll() is None and not _chunks_planned(url):
            time.sleep(0.05)
        joining = [
            subprocess.Popen(
                [*command, "--join", "--wait", "5"],
                cwd=ROOT,
                env=_flask_env(url),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(joiners)
        ]
    out, err = owner.communicate()
    seconds = time.perf_counter() - start
    if owner.returncode:
        raise SystemExit(f"the billing run failed:\n{err}")
    for joiner in joining:
        joined_out, joined_err = joiner.communicate()
        say(
            f"  joining process: {(joined_out.strip().splitlines() or [joined_err.strip()])[-1]}"
            f" (peak {_peak_mb(joined_err):.0f} MB)"
        )
    return seconds, _peak_mb(err), out.strip().splitlines()[-1]


def drop_drafts(url: str) -> None:
    """Delete the period's drafts (their lines go with them), so the next run creates them again."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM invoices WHERE period = :period"), {"period": PERIOD})
    finally:
        engine.dispose()


def floor(app) -> tuple[float, float, float, int]:
    """What the database needs for the run's work, in the same database: the run's own reads of the
    period (the usage aggregate over every contract, the deployments), and one statement writing as many
    invoice lines as the run wrote (a copy of them into a temporary table). Returns (the run's own
    seconds from its start to its end, as its row says, read s, write s, lines)."""
    period = Period.parse(PERIOD)
    with app.app_context():
        run = db.session.scalars(select(BillingRun).order_by(BillingRun.id.desc()).limit(1)).one()
        own = (run.finished_at - run.started_at).total_seconds()
        start = time.perf_counter()
        measure.usage_in(period.starts_at, period.ends_at)
        measure.deployments_in(period)
        reads = time.perf_counter() - start
        connection = db.session.connection()
        connection.execute(
            text("CREATE TEMPORARY TABLE floor_lines AS SELECT * FROM invoice_lines WITH NO DATA")
        )
        start = time.perf_counter()
        lines = connection.execute(
            text(
                "INSERT INTO floor_lines SELECT l.* FROM invoice_lines l "
                "JOIN invoices i ON i.id = l.invoice_id WHERE i.period = :period"
            ),
            {"period": PERIOD},
        ).rowcount
        write = time.perf_counter() - start
        db.session.rollback()
    return own, reads, write, lines


def report_run(app, contracts: int, events: int, seconds: float, peak: float, summary: str) -> float:
    """The run's figures beside its floor; returns the run's own seconds."""
    own, reads, write, lines = floor(app)
    say(
        f"billing run: {contracts} contracts, {events} events: {seconds:.1f} s in its process ({own:.1f} s "
        f"from the run's start to its end), peak {peak:.0f} MB"
    )
    say(f"  {summary}")
    say(
        f"  floor: {reads + write:.2f} s (period reads {reads:.2f} s, writing its {lines:,} lines in one "
        f"statement {write:.2f} s); the run takes {own / (reads + write):.1f}x the floor"
    )
    return own


def main() -> None:
    parser = argparse.ArgumentParser(description="Ingestion and billing-run figures.")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "DAAS_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/daas_bench"
        ),
    )
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument(
        "--scale-to", type=int, default=0, help="time a second billing run with this many contracts"
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="profile the last billing run with pyinstrument into FILE"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="with --scale-to: run the scaled billing again with this many processes (1: do not)",
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=6, help="concurrent client connections")
    args = parser.parse_args()

    url = args.database_url
    say(f"database {make_url(url).render_as_string()}, {args.contracts} contracts, {os.cpu_count()} cores")
    fresh_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, env="testing")
    started = time.perf_counter()
    world = build(app, args.contracts)
    say(
        f"built {args.contracts} contracts and {args.contracts * DEVICES_PER_CONTRACT} deployed devices "
        f"in {time.perf_counter() - started:.1f} s"
    )

    events = events_for(world["contracts"])
    batches = [events[i : i + BATCH] for i in range(0, len(events), BATCH)]
    bodies = [json.dumps({"events": batch}).encode() for batch in batches]
    del events
    port = free_port()
    server = serve(url, port, args.workers)
    try:
        seconds, accepted = ingest(port, world["token"], bodies, args.clients)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    say(
        f"ingestion: {accepted} events in {seconds:.1f} s = {accepted / seconds:,.0f} events/s "
        f"(batches of {BATCH}, gunicorn {args.workers} workers, {args.clients} clients)"
    )
    floor_rate = insert_floor(url, batches, world["contracts"], world["metric_ids"], args.clients)
    del batches, bodies
    say(
        f"  its floor, the same batches inserted straight into the database ({args.clients} connections, "
        f"one multi-row INSERT ... ON CONFLICT DO NOTHING each): {floor_rate:,.0f} events/s; ingestion "
        f"runs at {accepted / seconds / floor_rate:.2f}x the floor"
    )

    seconds, peak, summary = bill(url, None if args.scale_to else args.profile)
    own = report_run(app, args.contracts, accepted, seconds, peak, summary)

    if args.scale_to:
        fresh_database(url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url}, env="testing")
        world = build(app, args.scale_to)
        copy_events(url, world["contracts"], world["metric_ids"])
        scaled, peak2, summary2 = bill(url, args.profile)
        scaled_own = report_run(
            app, args.scale_to, args.scale_to * EVENTS_PER_CONTRACT, scaled, peak2, summary2
        )
        say(f"  {args.scale_to / args.contracts:.0f}x the contracts took {scaled_own / own:.2f}x the time")
        if args.processes > 1:
            drop_drafts(url)
            shared, peak3, summary3 = bill(url, joiners=args.processes - 1)
            shared_own = report_run(
                app, args.scale_to, args.scale_to * EVENTS_PER_CONTRACT, shared, peak3, summary3
            )
            say(
                f"  {args.processes} processes: {shared_own:.1f} s against {scaled_own:.1f} s for one "
                f"({scaled_own / shared_own:.2f}x faster)"
            )


if __name__ == "__main__":
    main()

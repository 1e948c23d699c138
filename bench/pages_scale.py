"""How fast the portal and finance pages answer at a provider's size, through gunicorn on PostgreSQL.

    .venv/bin/python bench/pages_scale.py [--contracts 10000] [--clients 20] [--rounds 15]
                                          [--workers 4] [--database-url URL]

1. Builds N contracts (100 per customer, 5 devices each) and 100 October events per contract (COPY), as
   bench/billing.py does, in a fresh database whose name must contain "bench".
2. Bills October (`flask daas bill 2026-10`) and finalizes the first customer's 100 invoices, so its
   portal has issued invoices and finance sees a month of drafts; then ANALYZE, as autovacuum would.
3. Serves the app with gunicorn on loopback; `--clients` threads each sign in (a customer of the first
   customer, or finance, half and half) and ask for their audience's pages `--rounds` times, all at once.
4. Prints per page the requests, median and 95th-percentile time (target: p95 under 100 ms).

Prints figures; never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests
from sqlalchemy import create_engine, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from billing import ROOT, build, copy_events, free_port, serve
from common import PRODUCTION_ISSUER, fresh_database, say

from daas import create_app
from daas.auth.services import create_user
from daas.billing.models import Invoice
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases.invoices import finalize_invoice_and_collect

PASSWORD = "bench-pages-2026"
CUSTOMER_USER = "it@bench-customer.example"
FINANCE_USER = "finance@bench.example"


def _env(url: str) -> dict[str, str]:
    # Development settings: production's, but for cookies over plain HTTP on loopback (no TLS proxy here).
    # Twenty clients sign in from one address within a second: the sign-in limits are lifted.
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DAAS_ENV": "development",
        "DAAS_LOGIN_RATE_LIMIT": "10000 per minute",
        "DAAS_LOGIN_RATE_LIMIT_PER_ADDRESS": "10000 per minute",
        **PRODUCTION_ISSUER,
    }


def prepare(url: str, contracts: int) -> dict[str, list[str]]:
    """The data, the October run, the users; returns the pages of each user."""
    fresh_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, env="testing")
    started = time.perf_counter()
    world = build(app, contracts)
    copy_events(url, world["contracts"], world["metric_ids"])
    say(
        f"built {contracts:,} contracts and {contracts * 100:,} events "
        f"in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "daas", "bill", "2026-10"],
        cwd=ROOT,
        env=_env(url),
        check=True,
        capture_output=True,
    )
    first_contract, customer_id = world["contracts"][0]
    with app.app_context():
        settings = current_settings()
        drafts = db.session.scalars(
            select(Invoice.id).where(Invoice.customer_id == customer_id).order_by(Invoice.id)
        ).all()
        for invoice_id in drafts:
            finalize_invoice_and_collect(invoice_id, settings.documents, settings.collection)
        create_user(CUSTOMER_USER, "customer", customer_id, PASSWORD)
        create_user(FINANCE_USER, "finance", None, PASSWORD)
        run_id = db.session.scalar(text("SELECT max(id) FROM billing_runs"))
        db.session.commit()
    # The statistics autovacuum would have gathered by now: a bulk load leaves the planner guessing.
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    say(f"billed October and finalized {len(drafts)} invoices in {time.perf_counter() - started:.1f} s")
    return {
        CUSTOMER_USER: ["/portal", f"/portal/subscriptions/{first_contract}", "/portal/invoices"],
        FINANCE_USER: [
            "/finance",
            "/finance/billing-runs",
            f"/finance/billing-runs/{run_id}",
            "/finance/invoices",
        ],
    }


def sign_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', page)
    value = next(group for group in token.groups() if group)
    response = session.post(
        f"{base}/login",
        data={"csrf_token": value, "email": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as {email}: {response.status_code}")
    return session


def load(base: str, pages: dict[str, list[str]], clients: int, rounds: int) -> dict[str, list[float]]:
    """Every client signs in, then all ask for their pages `rounds` times at once; seconds per page."""
    users = list(pages)
    sessions = [(users[n % len(users)], sign_in(base, users[n % len(users)])) for n in range(clients)]
    timings: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()
    errors: list[str] = []
    go = threading.Barrier(clients)

    def client(user: str, session: requests.Session) -> None:
        go.wait()
        for _ in range(rounds):
            for path in pages[user]:
                start = time.perf_counter()
                response = session.get(f"{base}{path}", timeout=60)
                elapsed = time.perf_counter() - start
                if response.status_code != 200:
                    errors.append(f"{path}: {response.status_code}")
                with lock:
                    timings[path].append(elapsed)

    threads = [threading.Thread(target=client, args=pair) for pair in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, first: {errors[0]}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "DAAS_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/daas_bench_pages"
        ),
    )
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()
    pages = prepare(args.database_url, args.contracts)
    port = free_port()
    server = serve(args.database_url, port, args.workers, _env(args.database_url))
    try:
        base = f"http://127.0.0.1:{port}"
        load(base, pages, min(args.clients, 4), 1)  # warm each worker's caches and connections
        started = time.perf_counter()
        timings = load(base, pages, args.clients, args.rounds)
        seconds = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    total = sum(len(found) for found in timings.values())
    say(
        f"{args.contracts:,} contracts, {args.clients} clients, gunicorn {args.workers} workers, "
        f"{os.cpu_count()} cores: {total} pages in {seconds:.1f} s ({total / seconds:.1f} pages/s)"
    )
    for path, found in timings.items():
        found.sort()
        p95 = found[math.ceil(len(found) * 0.95) - 1] * 1000  # nearest rank
        say(
            f"  {path:<32} {len(found):4d} requests  "
            f"median {statistics.median(found) * 1000:7.1f} ms  p95 {p95:7.1f} ms"
        )


if __name__ == "__main__":
    main()

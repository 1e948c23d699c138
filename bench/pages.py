"""How fast the pages answer on the demo data: each audience's busiest pages, signed in, in-process.

    .venv/bin/python bench/pages.py [--database-url URL] [--requests 200]

Loads the demo on a fresh SQLite file (or the empty database --database-url names), signs in as each demo
user and asks for each page --requests times: pages per second, median and 95th-percentile time, and the
process's peak memory. Never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from daas import create_app
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases.demo import load_demo

PASSWORD = "daas-demo-2026"
PAGES = {
    "it@amsterdam-analytics.example": ["/portal", "/portal/subscriptions/1", "/portal/invoices"],
    "finance@daas.example": ["/finance", "/finance/billing-runs", "/finance/invoices", "/finance/job-runs"],
    "logistics@daas.example": ["/logistics", "/logistics/returns", "/logistics/calendar"],
    "admin@daas.example": ["/admin", "/admin/customers", "/admin/catalog"],
}


def sign_in(client, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', page)
    value = next(group for group in token.groups() if group)
    response = client.post("/login", data={"csrf_token": value, "email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='daas-bench-')) / 'pages.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, env="testing")
    with app.app_context():
        upgrade()
        load_demo(current_settings().billing_run)
        db.session.commit()
        db.session.remove()
    print(f"pages on {url.split('@')[-1]}, {args.requests} requests each")
    for email, urls in PAGES.items():
        client = app.test_client()
        sign_in(client, email)
        for path in urls:
            timings = []
            with click.progressbar(range(args.requests), label=f"{path:<28}", file=sys.stderr) as bar:
                for _ in bar:
                    start = time.perf_counter()
                    response = client.get(path)
                    timings.append(time.perf_counter() - start)
                    assert response.status_code == 200, (path, response.status_code)
            timings.sort()
            median, p95 = statistics.median(timings) * 1000, timings[int(len(timings) * 0.95) - 1] * 1000
            print(
                f"{path:<28} {len(timings) / sum(timings):7.1f} pages/s   "
                f"median {median:6.1f} ms   p95 {p95:6.1f} ms"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()

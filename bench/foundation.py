"""Figures for the foundation: demo load, catalog import, and API reads and writes, in-process.

    .venv/bin/python bench/foundation.py [--database-url URL] [--rows 5000] [--requests 500]

Prints seconds, rows or requests per second, and the process's peak memory. Runs on a fresh SQLite file
unless --database-url names another (empty) database. Never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import sys
import tempfile
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from daas import create_app
from daas.catalog.footprints import open_rows, read_rows
from daas.catalog.services import DEFAULT_CATALOG, import_footprints
from daas.core import clock
from daas.demo.people import demo_token
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases.demo import load_demo


def synthetic_footprints(rows: int) -> str:
    """`rows` footprint rows: the default catalog's rows again and again under new names."""
    source = list(csv.DictReader(DEFAULT_CATALOG.open(newline="")))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[f for f in source[0] if f != "sku"])
    writer.writeheader()
    for i in range(rows):
        row = {k: v for k, v in source[i % len(source)].items() if k != "sku"}
        row["name"] = f"{row['name']} bench {i}"
        writer.writerow(row)
    return out.getvalue()


def timed(label: str, count: int, unit: str, work) -> None:
    start = time.perf_counter()
    with click.progressbar(length=count, label=label, file=sys.stderr) as bar:
        work(bar)
    seconds = time.perf_counter() - start
    print(f"{label:<40} {count:>7} {unit:<9} {seconds:8.2f} s  {count / seconds:10.1f} {unit}/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="daas-bench-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, env="testing")
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")
    with app.app_context():
        upgrade()

        def demo(bar):
            load_demo(current_settings().billing_run)
            db.session.commit()
            bar.update(1)

        timed("demo data set (75 devices, usage)", 1, "loads", demo)

        text = synthetic_footprints(args.rows)

        def import_rows(bar):
            import_footprints(read_rows(open_rows(io.StringIO(text))), on_row=lambda: bar.update(1))
            db.session.commit()

        timed("catalog import (new models)", args.rows, "rows", import_rows)
        timed("catalog import again (unchanged)", args.rows, "rows", import_rows)

    client = app.test_client()
    headers = {"Authorization": f"Bearer {demo_token('logistics@daas.example')}"}

    def list_devices(bar):
        for _ in range(args.requests):
            assert client.get("/api/v1/devices?page_size=50", headers=headers).status_code == 200
            bar.update(1)

    def show_device(bar):
        for _ in range(args.requests):
            assert client.get("/api/v1/devices/DEMO-DELL-LAT-5430-001", headers=headers).status_code == 200
            bar.update(1)

    with app.app_context():
        contract_id = db.session.execute(db.text("SELECT min(id) FROM contracts")).scalar()

    def register_and_deploy(bar):
        for i in range(args.requests):
            serial = f"BENCH-{i:06d}"
            body = {"serial": serial, "sku": "DELL-LAT-5430", "on": clock.today().isoformat()}
            assert client.post("/api/v1/devices", json=body, headers=headers).status_code == 201
            deploy = {"serial": serial, "start_date": clock.today().isoformat()}
            response = client.post(f"/api/v1/contracts/{contract_id}/devices", json=deploy, headers=headers)
            assert response.status_code == 201, response.get_json()
            bar.update(1)

    timed("GET /devices (page of 50)", args.requests, "requests", list_devices)
    timed("GET /devices/<serial> (with custody)", args.requests, "requests", show_device)
    timed("POST /devices + deploy (2 requests)", args.requests, "devices", register_and_deploy)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS)                    {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()

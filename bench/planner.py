"""The daily refresh planner on the demo data: statements it sends and time it takes, in-process.

    .venv/bin/python bench/planner.py [--lead-days 400] [--rounds 20]

Loads the demo on a fresh SQLite file, then runs `plan_refresh_orders` (what the scheduler's refresh_plan
job runs) --rounds times with a lead time long enough that most deployed devices fall due: the first round
opens orders, the next ones find them open. Prints the statements per round and the time. Never part of
the test pass/fail.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import event, func, select

from daas import create_app
from daas.contracts.models import Deployment
from daas.core import clock
from daas.extensions import db
from daas.logistics.refresh import plan_refresh_orders
from daas.logistics.rules import UpgradePolicy
from daas.settings import current_settings
from daas.usecases.demo import load_demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lead-days", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='daas-bench-')) / 'planner.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, env="testing")
    with app.app_context():
        upgrade()
        load_demo(current_settings().billing_run)
        db.session.commit()
        deployed = db.session.scalar(select(func.count()).where(Deployment.end_date.is_(None)))
        statements = [0]
        event.listen(
            db.engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1)
        )
        timings, counts, opened = [], [], []
        for _ in range(args.rounds):
            statements[0] = 0
            start = time.perf_counter()
            report = plan_refresh_orders(clock.today(), args.lead_days, UpgradePolicy())
            db.session.commit()
            timings.append(time.perf_counter() - start)
            counts.append(statements[0])
            opened.append(len(report.refresh_orders))
    print(f"{deployed} deployed devices, lead time {args.lead_days} days")
    print(f"first round: {opened[0]} orders opened, {counts[0]} statements, {timings[0] * 1000:.1f} ms")
    print(
        f"later rounds (nothing new): {statistics.median(counts[1:]):.0f} statements, "
        f"median {statistics.median(timings[1:]) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()

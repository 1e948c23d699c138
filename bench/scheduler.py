"""The scheduler's cost and punctuality, on PostgreSQL (or any configured database).

    .venv/bin/python bench/scheduler.py [--claims 2000] [--seconds 30] [--schedulers 2] [--database-url URL]

1. Claims: a runner in this process goes through --claims due times of a job that does nothing, one second
   apart (time driven, not waited for), each decided, claimed, run and recorded: what the scheduler adds to
   every run of a job. Then a second runner asks for the same due times again (all already taken).
2. Punctuality: --schedulers real `flask daas scheduler` processes run `payment_retries` due every second
   for --seconds: how long after its due time each run started (median, 95th percentile, worst), how many
   due times ran twice (must be 0) or not at all, each process's peak memory (VmHWM) and how long it takes
   to stop on SIGTERM.

The database named by --database-url is dropped and created again; its name must contain "bench".
Prints figures; never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import PRODUCTION_ISSUER, fresh_database, say
from flask_migrate import upgrade

from config.jobs import JOBS, ScheduledJob
from daas import create_app
from daas.core import clock
from daas.core.jobs import JobContext
from daas.extensions import db
from daas.jobs.runner import Runner
from daas.scheduler.registry import load_jobs, schedule_setting
from daas.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def noop_job(_context: JobContext) -> dict:
    return {}


def measure_claims(app, count: int) -> None:
    config = {**app.config, "DAAS_SCHEDULE_NOOP": "* * * * * *", "DAAS_GRACE_NOOP": 60}
    jobs = load_jobs(config, [ScheduledJob("noop", "__main__:noop_job", "Does nothing.")])
    lease, late = timedelta(seconds=60), timedelta(seconds=60)
    first = Runner(app, jobs, "bench-a", lease=lease, late=late, settings=Settings.from_config(config))
    second = Runner(app, jobs, "bench-b", lease=lease, late=late, settings=Settings.from_config(config))
    start = datetime(2026, 12, 1, tzinfo=UTC)
    moments = [start + timedelta(seconds=n, milliseconds=100) for n in range(count)]

    def pass_over(runner: Runner) -> tuple[float, int]:
        began, ran = time.perf_counter(), 0
        for n, moment in enumerate(moments, 1):
            with clock.frozen(moment):
                ran += runner.run_due("noop") is not None
            if n % 500 == 0:
                say(f"  {runner.owner}: {n:,} / {count:,} due times")
        return time.perf_counter() - began, ran

    seconds, ran = pass_over(first)
    say(
        f"claims: {ran:,} due times decided, claimed, run and recorded in {seconds:.2f} s: "
        f"{ran / seconds:,.0f} runs/s ({seconds / count * 1000:.2f} ms a run)"
    )
    seconds, ran = pass_over(second)
    say(
        f"claims: the same {count:,} due times asked again by another scheduler: {ran} run, "
        f"{count / seconds:,.0f} decisions/s ({seconds / count * 1000:.2f} ms each)"
    )


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_punctuality(app, url: str, schedulers: int, seconds: int) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DAAS_ENV": "production",
        "SECRET_KEY": "bench",
        **PRODUCTION_ISSUER,
        **{schedule_setting(job.name): "off" for job in JOBS},
        "DAAS_SCHEDULE_PAYMENT_RETRIES": "* * * * * *",
        "DAAS_GRACE_PAYMENT_RETRIES": "60",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "daas", "scheduler"]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(schedulers)
    ]
    began = datetime.now(UTC)
    for elapsed in range(seconds):
        time.sleep(1)
        if (elapsed + 1) % 10 == 0:
            say(f"  {elapsed + 1} / {seconds} s")
    peaks = [peak_mb(process.pid) for process in processes]
    stops = []
    for process in processes:
        stopping = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        stops.append(time.perf_counter() - stopping)
    with app.app_context():
        rows = db.session.execute(
            text(
                "SELECT due_at, started_at, owner FROM job_runs"
                " WHERE job = 'payment_retries' AND due_at > :began"
            ),
            {"began": began + timedelta(seconds=1)},
        ).all()
    lateness = sorted((started - due).total_seconds() * 1000 for due, started, _ in rows)
    dues = sorted(due for due, _, _ in rows)
    expected = int((dues[-1] - dues[0]).total_seconds()) + 1 if dues else 0
    per_owner = Counter(owner for _, _, owner in rows)
    say(
        f"punctuality: {len(rows)} due times over {seconds} s with {schedulers} schedulers "
        f"(runs per scheduler: {sorted(per_owner.values())})"
    )
    say(
        f"  started after the due time: median {statistics.median(lateness):.0f} ms, "
        f"95th percentile {lateness[int(len(lateness) * 0.95) - 1]:.0f} ms, worst {lateness[-1]:.0f} ms"
    )
    say(f"  due times run twice: {len(dues) - len(set(dues))}; not run: {expected - len(set(dues))}")
    say(
        f"  peak memory per scheduler: {', '.join(f'{peak:.0f} MB' for peak in peaks)}; "
        f"stop on SIGTERM: {', '.join(f'{stop:.2f} s' for stop in stops)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--schedulers", type=int, default=2)
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/daas_bench_scheduler"
    )
    args = parser.parse_args()
    fresh_database(args.database_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url}, env="testing")
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    say(f"scheduler bench on {args.database_url}")
    measure_claims(app, args.claims)
    measure_punctuality(app, args.database_url, args.schedulers, args.seconds)


if __name__ == "__main__":
    main()

"""`flask --app wsgi daas scheduler [--list]`: the scheduler process, or the jobs it would run."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

import click
from flask import current_app

from daas.jobs.process import serve
from daas.jobs.runner import moment, span
from daas.scheduler.registry import grace_setting, job_settings, load_jobs, schedule_setting
from daas.scheduler.schedule import ScheduleError, next_due, parse_schedule
from daas.settings import current_settings


@click.command("scheduler")
@click.option("--list", "list_only", is_flag=True, help="Print the jobs, their schedules and next due times.")
def scheduler_command(list_only: bool) -> None:
    """Run the scheduled jobs at their due times until SIGTERM (any number of these may run at once)."""
    config = current_app.config
    try:
        jobs = load_jobs(config)
        settings = job_settings(config)
    except ScheduleError as exc:
        raise click.UsageError(str(exc)) from exc
    if list_only:
        now = datetime.now(UTC)
        for setting in settings:
            name = setting.declared.name
            if setting.off_because:
                click.echo(f"{name:<20} off ({setting.off_because})")
                continue
            upcoming = next_due(parse_schedule(setting.schedule, schedule_setting(name)), now)
            click.echo(
                f"{name:<20} {setting.schedule:<16} next due {moment(upcoming) if upcoming else 'never'}, "
                f"grace {span(setting.grace)} ({grace_setting(name)})"
            )
        return
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    sys.exit(serve(current_app._get_current_object(), jobs, current_settings()))  # type: ignore[attr-defined]

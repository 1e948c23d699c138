"""`flask daas notifications deliver`: one delivery pass by hand (what the scheduler's thread does every
sweep); `flask daas notifications notices [--on DATE]`: the daily notices round by hand (the `notices`
job)."""

from __future__ import annotations

import os
import socket

import click

from daas.core import clock
from daas.settings import current_settings
from daas.usecases.notices import record_notices
from daas.usecases.notifications import deliver_notifications

notifications_group = click.Group("notifications", help="E-mails and webhooks from the outbox.")


@notifications_group.command("deliver")
def deliver_command() -> None:
    """Fan out new events and send every e-mail and webhook delivery that is due, until none is."""
    owner = f"cli:{socket.gethostname()}:{os.getpid()}"[:120]
    report = deliver_notifications(owner, current_settings().notifications)
    click.echo(", ".join(f"{name}: {count}" for name, count in report.as_counts().items()))


@notifications_group.command("notices")
@click.option("--on", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day to run for (default today).")
def notices_command(on) -> None:
    """Record the reminders of overdue invoices and the notices of contracts nearing their end that are
    due on the day (each once), and print how many."""
    report = record_notices(on.date() if on else clock.today(), current_settings().notifications)
    click.echo(", ".join(f"{name}: {count}" for name, count in report.counts().items()))

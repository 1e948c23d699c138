"""`flask daas notifications deliver`: one delivery pass by hand (what the scheduler's thread does every
sweep)."""

from __future__ import annotations

import os
import socket

import click

from daas.settings import current_settings
from daas.usecases.notifications import deliver_notifications

notifications_group = click.Group("notifications", help="E-mails and webhooks from the outbox.")


@notifications_group.command("deliver")
def deliver_command() -> None:
    """Fan out new events and send every e-mail and webhook delivery that is due, until none is."""
    owner = f"cli:{socket.gethostname()}:{os.getpid()}"[:120]
    report = deliver_notifications(owner, current_settings().notifications)
    click.echo(", ".join(f"{name}: {count}" for name, count in report.as_counts().items()))

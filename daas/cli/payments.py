"""`flask daas payments collect`: one round of the payments job, by hand."""

from __future__ import annotations

import click

from daas.settings import current_settings
from daas.usecases.payments import run_payment_round

payments_group = click.Group("payments", help="Card collection, retries and refunds.")


@payments_group.command("collect")
def collect_command() -> None:
    """Process waiting webhooks, finish unclear attempts and refunds, and collect what is due."""
    settings = current_settings()
    counts = run_payment_round(settings.collection, settings.webhook_retries)
    click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))

"""`flask daas orders allocate`: hold stock for approved and backordered orders, first come first served."""

from __future__ import annotations

import click

from daas.usecases.orders import allocate_backorders

orders_group = click.Group("orders", help="Orders: allocation of devices in stock.")
ACTOR = "cli"


@orders_group.command("allocate")
def allocate_command() -> None:
    """Allocate devices to every approved and backordered order, oldest first, and print what happened."""
    report = allocate_backorders(ACTOR)
    counts = report.counts()
    click.echo("Allocation: " + ", ".join(f"{name}: {count}" for name, count in counts.items()))
    for order_id, message in report.failed:
        click.echo(f"order {order_id}: {message}", err=True)

"""`flask daas contracts renew [--as-of DATE]`: renew the contracts that reach their end date."""

from __future__ import annotations

import click

from daas.core import clock
from daas.usecases.contracts import renew_due_contracts

contracts_group = click.Group("contracts", help="Contracts: auto-renewal.")
ACTOR = "cli"


@contracts_group.command("renew")
@click.option(
    "--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day to renew for (default today)."
)
def renew_command(as_of) -> None:
    """Renew every contract with renews on (or turned off too late) that is on its last day, and print it."""
    today = as_of.date() if as_of else clock.today()
    report = renew_due_contracts(today, ACTOR)
    click.echo("Renewal: " + ", ".join(f"{name}: {count}" for name, count in report.counts().items()))
    for contract_id, end_date in report.renewed:
        click.echo(f"contract {contract_id}: renewed to {end_date}")
    for contract_id, message in report.failed:
        click.echo(f"contract {contract_id}: {message}", err=True)

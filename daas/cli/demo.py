"""`flask daas demo`: load the demo data set and print how to sign in."""

from __future__ import annotations

import click

from daas.demo.data import DEMO_PASSWORD
from daas.settings import current_settings
from daas.usecases.demo import load_demo


@click.command("demo")
@click.option("--force", is_flag=True, help="Load even in production (it creates well-known tokens).")
def demo_command(force: bool) -> None:
    """Load the demo data set (idempotent: loading again adds nothing)."""
    if current_settings().env == "production" and not force:
        raise click.ClickException("The demo creates users with well-known tokens; refusing in production.")
    report = load_demo(current_settings().billing_run)
    created = ", ".join(f"{n} {kind}" for kind, n in report.created.items() if n) or "nothing new"
    click.echo(f"Demo data loaded: {created}.")
    click.echo(f"Demo users (password for each: {DEMO_PASSWORD}) and their API tokens:")
    for email, role, token in report.logins:
        click.echo(f"  {role:<9} {email:<34} {token}")

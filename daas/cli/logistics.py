"""`flask daas refresh plan [--as-of DATE]`: open the refresh and end-of-term orders that fall due."""

from __future__ import annotations

from datetime import date

import click

from daas.core import clock
from daas.settings import current_settings
from daas.usecases.logistics import plan_refreshes

refresh_group = click.Group("refresh", help="Device refresh and end-of-term returns.")
ACTOR = "planner"


@refresh_group.command("plan")
@click.option(
    "--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Plan as of this day (default today)."
)
def plan_command(as_of: object) -> None:
    """Open a refresh order for each device due within the lead time, and end-of-term return orders."""
    day: date = as_of.date() if as_of else clock.today()  # type: ignore[attr-defined]
    settings = current_settings()
    report = plan_refreshes(
        day, settings.refresh_lead_days, settings.upgrade, settings.booking_window_days, ACTOR
    )
    counts = {
        "refresh_orders": len(report.refresh_orders),
        "end_of_term_orders": len(report.end_of_term_orders),
        "skipped": len(report.skipped),
    }
    click.echo(f"Refresh plan as of {day}: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))

"""`flask daas impact report`, `close` and `grid-factors import`: the portfolio report, closing months, and
a new version of the grid factors from a CSV file."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import TextIO

import click

from daas.core import clock
from daas.core.errors import DomainError
from daas.core.periods import Period
from daas.impact.export import report_csv
from daas.impact.grid_factor_csv import factors_from_csv
from daas.impact.grid_factor_sets import years_of
from daas.impact.ledger import periods_to_close
from daas.impact.statements import portfolio_report
from daas.schemas.impact import ReportSchema
from daas.usecases.impact import close_impact_months, create_grid_factor_set

impact_group = click.Group("impact", help="Avoided IT waste: the portfolio report and the ledger.")
DAY = click.DateTime(formats=["%Y-%m-%d"])
ACTOR = "cli"


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


@impact_group.command("report")
@click.option("--from", "start", type=DAY, help="From the 1st of this day's month (default: the beginning).")
@click.option("--to", "end", type=DAY, help="Through the end of this day's month (default: today).")
@click.option("--format", "output", type=click.Choice(["json", "csv"]), default="json", show_default=True)
def report_command(start: datetime | None, end: datetime | None, output: str) -> None:
    """Every subscription's figures by customer, their total, and the provider's residual."""
    if start and end and end < start:
        raise click.BadParameter("must be on or after --from", param_hint="--to")
    report = portfolio_report(_day(start), _day(end), clock.today())
    if output == "csv":
        click.echo(report_csv(report), nl=False)
    else:
        click.echo(json.dumps(ReportSchema().dump(report), indent=2))


@impact_group.command("close")
@click.argument("period", required=False)
def close_command(period: str | None) -> None:
    """Close every month not yet closed through PERIOD (YYYY-MM; default: last month), appending its
    ledger rows. Months already closed are left as they are."""
    today = clock.today()
    try:
        through = Period.parse(period) if period else Period.containing(today).previous()
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="PERIOD") from error
    months = periods_to_close(through)
    if not months:
        click.echo(f"Nothing to close: the ledger is closed through {through}.")
        return
    try:
        with click.progressbar(length=len(months), label="Closing months", file=sys.stderr) as bar:
            reports = close_impact_months(through, today, on_closed=lambda _report: bar.update(1))
    except DomainError as error:
        raise click.ClickException(error.message) from error
    for report in reports:
        state = "already closed" if report.already_closed else f"{report.rows} rows, {report.devices} devices"
        click.echo(f"{report.period}: {state}")


@impact_group.group("grid-factors")
def grid_factors_group() -> None:
    """The location-based grid factors (kg CO2e per kWh by country and year) reports use."""


@grid_factors_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--note", help="Why this version (shown beside it).")
def import_grid_factors_command(file: TextIO, note: str | None) -> None:
    """Store FILE as a new version of the grid factors, replacing the whole table. FILE is a CSV with the
    columns country, year, kg_per_kwh, source, source_version and url (the url is not stored)."""
    try:
        grid_set = create_grid_factor_set(factors_from_csv(file.read()), note, ACTOR)
    except DomainError as error:
        details = "; ".join(f"{field}: {', '.join(messages)}" for field, messages in error.errors.items())
        raise click.ClickException(f"{error.message} ({details})" if details else error.message) from error
    years = years_of(grid_set)
    click.echo(
        f"Grid factors version {grid_set.version}: {len(grid_set.factors)} countries, {years[0]}-{years[-1]}."
    )

"""`flask daas bill PERIOD [--finalize]`: a billing run with a progress bar and a summary; `--join`: a
second process working on the period's running billing run, to shorten it."""

from __future__ import annotations

import sys

import click

from daas.billing.models import BillingRun
from daas.core.errors import Invalid
from daas.core.periods import Period
from daas.payments.collection import CollectionReport
from daas.settings import Settings, current_settings
from daas.usecases.billing import finalize_period_and_collect, join_billing_run, run_billing_period


def summary(run: BillingRun) -> list[str]:
    """What the run did, as the command prints it: counts, the run it completes, the contracts it skipped."""
    failed = run.failed_contracts
    lines = [
        f"Billing run {run.id} for {run.period} {run.status.replace('_', ' ')}: {run.contracts} contracts, "
        f"{run.invoices_created} invoices created, {run.invoices_updated} drafts recomputed, "
        f"{run.invoices_finalized} finalized" + (f", {len(failed)} could not be billed." if failed else ".")
    ]
    if run.completes_run_id is not None:
        lines.append(f"It completes billing run {run.completes_run_id}, which was interrupted.")
    lines += [f"Contract {failure.contract_id} was skipped: {failure.error}" for failure in failed]
    return lines


@click.command("bill")
@click.argument("period")
@click.option("--finalize", is_flag=True, help="Finalize the drafts after the run (numbers, due dates).")
@click.option(
    "--join",
    is_flag=True,
    help="Work on the period's running billing run beside the process that started it, to shorten it.",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="With --join: how many seconds to wait for a running billing run of PERIOD.",
)
def bill_command(period: str, finalize: bool, join: bool, wait: float) -> None:
    """Bill PERIOD (YYYY-MM): a draft invoice per contract active in it; safe to run again."""
    try:
        billing_period = Period.parse(period)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="PERIOD") from exc
    settings = current_settings()
    if join:
        if finalize:
            raise click.BadParameter(
                "--join works on a running run; its own process finalizes.", param_hint="--finalize"
            )
        _join(billing_period, settings, wait)
        return
    bar: click.progressbar | None = None

    def start(total: int) -> None:
        nonlocal bar
        bar = click.progressbar(length=total, label=f"Billing {billing_period}", file=sys.stderr)
        bar.__enter__()

    def progress(done: int) -> None:
        if bar is not None:
            bar.update(done)

    report: CollectionReport | None = None
    try:
        if finalize:
            billed = finalize_period_and_collect(
                billing_period,
                "cli",
                settings.billing_run,
                settings.collection,
                on_start=start,
                on_progress=progress,
            )
            run, report = billed.run, billed.collection
        else:
            run = run_billing_period(
                billing_period, "cli", settings.billing_run, on_start=start, on_progress=progress
            )
    except Invalid as error:
        raise click.BadParameter(error.message, param_hint="PERIOD") from error
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for line in summary(run):
        click.echo(line)
    if report is not None and settings.collection.stripe.enabled:
        click.echo(
            f"Card collection: {report.succeeded} paid, {report.failed} failed, {report.unclear} unclear."
        )


def _join(period: Period, settings: Settings, wait: float) -> None:
    joined = join_billing_run(period, settings.billing_run, wait_seconds=wait)
    if joined is None:
        raise click.ClickException(f"No billing run of {period} was running with contracts left to bill.")
    click.echo(f"Wrote the drafts of {joined.contracts_written} contracts of billing run {joined.run_id}.")

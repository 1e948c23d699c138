"""Billing-run workflows: bill a period, finalize what a run or a period billed, and collect it by card.

A billing run commits as it goes, and only here: its row first (finance sees the run while it works, and a
run that dies leaves it behind for the next run to complete), then each chunk of drafts and each chunk of
finalized invoices, so that a run killed part-way keeps its finished chunks and the next run of the period
recomputes the rest. When it is stopped or fails, the chunk it was in is rolled back and how it ended is
committed on its row. Card collection starts from committed invoices, like every call to Stripe.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from daas.billing import run as billing_run
from daas.billing.invoices import check_period_reviewed, finalize_run_chunks, run_invoices
from daas.billing.models import BillingRun
from daas.billing.run import PeriodBilling, RunSettings
from daas.core.jobs import JobStopped
from daas.core.periods import Period
from daas.payments import collection
from daas.payments.collection import CollectionPolicy, CollectionReport
from daas.usecases.payments import collect_invoices
from daas.usecases.transaction import commit, roll_back, use_case


@dataclass(frozen=True)
class PeriodCollected:
    """A period billed and finalized, and what card collection made of its invoices."""

    run: BillingRun
    collection: CollectionReport


def _bill(
    period: Period,
    actor: str,
    settings: RunSettings,
    *,
    finalize: bool,
    sole_runner: bool,
    on_created: Callable[[int], None] | None,
    on_start: Callable[[int], None] | None,
    on_progress: Callable[[int], None] | None,
) -> BillingRun:
    if sole_runner:
        billing_run.close_dead_runs(period, actor)
        commit()
    run = billing_run.open_run(period, actor, settings.stale_after)
    commit()
    if on_created:
        on_created(run.id)
    work = PeriodBilling(run, period, settings)
    try:
        work.plan()
        commit()
        if on_start:
            on_start(run.contracts)
        _write_chunks(work, settings, on_progress, wait=True)
        if finalize:
            for _finalized in work.finalize_chunks():
                commit()
        work.finish()
        commit()
    except JobStopped as stopped:
        roll_back()
        billing_run.mark_stopped(run.id, period, stopped)
        commit()
        raise
    except Exception as error:
        roll_back()
        billing_run.mark_failed(run.id, error)
        commit()
        raise
    return run


# How long a run's process waits before looking again when the chunks left are in other processes' hands,
# and a joining process before looking again for a run to join.
WAIT_SECONDS = 0.2


def _write_chunks(
    work: PeriodBilling, settings: RunSettings, on_progress: Callable[[int], None] | None, *, wait: bool
) -> None:
    """Commit each chunk a process writes (the run's own process waits for the others' with `wait`),
    report progress, and pause: a moment while others hold the chunks left, else the throttle."""
    for done in work.chunks(wait=wait):
        commit()
        if on_progress:
            on_progress(done)
        if not done:
            time.sleep(WAIT_SECONDS)
        elif settings.throttle_ms:
            time.sleep(settings.throttle_ms / 1000)


@dataclass(frozen=True)
class JoinedRun:
    """What a process that joined a billing run did: the run, and how many of its contracts it wrote."""

    run_id: int
    contracts_written: int


@use_case
def join_billing_run(
    period: Period | None,
    settings: RunSettings,
    *,
    wait_seconds: float = 60,
    on_progress: Callable[[int], None] | None = None,
) -> JoinedRun | None:
    """Work on the running billing run of `period` (None: of any period) beside the process that opened
    it: write the drafts of the chunks no other process holds, a chunk per transaction, until none is
    free. Waits up to `wait_seconds` for such a run to appear (None if none did). The run's own process
    waits for the chunks this one holds and finishes the run; if this process dies, its chunk goes to
    another. `on_progress(contracts)` after each committed chunk with the contracts the run did since (by
    any process); it may raise JobStopped to stop after that chunk."""
    deadline = time.monotonic() + wait_seconds
    while (run := billing_run.running_run(period)) is None:
        commit()
        if time.monotonic() >= deadline:
            return None
        time.sleep(WAIT_SECONDS)
    work = PeriodBilling(run, Period.parse(run.period), settings, owner=False)
    _write_chunks(work, settings, on_progress, wait=False)
    return JoinedRun(run.id, work.written)


@use_case
def run_billing_period(
    period: Period,
    actor: str,
    settings: RunSettings,
    *,
    sole_runner: bool = False,
    on_created: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> BillingRun:
    """Bill a period that has ended: create or recompute a draft invoice per contract (finalized invoices
    are left alone), a chunk per transaction. Contracts that cannot be billed are recorded on the run and
    skipped; the run ends completed or completed_with_errors, interrupted when stopped (JobStopped), or
    failed, and the error goes on to the caller.

    `sole_runner`: `actor` runs one billing at a time (a scheduled job), so its runs still `running` are
    dead and are closed first. `on_created(run_id)` is called once the run's row is committed, before any
    work (a page that runs billing in the background learns there which run to show); `on_start(contracts)`
    once the period is measured; `on_progress(contracts_done)` after each committed chunk, where a job
    checks whether it is asked to stop."""
    return _bill(
        period,
        actor,
        settings,
        finalize=False,
        sole_runner=sole_runner,
        on_created=on_created,
        on_start=on_start,
        on_progress=on_progress,
    )


def _collect(invoice_ids: list[int], policy: CollectionPolicy) -> CollectionReport:
    """Collect by card, from committed invoices, those of `invoice_ids` that are due now."""
    commit()
    return collect_invoices(invoice_ids, policy)


def _schedule_and_collect(run_id: int, policy: CollectionPolicy) -> CollectionReport:
    """Invoices a run finalized with something due: by card now where the customer has one (else they
    wait for a bank transfer), committed, then charged."""
    collection.schedule_run_collection(run_id, policy.stripe)
    return _collect([invoice.id for invoice in run_invoices(run_id)], policy)


@use_case
def finalize_period_and_collect(
    period: Period,
    actor: str,
    settings: RunSettings,
    policy: CollectionPolicy,
    *,
    reviewed_first: bool = False,
    sole_runner: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> PeriodCollected:
    """Bill a period again (late usage, VAT changes) and finalize its drafts in the same run, a chunk per
    transaction, then collect its invoices by card. The drafts of contracts the run could not bill are
    left as they are, for finance to look at.

    `reviewed_first`: refuse (Conflict) a period no run completed before, whose drafts finance never saw:
    finalizing on a schedule without that review would bill blind. `sole_runner` and the callbacks are
    those of `run_billing_period`."""
    if reviewed_first:
        check_period_reviewed(period)
    run = _bill(
        period,
        actor,
        settings,
        finalize=True,
        sole_runner=sole_runner,
        on_created=None,
        on_start=on_start,
        on_progress=on_progress,
    )
    return PeriodCollected(run, _schedule_and_collect(run.id, policy))


@use_case
def finalize_run_and_collect(run_id: int, settings: RunSettings, policy: CollectionPolicy) -> int:
    """Finalize the drafts a completed billing run computed (gapless numbers, due dates from payment
    terms), a chunk per transaction, counted on the run; then collect them by card. Refused (Conflict)
    for a run that has not completed or whose drafts a later run of the period recomputed, naming the run
    that owns them; NotFound for an unknown run. Returns how many were finalized."""
    finalized = 0
    for done in finalize_run_chunks(run_id, settings.documents, settings.chunk_size):
        finalized += done
        commit()
    _schedule_and_collect(run_id, policy)
    return finalized

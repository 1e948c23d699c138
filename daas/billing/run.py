"""The monthly billing run: one draft invoice per contract active in the period, computed set-based.

The run lists the contracts the period bills and splits them into chunks of contract ids
(`run_chunks`). A chunk is read in a handful of queries (`measure`), its contracts rated in memory
(`run_compute`, with `rating` and `tax`) and its invoices written in bulk (`run_write`), in one
transaction that its use case commits: memory stays that of a chunk however many contracts there are,
and a run killed part-way keeps its finished chunks; the next run recomputes the rest, ending with the
invoices an uninterrupted run gives. Any number of processes work one run's chunks (`PeriodBilling`,
joined by `running_run`); the one that opened the run waits for the others and finishes it. Running
again recomputes drafts and leaves finalized invoices alone. Two runs of one period at once meet at the
unique (contract, period) key and at row locks on the chunk's invoices, so each contract gets one invoice.

No contract's data stops the run for the others: a contract whose usage cannot be read, that cannot be
rated, or whose invoice cannot be written is recorded with the reason (`billing_run_errors`) and skipped,
and the run ends `completed_with_errors`. A run renews its lease after every chunk; one whose lease ran
out lost its process, and the next run of the period marks it `interrupted` and says it completes it.

Like every domain, this module never commits: `daas.usecases.billing` decides when a step is durable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import aliased

from daas.billing import measure
from daas.billing.invoices import finalize_period_chunks
from daas.billing.issuing import DocumentSettings
from daas.billing.models import BillingRun, BillingRunChunk
from daas.billing.run_chunks import (
    chunks_left,
    claim_chunk,
    failed_contracts,
    mark_written,
    plan_chunks,
    this_worker,
)
from daas.billing.run_compute import Measurements, compute_chunk, contracts_to_bill
from daas.billing.run_states import FAILED, INTERRUPTED, RUNNING, ended_status
from daas.billing.run_write import record_failures, write_isolating
from daas.core import clock
from daas.core.errors import Invalid
from daas.core.periods import Period
from daas.extensions import db


def check_period_ended(period: Period, today: date) -> None:
    """Only a month that has ended can be billed: its usage and device-days are known. (The billing runs
    page previews the current month as an estimate.)"""
    if period.end > today:
        raise Invalid.field(
            "period", f"{period} has not ended yet: it can be billed from {period.end.isoformat()}."
        )


def _beat(run: BillingRun, stale_after: timedelta) -> None:
    """The heartbeat: this run's process is alive, so it is running (even if another run marked it
    interrupted while it was slow) and holds its lease a while longer."""
    now = clock.now()
    run.status, run.heartbeat_at, run.lease_until = RUNNING, now, now + stale_after


def _take_over_interrupted(run: BillingRun, period: Period) -> None:
    """Mark the period's runs whose lease ran out as interrupted, and record on `run` the latest
    interrupted run that no run completes yet: `run` recomputes every contract, so it completes it."""
    now = clock.now()
    db.session.execute(
        update(BillingRun)
        .where(
            BillingRun.period == period.name,
            BillingRun.status == RUNNING,
            BillingRun.lease_until < now,
            BillingRun.id != run.id,
        )
        .values(
            status=INTERRUPTED,
            finished_at=func.coalesce(BillingRun.heartbeat_at, BillingRun.started_at),
            error=(
                "Interrupted: its process stopped (no heartbeat in time); "
                f"billing run {run.id} of {period} completes it."
            ),
        )
    )
    later = aliased(BillingRun)
    run.completes_run_id = db.session.scalar(
        select(func.max(BillingRun.id)).where(
            BillingRun.period == period.name,
            BillingRun.status == INTERRUPTED,
            BillingRun.id < run.id,
            ~exists().where(
                later.period == BillingRun.period,
                later.id != run.id,
                later.completes_run_id >= BillingRun.id,
            ),
        )
    )


def close_dead_runs(period: Period, actor: str) -> int:
    """Runs of `period` by `actor` left running by a process that died, for an actor of which only one
    run can be alive at a time (a scheduled job: one scheduler holds its lease): any such row is dead,
    whatever its own lease says. They are closed as interrupted, and the next run records that it
    completes them. Returns how many."""
    return db.session.execute(
        update(BillingRun)
        .where(BillingRun.period == period.name, BillingRun.actor == actor, BillingRun.status == RUNNING)
        .values(
            status=INTERRUPTED,
            error="Interrupted: the scheduler running it stopped; a later run of this period carries on.",
            finished_at=clock.now(),
        )
    ).rowcount


def open_run(period: Period, actor: str, stale_after: timedelta) -> BillingRun:
    """A new run of a period that has ended, holding its lease for `stale_after`; the period's runs whose
    lease ran out are marked interrupted, and the new run records the one it completes. The caller
    commits it before any work: finance sees the run while it works, and a run that dies leaves it."""
    check_period_ended(period, clock.today())
    run = BillingRun(period=period.name, status=RUNNING, actor=actor)
    _beat(run, stale_after)
    db.session.add(run)
    db.session.flush()
    _take_over_interrupted(run, period)
    return run


@dataclass(frozen=True)
class RunSettings:
    """How this installation runs billing: the issuer (its country decides VAT; it issues the documents),
    chunk size, throttle, heartbeat."""

    documents: DocumentSettings
    chunk_size: int = 1000
    throttle_ms: int = 0
    stale_after: timedelta = timedelta(seconds=600)

    @property
    def issuer_country(self) -> str:
        return self.documents.issuer.country


class PeriodBilling:
    """The work of one process on a run of its period, a step at a time: list the contracts the period
    bills and split them into the run's chunks (`plan`, by the process that opened the run), write the
    drafts of a chunk at a time (`chunks`, by that process and any that join it), finalize them a chunk at
    a time, finish. Each step renews the run's lease and flushes; the caller commits after each (that is
    what makes a run resumable: a run killed part-way keeps its finished chunks). Contracts that cannot be
    billed are recorded on the run and skipped."""

    def __init__(self, run: BillingRun, period: Period, settings: RunSettings, *, owner: bool = True) -> None:
        self.run = run
        self.period = period
        self.settings = settings
        self.owner = owner  # the process that opened the run: it plans, waits for the others, finishes
        self.worker = this_worker()
        self.written = 0  # contracts this process wrote
        self._seen = run.processed or 0  # the run's processed contracts at the last step

    def plan(self) -> int:
        """List the contracts the period bills and split them into the run's chunks. Returns how many
        contracts it bills."""
        contract_ids = contracts_to_bill(self.period)
        plan_chunks(self.run.id, contract_ids, self.settings.chunk_size)
        self.run.contracts = len(contract_ids)
        _beat(self.run, self.settings.stale_after)
        return self.run.contracts

    def chunks(self, *, wait: bool = True) -> Iterator[int]:
        """Create or recompute the drafts of the chunks no other process holds, a chunk per step,
        yielding after each how many contracts the run did since the last step (by any of its processes).
        With `wait`, while the chunks left are all in other processes' hands, yield 0 (the caller commits
        and waits a moment) until they are written, or released by a process that died: the run ends
        with every chunk written. Without it, end when no chunk is free."""
        plans = measure.plans()
        while True:
            chunk = claim_chunk(self.run.id)
            if chunk is not None:
                self._work(chunk, plans)
            elif not (wait and chunks_left(self.run.id)):
                return
            if self.owner:
                _beat(self.run, self.settings.stale_after)
            db.session.flush()
            processed = self.run.processed
            yield processed - self._seen
            self._seen = processed

    def _work(self, chunk: BillingRunChunk, plans: dict[int, measure.PlanTerms]) -> None:
        """Bill the chunk's contracts, record those that could not be, mark the chunk written and count
        it on the run (by increments, as other processes count theirs)."""
        measured = Measurements(self.period, (chunk.first_contract_id, chunk.last_contract_id), plans)
        computed, failed = compute_chunk(measured, measured.contracts, self.settings.issuer_country)
        created, updated, write_failed = write_isolating(self.period, self.run.id, computed)
        failed.update(write_failed)
        record_failures(self.run.id, failed)
        mark_written(chunk, self.worker)
        now = clock.now()
        db.session.execute(
            update(BillingRun)
            .where(BillingRun.id == self.run.id)
            .values(
                processed=BillingRun.processed + chunk.contracts,
                invoices_created=BillingRun.invoices_created + created,
                invoices_updated=BillingRun.invoices_updated + updated,
                heartbeat_at=now,
                lease_until=now + self.settings.stale_after,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.expire(self.run)
        self.written += chunk.contracts

    def finalize_chunks(self) -> Iterator[int]:
        """Finalize the period's drafts a chunk at a time (numbers are taken in each chunk's transaction),
        but those of the contracts the run could not bill: their earlier drafts are left for finance to
        look at. A draft whose one-off charges changed since it was computed is left too, and its contract
        counted among the run's failures with the reason. Yields how many each chunk finalized."""
        for finalized in finalize_period_chunks(
            self.period,
            self.settings.documents,
            self.run.id,
            self.settings.chunk_size,
            excluding=failed_contracts(self.run.id),
        ):
            self.run.invoices_finalized += finalized
            _beat(self.run, self.settings.stale_after)
            yield finalized

    def finish(self) -> None:
        """Every contract was done: the run completed, with errors when it skipped some."""
        self.run.status = ended_status(len(failed_contracts(self.run.id)))
        self.run.finished_at = clock.now()


def running_run(period: Period | None = None) -> BillingRun | None:
    """The latest run of `period` (None: of any period) that is running (its lease held) with chunks left
    to write: the run a process joining the billing works on."""
    return db.session.scalars(
        select(BillingRun)
        .where(
            *(() if period is None else (BillingRun.period == period.name,)),
            BillingRun.status == RUNNING,
            BillingRun.lease_until >= clock.now(),
            exists().where(BillingRunChunk.run_id == BillingRun.id, BillingRunChunk.done_at.is_(None)),
        )
        .order_by(BillingRun.id.desc())
        .limit(1)
    ).first()


def mark_stopped(run_id: int, period: Period, reason: object) -> None:
    """Record that a run was stopped part-way (at its process's request), after the caller rolled back
    the chunk it was in: the next run of the period completes it."""
    _end_early(run_id, INTERRUPTED, f"Stopped part-way ({reason}); the next run of {period} completes it.")


def mark_failed(run_id: int, error: object) -> None:
    """Record that a run failed, with its error, after the caller rolled back the chunk it was in."""
    _end_early(run_id, FAILED, str(error))


def _end_early(run_id: int, status: str, error: str) -> None:
    run = db.session.get(BillingRun, run_id)
    if run is not None:
        run.status, run.error, run.finished_at = status, error[:2000], clock.now()
        db.session.flush()

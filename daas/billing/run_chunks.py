"""A billing run's chunks: its contracts split into id ranges that any number of processes work, each
chunk in one transaction by the process that claims it.

A process claims a chunk by locking its row (`FOR UPDATE SKIP LOCKED`): the lock lasts as long as the
transaction that writes the chunk's invoices, so a second process skips it and takes the next, and a
process that dies (its transaction rolled back by the database) releases the chunk for another. That
makes the row lock itself the lease, with nothing to expire or renew. SQLite has one writer at a time
and no row locks: there the processes of a run take turns, and the result is the same.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence

from sqlalchemy import func, insert, select

from daas.billing.models import BillingRun, BillingRunChunk, BillingRunError
from daas.billing.run_states import RUNNING
from daas.core import clock
from daas.extensions import db


def this_worker() -> str:
    """What a chunk records of the process that wrote it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def plan_chunks(run_id: int, contract_ids: Sequence[int], size: int) -> int:
    """Split the run's contracts (ids in order) into chunks of `size`; returns how many chunks."""
    rows = [
        {
            "run_id": run_id,
            "seq": seq,
            "first_contract_id": part[0],
            "last_contract_id": part[-1],
            "contracts": len(part),
        }
        for seq, start in enumerate(range(0, len(contract_ids), size))
        if (part := contract_ids[start : start + size])
    ]
    if rows:
        db.session.execute(insert(BillingRunChunk), rows)
    return len(rows)


def claim_chunk(run_id: int) -> BillingRunChunk | None:
    """The first chunk of a running run that no process has written nor is writing, locked by this
    transaction; None when there is none to take now."""
    return db.session.scalars(
        select(BillingRunChunk)
        .join(BillingRun, BillingRun.id == BillingRunChunk.run_id)
        .where(
            BillingRunChunk.run_id == run_id,
            BillingRunChunk.done_at.is_(None),
            BillingRun.status == RUNNING,
        )
        .order_by(BillingRunChunk.seq)
        .limit(1)
        .with_for_update(of=BillingRunChunk, skip_locked=True)
    ).first()


def mark_written(chunk: BillingRunChunk, worker: str) -> None:
    chunk.done_at, chunk.worker = clock.now(), worker


def chunks_left(run_id: int) -> int:
    """How many of the run's chunks are not written yet (some may be in another process's hands)."""
    return db.session.scalar(
        select(func.count())
        .select_from(BillingRunChunk)
        .where(BillingRunChunk.run_id == run_id, BillingRunChunk.done_at.is_(None))
    )


def failed_contracts(run_id: int) -> set[int]:
    """The contracts the run recorded as not billed, by whichever of its processes."""
    return set(
        db.session.scalars(select(BillingRunError.contract_id).where(BillingRunError.run_id == run_id))
    )


def workers(run_id: int) -> dict[str, int]:
    """Which processes wrote the run's chunks: worker -> contracts it wrote."""
    rows = db.session.execute(
        select(BillingRunChunk.worker, func.sum(BillingRunChunk.contracts))
        .where(BillingRunChunk.run_id == run_id, BillingRunChunk.worker.is_not(None))
        .group_by(BillingRunChunk.worker)
    )
    return {worker: int(contracts) for worker, contracts in rows}

"""An idempotency key's steps, each in a transaction of its own: the claim is committed before the
endpoint runs (so a request with the same key on another connection sees it), the answer or the release
after it, on their own (the endpoint's use case has committed or rolled back by then).

`work_committed` says whether anything was committed on the request's session since the claim: a request
that failed unexpectedly after its use case committed work (a credit note issued, then the refund step
raised) keeps its 500 for the key, so a retry with the key cannot do that work a second time; one that
failed before committing anything lets the key go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session

from daas.core import clock
from daas.extensions import db
from daas.idempotency import services
from daas.idempotency.rules import Fingerprint
from daas.idempotency.services import Claimed, Replay
from daas.usecases.transaction import roll_back, use_case

_COMMITS = "daas.commits"


@event.listens_for(Session, "after_commit")
def _count_commit(session: Session) -> None:
    session.info[_COMMITS] = session.info.get(_COMMITS, 0) + 1


def _commits() -> int:
    return db.session().info.get(_COMMITS, 0)


@dataclass(frozen=True)
class Claim:
    """A claimed key, and how many commits its session had made once the claim was committed."""

    claimed: Claimed
    commits: int


_claim = use_case(services.claim)


def claim_key(owner: str, key: str, request: Fingerprint) -> Claim | Replay:
    """Claim `owner`'s `key` for `request` now, committed; or the answer to replay (see
    daas.idempotency.services.claim for the refusals)."""
    outcome = _claim(owner, key, request, clock.now())
    return Claim(outcome, _commits()) if isinstance(outcome, Claimed) else outcome


def work_committed(claim: Claim) -> bool:
    """Whether the request committed anything since its key was claimed."""
    return _commits() > claim.commits


@use_case
def finish_key(claim: Claim, status_code: int, body: str) -> bool:
    """Keep the answer of the claimed request for the key's 24 hours. Whatever the request left
    uncommitted is dropped first: only its use case decides what of its work stands."""
    roll_back()
    return services.finish(claim.claimed, status_code, body)


@use_case
def release_key(claim: Claim) -> None:
    """Let the key go, so a retry runs the request afresh (dropping what the request left uncommitted)."""
    roll_back()
    services.release(claim.claimed)


@use_case
def forget_expired_keys(now: datetime | None = None) -> int:
    """Delete the keys past their 24 hours (the payments job does it every round); how many."""
    return services.forget_expired(now or clock.now())

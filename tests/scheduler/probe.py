"""Job functions the scheduler tests point the runner at: they count their calls and write a customer, so
a test sees both that a job ran and whether its work was kept."""

from __future__ import annotations

from typing import Any

from daas.core.jobs import JobContext
from daas.scheduler.requests import RequestContext
from tests import factories

calls: list[tuple[str, Any]] = []


def probe_job(context: JobContext) -> dict[str, Any]:
    calls.append(("probe", context.due))
    factories.customer(name=f"Probe {context.due:%H:%M}")
    return {"customers": 1}


def flaky_job(context: JobContext) -> dict[str, Any]:
    """Fails on its first call (after writing), succeeds after."""
    calls.append(("flaky", context.due))
    factories.customer(name=f"Flaky {context.due:%H:%M}")
    if len([call for call in calls if call[0] == "flaky"]) == 1:
        raise RuntimeError("card processor unreachable")
    return {"customers": 1}


def stopping_job(context: JobContext) -> dict[str, Any]:
    """Commits a unit of work, then meets a stop request at its next safe point."""
    calls.append(("stopping", context.due))
    factories.customer(name=f"Stopping {context.due:%H:%M}")
    from daas.extensions import db

    db.session.commit()
    context.stop.set()
    context.checkpoint()
    return {"customers": 1}


def probe_request_job(context: RequestContext) -> dict[str, Any]:
    """A requested job: counts its calls with what it was asked for."""
    calls.append(("probe_request", context.key))
    factories.customer(name=f"Requested {context.key}")
    return {"key": context.key, "attempt": context.attempt}


def failing_request_job(context: RequestContext) -> dict[str, Any]:
    """A requested job that reports what it started, then fails (after writing)."""
    calls.append(("failing_request", context.key))
    context.report({"started": context.key})
    factories.customer(name=f"Failing {context.key}")
    raise RuntimeError("printer on fire")

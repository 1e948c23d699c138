"""Asking a scheduler process to carry work out: a page queues a request instead of running the work in
its web worker, and shows the request (then the run it started) from the database."""

from __future__ import annotations

from config.jobs import BILLING_RUN_REQUEST
from daas.billing.run import check_period_ended
from daas.core import clock
from daas.core.periods import Period
from daas.scheduler import requests
from daas.scheduler.requests import Queued
from daas.usecases.transaction import use_case


@use_case
def request_billing_run(period: Period, actor: str) -> Queued:
    """Queue the billing run of `period` for `actor`, for the next scheduler sweep to carry out; while a
    run of that period is queued or running, asking again gives that request (`queued` False) instead of
    a second one. Refuses a month that has not ended, as the run itself would, before anything waits."""
    check_period_ended(period, clock.today())
    return requests.queue_request(BILLING_RUN_REQUEST, period.name, actor, clock.now())

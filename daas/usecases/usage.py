"""Recording usage: a batch of events checked whole and stored in one transaction, or refused with nothing
stored.

Usage sits below billing, yet whether an event changes an invoiced month is billing's to say: this is the
one place that puts the two together, handing billing's read of invoiced months down to usage.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from daas.billing.invoiced_months import invoiced_months
from daas.usage import services
from daas.usecases.transaction import use_case


@use_case
def record_usage(body: Any, customer_scope: int | None, now: datetime) -> tuple[int, int]:
    """Store the new events of a request body: (accepted, duplicates). The months they change that may
    have been measured already (back-dated, or invoiced) are marked for the billing run's late usage."""
    return services.record_usage(body, customer_scope, now, invoiced_months)

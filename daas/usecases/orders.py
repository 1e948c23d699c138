"""Order workflows, each one transaction: place an order, approve it over an allowance, cancel it, hold
devices for it, and the daily round that serves backorders first come, first served.

The API, the portal and logistics pages, `flask daas orders allocate` and the scheduled job start them; the
rules are in daas.orders (ordering, allocation), which flushes and raises but never commits.
"""

from __future__ import annotations

from daas.orders import allocation, ordering
from daas.orders.allocation import AllocationReport
from daas.usecases.transaction import commit, use_case

place_order = use_case(ordering.place_order)
approve_order = use_case(ordering.approve_order)
cancel_order = use_case(ordering.cancel_order)
allocate_order = use_case(allocation.allocate_order)


@use_case
def allocate_backorders(actor: str) -> AllocationReport:
    """One round over every approved and backordered order, oldest first, committed order by order: an
    order that fails is in the report with its error and leaves the others' allocations standing."""
    return allocation.allocate_backorders(actor, after_each=commit)

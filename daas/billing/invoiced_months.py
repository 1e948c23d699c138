"""Which months of which contracts already have an invoice, draft or final.

Usage ingestion needs to know it: an event for such a month changes usage that may have been measured for
the invoice, so the month is marked for the billing run to compare (late usage). Invoices are billing's,
and usage sits below billing, so the use case that records usage hands this read down to it.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from daas.billing.models import Invoice
from daas.extensions import db


def invoiced_months(contract_ids: Collection[int], months: Collection[str]) -> set[tuple[int, str]]:
    """The (contract id, "YYYY-MM") pairs, among these contracts and months, that have an invoice."""
    if not contract_ids or not months:
        return set()
    found = db.session.execute(
        select(Invoice.contract_id, Invoice.period).where(
            Invoice.contract_id.in_(contract_ids), Invoice.period.in_(months)
        )
    )
    return {(contract_id, period) for contract_id, period in found}

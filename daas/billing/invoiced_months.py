"""Which months of which contracts already have an invoice, draft or final.

Usage ingestion needs to know it: an event for such a month changes usage that may have been measured for
the invoice, so the month is marked for the billing run to compare (late usage). Plan changes and
extensions need to know which months are invoiced for good. Invoices are billing's, and usage and
contracts sit below billing, so the use cases hand these reads down to them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import String, select

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.models import Invoice
from daas.core.periods import Period
from daas.db import is_one_of
from daas.extensions import db


def invoiced_months(contract_ids: Collection[int], months: Collection[str]) -> set[tuple[int, str]]:
    """The (contract id, "YYYY-MM") pairs, among these contracts and months, that have an invoice."""
    if not contract_ids or not months:
        return set()
    found = db.session.execute(
        select(Invoice.contract_id, Invoice.period).where(
            is_one_of(Invoice.contract_id, contract_ids), is_one_of(Invoice.period, months, String())
        )
    )
    return {(contract_id, period) for contract_id, period in found}


def finalized_invoice_from(contract_id: int, day: date) -> tuple[str, str] | None:
    """(number, period) of the contract's first finalized invoice (any status but draft) for the month
    holding `day` or a later month, or None: what a plan change or an extension from `day` may not alter."""
    found = db.session.execute(
        select(Invoice.number, Invoice.period)
        .where(
            Invoice.contract_id == contract_id,
            Invoice.period >= Period.containing(day).name,
            Invoice.status != lifecycle.DRAFT,
        )
        .order_by(Invoice.period)
        .limit(1)
    ).first()
    return None if found is None else (found.number, found.period)

"""What contracts say about one customer, for the workflows that change the customer.

Customers sit below contracts and cannot ask about them; the use case that changes a customer asks here
and hands the answer down (a customer's currency is fixed once a contract bills in it).
"""

from __future__ import annotations

from sqlalchemy import select

from daas.contracts.models import Contract
from daas.extensions import db


def customer_has_contracts(customer_id: int) -> bool:
    """Whether the customer has any contract, running, ended or terminated: each bills in its plan's
    currency, which is the customer's."""
    query = select(Contract.id).where(Contract.customer_id == customer_id).limit(1)
    return db.session.scalar(query) is not None

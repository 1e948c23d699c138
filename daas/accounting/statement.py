"""A customer's account statement of a range, read from the database (docs/billing.md "Account
statement"): its balance before the range, then every invoice, credit note, payment and refund in it with
the balance after each, in the customer's currency. A customer user asks for its own (`customer_scope`);
another customer's is not found."""

from __future__ import annotations

from datetime import date

from daas.accounting.balance import Statement, build_statement
from daas.accounting.entries import balance_before, facts
from daas.customers.services import get_customer


def customer_statement(
    customer_id: int, start: date, end: date, customer_scope: int | None = None
) -> Statement:
    customer = get_customer(customer_id, customer_scope)
    return build_statement(
        customer.id,
        customer.name,
        customer.currency,
        start,
        end,
        balance_before(customer.id, start),
        facts(start, end, customer.id),
    )

"""A contract ended early (billing.md "Contract changes"): what it costs, and the termination itself.

The charge is `share × the monthly basis × the whole months left` from the termination day T to the
contract's end date (`end_of_term_rules.early_termination`, rounded once). The basis is the minimum of the
plan in force the day before T, as billing bills it; a contract without a minimum pays on the monthly
amounts of the devices deployed that day instead. A preview (`quote_termination`) changes nothing; the
termination (`terminate_early`) ends the contract on T, adds the `early_termination` charge (pending, one
per contract: its idempotency key) and puts the devices still deployed on an end-of-term return order for
T, collected from the customer's pickup address, whose pickup ends their deployments.

It spans contracts (the contract and its plan history), charges and logistics' own return orders, so it
lives in logistics, which sits above both. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from daas.charges.lifecycle import EARLY_TERMINATION
from daas.charges.models import OneOffCharge
from daas.charges.services import NewCharge, add_charge
from daas.contracts import plan_history
from daas.contracts.end_of_term_rules import EndOfTermPolicy, early_termination
from daas.contracts.models import Contract
from daas.contracts.services import check_termination, deployed_serials, get_contract, terminate_contract
from daas.core import clock, money
from daas.core.errors import Conflict
from daas.customers.models import Customer
from daas.extensions import db
from daas.logistics.models import ReturnOrder, ReturnReason
from daas.logistics.returns import create_return_order


@dataclass(frozen=True)
class TerminationQuote:
    """What ending the contract on `end_date` costs. `basis` says what `monthly` is: "minimum" (the
    minimum monthly amount of the plan in force the day before) or "devices" (the monthly amounts of the
    devices deployed that day, for a contract without a minimum)."""

    contract_id: int
    end_date: date
    currency: str
    remaining_months: int
    share: Decimal
    basis: str
    monthly: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Termination:
    """A contract terminated early: its charge (None when it owes nothing) and the return order of the
    devices still deployed (None when none were)."""

    contract: Contract
    quote: TerminationQuote
    charge: OneOffCharge | None
    return_order: ReturnOrder | None


def idempotency_key(contract_id: int) -> str:
    """The key of a contract's early-termination charge: a contract ends early once."""
    return f"early-termination-{contract_id}"


def _quote(contract: Contract, end_date: date, policy: EndOfTermPolicy) -> TerminationQuote:
    check_termination(contract, end_date)
    day_before = end_date - timedelta(days=1)
    figures = early_termination(
        end_date,
        contract.end_date,
        policy.early_termination_share,
        plan_history.minimum_on(contract, day_before),
        plan_history.deployed_monthly_amount(contract, day_before),
        contract.currency,
    )
    return TerminationQuote(
        contract_id=contract.id,
        end_date=end_date,
        currency=contract.currency,
        remaining_months=figures.remaining_months,
        share=figures.share,
        basis=figures.basis,
        monthly=figures.monthly,
        amount=figures.amount,
    )


def quote_termination(
    contract_id: int, end_date: date, policy: EndOfTermPolicy, customer_scope: int | None = None
) -> TerminationQuote:
    """What terminating the contract on `end_date` would cost; nothing changes. A customer quotes its own
    contracts only (404 otherwise). 409 for a contract terminated already, 422 on end_date outside
    (start, end]."""
    return _quote(get_contract(contract_id, customer_scope), end_date, policy)


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}%"


def describe(quote: TerminationQuote) -> str:
    """The charge's description, which its invoice line repeats: the day, the share, the basis and the
    months ("Early termination on 2027-01-15: 50% of 500.00 EUR minimum a month × 16 remaining months")."""
    basis = "minimum" if quote.basis == "minimum" else "device charges"
    months = "month" if quote.remaining_months == 1 else "months"
    return (
        f"Early termination on {quote.end_date.isoformat()}: {_percent(quote.share)} of "
        f"{money.format_money(quote.monthly, quote.currency)} {quote.currency} {basis} a month × "
        f"{quote.remaining_months} remaining {months}"
    )


def _collect(contract: Contract, end_date: date, window_days: int, actor: str) -> ReturnOrder | None:
    """An end-of-term return order for the devices still deployed, for T (or today when T is past)."""
    serials = deployed_serials(contract.id)
    if not serials:
        return None
    customer = db.session.get(Customer, contract.customer_id)
    return create_return_order(
        contract.id,
        serials,
        ReturnReason.END_OF_TERM,
        max(end_date, clock.today()),
        customer.pickup_region,
        customer.pickup_address,
        actor,
        window_days,
    )


def _check_pickup_address(contract: Contract) -> None:
    customer = db.session.get(Customer, contract.customer_id)
    if customer.pickup_region and customer.pickup_address:
        return
    serials = deployed_serials(contract.id)
    if serials:
        raise Conflict(
            f"Customer {customer.id} has no pickup address, and devices are still deployed on contract "
            f"{contract.id}: {', '.join(serials)}. Give the customer a pickup region and address first, "
            "so they can be collected.",
            errors={"pickup_address": ["The customer has no pickup region and address."]},
        )


def terminate_early(
    contract_id: int, end_date: date, policy: EndOfTermPolicy, window_days: int, actor: str
) -> Termination:
    """End the contract on `end_date` and charge what ending early costs (`quote_termination`).

    The charge is pending, dated T, or today when T is later (so it is on the next invoice rather than
    the last one), never before the contract starts; no charge when the amount is 0. The devices still
    deployed go on one end-of-term return order for T (`window_days`: the booking window). Refused (409)
    for a contract terminated already and for a customer without a pickup address while devices are
    still deployed; 422 on end_date outside (start, end]."""
    contract = plan_history.lock_contract(contract_id)
    quote = _quote(contract, end_date, policy)
    _check_pickup_address(contract)
    terminate_contract(contract.id, end_date, returns_follow=True)
    order = _collect(contract, end_date, window_days, actor)
    charge = None
    if quote.amount > 0:
        charge, _ = add_charge(
            contract.id,
            NewCharge(
                kind=EARLY_TERMINATION,
                amount=quote.amount,
                description=describe(quote),
                idempotency_key=idempotency_key(contract.id),
                on=max(contract.start_date, min(end_date, clock.today())),
            ),
            actor,
        )
    db.session.flush()
    return Termination(contract=contract, quote=quote, charge=charge, return_order=order)

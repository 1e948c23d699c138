"""Buying a device out at the end of its contract's term (billing.md "One-off charges"): whether it is
offered, what it costs on a day (its model's list value on the straight line to the floor, times its last
grade's factor), the quote the end-of-term view stores for 30 days, and accepting that quote: the pending
`buy_out` charge at its price and the device sold that day, the quote accepted once.

A lost device costs the same price at grade A (daas.logistics.takeback uses `price_on`). The caller
commits.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from daas.catalog.models import DeviceModel
from daas.catalog.services import list_value
from daas.charges.models import OneOffCharge
from daas.charges.services import NewCharge, add_charge
from daas.contracts import end_of_term_rules as rules
from daas.contracts.models import Contract
from daas.core.errors import Conflict, Invalid
from daas.customers.models import Customer
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.logistics import sales
from daas.logistics.models import BuyOutQuote


def buy_out_refusal(
    contract: Contract,
    customer: Customer,
    model: DeviceModel,
    today: date,
    term: date,
    policy: rules.EndOfTermPolicy,
    issuer_country: str,
) -> str | None:
    """Why a device of `model` cannot be bought out on the contract today, or None when it can."""
    if contract.terminated_on is not None:
        return f"The contract was terminated on {contract.terminated_on.isoformat()}."
    if today > term:
        return f"The contract's end-of-term choices closed on {term.isoformat()}."
    if customer.country != issuer_country and customer.country not in policy.buy_out_countries:
        offered = ", ".join(sorted({issuer_country, *policy.buy_out_countries}))
        return f"Buy-outs are offered to customers in {offered}; this customer is in {customer.country}."
    if list_value(model.id, contract.currency) is None:
        return f"Device model {model.sku} has no list value in {contract.currency}."
    return None


def age_start(device: Device) -> date | None:
    """Where a device's age counts from: its manufacturing day, else its first custody event."""
    if device.manufactured_on is not None:
        return device.manufactured_on
    return db.session.scalar(
        select(CustodyEvent.occurred_on)
        .where(CustodyEvent.device_id == device.id)
        .order_by(CustodyEvent.seq)
        .limit(1)
    )


def price_on(
    device: Device,
    model: DeviceModel,
    currency: str,
    day: date,
    policy: rules.EndOfTermPolicy,
    grade: str | None,
) -> tuple[rules.BuyOutPrice, Decimal] | None:
    """The device's buy-out price on `day` at `grade`, with the list value it comes from; None when its
    model has no list value in `currency`."""
    value = list_value(model.id, currency)
    if value is None:
        return None
    price = rules.buy_out_price(
        value,
        rules.DEFAULT_FLOOR_SHARE if model.floor_share is None else model.floor_share,
        rules.whole_months(age_start(device) or day, day),
        model.expected_lifetime_months,
        grade,
        currency,
        policy.grade_factors,
    )
    return price, value


def latest_quote(contract_id: int, device_id: int) -> BuyOutQuote | None:
    return db.session.scalar(
        select(BuyOutQuote)
        .where(BuyOutQuote.contract_id == contract_id, BuyOutQuote.device_id == device_id)
        .order_by(BuyOutQuote.quoted_on.desc(), BuyOutQuote.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )


def stored_quote(
    contract: Contract, device: Device, model: DeviceModel, today: date, policy: rules.EndOfTermPolicy
) -> tuple[BuyOutQuote | None, str | None]:
    """The device's stored quote while valid and not accepted, else a new one for today (stored): a
    quote keeps its price for its 30 days whatever happens to the device or the list value meanwhile."""
    stored = latest_quote(contract.id, device.id)
    if stored is not None and stored.accepted_on is None and today <= stored.valid_until:
        return stored, None
    priced = price_on(device, model, contract.currency, today, policy, device.grade)
    if priced is None:
        return None, f"Device model {model.sku} has no list value in {contract.currency}."
    price, value = priced
    if price.price <= 0:
        return None, "Nothing is left to pay for this device: its buy-out price is 0."
    quote = BuyOutQuote(
        contract_id=contract.id,
        device_id=device.id,
        currency=contract.currency,
        list_value=value,
        price=price.price,
        age_months=price.age_months,
        grade=device.grade,
        quoted_on=today,
        valid_until=today + timedelta(days=rules.QUOTE_DAYS),
    )
    try:
        with db.session.begin_nested():  # a view read at the same moment may have stored today's quote
            db.session.add(quote)
    except IntegrityError:
        return latest_quote(contract.id, device.id), None
    return quote, None


def named_quote(contract: Contract, device: Device, quote_id: int | None, field: str) -> BuyOutQuote:
    """The quote a buy-out names, locked: one of this device on this contract (422 on `field` otherwise)."""
    if quote_id is None:
        raise Invalid.field(
            field, f"A buy-out names its quote (GET /api/v1/contracts/{contract.id}/end-of-term)."
        )
    quote = db.session.scalar(
        select(BuyOutQuote)
        .where(BuyOutQuote.id == quote_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if quote is None or quote.contract_id != contract.id or quote.device_id != device.id:
        raise Invalid.field(
            field, f"Quote {quote_id} is not a quote of device {device.serial} on contract {contract.id}."
        )
    return quote


def check_acceptable(
    contract: Contract,
    customer: Customer,
    quote: BuyOutQuote,
    device: Device,
    model: DeviceModel,
    today: date,
    term: date,
    policy: rules.EndOfTermPolicy,
    issuer_country: str,
    field: str,
) -> None:
    """409 on `field` unless the quote can be accepted today: not accepted, not expired, a list value in
    the contract's currency, and a customer in a country buy-outs are offered in."""
    if quote.accepted_on is not None:
        raise Conflict(
            f"Quote {quote.id} was accepted on {quote.accepted_on} (charge {quote.charge_id}).",
            errors={field: ["Accepted already."]},
        )
    if today > quote.valid_until:
        raise Conflict(
            f"Quote {quote.id} expired on {quote.valid_until}; the end-of-term view gives a new one.",
            errors={field: [f"Expired on {quote.valid_until}."]},
        )
    refused = buy_out_refusal(contract, customer, model, today, term, policy, issuer_country)
    if refused is not None:
        raise Conflict(f"Device {device.serial} cannot be bought out: {refused}", errors={field: [refused]})


def _grade_words(grade: str | None) -> str:
    return f"grade {grade}" if grade else "never graded, priced as grade A"


def accept_quote(
    contract: Contract,
    quote: BuyOutQuote,
    device: Device,
    model: DeviceModel,
    actor: str,
    today: date,
    field: str,
) -> OneOffCharge:
    """Accept the quote: the pending buy-out charge at its price, the device sold today (its deployment
    ends, the custody event names the charge), the quote accepted once (a conditional update; 409 on
    `field` when another acceptance came first)."""
    charge, _ = add_charge(
        contract.id,
        NewCharge(
            kind="buy_out",
            amount=quote.price,
            description=(
                f"Buy-out of {device.serial} ({model.manufacturer} {model.name}), {_grade_words(quote.grade)}"
            ),
            idempotency_key=f"buy-out-{quote.id}",
            on=today,
            device_serial=device.serial,
        ),
        actor,
    )
    sales.sell_device(contract.id, device.serial, today, f"buy-out charge {charge.id}", actor)
    accepted = db.session.execute(
        update(BuyOutQuote)
        .where(BuyOutQuote.id == quote.id, BuyOutQuote.accepted_on.is_(None))
        .values(accepted_on=today, charge_id=charge.id)
        .returning(BuyOutQuote.id)
    ).scalar()
    if accepted is None:
        raise Conflict(f"Quote {quote.id} was accepted meanwhile.", errors={field: ["Accepted already."]})
    db.session.refresh(quote)
    return charge

"""The end of a contract's term, device by device (billing.md "Contract changes", "One-off charges"): each
device deployed on the contract is returned, kept on the extended contract, or bought out by the customer
at the price of its buy-out quote.

- The view (`end_of_term_view`) shows each device with its choice and its quote, and stores the quote: the
  device's last one while it is valid and not accepted, else a new one for today, valid 30 days. A device
  is not offered for sale when its model has no list value in the contract's currency or the customer is
  outside the countries buy-outs are offered in (the issuer's and the policy's): `buy_out_refused` says
  why.
- Choosing (`choose_end_of_term`), under the contract's row lock, until the end date the choices are for:
  `buy_out` accepts the quote (the pending `buy_out` charge, the device `sold` on that day, the quote
  accepted once: final); `return` books the device on an end-of-term return order for that end date;
  `extend` extends the contract once per end date (by `extend_months`, else its renewal months) and keeps
  the device, and when it does, every other device still deployed goes home on that end date.
- The end date the choices are for is the contract's end date, or, once an `extend` choice moved it, the
  old end date the extension was made from, until that day has passed (`term_end`).

It spans contracts (the extension), the buy-out (daas.logistics.buy_out: its quotes, charge and sale) and
logistics' return orders, so it lives in logistics, which sits above them. The caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from daas.billing.invoiced_months import finalized_invoice_from
from daas.catalog.models import DeviceModel
from daas.contracts import end_of_term_rules as rules
from daas.contracts.models import Contract, Deployment
from daas.contracts.plan_history import MAX_EXTENSION_MONTHS, extend_contract, lock_contract
from daas.contracts.services import get_contract
from daas.core.errors import Conflict, Invalid
from daas.customers.models import Customer
from daas.devices.models import Device
from daas.devices.services import lock_device
from daas.extensions import db
from daas.logistics import buy_out, returns
from daas.logistics.models import (
    END_OF_TERM_CHOICES,
    BuyOutQuote,
    EndOfTerm,
    EndOfTermChoice,
    EndOfTermExtension,
    ReturnOrder,
    ReturnOrderDevice,
    ReturnReason,
)

DEVICES_FIELD = "devices"


@dataclass(frozen=True)
class ChoiceRequest:
    """One device's choice as the caller sent it."""

    serial: str
    choice: str
    quote_id: int | None = None


@dataclass(frozen=True)
class DeviceEndOfTerm:
    serial: str
    sku: str
    model_name: str
    choice: str | None  # None: not chosen, it comes back with the end-of-term round
    quote: BuyOutQuote | None
    buy_out_refused: str | None
    return_order_id: int | None


@dataclass(frozen=True)
class EndOfTermView:
    contract_id: int
    currency: str
    end_date: date  # the end date the choices are for
    extended_until: date | None  # the contract's new end, once an `extend` choice extended it
    open: bool  # choices may still be made (until end_date)
    devices: list[DeviceEndOfTerm]


# -- reads --------------------------------------------------------------------------------------------------


def _pending_extension(contract_id: int, today: date) -> EndOfTermExtension | None:
    """The extension an `extend` choice made from an end date that has not passed yet."""
    return db.session.scalar(
        select(EndOfTermExtension)
        .where(EndOfTermExtension.contract_id == contract_id, EndOfTermExtension.from_end_date >= today)
        .order_by(EndOfTermExtension.from_end_date)
        .limit(1)
    )


def term_end(contract: Contract, today: date) -> tuple[date, EndOfTermExtension | None]:
    """The end date the contract's end-of-term choices are for on `today`, with the extension an `extend`
    choice made from it (None: the contract's own end date, not extended by a choice)."""
    extension = _pending_extension(contract.id, today)
    return (extension.from_end_date, extension) if extension is not None else (contract.end_date, None)


def _deployed(contract_id: int) -> list[tuple[Deployment, Device, DeviceModel]]:
    return [
        (deployment, device, model)
        for deployment, device, model in db.session.execute(
            select(Deployment, Device, DeviceModel)
            .join(Device, Device.id == Deployment.device_id)
            .join(DeviceModel, DeviceModel.id == Device.device_model_id)
            .where(Deployment.contract_id == contract_id, Deployment.end_date.is_(None))
            .order_by(Device.serial)
        )
    ]


def _choices(contract_id: int) -> dict[int, EndOfTermChoice]:
    rows = db.session.scalars(
        select(EndOfTermChoice)
        .where(EndOfTermChoice.contract_id == contract_id)
        .execution_options(populate_existing=True)
    )
    return {row.device_id: row for row in rows}


def _bought_out(contract_id: int, term: date) -> list[tuple[EndOfTermChoice, Device, DeviceModel]]:
    """The devices bought out for this end date: no longer deployed, still shown with their choice."""
    rows = db.session.execute(
        select(EndOfTermChoice, Device, DeviceModel)
        .join(Device, Device.id == EndOfTermChoice.device_id)
        .join(DeviceModel, DeviceModel.id == Device.device_model_id)
        .where(
            EndOfTermChoice.contract_id == contract_id,
            EndOfTermChoice.choice == EndOfTerm.BUY_OUT,
            EndOfTermChoice.term_end == term,
        )
        .order_by(Device.serial)
    )
    return [(choice, device, model) for choice, device, model in rows]


def _waiting_return(device_id: int) -> ReturnOrder | None:
    """The return order waiting for the device's pickup (a device is on one at most)."""
    return db.session.scalar(
        select(ReturnOrder)
        .join(ReturnOrderDevice, ReturnOrderDevice.return_order_id == ReturnOrder.id)
        .where(ReturnOrderDevice.device_id == device_id, ReturnOrder.status.in_(returns.BEFORE_PICKUP))
        .order_by(ReturnOrder.id)
        .limit(1)
    )


def end_of_term_view(
    contract_id: int,
    today: date,
    policy: rules.EndOfTermPolicy,
    issuer_country: str,
    customer_scope: int | None = None,
) -> EndOfTermView:
    """Each device deployed on the contract (and each bought out for this end date) with its choice and
    its buy-out quote, stored (see the module's docstring). Another customer's contract is not found."""
    contract = get_contract(contract_id, customer_scope)
    customer = db.session.get(Customer, contract.customer_id)
    term, extension = term_end(contract, today)
    choices = _choices(contract.id)
    devices: list[DeviceEndOfTerm] = []
    for choice, device, model in _bought_out(contract.id, term):
        quote = db.session.get(BuyOutQuote, choice.quote_id)
        devices.append(
            DeviceEndOfTerm(device.serial, model.sku, model.name, choice.choice, quote, None, None)
        )
    for _, device, model in _deployed(contract.id):
        choice = choices.get(device.id)
        current = choice if choice is not None and choice.term_end == term else None
        refused = buy_out.buy_out_refusal(contract, customer, model, today, term, policy, issuer_country)
        quote = None
        if refused is None:
            quote, refused = buy_out.stored_quote(contract, device, model, today, policy)
        waiting = _waiting_return(device.id)
        devices.append(
            DeviceEndOfTerm(
                device.serial,
                model.sku,
                model.name,
                current.choice if current is not None else None,
                quote,
                refused,
                waiting.id if waiting is not None else None,
            )
        )
    db.session.flush()
    devices.sort(key=lambda item: item.serial)
    return EndOfTermView(
        contract_id=contract.id,
        currency=contract.currency,
        end_date=term,
        extended_until=extension.to_end_date if extension is not None else None,
        open=contract.terminated_on is None and today <= term,
        devices=devices,
    )


# -- choosing -----------------------------------------------------------------------------------------------


def _at(index: int, field: str) -> str:
    return f"{DEVICES_FIELD}.{index}.{field}"


@dataclass
class _Chosen:
    index: int
    request: ChoiceRequest
    device: Device
    model: DeviceModel
    quote: BuyOutQuote | None = None


def _check_requests(
    contract: Contract, requests: Sequence[ChoiceRequest], choices: dict[int, EndOfTermChoice]
) -> list[_Chosen]:
    """Each request's device, deployed on the contract, and its quote (422 naming the field at fault; 409
    for a device bought out already)."""
    if not requests:
        raise Invalid.field(DEVICES_FIELD, "Name at least one device.")
    deployed = {device.serial: (device, model) for _, device, model in _deployed(contract.id)}
    seen: set[str] = set()
    checked: list[_Chosen] = []
    for index, request in enumerate(requests):
        if request.serial in seen:
            raise Invalid.field(_at(index, "serial"), f"Device {request.serial} is named twice.")
        seen.add(request.serial)
        if request.choice not in END_OF_TERM_CHOICES:
            raise Invalid.field(_at(index, "choice"), f"One of {', '.join(END_OF_TERM_CHOICES)}.")
        sold = db.session.scalar(select(Device).where(Device.serial == request.serial))
        final = choices.get(sold.id) if sold is not None else None
        if final is not None and final.choice == EndOfTerm.BUY_OUT:
            quote = db.session.get(BuyOutQuote, final.quote_id)
            raise Conflict(
                f"Device {request.serial} was bought out on {quote.accepted_on} (quote {quote.id}, charge "
                f"{quote.charge_id}): its choice is final.",
                errors={_at(index, "choice"): ["The device is sold; its buy-out is final."]},
            )
        if request.serial not in deployed:
            raise Invalid.field(
                _at(index, "serial"), f"Device {request.serial} is not deployed on contract {contract.id}."
            )
        device, model = deployed[request.serial]
        chosen = _Chosen(index, request, device, model)
        if request.choice == EndOfTerm.BUY_OUT:
            chosen.quote = buy_out.named_quote(contract, device, request.quote_id, _at(index, "quote_id"))
        elif request.quote_id is not None:
            raise Invalid.field(_at(index, "quote_id"), "Only a buy-out names a quote.")
        checked.append(chosen)
    return checked


def _record(
    contract_id: int,
    device_id: int,
    choice: str,
    term: date,
    actor: str,
    today: date,
    quote_id: int | None = None,
    return_order_id: int | None = None,
) -> None:
    row = db.session.get(EndOfTermChoice, (contract_id, device_id))
    if row is None:
        row = EndOfTermChoice(contract_id=contract_id, device_id=device_id)
        db.session.add(row)
    row.choice, row.term_end, row.quote_id, row.return_order_id = choice, term, quote_id, return_order_id
    row.chosen_on, row.chosen_by = today, actor
    db.session.flush()


def _buy_out(contract: Contract, chosen: _Chosen, term: date, actor: str, today: date) -> None:
    """Accept the device's quote (`buy_out.accept_quote`) and record the final choice."""
    quote = chosen.quote
    assert quote is not None
    buy_out.accept_quote(
        contract, quote, chosen.device, chosen.model, actor, today, _at(chosen.index, "quote_id")
    )
    _record(contract.id, chosen.device.id, EndOfTerm.BUY_OUT, term, actor, today, quote_id=quote.id)


def _send_home(
    contract: Contract,
    customer: Customer,
    devices: Sequence[Device],
    term: date,
    actor: str,
    today: date,
    window_days: int,
) -> None:
    """The devices go home on `term`: each keeps the return order it is on already; the others go on one
    new end-of-term return order from the customer's pickup address, booked within the window."""
    new: list[Device] = []
    for device in devices:
        order = _waiting_return(device.id)
        if order is None:
            new.append(device)
        else:
            _record(contract.id, device.id, EndOfTerm.RETURN, term, actor, today, return_order_id=order.id)
    if not new:
        return
    if not customer.pickup_region or not customer.pickup_address:
        raise Conflict(
            f"Customer {customer.id} has no pickup address: add one before devices can go home.",
            errors={"pickup_address": ["Needed to collect the devices."]},
        )
    order = returns.create_return_order(
        contract.id,
        [device.serial for device in new],
        ReturnReason.END_OF_TERM,
        max(term, today),
        customer.pickup_region,
        customer.pickup_address,
        actor,
        window_days,
    )
    for device in new:
        _record(contract.id, device.id, EndOfTerm.RETURN, term, actor, today, return_order_id=order.id)


def _keep(contract: Contract, device: Device, actor: str, today: date) -> None:
    """The device stays on the extended contract: its end-of-term return order waiting for the pickup is
    cancelled (or, when it collects other devices too, the device is taken off it)."""
    order = _waiting_return(device.id)
    if order is None or order.reason != ReturnReason.END_OF_TERM or order.contract_id != contract.id:
        return
    others = db.session.scalar(
        select(ReturnOrderDevice.id)
        .where(ReturnOrderDevice.return_order_id == order.id, ReturnOrderDevice.device_id != device.id)
        .limit(1)
    )
    if others is None:
        returns.cancel_return_order(order.id, actor)
    else:
        returns.withdraw_device(lock_device(device.serial), today, actor, "kept: the contract is extended")


def _extension(
    contract: Contract,
    term: date,
    extension: EndOfTermExtension | None,
    months: int | None,
    actor: str,
) -> tuple[EndOfTermExtension, bool]:
    """The extension from `term`: the one made before (`months`, when given, must be its months), or a
    new one by `months`, else the contract's renewal months. Returns it and whether it is new."""
    if extension is not None:
        if months is not None and months != extension.months:
            raise Conflict(
                f"Contract {contract.id} was extended by {extension.months} months from {term} already.",
                errors={"extend_months": [f"The extension from {term} is {extension.months} months."]},
            )
        return extension, False
    months = months or contract.renewal_months
    extend_contract(contract.id, months, None, actor, finalized_invoice_from)
    extension = EndOfTermExtension(
        contract_id=contract.id, from_end_date=term, to_end_date=contract.end_date, months=months, actor=actor
    )
    db.session.add(extension)
    db.session.flush()
    return extension, True


def choose_end_of_term(
    contract_id: int,
    choices: Sequence[ChoiceRequest],
    extend_months: int | None,
    actor: str,
    today: date,
    policy: rules.EndOfTermPolicy,
    issuer_country: str,
    window_days: int,
    customer_scope: int | None = None,
) -> EndOfTermView:
    """Record the devices' choices (see the module's docstring) and answer the view. Until the end date the
    choices are for (after it, or for a terminated contract: 409); a field at fault is a 422 naming it
    (`devices.<i>.serial`, `.choice`, `.quote_id`, `extend_months`), a quote that cannot be accepted a
    409. All of it or nothing: the caller commits or rolls back."""
    get_contract(contract_id, customer_scope)  # another customer's contract: not found
    contract = lock_contract(contract_id)
    if contract.terminated_on is not None:
        raise Conflict(
            f"Contract {contract.id} was terminated on {contract.terminated_on}: its devices come back.",
            errors={"status": ["terminated"]},
        )
    term, extension = term_end(contract, today)
    if today > term:
        raise Conflict(
            f"Contract {contract.id} ended on {term}: its end-of-term choices are closed.",
            errors={"status": ["ended"]},
        )
    if extend_months is not None:
        if not 1 <= extend_months <= MAX_EXTENSION_MONTHS:
            raise Invalid.field("extend_months", f"From 1 to {MAX_EXTENSION_MONTHS}.")
        if not any(request.choice == EndOfTerm.EXTEND for request in choices):
            raise Invalid.field("extend_months", "Only with a device chosen extend.")
    customer = db.session.get(Customer, contract.customer_id)
    checked = _check_requests(contract, choices, _choices(contract.id))
    for chosen in checked:
        if chosen.request.choice == EndOfTerm.BUY_OUT:
            assert chosen.quote is not None
            buy_out.check_acceptable(
                contract,
                customer,
                chosen.quote,
                chosen.device,
                chosen.model,
                today,
                term,
                policy,
                issuer_country,
                _at(chosen.index, "quote_id"),
            )

    extended_now = False
    home: list[Device] = []
    for chosen in checked:
        choice = chosen.request.choice
        if choice == EndOfTerm.BUY_OUT:
            _buy_out(contract, chosen, term, actor, today)
        elif choice == EndOfTerm.RETURN:
            home.append(chosen.device)
        else:
            extension, made = _extension(contract, term, extension, extend_months, actor)
            extended_now = extended_now or made
            _keep(contract, chosen.device, actor, today)
            _record(contract.id, chosen.device.id, EndOfTerm.EXTEND, term, actor, today)
    if extended_now:  # the devices not kept on the extended contract go home on the old end date
        named = {chosen.device.id for chosen in checked}
        home += [device for _, device, _ in _deployed(contract.id) if device.id not in named]
    _send_home(contract, customer, home, term, actor, today, window_days)
    return end_of_term_view(contract.id, today, policy, issuer_country)

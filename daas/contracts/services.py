"""Contracts and deployments: sign, change the references invoices quote, terminate, deploy a device, end
a deployment. Plan changes and extensions are `plan_history`'s.

A contract's `reference` names it on every document (BT-12). Unless one is given it is `C-000123`, from the
contract's id: the row goes in with a unique placeholder and gets its default as soon as the id is known,
in the same transaction, so two contracts signed at once cannot race to one. A reference chosen by hand
may not look like such a default (`C-` and digits), so it never takes the one a later contract will get,
and two contracts never share one (409 on `reference`; the unique constraint stands behind the check).
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from daas.contracts import plan_history
from daas.contracts.models import Contract, ContractPlan, Deployment
from daas.contracts.renewal import RENEWAL_FIELDS, apply_renewal_settings
from daas.contracts.renewal_rules import DEFAULT_RENEWAL_MONTHS, DEFAULT_RENEWAL_NOTICE_DAYS
from daas.contracts.terms import default_end_date
from daas.core import clock, identifiers, money
from daas.core.errors import Conflict, Invalid, NotFound
from daas.customers.models import Customer
from daas.db import fetch_page
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import Device
from daas.devices.services import lock_device, transition_device
from daas.extensions import db
from daas.people.services import active_person
from daas.pricing.services import find_plan

REFERENCE_MAX_LENGTH = 40
_DEFAULT_REFERENCE = re.compile(r"C-[0-9]+", re.IGNORECASE)


def default_reference(contract_id: int) -> str:
    """How documents name a contract unless it was given a reference: C-000123."""
    return f"C-{contract_id:06d}"


def create_contract(
    customer_id: int,
    plan_code: str,
    start_date: date,
    end_date: date | None = None,
    minimum_monthly_amount: Decimal | None = None,
    *,
    reference: str | None = None,
    purchase_order: str | None = None,
    renews: bool = False,
    renewal_months: int = DEFAULT_RENEWAL_MONTHS,
    renewal_notice_days: int = DEFAULT_RENEWAL_NOTICE_DAYS,
    actor: str = "daas",
) -> Contract:
    """Sign a contract: a customer on a plan from a start date, the first plan of its history (`actor` signed
    it). `reference` names it on documents (`C-000123` from its id when not given); `purchase_order` is the
    customer's order its invoices quote; with `renews` it extends itself by `renewal_months` on its end date
    (daas.contracts.renewal)."""
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise Invalid.field("customer_id", f"Unknown customer {customer_id}.")
    plan = find_plan(plan_code)
    if plan.currency != customer.currency:
        raise Invalid.field(
            "plan_code", f"The plan bills in {plan.currency}; the customer pays in {customer.currency}."
        )
    end_date = end_date or default_end_date(start_date, plan.term_months)
    if end_date <= start_date:
        raise Invalid.field("end_date", "Must be after start_date.")
    if minimum_monthly_amount is not None and money.decimal_places(minimum_monthly_amount) > money.exponent(
        plan.currency
    ):
        raise Invalid.field(
            "minimum_monthly_amount",
            f"{plan.currency} amounts have {money.exponent(plan.currency)} decimals.",
        )
    contract = Contract(
        customer=customer,
        plan=plan,
        start_date=start_date,
        end_date=end_date,
        minimum_monthly_amount=minimum_monthly_amount,
        # Unique until the id is known, then the default reference from it.
        reference=_checked_reference(reference, None) if reference else f"new-{uuid.uuid4().hex}",
        purchase_order=_text_or_none(purchase_order),
        renews=False,
        renewal_months=DEFAULT_RENEWAL_MONTHS,
        renewal_notice_days=DEFAULT_RENEWAL_NOTICE_DAYS,
    )
    apply_renewal_settings(
        contract,
        {"renews": renews, "renewal_months": renewal_months, "renewal_notice_days": renewal_notice_days},
        clock.today(),
    )
    db.session.add(contract)
    db.session.flush()
    if not reference:
        contract.reference = default_reference(contract.id)
        db.session.flush()
    plan_history.start_history(contract, actor)
    return contract


def update_contract(contract_id: int, changes: dict[str, Any]) -> Contract:
    """Change what documents quote of a contract, its `reference` and `purchase_order` (None removes the
    purchase order; documents issued before keep what they said), and its renewal settings."""
    contract = get_contract(contract_id)
    renewal = {name: changes[name] for name in RENEWAL_FIELDS if name in changes}
    if renewal:
        apply_renewal_settings(contract, renewal, clock.today())
    if "reference" in changes:
        contract.reference = _checked_reference(changes["reference"], contract.id)
    if "purchase_order" in changes:
        contract.purchase_order = _text_or_none(changes["purchase_order"])
    db.session.flush()
    return contract


def _checked_reference(reference: str | None, contract_id: int | None) -> str:
    """The reference, if the contract `contract_id` (None: a new one) may have it."""
    reference = (reference or "").strip()
    if not identifiers.CODE.match(reference) or len(reference) > REFERENCE_MAX_LENGTH:
        raise Invalid.field(
            "reference",
            f"1 to {REFERENCE_MAX_LENGTH} letters, digits and . _ - / starting with a letter or a digit.",
        )
    own_default = contract_id is not None and reference == default_reference(contract_id)
    if _DEFAULT_REFERENCE.fullmatch(reference) and not own_default:
        raise Invalid.field(
            "reference", "C- and digits is how contracts are named by default; choose another reference."
        )
    taken = select(Contract.id).where(Contract.reference == reference)
    if contract_id is not None:
        taken = taken.where(Contract.id != contract_id)
    if db.session.scalar(taken.limit(1)) is not None:
        raise Conflict(
            f"Another contract has the reference {reference}.", errors={"reference": ["Already in use."]}
        )
    return reference


def _text_or_none(text: str | None) -> str | None:
    return (text or "").strip() or None


def get_contract(contract_id: int, customer_scope: int | None = None) -> Contract:
    contract = db.session.get(Contract, contract_id)
    if contract is None or (customer_scope is not None and contract.customer_id != customer_scope):
        raise NotFound(f"No contract {contract_id}.")
    return contract


def list_contracts(
    customer_id: int | None = None,
    status: str | None = None,
    customer_scope: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Contract], int]:
    query = select(Contract).options(
        joinedload(Contract.plan), selectinload(Contract.plans).joinedload(ContractPlan.plan)
    )
    if customer_scope is not None:
        query = query.where(Contract.customer_id == customer_scope)
    if customer_id is not None:
        query = query.where(Contract.customer_id == customer_id)
    today = clock.today()
    if status == "active":
        query = query.where(Contract.end_date > today)
    elif status == "ended":
        query = query.where(Contract.end_date <= today, Contract.terminated_on.is_(None))
    elif status == "terminated":
        query = query.where(Contract.end_date <= today, Contract.terminated_on.is_not(None))
    return fetch_page(query.order_by(Contract.id), offset, limit)


def check_termination(contract: Contract, end_date: date) -> None:
    """A contract may end early on `end_date`: not terminated already (409), and the day after its start,
    at most its end date (422 on end_date)."""
    if contract.terminated_on is not None:
        raise Conflict(
            f"Contract {contract.id} was already terminated on {contract.terminated_on}.",
            errors={"status": ["terminated"]},
        )
    if not contract.start_date < end_date <= contract.end_date:
        raise Invalid.field(
            "end_date", f"Must be after {contract.start_date} and at most {contract.end_date}."
        )


def terminate_contract(contract_id: int, end_date: date, *, returns_follow: bool = False) -> Contract:
    """End a contract before its term, on its locked row. Every device must be off it by then (returned or
    handed back); with `returns_follow` the devices still deployed may stay, because the caller puts them
    on return orders, whose pickups end their deployments. A deployment that ended after the new end, or
    began on or after it, is refused either way: those days would fall outside the contract. A plan change
    that was to take effect on or after the new end is dropped."""
    contract = plan_history.lock_contract(contract_id)
    check_termination(contract, end_date)
    outside = or_(Deployment.end_date > end_date, Deployment.start_date >= end_date)
    if not returns_follow:
        outside = or_(outside, Deployment.end_date.is_(None))
    still_there = db.session.scalars(
        select(Device.serial)
        .join(Deployment, Deployment.device_id == Device.id)
        .where(Deployment.contract_id == contract.id, outside)
    ).all()
    if still_there:
        raise Conflict(
            f"Devices are deployed on the contract after {end_date}: {', '.join(sorted(still_there))}.",
            errors={"end_date": ["End or return every deployment first."]},
        )
    contract.end_date = end_date
    contract.terminated_on = end_date
    db.session.flush()
    plan_history.end_history(contract, end_date)
    return contract


def check_deployable(
    contract: Contract,
    device: Device,
    start_date: date,
    *,
    date_field: str = "start_date",
    device_field: str = "serial",
) -> None:
    """A deployment from `start_date` fits the contract: within its term, and on a plan that would bill
    the device (a plan with device charges only for named models cannot take another model)."""
    if start_date < contract.start_date or start_date >= contract.end_date:
        raise Invalid.field(
            date_field,
            f"Must fall within the contract: from {contract.start_date}, before {contract.end_date}.",
        )
    device_charges = [charge for charge in contract.plan.charges if charge.kind == "device_monthly"]
    named_models = {charge.device_model_id for charge in device_charges}
    if device_charges and None not in named_models and device.device_model_id not in named_models:
        raise Invalid.field(
            device_field, f"Plan {contract.plan.code} has no charge for {device.device_model.sku}."
        )


def deploy_device(
    contract_id: int, serial: str, start_date: date, actor: str, *, person_id: int | None = None
) -> Deployment:
    """Put an in-stock device on a contract from `start_date` (409 when it is deployed elsewhere), for
    `person_id` when given: an active person of the contract's customer (else a 422 on person_id)."""
    contract = get_contract(contract_id)
    if person_id is not None:
        active_person(person_id, contract.customer_id, "person_id")
    device = lock_device(serial)
    check_deployable(contract, device, start_date)
    transition_device(
        device,
        "deploy",
        start_date,
        actor,
        field_name="start_date",
        contract_id=contract.id,
        reference=f"contract {contract.id}",
    )
    deployment = Deployment(device=device, contract=contract, start_date=start_date, person_id=person_id)
    db.session.add(deployment)
    db.session.flush()
    return deployment


def open_deployment(contract_id: int, serial: str, customer_scope: int | None = None) -> Deployment:
    get_contract(contract_id, customer_scope)
    deployment = db.session.scalar(
        select(Deployment)
        .join(Device, Deployment.device_id == Device.id)
        .where(Deployment.contract_id == contract_id, Device.serial == serial, Deployment.end_date.is_(None))
    )
    if deployment is None:
        raise NotFound(f"Device {serial} is not deployed on contract {contract_id}.")
    return deployment


def end_deployment(contract_id: int, serial: str, end_date: date, actor: str) -> Deployment:
    """The device was handed back in person: its deployment ends on `end_date` (not billed) and the
    device is `received`, ready for wiping."""
    deployment = open_deployment(contract_id, serial)
    device = lock_device(serial, field_name=None)
    if end_date < deployment.start_date:
        raise Invalid.field(
            "end_date", f"Must be on or after the deployment's start ({deployment.start_date})."
        )
    if end_date > deployment.contract.end_date:
        raise Invalid.field(
            "end_date", f"Must be on or before the contract's end ({deployment.contract.end_date})."
        )
    if end_date > clock.today():
        raise Invalid.field("end_date", "A device cannot be handed back in the future.")
    transition_device(
        device,
        "hand_back",
        end_date,
        actor,
        field_name="end_date",
        contract_id=contract_id,
        reference=f"contract {contract_id}: handed back in person",
    )
    deployment.end_date = end_date
    db.session.flush()
    return deployment


def list_deployments(
    contract_id: int,
    customer_scope: int | None = None,
    current: bool | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Deployment], int]:
    get_contract(contract_id, customer_scope)
    query = (
        select(Deployment).options(joinedload(Deployment.device)).where(Deployment.contract_id == contract_id)
    )
    if current is True:
        query = query.where(Deployment.end_date.is_(None))
    elif current is False:
        query = query.where(Deployment.end_date.is_not(None))
    return fetch_page(query.order_by(Deployment.start_date, Deployment.id), offset, limit)


def current_contract_id(device_id: int) -> int | None:
    return db.session.scalar(
        select(Deployment.contract_id).where(Deployment.device_id == device_id, Deployment.end_date.is_(None))
    )


def deployed_serials(contract_id: int, limit: int | None = None) -> list[str]:
    """The serials of the devices serving the contract now (not yet on their way back), in order."""
    query = (
        select(Device.serial)
        .join(Deployment, Deployment.device_id == Device.id)
        .where(
            Deployment.contract_id == contract_id,
            Deployment.end_date.is_(None),
            Device.status == DeviceStatus.DEPLOYED,
        )
        .order_by(Device.serial)
    )
    return list(db.session.scalars(query.limit(limit) if limit is not None else query))

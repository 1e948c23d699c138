"""A refresh `replace` ships its replacement through an order (orders.md "Replacements"): the order is
opened when the replace is approved, and its delivery completes the refresh."""

from __future__ import annotations

from sqlalchemy import select

from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract, Deployment
from daas.core import clock
from daas.core.errors import Conflict, Invalid, NotFound
from daas.customers.models import Customer
from daas.extensions import db
from daas.logistics.models import RefreshOrder, RefreshStatus
from daas.logistics.rules import RefreshAction
from daas.orders import catalog, rules
from daas.orders.models import Order
from daas.orders.ordering import place_order
from daas.people.models import Person, PersonStatus
from daas.people.rules import address_of


def open_replacement_order(refresh_order_id: int, actor: str) -> Order:
    """An approved refresh `replace` ships its replacement through an approved order: the replacement SKU
    on the device's contract, for the person the old device served, to their address (else the customer's
    billing address) and region (else the customer's pickup region), from the refresh's due date (today if
    that is past). The refresh is then completed by the delivery, not by hand."""
    refresh = db.session.scalar(
        select(RefreshOrder).where(RefreshOrder.id == refresh_order_id).with_for_update()
    )
    if refresh is None:
        raise NotFound(f"No refresh order {refresh_order_id}.")
    if refresh.status != RefreshStatus.APPROVED or refresh.action != RefreshAction.REPLACE:
        raise Conflict(
            f"Refresh order {refresh.id} is not an approved replacement.",
            errors={"status": [f"The refresh order is {refresh.status}."]},
        )
    contract = db.session.get(Contract, refresh.contract_id)
    model = db.session.scalar(select(DeviceModel).where(DeviceModel.sku == refresh.replacement_sku))
    charges = catalog.plan_device_charges([contract.plan_id])[contract.plan_id]
    if model is None or rules.monthly_amount(charges, model.id) is None:
        raise Invalid.field(
            "replacement_sku", f"Plan {contract.plan.code} does not bill {refresh.replacement_sku}."
        )
    person_id = db.session.scalar(select(Deployment.person_id).where(Deployment.id == refresh.deployment_id))
    person = db.session.get(Person, person_id) if person_id is not None else None
    if person is not None and person.status != PersonStatus.ACTIVE:
        person = None  # someone leaving gets no replacement: it goes to the customer
    customer = db.session.get(Customer, contract.customer_id)
    address = None
    if person is None:
        address = address_of(customer)
        if not (address["line1"] and address["postcode"] and address["city"]):
            raise Conflict(
                "The replacement has no one to go to: the device serves no person and the customer's "
                "billing address is incomplete.",
                errors={"address": ["Complete the customer's billing address first."]},
            )
    order = place_order(
        contract.id,
        [{"sku": model.sku, "quantity": 1, "person_id": person.id if person else None}],
        max(refresh.due_date, clock.today()),
        actor,
        address=address,
        region=(person.region if person is not None else None) or customer.pickup_region,
        refresh_order_id=refresh.id,
    )
    refresh.completes_on_delivery = True
    db.session.flush()
    return order

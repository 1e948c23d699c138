"""The data the schemathesis run works on: two customers with everything a role can reach (contracts,
devices in each state of the takeback, invoices with a payment and a credit note, return and refresh
orders, a wipe certificate, pickup slots), a user and token per role, and the ids the generated requests
are pointed at.

Generated path parameters are mostly small numbers and short strings; `aim` maps each onto one of the
world's objects of that kind (the caller's own, the other customer's, or one that does not exist), so
every operation is reached with real objects on SQLite and PostgreSQL alike, whatever the sequences hold.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from daas.api.converters import MAX_ID
from daas.auth.services import create_token
from daas.billing.credit_notes import create_credit_note
from daas.billing.models import Invoice
from daas.contracts.models import Deployment
from daas.contracts.services import deploy_device, end_deployment
from daas.core.periods import Period
from daas.extensions import db
from daas.logistics import takeback
from daas.logistics.models import RefreshOrder
from daas.logistics.returns import create_return_order
from daas.logistics.slots import create_slot
from daas.orders import delivery_slots
from daas.orders.ordering import place_order
from daas.orders.shipments import create_shipment, ship_shipment
from daas.payments.services import record_bank_transfer
from daas.people.services import create_person
from daas.settings import current_settings
from daas.workshop.scenarios import create_saved_scenario
from tests import factories
from tests.billing_helpers import bill, finalize_run
from tests.charge_helpers import add, propose
from tests.shipment_helpers import Fleet, reserved_order

ROLES = ("admin", "finance", "logistics", "customer")
TODAY = date(2026, 11, 15)
WIPE = {
    "method": "purge",
    "standard": "NIST SP 800-88 Rev. 1",
    "verification": "full",
    "verified_by": "QA lead",
    "on": date(2026, 11, 2),
}
# Path parameters by name, and by path where one name means two things (order_id).
_KINDS = {
    "customer_id": "customer",
    "contract_id": "contract",
    "model_id": "model",
    "metric_id": "metric",
    "plan_id": "plan",
    "user_id": "user",
    "token_id": "token",
    "run_id": "run",
    "invoice_id": "invoice",
    "note_id": "note",
    "slot_id": "slot",
    "certificate_id": "certificate",
    "serial": "serial",
    "person_id": "person",
    "shipment_id": "shipment",
    "charge_id": "charge",
    "scenario_id": "scenario",
}


@dataclass
class World:
    tokens: dict[str, str] = field(default_factory=dict)
    # Every object of a kind, the caller's first; `aim` also picks ids that name nothing.
    objects: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, kind: str, *values: Any) -> None:
        self.objects.setdefault(kind, []).extend(values)

    def aim(self, case: Any) -> None:
        """Point the case's path parameters at the world's objects (a value that is not a valid id or
        serial stays as generated: it tests the refusal)."""
        for name, value in list((case.path_parameters or {}).items()):
            kind = _KINDS.get(name)
            if name == "order_id":
                kind = "refresh" if "/refresh-orders/" in case.path else "return_order"
                kind = kind if "-orders/" in case.path else "order"
            if name == "slot_id" and "/delivery-slots/" in case.path:
                kind = "delivery_slot"
            if kind is None:
                continue
            if kind == "serial":
                if isinstance(value, str) and value.isascii() and value[:1].isalnum():
                    choices = [*self.objects[kind], "NO-SUCH-SERIAL"]
                    case.path_parameters[name] = choices[zlib.crc32(value.encode()) % len(choices)]
            elif isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID:
                choices = [*self.objects[kind], MAX_ID]
                case.path_parameters[name] = choices[value % len(choices)]


def _customer_world(world: World, name: str) -> dict[str, Any]:
    """A customer on a plan, with a deployed device, one on a return order, one handed back and wiped,
    one graded, a refresh order and pickup slots."""
    model = factories.device_model()
    customer = factories.customer(name=name)
    metric = factories.metric()
    plan = factories.plan(
        charges=[
            {"kind": "device_monthly", "unit_amount": Decimal("39.00")},
            {"kind": "metered", "metric": metric.code, "model": "per_unit", "unit_amount": Decimal("2.50")},
        ]
    )
    contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
    people = [
        create_person(
            customer.id,
            {
                "name": person_name,
                "email": f"{person_name.lower()}@{name.split(maxsplit=1)[0].lower()}.example",
                "address": {"line1": "Damrak 1", "postcode": "1012 LG", "city": "Amsterdam", "country": "NL"},
                "region": "NL-AMS",
            },
        )
        for person_name in ("Ada", "Bob")
    ]
    deployed, returning, wiped, graded = (factories.device(model.sku) for _ in range(4))
    for device in (deployed, returning, wiped, graded):
        deploy_device(contract.id, device.serial, date(2026, 2, 1), "tests", person_id=people[0].id)
    for device in (wiped, graded):
        end_deployment(contract.id, device.serial, date(2026, 11, 1), "tests")
        certificate = takeback.wipe_device(device.serial, WIPE, "tests")
    takeback.grade_device(
        graded.serial, "B", "tests", date(2026, 11, 3), policy=current_settings().end_of_term
    )
    slot = create_slot(factories.unique("NL-AMS"), date(2026, 11, 20), 5)
    create_slot(slot.region, date(2026, 11, 27), 5)
    order = create_return_order(
        contract.id,
        [returning.serial],
        "defect",
        date(2026, 11, 20),
        slot.region,
        "Damrak 1, Amsterdam",
        "tests",
        14,
    )
    refresh = RefreshOrder(
        device_id=deployed.id,
        contract_id=contract.id,
        deployment_id=db.session.scalar(select(Deployment.id).where(Deployment.device_id == deployed.id)),
        due_date=date(2027, 1, 1),
        proposed_action="upgrade",
        reason="battery health 85%",
        status="open",
    )
    db.session.add(refresh)
    db.session.flush()
    world.add("customer", customer.id)
    world.add("contract", contract.id)
    world.add("model", model.id)
    world.add("metric", metric.id)
    world.add("plan", plan.id)
    world.add("serial", deployed.serial, returning.serial, wiped.serial, graded.serial)
    world.add("slot", slot.id)
    world.add("return_order", order.id)
    world.add("refresh", refresh.id)
    world.add("certificate", certificate.id)
    world.add("person", *(person.id for person in people))
    world.add(
        "scenario",
        create_saved_scenario(customer.id, "Longer", "extend", {"months": 12}, 4, "tests").id,
        create_saved_scenario(customer.id, "Upgrades", "upgrade_first", {}, 4, "tests").id,
    )
    ordered = place_order(
        contract.id, [{"sku": model.sku, "quantity": 1, "person_id": people[0].id}], TODAY, "tests"
    )
    world.add("order", ordered.id)
    delivery_slot = delivery_slots.create_slot(slot.region, date(2026, 11, 20), 5)
    reserved, serials = reserved_order(Fleet(customer, contract, model, people[0]), 2, region=slot.region)
    packed = create_shipment(reserved.id, serials[:1], "tests", reusable_box_id="BOX-1")
    shipped = create_shipment(
        reserved.id, serials[1:], "tests", packaging=[{"material": "bamboo", "kg": Decimal("1.000")}]
    )
    ship_shipment(shipped.id, "PostNL", "3S123", date(2026, 11, 12), "tests")
    world.add("delivery_slot", delivery_slot.id)
    world.add("shipment", packed.id, shipped.id)
    return {"customer": customer, "contract": contract}


def build_world() -> World:
    """Both customers' worlds, October billed and finalized (one invoice part paid by bank transfer, each
    with a credit note), a stock device, and a user and token per role (the customer user is the first
    customer's)."""
    world = World()
    mine = _customer_world(world, "Mine B.V.")
    theirs = _customer_world(world, "Theirs GmbH")
    world.add("serial", factories.device().serial)
    run = bill(Period.parse("2026-10"))
    finalize_run(run.id)
    world.add("run", run.id)
    invoices = db.session.scalars(
        select(Invoice).where(Invoice.billing_run_id == run.id).order_by(Invoice.id)
    )
    for invoice in invoices:
        record_bank_transfer(
            invoice.id, Decimal("10.00"), factories.unique("BANK"), date(2026, 11, 10), "tests"
        )
        note = create_credit_note(
            invoice.id, "goodwill", "tests", current_settings().issuer, amount=Decimal("1.00")
        )
        world.add("invoice", invoice.id)
        world.add("note", note.id)
    for made in (mine, theirs):  # after October's invoices: charges a later run would bill
        world.add("charge", add(made["contract"]).id, propose(made["contract"]).id)
    for role in ROLES:
        user = factories.user(role, mine["customer"].id if role == "customer" else None)
        record, world.tokens[role] = create_token(user.id, "fuzz")
        world.add("user", user.id)
        world.add("token", record.id)
    db.session.commit()
    return world

"""Every endpoint family against every role: 401 without a token, 403 for a role api.md does not allow,
and 404 (never 403) for another customer's objects."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from daas.auth.services import create_token
from daas.billing.credit_notes import create_credit_note
from daas.billing.models import Invoice
from daas.contracts.models import Deployment
from daas.contracts.services import deploy_device
from daas.core.periods import Period
from daas.devices.models import WipeCertificate
from daas.extensions import db
from daas.logistics.models import RefreshOrder
from daas.logistics.returns import create_return_order
from daas.logistics.slots import create_slot
from daas.orders import delivery_slots
from daas.orders.ordering import place_order
from daas.orders.shipments import create_shipment
from daas.payments.models import StripeEvent
from daas.people.services import create_person
from daas.settings import current_settings
from daas.workshop.scenarios import create_saved_scenario
from tests import factories
from tests import outbox_helpers as rows
from tests.billing_helpers import bill, finalize_run
from tests.charge_helpers import propose
from tests.helpers import bearer
from tests.shipment_helpers import Fleet, reserved_order

ROLES = ("admin", "finance", "logistics", "customer")
STAFF_READ = {"admin", "finance", "logistics", "customer"}
EVERYONE = {"admin", "finance", "logistics", "customer"}

# (method, path, body, roles allowed). Paths use {contract}, {customer}, {model}, {metric}, {plan}, {serial},
# {user}, {token} of the caller's own world ({grid_version}: 1, stored by the migrations); bodies need not
# be valid: only the access decision is checked.
MATRIX = [
    ("GET", "/api/v1/me", None, {"admin", "finance", "logistics", "customer"}),
    # A customer user's own choice of e-mails: staff, admin included, have none (403).
    ("GET", "/api/v1/notification-preferences", None, {"customer"}),
    ("PUT", "/api/v1/notification-preferences", {"preferences": {}}, {"customer"}),
    ("GET", "/api/v1/users", None, {"admin"}),
    ("POST", "/api/v1/users", {}, {"admin"}),
    ("GET", "/api/v1/users/{user}/tokens", None, {"admin"}),
    ("POST", "/api/v1/users/{user}/tokens", {}, {"admin"}),
    ("POST", "/api/v1/users/{user}/tokens/{token}/revoke", None, {"admin"}),
    ("PATCH", "/api/v1/users/{user}", {"can_approve": False}, {"admin"}),
    ("GET", "/api/v1/people", None, EVERYONE),
    ("POST", "/api/v1/people", {}, EVERYONE),
    ("POST", "/api/v1/people/import", {}, EVERYONE),
    ("GET", "/api/v1/people/devices.csv", None, EVERYONE),
    ("GET", "/api/v1/people/{person}", None, EVERYONE),
    ("PATCH", "/api/v1/people/{person}", {}, EVERYONE),
    ("POST", "/api/v1/people/{person}/offboard", {}, EVERYONE),
    ("GET", "/api/v1/customers", None, {"admin", "finance", "customer"}),
    ("POST", "/api/v1/customers", {}, {"admin", "finance"}),
    ("GET", "/api/v1/customers/{customer}", None, {"admin", "finance", "customer"}),
    ("PATCH", "/api/v1/customers/{customer}", {}, {"admin", "finance"}),
    ("GET", "/api/v1/device-models", None, STAFF_READ),
    ("POST", "/api/v1/device-models", {}, {"admin"}),
    ("GET", "/api/v1/device-models/{model}", None, STAFF_READ),
    ("PATCH", "/api/v1/device-models/{model}", {}, {"admin"}),
    ("GET", "/api/v1/metrics", None, STAFF_READ),
    ("POST", "/api/v1/metrics", {}, {"admin"}),
    ("GET", "/api/v1/metrics/{metric}", None, STAFF_READ),
    ("GET", "/api/v1/plans", None, STAFF_READ),
    ("POST", "/api/v1/plans", {}, {"admin"}),
    ("GET", "/api/v1/plans/{plan}", None, STAFF_READ),
    ("GET", "/api/v1/contracts", None, {"admin", "finance", "logistics", "customer"}),
    ("POST", "/api/v1/contracts", {}, {"admin"}),
    ("GET", "/api/v1/contracts/{contract}", None, {"admin", "finance", "logistics", "customer"}),
    ("PATCH", "/api/v1/contracts/{contract}", {}, {"admin", "finance"}),
    # The customer previews what ending its own contract costs; admin and finance confirm it.
    ("POST", "/api/v1/contracts/{contract}/terminate", {}, {"admin", "finance", "customer"}),
    (
        "POST",
        "/api/v1/contracts/{contract}/terminate?confirm=true",
        {"end_date": "2026-12-01"},
        {"admin", "finance"},
    ),
    ("POST", "/api/v1/contracts/{contract}/plan-changes", {}, {"admin", "finance"}),
    ("POST", "/api/v1/contracts/{contract}/extend", {}, {"admin", "finance"}),
    # The customer decides for its own contracts (another customer's: 404, below).
    ("GET", "/api/v1/contracts/{contract}/end-of-term", None, {"admin", "finance", "customer"}),
    ("POST", "/api/v1/contracts/{contract}/end-of-term", {}, {"admin", "finance", "customer"}),
    ("GET", "/api/v1/contracts/{contract}/devices", None, {"admin", "finance", "logistics", "customer"}),
    ("POST", "/api/v1/contracts/{contract}/devices", {}, {"admin", "logistics"}),
    ("POST", "/api/v1/contracts/{contract}/devices/{serial}/end", {}, {"admin", "logistics"}),
    ("POST", "/api/v1/contracts/{contract}/devices/{serial}/reassign", {}, EVERYONE),
    ("GET", "/api/v1/devices", None, {"admin", "logistics", "customer"}),
    ("POST", "/api/v1/devices", {}, {"admin", "logistics"}),
    ("GET", "/api/v1/devices/{serial}", None, {"admin", "logistics", "customer"}),
    ("PATCH", "/api/v1/devices/{serial}", {}, {"admin", "logistics"}),
    ("POST", "/api/v1/usage-events", {}, {"admin", "customer"}),
    ("GET", "/api/v1/billing-runs", None, {"admin", "finance"}),
    ("POST", "/api/v1/billing-runs", {}, {"admin", "finance"}),
    ("GET", "/api/v1/billing-runs/{run}", None, {"admin", "finance"}),
    ("POST", "/api/v1/billing-runs/{run}/finalize", None, {"admin", "finance"}),
    ("GET", "/api/v1/invoices", None, {"admin", "finance", "customer"}),
    ("GET", "/api/v1/invoices/export.csv", None, {"admin", "finance"}),
    ("GET", "/api/v1/invoices/{invoice}", None, {"admin", "finance", "customer"}),
    ("GET", "/api/v1/invoices/{invoice}.pdf", None, {"admin", "finance", "customer"}),
    ("GET", "/api/v1/invoices/{invoice}.xml", None, {"admin", "finance", "customer"}),
    ("POST", "/api/v1/invoices/{invoice}/finalize", None, {"admin", "finance"}),
    ("POST", "/api/v1/invoices/{invoice}/void", {}, {"admin", "finance"}),
    ("POST", "/api/v1/invoices/{invoice}/credit-notes", {}, {"admin", "finance"}),
    ("GET", "/api/v1/invoices/{invoice}/credit-notes/{note}.pdf", None, {"admin", "finance", "customer"}),
    ("GET", "/api/v1/invoices/{invoice}/credit-notes/{note}.xml", None, {"admin", "finance", "customer"}),
    ("GET", "/api/v1/customers/{customer}/statement", None, {"admin", "finance", "customer"}),
    ("GET", "/api/v1/customers/{customer}/statement.pdf", None, {"admin", "finance", "customer"}),
    ("GET", "/api/v1/accounting/journal.csv", None, {"admin", "finance"}),
    ("GET", "/api/v1/customers/{customer}/payment-method", None, {"admin", "finance", "customer"}),
    ("POST", "/api/v1/customers/{customer}/payment-method", {}, {"admin", "finance", "customer"}),
    ("POST", "/api/v1/customers/{customer}/setup-intent", None, {"admin", "finance", "customer"}),
    # The what-if planner: the customer's own users, finance and admin (another customer's: 404, below).
    ("POST", "/api/v1/customers/{customer}/scenarios", {}, {"admin", "finance", "customer"}),
    ("GET", "/api/v1/customers/{customer}/saved-scenarios", None, {"admin", "finance", "customer"}),
    (
        "POST",
        "/api/v1/customers/{customer}/saved-scenarios",
        {"name": "As it is", "kind": "as_is"},
        {"admin", "finance", "customer"},
    ),
    (
        "POST",
        "/api/v1/customers/{customer}/saved-scenarios/{scenario}/apply",
        None,
        {"admin", "finance", "customer"},
    ),
    ("GET", "/api/v1/contracts/{contract}/charges", None, {"admin", "finance", "customer"}),
    ("POST", "/api/v1/contracts/{contract}/charges", {}, {"admin", "finance"}),
    ("GET", "/api/v1/charges/{charge}", None, {"admin", "finance", "customer"}),
    ("POST", "/api/v1/charges/{charge}/approve", None, {"admin", "finance"}),
    ("POST", "/api/v1/charges/{charge}/waive", None, {"admin", "finance"}),
    # The customer of the charge's contract (another customer's charge: 404, below).
    ("POST", "/api/v1/charges/{charge}/dispute", {}, {"admin", "customer"}),
    ("POST", "/api/v1/charges/{charge}/uphold", None, {"admin", "finance"}),
    ("POST", "/api/v1/charges/{charge}/grant", None, {"admin", "finance"}),
    ("POST", "/api/v1/invoices/{invoice}/payments", {}, {"admin", "finance"}),
    ("POST", "/api/v1/invoices/{invoice}/collect", None, {"admin", "finance"}),
    ("GET", "/api/v1/orders", None, EVERYONE),
    ("POST", "/api/v1/orders", {}, {"admin", "logistics", "customer"}),
    ("GET", "/api/v1/orders/{order}", None, EVERYONE),
    # A customer user approves only with can_approve, else 403 like finance (tests/api/test_orders.py).
    ("POST", "/api/v1/orders/{order}/approve", None, {"admin", "logistics"}),
    ("POST", "/api/v1/orders/{order}/cancel", None, {"admin", "logistics", "customer"}),
    ("POST", "/api/v1/orders/{order}/allocate", None, {"admin", "logistics"}),
    ("GET", "/api/v1/contracts/{contract}/catalog", None, {"admin", "logistics", "customer"}),
    ("GET", "/api/v1/delivery-slots", None, {"admin", "logistics"}),
    ("POST", "/api/v1/delivery-slots", {}, {"admin", "logistics"}),
    ("PATCH", "/api/v1/delivery-slots/{delivery_slot}", {}, {"admin", "logistics"}),
    ("GET", "/api/v1/delivery-slots.ics", None, {"admin", "logistics"}),
    ("GET", "/api/v1/shipments", None, {"admin", "logistics", "customer"}),
    ("POST", "/api/v1/shipments", {}, {"admin", "logistics"}),
    ("GET", "/api/v1/shipments/{shipment}", None, {"admin", "logistics", "customer"}),
    ("POST", "/api/v1/shipments/{shipment}/ship", {}, {"admin", "logistics"}),
    ("POST", "/api/v1/shipments/{shipment}/deliver", {}, {"admin", "logistics"}),
    ("POST", "/api/v1/shipments/{shipment}/fail", {}, {"admin", "logistics"}),
    ("GET", "/api/v1/shipments/{shipment}/packing-slip.pdf", None, {"admin", "logistics"}),
    ("GET", "/api/v1/pickup-slots", None, {"admin", "logistics", "customer"}),
    ("POST", "/api/v1/pickup-slots", {}, {"admin", "logistics"}),
    ("PATCH", "/api/v1/pickup-slots/{slot}", {}, {"admin", "logistics"}),
    ("GET", "/api/v1/pickup-slots.ics", None, {"admin", "logistics"}),
    ("GET", "/api/v1/return-orders", None, {"admin", "logistics", "customer"}),
    ("POST", "/api/v1/return-orders", {}, {"admin", "logistics", "customer"}),
    ("GET", "/api/v1/return-orders/export.csv", None, {"admin", "logistics"}),
    ("GET", "/api/v1/dispositions.csv", None, {"admin", "logistics"}),
    ("GET", "/api/v1/return-orders/{return_order}", None, {"admin", "logistics", "customer"}),
    ("POST", "/api/v1/return-orders/{return_order}/schedule", {}, {"admin", "logistics", "customer"}),
    ("POST", "/api/v1/return-orders/{return_order}/pickup", {}, {"admin", "logistics"}),
    ("POST", "/api/v1/return-orders/{return_order}/receive", {}, {"admin", "logistics"}),
    ("POST", "/api/v1/return-orders/{return_order}/cancel", None, {"admin", "logistics", "customer"}),
    ("GET", "/api/v1/refresh-orders", None, {"admin", "logistics", "customer"}),
    ("GET", "/api/v1/refresh-orders/{refresh}", None, {"admin", "logistics", "customer"}),
    ("POST", "/api/v1/refresh-orders/{refresh}/approve", {}, {"admin", "logistics", "customer"}),
    ("POST", "/api/v1/refresh-orders/{refresh}/reschedule", {}, {"admin", "logistics", "customer"}),
    ("POST", "/api/v1/refresh-orders/{refresh}/complete", {}, {"admin", "logistics"}),
    ("POST", "/api/v1/devices/{serial}/wipe", {}, {"admin", "logistics"}),
    ("POST", "/api/v1/devices/{serial}/grade", {}, {"admin", "logistics"}),
    ("POST", "/api/v1/devices/{serial}/disposition", {}, {"admin", "logistics"}),
    ("POST", "/api/v1/devices/{serial}/restock", {}, {"admin", "logistics"}),
    ("POST", "/api/v1/devices/{serial}/lost", {}, {"admin", "logistics"}),
    ("GET", "/api/v1/devices/{serial}/wipe-certificates", None, {"admin", "logistics", "customer"}),
    (
        "GET",
        "/api/v1/devices/{serial}/wipe-certificates/{certificate}.pdf",
        None,
        {"admin", "logistics", "customer"},
    ),
    ("GET", "/api/v1/contracts/{contract}/impact", None, {"admin", "finance", "customer"}),
    ("GET", "/api/v1/contracts/{contract}/impact.csv", None, {"admin", "finance", "customer"}),
    ("GET", "/api/v1/contracts/{contract}/impact.pdf", None, {"admin", "finance", "customer"}),
    ("GET", "/api/v1/contracts/{contract}/impact/ledger.csv", None, {"admin", "finance", "customer"}),
    ("GET", "/api/v1/impact/report", None, {"admin", "finance"}),
    ("GET", "/api/v1/impact/report.csv", None, {"admin", "finance"}),
    (
        "GET",
        "/api/v1/customers/{customer}/sustainability-report?year=2026",
        None,
        {"admin", "finance", "customer"},
    ),
    (
        "GET",
        "/api/v1/customers/{customer}/sustainability-report.csv?year=2026",
        None,
        {"admin", "finance", "customer"},
    ),
    (
        "GET",
        "/api/v1/customers/{customer}/sustainability-report.xlsx?year=2026",
        None,
        {"admin", "finance", "customer"},
    ),
    (
        "GET",
        "/api/v1/customers/{customer}/sustainability-report.pdf?year=2026",
        None,
        {"admin", "finance", "customer"},
    ),
    ("GET", "/api/v1/sustainability-report/portfolio?year=2026", None, {"admin", "finance"}),
    ("GET", "/api/v1/sustainability-report/portfolio.csv?year=2026", None, {"admin", "finance"}),
    ("GET", "/api/v1/impact/parameter-sets", None, {"admin", "finance", "logistics", "customer"}),
    ("POST", "/api/v1/impact/parameter-sets", {}, {"admin"}),
    ("GET", "/api/v1/impact/grid-factor-sets", None, EVERYONE),
    ("GET", "/api/v1/impact/grid-factor-sets/{grid_version}", None, EVERYONE),
    ("POST", "/api/v1/impact/grid-factor-sets", {}, {"admin"}),
    ("GET", "/api/v1/job-runs", None, {"admin", "finance", "logistics"}),
    ("GET", "/api/v1/webhook-events", None, {"admin", "finance"}),
    ("POST", "/api/v1/webhook-events/{event}/retry", None, {"admin", "finance"}),
    ("GET", "/api/v1/outbox/summary", None, {"admin"}),
    ("GET", "/api/v1/outbox/emails", None, {"admin"}),
    ("GET", "/api/v1/outbox/emails/{outbox_email}", None, {"admin"}),
    ("POST", "/api/v1/outbox/emails/{outbox_email}/resend", None, {"admin"}),
    ("GET", "/api/v1/outbox/deliveries", None, {"admin"}),
    ("POST", "/api/v1/outbox/events/{outbox_event}/redispatch", None, {"admin"}),
    ("GET", "/api/v1/webhook-endpoints", None, {"admin", "customer"}),
    ("POST", "/api/v1/webhook-endpoints", {}, {"admin", "customer"}),
    ("GET", "/api/v1/webhook-endpoints/{hook}", None, {"admin", "customer"}),
    ("PATCH", "/api/v1/webhook-endpoints/{hook}", {}, {"admin", "customer"}),
    ("DELETE", "/api/v1/webhook-endpoints/{fresh_hook}", None, {"admin", "customer"}),
    ("POST", "/api/v1/webhook-endpoints/{hook}/rotate-secret", None, {"admin", "customer"}),
    ("GET", "/api/v1/webhook-endpoints/{hook}/deliveries", None, {"admin", "customer"}),
    ("POST", "/api/v1/webhook-deliveries/{hook_delivery}/replay", None, {"admin", "customer"}),
    ("GET", "/api/v1/events", None, {"admin", "customer"}),
    ("GET", "/api/v1/events/{outbox_event_id}", None, {"admin", "customer"}),
]
# Called by Stripe, authenticated by the webhook signature instead of a token (tests/payments).
PUBLIC = {("POST", "/api/v1/webhooks/stripe")}

# Endpoints a customer may call, on objects of another customer: the answer must be 404.
FOREIGN = [
    ("GET", "/api/v1/customers/{customer}"),
    ("GET", "/api/v1/contracts/{contract}"),
    ("GET", "/api/v1/contracts/{contract}/devices"),
    ("GET", "/api/v1/devices/{serial}"),
    ("GET", "/api/v1/invoices/{invoice}"),
    ("GET", "/api/v1/invoices/{invoice}.pdf"),
    ("GET", "/api/v1/invoices/{invoice}.xml"),
    ("GET", "/api/v1/invoices/{invoice}/credit-notes/{note}.pdf"),
    ("GET", "/api/v1/invoices/{invoice}/credit-notes/{note}.xml"),
    ("GET", "/api/v1/customers/{customer}/statement"),
    ("GET", "/api/v1/customers/{customer}/statement.pdf"),
    ("GET", "/api/v1/customers/{customer}/payment-method"),
    ("POST", "/api/v1/customers/{customer}/setup-intent"),
    ("POST", "/api/v1/customers/{customer}/scenarios", {}),
    ("GET", "/api/v1/customers/{customer}/saved-scenarios"),
    ("POST", "/api/v1/customers/{customer}/saved-scenarios", {"name": "Theirs", "kind": "as_is"}),
    ("POST", "/api/v1/customers/{customer}/saved-scenarios/{scenario}/apply"),
    ("GET", "/api/v1/return-orders/{return_order}"),
    ("GET", "/api/v1/shipments/{shipment}"),
    ("GET", "/api/v1/people/{person}"),
    ("PATCH", "/api/v1/people/{person}", {"name": "Someone else"}),
    ("POST", "/api/v1/people/{person}/offboard", {"action": "return"}),
    ("POST", "/api/v1/contracts/{contract}/devices/{serial}/reassign", {"person_id": 1}),
    ("POST", "/api/v1/return-orders/{return_order}/cancel"),
    ("GET", "/api/v1/refresh-orders/{refresh}"),
    ("GET", "/api/v1/orders/{order}"),
    ("POST", "/api/v1/orders/{order}/cancel"),
    ("POST", "/api/v1/orders/{order}/approve"),
    ("GET", "/api/v1/contracts/{contract}/catalog"),
    ("POST", "/api/v1/refresh-orders/{refresh}/approve", {"action": "upgrade"}),
    ("GET", "/api/v1/devices/{serial}/wipe-certificates"),
    ("GET", "/api/v1/devices/{serial}/wipe-certificates/{certificate}.pdf"),
    ("POST", "/api/v1/contracts/{contract}/terminate", {"end_date": "2026-12-01"}),
    ("GET", "/api/v1/contracts/{contract}/end-of-term"),
    (
        "POST",
        "/api/v1/contracts/{contract}/end-of-term",
        {"devices": [{"serial": "SN-1", "choice": "return"}]},
    ),
    ("GET", "/api/v1/contracts/{contract}/charges"),
    ("GET", "/api/v1/charges/{charge}"),
    ("POST", "/api/v1/charges/{charge}/dispute", {"reason": "Not ours"}),
    ("GET", "/api/v1/contracts/{contract}/impact"),
    ("GET", "/api/v1/contracts/{contract}/impact.csv"),
    ("GET", "/api/v1/contracts/{contract}/impact.pdf"),
    ("GET", "/api/v1/contracts/{contract}/impact/ledger.csv"),
    ("GET", "/api/v1/customers/{customer}/sustainability-report?year=2026"),
    ("GET", "/api/v1/customers/{customer}/sustainability-report.csv?year=2026"),
    ("GET", "/api/v1/customers/{customer}/sustainability-report.xlsx?year=2026"),
    ("GET", "/api/v1/customers/{customer}/sustainability-report.pdf?year=2026"),
    ("GET", "/api/v1/webhook-endpoints/{hook}"),
    ("PATCH", "/api/v1/webhook-endpoints/{hook}", {"description": "Theirs now"}),
    ("DELETE", "/api/v1/webhook-endpoints/{hook}"),
    ("GET", "/api/v1/webhook-endpoints/{hook}/deliveries"),
    ("POST", "/api/v1/webhook-deliveries/{hook_delivery}/replay"),
    ("GET", "/api/v1/events/{outbox_event_id}"),
]


def _world(customer_name: str) -> dict:
    model = factories.device_model()
    customer = factories.customer(name=customer_name)
    plan = factories.plan()
    contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
    device = factories.device(model.sku)
    deploy_device(contract.id, device.serial, date(2026, 2, 1), "tests")
    metric = factories.metric()
    returned = factories.device(model.sku)
    deploy_device(contract.id, returned.serial, date(2026, 2, 1), "tests")
    slot = create_slot(factories.unique("R"), date(2026, 11, 20), 5)
    order = create_return_order(
        contract.id,
        [returned.serial],
        "defect",
        date(2026, 11, 20),
        slot.region,
        "Keizersgracht 1, Amsterdam",
        "tests",
        14,
    )
    refresh = RefreshOrder(
        device_id=device.id,
        contract_id=contract.id,
        deployment_id=db.session.scalar(select(Deployment.id).where(Deployment.device_id == device.id)),
        due_date=date(2027, 1, 1),
        proposed_action="upgrade",
        reason="test",
        status="open",
    )
    certificate = WipeCertificate(
        device_id=device.id,
        life=1,
        method="purge",
        standard="NIST SP 800-88 Rev. 1",
        verification="full",
        performed_by="t",
        verified_by="v",
        performed_on=date(2026, 3, 1),
    )
    event = StripeEvent(id=factories.unique("evt"), type="charge.refunded", payload={}, status="failed")
    db.session.add_all([refresh, certificate, event])
    db.session.flush()
    person = create_person(
        customer.id,
        {
            "name": "Ada",
            "email": f"ada@{customer_name.lower()}.example",
            "address": {"line1": "Damrak 1", "postcode": "1012 LG", "city": "Amsterdam", "country": "NL"},
            "region": "NL-AMS",
        },
    )
    placed = place_order(
        contract.id, [{"sku": model.sku, "quantity": 1, "person_id": person.id}], date(2026, 11, 20), "tests"
    )
    delivery_slot = delivery_slots.create_slot(factories.unique("NL"), date(2026, 11, 20), 5)
    reserved, serials = reserved_order(Fleet(customer, contract, model, person))
    shipment = create_shipment(reserved.id, serials, "tests", reusable_box_id="BOX-1")
    charge = propose(contract)
    scenario = create_saved_scenario(customer.id, "As it is", "as_is", {}, 4, "tests")
    outbox_event = rows.invoice_issued(customer.id)
    outbox_email = rows.email(outbox_event, status="failed")
    hook = rows.endpoint(customer.id)
    hook_delivery = rows.delivery(outbox_event, hook, status="sent")
    return {
        "hook": hook.id,
        "hook_delivery": hook_delivery.id,
        # A deleted endpoint is gone for the next role: each call deletes one of its own.
        "fresh_hook": lambda: rows.endpoint(customer.id).id,
        "outbox_event_id": outbox_event.event_id,
        "outbox_event": outbox_event.id,
        "outbox_email": outbox_email.id,
        "charge": charge.id,
        "scenario": scenario.id,
        "shipment": shipment.id,
        "delivery_slot": delivery_slot.id,
        "order": placed.id,
        "person": person.id,
        "customer": customer.id,
        "contract": contract.id,
        "model": model.id,
        "plan": plan.id,
        "metric": metric.id,
        "serial": device.serial,
        "slot": slot.id,
        "return_order": order.id,
        "refresh": refresh.id,
        "certificate": certificate.id,
        "event": event.id,
    }


def _bill(*worlds: dict) -> None:
    """October billed and finalized, with a credit note on each world's invoice."""
    run = bill(Period.parse("2026-10"))
    finalize_run(run.id)
    for world in worlds:
        invoice = db.session.scalar(select(Invoice).where(Invoice.contract_id == world["contract"]))
        note = create_credit_note(
            invoice.id, "goodwill", "tests", current_settings().issuer, amount=Decimal("1.00")
        )
        world.update(run=run.id, invoice=invoice.id, note=note.id)


@pytest.fixture
def world(database, today):
    mine, theirs = _world("Mine"), _world("Theirs")
    mine["grid_version"] = 1  # the grid factor set the migrations store
    _bill(mine, theirs)
    tokens = {}
    for role in ROLES:
        user = factories.user(role, mine["customer"] if role == "customer" else None)
        record, tokens[role] = create_token(user.id, "matrix")
        if role == "admin":
            mine["user"], mine["token"] = user.id, record.id
    return mine, theirs, tokens


def _url(path: str, world: dict) -> str:
    return path.format(**{name: value() if callable(value) else value for name, value in world.items()})


def _call(client, method, path, body, token=None):
    headers = bearer(token) if token else {}
    return client.open(path, method=method, json=body, headers=headers)


@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_role_matrix(client, world, method, path, body, allowed):
    mine, _, tokens = world
    assert _call(client, method, _url(path, mine), body).status_code == 401
    for role in ROLES:
        status = _call(client, method, _url(path, mine), body, tokens[role]).status_code
        if role in allowed:
            assert status not in (401, 403, 404, 500), (role, status)
        else:
            assert status == 403, (role, status)


@pytest.mark.parametrize("case", FOREIGN, ids=[f"{c[0]} {c[1]}" for c in FOREIGN])
def test_another_customers_objects_are_not_found(client, world, case):
    method, path, body = (*case, None)[:3]
    _, theirs, tokens = world
    response = _call(client, method, _url(path, theirs), body, tokens["customer"])
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_every_api_route_is_in_the_matrix(app):
    def shape(path: str) -> str:
        return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path.partition("?")[0])

    routes = {
        (method, shape(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api-docs.openapi_json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = {(method, shape(path)) for method, path, _, _ in MATRIX} | PUBLIC
    assert routes - covered == set(), "routes without an access check in the matrix"

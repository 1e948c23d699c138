"""The scheduler's finalization job collects by card, as `flask daas bill --finalize` does: against a real
Stripe double (localstripe), a reviewed October draft of a customer with a card ends the job paid."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from daas.billing.models import BillingRun, Invoice
from daas.core.jobs import JobContext
from daas.extensions import db
from daas.jobs.billing import billing_finalize_job
from tests import factories
from tests.billing_helpers import OCTOBER, bill, deploy
from tests.helpers import bearer, settings_of

VISA = "4242424242424242"
DECLINED_ON_CHARGE = "4000000000000341"  # attaches, then every charge is declined


def _customer_with_a_card(live_app, localstripe, number: str) -> dict:
    """A customer on a 39.00/month plan with one laptop all October (47.19 with Dutch VAT), October's
    draft computed (the review the finalization needs), and a default card."""
    with live_app.app_context():
        plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
        customer = factories.customer(name="Rotterdam Robotics B.V.")
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
        deploy(contract, date(2026, 2, 1))
        world = {
            "customer_id": customer.id,
            "customer": bearer(factories.token("customer", customer.id)),
            "finance": bearer(factories.token("finance")),
        }
        db.session.commit()
        bill(OCTOBER)
        world["invoice_id"] = db.session.scalar(select(Invoice.id).where(Invoice.contract_id == contract.id))
        db.session.remove()
    response = live_app.test_client().post(
        f"/api/v1/customers/{world['customer_id']}/payment-method",
        json={"payment_method": localstripe.card(number)},
        headers=world["customer"],
    )
    assert response.status_code == 200, response.get_json()
    return world


def _finalize_on_schedule(live_app) -> dict:
    """The job as the scheduler runs it on 3 November: it finalizes October."""
    with live_app.app_context():
        try:
            return billing_finalize_job(
                JobContext(settings_of(live_app), datetime(2026, 11, 3, 2, tzinfo=UTC))
            )
        finally:
            db.session.remove()


def test_the_finalize_job_collects_a_card_customer_s_invoice(live_app, localstripe):
    world = _customer_with_a_card(live_app, localstripe, VISA)
    counts = _finalize_on_schedule(live_app)
    assert (counts["period"], counts["status"], counts["invoices_finalized"]) == ("2026-10", "completed", 1)
    assert (counts["card_attempted"], counts["card_succeeded"], counts["card_failed"]) == (1, 1, 0)

    invoice = (
        live_app.test_client().get(f"/api/v1/invoices/{world['invoice_id']}", headers=world["finance"])
    ).get_json()
    assert (invoice["status"], invoice["total"], invoice["amount_due"]) == ("paid", "47.19", "0.00")
    assert invoice["number"].startswith("INV-") and invoice["collection_method"] == "card"
    assert [(attempt["number"], attempt["status"]) for attempt in invoice["attempts"]] == [(1, "succeeded")]
    assert [(payment["method"], payment["amount"]) for payment in invoice["payments"]] == [("card", "47.19")]
    with live_app.app_context():
        run = db.session.scalar(select(BillingRun).order_by(BillingRun.id.desc()))
        assert (run.actor, run.invoices_finalized) == ("scheduler:billing_finalize", 1)
        db.session.remove()


def test_a_declined_card_leaves_the_finalized_invoice_open_for_its_retry(live_app, localstripe):
    world = _customer_with_a_card(live_app, localstripe, DECLINED_ON_CHARGE)
    counts = _finalize_on_schedule(live_app)
    assert (counts["invoices_finalized"], counts["card_attempted"], counts["card_failed"]) == (1, 1, 1)

    invoice = (
        live_app.test_client().get(f"/api/v1/invoices/{world['invoice_id']}", headers=world["finance"])
    ).get_json()
    assert (invoice["status"], invoice["amount_due"]) == ("open", "47.19")
    [attempt] = invoice["attempts"]
    assert attempt["status"] == "failed" and attempt["failure_code"]
    assert invoice["next_collection_at"] is not None  # the payments job tries again on schedule

"""Finalizing, voiding and crediting on the finance pages are confirmed first: the confirmation shows what
will happen (the numbers to be taken, the credit note's net, VAT and total, the card refund), nothing
changes until it is confirmed, and confirming does exactly that; a confirmation whose figures changed in
between is shown again with the new ones (409)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.billing.credit_notes import create_credit_note, creditable
from daas.billing.invoices import settle_invoice
from daas.billing.models import CreditNote, DocumentSequence, Invoice, InvoiceLine
from daas.core import clock
from daas.extensions import db
from daas.payments.models import CARD, Payment
from daas.payments.services import record_bank_transfer
from daas.web.finance import queries
from tests import factories
from tests.billing_helpers import bill, deploy, finalize_run, issuer, worked_example_plan
from tests.helpers import configure
from tests.web.helpers import hidden_fields, post_form, signed_in

# billing.md's worked example: one laptop at 39.00 lifted to the 500.00 minimum (a true-up line of 461.00),
# plus 21 % Dutch VAT: 605.00 EUR.


@pytest.fixture
def finance_client(app, database, today):
    client, _ = signed_in(app, "finance")
    return client


def _drafts(count: int = 1) -> tuple[int, list[Invoice]]:
    plan, _, _ = worked_example_plan()
    for _ in range(count):
        contract = factories.contract(factories.customer().id, plan.code)
        deploy(contract, date(2026, 2, 1))
    run = bill()
    db.session.commit()
    return run.id, list(db.session.scalars(select(Invoice).where(Invoice.billing_run_id == run.id)))


def _issued() -> Invoice:
    run_id, (invoice,) = _drafts()
    finalize_run(run_id)
    return db.session.get(Invoice, invoice.id)


def _next_invoice_numbers(count: int = 1) -> list[str]:
    """The next numbers of this year's invoice series, as the sequence stands."""
    year = clock.today().year
    last = db.session.scalar(
        select(DocumentSequence.last_number).where(
            DocumentSequence.series == "INV", DocumentSequence.year == year
        )
    )
    return [f"INV-{year}-{(last or 0) + n:06d}" for n in range(1, count + 1)]


def _text(response) -> str:
    return response.get_data(as_text=True)


def _notes(invoice: Invoice) -> list[CreditNote]:
    return list(db.session.scalars(select(CreditNote).where(CreditNote.invoice_id == invoice.id)))


# -- finalizing ----------------------------------------------------------------------------------------------


def test_finalizing_a_draft_shows_its_number_dates_and_total_before_it_is_issued(finance_client):
    _, (draft,) = _drafts()
    page = f"/finance/invoices/{draft.id}"
    (number,), today = _next_invoice_numbers(), clock.today()
    confirmation = finance_client.get(f"{page}/finalize")
    text = _text(confirmation)
    assert confirmation.status_code == 200 and f"<h1>Finalize draft {draft.id}</h1>" in text
    assert f"<strong>{number}</strong>, the next of the series" in text
    assert (
        f"{(today + timedelta(days=30)).isoformat()}</time> (30 days, the customer's payment terms)" in text
    )
    assert "500.00 EUR" in text and "105.00 EUR" in text and "<strong>605.00 EUR</strong>" in text
    assert "By bank transfer" in text
    assert db.session.get(Invoice, draft.id).status == "draft"  # nothing happened yet

    response = finance_client.post(f"{page}/finalize", data=hidden_fields(confirmation, f"{page}/finalize"))
    assert response.headers["Location"] == page
    issued = db.session.get(Invoice, draft.id)
    assert (issued.status, issued.number, issued.issued_on) == ("open", number, today)
    after = _text(finance_client.get(page))
    assert f"Invoice {number} is issued, due {issued.due_date.isoformat()}." in after
    assert "Documents as issued" in after and "Download UBL XML" in after

    again = finance_client.get(f"{page}/finalize")
    assert "only a draft can be finalized" in _text(finance_client.get(again.headers["Location"]))


def test_finalizing_a_run_shows_how_many_drafts_the_numbers_they_take_and_their_total(finance_client):
    run_id, _ = _drafts(3)
    page = f"/finance/billing-runs/{run_id}"
    numbers = _next_invoice_numbers(3)
    confirmation = finance_client.get(f"{page}/finalize")
    text = _text(confirmation)
    assert "<strong>3</strong> drafts to be numbered" in text
    assert f"<strong>{numbers[0]}</strong> to <strong>{numbers[2]}</strong>" in text
    assert "1,815.00 EUR" in text and "315.00 EUR" in text  # 3 × 605.00, of which 3 × 105.00 VAT
    assert "0 by card at once" in text and ">Finalize 3 drafts</button>" in text
    assert {invoice.status for invoice in db.session.scalars(select(Invoice))} == {"draft"}

    finance_client.post(f"{page}/finalize", data=hidden_fields(confirmation, f"{page}/finalize"))
    taken = db.session.scalars(
        select(Invoice.number).where(Invoice.billing_run_id == run_id).order_by(Invoice.id)
    )
    assert list(taken) == numbers
    assert "Finalized 3 invoices of billing run" in _text(finance_client.get(page))


def test_a_run_s_confirmation_is_shown_again_when_its_drafts_changed(finance_client):
    run_id, (one, two) = _drafts(2)
    page = f"/finance/billing-runs/{run_id}"
    fields = hidden_fields(finance_client.get(f"{page}/finalize"), f"{page}/finalize")
    post_form(
        finance_client,
        f"/finance/invoices/{one.id}/finalize",
        {"reviewed": "stale"},
        f"/finance/invoices/{one.id}/finalize",
    )
    assert db.session.get(Invoice, one.id).status == "draft"  # a confirmation of other figures does nothing
    finance_client.post(
        f"/finance/invoices/{one.id}/finalize",
        data=hidden_fields(
            finance_client.get(f"/finance/invoices/{one.id}/finalize"), f"/finance/invoices/{one.id}/finalize"
        ),
    )
    assert db.session.get(Invoice, one.id).status == "open"  # one draft was finalized on its own meanwhile
    again = finance_client.post(f"{page}/finalize", data=fields)
    assert again.status_code == 409 and "drafts changed since you reviewed them" in _text(again)
    assert "<strong>1</strong> draft to be numbered" in _text(again)
    assert db.session.get(Invoice, two.id).status == "draft"


# -- voiding -------------------------------------------------------------------------------------------------


def test_voiding_shows_the_full_credit_note_and_issues_it_with_the_reason(finance_client):
    invoice = _issued()
    page = f"/finance/invoices/{invoice.id}"
    assert f'href="{page}/void">Void invoice…</a>' in _text(finance_client.get(page))
    confirmation = finance_client.get(f"{page}/void")
    text = _text(confirmation)
    assert f"it keeps its number {invoice.number} and becomes void" in text
    assert 'id="credit-net">500.00 EUR<' in text and 'id="credit-tax">105.00 EUR<' in text
    assert 'id="credit-total">605.00 EUR<' in text and "VAT (21.00 %, the invoice's rate)" in text
    assert "Line 1: " in text and "Line 4: " in text  # each line credited as it is left
    fields = hidden_fields(confirmation, f"{page}/void")

    refused = finance_client.post(f"{page}/void", data={**fields, "reason": "  "})
    assert refused.status_code == 422 and 'id="reason-error">This field is required' in _text(refused)
    assert db.session.get(Invoice, invoice.id).status == "open" and _notes(invoice) == []

    done = finance_client.post(f"{page}/void", data={**fields, "reason": "Billed to the wrong company"})
    assert done.headers["Location"] == page
    voided = db.session.get(Invoice, invoice.id)
    assert (voided.status, voided.number, voided.amount_due) == ("void", invoice.number, Decimal(0))
    (note,) = _notes(invoice)
    assert (note.net_amount, note.tax_amount, note.amount) == (
        Decimal("500.00"),
        Decimal("105.00"),
        Decimal("605.00"),
    )
    assert note.voids_invoice and note.reason == "Billed to the wrong company" and len(note.lines) == 2
    text = _text(finance_client.get(page))
    assert f"Invoice {invoice.number} is void (credit note {note.number}); it keeps its number." in text
    assert f"{note.number} (voids the invoice)" in text


def test_voiding_a_paid_invoice_is_refused_before_any_confirmation(finance_client):
    invoice = _issued()
    record_bank_transfer(invoice.id, Decimal("10.00"), "BANK-1", clock.today(), "tests")
    db.session.commit()
    response = finance_client.get(f"/finance/invoices/{invoice.id}/void")
    flashed = _text(finance_client.get(response.headers["Location"]))
    assert "has payments; an invoice that was paid cannot be voided: issue a credit note instead" in flashed
    assert "Void invoice…" not in flashed


# -- crediting -----------------------------------------------------------------------------------------------


def _lines(invoice: Invoice) -> list[InvoiceLine]:
    """The lines that charged something: the laptop's 39.00 and the true-up's 461.00 (the metered lines
    are 0.00)."""
    return [line for line in db.session.get(Invoice, invoice.id).lines if line.amount > 0]


def test_crediting_lines_shows_net_vat_and_total_and_issues_exactly_that(finance_client):
    invoice = _issued()
    device, true_up = _lines(invoice)
    page = f"/finance/invoices/{invoice.id}"
    form = _text(finance_client.get(page))
    assert f'id="left-{device.id}">39.00 EUR<' in form and f'id="left-{true_up.id}">461.00 EUR<' in form
    data = {
        f"credit-line_{device.id}": "39.00",  # all of the laptop's line
        f"credit-line_{true_up.id}": "100.00",  # part of the true-up
        "credit-reason": "Laptop returned in the first week",
    }
    confirmation = post_form(finance_client, f"{page}/credit-notes", data, page)
    text = _text(confirmation)
    assert confirmation.status_code == 200
    # 139.00 net; VAT round_half_up(139.00 × 0.21) = 29.19; 168.19 in all, and 436.81 left to pay.
    assert 'id="credit-net">139.00 EUR<' in text and 'id="credit-tax">29.19 EUR<' in text
    assert 'id="credit-total">168.19 EUR<' in text and "it asks 436.81 EUR afterwards" in text
    assert "No refund: nothing was paid" in text
    assert _notes(invoice) == []  # nothing issued yet

    response = finance_client.post(
        f"{page}/credit-notes", data=hidden_fields(confirmation, f"{page}/credit-notes")
    )
    assert response.headers["Location"] == page
    (note,) = _notes(invoice)
    assert (note.net_amount, note.tax_amount, note.amount) == (
        Decimal("139.00"),
        Decimal("29.19"),
        Decimal("168.19"),
    )
    assert [(line.invoice_line_id, line.amount) for line in note.lines] == [
        (device.id, Decimal("39.00")),
        (true_up.id, Decimal("100.00")),
    ]
    assert db.session.get(Invoice, invoice.id).amount_due == Decimal("436.81")
    after = _text(finance_client.get(page))
    assert f'id="left-{device.id}">0.00 EUR<' in after and f'id="left-{true_up.id}">361.00 EUR<' in after


def test_change_goes_back_to_the_form_as_it_was_filled(finance_client):
    invoice = _issued()
    page = f"/finance/invoices/{invoice.id}"
    confirmation = post_form(
        finance_client, f"{page}/credit-notes", {"credit-amount": "20.00", "credit-reason": "Goodwill"}, page
    )
    back = finance_client.post(
        f"{page}/credit-notes", data={**hidden_fields(confirmation, f"{page}/credit-notes"), "change": "1"}
    )
    text = _text(back)
    assert back.status_code == 200 and "<h1>Invoice" in text
    assert (
        'name="credit-amount" step="any" type="number" value="20.00"' in text
        and "Goodwill</textarea>" in text
    )
    assert _notes(invoice) == []


def test_a_credit_confirmation_is_shown_again_when_the_invoice_changed(finance_client):
    invoice = _issued()
    page = f"/finance/invoices/{invoice.id}"
    confirmation = post_form(
        finance_client, f"{page}/credit-notes", {"credit-amount": "400.00", "credit-reason": "Goodwill"}, page
    )
    fields = hidden_fields(confirmation, f"{page}/credit-notes")
    create_credit_note(invoice.id, "Meanwhile", "someone else", issuer(), amount=Decimal("99.00"))
    db.session.commit()
    again = finance_client.post(f"{page}/credit-notes", data=fields)
    text = _text(again)
    assert again.status_code == 409 and "The invoice changed since you reviewed this credit note" in text
    assert "it asks 1.21 EUR afterwards" in text  # 605.00 - 119.79 (the other note) - 484.00 (this one)
    assert len(_notes(invoice)) == 1
    finance_client.post(f"{page}/credit-notes", data=hidden_fields(again, f"{page}/credit-notes"))
    assert len(_notes(invoice)) == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "credit-amount", "Credit an amount, or amounts of the lines below."),
        (
            {"credit-amount": "10.00", "line": "5.00"},
            "credit-amount",
            "Credit either an amount or amounts of lines",
        ),
        ({"line": "39.01"}, "line", "Between 0 and 39.00, what is not credited yet."),
        ({"credit-amount": "0"}, "credit-amount", "Between 0 and 500.00, what is not credited yet."),
        ({"credit-amount": "1.001"}, "credit-amount", "EUR amounts have 2 decimals."),
    ],
)
def test_a_credit_that_cannot_be_issued_is_refused_beside_its_field(finance_client, data, field, message):
    invoice = _issued()
    device = _lines(invoice)[0]
    page = f"/finance/invoices/{invoice.id}"
    data = {f"credit-line_{device.id}" if key == "line" else key: value for key, value in data.items()}
    response = post_form(finance_client, f"{page}/credit-notes", {**data, "credit-reason": "Why"}, page)
    target = f"credit-line_{device.id}" if field == "line" else field
    assert response.status_code == 422
    assert f'id="{target}-error">{message}' in _text(response)
    assert db.session.scalar(select(func.count(CreditNote.id))) == 0


def test_a_credit_on_an_invoice_paid_by_card_says_its_refund_follows(app, finance_client, monkeypatch):
    invoice = _issued()
    db.session.add(
        Payment(
            invoice_id=invoice.id,
            amount=invoice.total,
            currency="EUR",
            method=CARD,
            reference="pi_test",
            paid_on=clock.today(),
            actor="stripe",
        )
    )
    invoice.amount_paid = invoice.total
    settle_invoice(invoice)
    db.session.commit()
    page = f"/finance/invoices/{invoice.id}"
    data = {"credit-amount": "10.00", "credit-reason": "Goodwill"}
    without_stripe = _text(post_form(finance_client, f"{page}/credit-notes", data, page))
    assert "No card refund through Stripe" in without_stripe  # Stripe is not set up
    configure(app, monkeypatch, STRIPE_API_KEY="sk_test_confirmation")
    text = _text(post_form(finance_client, f"{page}/credit-notes", data, page))
    assert "A card refund of 12.10 EUR follows: the invoice was paid by card." in text
    assert _notes(invoice) == []


def test_the_refund_a_credit_note_would_make_is_capped_by_the_card_payment_left(database, today):
    invoice = _issued()
    db.session.add(
        Payment(
            invoice_id=invoice.id,
            amount=Decimal("50.00"),
            currency="EUR",
            method=CARD,
            reference="pi_1",
            paid_on=today,
            actor="stripe",
        )
    )
    assert queries.card_refund(invoice, Decimal("12.10")) is None  # open: a credit lowers what is due
    invoice.status = "paid"
    assert queries.card_refund(invoice, Decimal("12.10")) == Decimal("12.10")
    assert queries.card_refund(invoice, Decimal("80.00")) == Decimal("50.00")
    figures = queries.credit_figures(
        invoice, creditable(invoice), [queries.CreditedPart("Goodwill", Decimal("10.00"))], today, False
    )
    assert (figures.net, figures.tax, figures.total, figures.refund) == (
        Decimal("10.00"),
        Decimal("2.10"),
        Decimal("12.10"),
        None,
    )

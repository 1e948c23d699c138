"""Finance pages through the Flask test client: overview, billing runs (preview, run, progress, finalize),
invoices (filters, totals, CSV, documents, void, credit notes, bank transfers), overdue list and job runs.
The confirmations of finalizing, voiding and crediting are tested in test_finance_confirmations.py."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.billing.models import BillingRun, CreditNote, Invoice
from daas.core import clock
from daas.extensions import db
from daas.scheduler.models import JobRun
from tests import factories
from tests.billing_helpers import OCTOBER, Period, bill, deploy, finalize_run
from tests.scheduler.schedulers import carry_out_requests
from tests.web.helpers import hidden_fields, post_form, signed_in

# One laptop at 39.00 EUR for the whole month, Dutch customer, Dutch issuer: 21 % VAT.
SUBTOTAL, TAX, TOTAL = "39.00 EUR", "8.19 EUR", "47.19 EUR"


@pytest.fixture
def finance_client(app, database, today):
    client, _ = signed_in(app, "finance")
    return client


def _contract(name: str | None = None, devices: int = 1):
    plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
    customer = factories.customer(name=name or factories.unique("Customer"))
    contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
    for _ in range(devices):
        deploy(contract, date(2026, 2, 1))
    return contract


def _finalized(period: Period = OCTOBER) -> list[Invoice]:
    run = bill(period)
    finalize_run(run.id)
    db.session.commit()
    return list(db.session.scalars(select(Invoice).where(Invoice.billing_run_id == run.id)))


def _text(response) -> str:
    return response.get_data(as_text=True)


# -- overview ---------------------------------------------------------------------------------------------


def test_the_overview_shows_receivables_overdue_the_last_run_failed_jobs_and_a_chart(finance_client):
    _contract("Berliner Baukontor GmbH")
    (invoice,) = _finalized()
    db.session.add(
        JobRun(job="billing_run", due_at=datetime(2026, 11, 1, 2, tzinfo=UTC), status="failed", attempts=1)
    )
    db.session.commit()
    with clock.frozen(date(2027, 1, 15)):
        text = _text(finance_client.get("/finance"))
    assert "Open receivables" in text and TOTAL in text and "1 open invoice" in text
    assert "1 overdue invoice" in text
    assert f"/finance/billing-runs/{invoice.billing_run_id}" in text and "2026-10" in text
    assert re.search(r"Failed job runs</span>\s*<span class=\"value\">1<", text)
    chart = re.search(r'data-chart="([^"]+)"', text).group(1)
    assert "2026-10" in chart and "47.19" in chart  # the invoiced total of October, as a number


def test_the_overview_of_a_new_installation_says_what_to_do(finance_client):
    text = _text(finance_client.get("/finance"))
    assert "Nothing is invoiced yet" in text and "Bill 2026-10" in text and "No invoice is overdue." in text


# -- billing runs -----------------------------------------------------------------------------------------


def test_the_billing_runs_page_previews_last_month_before_any_run(finance_client):
    _contract()
    text = _text(finance_client.get("/finance/billing-runs"))
    assert 'value="2026-10"' in text and "Preview of 2026-10" in text
    assert "1 contract is active in 2026-10" in text
    assert "No drafts for 2026-10 yet" in text
    assert "Run billing for 2026-10" in text and "No billing run yet." in text


def test_the_preview_shows_the_drafts_of_the_chosen_period_and_their_totals(finance_client):
    _contract("Baukontor")
    _contract("Kantoor")
    bill()
    db.session.commit()
    text = _text(finance_client.get("/finance/billing-runs?period=2026-10"))
    assert "Drafts of 2026-10 and their totals" in text
    assert "78.00 EUR" in text and "16.38 EUR" in text and "94.38 EUR" in text  # two drafts added up
    assert "Baukontor" in text and "Kantoor" in text
    september = _text(finance_client.get("/finance/billing-runs?period=2026-09"))
    assert "Preview of 2026-09" in september and "Run billing for 2026-09" in september


def test_a_wrong_period_is_refused_beside_the_field(finance_client):
    text = _text(finance_client.get("/finance/billing-runs?period=2026-13"))
    assert "A month as YYYY-MM" in text and 'aria-invalid="true"' in text
    assert "Preview of 2026-10" in text  # and the page falls back to last month


def test_running_billing_queues_it_and_the_request_leads_to_the_run_which_shows_its_drafts(
    app, finance_client
):
    _contract("Baukontor")
    db.session.commit()
    response = post_form(
        finance_client, "/finance/billing-runs/run", {"period": "2026-10"}, form_page="/finance/billing-runs"
    )
    request = db.session.scalar(select(JobRun).where(JobRun.request_key == "2026-10"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/finance/billing-runs/requests/{request.id}"
    assert db.session.scalar(select(func.count(BillingRun.id))) == 0  # nothing runs in the web worker
    waiting = _text(finance_client.get(response.headers["Location"]))
    assert "The billing run of 2026-10 is queued for the scheduler." in waiting
    assert "Waiting for a scheduler: the run has not started yet." in waiting

    assert carry_out_requests(app) == [request.id]  # a scheduler's next sweep
    response = finance_client.get(f"/finance/billing-runs/requests/{request.id}")
    run = db.session.scalar(select(BillingRun).order_by(BillingRun.id.desc()))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/finance/billing-runs/{run.id}"
    assert (run.period, run.status, run.processed, run.contracts) == ("2026-10", "completed", 1, 1)
    assert run.actor.startswith("user:") or "@" in run.actor
    page = finance_client.get(response.headers["Location"])
    text = _text(page)
    # The run was over before the request's page looked again: the flash says so, with what it did.
    assert f"Billing run {run.id} of 2026-10 completed: 1 contract, 1 invoice created, 0 drafts" in text
    assert "of 2026-10 started" not in text
    assert "1 of 1 contracts processed (100%)" in text
    assert "Finalize 1 draft" in text and TOTAL in text and "Baukontor" in text
    assert "finance-run.js" not in text  # nothing left to poll
    progress = finance_client.get(f"/finance/billing-runs/{run.id}/progress.json").get_json()
    assert progress == {
        "id": run.id,
        "status": "completed",
        "processed": 1,
        "contracts": 1,
        "created": 1,
        "updated": 0,
        "finalized": 0,
        "failed": 0,
    }


def test_a_run_no_scheduler_has_started_says_so_and_that_none_runs(finance_client):
    response = post_form(
        finance_client, "/finance/billing-runs/run", {"period": "2026-10"}, form_page="/finance/billing-runs"
    )
    assert re.fullmatch(r"/finance/billing-runs/requests/\d+", response.headers["Location"])
    page = _text(finance_client.get(response.headers["Location"]))
    assert "the run has not started yet" in page
    assert (
        "No scheduler is running: the run will start once one runs "
        "(<code>flask --app wsgi daas scheduler</code>)." in page
    )
    assert '<meta http-equiv="refresh" content="2">' in page  # it looks again until the run starts


def test_a_run_needs_a_valid_period(finance_client):
    before = db.session.scalar(select(func.count(BillingRun.id)))
    response = post_form(
        finance_client, "/finance/billing-runs/run", {"period": "October"}, form_page="/finance/billing-runs"
    )
    assert response.headers["Location"] == "/finance/billing-runs"
    assert "Choose the period to bill" in _text(finance_client.get("/finance/billing-runs"))
    assert db.session.scalar(select(func.count(BillingRun.id))) == before
    assert db.session.scalar(select(func.count(JobRun.id))) == 0  # nothing queued either


def test_run_billing_reports_the_new_run_once_its_row_is_committed(database, today):
    _contract()
    seen: list[tuple[int, str]] = []

    def created(run_id: int) -> None:
        seen.append((run_id, db.session.get(BillingRun, run_id).status))

    run = bill(OCTOBER, on_created=created)
    assert seen == [(run.id, "running")] and run.status == "completed"


def test_a_running_run_shows_its_progress_and_polls_for_more(finance_client):
    run = BillingRun(period="2026-10", status="running", actor="tests", contracts=10, processed=4)
    db.session.add(run)
    db.session.commit()
    text = _text(finance_client.get(f"/finance/billing-runs/{run.id}"))
    assert re.search(r'<progress id="run-progress-bar" max="10" value="4">40%</progress>', text)
    assert f'data-progress-url="/finance/billing-runs/{run.id}/progress.json"' in text
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in text
    assert "js/finance-run.js" in text and "/finalize" not in text
    refused = post_form(
        finance_client, f"/finance/billing-runs/{run.id}/finalize", {}, "/finance/billing-runs"
    )
    assert "only a completed run" in _text(finance_client.get(refused.headers["Location"]))
    progress = finance_client.get(f"/finance/billing-runs/{run.id}/progress.json")
    assert progress.get_json()["status"] == "running" and progress.get_json()["processed"] == 4
    assert progress.headers["Cache-Control"] == "no-store"


def test_a_failed_run_shows_its_error(finance_client):
    run = BillingRun(period="2026-10", status="failed", actor="tests", error="database went away")
    db.session.add(run)
    db.session.commit()
    text = _text(finance_client.get(f"/finance/billing-runs/{run.id}"))
    assert "The run failed: database went away" in text
    assert "row-failed" in _text(finance_client.get("/finance/billing-runs"))


def test_an_unknown_run_is_the_404_page(finance_client):
    response = finance_client.get("/finance/billing-runs/999999")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert finance_client.get("/finance/billing-runs/999999/progress.json").status_code == 404


def test_finalizing_a_run_numbers_its_drafts_and_schedules_their_collection(finance_client):
    _contract()
    _contract()
    run = bill()
    db.session.commit()
    page = f"/finance/billing-runs/{run.id}"
    assert f'href="{page}/finalize">Finalize 2 drafts…</a>' in _text(finance_client.get(page))
    confirmation = finance_client.get(f"{page}/finalize")
    response = finance_client.post(f"{page}/finalize", data=hidden_fields(confirmation, f"{page}/finalize"))
    assert response.headers["Location"] == page
    text = _text(finance_client.get(page))
    assert f"Finalized 2 invoices of billing run {run.id} (2026-10)." in text
    assert len(re.findall(r"INV-2026-\d{6}", text)) == 2 and "Every invoice of this run is finalized." in text
    invoices = db.session.scalars(select(Invoice).where(Invoice.billing_run_id == run.id)).all()
    assert {(i.status, i.collection_method) for i in invoices} == {("open", "bank_transfer")}
    assert db.session.get(BillingRun, run.id).invoices_finalized == 2


# -- invoices ---------------------------------------------------------------------------------------------


def test_invoices_are_filtered_and_their_totals_added_up(finance_client):
    first, second = _contract("Baukontor"), _contract("Kantoor")
    _finalized(Period.parse("2026-09"))
    bill()  # October stays draft
    db.session.commit()
    everything = _text(finance_client.get("/finance/invoices"))
    assert "Totals of the 4 invoices found" in everything and "188.76 EUR" in everything
    october = _text(finance_client.get("/finance/invoices?period=2026-10"))
    assert "Totals of the 2 invoices found" in october and "94.38 EUR" in october
    assert "Export 2026-10 as CSV" in october
    drafts_of_one = _text(
        finance_client.get(f"/finance/invoices?period=&status=draft&customer={first.customer_id}")
    )
    assert "Totals of the 1 invoice found" in drafts_of_one and "Baukontor" in drafts_of_one
    assert "Kantoor" not in drafts_of_one.split("<table>", 1)[1]  # only in the customer filter above
    assert str(second.customer_id) in drafts_of_one  # the filter's choices list every customer
    nothing = _text(finance_client.get("/finance/invoices?status=void"))
    assert "No invoice matches these filters." in nothing


def test_the_overdue_filter_keeps_open_invoices_past_their_due_date(finance_client):
    _contract("Baukontor")
    (invoice,) = _finalized()
    _contract("Kantoor")
    bill(Period.parse("2026-09"))
    db.session.commit()
    with clock.frozen(date(2027, 1, 15)):
        text = _text(finance_client.get("/finance/invoices?overdue=y"))
    assert "Totals of the 1 invoice found" in text and invoice.number in text and "row-overdue" in text
    assert "Kantoor" not in text.split("<table>", 1)[1]


def test_a_wrong_filter_is_shown_beside_its_field(finance_client):
    text = _text(finance_client.get("/finance/invoices?period=13-2026"))
    assert re.search(r'id="period-error">A month as YYYY-MM', text)


def test_the_csv_export_of_a_period(finance_client):
    _contract("Baukontor")
    (invoice,) = _finalized()
    response = finance_client.get("/finance/invoices/export.csv?period=2026-10&status=")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="invoices-2026-10.csv"'
    rows = list(csv.DictReader(io.StringIO(_text(response))))
    assert {row["number"] for row in rows} == {invoice.number}
    assert sum(Decimal(row["amount"]) for row in rows) == Decimal("47.19")
    refused = finance_client.get("/finance/invoices/export.csv?period=soon")
    assert refused.headers["Location"] == "/finance/invoices"
    assert "Choose a period to export" in _text(finance_client.get("/finance/invoices"))


def test_the_invoice_page_shows_lines_totals_and_downloads_its_documents(finance_client):
    _contract("Baukontor")
    (invoice,) = _finalized()
    page = f"/finance/invoices/{invoice.id}"
    text = _text(finance_client.get(page))
    assert f"<h1>Invoice {invoice.number}</h1>" in text and ">open</span>" in text  # the status, on the page
    assert SUBTOTAL in text and TAX in text and TOTAL in text and "VAT (21.00 %)" in text
    assert "No payment received yet." in text and "No credit note on this invoice." in text
    assert "Void invoice…" in text and "Record a bank transfer" in text and "Issue a credit note" in text
    pdf = finance_client.get(f"{page}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert finance_client.get(f"{page}.pdf").data == pdf.data  # the file kept when it was issued
    assert f"<code>{hashlib.sha256(pdf.data).hexdigest()}</code>" in text
    for syntax, name in (("ubl", f"{invoice.number}.xml"), ("cii", f"{invoice.number}-cii.xml")):
        assert f'href="{page}.xml?syntax={syntax}" download>Download {syntax.upper()} XML</a>' in text
        xml = finance_client.get(f"{page}.xml?syntax={syntax}")
        assert (xml.status_code, xml.mimetype) == (200, "application/xml")
        assert xml.headers["Content-Disposition"] == f'attachment; filename="{name}"'
        assert f"<code>{hashlib.sha256(xml.data).hexdigest()}</code>" in text


def test_a_draft_has_a_draft_pdf_and_no_e_invoice(finance_client):
    _contract()
    run = bill()
    db.session.commit()
    (draft,) = db.session.scalars(select(Invoice).where(Invoice.billing_run_id == run.id)).all()
    page = f"/finance/invoices/{draft.id}"
    text = _text(finance_client.get(page))
    assert f'href="{page}.pdf" download>Download draft PDF</a>' in text and ".xml" not in text
    assert f'href="{page}/finalize">Finalize invoice…</a>' in text and "Documents as issued" not in text
    pdf = finance_client.get(f"{page}.pdf")
    assert pdf.data.startswith(b"%PDF") and f"draft-{draft.id}.pdf" in pdf.headers["Content-Disposition"]
    assert finance_client.get(f"{page}.xml").status_code == 409


def test_an_unknown_invoice_is_the_404_page(finance_client):
    response = finance_client.get("/finance/invoices/999999")
    assert (response.status_code, response.mimetype) == (404, "text/html")
    assert "not yours to see" in _text(response) and "Traceback" not in _text(response)


def test_retrying_an_unknown_stripe_event_is_the_404_page(finance_client):
    url = "/finance/webhook-events/evt_unknown/retry"
    response = post_form(finance_client, url, {}, form_page="/finance/billing-runs")
    assert (response.status_code, response.mimetype) == (404, "text/html")


def test_voiding_an_open_invoice(finance_client):
    _contract()
    (invoice,) = _finalized()
    page = f"/finance/invoices/{invoice.id}"
    confirmation = finance_client.get(f"{page}/void")
    fields = hidden_fields(confirmation, f"{page}/void")
    response = finance_client.post(f"{page}/void", data={**fields, "reason": "Billed twice"})
    assert response.headers["Location"] == page
    text = _text(finance_client.get(page))
    note = db.session.scalar(select(CreditNote).where(CreditNote.invoice_id == invoice.id))
    assert f"Invoice {invoice.number} is void (credit note {note.number}); it keeps its number." in text
    assert "Void invoice…" not in text and "Billed twice" in text
    assert db.session.get(Invoice, invoice.id).status == "void"
    again = finance_client.get(f"{page}/void")
    assert "only an open, unpaid invoice can be voided" in _text(
        finance_client.get(again.headers["Location"])
    )


def test_issuing_a_credit_note(finance_client):
    _contract()
    (invoice,) = _finalized()
    page = f"/finance/invoices/{invoice.id}"
    confirmation = post_form(
        finance_client,
        f"{page}/credit-notes",
        {"credit-amount": "10.00", "credit-reason": "Late delivery"},
        page,
    )
    assert confirmation.status_code == 200
    response = finance_client.post(
        f"{page}/credit-notes", data=hidden_fields(confirmation, f"{page}/credit-notes")
    )
    assert response.headers["Location"] == page
    text = _text(finance_client.get(page))
    note = db.session.scalar(select(CreditNote).where(CreditNote.invoice_id == invoice.id))
    assert re.fullmatch(r"CN-2026-\d{6}", note.number) and note.amount == Decimal("12.10")  # 10.00 + 21 %
    assert f"Credit note {note.number} issued." in text and "Late delivery" in text
    assert "35.09 EUR" in text  # what is still due
    assert db.session.get(Invoice, invoice.id).amount_due == Decimal("35.09")
    pdf = finance_client.get(f"{page}/credit-notes/{note.id}.pdf")
    assert (
        pdf.data.startswith(b"%PDF")
        and finance_client.get(f"{page}/credit-notes/{note.id}.pdf").data == pdf.data
    )
    for syntax, name in (("ubl", f"{note.number}.xml"), ("cii", f"{note.number}-cii.xml")):
        assert f'href="{page}/credit-notes/{note.id}.xml?syntax={syntax}"' in text
        xml = finance_client.get(f"{page}/credit-notes/{note.id}.xml?syntax={syntax}")
        assert xml.mimetype == "application/xml" and name in xml.headers["Content-Disposition"]


def test_a_credit_note_over_the_creditable_amount_is_refused_beside_the_field(finance_client):
    _contract()
    (invoice,) = _finalized()
    page = f"/finance/invoices/{invoice.id}"
    response = post_form(
        finance_client, f"{page}/credit-notes", {"credit-amount": "50.00", "credit-reason": "Goodwill"}, page
    )
    assert response.status_code == 422
    assert re.search(  # net: 39.00 of the 47.19 with VAT
        r'id="credit-amount-error">Between 0 and 39.00, what is not credited yet', _text(response)
    )
    missing = post_form(finance_client, f"{page}/credit-notes", {"credit-amount": "5"}, page)
    assert re.search(r'id="credit-reason-error">This field is required', _text(missing))
    assert db.session.scalar(select(func.count(CreditNote.id))) == 0


def test_recording_a_bank_transfer_pays_the_invoice(finance_client):
    _contract()
    (invoice,) = _finalized()
    page = f"/finance/invoices/{invoice.id}"
    data = {"transfer-amount": "47.19", "transfer-reference": "NL-TRX-1", "transfer-paid_on": "2026-11-14"}
    response = post_form(finance_client, f"{page}/payments", data, page)
    assert response.headers["Location"] == page
    text = _text(finance_client.get(page))
    assert "Bank transfer NL-TRX-1 recorded." in text and "NL-TRX-1" in text
    assert db.session.get(Invoice, invoice.id).status == "paid"
    assert "Record a bank transfer" not in text and "Void invoice" not in text


def test_a_transfer_in_the_future_or_over_the_amount_due_is_refused_beside_its_field(finance_client):
    _contract()
    (invoice,) = _finalized()
    page = f"/finance/invoices/{invoice.id}"
    future = {"transfer-amount": "10", "transfer-reference": "R1", "transfer-paid_on": "2026-12-01"}
    response = post_form(finance_client, f"{page}/payments", future, page)
    assert response.status_code == 422
    assert re.search(
        r'id="transfer-paid_on-error">A payment cannot be received in the future', _text(response)
    )
    too_much = {"transfer-amount": "100", "transfer-reference": "R2", "transfer-paid_on": "2026-11-15"}
    assert 'id="transfer-amount-error">Between 0 and 47.19' in _text(
        post_form(finance_client, f"{page}/payments", too_much, page)
    )
    assert db.session.get(Invoice, invoice.id).amount_paid == 0


# -- overdue and job runs ---------------------------------------------------------------------------------


def test_the_overdue_list_is_oldest_first_with_days_overdue(finance_client):
    _contract("Baukontor")
    (september,) = _finalized(Period.parse("2026-09"))
    with clock.frozen(date(2026, 11, 20)):
        october = next(i for i in _finalized() if i.period == "2026-10")
    with clock.frozen(date(2027, 1, 15)):
        text = _text(finance_client.get("/finance/overdue"))
    assert text.index(september.number) < text.index(october.number)
    assert f">{(date(2027, 1, 15) - september.due_date).days}<" in text
    assert "94.38 EUR" in text  # both amounts due, added up
    assert "No invoice is overdue." in _text(finance_client.get("/finance/overdue"))


def test_job_runs_are_filtered_and_failed_ones_stand_out(finance_client):
    for hour in range(30):
        db.session.add(
            JobRun(
                job="payment_retries",
                due_at=datetime(2026, 11, 1, tzinfo=UTC).replace(hour=hour % 24, day=1 + hour // 24),
                status="succeeded",
                attempts=1,
                counts={"attempted": hour},
            )
        )
    db.session.add(
        JobRun(
            job="billing_run",
            due_at=datetime(2026, 11, 1, 2, tzinfo=UTC),
            status="failed",
            attempts=2,
            late=True,
            detail="ValueError: no issuer country",
        )
    )
    db.session.commit()
    first = _text(finance_client.get("/finance/job-runs"))
    assert "Page 1 of 2 (31 in all)" in first
    failed = _text(finance_client.get("/finance/job-runs?job=&status=failed"))
    table = failed.split("<table>", 1)[1]
    assert (
        "row-failed" in table and "ValueError: no issuer country" in table and "payment_retries" not in table
    )
    assert "<td>late</td>" in table
    retries = _text(finance_client.get("/finance/job-runs?job=payment_retries&status=&page=2"))
    assert "Page 2 of 2 (30 in all)" in retries and "billing_run</th>" not in retries
    unknown = _text(finance_client.get("/finance/job-runs?job=nope"))
    assert 'id="job-error"' in unknown


# -- who may see the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["logistics", "customer"])
def test_other_roles_may_not_see_finance_pages(app, database, role):
    customer_id = factories.customer().id if role == "customer" else None
    client, _ = signed_in(app, role, customer_id)
    for url in ("/finance/billing-runs", "/finance/invoices", "/finance/overdue", "/finance/job-runs"):
        assert client.get(url).status_code == 403


def test_an_admin_sees_the_finance_pages(app, database, today):
    client, _ = signed_in(app, "admin")
    assert client.get("/finance/invoices").status_code == 200


def test_a_form_posted_without_its_csrf_token_is_refused(finance_client):
    _contract()
    (invoice,) = _finalized()
    response = finance_client.post(f"/finance/invoices/{invoice.id}/void")
    assert response.status_code == 400
    assert db.session.get(Invoice, invoice.id).status == "open"


def test_the_menu_lists_the_finance_sections_and_marks_the_current_one(finance_client):
    text = _text(finance_client.get("/finance/invoices"))
    for label in ("Overview", "Billing runs", "Invoices", "Overdue", "Job runs"):
        assert f">{label}</a>" in text
    assert '<a href="/finance/invoices" aria-current="page">Invoices</a>' in text

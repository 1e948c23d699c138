"""Finance's month end in a real browser: choose October, preview, run billing (queued until a scheduler
runs, which the page says) and watch its progress, check a draft, finalize (after a confirmation with the
numbers and totals), open an invoice and download its PDF and UBL, credit one of its lines and void
another invoice, each after a confirmation with the credit note's figures."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from sqlalchemy import select

from daas.billing.models import BillingRun, CreditNote, Invoice
from daas.core import clock
from daas.extensions import db
from tests import factories
from tests.billing_helpers import deploy, worked_example_plan
from tests.browser.conftest import screenshot, sign_in_page
from tests.helpers import configure
from tests.scheduler.schedulers import scheduler_running

PASSWORD = "correct-horse-battery"
CUSTOMERS = ("Berliner Baukontor GmbH", "Kantoor Noord B.V.", "Atelier Sud SARL")
# billing.md's worked example: one laptop at 39.00 lifts to the 500.00 minimum, plus 21 % Dutch VAT.
DRAFT_TOTAL = "605.00 EUR"


def _month_end(site) -> str:
    with site.app_context():
        plan, _, _ = worked_example_plan()
        for name in CUSTOMERS:
            customer = factories.customer(name=name)
            contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
            deploy(contract, date(2026, 2, 1))
        email = factories.user("finance", email="clerk@daas.example", password=PASSWORD).email
        db.session.commit()
        db.session.remove()
    return email


def _read(site, query):
    with site.app_context():
        try:
            return db.session.execute(query).all()
        finally:
            db.session.remove()


def test_finance_runs_previews_and_finalizes_october_and_downloads_a_pdf(page, site, monkeypatch):
    # One contract per chunk and a pause after each: the run lasts long enough to watch it progress.
    configure(site, monkeypatch, DAAS_BILLING_CHUNK_SIZE=1)
    configure(site, monkeypatch, DAAS_BILLING_THROTTLE_MS=2000)
    email = _month_end(site)
    sign_in_page(page, site, email, PASSWORD)
    page.wait_for_url("**/finance")
    page.get_by_role("link", name="Billing runs").click()

    # Choose October 2026 and preview it: no drafts yet, three contracts to bill.
    page.get_by_label("Period", exact=True).fill("2026-10")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview of 2026-10").wait_for()
    assert "3 contracts are active in 2026-10" in page.locator(".preview").inner_text()
    assert page.get_by_text("No drafts for 2026-10 yet").is_visible()

    # Run: no scheduler runs yet, so the request waits and its page says why.
    assert page.locator("[data-no-scheduler]").is_visible()
    page.get_by_role("button", name="Run billing for 2026-10").click()
    page.wait_for_url(re.compile(r".*/finance/billing-runs/requests/\d+$"))
    page.get_by_text("Waiting for a scheduler: the run has not started yet.").wait_for()
    assert "No scheduler is running: the run will start once one runs" in (
        page.locator("[data-no-scheduler]").inner_text()
    )
    screenshot(page, "finance-journey-queued")

    # A scheduler starts: the request's page follows the run, which shows its progress, then its drafts.
    with scheduler_running(site):
        page.wait_for_url(re.compile(r".*/finance/billing-runs/\d+$"), timeout=30_000)
        run_id = int(page.url.rsplit("/", 1)[1])
        _watch_the_run(page, site, run_id)

    # Check a draft's total, then finalize: the confirmation says what will happen, then the drafts get
    # their numbers.
    row = page.get_by_role("row").filter(has_text="Berliner Baukontor GmbH")
    assert DRAFT_TOTAL in row.inner_text() and "draft" in row.inner_text()
    page.get_by_role("link", name="Finalize 3 drafts…").click()
    page.get_by_role("heading", name=f"Finalize billing run {run_id} of 2026-10").wait_for()
    year = clock.today().year
    figures = page.locator("#finalize-figures").inner_text()
    assert "3 drafts to be numbered" in figures
    assert re.search(rf"INV-{year}-\d{{6}} to INV-{year}-\d{{6}}, the next of the series", figures)
    assert "1,815.00 EUR" in page.locator("table.totals").inner_text()  # 3 × 605.00
    assert {status for (status,) in _read(site, select(Invoice.status))} == {"draft"}
    screenshot(page, "finance-journey-finalize-confirmation")
    page.get_by_role("button", name="Finalize 3 drafts", exact=True).click()
    page.get_by_text(f"Finalized 3 invoices of billing run {run_id} (2026-10).").wait_for()
    numbers = page.get_by_role("link", name=re.compile(rf"^INV-{year}-\d{{6}}$"))
    assert numbers.count() == 3
    assert {status for (status,) in _read(site, select(Invoice.status))} == {"open"}
    screenshot(page, "finance-journey-run")

    # Open an invoice and download its PDF and its UBL e-invoice.
    row = page.get_by_role("row").filter(has_text="Berliner Baukontor GmbH")
    number = row.get_by_role("link").inner_text()
    row.get_by_role("link").click()
    page.get_by_role("heading", name=f"Invoice {number}").wait_for()
    assert page.locator("#invoice-total").inner_text() == DRAFT_TOTAL
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == f"{number}.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download UBL XML").click()
    assert download.value.suggested_filename == f"{number}.xml"
    assert b"<Invoice" in Path(download.value.path()).read_bytes()
    screenshot(page, "finance-journey")

    # Credit the laptop's line: the confirmation shows the net, the 21 % VAT and the total first.
    page.get_by_label("Credit on line 1", exact=True).fill("39.00")
    page.get_by_label("Reason", exact=True).fill("Laptop returned in the first week")
    page.get_by_role("button", name="Issue credit note…").click()
    page.get_by_role("heading", name=f"Credit note on invoice {number}").wait_for()
    assert page.locator("#credit-net").inner_text() == "39.00 EUR"
    assert page.locator("#credit-tax").inner_text() == "8.19 EUR"
    assert page.locator("#credit-total").inner_text() == "47.19 EUR"
    assert _read(site, select(CreditNote.id)) == []  # nothing issued before it is confirmed
    screenshot(page, "finance-journey-credit-confirmation")
    page.get_by_role("button", name="Issue credit note", exact=True).click()
    flash = page.locator(".flash-success")
    flash.wait_for()
    assert re.fullmatch(rf"Credit note CN-{year}-\d{{6}} issued\.", flash.inner_text())
    assert page.locator("#invoice-due").inner_text() == "557.81 EUR"  # 605.00 - 47.19

    # Void another invoice: its confirmation shows the full credit note and asks for a reason.
    page.get_by_role("link", name=f"Billing run {run_id}").click()
    page.get_by_role("row").filter(has_text="Kantoor Noord B.V.").get_by_role("link").click()
    other = page.get_by_role("heading", level=1).inner_text().removeprefix("Invoice ")
    page.get_by_role("link", name="Void invoice…").click()
    page.get_by_role("heading", name=f"Void invoice {other}").wait_for()
    assert page.locator("#credit-total").inner_text() == DRAFT_TOTAL
    page.get_by_role("button", name=f"Void invoice {other}").click()  # without a reason: refused
    page.locator(".error-summary").wait_for()
    page.get_by_label("Reason for voiding").fill("Billed to the wrong company")
    page.get_by_role("button", name=f"Void invoice {other}").click()
    page.get_by_text(
        re.compile(rf"Invoice {other} is void \(credit note CN-{year}-\d{{6}}\); it keeps its number\.")
    ).wait_for()
    assert _read(site, select(Invoice.status).where(Invoice.number == other)) == [("void",)]


def _watch_the_run(page, site, run_id: int) -> None:
    progress = page.locator("progress#run-progress-bar")
    assert progress.is_visible()
    assert page.locator("[data-progress-status]").inner_text().strip() == "running"
    page.get_by_text("3 of 3 contracts processed (100%)").wait_for(timeout=30_000)
    page.get_by_role("link", name="Finalize 3 drafts…").wait_for()  # the page reloaded when the run ended
    assert progress.get_attribute("value") == "3" and progress.get_attribute("max") == "3"
    assert page.locator("[data-progress-status]").inner_text().strip() == "completed"
    assert _read(site, select(BillingRun.status, BillingRun.processed).where(BillingRun.id == run_id)) == [
        ("completed", 3)
    ]

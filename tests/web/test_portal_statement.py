"""On the portal a customer reads its account statement: the balance before the days it chose, each
invoice, credit note, payment and refund with the balance after it, and the same statement as a PDF;
the days default to the current year, and a wrong day is shown beside its field."""

from __future__ import annotations

import io
from html import unescape

import pytest
from pypdf import PdfReader

from tests.accounting_helpers import build_month
from tests.web.helpers import signed_in


@pytest.fixture
def month(app, database, today):
    built = build_month()
    built["client"], _ = signed_in(app, "customer", built["customers"]["A"].id)
    return built


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return unescape(response.get_data(as_text=True))


def test_the_statement_shows_the_running_balance_of_the_chosen_days(month):
    text = page(month["client"], "/portal/statement?from=2026-11-01&to=2026-11-30")
    number = month["invoices"]["A"].number
    assert 'id="opening-balance">47.19 EUR' in text
    assert f"Invoice {number}" in text and f"Payment by bank transfer for invoice {number}" in text
    assert "212.96 EUR" in text and 'id="closing-balance">47.19 EUR' in text
    assert month["invoices"]["B"].number not in text  # another customer's documents
    assert 'href="/portal/statement.pdf?from=2026-11-01&to=2026-11-30"' in text


def test_the_statement_defaults_to_the_year_and_is_in_the_menu(month):
    text = page(month["client"], "/portal/statement")
    assert 'href="/portal/statement"' in text
    assert 'From <time datetime="2026-01-01">' in text
    assert month["september"].number in text and 'id="opening-balance">0.00 EUR' in text


def test_a_wrong_day_is_shown_beside_its_field(month):
    text = page(month["client"], "/portal/statement?from=2026-11-30&to=2026-11-01")
    assert "On or after the first day." in text
    text = page(month["client"], "/portal/statement?from=1999-12-31")
    assert "A day from 2000-01-01" in text


def test_the_statement_as_a_pdf(month):
    response = month["client"].get("/portal/statement.pdf?from=2026-11-01&to=2026-11-30")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert month["invoices"]["A"].number in text and "212.96" in text

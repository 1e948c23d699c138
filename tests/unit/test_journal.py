"""The accounting journal, the chart of accounts and the account statement, from plain values."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.accounting import accounts, balance, journal
from daas.accounting.accounts import Account, ChartOfAccounts, chart_of_accounts, parse_rate_accounts
from daas.accounting.facts import (
    CreditNoteIssued,
    Customer,
    InvoiceIssued,
    PaymentReceived,
    RefundMade,
    Taxed,
    chronological,
    year_range,
)
from daas.accounting.statement_pdf import render_statement
from daas.billing.models import CREDIT, CREDIT_LINE_KINDS, LINE_KINDS
from daas.billing.tax import NOT_SUBJECT, REVERSE_CHARGE, STANDARD
from daas.payments.models import BANK_TRANSFER, CARD

D = Decimal
CHART = ChartOfAccounts()
ACME = Customer(7, "=Acme B.V.", "EUR")
NL = Taxed(D("0.21"), STANDARD)
AE = Taxed(D("0"), REVERSE_CHARGE)


def invoice(number="INV-2026-000001", lines=(("device_monthly", D("352.00")),), vat=NL, **values):
    net = sum((amount for _, amount in lines), D(0))
    tax = values.pop("tax", (net * vat.rate).quantize(D("0.01")))
    defaults = {
        "id": 1,
        "number": number,
        "on": date(2026, 11, 1),
        "due_on": date(2026, 12, 1),
        "customer": ACME,
        "lines": tuple(lines),
        "tax": tax,
        "total": net + tax,
        "vat": vat,
    }
    return InvoiceIssued(**{**defaults, **values})


def credit_note(lines=(("credit", D("100.00")),), vat=NL, voids=False, **values):
    net = sum((amount for _, amount in lines), D(0))
    tax = (net * vat.rate).quantize(D("0.01"))
    defaults = {
        "id": 1,
        "number": "CN-2026-000001",
        "invoice_number": "INV-2026-000001",
        "on": date(2026, 11, 10),
        "customer": ACME,
        "lines": tuple(lines),
        "tax": tax,
        "amount": net + tax,
        "vat": vat,
        "voids_invoice": voids,
    }
    return CreditNoteIssued(**{**defaults, **values})


def payment(amount=D("121.00"), method=BANK_TRANSFER, **values):
    defaults = {
        "id": 1,
        "invoice_number": "INV-2026-000001",
        "on": date(2026, 11, 20),
        "customer": ACME,
        "amount": amount,
        "method": method,
        "reference": "BANK-1",
    }
    return PaymentReceived(**{**defaults, **values})


def refund(amount=D("12.10"), **values):
    defaults = {
        "id": 1,
        "invoice_number": "INV-2026-000001",
        "credit_note_number": "CN-2026-000001",
        "on": date(2026, 11, 21),
        "customer": ACME,
        "amount": amount,
        "reference": "re_1",
    }
    return RefundMade(**{**defaults, **values})


def postings(entry):
    return {(p.account.code, p.debit, p.credit) for p in entry.postings}


# -- the chart -------------------------------------------------------------------------------------------


def test_the_chart_names_an_account_for_every_kind_of_line():
    assert set(accounts.REVENUE_KINDS) == set(LINE_KINDS)
    assert accounts.CREDIT == CREDIT
    assert journal.CARD == balance.CARD == CARD
    for kind in CREDIT_LINE_KINDS:
        assert CHART.revenue_account(kind).code
    with pytest.raises(ValueError, match="no revenue account"):
        CHART.revenue_account("tip")


def test_the_default_chart():
    assert (CHART.receivables.code, CHART.bank.code, CHART.stripe_clearing.code) == ("1300", "1100", "1190")
    assert [CHART.revenue_account(kind).code for kind in accounts.REVENUE_KINDS] == [
        "8000",
        "8010",
        "8020",
        "8030",
        "8040",
    ]
    assert (CHART.credit.code, CHART.vat_account(D("0.21")).code) == ("8090", "1500")


def _reader(values):
    def parsed(key, parse):
        return parse(values[key])

    return parsed


def test_the_chart_is_read_from_settings_with_or_without_names():
    values = {
        "DAAS_ACCOUNT_RECEIVABLES": "1400 Debiteuren",
        "DAAS_ACCOUNT_BANK": "1010",
        "DAAS_ACCOUNT_STRIPE_CLEARING": "1195   Stripe   balance ",
        "DAAS_ACCOUNT_VAT_PAYABLE": "1600",
        "DAAS_ACCOUNT_CREDIT": "8900 Kortingen",
        "DAAS_ACCOUNT_REVENUE_DEVICE_MONTHLY": "8100",
        "DAAS_ACCOUNT_REVENUE_METERED": "8100",
        "DAAS_ACCOUNT_REVENUE_MINIMUM_TRUE_UP": "8100",
        "DAAS_ACCOUNT_REVENUE_LATE_USAGE": "8130 Late",
        "DAAS_ACCOUNT_REVENUE_ONE_OFF": "8140",
        "DAAS_ACCOUNT_VAT_PAYABLE_BY_RATE": "21=1510 VAT high; 9=1520",
    }
    chart = chart_of_accounts(_reader(values))
    assert chart.receivables == Account("1400", "Debiteuren")
    assert chart.bank == Account("1010", "Bank")
    assert chart.stripe_clearing == Account("1195", "Stripe balance")
    assert chart.revenue_account("metered") == Account("8100", "Revenue metered usage")
    assert chart.revenue_account("one_off") == Account("8140", "Revenue one-off charges")
    assert chart.vat_account(D("0.2100")) == Account("1510", "VAT high")
    assert chart.vat_account(D("0.09")) == Account("1520", "VAT payable 9%")
    assert chart.vat_account(D("0.19")) == Account("1600", "VAT payable")


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "account code"), ("=1300", "not an account code"), ("13 00" + "x" * 200, "at most 100")],
)
def test_a_bad_account_is_refused(text, message):
    with pytest.raises(ValueError, match=message):
        accounts.parse_account(CHART.bank)(text)


@pytest.mark.parametrize("text", ["21", "x=1500", "121=1500", "21=", "21=1500; 21.0=1510", "NaN=1500"])
def test_bad_rate_accounts_are_refused(text):
    with pytest.raises(ValueError):
        parse_rate_accounts(text)


def test_the_settings_read_the_chart_and_a_bad_account_stops_start_up_naming_it():
    from config import SettingsError, load_settings
    from daas.settings import Settings

    assert Settings.from_config(load_settings("testing", environ={})).accounts == CHART
    settings = Settings.from_config(load_settings("testing", environ={"DAAS_ACCOUNT_BANK": "1010 ING"}))
    assert settings.accounts.bank == Account("1010", "ING")
    assert settings.accounts.receivables == CHART.receivables
    for key, value in (("DAAS_ACCOUNT_BANK", "=1100"), ("DAAS_ACCOUNT_VAT_PAYABLE_BY_RATE", "21:1510")):
        with pytest.raises(SettingsError, match=key):
            Settings.from_config(load_settings("testing", environ={key: value}))


def test_no_rate_accounts():
    assert parse_rate_accounts("") == parse_rate_accounts(" ; ") == ()


# -- entries ---------------------------------------------------------------------------------------------


def test_an_invoice_debits_receivables_and_credits_revenue_per_kind_and_vat():
    lines = (("device_monthly", D("352.00")), ("metered", D("45.00")), ("device_monthly", D("8.00")))
    made = journal.invoice_entry(invoice(lines=lines), CHART)
    assert postings(made) == {
        ("1300", D("490.05"), 0),
        ("8000", 0, D("360.00")),
        ("8010", 0, D("45.00")),
        ("1500", 0, D("85.05")),
    }
    assert made.debit == made.credit == D("490.05")
    assert (made.entry_id, made.document_type, made.vat) == ("invoice-1", "invoice", NL)


def test_a_line_that_bills_less_is_posted_on_the_other_side():
    made = journal.invoice_entry(
        invoice(lines=(("device_monthly", D("100.00")), ("late_usage", D("-30.00")))), CHART
    )
    assert postings(made) == {
        ("1300", D("84.70"), 0),
        ("8030", D("30.00"), 0),
        ("8000", 0, D("100.00")),
        ("1500", 0, D("14.70")),
    }


def test_reverse_charge_posts_no_vat():
    made = journal.invoice_entry(invoice(vat=AE), CHART)
    assert postings(made) == {("1300", D("352.00"), 0), ("8000", 0, D("352.00"))}
    row = next(journal.csv_rows([made]))
    assert (row["vat_category"], row["vat_rate"]) == ("AE", "0.00")


def test_a_zero_invoice_makes_no_entry():
    assert list(journal.journal([invoice(lines=())], CHART)) == []


def test_amounts_that_do_not_add_up_are_refused():
    with pytest.raises(journal.UnbalancedEntry, match="INV-2026-000001"):
        journal.invoice_entry(invoice(total=D("400.00")), CHART)


def test_a_credit_note_reverses_the_lines_it_credits():
    made = journal.credit_note_entry(
        credit_note(lines=(("metered", D("45.00")), ("credit", D("10.00")))), CHART
    )
    assert postings(made) == {
        ("8010", D("45.00"), 0),
        ("8090", D("10.00"), 0),
        ("1500", D("11.55"), 0),
        ("1300", 0, D("66.55")),
    }
    assert made.description == "Credit note CN-2026-000001 on invoice INV-2026-000001"
    voiding = journal.credit_note_entry(credit_note(voids=True), CHART)
    assert voiding.description == "Credit note CN-2026-000001 voids invoice INV-2026-000001"


def test_payments_by_transfer_and_card_and_refunds():
    bank = journal.payment_entry(payment(), CHART)
    card = journal.payment_entry(payment(method=CARD, reference="pi_1", id=2), CHART)
    back = journal.refund_entry(refund(), CHART)
    assert postings(bank) == {("1100", D("121.00"), 0), ("1300", 0, D("121.00"))}
    assert postings(card) == {("1190", D("121.00"), 0), ("1300", 0, D("121.00"))}
    assert postings(back) == {("1300", D("12.10"), 0), ("1190", 0, D("12.10"))}
    assert (card.document_number, back.entry_id) == ("pi_1", "refund-1")


def test_accounts_shared_by_kinds_are_posted_once():
    chart = ChartOfAccounts(
        revenue=tuple((kind, Account("8000", "Revenue")) for kind in accounts.REVENUE_KINDS)
    )
    made = journal.invoice_entry(
        invoice(lines=(("device_monthly", D("100.00")), ("metered", D("50.00")))), chart
    )
    assert postings(made) == {("1300", D("181.50"), 0), ("8000", 0, D("150.00")), ("1500", 0, D("31.50"))}


money = st.decimals(min_value=D("-500"), max_value=D("5000"), places=2)
kinds = st.sampled_from(accounts.REVENUE_KINDS)


@given(
    lines=st.lists(st.tuples(kinds, money), max_size=8),
    rate=st.sampled_from([D("0.21"), D("0.09"), D("0.19"), D("0"), D("0.255")]),
    credited=st.lists(st.tuples(st.sampled_from((*accounts.REVENUE_KINDS, "credit")), money), max_size=4),
)
def test_every_entry_balances_to_the_cent(lines, rate, credited):
    net = sum((amount for _, amount in lines), D(0))
    tax = (net * rate).quantize(D("0.01"))
    made = journal.invoice_entry(invoice(lines=lines, vat=Taxed(rate, STANDARD), tax=tax), CHART)
    note = journal.credit_note_entry(credit_note(lines=credited, vat=Taxed(rate, STANDARD)), CHART)
    for entry in (made, note):
        assert entry.debit == entry.credit
        assert all(p.debit >= 0 and p.credit >= 0 and (p.debit == 0 or p.credit == 0) for p in entry.postings)
    receivable = sum((p.debit - p.credit for p in made.postings if p.account.code == "1300"), D(0))
    assert receivable == net + tax


# -- CSV -------------------------------------------------------------------------------------------------


def test_the_csv_has_a_row_per_posting_and_neutralises_formulas():
    entries = list(journal.journal([invoice(), payment(amount=D("425.92"))], CHART))
    rows = list(csv.DictReader(io.StringIO(journal.journal_csv(entries))))
    assert [row["account"] for row in rows] == ["1300", "8000", "1500", "1100", "1300"]
    assert rows[0]["customer_name"] == "'=Acme B.V."
    assert rows[0] | {"customer_name": ""} == {
        "entry_id": "invoice-1",
        "date": "2026-11-01",
        "document_type": "invoice",
        "document_number": "INV-2026-000001",
        "invoice_number": "INV-2026-000001",
        "customer_id": "7",
        "customer_name": "",
        "currency": "EUR",
        "account": "1300",
        "account_name": "Trade receivables",
        "debit": "425.92",
        "credit": "0.00",
        "vat_category": "S",
        "vat_rate": "21.00",
        "description": "Invoice INV-2026-000001",
    }
    assert rows[3]["vat_category"] == rows[3]["vat_rate"] == ""


def test_amounts_keep_their_currency_decimals():
    yen = Customer(8, "Sample K.K.", "JPY")
    made = journal.invoice_entry(
        invoice(customer=yen, vat=Taxed(D(0), NOT_SUBJECT), lines=(("device_monthly", D("5000")),), tax=D(0)),
        CHART,
    )
    rows = list(journal.csv_rows([made]))
    assert [(row["debit"], row["credit"]) for row in rows] == [("5000", "0"), ("0", "5000")]


# -- the statement ---------------------------------------------------------------------------------------


def test_facts_are_chronological_invoices_first_on_a_day():
    day = date(2026, 11, 1)
    facts = [payment(on=day), credit_note(on=day), invoice(on=day, id=2), invoice(on=day, id=1)]
    ordered = chronological(facts)
    assert [(fact.document_type, fact.id) for fact in ordered] == [
        ("invoice", 1),
        ("invoice", 2),
        ("credit_note", 1),
        ("payment", 1),
    ]


def test_the_statement_runs_a_balance_from_the_opening_one():
    statement = balance.build_statement(
        7,
        "Acme",
        "EUR",
        date(2026, 11, 1),
        date(2026, 11, 30),
        D("50.00"),
        [refund(), payment(amount=D("300.00")), invoice(), credit_note(amount=D("121.00"))],
    )
    assert [(row.document_type, row.debit, row.credit, row.balance) for row in statement.rows] == [
        ("invoice", D("425.92"), 0, D("475.92")),
        ("credit_note", 0, D("121.00"), D("354.92")),
        ("payment", 0, D("300.00"), D("54.92")),
        ("refund", D("12.10"), 0, D("67.02")),
    ]
    assert statement.closing_balance == D("67.02")
    assert (statement.total_debit, statement.total_credit) == (D("438.02"), D("421.00"))
    assert statement.rows[0].due_on == date(2026, 12, 1)
    assert statement.rows[2].description == "Payment by bank transfer for invoice INV-2026-000001"


def test_ranges_default_to_a_year():
    today = date(2026, 11, 15)
    assert year_range(None, None, today) == (date(2026, 1, 1), date(2026, 12, 31))
    assert year_range(date(2025, 3, 1), None, today) == (date(2025, 3, 1), date(2025, 12, 31))
    assert year_range(None, date(2024, 6, 30), today) == (date(2024, 1, 1), date(2024, 6, 30))
    assert year_range(date(2024, 6, 1), date(2024, 6, 30), today) == (date(2024, 6, 1), date(2024, 6, 30))


def test_the_statement_pdf_is_deterministic_and_prints_any_name():
    statement = balance.build_statement(
        7,
        "株式会社サンプル Łódź",
        "EUR",
        date(2026, 1, 1),
        date(2026, 12, 31),
        D("0"),
        [invoice(), payment()],
    )
    pdf = render_statement(statement, "daas Circular Devices B.V.")
    assert pdf.startswith(b"%PDF") and pdf == render_statement(statement, "daas Circular Devices B.V.")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Account statement" in text and "INV-2026-000001" in text and "304.92" in text

"""Invoice and credit-note PDFs (daas.billing.pdf) read back with pypdf: every sample document of
tests/document_samples prints what documents.md asks of it, in its language, and nothing it must not
(no status). No app, no database. The Factur-X side of the same files: test_facturx.py."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable

import pytest
from pypdf import PdfReader

from daas.billing import labels
from daas.billing.cii import render_cii
from daas.billing.documents import Document, DocumentLine, Party
from daas.billing.pdf import render_pdf, title
from tests.document_samples import ALL

SAMPLES = sorted(ALL)


def issued(name: str) -> tuple[Document, bytes]:
    doc = ALL[name]()
    return doc, render_pdf(doc, render_cii(doc))


def draft(doc: Document) -> Document:
    return dataclasses.replace(doc, number=None, issue_date=None)


def flat(text: str) -> str:
    """Whitespace (line breaks of wrapped cells, no-break spaces of numbers) as single spaces."""
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def party_fields(party: Party, language: str) -> list[str]:
    address = party.address
    fields = [party.name, address.line1, address.line2, labels.country(address.country, language)]
    fields.append(" ".join(part for part in (address.postcode, address.city) if part))
    fields += [party.vat_id, party.registration_id and str(party.registration_id)]
    fields += [party.electronic_address and str(party.electronic_address), party.email]
    return [field for field in fields if field]


def line_fields(line: DocumentLine, doc: Document) -> list[str]:
    language, currency = doc.language, doc.currency
    price = labels.format_price(line.price, currency, language)
    if line.base_quantity != 1:
        base = labels.unit(line.base_quantity, line.unit_code, language)
        price = labels.label(language, "price_per").format(price=price, base=base)
    quantity = labels.unit(line.quantity, line.unit_code, language)
    return [quantity, price, labels.format_amount(line.amount, currency, language)]


def expected_fields(doc: Document) -> list[str]:
    """Item 1 of the issue: what the PDF of an issued document must show."""
    language, currency = doc.language, doc.currency
    fields = [title(doc), *party_fields(doc.seller, language), *party_fields(doc.buyer, language)]
    fields += [labels.format_date(day, language) for day in (doc.issue_date, doc.due_date) if day]
    fields += [labels.format_date(doc.period_start, language), labels.format_date(doc.period_end, language)]
    fields += [doc.contract_reference, doc.effective_buyer_reference, doc.purchase_order or "", doc.currency]
    for line in doc.lines:
        fields += [line.description, *line_fields(line, doc)]
    for group in doc.vat:
        fields += [labels.format_amount(group.taxable, currency, language)]
        fields += [labels.format_amount(group.tax, currency, language)]
        fields += [group.exemption_reason or "", group.exemption_code or ""]
        if group.rate_percent is not None:
            fields.append(labels.format_percent(group.rate_percent, language))
    totals = doc.totals
    fields += [
        labels.format_amount(amount, currency, language) for amount in (totals.tax_exclusive, totals.tax)
    ]
    fields += [labels.format_amount(totals.tax_inclusive, currency, language)]
    fields += [labels.format_amount(totals.payable, currency, language)]
    if doc.payment is not None:
        fields += [doc.payment.remittance, doc.payment.terms]
        if not doc.payment.by_card:
            fields += [doc.payment.iban or "", doc.payment.bic or ""]
    if doc.preceding_invoice is not None:
        fields += [
            doc.preceding_invoice.number,
            labels.format_date(doc.preceding_invoice.issue_date, language),
        ]
    fields += list(doc.notes)
    return [flat(field) for field in fields if field]


@pytest.mark.parametrize("name", SAMPLES)
def test_every_field_of_the_document_is_printed(name: str) -> None:
    doc, data = issued(name)
    text = pdf_text(data)
    missing = [field for field in expected_fields(doc) if field not in text]
    assert not missing, missing


@pytest.mark.parametrize("name", SAMPLES)
def test_every_line_reads_as_quantity_times_price_over_base(name: str) -> None:
    """ "57 days | EUR 39.00 per 31 days | EUR 71.71": one row of the table, in that order."""
    doc, data = issued(name)
    text = pdf_text(data)
    for line in doc.lines:
        row = " ".join(flat(field) for field in line_fields(line, doc))
        assert row in text, row


def test_names_print_exactly_whatever_their_script() -> None:
    assert "Müller Logistik GmbH" in pdf_text(issued("de_reverse_charge")[1])
    assert "Hafenstraße 5" in pdf_text(issued("de_reverse_charge")[1])
    assert "Brasserie Łódź SRL" in pdf_text(issued("be_reverse_charge")[1])
    assert "株式会社サンプル (Sample KK)" in pdf_text(issued("jpy_invoice")[1])
    doc = dataclasses.replace(
        ALL["nl_invoice"](),
        buyer=dataclasses.replace(
            ALL["nl_invoice"]().buyer, name="Ελληνική Εταιρεία / ООО «Ромашка» / Zakład"
        ),
    )
    assert "Ελληνική Εταιρεία / ООО «Ромашка» / Zakład" in pdf_text(render_pdf(doc, render_cii(doc)))


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("nl_invoice", ["Factuur", "Factuur aan", "Te betalen", "Btw-specificatie", "Pagina 1 van 1"]),
        (
            "de_reverse_charge",
            ["Rechnung", "Rechnungsempfänger", "Zahlbetrag", "Leistungszeitraum", "Seite 1 von 1"],
        ),
        ("be_reverse_charge", ["Facture", "Facturé à", "Montant dû", "Détail de la TVA", "Page 1 sur 1"]),
        ("us_outside_scope", ["Invoice", "Bill to", "Amount due", "VAT breakdown", "Page 1 of 1"]),
        ("partial_credit_note", ["Creditnota", "Gecrediteerd bedrag", "Reden", "Creditnota bij factuur"]),
        ("void_credit_note", ["Gutschrift", "Gutgeschriebener Betrag", "Grund", "Gutschrift zur Rechnung"]),
    ],
)
def test_the_words_are_those_of_the_document_language(name: str, words: list[str]) -> None:
    text = pdf_text(issued(name)[1])
    for word in words:
        assert word in text, word


def test_amounts_and_dates_are_written_the_language_way() -> None:
    assert "EUR 605,00" in pdf_text(issued("nl_invoice")[1])  # flat() turns the no-break space into " "
    assert "1. November 2026" in pdf_text(issued("de_reverse_charge")[1])
    assert "1 décembre 2026" in pdf_text(issued("be_reverse_charge")[1])
    jpy = pdf_text(issued("jpy_invoice")[1])
    assert "JPY 6,274" in jpy and "JPY 6,274.00" not in jpy  # no decimals in yen


def test_a_reverse_charge_invoice_names_the_exemption_and_both_vat_ids() -> None:
    doc, data = issued("de_reverse_charge")
    text = pdf_text(data)
    assert "Steuerschuldnerschaft des Leistungsempfängers (AE)" in text
    assert "(VATEX-EU-AE)" in text
    assert doc.seller.vat_id in text and doc.buyer.vat_id in text


def test_a_card_invoice_says_stripe_collects_it_and_prints_no_bank_account() -> None:
    doc, data = issued("us_outside_scope")
    text = pdf_text(data)
    assert doc.payment is not None and doc.payment.by_card
    assert labels.label("en", "method_card") in text
    assert "IBAN" not in text and "NL91ABNA0417164300" not in text


STATUS_WORDS = re.compile(
    r"\b(Paid|PAID|Void|VOID|Voided|Open|OPEN|Overdue|Status|Betaald|Bezahlt|Payée|Storniert|Annulé|Vervallen)\b"
)


@pytest.mark.parametrize("name", SAMPLES)
def test_an_issued_document_never_prints_a_status(name: str) -> None:
    """What the renderer adds says no status; the document's own free texts (the samples' terms say
    "Paid by card") are the builder's words and are left out of the check."""
    doc, data = issued(name)
    text = pdf_text(data)
    free_texts = [*doc.notes, *(line.description for line in doc.lines)]
    free_texts += [doc.payment.terms] if doc.payment else []
    for free_text in free_texts:
        text = text.replace(flat(free_text), "")
    assert not STATUS_WORDS.findall(text)
    assert labels.label(doc.language, "draft_stamp") not in text


def test_the_card_terms_of_labels_say_no_status() -> None:
    for language in ("en", "nl", "de", "fr"):
        terms = labels.payment_terms(language, due_date=None, by_card=True, number="INV-2026-000004")
        assert not STATUS_WORDS.findall(terms)


def test_a_credit_note_names_the_invoice_it_credits_and_its_reason() -> None:
    doc, data = issued("partial_credit_note")
    text = pdf_text(data)
    assert doc.preceding_invoice is not None
    assert f"{doc.preceding_invoice.number} (1 november 2026)" in text
    assert "Two tickets were opened twice." in text
    assert labels.label("nl", "due_date") not in text  # a credit note has no due date


def test_the_footer_names_the_seller_its_vat_id_and_the_page() -> None:
    doc, data = issued("nl_invoice")
    footer = flat(" ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().splitlines()[-2:]))
    assert f"{doc.seller.name} | Btw-nummer NL004495445B01 | Factuur INV-2026-000001" in footer
    assert "Pagina 1 van 1" in footer


def test_many_lines_run_over_pages_with_the_header_and_page_count_on_each() -> None:
    base = ALL["us_outside_scope"]()
    line = base.lines[3]
    lines = tuple(
        dataclasses.replace(line, id=str(i + 1), description=f"Express swap {i + 1}") for i in range(90)
    )
    doc = dataclasses.replace(base, lines=lines)
    reader = PdfReader(io.BytesIO(render_pdf(doc, render_cii(doc))))
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = flat(page.extract_text())
        assert "Description" in text
        assert f"Page {number} of {pages}" in text
    assert "Express swap 90" in flat(reader.pages[-1].extract_text())


@pytest.mark.parametrize("name", ["nl_invoice", "void_credit_note", "jpy_invoice"])
def test_a_draft_is_stamped_draft_and_says_it_is_no_tax_invoice(name: str) -> None:
    doc = draft(ALL[name]())
    data = render_pdf(doc)
    text = pdf_text(data)
    language = doc.language
    assert labels.label(language, "draft_stamp") in text
    assert flat(labels.label(language, "draft_banner")) in text
    assert title(doc) == labels.label(
        language, "draft_credit_note" if doc.is_credit_note else "draft_invoice"
    )
    assert labels.label(language, "not_numbered") in text
    assert PdfReader(io.BytesIO(data)).metadata.title == title(doc)


def test_an_issued_document_needs_its_cii() -> None:
    with pytest.raises(ValueError, match="CII"):
        render_pdf(ALL["nl_invoice"]())


def test_no_lines_says_so() -> None:
    doc = draft(dataclasses.replace(ALL["nl_invoice"](), lines=()))
    assert labels.label("nl", "no_lines") in pdf_text(render_pdf(doc))


@pytest.mark.parametrize("make", [ALL["nl_invoice"], lambda: draft(ALL["be_reverse_charge"]())])
def test_the_same_document_renders_to_the_same_bytes(make: Callable[[], Document]) -> None:
    doc = make()
    cii = None if doc.is_draft else render_cii(doc)
    assert render_pdf(doc, cii) == render_pdf(make(), cii)

"""The UBL e-invoice (daas.billing.ubl, Peppol BIS Billing 3.0) of every sample document, validated as a
receiver validates it: the UBL 2.1 schema, the CEN EN 16931 rules and the Peppol rules
(tests/einvoice_validation.py; the stylesheets are compiled once per session)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

import pytest
from lxml import etree

from daas.billing.documents import NOT_SUBJECT, Document
from daas.billing.ubl import CUSTOMIZATION_ID, PROFILE_ID, render_ubl
from daas.core.money import exponent, round_money
from tests import document_samples as samples
from tests.einvoice_validation import check_ubl, validate_ubl

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
SAMPLES = pytest.mark.parametrize("sample", list(samples.ALL.values()), ids=list(samples.ALL))


def tree(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def texts(root: etree._Element, path: str) -> list[str]:
    """The text of each element, or the value of each attribute, that `path` selects."""
    return [item if isinstance(item, str) else item.text or "" for item in root.xpath(path, namespaces=NS)]


def lines(root: etree._Element) -> list[etree._Element]:
    return root.xpath("cac:InvoiceLine | cac:CreditNoteLine", namespaces=NS)


# -- valid: schema, EN 16931, Peppol --------------------------------------------------------------------


@SAMPLES
def test_every_sample_is_a_valid_ubl_invoice(sample: Callable[[], Document]) -> None:
    doc = sample()
    report = check_ubl(render_ubl(doc), peppol=doc.peppol_ready)
    assert report.errors == []


@SAMPLES
def test_a_peppol_ready_sample_passes_the_peppol_rules_and_another_lacks_only_the_buyer_address(
    sample: Callable[[], Document],
) -> None:
    """documents.md: without the buyer's electronic address the UBL is EN 16931-valid, not Peppol-ready:
    it claims the EN 16931 core only, and Peppol's rules, applied anyway, name just that (R001, R004 on
    the specification and process it does not claim, R007 on the process id format, R010 on the missing
    address)."""
    doc = sample()
    xml = render_ubl(doc)
    report = check_ubl(xml, peppol=True)
    if doc.peppol_ready:
        assert report.errors == []
    else:
        assert doc.buyer.electronic_address is None
        assert texts(tree(xml), "cbc:CustomizationID") == ["urn:cen.eu:en16931:2017"]
        assert texts(tree(xml), "cbc:ProfileID") == []
        assert check_ubl(xml, peppol=False).errors == []
        assert report.rule_ids() == {f"PEPPOL-EN16931-R{n}" for n in ("001", "004", "007", "010")}


def test_the_document_names_the_peppol_specification_and_process() -> None:
    root = tree(render_ubl(samples.nl_invoice()))
    assert texts(root, "cbc:CustomizationID") == [CUSTOMIZATION_ID]
    assert texts(root, "cbc:ProfileID") == [PROFILE_ID]
    assert texts(root, "cbc:InvoiceTypeCode") == ["380"]
    assert texts(root, "cbc:BuyerReference") == ["IT-DEPT-7"]
    assert texts(root, "cac:OrderReference/cbc:ID") == ["PO-2026-118"]
    assert texts(root, "cac:ContractDocumentReference/cbc:ID") == ["C-000042"]
    assert texts(root, "cac:InvoicePeriod/cbc:*") == ["2026-10-01", "2026-10-31"]
    assert texts(root, "cac:PaymentMeans/cbc:PaymentMeansCode") == ["58"]
    assert texts(root, "cac:PaymentMeans/cbc:PaymentID") == ["INV-2026-000001"]
    assert texts(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == ["NL91ABNA0417164300"]
    assert texts(
        root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"
    ) == ["ABNANL2A"]
    assert texts(root, "cac:AccountingSupplierParty/cac:Party/cbc:EndpointID/@schemeID") == ["0106"]
    assert texts(root, "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID") == [
        "12345678"
    ]
    assert texts(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == ["605.00"]


# -- the validator can fail -------------------------------------------------------------------------------


def test_a_line_amount_that_is_not_quantity_times_price_is_invalid() -> None:
    doc = samples.nl_invoice()
    wrong = dataclasses.replace(doc.lines[0], amount=Decimal("71.81"))  # 57 × 39.00 / 31 = 71.71
    broken = dataclasses.replace(doc, lines=(wrong, *doc.lines[1:]))
    report = check_ubl(render_ubl(broken))
    assert {"PEPPOL-EN16931-R120", "BR-CO-10"} <= report.rule_ids()


def test_totals_that_do_not_add_up_are_invalid() -> None:
    doc = samples.nl_invoice()
    totals = dataclasses.replace(doc.totals, tax_inclusive=Decimal("606.00"), payable=Decimal("606.00"))
    report = check_ubl(render_ubl(dataclasses.replace(doc, totals=totals)))
    assert "BR-CO-15" in report.rule_ids()


def test_a_vat_id_under_category_o_is_invalid() -> None:
    """The renderer leaves them out; put back by hand, BR-O-02 catches them (the rule runs)."""
    root = tree(render_ubl(samples.us_outside_scope()))
    buyer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    scheme = etree.Element(f"{{{NS['cac']}}}PartyTaxScheme")
    etree.SubElement(scheme, f"{{{NS['cbc']}}}CompanyID").text = "US941234567"
    etree.SubElement(etree.SubElement(scheme, f"{{{NS['cac']}}}TaxScheme"), f"{{{NS['cbc']}}}ID").text = "VAT"
    buyer.find("cac:PostalAddress", NS).addnext(scheme)
    assert "BR-O-02" in check_ubl(etree.tostring(root), peppol=False).rule_ids()


def test_a_document_out_of_the_schema_is_invalid() -> None:
    root = tree(render_ubl(samples.nl_invoice()))
    root.find("cbc:IssueDate", NS).addprevious(etree.Element(f"{{{NS['cbc']}}}Colour"))
    errors = validate_ubl(etree.tostring(root))
    assert any(error.startswith("[XSD]") and "Colour" in error for error in errors)


def test_text_that_is_not_xml_is_invalid() -> None:
    assert validate_ubl(b"<Invoice>")[0].startswith("[XML]")


# -- VAT categories ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", [samples.us_outside_scope, samples.jpy_invoice])
def test_category_o_carries_no_vat_id(sample: Callable[[], Document]) -> None:
    doc = sample()
    xml = render_ubl(doc)
    root = tree(xml)
    assert doc.vat[0].category == NOT_SUBJECT
    assert root.xpath("//cac:PartyTaxScheme", namespaces=NS) == []
    assert samples.SELLER.vat_id is not None and samples.SELLER.vat_id.encode() not in xml
    if doc.buyer.vat_id:
        assert doc.buyer.vat_id.encode() not in xml
    # The seller is still identified, by its legal registration id (BR-CO-26).
    assert texts(root, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID") == [
        "34110270"
    ]
    assert texts(root, "//cac:TaxCategory/cbc:ID | //cac:ClassifiedTaxCategory/cbc:ID") == ["O"] * (
        1 + len(doc.lines)
    )
    assert (
        root.xpath("//cac:TaxCategory/cbc:Percent | //cac:ClassifiedTaxCategory/cbc:Percent", namespaces=NS)
        == []
    )
    assert texts(root, "//cac:TaxCategory/cbc:TaxExemptionReasonCode") == ["VATEX-EU-O"]


@pytest.mark.parametrize("sample", [samples.de_reverse_charge, samples.be_reverse_charge])
def test_reverse_charge_names_both_vat_ids_and_the_exemption(sample: Callable[[], Document]) -> None:
    doc = sample()
    root = tree(render_ubl(doc))
    assert texts(root, "//cac:PartyTaxScheme/cbc:CompanyID") == [samples.SELLER.vat_id, doc.buyer.vat_id]
    assert texts(root, "//cac:TaxCategory/cbc:ID") == ["AE"]
    assert texts(root, "//cac:TaxCategory/cbc:Percent") == ["0.00"]
    assert texts(root, "//cac:TaxCategory/cbc:TaxExemptionReasonCode") == ["VATEX-EU-AE"]
    assert texts(root, "//cac:TaxCategory/cbc:TaxExemptionReason") == ["Reverse charge"]


# -- credit notes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", [samples.partial_credit_note, samples.void_credit_note])
def test_a_credit_note_is_a_creditnote_with_the_preceding_invoice(sample: Callable[[], Document]) -> None:
    doc = sample()
    root = tree(render_ubl(doc))
    assert root.tag == f"{{{NS['cn']}}}CreditNote"
    assert texts(root, "cbc:CreditNoteTypeCode") == ["381"]
    assert doc.preceding_invoice is not None
    reference = "cac:BillingReference/cac:InvoiceDocumentReference"
    assert texts(root, f"{reference}/cbc:ID") == [doc.preceding_invoice.number]
    assert texts(root, f"{reference}/cbc:IssueDate") == [doc.preceding_invoice.issue_date.isoformat()]
    assert root.xpath("cac:InvoiceLine | //cbc:InvoicedQuantity", namespaces=NS) == []
    assert len(root.xpath("cac:CreditNoteLine/cbc:CreditedQuantity", namespaces=NS)) == len(doc.lines)
    assert all(Decimal(amount) >= 0 for amount in texts(root, "//*[@currencyID]"))


def test_every_note_of_a_credit_note_is_in_its_one_note() -> None:
    doc = samples.void_credit_note()
    assert texts(tree(render_ubl(doc)), "cbc:Note") == ["\n".join(doc.notes)]


# -- amounts and lines ------------------------------------------------------------------------------------


def test_jpy_amounts_have_no_decimals() -> None:
    root = tree(render_ubl(samples.jpy_invoice()))
    amounts = root.xpath("//*[@currencyID][local-name() != 'PriceAmount']", namespaces=NS)
    assert amounts and all("." not in (amount.text or "") for amount in amounts)
    assert {amount.get("currencyID") for amount in root.xpath("//*[@currencyID]")} == {"JPY"}
    assert texts(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == ["6274"]


@SAMPLES
def test_every_amount_has_the_currency_decimals_and_id(sample: Callable[[], Document]) -> None:
    doc = sample()
    root = tree(render_ubl(doc))
    places = exponent(doc.currency)
    for amount in root.xpath("//*[@currencyID][local-name() != 'PriceAmount']"):
        assert amount.get("currencyID") == doc.currency
        assert -Decimal(amount.text).as_tuple().exponent == places, etree.QName(amount).localname


@SAMPLES
def test_every_line_is_quantity_times_price_over_base(sample: Callable[[], Document]) -> None:
    doc = sample()
    root = tree(render_ubl(doc))
    for line in lines(root):
        quantity = Decimal(
            line.findtext("cbc:InvoicedQuantity", namespaces=NS)
            or line.findtext("cbc:CreditedQuantity", namespaces=NS)
        )
        price = Decimal(line.findtext("cac:Price/cbc:PriceAmount", namespaces=NS))
        base = Decimal(line.findtext("cac:Price/cbc:BaseQuantity", namespaces=NS))
        amount = Decimal(line.findtext("cbc:LineExtensionAmount", namespaces=NS))
        assert abs(quantity * price / base - amount) <= Decimal("0.02")  # PEPPOL-EN16931-R120
        assert round_money(quantity * price / base, doc.currency) == amount  # documents.md "Lines"
        quantity_unit = line.find("cbc:InvoicedQuantity", NS)
        if quantity_unit is None:
            quantity_unit = line.find("cbc:CreditedQuantity", NS)
        assert line.find("cac:Price/cbc:BaseQuantity", NS).get("unitCode") == quantity_unit.get("unitCode")


# -- bytes ------------------------------------------------------------------------------------------------


@SAMPLES
def test_the_same_document_gives_the_same_bytes(sample: Callable[[], Document]) -> None:
    assert render_ubl(sample()) == render_ubl(sample())


def test_the_bytes_are_utf8_with_an_xml_declaration() -> None:
    xml = render_ubl(samples.be_reverse_charge())
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Invoice ')
    assert "Brasserie Łódź SRL".encode() in xml
    assert "株式会社サンプル".encode() in render_ubl(samples.jpy_invoice())


def test_a_draft_has_no_ubl() -> None:
    with pytest.raises(ValueError, match="draft"):
        render_ubl(dataclasses.replace(samples.nl_invoice(), number=None, issue_date=None))


def test_an_amount_with_more_decimals_than_the_currency_is_refused() -> None:
    doc = samples.jpy_invoice()
    totals = dataclasses.replace(doc.totals, payable=Decimal("6274.5"))
    with pytest.raises(ValueError, match="JPY"):
        render_ubl(dataclasses.replace(doc, totals=totals))


def test_characters_xml_cannot_hold_are_left_out_of_free_texts() -> None:
    """A reason typed with an escape character still issues a valid credit note (XML 1.0 has no \\x1b)."""
    doc = dataclasses.replace(samples.partial_credit_note(), notes=("Two tickets\x1b were opened twice.",))
    xml = render_ubl(doc)
    assert texts(tree(xml), "cbc:Note") == ["Two tickets were opened twice."]
    assert validate_ubl(xml) == []

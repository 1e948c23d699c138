"""The CII e-invoice (daas.billing.cii, Factur-X EN 16931) of every sample document, validated against the
Factur-X 1.09 EN 16931 schema and Schematron, which carries the CEN EN 16931 rules for CII
(tests/einvoice_validation.py; the stylesheet is compiled once per session)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

import pytest
from lxml import etree

from daas.billing.cii import GUIDELINE_ID, render_cii
from daas.billing.documents import NOT_SUBJECT, Document
from daas.billing.ubl import render_ubl
from daas.core.money import exponent, round_money
from tests import document_samples as samples
from tests.einvoice_validation import check_cii, validate_cii

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
SAMPLES = pytest.mark.parametrize("sample", list(samples.ALL.values()), ids=list(samples.ALL))
TRADE = "rsm:SupplyChainTradeTransaction"
AGREEMENT = f"{TRADE}/ram:ApplicableHeaderTradeAgreement"
SETTLEMENT = f"{TRADE}/ram:ApplicableHeaderTradeSettlement"
SUMMATION = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
LINES = f"{TRADE}/ram:IncludedSupplyChainTradeLineItem"
# Every amount of a document: the header and line totals, the VAT groups' amounts (not the prices).
AMOUNTS = (
    f"{SUMMATION}/* | {SETTLEMENT}/ram:ApplicableTradeTax/ram:CalculatedAmount"
    f" | {SETTLEMENT}/ram:ApplicableTradeTax/ram:BasisAmount"
    f" | {LINES}/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/*"
)


def tree(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def texts(root: etree._Element, path: str) -> list[str]:
    """The text of each element, or the value of each attribute, that `path` selects."""
    return [item if isinstance(item, str) else item.text or "" for item in root.xpath(path, namespaces=NS)]


# -- valid: schema and EN 16931 ----------------------------------------------------------------------------


@SAMPLES
def test_every_sample_is_a_valid_factur_x_en16931_invoice(sample: Callable[[], Document]) -> None:
    report = check_cii(render_cii(sample()))
    assert report.errors == []


def test_the_document_names_the_en16931_profile_and_its_references() -> None:
    root = tree(render_cii(samples.nl_invoice()))
    assert texts(
        root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
    ) == [GUIDELINE_ID]
    assert texts(root, "rsm:ExchangedDocument/ram:TypeCode") == ["380"]
    assert texts(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == ["20261101"]
    assert texts(root, f"{AGREEMENT}/ram:BuyerReference") == ["IT-DEPT-7"]
    assert texts(root, f"{AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == [
        "PO-2026-118"
    ]
    assert texts(root, f"{AGREEMENT}/ram:ContractReferencedDocument/ram:IssuerAssignedID") == ["C-000042"]
    assert texts(
        root, f"{AGREEMENT}/ram:SellerTradeParty/ram:URIUniversalCommunication/ram:URIID/@schemeID"
    ) == ["0106"]
    assert texts(root, f"{SETTLEMENT}/ram:PaymentReference") == ["INV-2026-000001"]
    assert texts(root, f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == ["58"]
    assert texts(root, f"{SETTLEMENT}//ram:IBANID") == ["NL91ABNA0417164300"]
    assert texts(root, f"{SETTLEMENT}//ram:BICID") == ["ABNANL2A"]
    assert texts(
        root, f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"
    ) == ["20261201"]
    assert texts(root, f"{SUMMATION}/ram:DuePayableAmount") == ["605.00"]
    assert texts(root, f"{SUMMATION}/ram:TaxTotalAmount/@currencyID") == ["EUR"]


# -- the validator can fail -------------------------------------------------------------------------------


def test_lines_that_do_not_add_up_to_the_line_total_are_invalid() -> None:
    doc = samples.nl_invoice()
    wrong = dataclasses.replace(doc.lines[0], amount=Decimal("71.81"))
    report = check_cii(render_cii(dataclasses.replace(doc, lines=(wrong, *doc.lines[1:]))))
    assert "BR-CO-10" in report.rule_ids()


def test_vat_that_is_not_the_rate_of_the_taxable_amount_is_invalid() -> None:
    doc = samples.nl_invoice()
    vat = (dataclasses.replace(doc.vat[0], tax=Decimal("104.00")),)
    totals = dataclasses.replace(
        doc.totals, tax=Decimal("104.00"), tax_inclusive=Decimal("604.00"), payable=Decimal("604.00")
    )
    report = check_cii(render_cii(dataclasses.replace(doc, vat=vat, totals=totals)))
    assert "BR-S-09" in report.rule_ids()


def test_a_document_out_of_the_schema_is_invalid() -> None:
    root = tree(render_cii(samples.nl_invoice()))
    root.find("rsm:ExchangedDocument/ram:TypeCode", NS).addprevious(etree.Element(f"{{{NS['ram']}}}Colour"))
    errors = validate_cii(etree.tostring(root))
    assert any(error.startswith("[XSD]") and "Colour" in error for error in errors)


def test_a_ubl_document_is_not_a_cii_one() -> None:
    assert validate_cii(render_ubl(samples.nl_invoice()))[0].startswith("[XSD]")


# -- VAT categories ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", [samples.us_outside_scope, samples.jpy_invoice])
def test_category_o_carries_no_vat_id(sample: Callable[[], Document]) -> None:
    doc = sample()
    xml = render_cii(doc)
    root = tree(xml)
    assert doc.vat[0].category == NOT_SUBJECT
    assert root.xpath("//ram:SpecifiedTaxRegistration", namespaces=NS) == []
    assert samples.SELLER.vat_id is not None and samples.SELLER.vat_id.encode() not in xml
    if doc.buyer.vat_id:
        assert doc.buyer.vat_id.encode() not in xml
    assert texts(root, f"{AGREEMENT}/ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID") == [
        "34110270"
    ]
    assert texts(root, "//ram:ApplicableTradeTax/ram:CategoryCode") == ["O"] * (len(doc.lines) + 1)
    assert root.xpath("//ram:RateApplicablePercent", namespaces=NS) == []
    assert texts(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:ExemptionReasonCode") == ["VATEX-EU-O"]


def test_reverse_charge_names_both_vat_ids_and_the_exemption() -> None:
    doc = samples.de_reverse_charge()
    root = tree(render_cii(doc))
    assert texts(root, "//ram:SpecifiedTaxRegistration/ram:ID") == [samples.SELLER.vat_id, doc.buyer.vat_id]
    assert texts(root, "//ram:SpecifiedTaxRegistration/ram:ID/@schemeID") == ["VA", "VA"]
    tax = f"{SETTLEMENT}/ram:ApplicableTradeTax"
    assert texts(root, f"{tax}/ram:CategoryCode") == ["AE"]
    assert texts(root, f"{tax}/ram:RateApplicablePercent") == ["0.00"]
    assert texts(root, f"{tax}/ram:ExemptionReason") == ["Reverse charge"]
    assert texts(root, f"{tax}/ram:ExemptionReasonCode") == ["VATEX-EU-AE"]


# -- credit notes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", [samples.partial_credit_note, samples.void_credit_note])
def test_a_credit_note_is_type_381_with_positive_amounts_and_the_preceding_invoice(
    sample: Callable[[], Document],
) -> None:
    doc = sample()
    root = tree(render_cii(doc))
    assert root.tag == f"{{{NS['rsm']}}}CrossIndustryInvoice"
    assert texts(root, "rsm:ExchangedDocument/ram:TypeCode") == ["381"]
    assert doc.preceding_invoice is not None
    reference = f"{SETTLEMENT}/ram:InvoiceReferencedDocument"
    assert texts(root, f"{reference}/ram:IssuerAssignedID") == [doc.preceding_invoice.number]
    assert texts(root, f"{reference}/ram:FormattedIssueDateTime/qdt:DateTimeString") == [
        doc.preceding_invoice.issue_date.strftime("%Y%m%d")
    ]
    amounts = [Decimal(amount) for amount in texts(root, AMOUNTS)]
    assert amounts and all(amount >= 0 for amount in amounts)
    assert texts(root, f"{SUMMATION}/ram:DuePayableAmount") == [f"{doc.totals.payable:f}"]


def test_every_note_is_its_own_included_note() -> None:
    doc = samples.void_credit_note()
    assert texts(tree(render_cii(doc)), "rsm:ExchangedDocument/ram:IncludedNote/ram:Content") == list(
        doc.notes
    )


# -- amounts and lines ------------------------------------------------------------------------------------


def test_jpy_amounts_have_no_decimals() -> None:
    root = tree(render_cii(samples.jpy_invoice()))
    amounts = texts(root, AMOUNTS)
    assert amounts and all("." not in amount for amount in amounts)
    assert texts(root, f"{SUMMATION}/ram:DuePayableAmount") == ["6274"]
    assert texts(root, f"{SETTLEMENT}/ram:InvoiceCurrencyCode") == ["JPY"]


@SAMPLES
def test_every_amount_has_the_currency_decimals(sample: Callable[[], Document]) -> None:
    doc = sample()
    places = exponent(doc.currency)
    for amount in texts(tree(render_cii(doc)), AMOUNTS):
        assert -Decimal(amount).as_tuple().exponent == places, amount


@SAMPLES
def test_every_line_is_quantity_times_price_over_base(sample: Callable[[], Document]) -> None:
    doc = sample()
    root = tree(render_cii(doc))
    for line in root.xpath(LINES, namespaces=NS):
        quantity = line.find("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", NS)
        price = line.find(
            "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount", NS
        )
        base = line.find(
            "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity", NS
        )
        amount = line.find(
            "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation"
            "/ram:LineTotalAmount",
            NS,
        )
        product = Decimal(quantity.text) * Decimal(price.text) / Decimal(base.text)
        assert abs(product - Decimal(amount.text)) <= Decimal("0.02")
        assert round_money(product, doc.currency) == Decimal(amount.text)
        assert base.get("unitCode") == quantity.get("unitCode")


@SAMPLES
def test_cii_and_ubl_say_the_same(sample: Callable[[], Document]) -> None:
    """Number, dates, parties' ids, totals, VAT and every line's figures agree between the two syntaxes."""
    doc = sample()
    cii, ubl = tree(render_cii(doc)), tree(render_ubl(doc))
    assert texts(cii, "rsm:ExchangedDocument/ram:ID") == texts(ubl, "cbc:ID")
    ubl_totals = "cac:LegalMonetaryTotal/cbc:"
    assert [
        texts(cii, f"{SUMMATION}/ram:{name}")
        for name in ("LineTotalAmount", "TaxBasisTotalAmount", "GrandTotalAmount", "DuePayableAmount")
    ] == [
        texts(ubl, f"{ubl_totals}{name}")
        for name in ("LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "PayableAmount")
    ]
    assert texts(cii, f"{SUMMATION}/ram:TaxTotalAmount") == texts(ubl, "cac:TaxTotal/cbc:TaxAmount")
    assert texts(cii, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:BasisAmount") == texts(
        ubl, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount"
    )
    assert texts(cii, f"{LINES}//ram:LineTotalAmount") == texts(
        ubl, "(cac:InvoiceLine | cac:CreditNoteLine)/cbc:LineExtensionAmount"
    )
    assert texts(cii, f"{LINES}//ram:ChargeAmount") == texts(ubl, "//cac:Price/cbc:PriceAmount")
    assert texts(cii, f"{LINES}//ram:BilledQuantity") == texts(
        ubl, "//cbc:InvoicedQuantity | //cbc:CreditedQuantity"
    )
    assert texts(cii, f"{LINES}//ram:Name") == texts(ubl, "//cac:Item/cbc:Name")
    assert texts(cii, "//ram:SpecifiedTaxRegistration/ram:ID") == texts(
        ubl, "//cac:PartyTaxScheme/cbc:CompanyID"
    )
    assert texts(cii, "//ram:URIUniversalCommunication/ram:URIID") == texts(ubl, "//cbc:EndpointID")


# -- bytes ------------------------------------------------------------------------------------------------


@SAMPLES
def test_the_same_document_gives_the_same_bytes(sample: Callable[[], Document]) -> None:
    assert render_cii(sample()) == render_cii(sample())


def test_the_bytes_are_utf8_with_an_xml_declaration() -> None:
    xml = render_cii(samples.de_reverse_charge())
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<rsm:CrossIndustryInvoice ')
    assert "Müller Logistik GmbH".encode() in xml
    assert "Hafenstraße 5".encode() in xml


def test_a_draft_has_no_cii() -> None:
    with pytest.raises(ValueError, match="draft"):
        render_cii(dataclasses.replace(samples.nl_invoice(), number=None, issue_date=None))

"""The UN/CEFACT CII D16B e-invoice of a document, as the Factur-X EN 16931 profile writes it.

`render_cii(doc)` writes one `CrossIndustryInvoice` for an invoice (type code 380) and a credit note (381,
with the preceding invoice's reference, BG-3); a credit note keeps positive amounts, its type code says it
credits. These are the bytes the Factur-X PDF carries as `factur-x.xml`. They are deterministic (the same
`Document` gives the same bytes), UTF-8 with an XML declaration, and say what the UBL (ubl.py) says:
amounts with the currency's decimals (JPY none), prices with their own, the document's free texts in its
language. As in CII generally, only the VAT total names its currency (BT-110's currencyID); every other
amount is in the document's currency (BT-5).

The legal registration id (BT-30, BT-47) is also the party's global identifier (BT-29, BT-46), as in the
UBL, and a document in VAT category O names neither party's VAT id (BR-O-02..04).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from daas.billing.documents import NOT_SUBJECT, Address, Document, DocumentLine, Party, VatGroup
from daas.core.money import format_unit_amount, round_money
from daas.core.text import xml_text

GUIDELINE_ID = "urn:cen.eu:en16931:2017"  # BT-24: Factur-X EN 16931 profile

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
DATE_FORMAT = "102"  # UNTDID 2379: CCYYMMDD


def render_cii(doc: Document) -> bytes:
    """The CII XML (Factur-X EN 16931) of an issued invoice or credit note."""
    if doc.is_draft or doc.issue_date is None:
        raise ValueError("A draft has no e-invoice: it has no number and no issue date yet.")
    return XML_DECLARATION + etree.tostring(_Cii(doc).root(), encoding="UTF-8", pretty_print=True)


class _Cii:
    """Writes one document; `self.doc` is read, never changed."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        # BR-O-02..04: outside the scope of VAT, no VAT id of either party belongs in the document.
        self.vat_ids = all(group.category != NOT_SUBJECT for group in doc.vat)

    def root(self) -> etree._Element:
        doc = self.doc
        root = etree.Element(
            f"{{{RSM}}}CrossIndustryInvoice", nsmap={"rsm": RSM, "qdt": QDT, "ram": RAM, "udt": UDT}
        )
        context = _el(root, RSM, "ExchangedDocumentContext")
        _text(_ram(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", GUIDELINE_ID)

        header = _el(root, RSM, "ExchangedDocument")
        _text(header, "ID", doc.number)  # BT-1
        _text(header, "TypeCode", doc.type_code)  # BT-3
        _date(_ram(header, "IssueDateTime"), UDT, doc.issue_date)  # BT-2
        for note in doc.notes:  # BG-1, BT-22
            if note and note.strip():
                _text(_ram(header, "IncludedNote"), "Content", note)

        transaction = _el(root, RSM, "SupplyChainTradeTransaction")
        for line in doc.lines:
            self.line(transaction, line)
        self.agreement(_ram(transaction, "ApplicableHeaderTradeAgreement"))
        _ram(transaction, "ApplicableHeaderTradeDelivery")  # required, nothing to say: services
        self.settlement(_ram(transaction, "ApplicableHeaderTradeSettlement"))
        return root

    # -- lines ----------------------------------------------------------------------------------------

    def line(self, transaction: etree._Element, line: DocumentLine) -> None:
        item = _ram(transaction, "IncludedSupplyChainTradeLineItem")
        document = _ram(item, "AssociatedDocumentLineDocument")
        _text(document, "LineID", line.id)  # BT-126
        if line.note and line.note.strip():
            _text(_ram(document, "IncludedNote"), "Content", line.note)  # BT-127
        _text(_ram(item, "SpecifiedTradeProduct"), "Name", line.description)  # BT-153
        price = _ram(_ram(item, "SpecifiedLineTradeAgreement"), "NetPriceProductTradePrice")
        _text(price, "ChargeAmount", format_unit_amount(line.price, self.doc.currency))  # BT-146
        _text(price, "BasisQuantity", _number(line.base_quantity), unitCode=line.unit_code)  # BT-149
        _text(
            _ram(item, "SpecifiedLineTradeDelivery"),
            "BilledQuantity",
            _number(line.quantity),
            unitCode=line.unit_code,
        )  # BT-129, BT-130
        settlement = _ram(item, "SpecifiedLineTradeSettlement")
        tax = _ram(settlement, "ApplicableTradeTax")
        group = self.line_vat(line)
        _text(tax, "TypeCode", "VAT")
        _text(tax, "CategoryCode", group.category)  # BT-151
        _rate(tax, group)  # BT-152
        summation = _ram(settlement, "SpecifiedTradeSettlementLineMonetarySummation")
        _text(summation, "LineTotalAmount", self.money(line.amount))  # BT-131

    def line_vat(self, line: DocumentLine) -> VatGroup:
        """The VAT group a line belongs to: daas issues one category and rate per document."""
        if len(self.doc.vat) != 1:
            raise ValueError(
                f"A document has one VAT group per category and rate; line {line.id} "
                f"cannot tell which of {len(self.doc.vat)} is its."
            )
        return self.doc.vat[0]

    # -- agreement: parties and references ------------------------------------------------------------

    def agreement(self, agreement: etree._Element) -> None:
        doc = self.doc
        _text(agreement, "BuyerReference", doc.effective_buyer_reference)  # BT-10
        self.party(_ram(agreement, "SellerTradeParty"), doc.seller)
        self.party(_ram(agreement, "BuyerTradeParty"), doc.buyer)
        if doc.purchase_order:
            _text(
                _ram(agreement, "BuyerOrderReferencedDocument"), "IssuerAssignedID", doc.purchase_order
            )  # BT-13
        if doc.contract_reference:
            _text(
                _ram(agreement, "ContractReferencedDocument"), "IssuerAssignedID", doc.contract_reference
            )  # BT-12

    def party(self, element: etree._Element, party: Party) -> None:
        if party.registration_id is not None:  # BT-29 / BT-46
            _text(element, "GlobalID", party.registration_id.value, schemeID=party.registration_id.scheme)
        _text(element, "Name", party.name)  # BT-27 / BT-44
        if party.registration_id is not None:  # BT-30 / BT-47
            _text(
                _ram(element, "SpecifiedLegalOrganization"),
                "ID",
                party.registration_id.value,
                schemeID=party.registration_id.scheme,
            )
        if party.email:  # BT-43 / BT-58
            contact = _ram(element, "DefinedTradeContact")
            _text(_ram(contact, "EmailURIUniversalCommunication"), "URIID", party.email)
        _address(_ram(element, "PostalTradeAddress"), party.address)
        if party.electronic_address is not None:  # BT-34 / BT-49
            _text(
                _ram(element, "URIUniversalCommunication"),
                "URIID",
                party.electronic_address.value,
                schemeID=party.electronic_address.scheme,
            )
        if self.vat_ids and party.vat_id:  # BT-31 / BT-48
            _text(_ram(element, "SpecifiedTaxRegistration"), "ID", party.vat_id, schemeID="VA")

    # -- settlement: payment, VAT, totals -------------------------------------------------------------

    def settlement(self, settlement: etree._Element) -> None:
        doc = self.doc
        payment = doc.payment
        if payment is not None:
            _text(settlement, "PaymentReference", payment.remittance)  # BT-83
        _text(settlement, "InvoiceCurrencyCode", doc.currency)  # BT-5
        if payment is not None:
            means = _ram(settlement, "SpecifiedTradeSettlementPaymentMeans")
            _text(means, "TypeCode", payment.means_code)  # BT-81
            if payment.iban:
                account = _ram(means, "PayeePartyCreditorFinancialAccount")
                _text(account, "IBANID", payment.iban.replace(" ", ""))  # BT-84
                _text(account, "AccountName", payment.account_name)  # BT-85
                if payment.bic:
                    _text(
                        _ram(means, "PayeeSpecifiedCreditorFinancialInstitution"), "BICID", payment.bic
                    )  # BT-86
        for group in doc.vat:  # BG-23
            tax = _ram(settlement, "ApplicableTradeTax")
            _text(tax, "CalculatedAmount", self.money(group.tax))  # BT-117
            _text(tax, "TypeCode", "VAT")
            _text(tax, "ExemptionReason", group.exemption_reason)  # BT-120
            _text(tax, "BasisAmount", self.money(group.taxable))  # BT-116
            _text(tax, "CategoryCode", group.category)  # BT-118
            _text(tax, "ExemptionReasonCode", group.exemption_code)  # BT-121
            _rate(tax, group)  # BT-119
        period = _ram(settlement, "BillingSpecifiedPeriod")  # BG-14
        _date(_ram(period, "StartDateTime"), UDT, doc.period_start)
        _date(_ram(period, "EndDateTime"), UDT, doc.period_end)
        if (payment is not None and payment.terms and payment.terms.strip()) or doc.due_date is not None:
            terms = _ram(settlement, "SpecifiedTradePaymentTerms")
            _text(terms, "Description", payment.terms if payment is not None else None)  # BT-20
            if doc.due_date is not None:
                _date(_ram(terms, "DueDateDateTime"), UDT, doc.due_date)  # BT-9
        self.totals(_ram(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation"))
        if doc.preceding_invoice is not None:  # BG-3
            reference = _ram(settlement, "InvoiceReferencedDocument")
            _text(reference, "IssuerAssignedID", doc.preceding_invoice.number)  # BT-25
            _date(_ram(reference, "FormattedIssueDateTime"), QDT, doc.preceding_invoice.issue_date)  # BT-26

    def totals(self, summation: etree._Element) -> None:
        totals = self.doc.totals
        _text(summation, "LineTotalAmount", self.money(totals.line_total))  # BT-106
        _text(summation, "TaxBasisTotalAmount", self.money(totals.tax_exclusive))  # BT-109
        _text(summation, "TaxTotalAmount", self.money(totals.tax), currencyID=self.doc.currency)  # BT-110
        _text(summation, "GrandTotalAmount", self.money(totals.tax_inclusive))  # BT-112
        if totals.paid:
            _text(summation, "TotalPrepaidAmount", self.money(totals.paid))  # BT-113
        _text(summation, "DuePayableAmount", self.money(totals.payable))  # BT-115

    def money(self, value: Decimal) -> str:
        """An amount with exactly the currency's decimals; one with more is a bug upstream, not rounded."""
        rounded = round_money(value, self.doc.currency)
        if rounded != value:
            raise ValueError(f"{value} has more decimals than {self.doc.currency} allows.")
        return f"{rounded:f}"


# -- elements ---------------------------------------------------------------------------------------------


def _el(parent: etree._Element, namespace: str, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{namespace}}}{name}")


def _ram(parent: etree._Element, name: str) -> etree._Element:
    return _el(parent, RAM, name)


def _text(parent: etree._Element, name: str, text: str | None, **attributes: str) -> None:
    """A ram: element with text, left out when it would be empty."""
    if text is None or not str(text).strip():
        return
    element = _ram(parent, name)
    element.text = xml_text(str(text)).strip()
    for key, value in attributes.items():
        element.set(key, value)


def _date(parent: etree._Element, namespace: str, value: date | None) -> None:
    if value is None:
        raise ValueError(f"{etree.QName(parent).localname} needs a date.")
    element = _el(parent, namespace, "DateTimeString")
    element.set("format", DATE_FORMAT)
    element.text = value.strftime("%Y%m%d")


def _address(element: etree._Element, address: Address) -> None:
    _text(element, "PostcodeCode", address.postcode)  # BT-38 / BT-53
    _text(element, "LineOne", address.line1)  # BT-35 / BT-50
    _text(element, "LineTwo", address.line2)  # BT-36 / BT-51
    _text(element, "CityName", address.city)  # BT-37 / BT-52
    _text(element, "CountryID", address.country)  # BT-40 / BT-55


def _rate(tax: etree._Element, group: VatGroup) -> None:
    if group.category != NOT_SUBJECT and group.rate_percent is not None:  # BR-O-05, BR-O-10
        _text(tax, "RateApplicablePercent", _number(group.rate_percent))


def _number(value: Decimal) -> str:
    return f"{value:f}"

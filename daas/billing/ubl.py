"""The UBL 2.1 e-invoice of a document: Peppol BIS Billing 3.0, the EN 16931 CIUS Peppol delivers.

`render_ubl(doc)` writes an invoice (type 380) as an `Invoice` and a credit note (381) as a `CreditNote`,
with the preceding invoice's reference (BG-3). The bytes are deterministic (the same `Document` gives the
same bytes) and UTF-8 with an XML declaration. Amounts carry the currency's decimals (JPY none) and a
`currencyID`; prices keep their own decimals. The free texts are the document's, in its language.

The business terms are those of documents.py (BT-n, BG-n); the element order is the UBL 2.1 schema's. Two
choices the binding leaves open: the legal registration id (BT-30, BT-47) is also written as the party
identifier (BT-29, BT-46), and Peppol's one document note (PEPPOL-EN16931-R002) holds every note of the
document, one a line. A document in VAT category O names neither party's VAT id (BR-O-02..04).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from daas.billing.documents import NOT_SUBJECT, Address, Document, DocumentLine, Party, VatGroup
from daas.core.money import format_unit_amount, round_money
from daas.core.text import xml_text

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
# Without both parties' electronic addresses Peppol cannot deliver it (PEPPOL-EN16931-R010/R020), so it
# claims the EN 16931 core only: valid, and not offered as Peppol-ready.
EN16931_ID = "urn:cen.eu:en16931:2017"

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def render_ubl(doc: Document) -> bytes:
    """The UBL 2.1 XML of an issued invoice or credit note: Peppol BIS Billing 3.0 when both parties
    have a Peppol id, else EN 16931 (which Peppol BIS refines)."""
    if doc.is_draft or doc.issue_date is None:
        raise ValueError("A draft has no e-invoice: it has no number and no issue date yet.")
    return XML_DECLARATION + etree.tostring(_Ubl(doc).root(), encoding="UTF-8", pretty_print=True)


class _Ubl:
    """Writes one document; `self.doc` is read, never changed."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.credit = doc.is_credit_note
        # BR-O-02..04: outside the scope of VAT, no VAT id of either party belongs in the document.
        self.vat_ids = all(group.category != NOT_SUBJECT for group in doc.vat)

    # -- the document ---------------------------------------------------------------------------------

    def root(self) -> etree._Element:
        doc = self.doc
        ns = CREDIT_NOTE_NS if self.credit else INVOICE_NS
        root = etree.Element(
            f"{{{ns}}}{'CreditNote' if self.credit else 'Invoice'}", nsmap={None: ns, "cac": CAC, "cbc": CBC}
        )
        if doc.peppol_ready:
            _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
            _cbc(root, "ProfileID", PROFILE_ID)
        else:
            _cbc(root, "CustomizationID", EN16931_ID)
        _cbc(root, "ID", doc.number)
        _cbc(root, "IssueDate", _date(doc.issue_date))
        if not self.credit and doc.due_date is not None:
            _cbc(root, "DueDate", _date(doc.due_date))  # a credit note's is in its PaymentMeans
        _cbc(root, "CreditNoteTypeCode" if self.credit else "InvoiceTypeCode", doc.type_code)
        notes = "\n".join(note.strip() for note in doc.notes if note and note.strip())
        _cbc(root, "Note", notes)
        _cbc(root, "DocumentCurrencyCode", doc.currency)
        _cbc(root, "BuyerReference", doc.effective_buyer_reference)
        period = _cac(root, "InvoicePeriod")
        _cbc(period, "StartDate", _date(doc.period_start))
        _cbc(period, "EndDate", _date(doc.period_end))
        if doc.purchase_order:
            _cbc(_cac(root, "OrderReference"), "ID", doc.purchase_order)
        if doc.preceding_invoice is not None:
            reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
            _cbc(reference, "ID", doc.preceding_invoice.number)
            _cbc(reference, "IssueDate", _date(doc.preceding_invoice.issue_date))
        if doc.contract_reference:
            _cbc(_cac(root, "ContractDocumentReference"), "ID", doc.contract_reference)
        self.party(_cac(root, "AccountingSupplierParty"), doc.seller)
        self.party(_cac(root, "AccountingCustomerParty"), doc.buyer)
        self.payment(root)
        self.tax_total(root)
        self.monetary_total(root)
        for line in doc.lines:
            self.line(root, line)
        return root

    # -- parties --------------------------------------------------------------------------------------

    def party(self, role: etree._Element, party: Party) -> None:
        element = _cac(role, "Party")
        if party.electronic_address is not None:  # BT-34 / BT-49
            _cbc(
                element,
                "EndpointID",
                party.electronic_address.value,
                schemeID=party.electronic_address.scheme,
            )
        if party.registration_id is not None:  # BT-29 / BT-46
            _cbc(
                _cac(element, "PartyIdentification"),
                "ID",
                party.registration_id.value,
                schemeID=party.registration_id.scheme,
            )
        _address(_cac(element, "PostalAddress"), party.address)
        if self.vat_ids and party.vat_id:  # BT-31 / BT-48
            tax_scheme = _cac(element, "PartyTaxScheme")
            _cbc(tax_scheme, "CompanyID", party.vat_id)
            _cbc(_cac(tax_scheme, "TaxScheme"), "ID", "VAT")
        legal = _cac(element, "PartyLegalEntity")
        _cbc(legal, "RegistrationName", party.name)  # BT-27 / BT-44
        if party.registration_id is not None:  # BT-30 / BT-47
            _cbc(legal, "CompanyID", party.registration_id.value, schemeID=party.registration_id.scheme)
        if party.email:  # BT-43 / BT-58
            _cbc(_cac(element, "Contact"), "ElectronicMail", party.email)

    # -- payment --------------------------------------------------------------------------------------

    def payment(self, root: etree._Element) -> None:
        payment = self.doc.payment
        if payment is None:
            return
        means = _cac(root, "PaymentMeans")
        _cbc(means, "PaymentMeansCode", payment.means_code)  # BT-81
        if self.credit and self.doc.due_date is not None:
            _cbc(means, "PaymentDueDate", _date(self.doc.due_date))  # BT-9 of a credit note
        _cbc(means, "PaymentID", payment.remittance)  # BT-83
        if payment.iban:
            account = _cac(means, "PayeeFinancialAccount")
            _cbc(account, "ID", payment.iban.replace(" ", ""))  # BT-84
            _cbc(account, "Name", payment.account_name)  # BT-85
            if payment.bic:
                _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", payment.bic)  # BT-86
        _cbc(_cac(root, "PaymentTerms"), "Note", payment.terms)  # BT-20

    # -- VAT and totals -------------------------------------------------------------------------------

    def tax_total(self, root: etree._Element) -> None:
        total = _cac(root, "TaxTotal")
        self.amount(total, "TaxAmount", self.doc.totals.tax)  # BT-110
        for group in self.doc.vat:  # BG-23
            subtotal = _cac(total, "TaxSubtotal")
            self.amount(subtotal, "TaxableAmount", group.taxable)  # BT-116
            self.amount(subtotal, "TaxAmount", group.tax)  # BT-117
            category = _cac(subtotal, "TaxCategory")
            _tax_category(category, group)
            _cbc(category, "TaxExemptionReasonCode", group.exemption_code)  # BT-121
            _cbc(category, "TaxExemptionReason", group.exemption_reason)  # BT-120
            _cbc(_cac(category, "TaxScheme"), "ID", "VAT")

    def monetary_total(self, root: etree._Element) -> None:
        totals = self.doc.totals
        total = _cac(root, "LegalMonetaryTotal")
        self.amount(total, "LineExtensionAmount", totals.line_total)  # BT-106
        self.amount(total, "TaxExclusiveAmount", totals.tax_exclusive)  # BT-109
        self.amount(total, "TaxInclusiveAmount", totals.tax_inclusive)  # BT-112
        if totals.paid:
            self.amount(total, "PrepaidAmount", totals.paid)  # BT-113
        self.amount(total, "PayableAmount", totals.payable)  # BT-115

    # -- lines ----------------------------------------------------------------------------------------

    def line(self, root: etree._Element, line: DocumentLine) -> None:
        element = _cac(root, "CreditNoteLine" if self.credit else "InvoiceLine")
        _cbc(element, "ID", line.id)  # BT-126
        _cbc(element, "Note", line.note)  # BT-127
        _cbc(
            element,
            "CreditedQuantity" if self.credit else "InvoicedQuantity",
            _number(line.quantity),
            unitCode=line.unit_code,
        )  # BT-129, BT-130
        self.amount(element, "LineExtensionAmount", line.amount)  # BT-131
        item = _cac(element, "Item")
        _cbc(item, "Name", line.description)  # BT-153
        category = _cac(item, "ClassifiedTaxCategory")
        _tax_category(category, self.line_vat(line))  # BT-151, BT-152
        _cbc(_cac(category, "TaxScheme"), "ID", "VAT")
        price = _cac(element, "Price")
        _cbc(
            price,
            "PriceAmount",
            format_unit_amount(line.price, self.doc.currency),
            currencyID=self.doc.currency,
        )  # BT-146
        _cbc(price, "BaseQuantity", _number(line.base_quantity), unitCode=line.unit_code)  # BT-149

    def line_vat(self, line: DocumentLine) -> VatGroup:
        """The VAT group a line belongs to: daas issues one category and rate per document."""
        if len(self.doc.vat) != 1:
            raise ValueError(
                f"A document has one VAT group per category and rate; line {line.id} "
                f"cannot tell which of {len(self.doc.vat)} is its."
            )
        return self.doc.vat[0]

    def amount(self, parent: etree._Element, name: str, value: Decimal) -> None:
        _cbc(parent, name, _money(value, self.doc.currency), currencyID=self.doc.currency)


# -- elements ---------------------------------------------------------------------------------------------


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _cbc(parent: etree._Element, name: str, text: str | None, **attributes: str) -> None:
    """A basic element, left out when it would be empty (PEPPOL-EN16931-R008)."""
    if text is None or not str(text).strip():
        return
    element = etree.SubElement(parent, f"{{{CBC}}}{name}")
    element.text = xml_text(str(text)).strip()
    for key, value in attributes.items():
        element.set(key, value)


def _address(element: etree._Element, address: Address) -> None:
    _cbc(element, "StreetName", address.line1)  # BT-35 / BT-50
    _cbc(element, "AdditionalStreetName", address.line2)  # BT-36 / BT-51
    _cbc(element, "CityName", address.city)  # BT-37 / BT-52
    _cbc(element, "PostalZone", address.postcode)  # BT-38 / BT-53
    _cbc(_cac(element, "Country"), "IdentificationCode", address.country)  # BT-40 / BT-55


def _tax_category(element: etree._Element, group: VatGroup) -> None:
    _cbc(element, "ID", group.category)
    if group.category != NOT_SUBJECT and group.rate_percent is not None:  # BR-O-05, BR-O-10
        _cbc(element, "Percent", _number(group.rate_percent))


# -- values -----------------------------------------------------------------------------------------------


def _date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal) -> str:
    return f"{value:f}"


def _money(value: Decimal, currency: str) -> str:
    """An amount with exactly the currency's decimals; one with more is a bug upstream, not rounded here."""
    rounded = round_money(value, currency)
    if rounded != value:
        raise ValueError(f"{value} has more decimals than {currency} allows.")
    return f"{rounded:f}"

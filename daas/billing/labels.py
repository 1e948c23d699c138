"""The words of invoices and credit notes in each document language (daas.core.languages.LANGUAGES), and
how a language writes their amounts, prices, quantities and dates (documents.md).

Pure: no Flask, no SQLAlchemy. Numbers and dates are written by Babel from the CLDR data of the
language: "1,234.56" in English, "1.234,56" in Dutch and German, "1 234,56" in French (with the narrow
no-break space U+202F that CLDR gives French). Amounts carry the ISO code of their currency ("EUR 605.00",
"605,00 EUR") rather than a symbol, so that "$" and "¥" are never ambiguous, with exactly the currency's
exponent (daas.core.money; JPY has none). Nothing on the money path is a float.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import NumberPattern, format_decimal, parse_pattern
from babel.numbers import format_percent as babel_format_percent

from daas.core.languages import LANGUAGES
from daas.core.money import UNIT_AMOUNT_MAX_DECIMALS, decimal_places, exponent, round_money

__all__ = [
    "LABELS",
    "country",
    "exemption_reason",
    "format_amount",
    "format_date",
    "format_percent",
    "format_price",
    "format_quantity",
    "label",
    "payment_terms",
    "unit",
]

# Every fixed text a document prints, by key, in en, nl, de and fr. "{...}" fields are filled in with
# str.format by the caller (label(...).format(page=1, pages=2)).
LABELS: dict[str, dict[str, str]] = {
    # titles
    "invoice": {"en": "Invoice", "nl": "Factuur", "de": "Rechnung", "fr": "Facture"},
    "credit_note": {"en": "Credit note", "nl": "Creditnota", "de": "Gutschrift", "fr": "Avoir"},
    "draft_invoice": {
        "en": "Draft invoice",
        "nl": "Conceptfactuur",
        "de": "Rechnungsentwurf",
        "fr": "Projet de facture",
    },
    "draft_credit_note": {
        "en": "Draft credit note",
        "nl": "Conceptcreditnota",
        "de": "Gutschriftsentwurf",
        "fr": "Projet d'avoir",
    },
    "draft_stamp": {"en": "DRAFT", "nl": "CONCEPT", "de": "ENTWURF", "fr": "PROJET"},
    "draft_banner": {
        "en": "DRAFT: not a valid tax invoice; amounts may still change.",
        "nl": "CONCEPT: geen geldige factuur; bedragen kunnen nog wijzigen.",
        "de": "ENTWURF: keine gültige Rechnung; Beträge können sich noch ändern.",
        "fr": "PROJET : ceci n'est pas une facture valable ; les montants peuvent encore changer.",
    },
    # parties
    "seller": {"en": "From", "nl": "Van", "de": "Rechnungssteller", "fr": "Émetteur"},
    "buyer": {"en": "Bill to", "nl": "Factuur aan", "de": "Rechnungsempfänger", "fr": "Facturé à"},
    "vat_id": {"en": "VAT ID", "nl": "Btw-nummer", "de": "USt-IdNr.", "fr": "N° TVA"},
    "registration_id": {
        "en": "Registration no.",
        "nl": "Registratienummer",
        "de": "Registernummer",
        "fr": "N° d'immatriculation",
    },
    "electronic_address": {"en": "Peppol ID", "nl": "Peppol-ID", "de": "Peppol-ID", "fr": "ID Peppol"},
    "email": {"en": "E-mail", "nl": "E-mail", "de": "E-Mail", "fr": "E-mail"},
    # facts
    "invoice_number": {
        "en": "Invoice number",
        "nl": "Factuurnummer",
        "de": "Rechnungsnummer",
        "fr": "Numéro de facture",
    },
    "credit_note_number": {
        "en": "Credit note number",
        "nl": "Creditnotanummer",
        "de": "Gutschriftsnummer",
        "fr": "Numéro d'avoir",
    },
    "not_numbered": {
        "en": "not yet assigned (draft)",
        "nl": "nog niet toegekend (concept)",
        "de": "noch nicht vergeben (Entwurf)",
        "fr": "pas encore attribué (projet)",
    },
    "issue_date": {"en": "Issue date", "nl": "Factuurdatum", "de": "Rechnungsdatum", "fr": "Date d'émission"},
    "due_date": {"en": "Due date", "nl": "Vervaldatum", "de": "Fällig am", "fr": "Date d'échéance"},
    "period": {
        "en": "Period of supply",
        "nl": "Leveringsperiode",
        "de": "Leistungszeitraum",
        "fr": "Période de prestation",
    },
    "period_range": {
        "en": "{start} to {end}",
        "nl": "{start} t/m {end}",
        "de": "{start} bis {end}",
        "fr": "du {start} au {end}",
    },
    "contract": {"en": "Contract", "nl": "Contract", "de": "Vertrag", "fr": "Contrat"},
    "buyer_reference": {
        "en": "Your reference",
        "nl": "Uw referentie",
        "de": "Ihre Referenz",
        "fr": "Votre référence",
    },
    "purchase_order": {
        "en": "Purchase order",
        "nl": "Inkooporder",
        "de": "Bestellnummer",
        "fr": "Bon de commande",
    },
    "currency": {"en": "Currency", "nl": "Valuta", "de": "Währung", "fr": "Devise"},
    "preceding_invoice": {
        "en": "Credited invoice",
        "nl": "Gecrediteerde factuur",
        "de": "Berichtigte Rechnung",
        "fr": "Facture créditée",
    },
    "preceding_invoice_text": {
        "en": "Credit note for invoice {number} of {date}",
        "nl": "Creditnota bij factuur {number} van {date}",
        "de": "Gutschrift zur Rechnung {number} vom {date}",
        "fr": "Avoir sur la facture {number} du {date}",
    },
    "reason": {"en": "Reason", "nl": "Reden", "de": "Grund", "fr": "Motif"},
    # lines
    "description": {"en": "Description", "nl": "Omschrijving", "de": "Beschreibung", "fr": "Désignation"},
    "quantity": {"en": "Quantity", "nl": "Aantal", "de": "Menge", "fr": "Quantité"},
    "unit_price": {"en": "Unit price", "nl": "Prijs", "de": "Einzelpreis", "fr": "Prix unitaire"},
    "amount": {"en": "Amount", "nl": "Bedrag", "de": "Betrag", "fr": "Montant"},
    "price_per": {
        "en": "{price} per {base}",
        "nl": "{price} per {base}",
        "de": "{price} je {base}",
        "fr": "{price} pour {base}",
    },
    "unit_day_one": {"en": "day", "nl": "dag", "de": "Tag", "fr": "jour"},
    "unit_day_other": {"en": "days", "nl": "dagen", "de": "Tage", "fr": "jours"},
    "no_lines": {
        "en": "No charges in this period.",
        "nl": "Geen kosten in deze periode.",
        "de": "Keine Leistungen in diesem Zeitraum.",
        "fr": "Aucun montant sur cette période.",
    },
    # VAT
    "vat_breakdown": {
        "en": "VAT breakdown",
        "nl": "Btw-specificatie",
        "de": "Umsatzsteuer",
        "fr": "Détail de la TVA",
    },
    "vat_category": {"en": "Category", "nl": "Categorie", "de": "Kategorie", "fr": "Catégorie"},
    "vat_rate": {"en": "Rate", "nl": "Tarief", "de": "Satz", "fr": "Taux"},
    "taxable": {"en": "Taxable amount", "nl": "Grondslag", "de": "Bemessungsgrundlage", "fr": "Base HT"},
    "vat": {"en": "VAT", "nl": "Btw", "de": "USt.", "fr": "TVA"},
    "exemption": {
        "en": "Exemption",
        "nl": "Vrijstelling",
        "de": "Befreiungsgrund",
        "fr": "Exonération",
    },
    "category_S": {"en": "Standard rate", "nl": "Standaardtarief", "de": "Normalsatz", "fr": "Taux normal"},
    "category_AE": {
        "en": "Reverse charge",
        "nl": "BTW verlegd",
        "de": "Steuerschuldnerschaft des Leistungsempfängers",
        "fr": "Autoliquidation",
    },
    "category_O": {
        "en": "Not subject to VAT",
        "nl": "Niet onderworpen aan btw",
        "de": "Nicht steuerbar",
        "fr": "Non soumis à la TVA",
    },
    "reverse_charge": {
        "en": "Reverse charge",
        "nl": "BTW verlegd",
        "de": "Steuerschuldnerschaft des Leistungsempfängers",
        "fr": "Autoliquidation",
    },
    # totals
    "total_net": {"en": "Total excl. VAT", "nl": "Totaal excl. btw", "de": "Summe netto", "fr": "Total HT"},
    "total_vat": {"en": "VAT", "nl": "Btw", "de": "Umsatzsteuer", "fr": "TVA"},
    "total_gross": {
        "en": "Total incl. VAT",
        "nl": "Totaal incl. btw",
        "de": "Summe brutto",
        "fr": "Total TTC",
    },
    "prepaid": {"en": "Prepaid amount", "nl": "Vooruitbetaald", "de": "Anzahlung", "fr": "Acompte versé"},
    "amount_due": {"en": "Amount due", "nl": "Te betalen", "de": "Zahlbetrag", "fr": "Montant dû"},
    "amount_credited": {
        "en": "Amount credited",
        "nl": "Gecrediteerd bedrag",
        "de": "Gutgeschriebener Betrag",
        "fr": "Montant crédité",
    },
    # payment
    "payment": {"en": "Payment", "nl": "Betaling", "de": "Zahlung", "fr": "Paiement"},
    "payment_method": {
        "en": "Payment method",
        "nl": "Betaalwijze",
        "de": "Zahlungsart",
        "fr": "Mode de paiement",
    },
    "method_transfer": {
        "en": "Bank transfer",
        "nl": "Overboeking",
        "de": "Überweisung",
        "fr": "Virement",
    },
    "method_sepa": {
        "en": "SEPA credit transfer",
        "nl": "SEPA-overboeking",
        "de": "SEPA-Überweisung",
        "fr": "Virement SEPA",
    },
    "method_as_agreed": {
        "en": "Set off against the invoice",
        "nl": "Verrekend met de factuur",
        "de": "Verrechnung mit der Rechnung",
        "fr": "Compensation avec la facture",
    },
    "method_card": {
        "en": "Card (collected by Stripe)",
        "nl": "Kaart (geïncasseerd door Stripe)",
        "de": "Karte (Einzug durch Stripe)",
        "fr": "Carte (prélevée par Stripe)",
    },
    "account_name": {"en": "Account holder", "nl": "Rekeninghouder", "de": "Kontoinhaber", "fr": "Titulaire"},
    "iban": {"en": "IBAN", "nl": "IBAN", "de": "IBAN", "fr": "IBAN"},
    "bic": {"en": "BIC", "nl": "BIC", "de": "BIC", "fr": "BIC"},
    "payment_reference": {
        "en": "Payment reference",
        "nl": "Betalingskenmerk",
        "de": "Verwendungszweck",
        "fr": "Référence de paiement",
    },
    "terms": {"en": "Terms", "nl": "Voorwaarden", "de": "Bedingungen", "fr": "Conditions"},
    "notes": {"en": "Notes", "nl": "Opmerkingen", "de": "Hinweise", "fr": "Mentions"},
    # pages
    "page": {"en": "Page", "nl": "Pagina", "de": "Seite", "fr": "Page"},
    "page_of": {
        "en": "Page {page} of {pages}",
        "nl": "Pagina {page} van {pages}",
        "de": "Seite {page} von {pages}",
        "fr": "Page {page} sur {pages}",
    },
    "e_invoice_note": {
        "en": "This PDF is a Factur-X e-invoice (EN 16931): the attached factur-x.xml is its data.",
        "nl": "Deze pdf is een Factur-X e-factuur (EN 16931): het bijgevoegde factur-x.xml bevat de "
        "gegevens.",
        "de": "Diese PDF ist eine Factur-X-E-Rechnung (EN 16931): die angehängte factur-x.xml enthält die "
        "Daten.",
        "fr": "Ce PDF est une facture électronique Factur-X (EN 16931) : le fichier factur-x.xml joint en "
        "contient les données.",
    },
}

_TERMS = {
    "due_quoting": {
        "en": "Payment by {due}, quoting {number}.",
        "nl": "Betaling uiterlijk {due}, onder vermelding van {number}.",
        "de": "Zahlung bis {due} unter Angabe von {number}.",
        "fr": "Paiement au plus tard le {due}, en indiquant la référence {number}.",
    },
    "due": {
        "en": "Payment by {due}.",
        "nl": "Betaling uiterlijk {due}.",
        "de": "Zahlung bis {due}.",
        "fr": "Paiement au plus tard le {due}.",
    },
    "receipt_quoting": {
        "en": "Payment on receipt, quoting {number}.",
        "nl": "Betaling bij ontvangst, onder vermelding van {number}.",
        "de": "Zahlung sofort nach Erhalt unter Angabe von {number}.",
        "fr": "Paiement à réception, en indiquant la référence {number}.",
    },
    "receipt": {
        "en": "Payment on receipt.",
        "nl": "Betaling bij ontvangst.",
        "de": "Zahlung sofort nach Erhalt.",
        "fr": "Paiement à réception.",
    },
    "card": {
        "en": "Payment by card: collected by Stripe.",
        "nl": "Betaling per kaart: geïncasseerd door Stripe.",
        "de": "Zahlung per Karte: Einzug durch Stripe.",
        "fr": "Paiement par carte : prélevé par Stripe.",
    },
    "credit": {
        "en": "Set off against invoice {number}; what was already paid is refunded.",
        "nl": "Verrekend met factuur {number}; wat al betaald is, wordt terugbetaald.",
        "de": "Verrechnet mit Rechnung {number}; bereits Bezahltes wird erstattet.",
        "fr": "Compensé avec la facture {number} ; ce qui a déjà été payé est remboursé.",
    },
}

_EXEMPTION_CATEGORIES = {"AE": "category_AE", "O": "category_O"}
_TAXED_CATEGORIES = {"S"}


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"not a document language: {language!r}")
    return language


def label(language: str, key: str) -> str:
    """The fixed text `key` in `language`; an unknown key or language is a KeyError/ValueError."""
    return LABELS[key][_language(language)]


def exemption_reason(language: str, category: str) -> str | None:
    """BT-120, why a VAT category charges no VAT: reverse charge (AE), not subject (O); None for S."""
    if category in _TAXED_CATEGORIES:
        return None
    try:
        return label(language, _EXEMPTION_CATEGORIES[category])
    except KeyError as exc:
        raise ValueError(f"no exemption text for VAT category {category!r}") from exc


def payment_terms(language: str, *, due_date: date | None, by_card: bool, number: str | None) -> str:
    """BT-20, one sentence: when to pay and what to quote, or that Stripe collects it by card."""
    language = _language(language)
    if by_card:
        key = "card"
    elif due_date is not None:
        key = "due_quoting" if number else "due"
    else:
        key = "receipt_quoting" if number else "receipt"
    due = format_date(due_date, language) if due_date is not None else ""
    return _TERMS[key][language].format(due=due, number=number or "")


def credit_terms(language: str, invoice_number: str) -> str:
    """BT-20 of a credit note: it is set off against the invoice it credits, and refunded where paid."""
    return _TERMS["credit"][_language(language)].format(number=invoice_number)


# --- numbers and dates --------------------------------------------------------------------------------


# English documents write dates the European way ("1 December 2026"): British English, whose numbers
# are those of every English locale ("1,234.56").
_LOCALES = {"en": "en_GB"}


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(_LOCALES.get(_language(language), language))


@cache
def _money_pattern(language: str) -> NumberPattern:
    """The language's currency pattern with the ISO code instead of the symbol, kept apart from the
    digits by a no-break space ("EUR 1,234.56", "1.234,56 EUR")."""
    pattern = _locale(language).currency_formats["standard"].pattern
    text = pattern.split(";")[0].replace("¤", "¤¤")
    if text.startswith("¤¤") and not text.startswith("¤¤\xa0"):
        text = "¤¤\xa0" + text[2:]
    if text.endswith("¤¤") and not text.endswith("\xa0¤¤"):
        text = text[:-2] + "\xa0¤¤"
    return parse_pattern(text)


def _with_decimals(pattern: NumberPattern, low: int, high: int) -> NumberPattern:
    adjusted = copy.copy(pattern)
    adjusted.frac_prec = (low, high)
    return adjusted


def format_amount(amount: Decimal, currency: str, language: str) -> str:
    """An amount with exactly its currency's exponent and the currency code: "EUR 1,234.56" (en),
    "EUR 1.234,56" (nl), "1.234,56 EUR" (de), "1 234,56 EUR" (fr), "JPY 6,274" (en)."""
    places = exponent(currency)
    pattern = _with_decimals(_money_pattern(language), places, places)
    return pattern.apply(
        round_money(amount, currency), _locale(language), currency=currency, currency_digits=False
    )


def format_price(price: Decimal, currency: str, language: str) -> str:
    """A unit price: at least the currency's exponent, as many more decimals as it has, at most six
    ("EUR 44.00", "JPY 1,774.1935", "EUR 0.125")."""
    places = exponent(currency)
    high = max(places, min(decimal_places(price.normalize()), UNIT_AMOUNT_MAX_DECIMALS))
    pattern = _with_decimals(_money_pattern(language), places, high)
    return pattern.apply(price, _locale(language), currency=currency, currency_digits=False)


def format_quantity(quantity: Decimal, language: str) -> str:
    """A quantity as it is, without trailing zeros: "248", "2.5" (en), "2,5" (nl), "1.500" (de)."""
    value = quantity.normalize() if not quantity.is_zero() else Decimal(0)
    return format_decimal(value, locale=_locale(language), decimal_quantization=False)


def format_percent(rate_percent: Decimal, language: str) -> str:
    """A VAT rate given in percent ("21.00") as the language writes it: "21%" (en, nl), "21 %" (de),
    "21 %" (fr, narrow no-break space); "5.5%", "5,5 %"."""
    fraction = rate_percent.normalize().scaleb(-2)
    return babel_format_percent(fraction, locale=_locale(language), decimal_quantization=False)


def format_date(value: date, language: str) -> str:
    """A date in words: "1 December 2026", "1 december 2026", "1. Dezember 2026", "1 décembre 2026"."""
    return babel_format_date(value, format="long", locale=_locale(language))


def unit(quantity: Decimal, unit_code: str, language: str) -> str:
    """A quantity with its unit as people read it: "248 days", "1 Tag"; a piece (C62) is just "3"."""
    number = format_quantity(quantity, language)
    if unit_code == "DAY":
        form = "one" if _locale(language).plural_form(quantity) == "one" else "other"
        return f"{number} {label(language, f'unit_day_{form}')}"
    return number


def country(code: str, language: str) -> str:
    """A country's name in the language (CLDR territory names), else its code."""
    return _locale(language).territories.get(code.upper(), code)

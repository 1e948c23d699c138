"""What an invoice line says, in the customer's document language (en, nl, de, fr; documents.md "Lines"):
the device model's and the metric's names, the month in words, the units a tier holds, the packages, the
minimum commitment and the month of late usage.

Pure: plain values in, text out. Babel writes the months and gives the decimal sign (CLDR data of the
language). Numbers in descriptions carry that sign and no grouping ("5000", "1500,00"), amounts and prices
at least their currency's decimals and as many more as they have ("15.00", "0.125"), and no currency
code: the line's amount columns say the currency. A description never exceeds `DESCRIPTION_LIMIT`
characters (the column that keeps it): a long name is shortened, with an ellipsis, until it fits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date, format_interval
from babel.numbers import get_decimal_symbol

from daas.core.languages import LANGUAGES
from daas.core.money import decimal_places, exponent
from daas.core.periods import Period

DESCRIPTION_LIMIT = 200  # daas.billing.models.InvoiceLine.description
ELLIPSIS = "…"

# English months and numbers as British English writes them, like the documents' labels.
_LOCALES = {"en": "en_GB"}

_TEXTS: dict[str, dict[str, str]] = {
    "devices": {"en": "Devices", "nl": "Apparaten", "de": "Geräte", "fr": "Appareils"},
    "device_days": {
        "en": "{name}: {days} {unit} in {month}",
        "nl": "{name}: {days} {unit} in {month}",
        "de": "{name}: {days} {unit} im {month}",
        "fr": "{name}\u00a0: {days} {unit} en {month}",
    },
    "device_day_one": {"en": "device-day", "nl": "apparaatdag", "de": "Gerätetag", "fr": "jour-appareil"},
    "device_day_other": {
        "en": "device-days",
        "nl": "apparaatdagen",
        "de": "Gerätetage",
        "fr": "jours-appareil",
    },
    "a_month": {
        "en": " at {price} a month",
        "nl": " tegen {price} per maand",
        "de": " zu {price} pro Monat",
        "fr": " à {price} par mois",
    },
    "metered": {
        "en": "{name} in {month}",
        "nl": "{name} in {month}",
        "de": "{name} im {month}",
        "fr": "{name} en {month}",
    },
    "each": {
        "en": " at {price} each",
        "nl": " à {price} per stuk",
        "de": " zu je {price}",
        "fr": " à {price} l'unité",
    },
    "tier": {
        "en": "{name}, {units} at {price}",
        "nl": "{name}, {units} à {price}",
        "de": "{name}, {units} zu je {price}",
        "fr": "{name}, {units} au prix unitaire de {price}",
    },
    "flat": {
        "en": "{name}, flat fee ({units})",
        "nl": "{name}, vast bedrag ({units})",
        "de": "{name}, Grundgebühr ({units})",
        "fr": "{name}, forfait ({units})",
    },
    "volume": {
        "en": "{name}, {quantity} {unit} at {price}",
        "nl": "{name}, {quantity} {unit} à {price}",
        "de": "{name}, {quantity} {unit} zu je {price}",
        "fr": "{name}, {quantity} {unit} au prix unitaire de {price}",
    },
    "packages": {
        "en": "{name}, {quantity} {unit} in packages of {size}",
        "nl": "{name}, {quantity} {unit} in pakketten van {size}",
        "de": "{name}, {quantity} {unit} in Paketen zu {size}",
        "fr": "{name}, {quantity} {unit} par lots de {size}",
    },
    "a_package": {
        "en": " at {price} a package",
        "nl": " à {price} per pakket",
        "de": " zu je {price} pro Paket",
        "fr": " à {price} le lot",
    },
    "unit_one": {"en": "unit", "nl": "eenheid", "de": "Einheit", "fr": "unité"},
    "unit_other": {"en": "units", "nl": "eenheden", "de": "Einheiten", "fr": "unités"},
    # The units of a tier: (low, high], low excluded, high included (None: without end).
    "units_one": {"en": "unit {high}", "nl": "eenheid {high}", "de": "Einheit {high}", "fr": "unité {high}"},
    "units_range": {
        "en": "units {first}-{high}",
        "nl": "eenheden {first}-{high}",
        "de": "Einheiten {first}-{high}",
        "fr": "unités {first} à {high}",
    },
    "units_from": {
        "en": "units from {first}",
        "nl": "eenheden vanaf {first}",
        "de": "Einheiten ab {first}",
        "fr": "unités à partir de {first}",
    },
    "units_above_up_to": {
        "en": "units above {low} up to {high}",
        "nl": "eenheden boven {low} tot en met {high}",
        "de": "Einheiten über {low} bis {high}",
        "fr": "unités au-delà de {low} jusqu'à {high}",
    },
    "units_above": {
        "en": "units above {low}",
        "nl": "eenheden boven {low}",
        "de": "Einheiten über {low}",
        "fr": "unités au-delà de {low}",
    },
    "minimum": {
        "en": "Minimum commitment {amount} for {month} ({days} of {period_days} days)",
        "nl": "Minimumafname {amount} voor {month} ({days} van {period_days} dagen)",
        "de": "Mindestumsatz {amount} für {month} ({days} von {period_days} Tagen)",
        "fr": "Engagement minimum {amount} pour {month} ({days} {day_unit} sur {period_days})",
    },
    "day_one": {"en": "day", "nl": "dag", "de": "Tag", "fr": "jour"},
    "day_other": {"en": "days", "nl": "dagen", "de": "Tage", "fr": "jours"},
    # A line of a month with several plans: the plan and its days, before what the line says.
    "in_plan": {
        "en": "Plan {plan}, {days}: {line}",
        "nl": "Abonnement {plan}, {days}: {line}",
        "de": "Tarif {plan}, {days}: {line}",
        "fr": "Formule {plan}, {days}\u00a0: {line}",
    },
    "late_usage": {
        "en": "Late usage {month}: {name}",
        "nl": "Nagekomen verbruik {month}: {name}",
        "de": "Nachträgliche Nutzung {month}: {name}",
        "fr": "Consommation tardive, {month}\u00a0: {name}",
    },
}


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"not a document language: {language!r}")
    return language


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(_LOCALES.get(_language(language), language))


def _text(language: str, key: str) -> str:
    return _TEXTS[key][_language(language)]


def _plural(language: str, key: str, count: Decimal | int) -> str:
    """`key_one` or `key_other`, as the language's plural rules (CLDR) choose for `count`."""
    form = "one" if _locale(language).plural_form(count) == "one" else "other"
    return _text(language, f"{key}_{form}")


@cache
def _decimal_sign(language: str) -> str:
    return get_decimal_symbol(_locale(language))


def _number(value: Decimal | int, language: str, places: int) -> str:
    """All the decimals the value has and at least `places`, with the language's decimal sign (CLDR) and
    no grouping. Written here rather than by babel.numbers.format_decimal, which takes some 40 µs a
    number where a billing run writes several numbers a line; without grouping only the sign differs."""
    value = Decimal(value)
    shown = max(places, decimal_places(value.normalize()))
    text = f"{value.quantize(Decimal(1).scaleb(-shown)):f}"
    return text.replace(".", _decimal_sign(language)) if shown else text


def quantity(value: Decimal | int, language: str) -> str:
    """A quantity as it is, without trailing zeros: "13", "2.5" (en), "2,5" (nl)."""
    value = Decimal(value)
    return _number(value if not value.is_zero() else Decimal(0), language, 0)


def amount(value: Decimal, currency: str, language: str) -> str:
    """An amount with its currency's decimals: "500.00", "500,00", "5000" (JPY)."""
    return _number(value, language, exponent(currency))


def price(value: Decimal, currency: str, language: str) -> str:
    """A unit price: at least the currency's decimals, as many more as it has ("15.00", "0.125")."""
    return _number(value, language, exponent(currency))


@cache
def _month(start: date, language: str) -> str:
    return format_date(start, format="LLLL y", locale=_locale(language))


def month(period: Period, language: str) -> str:
    """The period's month in words: "October 2026", "oktober 2026", "Oktober 2026", "octobre 2026"."""
    return _month(period.start, _language(language))


def _fitted(render: Callable[[str], str], name: str) -> str:
    """`render(name)`, with the name shortened (and an ellipsis) when the text would be too long."""
    text = render(name)
    excess = len(text) - DESCRIPTION_LIMIT
    if excess <= 0:
        return text
    keep = max(len(name) - excess - len(ELLIPSIS), 0)
    return render(name[:keep].rstrip() + ELLIPSIS)[:DESCRIPTION_LIMIT]


# -- units of a tier -------------------------------------------------------------------------------


def _is_whole(value: Decimal) -> bool:
    return value == value.to_integral_value()


def units(low: Decimal, high: Decimal | None, language: str) -> str:
    """The units of (low, high]: "units 11-13", "unit 11", "units from 11", and for quantities that are not
    whole "units above 5 up to 5.5"."""
    if _is_whole(low) and (high is None or _is_whole(high)):
        first = quantity(low + 1, language)
        if high is None:
            return _text(language, "units_from").format(first=first)
        if high == low + 1:
            return _text(language, "units_one").format(high=quantity(high, language))
        return _text(language, "units_range").format(first=first, high=quantity(high, language))
    if high is None:
        return _text(language, "units_above").format(low=quantity(low, language))
    return _text(language, "units_above_up_to").format(
        low=quantity(low, language), high=quantity(high, language)
    )


# -- the lines -------------------------------------------------------------------------------------


def device_name(name: str | None, language: str) -> str:
    """The device model's name, or "Devices" in the language when there is none."""
    return name or _text(language, "devices")


def device_days(
    name: str | None,
    days: int,
    period: Period,
    language: str,
    *,
    monthly: Decimal | None = None,
    currency: str = "EUR",
) -> str:
    """ "Dell Latitude 5440: 57 device-days in October 2026"; with `monthly` (where the line's price is not
    the monthly amount) "… at 5000 a month"."""
    tail = (
        "" if monthly is None else _text(language, "a_month").format(price=price(monthly, currency, language))
    )

    def render(shown: str) -> str:
        return (
            _text(language, "device_days").format(
                name=shown,
                days=quantity(days, language),
                unit=_plural(language, "device_day", days),
                month=month(period, language),
            )
            + tail
        )

    return _fitted(render, device_name(name, language))


def metered(
    name: str, period: Period, language: str, *, each: Decimal | None = None, currency: str = "EUR"
) -> str:
    """ "Express swaps in October 2026"; with `each` (where the line's price is not the unit amount)
    "… at 0.35 each"."""
    tail = "" if each is None else _text(language, "each").format(price=price(each, currency, language))
    return _fitted(
        lambda shown: _text(language, "metered").format(name=shown, month=month(period, language)) + tail,
        name,
    )


def tier(name: str, low: Decimal, high: Decimal, unit_amount: Decimal, currency: str, language: str) -> str:
    """ "Support tickets, units 11-13 at 15.00": the units of a graduated tier that the quantity reaches."""
    return _fitted(
        lambda shown: _text(language, "tier").format(
            name=shown, units=units(low, high, language), price=price(unit_amount, currency, language)
        ),
        name,
    )


def flat(name: str, low: Decimal, up_to: Decimal | None, language: str) -> str:
    """ "Support tickets, flat fee (units 1-10)": a tier's flat amount, named by the tier's units."""
    return _fitted(
        lambda shown: _text(language, "flat").format(name=shown, units=units(low, up_to, language)), name
    )


def volume(name: str, units_billed: Decimal, unit_amount: Decimal, currency: str, language: str) -> str:
    """ "Support tickets, 13 units at 1.50": every unit at the price of the tier the quantity falls in."""
    return _fitted(
        lambda shown: _text(language, "volume").format(
            name=shown,
            quantity=quantity(units_billed, language),
            unit=_plural(language, "unit", units_billed),
            price=price(unit_amount, currency, language),
        ),
        name,
    )


def packages(
    name: str,
    units_billed: Decimal,
    size: int,
    language: str,
    *,
    each: Decimal | None = None,
    currency: str = "EUR",
) -> str:
    """ "Support tickets, 13 units in packages of 10"; with `each` (where the line's price is not the
    package amount) "… at 25.50 a package"."""
    tail = "" if each is None else _text(language, "a_package").format(price=price(each, currency, language))
    return _fitted(
        lambda shown: (
            _text(language, "packages").format(
                name=shown,
                quantity=quantity(units_billed, language),
                unit=_plural(language, "unit", units_billed),
                size=quantity(size, language),
            )
            + tail
        ),
        name,
    )


def minimum_true_up(floor: Decimal, currency: str, days: int, period: Period, language: str) -> str:
    """ "Minimum commitment 500.00 for October 2026 (31 of 31 days)"."""
    return _text(language, "minimum").format(
        amount=amount(floor, currency, language),
        month=month(period, language),
        days=quantity(days, language),
        period_days=quantity(period.days, language),
        day_unit=_plural(language, "day", days),
    )


def late_usage(name: str, usage_period: Period, language: str) -> str:
    """ "Late usage October 2026: Support tickets": usage of an invoiced month that arrived after it."""
    return _fitted(
        lambda shown: _text(language, "late_usage").format(month=month(usage_period, language), name=shown),
        name,
    )


@cache
def days(first: date, last: date, language: str) -> str:
    """Days of one month, both included: "10–30 Nov", "10–30 nov", "10.–30. Nov.", "10–30 nov."; one day
    alone "10 Nov". (CLDR's thin spaces around the dash are left out, as in the month's other texts.)"""
    text = format_interval(first, last, "MMMd", locale=_locale(_language(language)))
    return text.replace("\u2009", "")


def in_plan(plan: str, first: date, last: date, line: str, language: str) -> str:
    """ "Plan laptop-pro-36, 10–30 Nov: Dell Latitude 5440: 21 device-days in November 2026": a line of a
    month with several plans names the plan it bills and that plan's days (`first` to `last`, included);
    the line's own text is shortened, with an ellipsis, when the whole would be too long."""
    named = days(first, last, language)
    template = _text(language, "in_plan")
    text = template.format(plan=plan, days=named, line=line)
    if len(text) <= DESCRIPTION_LIMIT:
        return text
    room = DESCRIPTION_LIMIT - len(template.format(plan=plan, days=named, line="")) - len(ELLIPSIS)
    return template.format(plan=plan, days=named, line=line[: max(room, 0)].rstrip() + ELLIPSIS)[
        :DESCRIPTION_LIMIT
    ]

"""The e-mails' words (pure): every language says every event with the same keys and fields, each event's
sentences follow its data, and values are written as the language's documents write them."""

from __future__ import annotations

import string

import pytest

from daas.notifications import phrases
from daas.notifications.rendering import render_email
from daas.notifications.wording import BILLING, PLANS, STAFF, USER, Reader, compose, written_values
from daas.outbox.event_types import EVENT_TYPES

LANGUAGES = ("en", "nl", "de", "fr")
NBSP, NNBSP = "\xa0", "\u202f"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_event_type_has_a_plan_and_words_in_every_language():
    assert set(PLANS) == set(EVENT_TYPES)
    assert phrases.LANGUAGES == LANGUAGES
    for language in LANGUAGES:
        assert set(phrases.phrases(language).EVENTS) == set(EVENT_TYPES), language


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_every_language_has_the_keys_and_fields_of_english(language):
    english, other = phrases.phrases("en"), phrases.phrases(language)
    assert other.COMMON.keys() == english.COMMON.keys()
    assert other.NOUNS.keys() == english.NOUNS.keys()
    assert other.CHARGE_KINDS.keys() == english.CHARGE_KINDS.keys()
    for key, text in english.COMMON.items():
        assert _fields(other.COMMON[key]) == _fields(text), key
    for event_type, texts in english.EVENTS.items():
        assert other.EVENTS[event_type].keys() == texts.keys(), event_type
        for key, text in texts.items():
            assert _fields(other.EVENTS[event_type][key]) == _fields(text), (event_type, key)


def test_a_language_without_words_is_refused():
    with pytest.raises(ValueError, match="es"):
        phrases.phrases("es")


def _compose(event_type: str, data: dict, language: str = "en", reason: str = USER):
    return compose(
        event_type,
        data,
        language,
        Reader(reason, "Acme B.V."),
        sender_name="daas",
        public_url="https://daas.example",
    )


FAILED = {
    "invoice_id": 8,
    "invoice_number": "INV-2026-000008",
    "currency": "EUR",
    "amount": "99.00",
    "failure": "Insufficient funds.",
    "attempt": 3,
    "next_retry_at": None,
}


def test_a_payment_given_up_says_how_to_pay_instead():
    wording = _compose("payment.failed", FAILED, "nl", BILLING)
    assert wording.paragraphs[1] == (
        f"Wij proberen deze kaart niet opnieuw. Betaal EUR{NBSP}99,00 per overboeking onder vermelding van "
        "INV-2026-000008, of voeg via de link hieronder een andere kaart toe."
    )
    assert "(poging 3): Insufficient funds." in wording.paragraphs[0]  # its own full stop, once
    assert wording.links[0].url == "https://daas.example/portal/payment-method"
    assert wording.footer_link is None  # money e-mails cannot be turned off


def test_a_renewing_contract_says_it_renews():
    data = {"contract_id": 9, "end_date": "2027-03-31", "days_left": 30, "auto_renew": True}
    wording = _compose("contract.ending", data, "de")
    assert wording.subject == "Abonnement #9 verlängert sich am 31. März 2027"
    assert wording.paragraphs == (
        "Das Abonnement #9 erreicht am 31. März 2027 das Ende seiner Laufzeit, in 30 Tagen, und verlängert "
        "sich dann automatisch.",
        "Damit es weiterläuft, müssen Sie nichts tun. Möchten Sie es stattdessen beenden, teilen Sie uns das "
        "bitte vor diesem Datum mit.",
    )


def test_counts_take_the_language_s_plural():
    one = {"order_id": 1, "shipment_id": 2, "delivered_on": "2026-11-18", "serials": ["A"]}
    many = dict(one, serials=["A", "B"])
    none = dict(one, serials=[])
    assert written_values(one, "de")["devices"] == "1 Gerät"
    assert written_values(many, "de")["devices"] == "2 Geräte"
    assert written_values(many, "fr")["devices"] == "2 appareils"
    assert written_values(none, "nl")["devices"] == "uw apparaten"
    assert written_values({"days_overdue": 1}, "en")["days"] == "1 day"
    assert written_values({"days_left": 60}, "de")["days"] == "60 Tagen"


def test_amounts_take_their_currency_s_decimals_and_the_language_s_separators():
    assert written_values({"currency": "JPY", "amount": "6274"}, "en")["amount"] == f"JPY{NBSP}6,274"
    assert written_values({"currency": "EUR", "total": "1234.5"}, "fr")["total"] == f"1{NNBSP}234,50{NBSP}EUR"
    assert written_values({"currency": "EUR", "amount_due": "0.10"}, "de")["amount_due"] == f"0,10{NBSP}EUR"


def test_moments_are_written_in_utc_and_a_period_as_its_month():
    values = written_values({"due_at": "2026-11-01T03:00:00+01:00", "period": "2026-03"}, "fr")
    assert values["due_at"] == "1 novembre 2026 à 02:00 UTC"
    assert values["period"] == "mars 2026"


def test_free_text_stays_on_one_line():
    values = written_values({"description": "Broken\r\nscreen.\n", "reason": "a\u2028b"}, "en")
    assert (values["description"], values["reason"]) == ("Broken screen", "a b")


def test_an_unknown_charge_kind_is_shown_as_it_is_and_a_missing_device_is_left_out():
    data = {
        "charge_id": 1,
        "contract_id": 2,
        "kind": "courier",
        "description": "Same-day courier",
        "currency": "EUR",
        "amount": "25.00",
        "device_serial": None,
    }
    wording = _compose("charge.pending", data)
    assert wording.subject == f"A charge of EUR{NBSP}25.00 on subscription #2: courier"
    assert wording.facts == ()


def test_a_refresh_approved_by_nobody_named_says_it_is_approved():
    data = {
        "refresh_order_id": 3,
        "contract_id": 2,
        "device_serial": "SN-1",
        "due_date": "2027-01-04",
        "approved_by": None,
    }
    assert _compose("refresh.approved", data, "fr").paragraphs[0] == (
        "Le renouvellement de l'appareil SN-1 (abonnement n° 2), prévu le 4 janvier 2027, est approuvé."
    )


def test_a_tracking_link_must_be_a_web_address():
    data = {
        "order_id": 1,
        "shipment_id": 2,
        "carrier": "DHL",
        "tracking_number": "X",
        "tracking_url": "javascript:alert(1)",
        "serials": ["A"],
    }
    assert [link.url for link in _compose("delivery.shipped", data).links] == [
        "https://daas.example/portal/orders/1"
    ]


def test_a_field_the_data_lacks_is_an_error():
    with pytest.raises(KeyError):
        _compose("invoice.overdue", {"invoice_id": 1, "number": "INV-1"})


def test_staff_e_mails_say_why_staff_get_them():
    data = {"job": "payments", "run_id": 4, "due_at": "2026-11-16T06:00:00Z", "error": "Timeout"}
    rendered = render_email(_compose("job.failed", data, "en", STAFF))
    assert rendered.text.endswith(
        "-- \nYou receive this e-mail as a daas administrator or as one of the staff addresses set in "
        "DAAS_STAFF_EMAILS.\n"
    )
    assert "https://daas.example/finance/job-runs" in rendered.html

"""Every event type, recorded with realistic data for a customer in one of the four document languages (or
for the provider), delivered through a real SMTP server: who got it, its subject in the customer's
language, the amounts and dates as its invoices write them, the link to its page, and its headers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from daas.notifications.models import SENT, EmailMessage
from daas.outbox.event_types import EVENT_TYPES, MONEY, STAFF
from daas.outbox.services import record_event
from daas.usecases.notifications import deliver_notifications
from tests.notifications.conftest import sending_to
from tests.notifications.worlds import account, admin, html, plain

PUBLIC_URL = "http://127.0.0.1:5000"
NBSP, NNBSP = "\xa0", "\u202f"


def moment(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# type: (language, data, subject, what the text says, the page it links to)
CASES: dict[str, tuple[str, dict[str, Any], str, tuple[str, ...], str]] = {
    "invoice.issued": (
        "nl",
        {
            "invoice_id": 41,
            "number": "INV-2026-000041",
            "period": "2026-10",
            "issue_date": date(2026, 11, 1),
            "due_date": date(2026, 12, 1),
            "currency": "EUR",
            "total": Decimal("1234.56"),
        },
        f"Factuur INV-2026-000041: EUR{NBSP}1.234,56, te betalen uiterlijk 1 december 2026",
        ("Uw factuur INV-2026-000041 over oktober 2026 staat klaar", "Vervaldatum: 1 december 2026"),
        "/portal/invoices/41",
    ),
    "credit_note.issued": (
        "de",
        {
            "credit_note_id": 7,
            "number": "CN-2026-000007",
            "invoice_id": 41,
            "invoice_number": "INV-2026-000041",
            "issue_date": date(2026, 11, 20),
            "currency": "EUR",
            "total": Decimal("47.19"),
            "reason": "Gerät eine Woche außer Betrieb.",
        },
        f"Gutschrift CN-2026-000007 zur Rechnung INV-2026-000041: 47,19{NBSP}EUR",
        (
            f"Wir haben die Gutschrift CN-2026-000007 über 47,19{NBSP}EUR zur Rechnung INV-2026-000041",
            "Grund: Gerät eine Woche außer Betrieb\n",
            "Rechnungsdatum: 20. November 2026",
        ),
        "/portal/invoices/41",
    ),
    "payment.succeeded": (
        "fr",
        {
            "invoice_id": 41,
            "invoice_number": "INV-2026-000041",
            "currency": "EUR",
            "amount": Decimal("2405.10"),
            "paid_at": moment(2026, 11, 16, 9, 30),
        },
        f"Paiement reçu pour la facture INV-2026-000041 : 2{NNBSP}405,10{NBSP}EUR",
        (f"Nous avons bien reçu le 16 novembre 2026 votre paiement par carte de 2{NNBSP}405,10{NBSP}EUR",),
        "/portal/invoices/41",
    ),
    "payment.failed": (
        "en",
        {
            "invoice_id": 41,
            "invoice_number": "INV-2026-000041",
            "currency": "EUR",
            "amount": Decimal("1234.56"),
            "failure": "Your card was declined.",
            "attempt": 1,
            "next_retry_at": moment(2026, 11, 19, 6),
        },
        "Card payment for invoice INV-2026-000041 failed",
        (
            f"Your card payment of EUR{NBSP}1,234.56 for invoice INV-2026-000041 did not go through (attempt "
            "1): Your card was declined.",
            "We will try your card again on 19 November 2026.",
        ),
        "/portal/payment-method",
    ),
    "invoice.overdue": (
        "nl",
        {
            "invoice_id": 41,
            "number": "INV-2026-000041",
            "currency": "EUR",
            "amount_due": Decimal("47.19"),
            "due_date": date(2026, 11, 8),
            "days_overdue": 7,
        },
        f"Herinnering: factuur INV-2026-000041 is vervallen (EUR{NBSP}47,19)",
        ("had uiterlijk 8 november 2026 betaald moeten zijn, 7 dagen geleden",),
        "/portal/invoices/41",
    ),
    "refresh.proposed": (
        "de",
        {
            "refresh_order_id": 12,
            "contract_id": 3,
            "device_serial": "SN-4471",
            "device_model": "Latitude 5430",
            "due_date": date(2027, 1, 4),
        },
        "Gerät SN-4471 steht am 4. Januar 2027 zum Austausch an",
        ("Ihr Latitude 5430 mit der Seriennummer SN-4471 (Abonnement #3)",),
        "/portal/refresh-orders/12",
    ),
    "refresh.approved": (
        "fr",
        {
            "refresh_order_id": 12,
            "contract_id": 3,
            "device_serial": "SN-4471",
            "due_date": date(2027, 1, 4),
            "approved_by": "it@client.example",
        },
        "Renouvellement de l'appareil SN-4471 approuvé",
        ("it@client.example a approuvé le renouvellement de l'appareil SN-4471", "prévu le 4 janvier 2027"),
        "/portal/refresh-orders/12",
    ),
    "pickup.booked": (
        "en",
        {
            "return_order_id": 9,
            "contract_id": 3,
            "pickup_date": date(2026, 11, 24),
            "previous_date": None,
            "serials": ["SN-1001", "SN-1002", "SN-1003"],
        },
        "Pickup booked for 24 November 2026",
        ("We will collect 3 devices on 24 November 2026.", "Serial numbers: SN-1001, SN-1002, SN-1003"),
        "/portal/returns",
    ),
    "pickup.moved": (
        "nl",
        {
            "return_order_id": 9,
            "contract_id": 3,
            "pickup_date": date(2026, 11, 26),
            "previous_date": date(2026, 11, 24),
            "serials": ["SN-1001"],
        },
        "Ophaling verzet naar 26 november 2026",
        ("De ophaling van 1 apparaat is verzet van 24 november 2026 naar 26 november 2026.",),
        "/portal/returns",
    ),
    "delivery.shipped": (
        "de",
        {
            "order_id": 15,
            "shipment_id": 21,
            "carrier": "DHL",
            "tracking_number": "JJD000390007",
            "tracking_url": "https://www.dhl.de/track?piececode=JJD000390007",
            "serials": ["SN-2001", "SN-2002"],
        },
        "Ihre Bestellung #15 wurde versandt",
        (
            "Wir haben 2 Geräte versandt.",
            "Sendungsnummer: JJD000390007",
            "Sendung verfolgen: https://www.dhl.de/track?piececode=JJD000390007",
        ),
        "/portal/orders/15",
    ),
    "delivery.delivered": (
        "fr",
        {
            "order_id": 15,
            "shipment_id": 21,
            "delivered_on": date(2026, 11, 18),
            "serials": ["SN-2001", "SN-2002"],
        },
        "Votre commande n° 15 a été livrée",
        ("a été livrée le 18 novembre 2026 : 2 appareils.",),
        "/portal/orders/15",
    ),
    "contract.ending": (
        "en",
        {"contract_id": 3, "end_date": date(2027, 2, 13), "days_left": 90, "auto_renew": False},
        "Subscription #3 ends on 13 February 2027",
        ("ends on 13 February 2027, in 90 days.", "whether to return it, buy it out or extend"),
        "/portal/subscriptions/3",
    ),
    "charge.pending": (
        "nl",
        {
            "charge_id": 5,
            "contract_id": 3,
            "kind": "damage",
            "description": "Gebroken scherm bij retour",
            "currency": "EUR",
            "amount": Decimal("90.00"),
            "device_serial": "SN-4471",
        },
        f"Eenmalige kosten van EUR{NBSP}90,00 op abonnement #3: schade",
        ("(schade) geboekt: Gebroken scherm bij retour.", "Apparaat: SN-4471"),
        "/portal/subscriptions/3",
    ),
    "job.failed": (
        "en",
        {
            "job": "billing",
            "run_id": 77,
            "due_at": moment(2026, 11, 1, 2),
            "error": "OperationalError: server closed the connection",
        },
        "Scheduled job billing failed",
        ("Run 77 of the scheduled job billing, due on 1 November 2026, 02:00 UTC, failed: OperationalError",),
        "/finance/job-runs",
    ),
    "webhook_endpoint.disabled": (
        "de",
        {
            "endpoint_id": 4,
            "url": "https://erp.kunde.example/hooks/daas",
            "failing_since": moment(2026, 11, 12, 8),
            "disabled_at": moment(2026, 11, 15, 8, 5),
        },
        "Webhook-Endpunkt 4 deaktiviert",
        (
            "Jede Zustellung an Ihren Webhook-Endpunkt https://erp.kunde.example/hooks/daas schlägt seit dem "
            "12. November 2026 um 08:00 UTC fehl",
            "am 15. November 2026 um 08:05 UTC deaktiviert",
        ),
        "/portal/webhooks",
    ),
}


def test_every_event_type_has_a_case():
    assert set(CASES) == set(EVENT_TYPES)
    assert {language for language, *_ in CASES.values()} == {"en", "nl", "de", "fr"}


@pytest.mark.parametrize("event_type", list(CASES))
def test_each_event_type_is_e_mailed_in_the_reader_s_language(app, database, smtp_server, event_type):
    language, data, subject, says, path = CASES[event_type]
    audience = EVENT_TYPES[event_type].audience
    customer = account(language)
    staff_member = admin()
    settings = sending_to(smtp_server, staff_addresses=("ops@daas.example", staff_member.email.upper()))
    about = None if audience == STAFF else customer.id
    event = record_event(event_type, key=f"test:{event_type}", customer_id=about, data=data)
    database.session.commit()

    report = deliver_notifications("test", settings)

    if audience == MONEY:
        expected = {customer.customer.billing_email}
    elif audience == STAFF:
        expected = {staff_member.email, "ops@daas.example"}  # the admin once, whatever the case
    else:
        expected = customer.user_addresses  # not the deactivated user
    assert report.emails_sent == len(expected)
    assert sorted(message["To"] for message in smtp_server.messages) == sorted(expected)
    for message in smtp_server.messages:
        text, body = plain(message), html(message)
        assert message["Subject"] == subject
        assert message["Content-Language"] == language
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["From"] == settings.mail.sender
        assert message["Message-ID"].startswith(f"<{event.event_id}-")
        for words in says:
            assert words in text, (words, text)
        assert f"{PUBLIC_URL}{path}" in text
        assert f'href="{PUBLIC_URL}{path}"' in body
        assert f'<html lang="{language}">' in body
        assert ("/portal/notifications" in text) is (audience not in (MONEY, STAFF))
    rows = database.session.scalars(select(EmailMessage).where(EmailMessage.event_id == event.id)).all()
    assert {(row.to_address, row.status, row.language, row.attempts) for row in rows} == {
        (address, SENT, language, 1) for address in expected
    }


def test_a_webhook_endpoint_of_the_provider_tells_the_admins_in_english(app, database, smtp_server):
    staff_member = admin()
    account("de")  # its users hear nothing of the provider's own endpoint
    _, data, *_ = CASES["webhook_endpoint.disabled"]
    record_event("webhook_endpoint.disabled", key="test:provider-endpoint", customer_id=None, data=data)
    database.session.commit()

    deliver_notifications("test", sending_to(smtp_server))

    [message] = smtp_server.messages
    assert message["To"] == staff_member.email
    assert message["Subject"] == "Webhook endpoint 4 disabled"
    assert message["Content-Language"] == "en"
    assert f"{PUBLIC_URL}/admin/webhooks" in plain(message)


def test_html_bodies_escape_what_the_data_holds(app, database, smtp_server):
    customer = account("en")
    data = dict(CASES["charge.pending"][1], description="<script>alert(1)</script> & more")
    record_event("charge.pending", key="test:escaped", customer_id=customer.id, data=data)
    database.session.commit()

    deliver_notifications("test", sending_to(smtp_server))

    for message in smtp_server.messages:
        assert "<script>" not in html(message)
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html(message)
        assert "<script>alert(1)</script> & more" in plain(message)

"""The e-mails' words in German: the keys of `en`, their fields filled by daas.notifications.wording."""

from __future__ import annotations

COMMON = {
    "greeting": "Guten Tag,",
    "closing": "Mit freundlichen Grüßen",
    "footer_money": "Gesendet an die Rechnungsadresse, die {customer} uns genannt hat. Sollen Rechnungen an "
    "eine andere Adresse gehen, bitten Sie uns, sie zu ändern.",
    "footer_users": "Sie erhalten diese E-Mail, weil Sie Nutzer des Kontos von {customer} sind.",
    "footer_preferences": "Legen Sie fest, welche E-Mails Sie erhalten",
    "footer_staff": "Sie erhalten diese E-Mail als Administrator von daas oder als eine der Adressen in "
    "DAAS_STAFF_EMAILS.",
    # Between a label and its value in the plain-text part ("Due date: 1 December 2026").
    "separator": ": ",
    "moment": "{date} um {time} UTC",
    "fact_serials": "Seriennummern",
    "fact_carrier": "Versanddienstleister",
    "fact_tracking_number": "Sendungsnummer",
    "fact_device": "Gerät",
    "devices_unlisted": "Ihre Geräte",
    "link_tracking": "Sendung verfolgen",
}

# "day" is used after "vor" and "in": the dative ("vor 1 Tag", "in 30 Tagen").
NOUNS = {
    "device": ("Gerät", "Geräte"),
    "day": ("Tag", "Tagen"),
}

CHARGE_KINDS = {
    "damage": "Beschädigung",
    "loss": "Verlust",
    "buy_out": "Übernahme",
    "early_termination": "vorzeitige Kündigung",
    "shipping": "Versand",
    "setup": "Einrichtung",
    "other": "Sonstiges",
}

EVENTS = {
    "invoice.issued": {
        "subject": "Rechnung {number}: {total}, fällig am {due_date}",
        "issued": "Ihre Rechnung {number} für {period} liegt vor: {total}, zahlbar bis {due_date}.",
        "attached": "Im Anhang finden Sie die PDF-Datei und die E-Rechnung (UBL) für Ihre "
        "Buchhaltungssoftware.",
        "action": "Rechnung ansehen",
    },
    "credit_note.issued": {
        "subject": "Gutschrift {number} zur Rechnung {invoice_number}: {total}",
        "issued": "Wir haben die Gutschrift {number} über {total} zur Rechnung {invoice_number} ausgestellt.",
        "settled": "Sie wird mit der Rechnung verrechnet; bereits Bezahltes erstatten wir Ihnen.",
        "attached": "Im Anhang finden Sie die PDF-Datei und die E-Rechnung (UBL) für Ihre "
        "Buchhaltungssoftware.",
        "action": "Rechnung ansehen",
    },
    "payment.succeeded": {
        "subject": "Zahlung zur Rechnung {invoice_number} erhalten: {amount}",
        "received": "Ihre Kartenzahlung über {amount} für die Rechnung {invoice_number} ist am {paid_at} bei "
        "uns eingegangen. Vielen Dank.",
        "action": "Rechnung ansehen",
    },
    "payment.failed": {
        "subject": "Kartenzahlung zur Rechnung {invoice_number} fehlgeschlagen",
        "failed": "Ihre Kartenzahlung über {amount} für die Rechnung {invoice_number} ist fehlgeschlagen "
        "(Versuch {attempt}): {failure}.",
        "retry": "Wir versuchen es am {next_retry_at} erneut mit Ihrer Karte. Möchten Sie vorher mit einer "
        "anderen Karte zahlen, fügen Sie sie über den Link unten hinzu.",
        "final": "Wir werden diese Karte nicht erneut belasten. Bitte überweisen Sie {amount} unter Angabe "
        "von {invoice_number} oder fügen Sie über den Link unten eine andere Karte hinzu.",
        "action": "Zahlungsart ändern",
    },
    "invoice.overdue": {
        "subject": "Zahlungserinnerung: Rechnung {number} ist überfällig ({amount_due})",
        "overdue": "Die Rechnung {number} war am {due_date} fällig, vor {days}; offen sind noch "
        "{amount_due}.",
        "pay": "Bitte überweisen Sie den Betrag unter Angabe von {number}. Haben Sie in den letzten Tagen "
        "bereits gezahlt, danken wir Ihnen und bitten Sie, diese Erinnerung als gegenstandslos zu "
        "betrachten.",
        "action": "Rechnung ansehen",
    },
    "refresh.proposed": {
        "subject": "Gerät {device_serial} steht am {due_date} zum Austausch an",
        "proposed": "Ihr {device_model} mit der Seriennummer {device_serial} (Abonnement #{contract_id}) "
        "steht am {due_date} zum Austausch an.",
        "approve": "Ein Austauschauftrag wartet auf Ihre Freigabe: Wählen Sie über den Link unten das "
        "Ersatzgerät oder verschieben Sie den Termin.",
        "action": "Austausch ansehen",
    },
    "refresh.approved": {
        "subject": "Austausch von Gerät {device_serial} freigegeben",
        "approved": "{approved_by} hat den Austausch von Gerät {device_serial} (Abonnement #{contract_id}) "
        "zum {due_date} freigegeben.",
        "approved_anonymous": "Der Austausch von Gerät {device_serial} (Abonnement #{contract_id}) zum "
        "{due_date} ist freigegeben.",
        "next": "Wir liefern das Ersatzgerät und holen das alte Gerät ab; Sie hören von uns, sobald die "
        "Sendung unterwegs ist.",
        "action": "Austausch ansehen",
    },
    "pickup.booked": {
        "subject": "Abholung am {pickup_date} gebucht",
        "booked": "Wir holen am {pickup_date} {devices} ab.",
        "ready": "Bitte halten Sie sie verpackt an der Abholadresse bereit. Um den Termin zu ändern, öffnen "
        "Sie Ihre Rücksendungen über den Link unten.",
        "action": "Rücksendungen ansehen",
    },
    "pickup.moved": {
        "subject": "Abholung auf den {pickup_date} verschoben",
        "moved": "Die Abholung ({devices}) wurde vom {previous_date} auf den {pickup_date} verschoben.",
        "moved_to": "Die Abholung ({devices}) wurde auf den {pickup_date} verschoben.",
        "ready": "Bitte halten Sie sie am neuen Tag verpackt an der Abholadresse bereit.",
        "action": "Rücksendungen ansehen",
    },
    "delivery.shipped": {
        "subject": "Ihre Bestellung #{order_id} wurde versandt",
        "shipped": "Ihre Bestellung #{order_id} ist unterwegs: Wir haben {devices} versandt.",
        "action": "Bestellung ansehen",
    },
    "delivery.delivered": {
        "subject": "Ihre Bestellung #{order_id} wurde zugestellt",
        "delivered": "Ihre Bestellung #{order_id} wurde am {delivered_on} zugestellt: {devices}.",
        "in_service": "Die Geräte sind jetzt in Ihren Abonnements in Betrieb.",
        "action": "Bestellung ansehen",
    },
    "contract.ending": {
        "subject": "Abonnement #{contract_id} endet am {end_date}",
        "subject_renewing": "Abonnement #{contract_id} verlängert sich am {end_date}",
        "ends": "Das Abonnement #{contract_id} endet am {end_date}, in {days}.",
        "choose": "Bitte wählen Sie über den Link unten für jedes Gerät, ob Sie es zurückgeben, übernehmen "
        "oder das Abonnement verlängern.",
        "renews": "Das Abonnement #{contract_id} erreicht am {end_date} das Ende seiner Laufzeit, in {days}, "
        "und verlängert sich dann automatisch.",
        "renew_note": "Damit es weiterläuft, müssen Sie nichts tun. Möchten Sie es stattdessen beenden, "
        "teilen Sie uns das bitte vor diesem Datum mit.",
        "action": "Abonnement ansehen",
    },
    "charge.pending": {
        "subject": "Einmalige Gebühr von {amount} zum Abonnement #{contract_id}: {kind}",
        "added": "Zum Abonnement #{contract_id} wurde eine einmalige Gebühr von {amount} ({kind}) erfasst: "
        "{description}.",
        "billed": "Sie erscheint auf der Rechnung des Monats, in den sie fällt, oder auf der nächsten. Sind "
        "Sie nicht einverstanden, können Sie sie einmal auf der Seite des Abonnements beanstanden; solange "
        "wir das prüfen, wird sie nicht berechnet.",
        "action": "Abonnement ansehen",
    },
    "job.failed": {
        "subject": "Geplanter Job {job} fehlgeschlagen",
        "failed": "Der Lauf {run_id} des geplanten Jobs {job}, fällig am {due_at}, ist fehlgeschlagen: "
        "{error}.",
        "next": "Der Job läuft zum nächsten geplanten Zeitpunkt erneut. Die Einzelheiten stehen auf der "
        "Seite Job runs.",
        "action": "Job runs öffnen",
    },
    "webhook_endpoint.disabled": {
        "subject": "Webhook-Endpunkt {endpoint_id} deaktiviert",
        "disabled": "Jede Zustellung an Ihren Webhook-Endpunkt {url} schlägt seit dem {failing_since} fehl; "
        "daher haben wir ihn am {disabled_at} deaktiviert.",
        "next": "Solange er deaktiviert ist, senden wir ihm keine Ereignisse. Sobald der Empfänger wieder "
        "funktioniert, aktivieren Sie den Endpunkt über den Link unten und senden die verpassten "
        "Zustellungen erneut.",
        "action": "Webhook-Endpunkte ansehen",
    },
}

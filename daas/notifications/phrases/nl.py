"""The e-mails' words in Dutch: the keys of `en`, their fields filled by daas.notifications.wording."""

from __future__ import annotations

COMMON = {
    "greeting": "Goedendag,",
    "closing": "Met vriendelijke groet,",
    "footer_money": "Verzonden naar het factuuradres dat {customer} ons heeft opgegeven. Wilt u facturen op "
    "een ander adres ontvangen, vraag ons dan het adres te wijzigen.",
    "footer_users": "U ontvangt deze e-mail omdat u gebruiker bent van het account van {customer} bij daas.",
    "footer_preferences": "Kies welke e-mails u ontvangt",
    "footer_staff": "U ontvangt deze e-mail als beheerder van daas of als een van de adressen in "
    "DAAS_STAFF_EMAILS.",
    # Between a label and its value in the plain-text part ("Due date: 1 December 2026").
    "separator": ": ",
    "moment": "{date} om {time} UTC",
    "fact_serials": "Serienummers",
    "fact_carrier": "Vervoerder",
    "fact_tracking_number": "Trackingnummer",
    "fact_device": "Apparaat",
    "devices_unlisted": "uw apparaten",
    "link_tracking": "Zending volgen",
}

NOUNS = {
    "device": ("apparaat", "apparaten"),
    "day": ("dag", "dagen"),
}

CHARGE_KINDS = {
    "damage": "schade",
    "loss": "verlies",
    "buy_out": "overname",
    "early_termination": "vroegtijdige beëindiging",
    "shipping": "verzending",
    "setup": "installatie",
    "other": "overig",
}

EVENTS = {
    "invoice.issued": {
        "subject": "Factuur {number}: {total}, te betalen uiterlijk {due_date}",
        "issued": "Uw factuur {number} over {period} staat klaar: {total}, te betalen uiterlijk {due_date}.",
        "attached": "De pdf is bijgevoegd, met de e-factuur (UBL) die uw boekhoudpakket kan inlezen.",
        "action": "Factuur bekijken",
    },
    "credit_note.issued": {
        "subject": "Creditnota {number} bij factuur {invoice_number}: {total}",
        "issued": "Wij hebben creditnota {number} van {total} opgemaakt bij factuur {invoice_number}.",
        "settled": "Deze wordt verrekend met de factuur; wat u daarop al betaald hebt, betalen wij terug.",
        "attached": "De pdf is bijgevoegd, met de e-factuur (UBL) die uw boekhoudpakket kan inlezen.",
        "action": "Factuur bekijken",
    },
    "payment.succeeded": {
        "subject": "Betaling ontvangen voor factuur {invoice_number}: {amount}",
        "received": "Wij hebben op {paid_at} uw kaartbetaling van {amount} voor factuur {invoice_number} "
        "ontvangen. Hartelijk dank.",
        "action": "Factuur bekijken",
    },
    "payment.failed": {
        "subject": "Kaartbetaling voor factuur {invoice_number} mislukt",
        "failed": "Uw kaartbetaling van {amount} voor factuur {invoice_number} is niet gelukt "
        "(poging {attempt}): {failure}.",
        "retry": "Wij proberen uw kaart opnieuw op {next_retry_at}. Wilt u eerder met een andere kaart "
        "betalen, voeg die dan toe via de link hieronder.",
        "final": "Wij proberen deze kaart niet opnieuw. Betaal {amount} per overboeking onder vermelding van "
        "{invoice_number}, of voeg via de link hieronder een andere kaart toe.",
        "action": "Betaalwijze wijzigen",
    },
    "invoice.overdue": {
        "subject": "Herinnering: factuur {number} is vervallen ({amount_due})",
        "overdue": "Factuur {number} had uiterlijk {due_date} betaald moeten zijn, {days} geleden; er staat "
        "nog {amount_due} open.",
        "pay": "Wilt u het bedrag overmaken onder vermelding van {number}? Hebt u de afgelopen dagen al "
        "betaald, dan danken wij u en kunt u deze herinnering als niet verzonden beschouwen.",
        "action": "Factuur bekijken",
    },
    "refresh.proposed": {
        "subject": "Apparaat {device_serial} is op {due_date} aan vervanging toe",
        "proposed": "Uw {device_model} met serienummer {device_serial} (abonnement #{contract_id}) is op "
        "{due_date} aan vervanging toe.",
        "approve": "Een vervangingsorder wacht op uw goedkeuring: kies de vervanger of verzet de datum via "
        "de link hieronder.",
        "action": "Vervanging bekijken",
    },
    "refresh.approved": {
        "subject": "Vervanging van apparaat {device_serial} goedgekeurd",
        "approved": "{approved_by} heeft de vervanging van apparaat {device_serial} (abonnement "
        "#{contract_id}) goedgekeurd, gepland op {due_date}.",
        "approved_anonymous": "De vervanging van apparaat {device_serial} (abonnement #{contract_id}), "
        "gepland op {due_date}, is goedgekeurd.",
        "next": "Wij leveren de vervanger en halen het oude apparaat op; u hoort van ons zodra de zending "
        "onderweg is.",
        "action": "Vervanging bekijken",
    },
    "pickup.booked": {
        "subject": "Ophaling gepland op {pickup_date}",
        "booked": "Wij halen op {pickup_date} {devices} op.",
        "ready": "Zorg dat ze ingepakt klaarstaan op het ophaaladres. Wilt u de datum wijzigen, open dan uw "
        "retouren via de link hieronder.",
        "action": "Retouren bekijken",
    },
    "pickup.moved": {
        "subject": "Ophaling verzet naar {pickup_date}",
        "moved": "De ophaling van {devices} is verzet van {previous_date} naar {pickup_date}.",
        "moved_to": "De ophaling van {devices} is verzet naar {pickup_date}.",
        "ready": "Zorg dat ze op de nieuwe dag ingepakt klaarstaan op het ophaaladres.",
        "action": "Retouren bekijken",
    },
    "delivery.shipped": {
        "subject": "Uw bestelling #{order_id} is verzonden",
        "shipped": "Bestelling #{order_id} is onderweg: wij hebben {devices} verzonden.",
        "action": "Bestelling bekijken",
    },
    "delivery.delivered": {
        "subject": "Uw bestelling #{order_id} is geleverd",
        "delivered": "Bestelling #{order_id} is op {delivered_on} geleverd: {devices}.",
        "in_service": "De apparaten zijn nu in gebruik onder uw abonnementen.",
        "action": "Bestelling bekijken",
    },
    "contract.ending": {
        "subject": "Abonnement #{contract_id} loopt af op {end_date}",
        "subject_renewing": "Abonnement #{contract_id} wordt verlengd op {end_date}",
        "ends": "Abonnement #{contract_id} loopt af op {end_date}, over {days}.",
        "choose": "Kies via de link hieronder per apparaat of u het terugstuurt, overneemt of het abonnement "
        "verlengt.",
        "renews": "Abonnement #{contract_id} bereikt op {end_date} het einde van de looptijd, over {days}, "
        "en wordt dan automatisch verlengd.",
        "renew_note": "U hoeft niets te doen om door te gaan. Wilt u het juist beëindigen, laat het ons dan "
        "voor die datum weten.",
        "action": "Abonnement bekijken",
    },
    "charge.pending": {
        "subject": "Eenmalige kosten van {amount} op abonnement #{contract_id}: {kind}",
        "added": "Op abonnement #{contract_id} zijn eenmalige kosten van {amount} ({kind}) geboekt: "
        "{description}.",
        "billed": "Ze komen op de factuur van de maand waarin ze vallen, of op de volgende. Bent u het er "
        "niet mee eens, dan kunt u ze één keer betwisten op de pagina van het abonnement; zolang wij dat "
        "bekijken, worden ze niet gefactureerd.",
        "action": "Abonnement bekijken",
    },
    "job.failed": {
        "subject": "Geplande taak {job} mislukt",
        "failed": "Run {run_id} van de geplande taak {job}, gepland op {due_at}, is mislukt: {error}.",
        "next": "De taak draait opnieuw op het volgende geplande moment. De details staan op de pagina Job "
        "runs.",
        "action": "Job runs openen",
    },
    "webhook_endpoint.disabled": {
        "subject": "Webhook-endpoint {endpoint_id} uitgeschakeld",
        "disabled": "Elke levering aan uw webhook-endpoint {url} mislukt sinds {failing_since}; daarom "
        "hebben wij het op {disabled_at} uitgeschakeld.",
        "next": "Zolang het uitgeschakeld is, sturen wij er geen events naar. Werkt de ontvanger weer, "
        "schakel het endpoint dan in via de link hieronder en verstuur de gemiste leveringen opnieuw.",
        "action": "Webhook-endpoints bekijken",
    },
}

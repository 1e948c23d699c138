"""The e-mails' words in French: the keys of `en`, their fields filled by daas.notifications.wording."""

from __future__ import annotations

COMMON = {
    "greeting": "Bonjour,",
    "closing": "Cordialement,",
    "footer_money": "Envoyé à l'adresse de facturation que {customer} nous a indiquée. Pour recevoir les "
    "factures à une autre adresse, demandez-nous de la modifier.",
    "footer_users": "Vous recevez cet e-mail en tant qu'utilisateur du compte de {customer} sur daas.",
    "footer_preferences": "Choisissez les e-mails que vous recevez",
    "footer_staff": "Vous recevez cet e-mail en tant qu'administrateur de daas ou comme l'une des adresses "
    "de DAAS_STAFF_EMAILS.",
    # Between a label and its value in the plain-text part ("Due date: 1 December 2026").
    "separator": " : ",
    "moment": "{date} à {time} UTC",
    "fact_serials": "Numéros de série",
    "fact_carrier": "Transporteur",
    "fact_tracking_number": "Numéro de suivi",
    "fact_device": "Appareil",
    "devices_unlisted": "vos appareils",
    "link_tracking": "Suivre l'envoi",
}

NOUNS = {
    "device": ("appareil", "appareils"),
    "day": ("jour", "jours"),
}

CHARGE_KINDS = {
    "damage": "dommage",
    "loss": "perte",
    "buy_out": "rachat",
    "early_termination": "résiliation anticipée",
    "shipping": "expédition",
    "setup": "mise en service",
    "other": "autre",
}

EVENTS = {
    "invoice.issued": {
        "subject": "Facture {number} : {total}, échéance le {due_date}",
        "issued": "Votre facture {number} pour {period} est disponible : {total}, à régler au plus tard le "
        "{due_date}.",
        "attached": "Vous trouverez en pièce jointe le PDF et la facture électronique (UBL) lisible par "
        "votre logiciel comptable.",
        "action": "Voir la facture",
    },
    "credit_note.issued": {
        "subject": "Avoir {number} sur la facture {invoice_number} : {total}",
        "issued": "Nous avons émis l'avoir {number} de {total} sur la facture {invoice_number}.",
        "settled": "Il est compensé avec la facture ; ce que vous avez déjà payé vous est remboursé.",
        "attached": "Vous trouverez en pièce jointe le PDF et la facture électronique (UBL) lisible par "
        "votre logiciel comptable.",
        "action": "Voir la facture",
    },
    "payment.succeeded": {
        "subject": "Paiement reçu pour la facture {invoice_number} : {amount}",
        "received": "Nous avons bien reçu le {paid_at} votre paiement par carte de {amount} pour la facture "
        "{invoice_number}. Merci.",
        "action": "Voir la facture",
    },
    "payment.failed": {
        "subject": "Échec du paiement par carte de la facture {invoice_number}",
        "failed": "Votre paiement par carte de {amount} pour la facture {invoice_number} n'a pas abouti "
        "(tentative {attempt}) : {failure}.",
        "retry": "Nous réessaierons votre carte le {next_retry_at}. Pour payer avec une autre carte d'ici "
        "là, ajoutez-la via le lien ci-dessous.",
        "final": "Nous ne réessaierons pas cette carte. Merci de régler {amount} par virement en indiquant "
        "la référence {invoice_number}, ou d'ajouter une autre carte via le lien ci-dessous.",
        "action": "Modifier le mode de paiement",
    },
    "invoice.overdue": {
        "subject": "Rappel : la facture {number} est échue ({amount_due})",
        "overdue": "La facture {number} était à régler le {due_date}, il y a {days}, et {amount_due} restent "
        "dus.",
        "pay": "Merci de la régler par virement en indiquant la référence {number}. Si vous l'avez payée ces "
        "derniers jours, nous vous en remercions et vous prions de ne pas tenir compte de ce rappel.",
        "action": "Voir la facture",
    },
    "refresh.proposed": {
        "subject": "L'appareil {device_serial} est à renouveler le {due_date}",
        "proposed": "Votre {device_model} (numéro de série {device_serial}, abonnement n° {contract_id}) est "
        "à renouveler le {due_date}.",
        "approve": "Une commande de renouvellement attend votre accord : choisissez l'appareil de "
        "remplacement ou changez la date via le lien ci-dessous.",
        "action": "Voir le renouvellement",
    },
    "refresh.approved": {
        "subject": "Renouvellement de l'appareil {device_serial} approuvé",
        "approved": "{approved_by} a approuvé le renouvellement de l'appareil {device_serial} (abonnement "
        "n° {contract_id}), prévu le {due_date}.",
        "approved_anonymous": "Le renouvellement de l'appareil {device_serial} (abonnement n° "
        "{contract_id}), prévu le {due_date}, est approuvé.",
        "next": "Nous livrerons l'appareil de remplacement et reprendrons l'ancien ; nous vous préviendrons "
        "dès l'expédition.",
        "action": "Voir le renouvellement",
    },
    "pickup.booked": {
        "subject": "Enlèvement prévu le {pickup_date}",
        "booked": "Nous viendrons chercher {devices} le {pickup_date}.",
        "ready": "Merci de les tenir emballés et prêts à l'adresse d'enlèvement. Pour changer la date, "
        "ouvrez vos retours via le lien ci-dessous.",
        "action": "Voir vos retours",
    },
    "pickup.moved": {
        "subject": "Enlèvement déplacé au {pickup_date}",
        "moved": "L'enlèvement de {devices} est déplacé du {previous_date} au {pickup_date}.",
        "moved_to": "L'enlèvement de {devices} est déplacé au {pickup_date}.",
        "ready": "Merci de les tenir emballés et prêts à l'adresse d'enlèvement le nouveau jour.",
        "action": "Voir vos retours",
    },
    "delivery.shipped": {
        "subject": "Votre commande n° {order_id} a été expédiée",
        "shipped": "Votre commande n° {order_id} est en route : nous avons expédié {devices}.",
        "action": "Voir la commande",
    },
    "delivery.delivered": {
        "subject": "Votre commande n° {order_id} a été livrée",
        "delivered": "Votre commande n° {order_id} a été livrée le {delivered_on} : {devices}.",
        "in_service": "Les appareils sont désormais en service dans vos abonnements.",
        "action": "Voir la commande",
    },
    "contract.ending": {
        "subject": "L'abonnement n° {contract_id} prend fin le {end_date}",
        "subject_renewing": "L'abonnement n° {contract_id} sera renouvelé le {end_date}",
        "ends": "L'abonnement n° {contract_id} prend fin le {end_date}, dans {days}.",
        "choose": "Choisissez pour chaque appareil, via le lien ci-dessous, de le restituer, de le racheter "
        "ou de prolonger l'abonnement.",
        "renews": "L'abonnement n° {contract_id} arrive au terme de sa durée le {end_date}, dans {days}, et "
        "sera alors renouvelé automatiquement.",
        "renew_note": "Vous n'avez rien à faire pour continuer. Si vous souhaitez au contraire y mettre fin, "
        "prévenez-nous avant cette date.",
        "action": "Voir l'abonnement",
    },
    "charge.pending": {
        "subject": "Frais de {amount} sur l'abonnement n° {contract_id} : {kind}",
        "added": "Des frais ponctuels de {amount} ({kind}) ont été ajoutés à l'abonnement n° {contract_id} : "
        "{description}.",
        "billed": "Ils figureront sur la facture du mois concerné, ou sur la suivante. Si vous n'êtes pas "
        "d'accord, vous pouvez les contester une fois sur la page de l'abonnement ; tant que nous examinons "
        "votre demande, ils ne sont pas facturés.",
        "action": "Voir l'abonnement",
    },
    "job.failed": {
        "subject": "Échec de la tâche planifiée {job}",
        "failed": "L'exécution {run_id} de la tâche planifiée {job}, prévue le {due_at}, a échoué : {error}.",
        "next": "La tâche sera relancée à sa prochaine échéance. Le détail figure sur la page Job runs.",
        "action": "Ouvrir les Job runs",
    },
    "webhook_endpoint.disabled": {
        "subject": "Point de terminaison webhook {endpoint_id} désactivé",
        "disabled": "Toutes les livraisons vers votre point de terminaison webhook {url} échouent depuis le "
        "{failing_since} ; nous l'avons donc désactivé le {disabled_at}.",
        "next": "Tant qu'il est désactivé, aucun événement ne lui est envoyé. Une fois le récepteur rétabli, "
        "réactivez le point de terminaison via le lien ci-dessous et renvoyez les livraisons manquées.",
        "action": "Voir vos points de terminaison webhook",
    },
}

"""The e-mails' words in English: the same keys in every language (tests/unit check it), `{...}` fields
filled from the event's data as the language writes numbers, amounts and dates (daas.notifications.wording).
"""

from __future__ import annotations

COMMON = {
    "greeting": "Hello,",
    "closing": "Kind regards,",
    "footer_money": "Sent to the billing address {customer} gave us. To have invoices sent to another "
    "address, ask us to change it.",
    "footer_users": "You receive this e-mail as a user of the {customer} account.",
    "footer_preferences": "Choose which e-mails you get",
    "footer_staff": "You receive this e-mail as a daas administrator or as one of the staff addresses "
    "set in DAAS_STAFF_EMAILS.",
    # Between a label and its value in the plain-text part ("Due date: 1 December 2026").
    "separator": ": ",
    "moment": "{date}, {time} UTC",
    "fact_serials": "Serial numbers",
    "fact_carrier": "Carrier",
    "fact_tracking_number": "Tracking number",
    "fact_device": "Device",
    "devices_unlisted": "your devices",
    "link_tracking": "Track the shipment",
}

# (one, other): "1 device", "3 devices".
NOUNS = {
    "device": ("device", "devices"),
    "day": ("day", "days"),
}

CHARGE_KINDS = {
    "damage": "damage",
    "loss": "loss",
    "buy_out": "buy-out",
    "early_termination": "early termination",
    "shipping": "shipping",
    "setup": "set-up",
    "other": "other",
}

EVENTS = {
    "invoice.issued": {
        "subject": "Invoice {number}: {total}, due on {due_date}",
        "issued": "Your invoice {number} for {period} is ready: {total}, to be paid by {due_date}.",
        "attached": "The PDF is attached, with the e-invoice (UBL) your accounting software can read.",
        "action": "View the invoice",
    },
    "credit_note.issued": {
        "subject": "Credit note {number} for invoice {invoice_number}: {total}",
        "issued": "We have issued credit note {number} of {total} on invoice {invoice_number}.",
        "settled": "It is set off against the invoice; whatever you already paid on it is refunded.",
        "attached": "The PDF is attached, with the e-invoice (UBL) your accounting software can read.",
        "action": "View the invoice",
    },
    "payment.succeeded": {
        "subject": "Payment received for invoice {invoice_number}: {amount}",
        "received": "We received your card payment of {amount} for invoice {invoice_number} on {paid_at}. "
        "Thank you.",
        "action": "View the invoice",
    },
    "payment.failed": {
        "subject": "Card payment for invoice {invoice_number} failed",
        "failed": "Your card payment of {amount} for invoice {invoice_number} did not go through "
        "(attempt {attempt}): {failure}.",
        "retry": "We will try your card again on {next_retry_at}. To pay with another card before then, "
        "add it through the link below.",
        "final": "We will not try this card again. Please pay {amount} by bank transfer, quoting "
        "{invoice_number}, or add another card through the link below.",
        "action": "Update how you pay",
    },
    "invoice.overdue": {
        "subject": "Reminder: invoice {number} is overdue ({amount_due})",
        "overdue": "Invoice {number} was due on {due_date}, {days} ago, and {amount_due} is still open.",
        "pay": "Please pay it by bank transfer, quoting {number}. If you have paid it in the last few days, "
        "thank you, and please disregard this reminder.",
        "action": "View the invoice",
    },
    "refresh.proposed": {
        "subject": "Device {device_serial} is due for a refresh on {due_date}",
        "proposed": "Your {device_model} with serial number {device_serial} (subscription #{contract_id}) "
        "is due for a refresh on {due_date}.",
        "approve": "A refresh order waits for your approval: choose its replacement, or move the date, "
        "through the link below.",
        "action": "Review the refresh",
    },
    "refresh.approved": {
        "subject": "Refresh of device {device_serial} approved",
        "approved": "{approved_by} approved the refresh of device {device_serial} (subscription "
        "#{contract_id}), due on {due_date}.",
        "approved_anonymous": "The refresh of device {device_serial} (subscription #{contract_id}), due on "
        "{due_date}, is approved.",
        "next": "We will deliver the replacement and collect the old device; you will hear from us when it "
        "ships.",
        "action": "View the refresh",
    },
    "pickup.booked": {
        "subject": "Pickup booked for {pickup_date}",
        "booked": "We will collect {devices} on {pickup_date}.",
        "ready": "Please have them packed and ready at the pickup address. To change the date, open your "
        "returns through the link below.",
        "action": "View your returns",
    },
    "pickup.moved": {
        "subject": "Pickup moved to {pickup_date}",
        "moved": "The pickup of {devices} has moved from {previous_date} to {pickup_date}.",
        "moved_to": "The pickup of {devices} has moved to {pickup_date}.",
        "ready": "Please have them packed and ready at the pickup address on the new day.",
        "action": "View your returns",
    },
    "delivery.shipped": {
        "subject": "Your order #{order_id} has shipped",
        "shipped": "Order #{order_id} is on its way: we have shipped {devices}.",
        "action": "View the order",
    },
    "delivery.delivered": {
        "subject": "Your order #{order_id} was delivered",
        "delivered": "Order #{order_id} was delivered on {delivered_on}: {devices}.",
        "in_service": "The devices are now in service under your subscriptions.",
        "action": "View the order",
    },
    "contract.ending": {
        "subject": "Subscription #{contract_id} ends on {end_date}",
        "subject_renewing": "Subscription #{contract_id} renews on {end_date}",
        "ends": "Subscription #{contract_id} ends on {end_date}, in {days}.",
        "choose": "Please choose for each device, through the link below, whether to return it, buy it out "
        "or extend the subscription.",
        "renews": "Subscription #{contract_id} reaches the end of its term on {end_date}, in {days}, and "
        "then renews automatically.",
        "renew_note": "Nothing needs to be done to continue. To end it instead, let us know before that "
        "date.",
        "action": "View the subscription",
    },
    "charge.pending": {
        "subject": "A charge of {amount} on subscription #{contract_id}: {kind}",
        "added": "A one-off charge of {amount} ({kind}) was added to subscription #{contract_id}: "
        "{description}.",
        "billed": "It comes on the invoice of the month it falls in, or the next one. If you do not agree, "
        "you can dispute it once on the subscription's page; while we look into it, it is not billed.",
        "action": "View the subscription",
    },
    "job.failed": {
        "subject": "Scheduled job {job} failed",
        "failed": "Run {run_id} of the scheduled job {job}, due on {due_at}, failed: {error}.",
        "next": "The job runs again at its next scheduled time. The run's details are on the Job runs page.",
        "action": "Open the job runs",
    },
    "webhook_endpoint.disabled": {
        "subject": "Webhook endpoint {endpoint_id} disabled",
        "disabled": "Every delivery to your webhook endpoint {url} has failed since {failing_since}, so we "
        "disabled it on {disabled_at}.",
        "next": "Events are not sent to it while it is disabled. Once the receiver works again, enable the "
        "endpoint through the link below and replay the deliveries it missed.",
        "action": "View your webhook endpoints",
    },
}

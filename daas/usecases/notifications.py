"""Delivering the outbox: fan events out, claim what is due, send it with no transaction open, record how
it went. The scheduler process calls `deliver_notifications` in a loop (daas.jobs.notifications); the CLI
and the tests call it for one pass. Each step commits: a claim before anything is sent, each outcome as it
comes, so a process killed mid-send leaves only leases that run out, and what they held is sent again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from daas.notifications import delivery, dispatch
from daas.notifications.email_sending import SendFailed, prepare_email, send_email
from daas.notifications.models import EmailMessage, WebhookDelivery
from daas.notifications.policy import NotificationSettings
from daas.notifications.webhook_deliveries import check_replayable
from daas.notifications.webhook_sending import post_webhook, prepare_delivery, record_answer
from daas.usecases.transaction import commit, roll_back, use_case


@dataclass
class DeliveryReport:
    events: int = 0
    events_failed: int = 0
    emails_sent: int = 0
    emails_retrying: int = 0
    emails_failed: int = 0
    webhooks_sent: int = 0
    webhooks_retrying: int = 0
    webhooks_failed: int = 0
    leases_lost: int = 0
    rounds: int = field(default=0)

    def as_counts(self) -> dict[str, int]:
        return dict(self.__dict__)

    @property
    def worked(self) -> bool:
        return bool(
            self.events
            or self.emails_sent + self.emails_retrying + self.emails_failed
            or self.webhooks_sent + self.webhooks_retrying + self.webhooks_failed
        )


def _count_failure(report: DeliveryReport, channel: str, status: str | None) -> None:
    if status is None:
        report.leases_lost += 1
    elif status == "failed":
        setattr(report, f"{channel}_failed", getattr(report, f"{channel}_failed") + 1)
    else:
        setattr(report, f"{channel}_retrying", getattr(report, f"{channel}_retrying") + 1)


def _send_emails(ids: list[int], owner: str, settings: NotificationSettings, report: DeliveryReport) -> None:
    for message_id in ids:
        try:
            outgoing = prepare_email(message_id)
            roll_back()  # nothing to keep: only reads; no transaction stays open while the server answers
            send_email(outgoing, settings.mail)
        except SendFailed as failed:
            roll_back()
            _count_failure(
                report,
                "emails",
                delivery.record_failure(EmailMessage, message_id, owner, str(failed), settings.email_retries),
            )
        except Exception as error:  # a bug in one message must not stop the others: recorded, retried
            roll_back()
            _count_failure(
                report,
                "emails",
                delivery.record_failure(
                    EmailMessage,
                    message_id,
                    owner,
                    f"{type(error).__name__}: {error}",
                    settings.email_retries,
                ),
            )
        else:
            if delivery.record_sent(EmailMessage, message_id, owner):
                report.emails_sent += 1
            else:
                report.leases_lost += 1
        commit()


def _send_webhooks(
    ids: list[int], owner: str, settings: NotificationSettings, report: DeliveryReport
) -> None:
    for delivery_id in ids:
        try:
            outgoing = prepare_delivery(delivery_id)
            roll_back()
            answer = post_webhook(outgoing, settings.webhooks)
        except Exception as error:  # as for e-mails: recorded with its error, retried
            roll_back()
            _count_failure(
                report,
                "webhooks",
                delivery.record_failure(
                    WebhookDelivery,
                    delivery_id,
                    owner,
                    f"{type(error).__name__}: {error}",
                    settings.webhook_retries,
                ),
            )
            commit()
            continue
        if not record_answer(delivery_id, owner, answer, settings):
            report.leases_lost += 1
        elif answer.ok:
            if delivery.record_sent(WebhookDelivery, delivery_id, owner):
                report.webhooks_sent += 1
            else:
                report.leases_lost += 1
        else:
            _count_failure(
                report,
                "webhooks",
                delivery.record_failure(
                    WebhookDelivery, delivery_id, owner, answer.describe(), settings.webhook_retries
                ),
            )
        commit()


@use_case
def deliver_notifications(
    owner: str, settings: NotificationSettings, stop: threading.Event | None = None, max_rounds: int = 0
) -> DeliveryReport:
    """Fan out and send until nothing is due (or `stop` is set, or after `max_rounds` rounds when it is
    not 0). Every step commits (see the module); what it sent is in the report."""
    report = DeliveryReport()
    while not (stop is not None and stop.is_set()):
        report.rounds += 1
        events, events_failed = dispatch.dispatch_events(settings, settings.batch_size)
        report.events += events
        report.events_failed += events_failed
        commit()
        emails = delivery.claim_due(EmailMessage, owner, settings.lease, settings.batch_size)
        commit()
        _send_emails(emails, owner, settings, report)
        webhooks = delivery.claim_due(WebhookDelivery, owner, settings.lease, settings.batch_size)
        commit()
        _send_webhooks(webhooks, owner, settings, report)
        if not (events or emails or webhooks) or (max_rounds and report.rounds >= max_rounds):
            break
    return report


@use_case
def resend_email(message_id: int) -> EmailMessage:
    """Admin's resend of an e-mail (failed, or sent and asked for again)."""
    return delivery.resend(EmailMessage, message_id)


@use_case
def replay_webhook_delivery(delivery_id: int, customer_scope: int | None = None) -> WebhookDelivery:
    """A replay of a delivery from the portal, the API or admin: sent again with the same event id. A
    customer replays only its own (another's is a 404); a disabled endpoint's, never (409)."""
    check_replayable(delivery_id, customer_scope)
    return delivery.resend(WebhookDelivery, delivery_id)


redispatch_event = use_case(dispatch.redispatch_event)

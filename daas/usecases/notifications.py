"""Delivering the outbox: fan events out, claim what is due, send it with no transaction open, record how
it went. The scheduler process calls `deliver_notifications` in a loop (daas.jobs.notifications); the CLI
and the tests call it for one pass. Each step commits: a claim before anything is sent, a batch's
outcomes once it is sent, so a process killed mid-send leaves only leases that run out, and what they
held is sent again.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from daas.notifications import delivery, dispatch
from daas.notifications.delivery import Sendable
from daas.notifications.email_sending import OutgoingEmail, prepare_email, send_emails
from daas.notifications.models import EmailMessage, WebhookDelivery
from daas.notifications.policy import NotificationSettings, WebhookSettings
from daas.notifications.retry_rules import RetrySchedule
from daas.notifications.webhook_deliveries import check_replayable
from daas.notifications.webhook_sending import (
    Answer,
    OutgoingWebhook,
    post_webhook,
    prepare_delivery,
    record_answer,
)
from daas.usecases.transaction import commit, roll_back, savepoint, use_case

log = logging.getLogger("daas.notifications")
# Webhook POSTs in flight at once in one sender.
WEBHOOK_SENDERS = 8


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
    unrecorded: int = 0  # sent, but its outcome could not be written: sent again once its lease is over
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


def _failed(
    report: DeliveryReport,
    channel: str,
    model: Sendable,
    row_id: int,
    owner: str,
    error: str,
    retries: RetrySchedule,
) -> None:
    _count_failure(report, channel, delivery.record_failure(model, row_id, owner, error, retries))


def _sent(report: DeliveryReport, channel: str, model: Sendable, row_ids: list[int], owner: str) -> None:
    recorded = delivery.record_all_sent(model, row_ids, owner)
    setattr(report, f"{channel}_sent", getattr(report, f"{channel}_sent") + recorded)
    report.leases_lost += len(row_ids) - recorded


def _deadline(settings: NotificationSettings) -> float:
    """Sending a batch stops at half its lease: what is left is sent later, never by two at once."""
    return time.monotonic() + settings.lease.total_seconds() / 2


def _send_emails(ids: list[int], owner: str, settings: NotificationSettings, report: DeliveryReport) -> None:
    """Read the batch, send it over one SMTP connection with no transaction open, record every outcome
    and commit once (a crash before that commit sends the batch again: at least once)."""
    ready: list[OutgoingEmail] = []
    unreadable: dict[int, str] = {}
    for message_id in ids:
        try:
            with savepoint():
                ready.append(prepare_email(message_id))
        except Exception as error:  # a bug in one message must not stop the others: recorded, retried
            unreadable[message_id] = f"{type(error).__name__}: {error}"
    roll_back()  # only reads: no transaction stays open while the server answers
    outcomes = send_emails(ready, settings.mail, _deadline(settings))
    for message_id, error in {**unreadable, **outcomes}.items():
        if error is not None:
            _failed(report, "emails", EmailMessage, message_id, owner, error, settings.email_retries)
    _sent(report, "emails", EmailMessage, [key for key, error in outcomes.items() if error is None], owner)
    commit()


def _post_all(ready: list[OutgoingWebhook], settings: NotificationSettings) -> dict[int, Answer]:
    """POST the batch, several at once (each endpoint answers in its own time), none past the deadline."""
    deadline = _deadline(settings)
    answers: dict[int, Answer] = {}
    with ThreadPoolExecutor(max_workers=WEBHOOK_SENDERS, thread_name_prefix="webhooks") as pool:
        futures = {
            pool.submit(_post_before, outgoing, settings.webhooks, deadline): outgoing.delivery_id
            for outgoing in ready
        }
        for future, delivery_id in futures.items():
            answer = future.result()
            if answer is not None:
                answers[delivery_id] = answer
    return answers


def _post_before(outgoing: OutgoingWebhook, webhooks: WebhookSettings, deadline: float) -> Answer | None:
    return post_webhook(outgoing, webhooks) if time.monotonic() < deadline else None


def _send_webhooks(
    ids: list[int], owner: str, settings: NotificationSettings, report: DeliveryReport
) -> None:
    """As for e-mails: read the batch, POST it with no transaction open, record and commit once."""
    ready: list[OutgoingWebhook] = []
    for delivery_id in ids:
        try:
            with savepoint():
                ready.append(prepare_delivery(delivery_id))
        except Exception as error:  # recorded with its error, retried
            why = f"{type(error).__name__}: {error}"
            _failed(report, "webhooks", WebhookDelivery, delivery_id, owner, why, settings.webhook_retries)
    commit()  # the failures above; nothing else was written
    accepted = []
    for delivery_id, answer in _post_all(ready, settings).items():
        try:
            with savepoint():
                if not record_answer(delivery_id, owner, answer, settings):
                    report.leases_lost += 1
                elif answer.ok:
                    accepted.append(delivery_id)
                else:
                    why = answer.describe()
                    retries = settings.webhook_retries
                    _failed(report, "webhooks", WebhookDelivery, delivery_id, owner, why, retries)
        except Exception:  # its lease runs out and it is sent again; the batch's other outcomes stand
            log.exception("could not record the answer to webhook delivery %s", delivery_id)
            report.unrecorded += 1
    _sent(report, "webhooks", WebhookDelivery, accepted, owner)
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

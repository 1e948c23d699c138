"""The Stripe events received: failed ones with their error and next try, and a retry by hand."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from daas.core.errors import Conflict
from daas.payments import webhooks
from daas.payments.models import EVENT_PROCESSED, EVENT_STATUSES
from daas.settings import current_settings
from daas.usecases.payments import retry_webhook_event
from daas.web.finance import blp, queries
from daas.web.finance.forms import WebhookEventFilterForm
from daas.web.pages import audience, pager


@blp.get("/webhook-events")
@audience("finance")
def webhook_events() -> Any:
    form = WebhookEventFilterForm()
    filters: dict[str, Any] = {}
    if request.args and form.validate():
        filters = {"status": form.status.data or None, "given_up": True if form.given_up.data else None}
    page = pager(25)
    rows, total = webhooks.list_events(**filters, offset=page.offset, limit=page.size)
    return render_template(
        "finance/webhook_events.html",
        form=form,
        events=rows,
        pager=page.with_total(total),
        failed=queries.failed_webhook_events(),
        retry_minutes=[
            int(delay.total_seconds()) // 60 for delay in current_settings().webhook_retries.delays
        ],
    )


@blp.post("/webhook-events/<string(maxlength=100):event_id>/retry")
@audience("finance")
def webhook_events_retry(event_id: str) -> Any:
    """One more attempt now; back to the list the button was on."""
    settings = current_settings()
    try:  # an unknown event is a NotFound: the 404 page
        event, outcome = retry_webhook_event(event_id, settings.collection, settings.webhook_retries)
    except Conflict as error:  # processed meanwhile
        flash(error.message, "error")
    else:
        flash(_retried(event, outcome), "success" if event.status == EVENT_PROCESSED else "warning")
    status = request.form.get("status")
    return redirect(url_for("finance.webhook_events", status=status if status in EVENT_STATUSES else None))


def _retried(event: Any, outcome: str) -> str:
    if event.status == EVENT_PROCESSED:
        return f"Stripe event {event.id} is processed ({outcome})."
    then = (
        "daas gave up on it; retry it again once its cause is fixed"
        if event.given_up
        else f"daas tries it again at {event.next_attempt_at:%Y-%m-%d %H:%M} UTC"
    )
    return f"Stripe event {event.id} failed again: {event.error} ({then})."

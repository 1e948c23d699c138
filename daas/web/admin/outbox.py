"""The outbox: what daas sent, what waits and what failed. A summary with the counts and a chart per day;
the events, e-mails and webhook deliveries, filtered and paged; an e-mail as it was sent (its HTML in a
sandboxed frame, never as this page's HTML) and an event with everything it became; and the buttons that
send again: resend an e-mail, replay a delivery, retry an event's fan-out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from daas.auth.roles import ADMIN
from daas.core import clock
from daas.core.errors import Conflict
from daas.customers.services import customer_names
from daas.notifications import outbox_daily, outbox_views
from daas.notifications.models import MESSAGE_STATES
from daas.notifications.outbox_entries import EVENT_STATES
from daas.notifications.policy import CATCH
from daas.outbox.event_types import EVENT_NAMES
from daas.scheduler.presence import presence
from daas.settings import current_settings
from daas.usecases import notifications as use_cases
from daas.web.admin import blp
from daas.web.admin.forms import strip
from daas.web.pages import FilterForm, add_navigation, audience, options, pager

PAGE_SIZE = 25
add_navigation(ADMIN, ("admin.outbox", "Outbox"))


def _choices(everything: str, values: Iterable[str]) -> list[SelectChoice]:
    return options([("", everything), *[(value, value.replace("_", " ")) for value in values]])


class _OutboxFilter(FilterForm):
    type = SelectField("Event type", choices=_choices("Every type", EVENT_NAMES), default="")
    customer_id = SelectField("Customer", choices=[], default="")

    def with_customers(self) -> _OutboxFilter:
        self.customer_id.choices = [
            SelectChoice("", "Every customer"),
            *[SelectChoice(str(i), name) for i, name in customer_names().items()],
        ]
        return self

    def filters(self, **names: str) -> dict[str, Any]:
        """The filters the query string sets (none when one of them is wrong: it is shown beside its field),
        as the read's keyword arguments: `names` maps a field to its argument where they differ."""
        if not request.args or not self.validate():
            return {}
        values = {field.name: field.data or None for field in self}
        if values.get("customer_id"):
            values["customer_id"] = int(values["customer_id"])
        return {names.get(name, name): value for name, value in values.items()}


class EventFilterForm(_OutboxFilter):
    state = SelectField("State", choices=_choices("Any state", EVENT_STATES), default="")


class EmailFilterForm(_OutboxFilter):
    status = SelectField("Status", choices=_choices("Any status", MESSAGE_STATES), default="")
    address = StringField("Address contains", validators=[Optional(), Length(max=254)], filters=[strip])


class DeliveryFilterForm(_OutboxFilter):
    status = SelectField("Status", choices=_choices("Any status", MESSAGE_STATES), default="")
    url = StringField("URL contains", validators=[Optional(), Length(max=2000)], filters=[strip])


def _catching() -> bool:
    return current_settings().notifications.mail.backend == CATCH


@blp.get("/outbox")
@audience(ADMIN)
def outbox() -> Any:
    daily = outbox_daily.sent_and_failed_per_day(clock.today())
    labels = [day.isoformat() for day in daily.days]
    return render_template(
        "admin/outbox.html",
        summary=outbox_views.outbox_summary(),
        charts=[
            _chart(labels, daily.emails_sent, daily.emails_failed, "e-mails"),
            _chart(labels, daily.deliveries_sent, daily.deliveries_failed, "deliveries"),
        ],
        days=len(labels),
        catching=_catching(),
        scheduler=presence(current_settings().scheduler.lease, clock.now()),
    )


def _chart(labels: list[str], sent: list[int], failed: list[int], unit: str) -> dict[str, Any]:
    return {
        "type": "bar",
        "labels": labels,
        "datasets": [
            {"label": "Sent", "data": sent, "color": "#1f6f4a"},
            {"label": "Failed", "data": failed, "color": "#9b2c2c"},
        ],
        "unit": unit,
        "integer": True,
        "stacked": True,
    }


@blp.get("/outbox/events")
@audience(ADMIN)
def outbox_events() -> Any:
    form = EventFilterForm().with_customers()
    page = pager(PAGE_SIZE)
    rows, total = outbox_views.list_events(
        **form.filters(type="event_type"), offset=page.offset, limit=page.size
    )
    return render_template(
        "admin/outbox_events.html",
        form=form,
        events=rows,
        names=customer_names({row.customer_id for row in rows if row.customer_id}),
        pager=page.with_total(total),
    )


@blp.get("/outbox/events/<int:event_id>")
@audience(ADMIN)
def outbox_events_show(event_id: int) -> Any:
    detail = outbox_views.event_detail(event_id)
    customers = {detail.event.customer_id} | {d.delivery.endpoint_customer_id for d in detail.deliveries}
    return render_template(
        "admin/outbox_event.html",
        detail=detail,
        names=customer_names({customer for customer in customers if customer}),
        catching=_catching(),
    )


@blp.post("/outbox/events/<int:event_id>/redispatch")
@audience(ADMIN)
def outbox_events_redispatch(event_id: int) -> Response:
    try:  # an unknown event is a NotFound: the 404 page
        event = use_cases.redispatch_event(event_id)
    except Conflict as error:  # fanned out without error (meanwhile, perhaps)
        flash(error.message, "error")
    else:
        flash(f"Event {event.event_id} is fanned out again at the next delivery round.", "success")
    return redirect(url_for("admin.outbox_events_show", event_id=event_id))


@blp.get("/outbox/emails")
@audience(ADMIN)
def outbox_emails() -> Any:
    form = EmailFilterForm().with_customers()
    page = pager(PAGE_SIZE)
    rows, total = outbox_views.list_emails(
        **form.filters(type="event_type"), offset=page.offset, limit=page.size
    )
    return render_template(
        "admin/outbox_emails.html",
        form=form,
        emails=rows,
        names=customer_names({row.customer_id for row in rows if row.customer_id}),
        pager=page.with_total(total),
        catching=_catching(),
    )


@blp.get("/outbox/emails/<int:email_id>")
@audience(ADMIN)
def outbox_emails_show(email_id: int) -> Any:
    email = outbox_views.email_detail(email_id)
    return render_template(
        "admin/outbox_email.html",
        email=email,
        names=customer_names({email.customer_id} if email.customer_id else set()),
        catching=_catching(),
    )


@blp.post("/outbox/emails/<int:email_id>/resend")
@audience(ADMIN)
def outbox_emails_resend(email_id: int) -> Response:
    message = use_cases.resend_email(email_id)  # an unknown e-mail is a NotFound: the 404 page
    kept = " It is kept here, not sent: DAAS_MAIL_BACKEND is catch." if _catching() else ""
    flash(
        f"The e-mail to {message.to_address} is pending again: the next delivery round sends it.{kept}",
        "success",
    )
    return _back("admin.outbox_emails", "admin.outbox_emails_show", email_id=email_id)


@blp.get("/outbox/deliveries")
@audience(ADMIN)
def outbox_deliveries() -> Any:
    form = DeliveryFilterForm().with_customers()
    page = pager(PAGE_SIZE)
    rows, total = outbox_views.list_deliveries(
        **form.filters(type="event_type"), offset=page.offset, limit=page.size
    )
    customers = {row.event.customer_id for row in rows} | {row.endpoint_customer_id for row in rows}
    return render_template(
        "admin/outbox_deliveries.html",
        form=form,
        deliveries=rows,
        names=customer_names({customer for customer in customers if customer}),
        pager=page.with_total(total),
    )


@blp.post("/outbox/deliveries/<int:delivery_id>/replay")
@audience(ADMIN)
def outbox_deliveries_replay(delivery_id: int) -> Response:
    delivery = use_cases.replay_webhook_delivery(delivery_id)  # an unknown one: the 404 page
    flash(
        f"Delivery {delivery.id} is pending again: the next delivery round posts it, with the same event id.",
        "success",
    )
    return _back("admin.outbox_deliveries", "admin.outbox_events_show", event_id=delivery.event_id)


def _back(listing: str, page: str, **page_arguments: Any) -> Response:
    """After a button: back to the list it was pressed on (with its status filter), else to `page`."""
    if request.form.get("back") != "list":
        return redirect(url_for(page, **page_arguments))
    status = request.form.get("status")
    return redirect(url_for(listing, status=status if status in MESSAGE_STATES else None))

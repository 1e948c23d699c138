"""Notifications: which e-mails the signed-in user gets, one checkbox per event type they may turn off.
What concerns money (invoices, credit notes, payments, reminders) always goes to the billing e-mail and
is only named here."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from daas.customers.services import get_customer
from daas.notifications.preferences import preferences_of
from daas.outbox.event_types import EVENT_TYPES, USER_CHOOSABLE
from daas.usecases.notification_preferences import set_notification_preferences
from daas.web.pages import add_navigation, audience, carry_out, options, principal
from daas.web.portal import blp
from daas.web.portal.common import customer_scope
from daas.web.portal.forms import MultiCheckboxField

add_navigation("customer", ("portal.notifications", "Notifications"))


class NotificationsForm(FlaskForm):
    email = MultiCheckboxField(
        "E-mail me when", choices=options((name, EVENT_TYPES[name].description) for name in USER_CHOOSABLE)
    )


@blp.route("/notifications", methods=["GET", "POST"])
@audience("customer")
def notifications() -> Any:
    user_id = principal().user_id
    form = NotificationsForm()
    if form.validate_on_submit():
        chosen = set(form.email.data or ())
        saved = carry_out(
            form,
            lambda: set_notification_preferences(user_id, {name: name in chosen for name in USER_CHOOSABLE}),
            "Your e-mail choices are saved.",
        )
        if saved is not None:
            return redirect(url_for("portal.notifications"))
    elif request.method == "GET":
        form.email.data = [name for name, email in preferences_of(user_id).items() if email]
    status = 422 if request.method == "POST" else 200
    customer = get_customer(customer_scope(), customer_scope())
    return render_template(
        "portal/notifications.html", form=form, billing_email=customer.billing_email, email=principal().email
    ), status

"""How the customer pays: the card on file, and adding one through Stripe.js (a SetupIntent confirmed in
the browser); open invoices are collected with a new card at once."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for

from daas.core.errors import DomainError
from daas.payments import cards
from daas.settings import current_settings
from daas.usecases.payments import save_card, start_card_setup
from daas.web.pages import audience
from daas.web.portal import blp
from daas.web.portal.common import customer_scope
from daas.web.portal.forms import CardForm


@blp.route("/payment-method", methods=["GET", "POST"])
@audience("customer")
def payment_method() -> Any:
    customer_id = customer_scope()
    settings = current_settings().stripe
    form = CardForm()
    if form.validate_on_submit():
        try:
            profile, report = save_card(
                customer_id, form.payment_method.data, current_settings().collection, customer_id
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            paid = f" {report.succeeded} open invoice(s) paid with it." if report.succeeded else ""
            flash(f"Your {profile.card_brand} card ending in {profile.card_last4} is saved.{paid}", "success")
        return redirect(url_for("portal.payment_method"))
    profile = cards.payment_profile(customer_id, settings, customer_id)
    client_secret = None
    if settings.enabled:
        try:
            client_secret = start_card_setup(customer_id, settings, customer_id)
        except DomainError as error:
            flash(error.message, "error")
    return render_template(
        "portal/payment_method.html",
        form=form,
        profile=profile,
        client_secret=client_secret,
        publishable_key=current_settings().stripe_publishable_key,
        stripe_js_url=current_settings().stripe_js_url,
    )

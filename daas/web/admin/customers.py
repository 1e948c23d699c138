"""Customers: a search by name, adding one (with the default payment terms) and editing one, with the
users who sign in for it."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from daas.auth.roles import ADMIN
from daas.customers import services as customer_services
from daas.settings import current_settings
from daas.usecases import customers as use_cases
from daas.web.admin import blp, form_page, queries
from daas.web.admin.forms import CustomerForm, CustomerSearchForm
from daas.web.pages import audience, carry_out, pager


@blp.get("/customers", endpoint="customers")
@audience(ADMIN)
def customers_list() -> Any:
    search = CustomerSearchForm()
    query = search.q.data if search.validate() else None
    page = pager(25)
    rows, total = queries.search_customers(query, page.offset, page.size)
    return render_template(
        "admin/customers.html", customers=rows, search=search, query=query, pager=page.with_total(total)
    )


@blp.route("/customers/new", methods=["GET", "POST"])
@audience(ADMIN)
def customers_new() -> Any:
    form = CustomerForm()
    if request.method == "GET":
        form.payment_terms_days.data = current_settings().default_payment_terms_days
    if form.validate_on_submit():
        terms = current_settings().default_payment_terms_days
        customer = carry_out(
            form,
            lambda: use_cases.create_customer(form.values(), terms),
            lambda c: f"Customer {c.name} created (number {c.id}). Add a user for it below.",
        )
        if customer is not None:
            return redirect(url_for("admin.customers_edit", customer_id=customer.id))
    return form_page("admin/customer_form.html", form=form, customer=None)


@blp.route("/customers/<int:customer_id>", methods=["GET", "POST"])
@audience(ADMIN)
def customers_edit(customer_id: int) -> Any:
    customer = customer_services.get_customer(customer_id)
    form = CustomerForm(obj=customer)
    if form.validate_on_submit():
        changes = form.values()
        changes.setdefault("payment_terms_days", customer.payment_terms_days)
        changed = carry_out(
            form,
            lambda: use_cases.update_customer(customer_id, changes),
            lambda c: f"Customer {c.name} saved.",
        )
        if changed is not None:
            return redirect(url_for("admin.customers_edit", customer_id=customer_id))
    return form_page(
        "admin/customer_form.html", form=form, customer=customer, users=queries.users_of_customer(customer_id)
    )

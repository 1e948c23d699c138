"""Customers: a search by name, adding one (with the default payment terms) and editing one, with what
its invoices say about it (billing address, registration and Peppol ids, buyer reference, language), what
it lacks for Peppol, its contracts with the references their invoices quote, and the users who sign in
for it."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from daas.auth.roles import ADMIN
from daas.contracts import services as contract_services
from daas.customers import services as customer_services
from daas.customers.rules import PEPPOL_FIELD_LABELS, missing_for_peppol
from daas.settings import current_settings
from daas.usecases import customers as use_cases
from daas.web.admin import blp, form_page, queries
from daas.web.admin.forms import CustomerForm, CustomerSearchForm
from daas.web.pages import audience, carry_out, pager

CONTRACTS_SHOWN = 50


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
        settings = current_settings()
        customer = carry_out(
            form,
            lambda: use_cases.create_customer(
                form.values(), settings.default_payment_terms_days, issuer_vat_id=settings.issuer.vat_id
            ),
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
            lambda: use_cases.update_customer(
                customer_id, changes, issuer_vat_id=current_settings().issuer.vat_id
            ),
            lambda c: f"Customer {c.name} saved.",
        )
        if changed is not None:
            return redirect(url_for("admin.customers_edit", customer_id=customer_id))
    contracts, _ = contract_services.list_contracts(customer_id, limit=CONTRACTS_SHOWN)
    return form_page(
        "admin/customer_form.html",
        form=form,
        customer=customer,
        missing_for_peppol=[PEPPOL_FIELD_LABELS[name] for name in missing_for_peppol(customer)],
        contracts=contracts,
        users=queries.users_of_customer(customer_id),
    )

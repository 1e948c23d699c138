"""People: the customer's people with their status, cost centre and the devices each has; adding and
changing a person; the CSV import, whose report (created, updated, unchanged, refused rows) is the answer
to the upload; and offboarding, which returns a person's devices or hands them to another person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import redirect, render_template, request, url_for

from daas.contracts.people_devices import devices_of_person
from daas.core.errors import DomainError, RefusedRows
from daas.people.models import PersonStatus
from daas.people.services import get_person, list_people
from daas.usecases import people as use_cases
from daas.web.pages import audience, carry_out, options, pager, principal
from daas.web.portal import blp, queries
from daas.web.portal.common import booking_window_days, customer_scope
from daas.web.portal.order_forms import (
    OFFBOARD_REASSIGN,
    OffboardForm,
    PeopleFilterForm,
    PeopleImportForm,
    PersonForm,
)

T = TypeVar("T")
# Where the services name an address's parts (`address.line1`), the form has them as fields of its own.
ADDRESS_PARTS = ("line1", "line2", "postcode", "city", "country")


def beside_fields(action: Callable[[], T]) -> Callable[[], T]:
    """`action`, with the errors the services nest under `address` named as the form's own fields, so
    `carry_out` puts each beside its box."""

    def run() -> T:
        try:
            return action()
        except DomainError as error:
            nested = (error.errors or {}).get("address")
            if isinstance(nested, dict):
                error.errors = {
                    **{name: value for name, value in error.errors.items() if name != "address"},
                    **{part if part in ADDRESS_PARTS else "line1": value for part, value in nested.items()},
                }
            raise

    return run


@blp.get("/people", endpoint="people")
@audience("customer")
def people_list() -> Any:
    form = PeopleFilterForm()
    status = form.status.data if form.validate() and form.status.data else None
    page = pager(25)
    rows, total = list_people(
        status=status, offset=page.offset, limit=page.size, customer_scope=customer_scope()
    )
    return render_template(
        "portal/people.html",
        form=form,
        people=rows,
        devices=queries.devices_of_people(person.id for person in rows),
        pager=page.with_total(total),
        filtered=status is not None,
    )


@blp.route("/people/new", methods=["GET", "POST"])
@audience("customer")
def people_new() -> Any:
    form = PersonForm()
    if form.validate_on_submit():
        person = carry_out(
            form,
            beside_fields(lambda: use_cases.create_person(customer_scope(), form.values())),
            lambda person: f"{person.name} is added (region {person.region}).",
        )
        if person is not None:
            return redirect(url_for("portal.people"))
    status = 422 if request.method == "POST" else 200
    return render_template("portal/person_form.html", form=form, person=None), status


@blp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@audience("customer")
def people_edit(person_id: int) -> Any:
    person = get_person(person_id, customer_scope())  # another customer's person: 404
    if request.method == "POST":
        form = PersonForm()
    else:
        form = PersonForm(
            formdata=None,
            data={
                "name": person.name,
                "email": person.email,
                "cost_centre": person.cost_centre or "",
                "line1": person.address_line1,
                "line2": person.address_line2 or "",
                "postcode": person.postcode,
                "city": person.city,
                "country": person.country,
                "region": person.region,
                "monthly_allowance": person.monthly_allowance,
            },
        )
    if request.method == "POST" and form.validate_on_submit():
        changed = carry_out(
            form,
            beside_fields(
                lambda: use_cases.update_person(person.id, form.values(), customer_scope=customer_scope())
            ),
            lambda changed: f"{changed.name}'s details are saved.",
        )
        if changed is not None:
            return redirect(url_for("portal.people"))
    status = 422 if request.method == "POST" else 200
    return render_template("portal/person_form.html", form=form, person=person), status


@blp.route("/people/import", methods=["GET", "POST"])
@audience("customer")
def people_import() -> Any:
    form = PeopleImportForm()
    report: dict[str, Any] | None = None
    refused: dict[str, Any] | None = None
    if form.validate_on_submit():
        data = form.file.data.read()

        def run() -> Any:
            nonlocal refused
            try:
                return use_cases.import_people(customer_scope(), data)
            except RefusedRows as error:  # the whole report, every refused row with its reasons
                refused = error.report
                raise

        done = carry_out(
            form,
            run,
            lambda r: f"Import done: {r.created} created, {r.updated} updated, {r.unchanged} unchanged.",
        )
        report = done.as_dict() if done is not None else refused
    status = 422 if request.method == "POST" and (report is None or report["refused"]) else 200
    return render_template("portal/people_import.html", form=form, report=report), status


def _offboard_page(person: Any, form: OffboardForm, status: int = 200) -> tuple[str, int]:
    others, _ = list_people(status=PersonStatus.ACTIVE, offset=0, limit=1000, customer_scope=customer_scope())
    form.to_person_id.choices = options(
        [("", "Choose a person")]
        + [(str(other.id), f"{other.name} ({other.email})") for other in others if other.id != person.id]
    )
    return (
        render_template(
            "portal/person_offboard.html", person=person, form=form, devices=devices_of_person(person.id)
        ),
        status,
    )


@blp.route("/people/<int:person_id>/offboard", methods=["GET", "POST"])
@audience("customer")
def people_offboard(person_id: int) -> Any:
    person = get_person(person_id, customer_scope())
    if request.method == "GET":
        return _offboard_page(person, OffboardForm(formdata=None))
    form = OffboardForm()
    if form.validate_on_submit():
        to_person = form.to_person_id.data
        reassign = form.action.data == OFFBOARD_REASSIGN
        done = carry_out(
            form,
            lambda: use_cases.offboard_person(
                person.id,
                form.action.data,
                int(to_person) if reassign and to_person and to_person.isdigit() else None,
                form.requested_date.data,
                principal().actor,
                customer_scope(),
                booking_window_days(),
            ),
            lambda outcome: _offboarded_message(outcome, reassign),
        )
        if done is not None:
            return redirect(url_for("portal.people"))
    return _offboard_page(person, form, 422)


def _offboarded_message(outcome: Any, reassign: bool) -> str:
    name = outcome.person.name
    if reassign:
        return f"{name} has left: {len(outcome.reassigned)} device(s) handed over."
    if not outcome.return_orders:
        return f"{name} has left; no device of theirs was to be returned."
    booked = ", ".join(
        f"#{order.id} (pickup {order.slot.date.isoformat() if order.slot else 'to be scheduled'})"
        for order in outcome.return_orders
    )
    return f"{name} is leaving: return order(s) {booked} collect their devices."

"""REST: /api/v1/people, their CSV import, their devices (and the export of who has which), offboarding.

Every role may call these: a customer user manages its own people, staff (admin, finance, logistics)
everyone's; another customer's person is a 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import abort

from daas.api.access import EVERYONE, access, current_principal
from daas.api.base import Blueprint, page_window
from daas.contracts.people_devices import devices_of_person, people_devices_rows
from daas.core.csv_cells import write_csv
from daas.core.errors import Invalid
from daas.downloads import CSV_MIMETYPE, download, file_response
from daas.people import services
from daas.people.models import Person
from daas.schemas.people import (
    CustomerQuerySchema,
    OffboardingSchema,
    OffboardSchema,
    PeopleImportReportSchema,
    PeopleImportSchema,
    PersonCreateSchema,
    PersonDetailSchema,
    PersonQuerySchema,
    PersonSchema,
    PersonUpdateSchema,
)
from daas.settings import current_settings
from daas.usecases import people as use_cases

blp = Blueprint("people", __name__, url_prefix="/api/v1/people", description="People and their devices")

DEVICES_CSV_COLUMNS = (
    "cost_centre",
    "name",
    "email",
    "serial",
    "sku",
    "model",
    "contract_reference",
    "since",
)


_PERSON_ATTRIBUTES = (
    "id",
    "customer_id",
    "name",
    "email",
    "cost_centre",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
    "country",
    "region",
    "monthly_allowance",
    "status",
    "created_at",
    "updated_at",
)


def detail_view(person: Person) -> dict[str, Any]:
    """The person with the devices serving them now."""
    return {
        **{name: getattr(person, name) for name in _PERSON_ATTRIBUTES},
        "devices": devices_of_person(person.id),
    }


@blp.route("")
class People(MethodView):
    @access(blp, *EVERYONE)
    @blp.arguments(PersonQuerySchema, location="query")
    @blp.response(200, PersonSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List people by name (a customer user sees its own)."""
        rows, pagination_parameters.item_count = services.list_people(
            args.get("customer_id"),
            args.get("status"),
            *page_window(pagination_parameters),
            customer_scope=current_principal().customer_scope,
            cost_centre=args.get("cost_centre"),
        )
        return rows

    @access(blp, *EVERYONE)
    @blp.arguments(PersonCreateSchema)
    @blp.response(201, PersonSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """Add a person (staff name `customer_id`, else 422 on it; a customer user adds its own). 409 on
        `email` when the customer already has the address, in any case."""
        customer_id = data.pop("customer_id", None)
        return use_cases.add_person(customer_id, data, current_principal().customer_scope)


def _multipart_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse a body that is not multipart/form-data (415) before the upload's fields are looked for."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.mimetype != "multipart/form-data":
            message = "Send the file as multipart/form-data, in the field `file`."
            abort(415, message=message, errors={"body": [message]})
        return view(*args, **kwargs)

    return wrapper


@blp.route("/import")
class PeopleImport(MethodView):
    @access(blp, *EVERYONE)
    @_multipart_only
    @blp.arguments(PeopleImportSchema, location="files")
    @blp.arguments(CustomerQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, PeopleImportReportSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE")
    def post(self, files: dict[str, Any], customer_id: int | None = None) -> Any:
        """Create or update people from a CSV file (multipart field `file`, columns `name,email,
        cost_centre,line1,line2,postcode,city,country,region,monthly_allowance`), matched by e-mail.

        200 `{created, updated, unchanged, refused: []}`. When any row is refused the answer is a 422
        that carries the same report beside the error fields, `refused: [{row, email, errors}]` (rows
        counted from 1 after the header), and nothing is stored. Staff name the customer as the form
        field or the query parameter `customer_id` (else 422 on it); a body that is not multipart is a 415."""
        sent = {value for value in (files.get("customer_id"), customer_id) if value is not None}
        if len(sent) > 1:
            raise Invalid.field("customer_id", "The form field and the query name different customers.")
        report = use_cases.import_people(
            next(iter(sent), None), files["file"].read(), current_principal().customer_scope
        )
        return report.as_dict()


@blp.route("/devices.csv")
class PeopleDevicesExport(MethodView):
    @access(blp, *EVERYONE)
    @blp.arguments(CustomerQuerySchema, location="query")
    @file_response(blp, CSV_MIMETYPE)
    def get(self, args: dict[str, Any]) -> Any:
        """The devices serving each person, by cost centre: cost_centre, name, email, serial, sku, model,
        contract_reference, since (a customer user's own people; staff one customer's or everyone's)."""
        rows = people_devices_rows(args.get("customer_id"), current_principal().customer_scope)
        return download(write_csv(DEVICES_CSV_COLUMNS, rows), CSV_MIMETYPE, "people-devices.csv")


@blp.route("/<id:person_id>")
class PersonById(MethodView):
    @access(blp, *EVERYONE)
    @blp.response(200, PersonDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, person_id: int) -> Any:
        """A person with the devices serving them now."""
        return detail_view(services.get_person(person_id, current_principal().customer_scope))

    @access(blp, *EVERYONE)
    @blp.arguments(PersonUpdateSchema(partial=True))
    @blp.response(200, PersonSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data: dict[str, Any], person_id: int) -> Any:
        """Change a person's details (the address's parts sent); the status changes only by offboarding."""
        return use_cases.update_person(person_id, data, current_principal().customer_scope)


@blp.route("/<id:person_id>/offboard")
class PersonOffboarding(MethodView):
    @access(blp, *EVERYONE)
    @blp.arguments(OffboardSchema)
    @blp.response(200, OffboardingSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], person_id: int) -> Any:
        """The person leaves. `return`: one `offboarding` return order per contract for their devices,
        from their address and region (the earliest pickup slot with room booked); they are `leaving`
        until the devices are picked up, then `left` (at once when they have none). `reassign`: every
        device of theirs goes to `to_person_id`, an active person of the same customer (else 422), and
        they have `left`. A person who is not active: 409."""
        principal = current_principal()
        outcome = use_cases.offboard_person(
            person_id,
            data["action"],
            data.get("to_person_id"),
            data.get("requested_date"),
            principal.actor,
            principal.customer_scope,
            current_settings().booking_window_days,
        )
        return {
            "person": outcome.person,
            "return_order_ids": [order.id for order in outcome.return_orders],
            "reassigned": [deployment.device.serial for deployment in outcome.reassigned],
        }

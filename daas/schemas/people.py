"""People payloads (orders.md "People").

- `address {line1, line2?, postcode, city, country}`: all but line2 required of a new person; a PATCH
  changes the parts it sends (`line2: null` removes it).
- `region`: for delivery and pickup slots; left out (or null on a PATCH) it is the customer's pickup
  region, and a customer without one makes it a 422 on region.
- `monthly_allowance`: money with at most 2 decimals (in the contract's currency), null for none: their
  orders then never need an approver.
- `status` is read-only: active, leaving (offboarding booked the return of their devices), left.
- `customer_id` on a create or an import: staff must name it (else a 422 on customer_id); a customer
  user's people are its own (naming another customer is a 404).
The limits are daas.people.rules', which the CSV import applies to every row too.
"""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate

from daas.people import rules
from daas.people.models import PERSON_STATUSES
from daas.schemas.fields import Code, Country, Date, DecimalString, Int, QueryId, Serial, Text

_STATUS = {"title": "PersonStatus"}
_ID = validate.Range(min=1, max=2**31 - 1)


def _email(value: str) -> None:
    if (problem := rules.email_problem(rules.normalize_email(value))) is not None:
        raise ValidationError(problem)


def Allowance(**kwargs: Any) -> DecimalString:  # noqa: N802 - reads like a field class
    return DecimalString(
        places=2,
        minimum=0,
        max_digits=14,
        allow_none=True,
        metadata={"description": "Monthly allowance (contract currency); null: never needs approval."},
        **kwargs,
    )


class AddressSchema(Schema):
    line1 = Text(required=True, max_length=rules.MAX_LINE_LENGTH)
    line2 = Text(max_length=rules.MAX_LINE_LENGTH, allow_none=True)
    postcode = Text(required=True, max_length=rules.MAX_POSTCODE_LENGTH)
    city = Text(required=True, max_length=rules.MAX_CITY_LENGTH)
    country = Country(required=True)


class AddressChangeSchema(Schema):
    """The parts of the address a PATCH changes."""

    line1 = Text(max_length=rules.MAX_LINE_LENGTH)
    line2 = Text(max_length=rules.MAX_LINE_LENGTH, allow_none=True)
    postcode = Text(max_length=rules.MAX_POSTCODE_LENGTH)
    city = Text(max_length=rules.MAX_CITY_LENGTH)
    country = Country()


class PersonCreateSchema(Schema):
    customer_id = Int(
        validate=_ID, metadata={"description": "Staff: required (else 422); a customer user: its own."}
    )
    name = Text(required=True, max_length=rules.MAX_NAME_LENGTH)
    email = fields.String(
        required=True,
        validate=_email,
        metadata={"format": "email", "maxLength": rules.MAX_EMAIL_LENGTH},
    )
    cost_centre = Text(max_length=rules.MAX_COST_CENTRE_LENGTH, allow_none=True)
    address = fields.Nested(AddressSchema, required=True)
    region = Code(
        max_length=rules.MAX_REGION_LENGTH,
        allow_none=True,
        metadata={"description": "Delivery and pickup region; the customer's pickup region if left out."},
    )
    monthly_allowance = Allowance()


class PersonUpdateSchema(Schema):
    name = Text(max_length=rules.MAX_NAME_LENGTH)
    email = fields.String(validate=_email, metadata={"format": "email", "maxLength": rules.MAX_EMAIL_LENGTH})
    cost_centre = Text(max_length=rules.MAX_COST_CENTRE_LENGTH, allow_none=True)
    address = fields.Nested(AddressChangeSchema)
    region = Code(
        max_length=rules.MAX_REGION_LENGTH,
        allow_none=True,
        metadata={"description": "null: back to the customer's pickup region."},
    )
    monthly_allowance = Allowance()


class PersonQuerySchema(Schema):
    customer_id = QueryId()
    status = fields.String(validate=validate.OneOf(PERSON_STATUSES), metadata=_STATUS)
    cost_centre = Text(max_length=rules.MAX_COST_CENTRE_LENGTH)


class CustomerQuerySchema(Schema):
    customer_id = QueryId(metadata={"description": "Staff: one customer's (all customers' if left out)."})


class PersonAddressSchema(Schema):
    line1 = fields.String(attribute="address_line1")
    line2 = fields.String(attribute="address_line2", allow_none=True)
    postcode = fields.String()
    city = fields.String()
    country = fields.String()


class _Itself(fields.Nested):
    """A nested object made of the object's own attributes (a person's address)."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return obj


class PersonSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    name = fields.String()
    email = fields.String()
    cost_centre = fields.String(allow_none=True)
    address = _Itself(PersonAddressSchema)
    region = fields.String()
    monthly_allowance = DecimalString(places=2, output_places=2, minimum=0, max_digits=14, allow_none=True)
    status = fields.String(validate=validate.OneOf(PERSON_STATUSES), metadata=_STATUS)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PersonDeviceSchema(Schema):
    serial = fields.String()
    sku = fields.String()
    model = fields.String(metadata={"description": "The device model's name."})
    status = fields.String(metadata={"description": "The device's state (deployed, return_scheduled...)."})
    contract_id = fields.Integer()
    contract_reference = fields.String()
    since = fields.Date(metadata={"description": "The deployment's first day."})


class PersonDetailSchema(PersonSchema):
    devices = fields.List(
        fields.Nested(PersonDeviceSchema), metadata={"description": "The devices serving the person now."}
    )


class PeopleImportSchema(Schema):
    file = Upload(
        required=True,
        metadata={"description": "CSV, UTF-8, header " + ",".join(rules.CSV_COLUMNS)},
    )
    customer_id = QueryId(metadata={"description": "Staff: the customer (or `?customer_id=`)."})


class PeopleImportReportSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    refused = fields.List(
        fields.Dict(),
        metadata={"description": "Always empty here; a 422 carries this report with the refused rows."},
    )


class OffboardSchema(Schema):
    action = fields.String(
        required=True, validate=validate.OneOf(("return", "reassign")), metadata={"title": "OffboardAction"}
    )
    to_person_id = Int(
        validate=_ID, metadata={"description": "reassign: an active person of the same customer."}
    )
    requested_date = Date(metadata={"description": "return: the first day to collect (today if left out)."})


class OffboardingSchema(Schema):
    person = fields.Nested(PersonSchema)
    return_order_ids = fields.List(fields.Integer())
    reassigned = fields.List(Serial(), metadata={"description": "The serials now serving the other person."})


class ReassignSchema(Schema):
    person_id = Int(required=True, validate=_ID)

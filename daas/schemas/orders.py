"""Order payloads (orders.md "Orders").

- `lines [{sku, quantity, person_id?}]`: an SKU the contract's plan bills; `person_id` an active person of
  the contract's customer.
- `address {line1, line2?, postcode, city, country}`: left out, the person's (when every line names the
  same person; otherwise it is required). `region` left out: the person's, else the customer's pickup region.
- `accept_refurbished` (default true) and `lowest_grade` (A best to D, default B) steer which devices
  serve the order: refurbished graded that well first, then new.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.catalog.models import CATEGORIES
from daas.orders.lifecycle import ORDER_STATUSES
from daas.orders.ordering import MAX_LINES, MAX_QUANTITY
from daas.orders.rules import GRADES
from daas.schemas.fields import Bool, Code, Country, Date, Int, Measure, QueryId, Text, UnitAmount
from daas.schemas.shipments import OrderShipmentSchema

_ID = validate.Range(min=1, max=2**31 - 1)
_STATUS = {"enum": list(ORDER_STATUSES), "title": "OrderStatus"}
_GRADE = {"title": "DeviceGrade"}


class OrderLineCreateSchema(Schema):
    sku = Code(required=True)
    quantity = Int(required=True, validate=validate.Range(min=1, max=MAX_QUANTITY))
    person_id = Int(validate=_ID, allow_none=True, metadata={"description": "The person the devices serve."})


class OrderAddressSchema(Schema):
    line1 = Text(required=True, max_length=200)
    line2 = Text(max_length=200, allow_none=True)
    postcode = Text(required=True, max_length=20)
    city = Text(required=True, max_length=100)
    country = Country(required=True)


class OrderCreateSchema(Schema):
    contract_id = Int(required=True, validate=_ID)
    lines = fields.List(
        fields.Nested(OrderLineCreateSchema), required=True, validate=validate.Length(min=1, max=MAX_LINES)
    )
    requested_date = Date(required=True, metadata={"description": "Deliver on or after; not in the past."})
    address = fields.Nested(
        OrderAddressSchema, metadata={"description": "Default: the address of the person every line names."}
    )
    region = Code(max_length=32, metadata={"description": "Default: the person's, else the pickup region."})
    accept_refurbished = Bool(metadata={"description": "Default true: refurbished devices first."})
    lowest_grade = fields.String(validate=validate.OneOf(GRADES), metadata=_GRADE)


class OrderLineSchema(Schema):
    sku = fields.String()
    quantity = fields.Integer()
    person_id = fields.Integer(allow_none=True)
    serials = fields.List(fields.String(), metadata={"description": "The devices allocated to the line."})


class OrderAddressViewSchema(Schema):
    line1 = fields.String()
    line2 = fields.String(allow_none=True)
    postcode = fields.String()
    city = fields.String()
    country = fields.String()


class OrderSchema(Schema):
    id = fields.Integer()
    contract_id = fields.Integer()
    customer_id = fields.Integer()
    status = fields.String(metadata=_STATUS)
    lines = fields.List(fields.Nested(OrderLineSchema))
    address = fields.Nested(OrderAddressViewSchema)
    region = fields.String()
    requested_date = fields.Date()
    accept_refurbished = fields.Boolean()
    lowest_grade = fields.String(metadata={"enum": list(GRADES), **_GRADE})
    refresh_order_id = fields.Integer(
        allow_none=True, metadata={"description": "The refresh whose replacement this order ships."}
    )
    placed_by = fields.String()
    approved_by = fields.String(
        allow_none=True, metadata={"description": "Who approved it over an allowance; null: none needed."}
    )
    approved_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    shipments = fields.List(fields.Nested(OrderShipmentSchema), metadata={"description": "Oldest first."})


class OrderQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(ORDER_STATUSES), metadata={"title": "OrderStatus"})
    contract_id = QueryId()
    customer_id = QueryId()


class CatalogItemSchema(Schema):
    sku = fields.String()
    name = fields.String()
    category = fields.String(metadata={"enum": list(CATEGORIES), "title": "DeviceCategory"})
    monthly_price = UnitAmount(metadata={"description": "What the plan bills a month for one device."})
    currency = fields.String()
    embodied_co2e_kg = Measure()
    refurbished_in_stock = fields.Integer(metadata={"description": "Lives >= 1, graded B or better."})
    new_in_stock = fields.Integer()

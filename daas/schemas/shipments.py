"""Shipments: what packing, shipping, delivering and a failed delivery take, and what a shipment shows
(delivery slots take and show what pickup slots do: daas.schemas.logistics)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.orders.lifecycle import PACKAGING_MATERIALS, SHIPMENT_STATUSES
from daas.schemas.fields import Bool, Code, Date, Int, Measure, QueryId, Serial, Text

_ID = validate.Range(min=1, max=2**31 - 1)


class PackagingSchema(Schema):
    material = fields.String(
        required=True, validate=validate.OneOf(PACKAGING_MATERIALS), metadata={"title": "PackagingMaterial"}
    )
    kg = Measure(required=True, maximum=1000)


class ShipmentCreateSchema(Schema):
    order_id = Int(required=True, validate=_ID)
    serials = fields.List(Serial(), required=True, validate=validate.Length(min=1, max=500))
    packaging = fields.List(
        fields.Nested(PackagingSchema),
        validate=validate.Length(min=1, max=len(PACKAGING_MATERIALS)),
        metadata={"description": "Single-use packaging, each material once; or give reusable_box_id."},
    )
    reusable_box_id = Code(
        max_length=64, metadata={"description": "A returnable box instead of packaging (counts 0 kg)."}
    )
    return_order_id = Int(
        validate=_ID,
        metadata={"description": "Advance exchange: the defect return order picked up after this delivery."},
    )


class ShipSchema(Schema):
    carrier = Text(required=True, max_length=100)
    tracking = Text(required=True, max_length=100)
    shipped_on = Date(metadata={"description": "The day the carrier took it (default today)."})


class DeliverSchema(Schema):
    delivered_on = Date(
        required=True,
        metadata={"description": "On or after the ship day, not after today: the first billed day."},
    )
    received_by = Text(required=True, max_length=200)


class FailSchema(Schema):
    retry = Bool(
        required=True,
        metadata={"description": "true: the devices wait for a new shipment; false: back to stock."},
    )


class ShipmentQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(SHIPMENT_STATUSES), metadata={"title": "ShipmentStatus"})
    order_id = QueryId()
    region = Code(max_length=32)
    customer_id = QueryId()


class ShipmentAddressSchema(Schema):
    """Where a shipment goes: the order's address, copied when it was packed."""

    line1 = fields.String()
    line2 = fields.String(allow_none=True)
    postcode = fields.String()
    city = fields.String()
    country = fields.String()


class PackagingViewSchema(Schema):
    material = fields.String(metadata={"enum": list(PACKAGING_MATERIALS), "title": "PackagingMaterial"})
    kg = Measure()


class ShipmentSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    customer_id = fields.Integer()
    contract_id = fields.Integer()
    status = fields.String(metadata={"enum": list(SHIPMENT_STATUSES), "title": "ShipmentStatus"})
    region = fields.String()
    address = fields.Nested(ShipmentAddressSchema)
    delivery_date = fields.Date(
        allow_none=True,
        metadata={"description": "The booked delivery slot's day (the expected date); null: no slot yet."},
    )
    serials = fields.List(fields.String())
    packaging = fields.List(fields.Nested(PackagingViewSchema))
    reusable_box_id = fields.String(allow_none=True)
    carrier = fields.String(allow_none=True)
    tracking = fields.String(allow_none=True)
    shipped_on = fields.Date(allow_none=True)
    delivered_on = fields.Date(allow_none=True)
    received_by = fields.String(allow_none=True)
    failed_on = fields.Date(allow_none=True)
    retry = fields.Boolean(allow_none=True)
    return_order_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class OrderShipmentSchema(Schema):
    """A shipment as its order lists it."""

    id = fields.Integer()
    status = fields.String(metadata={"enum": list(SHIPMENT_STATUSES), "title": "ShipmentStatus"})
    delivery_date = fields.Date(allow_none=True)
    carrier = fields.String(allow_none=True)
    tracking = fields.String(allow_none=True)

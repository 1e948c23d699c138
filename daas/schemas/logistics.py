"""Pickup slots, return orders, refresh orders, and the takeback steps of a device."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.logistics.models import REFRESH_ACTIONS, REFRESH_STATUSES, RETURN_REASONS, RETURN_STATUSES
from daas.logistics.takeback import DISPOSITIONS, NIST, NOTES_MAX_LENGTH
from daas.schemas.fields import Code, Date, Int, Measure, Serial, Text


class SlotCreateSchema(Schema):
    region = Code(required=True, max_length=32)
    date = Date(required=True)
    capacity = Int(required=True, validate=validate.Range(min=0, max=10000))


class SlotUpdateSchema(Schema):
    capacity = Int(required=True, validate=validate.Range(min=0, max=10000))


class SlotSchema(Schema):
    id = fields.Integer()
    region = fields.String()
    date = fields.Date()
    capacity = fields.Integer()
    booked = fields.Integer()


class SlotQuerySchema(Schema):
    region = Code(max_length=32)
    from_ = Date(data_key="from")
    to = Date()


class RegionQuerySchema(Schema):
    region = Code(max_length=32)
    token = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "A calendar token, for calendar apps that cannot send headers."},
    )


class ReturnOrderCreateSchema(Schema):
    contract_id = Int(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    serials = fields.List(Serial(), required=True, validate=validate.Length(min=1, max=500))
    reason = fields.String(
        required=True, validate=validate.OneOf(RETURN_REASONS), metadata={"title": "ReturnReason"}
    )
    requested_date = Date(required=True)
    region = Code(required=True, max_length=32)
    address = Text(required=True, max_length=500)


class ScheduleSchema(Schema):
    date = Date(required=True)


class PickupSchema(Schema):
    picked_up_on = Date(required=True)
    carrier = Text(max_length=100)
    tracking = Text(max_length=100)


class ReceiveSchema(Schema):
    received_on = Date(required=True)


class ReturnOrderSchema(Schema):
    id = fields.Integer()
    contract_id = fields.Integer()
    customer_id = fields.Integer()
    reason = fields.String(metadata={"enum": list(RETURN_REASONS), "title": "ReturnReason"})
    status = fields.String(metadata={"enum": list(RETURN_STATUSES), "title": "ReturnOrderStatus"})
    requested_date = fields.Date()
    pickup_date = fields.Date(
        allow_none=True, metadata={"description": "The booked slot's day; null until booked."}
    )
    region = fields.String()
    address = fields.String()
    serials = fields.List(fields.String())
    picked_up_on = fields.Date(allow_none=True)
    carrier = fields.String(allow_none=True)
    tracking = fields.String(allow_none=True)
    received_on = fields.Date(allow_none=True)
    refresh_order_id = fields.Integer(allow_none=True)


class ReturnOrderQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(RETURN_STATUSES), metadata={"title": "ReturnOrderStatus"})
    region = Code(max_length=32)
    contract_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class DateRangeQuerySchema(Schema):
    from_ = Date(data_key="from")
    to = Date()


class RefreshOrderSchema(Schema):
    id = fields.Integer()
    serial = fields.String()
    contract_id = fields.Integer()
    due_date = fields.Date()
    proposed_action = fields.String(metadata={"enum": list(REFRESH_ACTIONS), "title": "RefreshAction"})
    reason = fields.String()
    status = fields.String(metadata={"enum": list(REFRESH_STATUSES), "title": "RefreshOrderStatus"})
    action = fields.String(
        allow_none=True, metadata={"enum": list(REFRESH_ACTIONS), "title": "RefreshAction"}
    )
    replacement_sku = fields.String(allow_none=True)
    return_order_id = fields.Integer(allow_none=True)
    completed_on = fields.Date(allow_none=True)


class RefreshQuerySchema(Schema):
    status = fields.String(
        validate=validate.OneOf(REFRESH_STATUSES), metadata={"title": "RefreshOrderStatus"}
    )


class ApproveSchema(Schema):
    action = fields.String(
        required=True, validate=validate.OneOf(REFRESH_ACTIONS), metadata={"title": "RefreshAction"}
    )
    replacement_sku = Code(allow_none=True)


class RescheduleSchema(Schema):
    due_date = Date(required=True)


class CompleteSchema(Schema):
    completed_on = Date(required=True)
    extension_months = Int(validate=validate.Range(min=1, max=60), allow_none=True)
    replacement_serial = Serial(allow_none=True)
    kit = fields.String(
        validate=validate.OneOf(("battery", "storage", "memory")), metadata={"title": "UpgradeKit"}
    )


class OnSchema(Schema):
    on = Date(metadata={"description": "The day it happened (default today), for events entered late."})


class RestockSchema(OnSchema):
    """A refurbished device back in stock: only the day (the document's `Restock`, not a bare `On`)."""


class WipeSchema(OnSchema):
    method = fields.String(
        required=True,
        validate=validate.OneOf(("clear", "purge", "destroy")),
        metadata={"title": "WipeMethod"},
    )
    standard = Text(required=True, max_length=100, metadata={"example": NIST})
    tool = Text(max_length=100, allow_none=True)
    tool_version = Text(max_length=50, allow_none=True)
    technique = Text(max_length=100, allow_none=True, metadata={"example": "cryptographic erase"})
    media_type = Text(max_length=50, allow_none=True, metadata={"example": "NVMe SSD"})
    media_serial = Text(max_length=100, allow_none=True)
    verification = fields.String(
        validate=validate.OneOf(("full", "sampling")), metadata={"title": "WipeVerification"}
    )
    verified_by = Text(required=True, max_length=254)
    notes = Text(max_length=2000, allow_none=True)


class WipeCertificateSchema(Schema):
    id = fields.Integer()
    serial = fields.String()
    life = fields.Integer()
    method = fields.String()
    standard = fields.String()
    technique = fields.String(allow_none=True)
    tool = fields.String(allow_none=True)
    tool_version = fields.String(allow_none=True)
    media_type = fields.String(allow_none=True)
    media_serial = fields.String(allow_none=True)
    verification = fields.String()
    performed_by = fields.String()
    verified_by = fields.String()
    performed_on = fields.Date()
    notes = fields.String(allow_none=True)


class GradeSchema(OnSchema):
    grade = fields.String(
        required=True, validate=validate.OneOf(("A", "B", "C", "D")), metadata={"title": "DeviceGrade"}
    )
    notes = Text(
        max_length=NOTES_MAX_LENGTH,
        allow_none=True,
        metadata={
            "description": 'What the grader found ("cracked screen"): on the custody event, and in the '
            "description of the damage charge a grade C or D may propose."
        },
    )


class PartSchema(Schema):
    part = Text(required=True, max_length=100)
    weight_kg = Measure(required=True, maximum=100)


class DispositionSchema(OnSchema):
    disposition = fields.String(
        required=True, validate=validate.OneOf(DISPOSITIONS), metadata={"title": "DispositionKind"}
    )
    harvested_parts = fields.List(fields.Nested(PartSchema), validate=validate.Length(max=100))


class LostSchema(OnSchema):
    note = Text(max_length=500, allow_none=True)

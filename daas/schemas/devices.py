"""Device payloads: the device, its current contract and its chain of custody."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.devices.lifecycle import STATES
from daas.schemas.fields import Code, Date, Int, Serial


class DeviceCreateSchema(Schema):
    serial = Serial(required=True)
    sku = Code(required=True)
    manufactured_on = Date(allow_none=True)
    battery_health = Int(allow_none=True, validate=validate.Range(min=0, max=100))
    on = Date(metadata={"description": "The day the device was taken into stock (default today)."})


class DeviceUpdateSchema(Schema):
    battery_health = Int(required=True, allow_none=True, validate=validate.Range(min=0, max=100))


class CustodyEventSchema(Schema):
    seq = fields.Integer()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    occurred_on = fields.Date()
    recorded_at = fields.DateTime()
    actor = fields.String()
    contract_id = fields.Integer(allow_none=True)
    reference = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class DeviceSchema(Schema):
    id = fields.Integer()
    serial = fields.String()
    sku = fields.Function(lambda d: d["device_model"].sku)
    category = fields.Function(lambda d: d["device_model"].category)
    status = fields.String(metadata={"enum": list(STATES), "title": "DeviceStatus"})
    lives = fields.Integer(metadata={"description": "Deployments to customers so far."})
    manufactured_on = fields.Date(allow_none=True)
    battery_health = fields.Integer(allow_none=True)
    contract_id = fields.Integer(allow_none=True, metadata={"description": "The contract it is deployed on."})
    allowed_actions = fields.List(
        fields.String(),
        metadata={"description": "What may be done now: its state's actions that its wipe and grade allow."},
    )
    events = fields.List(fields.Nested(CustodyEventSchema))


class DeviceSummarySchema(Schema):
    id = fields.Integer()
    serial = fields.String()
    sku = fields.Function(lambda d: d.device_model.sku)
    status = fields.String(metadata={"enum": list(STATES), "title": "DeviceStatus"})
    lives = fields.Integer()
    battery_health = fields.Integer(allow_none=True)


class DeviceQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATES), metadata={"title": "DeviceStatus"})
    sku = Code()

"""The e-mails a customer user gets: per event type they may turn off, whether it is e-mailed."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.outbox.event_types import USER_CHOOSABLE
from daas.schemas.fields import Bool

_TYPES = ", ".join(USER_CHOOSABLE)


class EmailChoiceSchema(Schema):
    email = Bool(required=True, metadata={"description": "true: e-mail me these; false: do not."})


class NotificationPreferencesUpdateSchema(Schema):
    preferences = fields.Dict(
        required=True,
        keys=fields.String(validate=validate.Length(min=1, max=64)),
        values=fields.Nested(EmailChoiceSchema),
        metadata={
            "description": f"By event type ({_TYPES}); the types left out keep their choice. Invoices, "
            "credit notes and payments always go to the billing e-mail and cannot be chosen (422 naming "
            "the type, as for an unknown one).",
            "example": {"delivery.shipped": {"email": False}, "refresh.proposed": {"email": True}},
        },
    )


class NotificationChoiceSchema(Schema):
    email = fields.Boolean(required=True, metadata={"description": "Whether these are e-mailed."})
    description = fields.String(required=True, metadata={"description": "What the event is."})


class NotificationPreferencesSchema(Schema):
    preferences = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(NotificationChoiceSchema),
        metadata={"description": f"Every type a user may choose ({_TYPES}); without a choice, e-mailed."},
    )

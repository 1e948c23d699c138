"""The e-mails a customer user gets: for each event type they may turn off, whether it is e-mailed.

The types are the object's named properties (a dotted type is a property name, its attribute here with
an underscore), so the document lists every one; any other type is refused naming it and saying why
(unknown, or a money or staff event nobody chooses).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load

from daas.notifications.preferences import choice_problem
from daas.outbox.event_types import EVENT_TYPES, USER_CHOOSABLE
from daas.schemas.fields import Bool


def attribute_of(event_type: str) -> str:
    """`delivery.shipped` -> `delivery_shipped`: marshmallow reads dotted attributes as nested ones."""
    return event_type.replace(".", "_")


class EmailChoiceSchema(Schema):
    email = Bool(required=True, metadata={"description": "true: e-mail me these; false: do not."})


class NotificationChoiceSchema(Schema):
    email = fields.Boolean(required=True, metadata={"description": "Whether these are e-mailed."})
    description = fields.String(required=True, metadata={"description": "What the event is."})


class _ChoosableTypes(Schema):
    @pre_load
    def _only_choosable_types(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict):
            problems = {name: [problem] for name in data if (problem := choice_problem(str(name)))}
            if problems:
                raise ValidationError(problems)
        return data


def _per_type(name: str, choice: type[Schema], required: bool) -> type[Schema]:
    declared = {
        attribute_of(event_type): fields.Nested(
            choice,
            data_key=event_type,
            required=required,
            metadata={"description": EVENT_TYPES[event_type].description},
        )
        for event_type in USER_CHOOSABLE
    }
    return type(name, (_ChoosableTypes,), declared)


EmailChoicesSchema = _per_type("EmailChoicesSchema", EmailChoiceSchema, required=False)
NotificationChoicesSchema = _per_type("NotificationChoicesSchema", NotificationChoiceSchema, required=True)


class NotificationPreferencesUpdateSchema(Schema):
    preferences = fields.Nested(
        EmailChoicesSchema,
        required=True,
        metadata={
            "description": "The types to turn on or off; those left out keep their choice. Invoices, credit "
            "notes, payments and reminders always go to the billing e-mail and cannot be chosen (422 naming "
            "the type, as for an unknown one).",
            "example": {"delivery.shipped": {"email": False}, "refresh.proposed": {"email": True}},
        },
    )


class NotificationPreferencesSchema(Schema):
    preferences = fields.Nested(
        NotificationChoicesSchema,
        metadata={"description": "Every type a user may choose; without a choice of theirs, e-mailed."},
    )

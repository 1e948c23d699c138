"""One-off charge payloads (billing.md "One-off charges").

- `amount`: net, more than 0, with at most the decimals of the contract's currency (a 422 on amount
  otherwise); the contract's currency is the charge's.
- `on`: the day it is charged for, the contract's start or later; left out, today. A charge is billed on
  the invoice of the period holding that day, or the next one computed when that one is finalized.
- `idempotency_key`: unique per contract. The same key with the same kind, amount, description, day
  (when sent) and device answers 200 with the stored charge; with anything else 409.
- `device_serial`: a device deployed on the contract at some time (a 422 otherwise).
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from daas.charges import lifecycle
from daas.charges.models import DESCRIPTION_MAX_LENGTH, IDEMPOTENCY_KEY_MAX_LENGTH
from daas.idempotency.rules import KEY_PATTERN, key_problem
from daas.schemas.fields import Date, DecimalString, Money, Serial, Text

_KIND = {"title": "OneOffChargeKind"}
_STATUS = {"title": "OneOffChargeStatus"}
NOTE_MAX_LENGTH = 2000


def _key(value: str) -> None:
    """The idempotency key rule of the header (1 to 255 visible ASCII characters) for the field too."""
    if (problem := key_problem(value)) is not None:
        raise ValidationError(problem)


class OneOffChargeCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(lifecycle.KINDS), metadata=_KIND)
    amount = DecimalString(
        places=2,
        minimum=0,
        max_digits=14,
        required=True,
        metadata={"description": "Net, more than 0, in the contract's currency and its decimals."},
    )
    description = Text(required=True, max_length=DESCRIPTION_MAX_LENGTH)
    on = Date(metadata={"description": "The day it is charged for (the contract's start or later); today."})
    idempotency_key = fields.String(
        required=True,
        validate=_key,
        metadata={
            "minLength": 1,
            "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH,
            "pattern": f"^{KEY_PATTERN.pattern}$",
            "description": "Unique per contract: the same charge sent again is stored once.",
        },
    )
    device_serial = Serial(allow_none=True, metadata={"description": "A device deployed on the contract."})


class OneOffChargeNoteSchema(Schema):
    note = Text(max_length=NOTE_MAX_LENGTH, metadata={"description": "Why, for the charge's trail."})


class OneOffChargeDisputeSchema(Schema):
    reason = Text(required=True, max_length=NOTE_MAX_LENGTH)


class OneOffChargeQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(lifecycle.STATUSES), metadata=_STATUS)


class OneOffChargeEventSchema(Schema):
    from_status = fields.String(
        allow_none=True, metadata={"enum": list(lifecycle.STATUSES), **_STATUS, "description": "Null: added."}
    )
    to_status = fields.String(metadata={"enum": list(lifecycle.STATUSES), **_STATUS})
    actor = fields.String()
    note = fields.String(allow_none=True)
    at = fields.DateTime()


class OneOffChargeSchema(Schema):
    id = fields.Integer()
    contract_id = fields.Integer()
    kind = fields.String(metadata={"enum": list(lifecycle.KINDS), **_KIND})
    amount = Money(metadata={"description": "Net."})
    currency = fields.String()
    description = fields.String()
    on = fields.Date(attribute="charge_on")
    status = fields.String(metadata={"enum": list(lifecycle.STATUSES), **_STATUS})
    device_serial = fields.String(allow_none=True)
    idempotency_key = fields.String()
    invoice_id = fields.Integer(
        allow_none=True, metadata={"description": "The finalized invoice that billed it."}
    )
    invoice_number = fields.String(allow_none=True)
    credit_note_id = fields.Integer(
        allow_none=True, metadata={"description": "The credit note of a granted dispute of a billed charge."}
    )
    dispute_reason = fields.String(allow_none=True)
    decision_note = fields.String(allow_none=True, metadata={"description": "What finance said last."})
    created_by = fields.String()
    created_at = fields.DateTime()
    events = fields.List(
        fields.Nested(OneOffChargeEventSchema), metadata={"description": "Every move, oldest first."}
    )

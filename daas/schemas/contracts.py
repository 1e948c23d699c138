"""Contract and deployment payloads."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from daas.contracts import renewal, renewal_rules
from daas.contracts.plan_history import MAX_EXTENSION_MONTHS
from daas.contracts.services import REFERENCE_MAX_LENGTH
from daas.contracts.terms import STATUSES, contract_status, effective_minimum
from daas.core import clock, money
from daas.schemas.fields import Bool, Code, Date, DecimalString, Int, Money, QueryId, Serial, Text

_REFERENCE = (
    "How documents name the contract (BT-12), unique; `C-000123` from its id unless given. A reference of "
    "your own may not be `C-` and digits (those are the defaults)."
)
_PURCHASE_ORDER = "The customer's purchase order its invoices quote (BT-13); null removes it."


class ContractCreateSchema(Schema):
    customer_id = Int(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    plan_code = Code(required=True)
    start_date = Date(required=True)
    end_date = Date(
        metadata={"description": "First day no longer covered; defaults to start + the plan's term."}
    )
    minimum_monthly_amount = Money(allow_none=True, metadata={"description": "Overrides the plan's minimum."})
    reference = Code(max_length=REFERENCE_MAX_LENGTH, metadata={"description": _REFERENCE})
    purchase_order = Text(max_length=100, allow_none=True, metadata={"description": _PURCHASE_ORDER})
    renews = Bool(
        metadata={
            "description": "Extends itself by renewal_months on its end date unless turned off in time."
        }
    )
    renewal_months = Int(validate=validate.Range(min=1, max=120), metadata={"description": "Default 12."})
    renewal_notice_days = Int(
        validate=validate.Range(min=0, max=365),
        metadata={"description": "Turning renews off later than this before the end date still renews once."},
    )


class ContractUpdateSchema(Schema):
    """What documents quote of a contract, and its renewal; only what is sent changes."""

    reference = Code(max_length=REFERENCE_MAX_LENGTH, metadata={"description": _REFERENCE})
    purchase_order = Text(max_length=100, allow_none=True, metadata={"description": _PURCHASE_ORDER})
    renews = Bool(
        metadata={
            "description": "Extends itself by renewal_months on its end date unless turned off in time."
        }
    )
    renewal_months = Int(validate=validate.Range(min=1, max=120), metadata={"description": "Default 12."})
    renewal_notice_days = Int(
        validate=validate.Range(min=0, max=365),
        metadata={"description": "Turning renews off later than this before the end date still renews once."},
    )


class ContractTerminateSchema(Schema):
    end_date = Date(
        required=True,
        metadata={"description": "First day no longer covered: after the start, at most the end date."},
    )


class ContractTerminateQuerySchema(Schema):
    confirm = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true: terminate and charge (admin, finance); left out: only the preview, "
            "which changes nothing."
        },
    )


class PlanChangeSchema(Schema):
    plan_code = Code(
        required=True, metadata={"description": "The plan from `from` on, in the same currency."}
    )
    from_ = Date(
        data_key="from",
        metadata={
            "description": "First day on the plan. Default: today for an upgrade (every device monthly "
            "amount and the minimum at least the current plan's), else the 1st of the next month."
        },
    )
    minimum_monthly_amount = Money(
        allow_none=True,
        metadata={
            "description": "This plan's minimum on the contract; default the contract's own, else the plan's."
        },
    )


class ContractExtendSchema(Schema):
    months = Int(required=True, validate=validate.Range(min=1, max=MAX_EXTENSION_MONTHS))
    plan_code = Code(metadata={"description": "A plan change from the old end date."})


class ContractPlanSchema(Schema):
    plan_code = fields.Function(lambda row: row.plan.code)
    from_ = fields.Date(data_key="from", attribute="starts_on", metadata={"description": "First day on it."})
    to = fields.Date(
        attribute="ends_on",
        allow_none=True,
        metadata={"description": "First day no longer on it; null on the last."},
    )
    minimum_monthly_amount = Money(
        allow_none=True,
        metadata={
            "description": "The minimum set with this plan; null: the contract's own, else the plan's."
        },
    )


def _in_force_today(contract: Any) -> Any:
    return contract.plan_on(clock.today())


class ContractSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    plan_code = fields.Method(
        "_plan_code",
        metadata={
            "type": "string",
            "description": "The plan in force today (before the start the first, after the end the last).",
        },
    )
    plans = fields.List(
        fields.Nested(ContractPlanSchema),
        metadata={"description": "The plan history, contiguous: `to` is exclusive, null on the last."},
    )
    currency = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    minimum_monthly_amount = Money(allow_none=True)
    effective_minimum_monthly_amount = fields.Method(
        "_effective_minimum",
        allow_none=True,
        metadata={
            "type": "string",
            "description": "The minimum in force today: the one set with today's plan, the contract's own, "
            "or else the plan's.",
        },
    )
    terminated_on = fields.Date(allow_none=True)
    reference = fields.String(metadata={"description": "How documents name the contract (BT-12)."})
    purchase_order = fields.String(
        allow_none=True, metadata={"description": "Quoted on its invoices (BT-13)."}
    )
    status = fields.Function(
        lambda c: contract_status(c.end_date, c.terminated_on, clock.today()),
        metadata={"enum": list(STATUSES), "title": "ContractStatus"},
    )
    renews = fields.Boolean()
    renewal_months = fields.Integer()
    renewal_notice_days = fields.Integer()
    renewal_stopped_on = fields.Date(
        allow_none=True, metadata={"description": "The day renews was last turned off."}
    )
    will_renew = fields.Function(
        renewal.will_renew,
        metadata={
            "type": "boolean",
            "description": "Whether it extends itself on its end date (renews, or turned off too late).",
        },
    )
    notices = fields.Function(
        lambda c: [
            {"days_before": n.days_before, "due_on": n.due_on.isoformat()}
            for n in renewal_rules.notices(c.end_date)
        ],
        metadata={
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "days_before": {"type": "integer"},
                    "due_on": {"type": "string", "format": "date"},
                },
            },
            "description": "End-of-term notices: 90, 60 and 30 days before the end date.",
        },
    )
    renewals = fields.Function(
        lambda c: [
            {
                "from_end_date": r.from_end_date.isoformat(),
                "to_end_date": r.to_end_date.isoformat(),
                "months": r.months,
            }
            for r in renewal.renewals_of(c.id)
        ],
        metadata={
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "from_end_date": {"type": "string", "format": "date"},
                    "to_end_date": {"type": "string", "format": "date"},
                    "months": {"type": "integer"},
                },
            },
            "description": "Its renewals, oldest first.",
        },
    )

    def _plan_code(self, contract: Any) -> str:
        row = _in_force_today(contract)
        return (row.plan if row is not None else contract.plan).code

    def _effective_minimum(self, contract: Any) -> str | None:
        """The minimum in force today: the plan's change set one, else the contract's own, else the plan's."""
        row = _in_force_today(contract)
        plan = row.plan if row is not None else contract.plan
        own = row.minimum_monthly_amount if row is not None else None
        amount = effective_minimum(
            own if own is not None else contract.minimum_monthly_amount, plan.minimum_monthly_amount
        )
        return None if amount is None else money.format_money(amount, plan.currency)


class ContractQuerySchema(Schema):
    customer_id = QueryId()
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={"title": "ContractStatus"})


class DeployDeviceSchema(Schema):
    serial = Serial(required=True)
    start_date = Date(required=True)
    person_id = Int(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The person it serves: an active person of the contract's customer."},
    )


class ReassignDeviceSchema(Schema):
    person_id = Int(
        required=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "An active person of the contract's customer."},
    )


class EndDeploymentSchema(Schema):
    end_date = Date(
        required=True, metadata={"description": "The day the device was handed back (not billed)."}
    )


class DeploymentSchema(Schema):
    id = fields.Integer()
    contract_id = fields.Integer()
    serial = fields.Function(lambda d: d.device.serial)
    sku = fields.Function(lambda d: d.device.device_model.sku)
    start_date = fields.Date()
    end_date = fields.Date(allow_none=True)
    person_id = fields.Integer(allow_none=True)


class DeploymentQuerySchema(Schema):
    current = fields.Boolean(metadata={"description": "true: still deployed; false: ended."})


_BASES = ("minimum", "devices")


class TerminationQuoteSchema(Schema):
    """What ending a contract early costs (billing.md "Contract changes")."""

    contract_id = fields.Integer()
    end_date = fields.Date(metadata={"description": "The termination day: first day no longer covered."})
    currency = fields.String()
    remaining_months = fields.Integer(
        metadata={"description": "Whole months from end_date to the contract's end date."}
    )
    share = DecimalString(
        places=6,
        normalize=True,
        metadata={"description": "The share of the remaining commitment charged (0.5: half)."},
    )
    basis = fields.String(
        metadata={
            "enum": list(_BASES),
            "title": "TerminationBasis",
            "description": "minimum: the minimum of the plan in force the day before end_date; devices: "
            "without a minimum, the monthly amounts of the devices deployed that day.",
        }
    )
    minimum = Money(
        attribute="monthly",
        metadata={"description": "The monthly basis charged on: the minimum, or the devices' amounts."},
    )
    amount = Money(
        metadata={"description": "share × minimum × remaining_months, rounded once; 0: no charge."}
    )


class ContractTerminationSchema(ContractSchema, TerminationQuoteSchema):
    """The answer of a termination: without `confirm`, the preview's fields only; confirmed, the contract
    (terminated) with them and the charge's id."""

    charge_id = fields.Integer(
        allow_none=True,
        metadata={"description": "The early_termination charge added (pending); null when it owes nothing."},
    )

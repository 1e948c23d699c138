"""A contract's plans over time: the first plan when it is signed, plan changes from a day, extensions
(with a plan change from the old end), and the history cut back when a contract is terminated.

Changing the history starts by locking the contract's row (SELECT ... FOR UPDATE on PostgreSQL; SQLite
transactions are serial), so two changes of one contract take turns and each rewrites the history the
other left: it stays contiguous with one open row, which the database guards as well (one row per start
day, one open row, and on PostgreSQL no two rows over the same day).

Invoices are billing's, and billing sits above contracts: the use case hands down `finalized_invoice`,
billing's answer to "which finalized invoice of this contract is for the month of this day or a later
one", so that a change never alters a month that was invoiced for good.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select

from daas.catalog.models import DeviceModel
from daas.contracts import plan_changes
from daas.contracts.models import Contract, ContractPlan, Deployment
from daas.contracts.plan_changes import PlanSpan
from daas.contracts.terms import effective_minimum
from daas.core import clock, money
from daas.core.dates import LAST_DAY, add_months
from daas.core.errors import Conflict, Invalid, NotFound
from daas.devices.models import Device
from daas.extensions import db
from daas.pricing.kinds import DEVICE_MONTHLY
from daas.pricing.models import Plan
from daas.pricing.services import find_plan

# (contract id, a day) -> (number, period) of the contract's first finalized invoice for that day's month
# or a later one, or None (daas.billing.invoiced_months.finalized_invoice_from).
FinalizedInvoice = Callable[[int, date], tuple[str, str] | None]

MAX_EXTENSION_MONTHS = 120
FROM_FIELD = "from"


def start_history(contract: Contract, actor: str) -> ContractPlan:
    """A new contract's first plan: its plan from its start date, open, with the contract's own minimum
    (none of the row's own)."""
    row = ContractPlan(
        contract_id=contract.id, plan_id=contract.plan_id, starts_on=contract.start_date, created_by=actor
    )
    db.session.add(row)
    db.session.flush()
    return row


def lock_contract(contract_id: int) -> Contract:
    """The contract, its row locked until the transaction ends and read again under the lock: a change
    of its history decides on the history the previous change committed."""
    contract = db.session.scalar(
        select(Contract)
        .where(Contract.id == contract_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if contract is None:
        raise NotFound(f"No contract {contract_id}.")
    return contract


def _rows(contract_id: int) -> list[ContractPlan]:
    return list(
        db.session.scalars(
            select(ContractPlan)
            .where(ContractPlan.contract_id == contract_id)
            .order_by(ContractPlan.starts_on)
            .execution_options(populate_existing=True)
        )
    )


def _spans(rows: list[ContractPlan]) -> list[PlanSpan[int]]:
    return [PlanSpan(row.plan_id, row.starts_on, row.ends_on, row.minimum_monthly_amount) for row in rows]


def _device_charges(plan: Plan) -> list[tuple[int | None, Decimal]]:
    return [
        (charge.device_model_id, charge.unit_amount or Decimal(0))
        for charge in plan.charges
        if charge.kind == DEVICE_MONTHLY
    ]


def _minimum(span_minimum: Decimal | None, contract: Contract, plan: Plan) -> Decimal | None:
    """The minimum a span bills: its own, else the contract's, else its plan's."""
    own = span_minimum if span_minimum is not None else contract.minimum_monthly_amount
    return effective_minimum(own, plan.minimum_monthly_amount)


def _check_minimum(minimum: Decimal | None, currency: str) -> None:
    if minimum is not None and money.decimal_places(minimum) > money.exponent(currency):
        raise Invalid.field(
            "minimum_monthly_amount", f"{currency} amounts have {money.exponent(currency)} decimals."
        )


def _check_bills_deployed_devices(contract: Contract, plan: Plan, from_date: date) -> None:
    """The plan bills every device the contract has from `from_date` on (a plan with device charges for
    named models only cannot take another model, as on deploying)."""
    named = {model for model, _ in _device_charges(plan)}
    if not named or plan_changes.ANY_MODEL in named:
        return
    skus = db.session.scalars(
        select(DeviceModel.sku)
        .join(Device, Device.device_model_id == DeviceModel.id)
        .join(Deployment, Deployment.device_id == Device.id)
        .where(
            Deployment.contract_id == contract.id,
            (Deployment.end_date.is_(None)) | (Deployment.end_date > from_date),
            DeviceModel.id.not_in(named),
        )
        .distinct()
        .order_by(DeviceModel.sku)
    ).all()
    if skus:
        raise Invalid.field(
            "plan_code", f"Plan {plan.code} has no charge for {', '.join(skus)}, deployed on the contract."
        )


def _check_not_invoiced(
    contract: Contract, day: date, finalized_invoice: FinalizedInvoice, what: str
) -> None:
    found = finalized_invoice(contract.id, day)
    if found is not None:
        number, period = found
        raise Conflict(
            f"Invoice {number} of contract {contract.id} for {period} is finalized; {what} from {day} would "
            "change what it billed. Choose a day after that month (corrections are credit notes).",
            errors={FROM_FIELD: [f"Invoice {number} ({period}) is finalized."]},
        )


def _default_from(
    contract: Contract, history: list[PlanSpan[int]], plan: Plan, minimum: Decimal | None
) -> date:
    """`from` when the change names none: today for an upgrade of the plan in force today, else the 1st of
    the next month; never before the contract starts."""
    today = clock.today()
    current = plan_changes.in_force(history, max(today, contract.start_date))
    current_plan = db.session.get(Plan, current.plan)
    upgrade = plan_changes.is_upgrade(
        _device_charges(current_plan),
        _minimum(current.minimum, contract, current_plan),
        _device_charges(plan),
        _minimum(minimum, contract, plan),
    )
    return max(plan_changes.default_start(upgrade, today), contract.start_date)


def _write(contract: Contract, rows: list[ContractPlan], new: list[PlanSpan[int]], actor: str) -> None:
    """Make the stored rows say the history `new`: rows it no longer holds (or holds with another plan or
    minimum) are deleted first, ends that moved next, new rows last, so that at no moment do two rows share
    a day, a start day or the open end. `contracts.plan_id` follows the last row."""
    wanted = {span.starts_on: span for span in new}
    stale = [
        row.id
        for row in rows
        if row.starts_on not in wanted
        or (row.plan_id, row.minimum_monthly_amount)
        != (wanted[row.starts_on].plan, wanted[row.starts_on].minimum)
    ]
    if stale:
        db.session.execute(delete(ContractPlan).where(ContractPlan.id.in_(stale)))
    kept = [row for row in rows if row.id not in stale]
    for row in kept:
        row.ends_on = wanted[row.starts_on].ends_on
    db.session.flush()
    stored = {row.starts_on for row in kept}
    for span in new:
        if span.starts_on not in stored:
            db.session.add(
                ContractPlan(
                    contract_id=contract.id,
                    plan_id=span.plan,
                    starts_on=span.starts_on,
                    ends_on=span.ends_on,
                    minimum_monthly_amount=span.minimum,
                    created_by=actor,
                )
            )
    contract.plan_id = new[-1].plan
    db.session.flush()
    db.session.expire(contract, ["plans", "plan"])


def change_plan(
    contract_id: int,
    plan_code: str,
    from_date: date | None,
    minimum: Decimal | None,
    actor: str,
    finalized_invoice: FinalizedInvoice,
) -> Contract:
    """Put the contract on `plan_code` from `from_date`, with `minimum` as its minimum monthly amount (None:
    the contract's own, else the plan's).

    Without `from_date` an upgrade of the plan in force today (`plan_changes.is_upgrade`) takes effect
    today and anything else on the 1st of the next month, never before the contract starts. Refused
    (422) for a plan in another currency or unknown, the plan already in force on that day with no new
    minimum, a day outside the contract, or a plan that does not bill a device on the contract; (409)
    when an invoice of the contract for that day's month or a later one is finalized. A day in the past
    is allowed otherwise: finance may backdate a change within a month not invoiced yet; its draft is
    recomputed by the next billing run.

    The history stays contiguous: the plan in force on that day ends there, plans that were to start
    after it are superseded (a change scheduled later is dropped: this change is the latest word), and
    the new plan runs from that day with no end."""
    contract = lock_contract(contract_id)
    plan = find_plan(plan_code)
    if plan.currency != contract.plan.currency:
        raise Invalid.field(
            "plan_code", f"The plan bills in {plan.currency}; the contract bills in {contract.plan.currency}."
        )
    _check_minimum(minimum, plan.currency)
    rows = _rows(contract.id)
    history = _spans(rows)
    if from_date is None:
        from_date = _default_from(contract, history, plan, minimum)
    if not contract.start_date <= from_date < contract.end_date:
        raise Invalid.field(
            FROM_FIELD,
            f"Must fall within the contract: from {contract.start_date}, before {contract.end_date}.",
        )
    current = plan_changes.in_force(history, from_date)
    if current.plan == plan.id and minimum is None:
        raise Invalid.field(
            "plan_code",
            f"The contract is on {plan.code} on {from_date} already; name another plan or a minimum.",
        )
    _check_bills_deployed_devices(contract, plan, from_date)
    _check_not_invoiced(contract, from_date, finalized_invoice, "a plan change")
    _write(contract, rows, plan_changes.changed(history, plan.id, from_date, minimum), actor)
    return contract


def extend_contract(
    contract_id: int, months: int, plan_code: str | None, actor: str, finalized_invoice: FinalizedInvoice
) -> Contract:
    """Move the contract's end `months` later (same day of the month, clamped to the month's end), and with
    `plan_code` change its plan from the old end date. Refused (409) for a terminated contract, and when
    the days it adds fall in a month whose invoice is finalized (they could not be billed)."""
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise Invalid.field("months", f"From 1 to {MAX_EXTENSION_MONTHS}.")
    contract = lock_contract(contract_id)
    if contract.terminated_on is not None:
        raise Conflict(
            f"Contract {contract.id} was terminated on {contract.terminated_on}; it cannot be extended.",
            errors={"status": ["terminated"]},
        )
    old_end = contract.end_date
    new_end = add_months(old_end, months)
    if new_end > LAST_DAY:
        raise Invalid.field("months", f"The contract would end after {LAST_DAY}.")
    _check_not_invoiced(contract, old_end, finalized_invoice, "an extension")
    contract.end_date = new_end
    db.session.flush()
    if plan_code is not None:
        return change_plan(contract.id, plan_code, old_end, None, actor, finalized_invoice)
    return contract


def minimum_on(contract: Contract, day: date) -> Decimal | None:
    """The minimum monthly amount the contract bills on `day`, as billing bills it: that of the plan in
    force then (the change's own minimum, else the contract's, else the plan's); None without one."""
    row = contract.plan_on(day)
    if row is None:
        return _minimum(None, contract, contract.plan)
    return _minimum(row.minimum_monthly_amount, contract, row.plan)


def deployed_monthly_amount(contract: Contract, day: date) -> Decimal:
    """What the devices deployed on the contract on `day` cost a month under the plan in force then: each
    its model's device charges and the plan's device charges for every model, as rating bills a device
    (`plan_changes.monthly_amounts`); a model the plan does not bill costs 0."""
    row = contract.plan_on(day)
    amounts = plan_changes.monthly_amounts(_device_charges(row.plan if row is not None else contract.plan))
    models = db.session.scalars(
        select(Device.device_model_id)
        .join(Deployment, Deployment.device_id == Device.id)
        .where(
            Deployment.contract_id == contract.id,
            Deployment.start_date <= day,
            (Deployment.end_date.is_(None)) | (Deployment.end_date > day),
        )
    ).all()
    return sum((amounts.get(model, amounts[plan_changes.ANY_MODEL]) for model in models), plan_changes.ZERO)


def end_history(contract: Contract, end_date: date) -> None:
    """The history of a contract that now ends on `end_date` (terminated early): plans that were to start
    on or after that day are dropped and the last one left stays open (`plan_changes.until`)."""
    rows = _rows(contract.id)
    if not rows:
        return
    left = plan_changes.until(_spans(rows), end_date)
    dropped = [row.id for row in rows[len(left) :]]
    if dropped:
        db.session.execute(delete(ContractPlan).where(ContractPlan.id.in_(dropped)))
    last = rows[len(left) - 1]
    last.ends_on = None
    contract.plan_id = last.plan_id
    db.session.flush()
    db.session.expire(contract, ["plans", "plan"])

"""Computing a billing run's invoices from what it measured: the period read once (`Measurements`), each
contract rated into invoice lines and taxed (`compute_invoice`), a chunk at a time (`compute_chunk`).

It lives apart from the run's lifecycle (`daas.billing.run`) and from writing the invoices
(`daas.billing.run_write`) because it only reads: it turns the period's measurements into plain
`ComputedInvoice` values, recording instead of raising for a contract that cannot be rated, so what a
contract owes can be read without the run's leases and savepoints.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from daas.billing import charge_lines, measure
from daas.billing.models import Quantity
from daas.billing.plan_windows import PlanWindow, named_window, rate_plan_windows
from daas.billing.rating import (
    ZERO,
    ContractUsage,
    Line,
    active_days,
    device_days_between,
    late_usage_line,
    one_off_line,
    overlap_days,
)
from daas.billing.tax import decide_tax, tax_amount
from daas.contracts import plan_changes
from daas.contracts.plan_changes import PlanSpan
from daas.contracts.terms import effective_minimum
from daas.core.money import format_money
from daas.core.periods import Period
from daas.db import Money, UnitAmount

# What the invoice columns hold (exclusive bounds): a contract that would bill more cannot be invoiced.
AMOUNT_LIMIT = Decimal(10) ** (Money.precision - Money.scale)
QUANTITY_LIMIT = Decimal(10) ** (Quantity.precision - Quantity.scale)
PRICE_LIMIT = Decimal(10) ** (UnitAmount.precision - UnitAmount.scale)


@dataclass(frozen=True)
class ComputedInvoice:
    contract_id: int
    customer: measure.CustomerTerms
    currency: str
    lines: tuple[Line, ...]
    subtotal: Decimal
    tax_rate: Decimal
    tax_note: str | None
    tax_amount: Decimal
    total: Decimal


class Unbillable(ValueError):
    """A contract's invoice cannot be made from its data (it would not fit an invoice)."""


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass(frozen=True)
class LateWindow:
    """A billed quantity that may owe late usage, with the plan window it was billed in: [start, end) of
    its period, the plan of that window (None: a contract without plan history bills its own plan), and
    whether the period had several plans (then its lines name the plan)."""

    billed: measure.BilledQuantity
    plan_id: int | None
    start: date
    end: date
    several: bool


def _late_window(billed: measure.BilledQuantity, history: Sequence[PlanSpan[int]]) -> LateWindow:
    """The window of the period its quantity was billed in: the one starting on its window's first day (a
    draft computed before a later change into its month may name a day no window starts on now: then the
    window in force on that day)."""
    period = billed.period
    if not history:
        return LateWindow(billed, None, period.start, period.end, False)
    windows = plan_changes.windows(history, period.start, period.end)
    found = next((w for w in windows if w.start == billed.window_start), None) or next(
        (w for w in windows if w.start <= billed.window_start < w.end), windows[0]
    )
    return LateWindow(billed, found.span.plan, found.start, found.end, len(windows) > 1)


def contracts_to_bill(period: Period) -> list[int]:
    """The ids of the contracts a run of `period` bills, in order: those active in it, and ended ones that
    still owe late usage or pending charges (they get an invoice for this period too)."""
    owing = {billed.contract_id for billed in measure.late_usage_candidates(period)}
    owing |= set(charge_lines.pending_charges(period))
    return sorted(set(measure.ids_billed_in(period)) | owing)


class Measurements:
    """Everything a run needs to know about the period for the contracts with ids in [first, last] of
    `contracts` (None: every contract), read once; `failures` holds the contracts whose usage could not be
    read, with the reason. A run reads a chunk of contracts at a time, so its memory does not grow with
    the number of contracts; `plans` (every plan, `measure.plans`) is read once per run and passed in.

    A contract's period is split at the days its plan changed (`windows`); the usage of a contract whose
    period has several windows is read again per window, for those few contracts only, one read per set of
    window days (`window_usage`). Late usage is read per period and window it was billed in."""

    def __init__(
        self,
        period: Period,
        contracts: tuple[int, int] | None = None,
        plans: dict[int, measure.PlanTerms] | None = None,
    ) -> None:
        self.period = period
        self.failures: dict[int, str] = {}
        self.plans = measure.plans() if plans is None else plans
        self.deployments = measure.deployments_in(period, contracts)
        self.model_names = measure.device_model_names(
            {model_id for by_model in self.deployments.values() for model_id in by_model}
        )
        self.windows = {
            contract_id: plan_changes.windows(history, period.start, period.end)
            for contract_id, history in measure.plan_histories(period, contracts=contracts).items()
        }
        candidates = measure.late_usage_candidates(period, contracts)
        histories = measure.plan_histories(contract_ids={billed.contract_id for billed in candidates})
        self.late: dict[int, list[LateWindow]] = defaultdict(list)
        for billed in candidates:
            self.late[billed.contract_id].append(_late_window(billed, histories.get(billed.contract_id, [])))
        self.charges = charge_lines.pending_charges(period, contracts)
        active = measure.contracts_billed_in(period, contracts)
        active_ids = {c.id for c in active}
        # Ended contracts still owe late usage and pending charges: they get an invoice for this period.
        ended_and_owing = measure.contracts_by_id((set(self.late) | set(self.charges)) - active_ids)
        self.contracts = sorted([*active, *ended_and_owing], key=lambda c: c.id)
        self.customers = measure.customers({c.customer_id for c in self.contracts})
        self.usage = self._usage(period.start, period.end, [c.id for c in self.contracts], None, "usage")
        self.window_usage: dict[tuple[int, date], dict[int, Decimal]] = {}
        split: dict[tuple[date, date], list[int]] = defaultdict(list)
        for contract_id in sorted(active_ids):
            windows = self.windows.get(contract_id, [])
            if len(windows) > 1:
                for window in windows:
                    split[(window.start, window.end)].append(contract_id)
        for (start, end), contract_ids in sorted(split.items()):
            usage = self._usage(start, end, contract_ids, None, "usage")
            for contract_id in contract_ids:
                self.window_usage[(contract_id, start)] = usage.get(contract_id, {})
        self.late_now: dict[tuple[Period, date], dict[int, dict[int, Decimal]]] = {}
        by_window: dict[tuple[Period, date, date], list[tuple[int, int]]] = defaultdict(list)
        for late_windows in self.late.values():
            for late in late_windows:
                key = (late.billed.period, late.start, late.end)
                by_window[key].append((late.billed.contract_id, late.billed.metric_id))
        for (usage_period, start, end), pairs in sorted(by_window.items()):
            contract_ids = [contract_id for contract_id, _ in pairs]
            self.late_now[(usage_period, start)] = self._usage(start, end, contract_ids, pairs, "late usage")

    def _usage(
        self,
        start: date,
        end: date,
        contract_ids: Sequence[int],
        pairs: Sequence[tuple[int, int]] | None,
        what: str,
    ) -> dict[int, dict[int, Decimal]]:
        """The usage of events in [start, end) (a period, or one plan's days of it)."""
        usage, errors = measure.usage_of_contracts(_midnight(start), _midnight(end), contract_ids, pairs)
        whole = Period.containing(start)
        days = str(whole) if (start, end) == (whole.start, whole.end) else f"{start} to {end}"
        for contract_id, error in errors.items():
            self.failures.setdefault(contract_id, f"Its {what} of {days} could not be read: {error}")
        return usage


def _days_named(contract: measure.ContractTerms, start: date, end: date) -> tuple[date, date]:
    """The days a window's lines name: the contract's days in [start, end), else the window's own."""
    first, stop = max(start, contract.start_date), min(end, contract.end_date)
    if stop <= first:
        first, stop = start, end
    return first, stop - timedelta(days=1)


def _late_lines(m: Measurements, contract: measure.ContractTerms, currency: str, language: str) -> list[Line]:
    """Late usage of earlier periods, per metric and plan window, rated on that window's plan: what all
    of its usage rates now less what was invoiced for it."""
    lines = []
    late_windows = m.late.get(contract.id, [])
    for late in sorted(late_windows, key=lambda w: (w.billed.period, w.start, w.billed.metric_id)):
        plan = m.plans[late.plan_id if late.plan_id is not None else contract.plan_id]
        charge = next(
            (c for c in plan.charges if c.kind == "metered" and c.metric_id == late.billed.metric_id), None
        )
        if charge is None:
            continue
        billed = late.billed
        now = m.late_now.get((billed.period, late.start), {}).get(contract.id, {}).get(billed.metric_id, ZERO)
        line = late_usage_line(charge, billed.period, now, billed.quantity, currency, language=language)
        if line is None:
            continue
        if late.several:
            first, last = _days_named(contract, late.start, late.end)
            line = named_window(line, plan.code, late.start, first, last, language)
        lines.append(line)
    return lines


def _plan_window(
    m: Measurements, contract: measure.ContractTerms, window: plan_changes.PlanWindow[int], several: bool
) -> PlanWindow:
    """What one plan's days of the period bill: that plan's charges and minimum (the change's, else the
    contract's, else the plan's) and the contract's days, device-days and usage within them. On one plan
    the window is the whole period, measured as a period always was."""
    plan = m.plans[window.span.plan]
    own = window.span.minimum if window.span.minimum is not None else contract.minimum
    first, last = _days_named(contract, window.start, window.end)
    quantities = (
        m.window_usage.get((contract.id, window.start), {}) if several else m.usage.get(contract.id, {})
    )
    return PlanWindow(
        plan_code=plan.code,
        start=window.start,
        end=window.end,
        charges=plan.charges,
        minimum=effective_minimum(own, plan.minimum),
        usage=ContractUsage(
            active_days=overlap_days(contract.start_date, contract.end_date, window.start, window.end),
            device_days_by_model={
                model_id: device_days_between(
                    deployments, contract.start_date, contract.end_date, window.start, window.end
                )
                for model_id, deployments in m.deployments.get(contract.id, {}).items()
            },
            quantities=quantities,
        ),
        first_day=first,
        last_day=last,
    )


def compute_invoice(
    m: Measurements, contract: measure.ContractTerms, issuer_country: str
) -> ComputedInvoice | None:
    """One contract's invoice for the period, or None when it owes nothing at all this period. A period
    with several plans is rated window by window (`plan_windows.rate_plan_windows`)."""
    period = m.period
    windows = m.windows.get(contract.id) or [
        plan_changes.PlanWindow(
            plan_changes.PlanSpan(contract.plan_id, contract.start_date), period.start, period.end
        )
    ]
    plan = m.plans[windows[0].span.plan]  # a contract's plans all bill in its currency
    customer = m.customers[contract.customer_id]
    days = active_days(contract.start_date, contract.end_date, period)
    lines: list[Line] = []
    if days > 0:
        several = len(windows) > 1
        lines = rate_plan_windows(
            [_plan_window(m, contract, window, several) for window in windows],
            period,
            plan.currency,
            language=customer.language,
            model_names=m.model_names,
        )
    lines += _late_lines(m, contract, plan.currency, customer.language)
    # After each plan's true-up, which rating computed from the plan's lines alone: outside the minimum.
    lines += [one_off_line(c.id, c.description, c.amount) for c in m.charges.get(contract.id, [])]
    if days <= 0 and not lines:
        return None
    subtotal = sum((line.amount for line in lines), ZERO)
    tax = decide_tax(issuer_country, customer.country, customer.vat_id, period.end - timedelta(days=1))
    tax_due = tax_amount(subtotal, tax.rate, plan.currency)
    _check_fits(lines, subtotal + tax_due, plan.currency)
    return ComputedInvoice(
        contract_id=contract.id,
        customer=customer,
        currency=plan.currency,
        lines=tuple(lines),
        subtotal=subtotal,
        tax_rate=tax.rate,
        tax_note=tax.note,
        tax_amount=tax_due,
        total=subtotal + tax_due,
    )


def _check_fits(lines: Sequence[Line], total: Decimal, currency: str) -> None:
    """Refuse an invoice whose amounts or quantities are beyond what its columns hold: the database would
    refuse the chunk's statement, and the message says which line it is."""
    limit = format_money(AMOUNT_LIMIT, currency)
    for line in lines:
        if abs(line.amount) >= AMOUNT_LIMIT:
            raise Unbillable(
                f"“{line.description}” comes to {format_money(line.amount, currency)} {currency}; an "
                f"invoice holds amounts below {limit} {currency}."
            )
        for quantity in (line.quantity, line.usage_quantity, line.base_quantity):
            if quantity is not None and abs(quantity) >= QUANTITY_LIMIT:
                raise Unbillable(
                    f"“{line.description}” has a quantity of {quantity:f}; an invoice line holds "
                    f"quantities below {QUANTITY_LIMIT:f}."
                )
        if line.price is not None and line.price >= PRICE_LIMIT:
            raise Unbillable(
                f"“{line.description}” has a price of {format_money(line.price, currency)} {currency}; an "
                f"invoice line holds prices below {format_money(PRICE_LIMIT, currency)} {currency}."
            )
    if abs(total) >= AMOUNT_LIMIT:
        raise Unbillable(
            f"The invoice comes to {format_money(total, currency)} {currency}; an invoice holds amounts "
            f"below {limit} {currency}."
        )


def _describe(error: Exception) -> str:
    return str(error) if isinstance(error, Unbillable) else f"{type(error).__name__}: {error}"


def compute_chunk(
    m: Measurements, chunk: Sequence[measure.ContractTerms], issuer_country: str
) -> tuple[list[ComputedInvoice], dict[int, str]]:
    """The chunk's invoices, and the contracts that could not be measured or rated, with the reason."""
    computed: list[ComputedInvoice] = []
    failed: dict[int, str] = {}
    for contract in chunk:
        if contract.id in m.failures:
            failed[contract.id] = m.failures[contract.id]
            continue
        try:
            invoice = compute_invoice(m, contract, issuer_country)
        except Exception as error:  # one contract's data must not stop the run: it is recorded
            failed[contract.id] = f"It could not be rated: {_describe(error)}"[:2000]
            continue
        if invoice is not None:
            computed.append(invoice)
    return computed, failed

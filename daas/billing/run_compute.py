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
from datetime import timedelta
from decimal import Decimal

from daas.billing import charge_lines, measure
from daas.billing.models import Quantity
from daas.billing.rating import (
    ZERO,
    Charge,
    ContractUsage,
    Line,
    active_days,
    device_days,
    late_usage_line,
    one_off_line,
    rate_contract,
)
from daas.billing.tax import decide_tax, tax_amount
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


class Measurements:
    """Everything a run needs to know about the period, read once; `failures` holds the contracts whose
    usage could not be read, with the reason."""

    def __init__(self, period: Period) -> None:
        self.period = period
        self.failures: dict[int, str] = {}
        self.plans = measure.plans()
        self.deployments = measure.deployments_in(period)
        self.model_names = measure.device_model_names(
            {model_id for by_model in self.deployments.values() for model_id in by_model}
        )
        self.late: dict[int, list[measure.BilledQuantity]] = defaultdict(list)
        for billed in measure.late_usage_candidates(period):
            self.late[billed.contract_id].append(billed)
        self.charges = charge_lines.pending_charges(period)
        active = measure.contracts_billed_in(period)
        active_ids = {c.id for c in active}
        # Ended contracts still owe late usage and pending charges: they get an invoice for this period.
        ended_and_owing = measure.contracts_by_id((set(self.late) | set(self.charges)) - active_ids)
        self.contracts = sorted([*active, *ended_and_owing], key=lambda c: c.id)
        self.customers = measure.customers({c.customer_id for c in self.contracts})
        self.usage = self._usage(period, [c.id for c in self.contracts], None, "usage")
        self.late_now: dict[Period, dict[int, dict[int, Decimal]]] = {}
        by_period: dict[Period, list[tuple[int, int]]] = defaultdict(list)
        for candidates in self.late.values():
            for billed in candidates:
                by_period[billed.period].append((billed.contract_id, billed.metric_id))
        for usage_period, pairs in sorted(by_period.items()):
            contract_ids = [contract_id for contract_id, _ in pairs]
            self.late_now[usage_period] = self._usage(usage_period, contract_ids, pairs, "late usage")

    def _usage(
        self, period: Period, contract_ids: Sequence[int], pairs: Sequence[tuple[int, int]] | None, what: str
    ) -> dict[int, dict[int, Decimal]]:
        usage, errors = measure.usage_of_contracts(period.starts_at, period.ends_at, contract_ids, pairs)
        for contract_id, error in errors.items():
            self.failures.setdefault(contract_id, f"Its {what} of {period} could not be read: {error}")
        return usage


def _late_lines(
    m: Measurements, contract_id: int, charges: Sequence[Charge], currency: str, language: str
) -> list[Line]:
    by_metric = {c.metric_id: c for c in charges if c.kind == "metered"}
    lines = []
    for billed in sorted(m.late.get(contract_id, []), key=lambda b: (b.period, b.metric_id)):
        charge = by_metric.get(billed.metric_id)
        if charge is None:
            continue
        now = m.late_now.get(billed.period, {}).get(contract_id, {}).get(billed.metric_id, ZERO)
        line = late_usage_line(charge, billed.period, now, billed.quantity, currency, language=language)
        if line is not None:
            lines.append(line)
    return lines


def compute_invoice(
    m: Measurements, contract: measure.ContractTerms, issuer_country: str
) -> ComputedInvoice | None:
    """One contract's invoice for the period, or None when it owes nothing at all this period."""
    period = m.period
    plan = m.plans[contract.plan_id]
    customer = m.customers[contract.customer_id]
    days = active_days(contract.start_date, contract.end_date, period)
    lines: list[Line] = []
    if days > 0:
        usage = ContractUsage(
            active_days=days,
            device_days_by_model={
                model_id: device_days(deployments, contract.start_date, contract.end_date, period)
                for model_id, deployments in m.deployments.get(contract.id, {}).items()
            },
            quantities=m.usage.get(contract.id, {}),
        )
        minimum = effective_minimum(contract.minimum, plan.minimum)
        lines = rate_contract(
            plan.charges,
            usage,
            minimum,
            period,
            plan.currency,
            language=customer.language,
            model_names=m.model_names,
        )
    lines += _late_lines(m, contract.id, plan.charges, plan.currency, customer.language)
    # After the true-up, which rate_contract computed from the plan's lines alone: outside the minimum.
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

"""The billing run's fast path (usage aggregated by the database for the whole period, contracts rated a
chunk at a time with the lines it already wrote kept, invoices and lines written in bulk) bills exactly
what the reference gives: each contract's events aggregated one by one in Python
(`daas.billing.aggregation`) and rated alone (`daas.billing.rating.rate_contract`), on random plans,
deployments and usage, to the cent and to the words of every line."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from daas.billing import measure, rating
from daas.billing.aggregation import UsageRecord, aggregate
from daas.billing.models import Invoice, InvoiceLine
from daas.billing.tax import decide_tax, tax_amount
from daas.extensions import db
from tests import factories
from tests.billing_helpers import OCTOBER, bill, deploy, issuer, usage

AGGREGATIONS = (("count", None), ("sum", None), ("max", None), ("unique_count", "user"))


def _amount(rng: random.Random, currency: str, high: int) -> Decimal:
    places = 0 if currency == "JPY" else 2
    return Decimal(rng.randint(0, high * 10**places)).scaleb(-places)


def _metered_charge(rng: random.Random, metric, currency: str) -> dict:
    model = rng.choice(("per_unit", "graduated", "volume", "package"))
    charge = {"kind": "metered", "metric": metric.code, "model": model}
    if model in ("per_unit", "package"):
        charge["unit_amount"] = _amount(rng, currency, 60)
        if model == "package":
            charge["package_size"] = rng.choice((5, 10, 25))
        return charge
    bounds = sorted(rng.sample(range(1, 40), rng.randint(1, 3)))
    charge["tiers"] = [
        {
            "up_to": Decimal(bound) if bound is not None else None,
            "unit_amount": _amount(rng, currency, 20),
            "flat_amount": _amount(rng, currency, 30) if rng.random() < 0.3 else Decimal(0),
        }
        for bound in [*bounds, None]
    ]
    return charge


def _random_plan(rng: random.Random, metrics: list, currency: str):
    charges = [{"kind": "device_monthly", "unit_amount": _amount(rng, currency, 90)}]
    charges += [_metered_charge(rng, metric, currency) for metric in rng.sample(metrics, rng.randint(1, 4))]
    minimum = _amount(rng, currency, 400) if rng.random() < 0.4 else None
    return factories.plan(currency=currency, charges=charges, minimum_monthly_amount=minimum)


def _moment(rng: random.Random) -> datetime:
    """Mostly in October, sometimes just before or after it (events that October must not count)."""
    start = datetime(2026, 9, 28, tzinfo=UTC)
    return start + timedelta(seconds=rng.randrange(int(timedelta(days=38).total_seconds())))


def _quantity(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(0, 5000)).scaleb(-rng.choice((0, 1, 2, 3)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_run_bills_what_the_reference_rating_gives_on_random_data(database, seed):
    rng = random.Random(seed)
    metrics = [
        factories.metric(aggregation=aggregation, field=field, code=factories.unique(aggregation))
        for aggregation, field in AGGREGATIONS
    ]
    customers = {
        currency: factories.customer(currency=currency, country=country)
        for currency, country in (("EUR", "NL"), ("EUR", "DE"), ("JPY", "JP"))
    }
    plans = {
        currency: [_random_plan(rng, metrics, currency) for _ in range(3)] for currency in ("EUR", "JPY")
    }
    skus = [factories.device_model(name=name).sku for name in ("Latitude 5430", "EliteBook 840", "P24h")]

    events: dict[int, list[tuple[int, datetime, Decimal, dict | None]]] = {}
    contracts = []
    for _ in range(14):
        customer = rng.choice(list(customers.values()))
        plan = rng.choice(plans[customer.currency])
        start = date(2026, rng.choice((1, 10)), rng.choice((1, 1, 15)))
        contract = factories.contract(customer_id=customer.id, plan_code=plan.code, start_date=start)
        contracts.append(contract)
        for _ in range(rng.randint(0, 4)):
            first = date(2026, rng.choice((9, 10)), rng.randint(1, 28))
            first = max(first, start)
            last = first + timedelta(days=rng.randint(1, 40)) if rng.random() < 0.3 else None
            deploy(contract, first, last, sku=rng.choice(skus))
        events[contract.id] = []
        for _ in range(rng.randint(0, 30)):
            metric = rng.choice(metrics)
            moment, quantity = _moment(rng), _quantity(rng)
            properties = {"user": f"u{rng.randint(1, 6)}"} if metric.field else None
            usage(contract, metric, moment, quantity=quantity, **(properties or {}))
            events[contract.id].append((metric.id, moment, quantity, properties))

    run = bill(chunk_size=4)
    assert run.status == "completed"

    rating.metered_lines.cache_clear()
    rating.device_line.cache_clear()
    plan_terms = measure.plans()
    deployments = measure.deployments_in(OCTOBER)
    names = measure.device_model_names({m for by_model in deployments.values() for m in by_model})
    fields = {metric.id: (metric.aggregation, metric.field) for metric in metrics}
    for contract in contracts:
        db.session.refresh(contract)
        customer = next(c for c in customers.values() if c.id == contract.customer_id)
        terms = plan_terms[contract.plan_id]
        in_october = [e for e in events[contract.id] if OCTOBER.starts_at <= e[1] < OCTOBER.ends_at]
        quantities = {}
        for metric_id, (aggregation, field) in fields.items():
            records = [UsageRecord(q, p) for m, _, q, p in in_october if m == metric_id]
            if records:
                quantities[metric_id] = aggregate(aggregation, records, field)
        by_model = deployments.get(contract.id, {})
        expected = rating.rate_contract(
            terms.charges,
            rating.ContractUsage(
                active_days=rating.active_days(contract.start_date, contract.end_date, OCTOBER),
                device_days_by_model={
                    model: rating.device_days(spans, contract.start_date, contract.end_date, OCTOBER)
                    for model, spans in by_model.items()
                },
                quantities=quantities,
            ),
            terms.minimum,
            OCTOBER,
            terms.currency,
            language=measure.customers([customer.id])[customer.id].language,
            model_names=names,
        )
        invoice = db.session.scalar(
            select(Invoice).where(Invoice.contract_id == contract.id, Invoice.period == OCTOBER.name)
        )
        db.session.refresh(invoice)
        written = db.session.scalars(
            select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id).order_by(InvoiceLine.position)
        ).all()
        assert [
            (w.kind, w.description, w.quantity, w.price, w.base_quantity, w.amount, w.usage_quantity)
            for w in written
        ] == [
            (e.kind, e.description, e.quantity, e.price, e.base_quantity, e.amount, e.usage_quantity)
            for e in expected
        ], f"contract {contract.id}"
        subtotal = sum((line.amount for line in expected), Decimal(0))
        tax = decide_tax(issuer().country, customer.country, customer.vat_id, OCTOBER.end - timedelta(days=1))
        assert (invoice.subtotal, invoice.total) == (
            subtotal,
            subtotal + tax_amount(subtotal, tax.rate, terms.currency),
        )

"""The billing run and the invoice lifecycle, through the services, on SQLite and PostgreSQL: the edge
cases of billing.md, late usage, taxes, numbering, voids and credit notes, and frozen invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from daas.billing import credit_notes
from daas.billing import invoices as service
from daas.billing.models import BilledUsage, Invoice
from daas.contracts.services import terminate_contract
from daas.core import clock
from daas.core.errors import Conflict, Invalid
from daas.core.money import format_money
from daas.core.periods import Period
from daas.extensions import db
from tests import factories
from tests.billing_helpers import (
    NOVEMBER,
    OCTOBER,
    at,
    bill,
    deploy,
    documents,
    issuer,
    usage,
    worked_example_plan,
)


def _invoice(contract, period: Period = OCTOBER) -> Invoice:
    invoice = db.session.scalar(
        select(Invoice).where(Invoice.contract_id == contract.id, Invoice.period == period.name)
    )
    db.session.refresh(invoice)
    return invoice


def _lines(invoice: Invoice) -> list[tuple[str, str | None, str]]:
    return [
        (
            line.kind,
            None if line.quantity is None else f"{line.quantity.normalize():f}",
            format_money(line.amount, invoice.currency),
        )
        for line in invoice.lines
    ]


@pytest.fixture
def plan(database, today):
    return worked_example_plan()


# -- days ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "period", "days"),
    [
        (date(2026, 1, 29), "2026-01", 3),
        (date(2026, 1, 30), "2026-01", 2),
        (date(2026, 1, 31), "2026-01", 1),
        (date(2026, 1, 31), "2026-02", 28),  # common February: every day
        (date(2028, 1, 31), "2028-02", 29),  # leap February: every day
    ],
)
def test_contracts_starting_late_in_the_month_bill_their_days(plan, start, period, days):
    plan_, _, _ = plan
    contract = factories.contract(plan_code=plan_.code, start_date=start)
    with clock.frozen(date(2028, 6, 1)):
        deploy(contract, start)
        bill(Period.parse(period))
    invoice = _invoice(contract, Period.parse(period))
    device = invoice.lines[0]
    assert (device.kind, device.quantity) == ("device_monthly", Decimal(days))
    month_days = Period.parse(period).days
    expected_device = (Decimal("39.00") * days / month_days).quantize(
        Decimal("0.01"), rounding="ROUND_HALF_UP"
    )
    assert device.amount == expected_device
    true_up = invoice.lines[-1]
    minimum = (Decimal("500.00") * days / month_days).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert true_up.kind == "minimum_true_up" and true_up.amount == minimum - expected_device
    assert invoice.subtotal == minimum


def test_a_contract_of_one_month_from_january_31_ends_on_the_last_of_february(plan):
    plan_, _, _ = plan
    contract = factories.contract(
        plan_code=plan_.code, start_date=date(2028, 1, 31), end_date=date(2028, 2, 29)
    )
    with clock.frozen(date(2028, 6, 1)):
        bill(Period.parse("2028-02"))
    true_up = _invoice(contract, Period.parse("2028-02")).lines[-1]
    # The customer is Dutch (NL): its lines are written in Dutch.
    assert true_up.description.startswith("Minimumafname 482,76 voor februari 2028 (28 van 29 dagen)")


def test_each_device_model_has_its_own_line_named_in_the_customers_language(database, today):
    plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("44.00")}])
    laptop = factories.device_model(manufacturer="Dell", name="Latitude 5440")
    monitor = factories.device_model(manufacturer="Dell", name="P2425H", category="monitor")
    customer = factories.customer(country="DE")  # German, the default of its country
    contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
    for _ in range(8):
        deploy(contract, date(2026, 9, 1), sku=laptop.sku)  # 8 × 31 = 248 days
    deploy(contract, date(2026, 10, 22), sku=monitor.sku)  # 10 days
    bill()
    invoice = _invoice(contract)
    # documents.md: `248 DAY × 44.00 / 31 = 352.00`, one line per model though the charge covers both.
    assert [
        (line.description, line.quantity, line.unit_code, line.price, line.base_quantity, line.amount)
        for line in invoice.lines
    ] == [
        (
            "Dell Latitude 5440: 248 Gerätetage im Oktober 2026",
            248,
            "DAY",
            Decimal(44),
            31,
            Decimal("352.00"),
        ),
        ("Dell P2425H: 10 Gerätetage im Oktober 2026", 10, "DAY", Decimal(44), 31, Decimal("14.19")),
    ]
    assert invoice.subtotal == Decimal("366.19")

    # A language the customer chose wins over its country's; models that share a name show their SKU.
    first = factories.device_model(manufacturer="HP", name="EliteBook 840")
    second = factories.device_model(manufacturer="HP", name="HP EliteBook 840")  # the maker is not repeated
    chose = factories.customer(country="NL", document_language="fr")
    other = factories.contract(chose.id, plan.code, date(2026, 1, 1))
    deploy(other, date(2026, 10, 1), sku=first.sku)
    deploy(other, date(2026, 10, 1), sku=second.sku)
    bill()
    assert sorted(line.description for line in _invoice(other).lines) == sorted(
        f"HP EliteBook 840 ({model.sku})\u00a0: 31 jours-appareil en octobre 2026"
        for model in (first, second)
    )


def test_a_device_returned_the_day_it_came_is_not_billed(plan):
    plan_, _, _ = plan
    contract = factories.contract(plan_code=plan_.code, start_date=date(2026, 1, 1))
    deploy(contract, date(2026, 10, 12), end=date(2026, 10, 12))
    bill()
    assert [kind for kind, _, _ in _lines(_invoice(contract))] == ["metered", "metered", "minimum_true_up"]


def test_a_contract_ending_mid_month_prorates_its_minimum(plan):
    plan_, _, _ = plan
    contract = factories.contract(plan_code=plan_.code, start_date=date(2026, 1, 1))
    device = deploy(contract, date(2026, 2, 1), end=date(2026, 10, 10))
    assert device.status == "received"
    terminate_contract(contract.id, date(2026, 10, 16))
    bill()
    assert _lines(_invoice(contract)) == [
        ("device_monthly", "9", "11.32"),  # 39.00 × 9 / 31 = 11.322…
        ("metered", "0", "0.00"),
        ("metered", "0", "0.00"),
        ("minimum_true_up", "1", "230.62"),  # 500.00 × 15 / 31 = 241.94, less 11.32
    ]
    assert _invoice(contract).subtotal == Decimal("241.94")


def test_a_month_without_usage_bills_devices_and_the_minimum(plan):
    plan_, _, _ = plan
    contract = factories.contract(plan_code=plan_.code, start_date=date(2026, 1, 1))
    deploy(contract, date(2026, 3, 1))
    bill()
    assert _lines(_invoice(contract)) == [
        ("device_monthly", "31", "39.00"),
        ("metered", "0", "0.00"),
        ("metered", "0", "0.00"),
        ("minimum_true_up", "1", "461.00"),
    ]


def test_contracts_not_active_in_the_period_get_no_invoice(plan):
    plan_, _, _ = plan
    later = factories.contract(plan_code=plan_.code, start_date=date(2026, 11, 1))
    earlier = factories.contract(
        plan_code=plan_.code, start_date=date(2025, 1, 1), end_date=date(2026, 10, 1)
    )
    run = bill()
    assert run.contracts == 0
    assert (
        db.session.scalar(select(Invoice.id).where(Invoice.contract_id.in_([later.id, earlier.id]))) is None
    )


# -- late usage ---------------------------------------------------------------------------------------


def test_late_usage_is_billed_next_month_as_a_difference_that_respects_tiers(plan):
    plan_, tickets, _ = plan
    contract = factories.contract(plan_code=plan_.code, start_date=date(2026, 1, 1))
    usage(contract, tickets, *[at(2026, 10, day) for day in range(1, 9)])  # 8 tickets: all in the free tier
    run = bill(OCTOBER)
    service.finalize_run(run.id, documents())
    october = _invoice(contract)
    assert [line.amount for line in october.lines if line.metric == tickets.code] == [Decimal("0.00")]
    assert (
        db.session.scalar(
            select(BilledUsage.quantity).where(
                BilledUsage.contract_id == contract.id, BilledUsage.metric_id == tickets.id
            )
        )
        == 8
    )

    usage(contract, tickets, *[at(2026, 10, 20)] * 5)  # 5 more October tickets arrive in November
    with clock.frozen(date(2026, 12, 2)):
        bill(NOVEMBER)
    november = _invoice(contract, NOVEMBER)
    late = [line for line in november.lines if line.kind == "late_usage"]
    assert [(line.description, line.quantity, line.amount) for line in late] == [
        # 13 − 10 free = 3 × 15.00: one unit at that amount, named by its month and metric, in Dutch
        (f"Nagekomen verbruik oktober 2026: {tickets.name}", Decimal(1), Decimal("45.00"))
    ]
    assert [(line.metric, line.usage_period, line.usage_quantity) for line in late] == [
        (tickets.code, "2026-10", Decimal(13))
    ]
    assert october.total == _invoice(contract).total  # the finalized invoice did not change
    # Late usage is not a charge of November: the minimum true-up ignores it.
    true_up = next(line for line in november.lines if line.kind == "minimum_true_up")
    charges = sum(line.amount for line in november.lines if line.kind in ("device_monthly", "metered"))
    assert true_up.amount == Decimal("500.00") - charges

    service.finalize_run(
        db.session.scalar(select(Invoice.billing_run_id).where(Invoice.id == november.id)), documents()
    )
    with clock.frozen(date(2027, 1, 2)):
        bill(Period.parse("2026-12"))
    december = _invoice(contract, Period.parse("2026-12"))
    assert [line for line in december.lines if line.kind == "late_usage"] == []  # billed once


def test_usage_arriving_before_finalization_is_in_the_recomputed_draft(plan):
    plan_, tickets, _ = plan
    contract = factories.contract(plan_code=plan_.code, start_date=date(2026, 1, 1))
    usage(contract, tickets, *[at(2026, 10, 3)] * 12)
    bill()
    usage(contract, tickets, at(2026, 10, 30))
    bill()
    lines = [line for line in _invoice(contract).lines if line.metric == tickets.code]
    assert [(line.quantity, line.amount) for line in lines] == [  # the free tier and the paid one
        (Decimal(10), Decimal("0.00")),
        (Decimal(3), Decimal("45.00")),
    ]
    assert [line.usage_quantity for line in lines] == [Decimal(13), None]


# -- taxes and currencies -----------------------------------------------------------------------------


def test_taxes_follow_the_customers_country_and_vat_id(plan):
    plan_, _, _ = plan
    cases = {
        "NL": (factories.customer(country="NL"), Decimal("0.21"), None),
        "DE with VAT id": (
            factories.customer(country="DE", vat_id="DE136695976"),
            Decimal(0),
            "VAT reverse charged (Article 196, Council Directive 2006/112/EC)",
        ),
        "DE without": (factories.customer(country="DE"), Decimal("0.21"), None),
        "US": (factories.customer(country="US", currency="EUR"), Decimal(0), "Outside the scope of EU VAT"),
    }
    contracts = {
        name: factories.contract(customer.id, plan_.code, date(2026, 1, 1))
        for name, (customer, _, _) in cases.items()
    }
    bill()
    for name, (_, rate, note) in cases.items():
        invoice = _invoice(contracts[name])
        assert (invoice.tax_rate, invoice.tax_note) == (rate, note), name
        assert invoice.tax_amount == (invoice.subtotal * rate).quantize(
            Decimal("0.01"), rounding="ROUND_HALF_UP"
        )
        assert invoice.total == invoice.subtotal + invoice.tax_amount


def test_yen_has_no_decimals(database, today):
    plan = factories.plan(
        currency="JPY",
        minimum_monthly_amount=Decimal(50000),
        charges=[{"kind": "device_monthly", "unit_amount": Decimal(4200)}],
    )
    customer = factories.customer(country="JP", currency="JPY")
    contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
    deploy(contract, date(2026, 10, 10))
    bill()
    invoice = _invoice(contract)
    assert _lines(invoice) == [("device_monthly", "22", "2981"), ("minimum_true_up", "1", "47019")]
    # In yen the device price is the amount ÷ the days (documents.md): 22 × 135.5 = 2981.
    assert [(line.unit_code, line.price, line.base_quantity) for line in invoice.lines] == [
        ("DAY", Decimal("135.5"), Decimal(1)),
        ("C62", Decimal(47019), Decimal(1)),
    ]
    assert (invoice.total, invoice.tax_note) == (Decimal(50000), "Outside the scope of EU VAT")


def credit(invoice_id: int, amount: Decimal, reason: str) -> credit_notes.CreditNote:
    return credit_notes.create_credit_note(invoice_id, reason, "tests", issuer(), amount=amount)


def void(invoice_id: int, reason: str) -> credit_notes.CreditNote:
    return credit_notes.void_invoice(invoice_id, reason, "tests", issuer())


# -- lifecycle ------------------------------------------------------------------------------------------


def test_numbers_are_gapless_per_year_and_credit_notes_have_their_own(plan):
    plan_, _, _ = plan
    contracts = [factories.contract(plan_code=plan_.code, start_date=date(2026, 1, 1)) for _ in range(3)]
    run = bill()
    assert service.finalize_run(run.id, documents()) == 3
    assert [_invoice(c).number for c in contracts] == [
        "INV-2026-000001",
        "INV-2026-000002",
        "INV-2026-000003",
    ]
    note = credit(_invoice(contracts[0]).id, Decimal("10.00"), "goodwill")
    assert note.number == "CN-2026-000001"
    with clock.frozen(date(2027, 1, 2)):
        run = bill(NOVEMBER)
        service.finalize_run(run.id, documents())
        assert _invoice(contracts[0], NOVEMBER).number == "INV-2027-000001"
        assert credit(_invoice(contracts[1]).id, Decimal("1.00"), "x").number == ("CN-2027-000001")


def test_finalizing_sets_due_dates_from_payment_terms_and_settles_zero_totals(database, today):
    free = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal(0)}])
    paying = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("30.00")}])
    zero = factories.contract(plan_code=free.code, start_date=date(2026, 1, 1))
    customer = factories.customer(payment_terms_days=14)
    due = factories.contract(customer.id, paying.code, date(2026, 1, 1))
    deploy(due, date(2026, 2, 1))
    service.finalize_run(bill().id, documents())
    zero_invoice, due_invoice = _invoice(zero), _invoice(due)
    assert (zero_invoice.status, zero_invoice.amount_due, zero_invoice.total) == ("paid", 0, 0)
    assert (due_invoice.status, due_invoice.amount_due) == ("open", Decimal("36.30"))
    assert (due_invoice.issued_on, due_invoice.due_date) == (date(2026, 11, 15), date(2026, 11, 29))


def test_void_keeps_the_number_and_only_open_invoices_can_be_voided(plan):
    plan_, _, _ = plan
    contract = factories.contract(plan_code=plan_.code, start_date=date(2026, 1, 1))
    run = bill()
    draft = _invoice(contract)
    with pytest.raises(Conflict):
        void(draft.id, "Billed twice")
    service.finalize_run(run.id, documents())
    with pytest.raises(Invalid) as unexplained:
        void(draft.id, "  ")
    assert "reason" in unexplained.value.errors
    note = void(draft.id, "Billed twice")
    voided = _invoice(contract)
    assert (voided.status, voided.number, voided.amount_due) == ("void", "INV-2026-000001", 0)
    # The full credit note: every line as invoiced, the VAT of the invoice, the reason.
    assert (note.net_amount, note.tax_amount, note.amount) == (
        Decimal("500.00"),
        Decimal("105.00"),
        Decimal("605.00"),
    )
    assert (note.reason, note.voids_invoice, voided.credited) == ("Billed twice", True, Decimal("605.00"))
    assert [line.amount for line in note.lines] == [line.amount for line in voided.lines if line.amount > 0]
    with pytest.raises(Conflict):
        void(draft.id, "again")
    with pytest.raises(Conflict):
        credit(draft.id, Decimal("1.00"), "void")


def test_credit_notes_up_to_what_is_not_credited(plan):
    plan_, _, _ = plan
    contract = factories.contract(plan_code=plan_.code, start_date=date(2026, 1, 1))
    service.finalize_run(bill().id, documents())
    invoice = _invoice(contract)
    assert invoice.total == Decimal("605.00")
    # Net amounts, the invoice's 21 % added: 100.00 credits 121.00 of the 605.00.
    first = credit(invoice.id, Decimal("100.00"), "a device was broken for a week")
    assert (first.net_amount, first.tax_amount, first.amount) == (
        Decimal("100.00"),
        Decimal("21.00"),
        Decimal("121.00"),
    )
    with pytest.raises(Invalid) as refused:
        credit(invoice.id, Decimal("400.01"), "too much")
    assert "amount" in refused.value.errors
    with pytest.raises(Invalid):
        credit(invoice.id, Decimal("1.001"), "three decimals")
    rest = credit(invoice.id, Decimal("400.00"), "the rest")
    assert (rest.tax_amount, rest.amount) == (Decimal("84.00"), Decimal("484.00"))
    invoice = _invoice(contract)
    assert (invoice.credited, invoice.amount_due, invoice.status) == (Decimal("605.00"), 0, "paid")


def test_finalizing_a_stale_draft_is_refused(plan):
    plan_, _, _ = plan
    customer = factories.customer(country="DE")
    contract = factories.contract(customer.id, plan_.code, date(2026, 1, 1))
    bill()
    customer.vat_id = "DE136695976"  # now reverse charge: the draft's 21% is wrong
    with pytest.raises(Conflict):
        service.finalize_invoice(_invoice(contract).id, documents())
    bill()
    assert service.finalize_invoice(_invoice(contract).id, documents()).tax_rate == 0


def test_the_database_refuses_to_change_a_finalized_invoice(plan):
    plan_, _, _ = plan
    contract = factories.contract(plan_code=plan_.code, start_date=date(2026, 1, 1))
    service.finalize_run(bill().id, documents())
    invoice_id = _invoice(contract).id
    db.session.commit()
    for statement in (
        "UPDATE invoices SET total = 1 WHERE id = :id",
        "UPDATE invoices SET status = 'draft', number = NULL WHERE id = :id",
        "DELETE FROM invoice_lines WHERE invoice_id = :id",
        "UPDATE invoice_lines SET amount = 0 WHERE invoice_id = :id",
        "DELETE FROM invoices WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="never change"):
            db.session.execute(text(statement), {"id": invoice_id})
        db.session.rollback()
    db.session.execute(
        text("UPDATE invoices SET status = 'uncollectible' WHERE id = :id"), {"id": invoice_id}
    )
    assert _invoice(contract).status == "uncollectible"


def test_usage_arriving_between_the_draft_and_its_finalization_is_billed_late(plan):
    plan_, tickets, _ = plan
    contract = factories.contract(plan_code=plan_.code, start_date=date(2026, 1, 1))
    usage(contract, tickets, *[at(2026, 10, 2)] * 12)
    run = bill()
    usage(contract, tickets, at(2026, 10, 28))  # after the draft was measured, before finalization
    service.finalize_run(run.id, documents())
    assert next(line.usage_quantity for line in _invoice(contract).lines if line.metric == tickets.code) == 12
    with clock.frozen(date(2026, 12, 2)):
        bill(NOVEMBER)
    late = [line for line in _invoice(contract, NOVEMBER).lines if line.kind == "late_usage"]
    assert [(line.quantity, line.amount) for line in late] == [(Decimal(1), Decimal("15.00"))]


def test_a_contract_with_nothing_to_bill_gets_a_zero_invoice_that_is_paid_on_finalization(database, today):
    plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("30.00")}])
    contract = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
    run = bill()
    invoice = _invoice(contract)
    # Its one line says that no device served (an invoice has at least one line).
    assert [(line.quantity, line.amount) for line in invoice.lines] == [(0, 0)]
    assert (invoice.total, invoice.status) == (0, "draft")
    service.finalize_run(run.id, documents())
    assert (_invoice(contract).status, _invoice(contract).amount_due) == ("paid", 0)

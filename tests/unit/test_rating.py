"""Rating (billing.md, documents.md "Lines"): the worked example to the cent and line by line, edge cases
of days and pricing models, how lines are written (quantity × price ÷ base), and properties that must hold
for any plan and usage."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.billing import rating
from daas.billing.aggregation import UsageRecord, aggregate
from daas.billing.rating import Charge, ContractUsage, Line, Tier
from daas.billing.tax import decide_tax, percent, tax_amount
from daas.core.money import exponent, round_money
from daas.core.periods import Period

D = Decimal
OCT_2026 = Period.parse("2026-10")
LAPTOP = 1  # device model id
TICKETS, SWAPS = 10, 11  # metric ids

DEVICES = Charge(kind="device_monthly", unit_amount=D("39.00"))
TICKETS_GRADUATED = Charge(
    kind="metered",
    metric_id=TICKETS,
    metric_code="support_tickets",
    metric_name="Support tickets",
    model="graduated",
    tiers=(Tier(up_to=D(10), unit_amount=D(0)), Tier(up_to=None, unit_amount=D("15.00"))),
)
SWAPS_PER_UNIT = Charge(
    kind="metered",
    metric_id=SWAPS,
    metric_code="express_swaps",
    metric_name="Express swaps",
    model="per_unit",
    unit_amount=D("49.00"),
)
LAPTOP_STD_36 = (DEVICES, TICKETS_GRADUATED, SWAPS_PER_UNIT)
MINIMUM = D("500.00")

# The worked example's contract: 36 months, active the whole of October 2026.
CONTRACT_START, CONTRACT_END = date(2026, 1, 1), date(2029, 1, 1)
DEPLOYMENTS = (
    (date(2026, 9, 15), None),  # A: still deployed, 31 days
    (date(2026, 10, 10), None),  # B: 22 days
    (date(2026, 8, 1), date(2026, 10, 5)),  # C: picked up on the 5th, 4 days
)


def amounts(lines: list[Line]) -> list[tuple[str, Decimal]]:
    return [(line.kind, line.amount) for line in lines]


def total(lines: list[Line]) -> Decimal:
    return sum((line.amount for line in lines), D(0))


def written(lines: list[Line]) -> list[tuple[str, str, str, str, str]]:
    """Each line as documents write it: quantity, unit, price, base and amount."""
    return [
        (
            f"{line.quantity:f}",
            str(line.unit_code),
            f"{line.price:f}",
            f"{line.base_quantity:f}",
            str(line.amount),
        )
        for line in lines
    ]


def assert_written_exactly(line: Line, currency: str) -> None:
    """documents.md: amount = round(quantity × price ÷ base), exactly, in the currency's decimals."""
    assert line.quantity is not None and line.price is not None and line.base_quantity is not None, line
    assert line.unit_code in ("DAY", "C62"), line
    assert line.price >= 0 and line.base_quantity > 0, line  # EN 16931 BR-27: no negative prices
    assert round_money(line.quantity * line.price / line.base_quantity, currency) == line.amount, line


def places(amount: Decimal) -> int:
    exp = amount.as_tuple().exponent
    assert isinstance(exp, int)
    return -exp


# -- the worked example -----------------------------------------------------------------------------


def test_worked_example_to_the_cent() -> None:
    each = [rating.device_days([d], CONTRACT_START, CONTRACT_END, OCT_2026) for d in DEPLOYMENTS]
    assert each == [31, 22, 4]
    device_days = rating.device_days(DEPLOYMENTS, CONTRACT_START, CONTRACT_END, OCT_2026)
    assert device_days == 57
    active = rating.active_days(CONTRACT_START, CONTRACT_END, OCT_2026)
    assert active == 31

    tickets = aggregate("count", [UsageRecord() for _ in range(13)])
    swaps = aggregate("sum", [UsageRecord(quantity=D(1))])
    usage = ContractUsage(
        active_days=active,
        device_days_by_model={LAPTOP: device_days},
        quantities={TICKETS: tickets, SWAPS: swaps},
    )
    lines = rating.rate_contract(
        LAPTOP_STD_36, usage, MINIMUM, OCT_2026, "EUR", model_names={LAPTOP: "Dell Latitude 5440"}
    )

    assert amounts(lines) == [
        ("device_monthly", D("71.71")),  # 39.00 × 57 / 31 = 71.7096...
        ("metered", D("0.00")),  # 13 tickets: the first 10 free,
        ("metered", D("45.00")),  # the other 3 × 15.00
        ("metered", D("49.00")),
        ("minimum_true_up", D("334.29")),  # 500.00 − 165.71
    ]
    assert [str(line.amount) for line in lines] == ["71.71", "0.00", "45.00", "49.00", "334.29"]
    # documents.md: quantity × price ÷ base, each line rounded once.
    assert written(lines) == [
        ("57", "DAY", "39.00", "31", "71.71"),
        ("10", "C62", "0", "1", "0.00"),
        ("3", "C62", "15.00", "1", "45.00"),
        ("1", "C62", "49.00", "1", "49.00"),
        ("1", "C62", "334.29", "1", "334.29"),
    ]
    assert [line.description for line in lines] == [
        "Dell Latitude 5440: 57 device-days in October 2026",
        "Support tickets, units 1-10 at 0.00",
        "Support tickets, units 11-13 at 15.00",
        "Express swaps in October 2026",
        "Minimum commitment 500.00 for October 2026 (31 of 31 days)",
    ]
    assert lines[0].unit_amount == D("39.00")  # the monthly amount, as the API shows it
    # The tickets' usage is recorded once, on the charge's first line.
    assert [(line.metric, line.usage_period, line.usage_quantity) for line in lines[1:4]] == [
        ("support_tickets", "2026-10", 13),
        ("support_tickets", None, None),
        ("express_swaps", "2026-10", 1),
    ]
    assert (lines[3].quantity, lines[3].unit_amount) == (1, D("49.00"))

    subtotal = total(lines)
    assert str(subtotal) == "500.00"
    decision = decide_tax("NL", "NL", None, date(2026, 11, 1))
    assert percent(decision.rate) == "21.00"
    assert decision.note is None
    vat = tax_amount(subtotal, decision.rate, "EUR")
    assert str(vat) == "105.00"
    assert str(subtotal + vat) == "605.00"


def test_worked_example_contract_starting_on_the_20th_has_a_prorated_minimum() -> None:
    start = date(2026, 10, 20)
    active = rating.active_days(start, date(2029, 10, 20), OCT_2026)
    assert active == 12
    assert rating.prorated_minimum(MINIMUM, active, OCT_2026, "EUR") == D("193.55")  # 500 × 12 / 31 = 193.548

    # Its devices are billed from the contract start only, even if deployed earlier.
    device_days = rating.device_days(DEPLOYMENTS, start, date(2029, 10, 20), OCT_2026)
    assert device_days == 12 + 12  # A and B from the 20th; C left before the contract started
    usage = ContractUsage(active_days=active, device_days_by_model={LAPTOP: device_days})
    lines = rating.rate_contract(LAPTOP_STD_36, usage, MINIMUM, OCT_2026, "EUR")
    assert amounts(lines) == [
        ("device_monthly", D("30.19")),  # 39 × 24 / 31 = 30.193...
        ("metered", D("0.00")),
        ("metered", D("0.00")),
        ("minimum_true_up", D("163.36")),
    ]
    assert total(lines) == D("193.55")


# -- days -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start_day", "days_in_jan"),
    [(29, 3), (30, 2), (31, 1)],
)
def test_contract_starting_late_in_a_month(start_day: int, days_in_jan: int) -> None:
    start = date(2026, 1, start_day)
    end = date(2029, 1, start_day)
    deployed = [(start, None)]
    for period_name, days in [("2026-01", days_in_jan), ("2026-02", 28), ("2027-02", 28), ("2028-02", 29)]:
        period = Period.parse(period_name)
        assert rating.active_days(start, end, period) == days, period_name
        assert rating.device_days(deployed, start, end, period) == days, period_name
    # Nothing before the contract.
    assert rating.active_days(start, end, Period.parse("2025-12")) == 0
    assert rating.device_days(deployed, start, end, Period.parse("2025-12")) == 0


def test_contract_starting_on_leap_day() -> None:
    start, end = date(2028, 2, 29), date(2031, 2, 28)
    assert rating.active_days(start, end, Period.parse("2028-02")) == 1
    assert rating.active_days(start, end, Period.parse("2029-02")) == 28
    assert rating.active_days(start, end, Period.parse("2031-02")) == 27  # ends on the 28th, not billed
    assert rating.device_days([(start, None)], start, end, Period.parse("2028-02")) == 1


def test_starting_month_minimum_is_prorated_by_the_days_of_that_month() -> None:
    # Started on 31 January: 1 of 31 days; a full leap February is 29 of 29 days.
    assert rating.prorated_minimum(MINIMUM, 1, Period.parse("2026-01"), "EUR") == D("16.13")  # 16.129
    assert rating.prorated_minimum(MINIMUM, 29, Period.parse("2028-02"), "EUR") == D("500.00")
    assert rating.prorated_minimum(MINIMUM, 28, Period.parse("2027-02"), "EUR") == D("500.00")
    # A device deployed all of leap February costs exactly one month, not 29/28 or 29/31 of it.
    line = rating.device_line(DEVICES, 29, Period.parse("2028-02"), "EUR")
    assert line.amount == D("39.00")


def test_device_deployed_and_returned_the_same_day_is_not_billed() -> None:
    day = date(2026, 10, 12)
    days = rating.device_days([(day, day)], CONTRACT_START, CONTRACT_END, OCT_2026)
    assert days == 0
    usage = ContractUsage(active_days=31, device_days_by_model={LAPTOP: days})
    lines = rating.rate_contract([DEVICES], usage, None, OCT_2026, "EUR")
    # Nothing is billed, and the invoice still has its one line (EN 16931 BR-16): 0 device-days.
    assert [
        (line.quantity, line.unit_code, line.price, line.base_quantity, line.amount) for line in lines
    ] == [(D(0), "DAY", DEVICES.unit_amount, D(31), D("0.00"))]


def test_deployment_boundaries_bill_the_start_day_and_not_the_end_day() -> None:
    def days(start: date, end: date | None) -> int:
        return rating.device_days([(start, end)], CONTRACT_START, CONTRACT_END, OCT_2026)

    assert days(date(2026, 10, 31), None) == 1  # deployed on the last day
    assert days(date(2026, 11, 1), None) == 0  # deployed the next month
    assert days(date(2026, 9, 1), date(2026, 10, 1)) == 0  # picked up on the 1st
    assert days(date(2026, 9, 1), date(2026, 10, 2)) == 1
    assert days(date(2026, 10, 1), date(2026, 11, 1)) == 31
    assert days(date(2026, 10, 1), date(2027, 3, 1)) == 31


def test_contract_ending_mid_month_prorates_the_minimum_and_the_devices() -> None:
    start, end = date(2023, 10, 16), date(2026, 10, 16)  # 36 months, the 16th is not billed
    active = rating.active_days(start, end, OCT_2026)
    assert active == 15
    device_days = rating.device_days([(date(2024, 1, 1), None)], start, end, OCT_2026)
    assert device_days == 15
    usage = ContractUsage(active_days=active, device_days_by_model={LAPTOP: device_days})
    lines = rating.rate_contract([DEVICES], usage, MINIMUM, OCT_2026, "EUR")
    assert amounts(lines) == [
        ("device_monthly", D("18.87")),  # 39 × 15 / 31 = 18.870...
        ("minimum_true_up", D("223.07")),  # 500 × 15 / 31 = 241.935... -> 241.94
    ]
    assert total(lines) == D("241.94")
    # The month after the end: nothing to bill, no minimum.
    november = Period.parse("2026-11")
    assert rating.active_days(start, end, november) == 0
    assert rating.rate_contract([DEVICES], ContractUsage(active_days=0), MINIMUM, november, "EUR") == []


def test_month_without_usage_bills_zero_lines_and_the_minimum() -> None:
    usage = ContractUsage(active_days=31)
    lines = rating.rate_contract(LAPTOP_STD_36, usage, MINIMUM, OCT_2026, "EUR")
    assert [(line.kind, line.metric, line.quantity, str(line.amount)) for line in lines] == [
        ("metered", "support_tickets", 0, "0.00"),
        ("metered", "express_swaps", 0, "0.00"),
        ("minimum_true_up", None, 1, "500.00"),
    ]
    assert [line.usage_quantity for line in lines] == [0, 0, None]  # no usage is recorded as none
    assert total(lines) == MINIMUM


def test_no_true_up_when_charges_reach_the_minimum_or_there_is_none() -> None:
    usage = ContractUsage(active_days=31, quantities={SWAPS: D(11)})  # 539.00
    lines = rating.rate_contract(LAPTOP_STD_36, usage, MINIMUM, OCT_2026, "EUR")
    assert [line.kind for line in lines] == ["metered", "metered"]
    assert total(lines) == D("539.00")
    assert rating.minimum_true_up([], None, 31, OCT_2026, "EUR") is None  # no minimum at all
    # Charges of exactly the minimum: no true-up line of 0.00.
    at_minimum = ContractUsage(active_days=31, quantities={TICKETS: D(10) + D(30), SWAPS: D(0)})  # 450
    lines = rating.rate_contract(LAPTOP_STD_36, at_minimum, D("450.00"), OCT_2026, "EUR")
    assert [line.kind for line in lines] == ["metered", "metered", "metered"]  # two tiers, the swaps


def test_device_charge_limited_to_one_model() -> None:
    phones = Charge(kind="device_monthly", unit_amount=D("12.40"), device_model_id=2, device_model_sku="PH-1")
    usage = ContractUsage(active_days=31, device_days_by_model={LAPTOP: 31, 2: 62})
    names = {LAPTOP: "Dell Latitude 5440", 2: "Fairphone 5"}
    lines = rating.rate_contract([DEVICES, phones], usage, None, OCT_2026, "EUR", model_names=names)
    # The unrestricted charge bills every model (93 days: 39 × 93 / 31), one line per model, by name;
    # the PH-1 charge only its own (named by its SKU here: the charge has no model name).
    assert amounts(lines) == [
        ("device_monthly", D("39.00")),
        ("device_monthly", D("78.00")),
        ("device_monthly", D("24.80")),
    ]
    assert total(lines) == D("117.00") + D("24.80")
    assert [line.description for line in lines] == [
        "Dell Latitude 5440: 31 device-days in October 2026",
        "Fairphone 5: 62 device-days in October 2026",
        "PH-1: 62 device-days in October 2026",
    ]
    assert written(lines) == [
        ("31", "DAY", "39.00", "31", "39.00"),
        ("62", "DAY", "39.00", "31", "78.00"),
        ("62", "DAY", "12.40", "31", "24.80"),
    ]


def test_device_line_is_days_times_the_monthly_amount_over_the_days_of_the_month() -> None:
    # documents.md: `248 DAY × 44.00 / 31 = 352.00`.
    charge = Charge(kind="device_monthly", unit_amount=D("44.00"), device_model_name="HP EliteBook 840")
    line = rating.device_line(charge, 248, OCT_2026, "EUR")
    assert written([line]) == [("248", "DAY", "44.00", "31", "352.00")]
    assert line.description == "HP EliteBook 840: 248 device-days in October 2026"
    one = rating.device_line(charge, 1, OCT_2026, "EUR", name="HP EliteBook 845")
    assert one.description == "HP EliteBook 845: 1 device-day in October 2026"


def test_each_model_line_is_rounded_on_its_own() -> None:
    # 10.00 × 1 / 31 = 0.3226 twice: 0.32 + 0.32 = 0.64 on two lines, where one line of 2 days was 0.65.
    charge = Charge(kind="device_monthly", unit_amount=D("10.00"))
    usage = ContractUsage(active_days=31, device_days_by_model={1: 1, 2: 1})
    lines = rating.rate_contract([charge], usage, None, OCT_2026, "EUR", model_names={1: "A", 2: "B"})
    assert amounts(lines) == [("device_monthly", D("0.32")), ("device_monthly", D("0.32"))]
    assert rating.device_line(charge, 2, OCT_2026, "EUR").amount == D("0.65")


def test_jpy_lines_and_minimum_have_no_decimals() -> None:
    devices = Charge(kind="device_monthly", unit_amount=D(4000))
    calls = Charge(kind="metered", metric_id=1, metric_code="calls", model="per_unit", unit_amount=D("0.35"))
    usage = ContractUsage(active_days=12, device_days_by_model={LAPTOP: 57}, quantities={1: D(3)})
    lines = rating.rate_contract([devices, calls], usage, D(50000), OCT_2026, "JPY")
    assert [str(line.amount) for line in lines] == [
        "7355",  # 4000 × 57 / 31 = 7354.83...
        "1",  # 3 × 0.35 = 1.05
        "11999",  # 50000 × 12 / 31 = 19354.8... -> 19355 − 7356
    ]
    assert total(lines) == D(19355)
    # Rounding to yen moves 7354.84 by 0.16 and 1.05 by 0.05, more than Peppol's 0.02: the price is the
    # amount ÷ the quantity to 4 decimals (base 1), and the description keeps the plan's price.
    assert written(lines) == [
        ("57", "DAY", "129.0351", "1", "7355"),  # 57 × 129.0351 = 7355.0007
        ("3", "C62", "0.3333", "1", "1"),  # 3 × 0.3333 = 0.9999
        ("1", "C62", "11999", "1", "11999"),
    ]
    assert lines[0].description == "Devices: 57 device-days in October 2026 at 4000 a month"
    assert lines[1].description == "calls in October 2026 at 0.35 each"
    assert (lines[0].unit_amount, lines[1].unit_amount) == (D(4000), D("0.35"))  # the plan's amounts


def test_jpy_device_price_is_the_amount_over_the_days() -> None:
    # documents.md: `11 days at 5000 a month` = 1774.19 -> 1774; 11 × 161.2727 = 1773.9997 rounds to it.
    charge = Charge(kind="device_monthly", unit_amount=D(5000), device_model_name="Dell Latitude 5440")
    line = rating.device_line(charge, 11, OCT_2026, "JPY")
    assert written([line]) == [("11", "DAY", "161.2727", "1", "1774")]
    assert line.description == "Dell Latitude 5440: 11 device-days in October 2026 at 5000 a month"
    # The 4-decimal price is chosen so the product stays within 0.02 of the amount; a quantity that 4
    # decimals cannot reach takes more (up to the 6 a price holds).
    many = rating.device_line(charge, 9999, OCT_2026, "JPY")  # 1612580.645... -> 1612581
    assert many.price is not None and many.quantity is not None
    assert abs(many.quantity * many.price - many.amount) <= D("0.02")
    assert round_money(many.quantity * many.price, "JPY") == many.amount
    # A yen amount that is exact keeps a fitted price too (base 1), as documents.md asks of JPY.
    whole = rating.device_line(charge, 31, OCT_2026, "JPY")
    assert written([whole]) == [("31", "DAY", "161.2903", "1", "5000")]
    # A line no price of 6 decimals fits keeps the monthly amount over the days (exact, rounded once).
    huge = rating.device_line(charge, 99_999_999, OCT_2026, "JPY")
    assert (huge.price, huge.base_quantity) == (D(5000), D(31))
    assert round_money(D(99_999_999) * D(5000) / D(31), "JPY") == huge.amount
    assert rating.prorated_minimum(D(50000), 12, OCT_2026, "JPY") == D(19355)
    assert tax_amount(D(19355), D("0.21"), "JPY") == D(4065)  # 4064.55


# -- pricing models ---------------------------------------------------------------------------------

FLAT_TIERS = (
    Tier(up_to=D(5), unit_amount=D("2.00"), flat_amount=D("10.00")),
    Tier(up_to=D(10), unit_amount=D("1.50"), flat_amount=D("5.00")),
    Tier(up_to=None, unit_amount=D("1.00")),
)


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [("0", "0"), ("1", "1.283871"), ("7", "8.987097"), ("2.5", "3.2096775")],
)
def test_per_unit(quantity: str, expected: str) -> None:
    charge = Charge(kind="metered", model="per_unit", unit_amount=D("1.283871"))
    assert rating.price(charge, D(quantity)) == D(expected)
    [line] = rating.metered_lines(charge, D(7), OCT_2026, "EUR")
    assert written([line]) == [("7", "C62", "1.283871", "1", "8.99")]


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("0", "10.00"),  # 0 falls in the first tier: its flat amount is billed (billing.md, Stripe)
        ("1", "12.00"),  # 1 × 2.00 + 10.00
        ("5", "20.00"),  # up_to is inclusive
        ("6", "26.50"),  # 20.00 + 1 × 1.50 + 5.00
        ("10", "32.50"),  # 20.00 + 5 × 1.50 + 5.00
        ("12", "34.50"),  # 32.50 + 2 × 1.00
        ("5.5", "25.75"),  # 20.00 + 0.5 × 1.50 + 5.00
    ],
)
def test_graduated_with_flat_amounts(quantity: str, expected: str) -> None:
    charge = Charge(kind="metered", model="graduated", tiers=FLAT_TIERS)
    assert rating.price(charge, D(quantity)) == D(expected)


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("0", "10.00"),  # 0 falls in the first tier: its flat amount is billed (billing.md)
        ("1", "12.00"),  # 1 × 2.00 + 10.00
        ("5", "20.00"),  # 5 × 2.00 + 10.00
        ("6", "14.00"),  # every unit at 1.50, + 5.00: cheaper than 5 units
        ("7", "15.50"),
        ("12", "12.00"),  # every unit at 1.00, no flat amount
    ],
)
def test_volume_with_flat_amount(quantity: str, expected: str) -> None:
    charge = Charge(kind="metered", model="volume", tiers=FLAT_TIERS)
    assert rating.price(charge, D(quantity)) == D(expected)


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("0", "0"),
        ("1", "25.00"),
        ("10", "25.00"),
        ("10.5", "50.00"),
        ("11", "50.00"),
        ("20", "50.00"),
        ("21", "75.00"),
    ],
)
def test_package_rounds_packages_up(quantity: str, expected: str) -> None:
    charge = Charge(kind="metered", model="package", unit_amount=D("25.00"), package_size=10)
    assert rating.price(charge, D(quantity)) == D(expected)


# -- the lines of each pricing model (documents.md "Lines") ------------------------------------------

PER_MODEL = {"metric_id": 7, "metric_code": "tickets", "metric_name": "Support tickets"}


def test_graduated_lines_one_per_tier_reached_and_its_flat_amount() -> None:
    charge = Charge(kind="metered", model="graduated", tiers=FLAT_TIERS, **PER_MODEL)
    lines = rating.metered_lines(charge, D(12), OCT_2026, "EUR")
    assert [(line.description, *row) for line, row in zip(lines, written(lines), strict=True)] == [
        ("Support tickets, units 1-5 at 2.00", "5", "C62", "2.00", "1", "10.00"),
        ("Support tickets, flat fee (units 1-5)", "1", "C62", "10.00", "1", "10.00"),
        ("Support tickets, units 6-10 at 1.50", "5", "C62", "1.50", "1", "7.50"),
        ("Support tickets, flat fee (units 6-10)", "1", "C62", "5.00", "1", "5.00"),
        ("Support tickets, units 11-12 at 1.00", "2", "C62", "1.00", "1", "2.00"),
    ]
    assert total(lines) == D("34.50") == rating.price(charge, D(12))
    assert [line.usage_quantity for line in lines] == [12, None, None, None, None]
    assert {line.metric for line in lines} == {"tickets"}
    # One unit in a tier, and quantities that are not whole.
    [one, _] = rating.metered_lines(charge, D(1), OCT_2026, "EUR")
    assert one.description == "Support tickets, unit 1 at 2.00"
    half = rating.metered_lines(charge, D("5.5"), OCT_2026, "EUR")
    assert half[2].description == "Support tickets, units above 5 up to 5.5 at 1.50"
    assert written(half)[2] == ("0.5", "C62", "1.50", "1", "0.75")


def test_graduated_quantity_zero_bills_the_first_flat_amount_on_its_own_line() -> None:
    charge = Charge(kind="metered", model="graduated", tiers=FLAT_TIERS, **PER_MODEL)
    [line] = rating.metered_lines(charge, D(0), OCT_2026, "EUR")
    assert line.description == "Support tickets, flat fee (units 1-5)"
    assert written([line]) == [("1", "C62", "10.00", "1", "10.00")]
    assert (line.usage_period, line.usage_quantity) == ("2026-10", 0)  # recorded: late usage needs it
    # Without a flat amount, no usage makes one line of nothing.
    [nothing] = rating.metered_lines(TICKETS_GRADUATED, D(0), OCT_2026, "EUR")
    assert nothing.description == "Support tickets in October 2026"
    assert written([nothing]) == [("0", "C62", "0", "1", "0.00")]


def test_volume_one_line_for_all_units_and_the_flat_amount_apart() -> None:
    charge = Charge(kind="metered", model="volume", tiers=FLAT_TIERS, **PER_MODEL)
    lines = rating.metered_lines(charge, D(7), OCT_2026, "EUR")
    assert [(line.description, *row) for line, row in zip(lines, written(lines), strict=True)] == [
        ("Support tickets, 7 units at 1.50", "7", "C62", "1.50", "1", "10.50"),
        ("Support tickets, flat fee (units 6-10)", "1", "C62", "5.00", "1", "5.00"),
    ]
    assert total(lines) == D("15.50") == rating.price(charge, D(7))
    [top] = rating.metered_lines(charge, D(12), OCT_2026, "EUR")  # the open tier has no flat amount
    assert (top.description, written([top])[0]) == (
        "Support tickets, 12 units at 1.00",
        ("12", "C62", "1.00", "1", "12.00"),
    )
    [zero] = rating.metered_lines(charge, D(0), OCT_2026, "EUR")
    assert (zero.description, zero.amount) == ("Support tickets, flat fee (units 1-5)", D("10.00"))
    [single, _] = rating.metered_lines(charge, D(1), OCT_2026, "EUR")
    assert single.description == "Support tickets, 1 unit at 2.00"


def test_package_line_counts_packages_at_the_package_amount() -> None:
    charge = Charge(kind="metered", model="package", unit_amount=D("25.00"), package_size=10, **PER_MODEL)
    [line] = rating.metered_lines(charge, D(13), OCT_2026, "EUR")
    assert line.description == "Support tickets, 13 units in packages of 10"
    assert written([line]) == [("2", "C62", "25.00", "1", "50.00")]
    assert (line.unit_amount, line.usage_quantity) == (D("25.00"), 13)
    [none] = rating.metered_lines(charge, D(0), OCT_2026, "EUR")
    assert written([none]) == [("0", "C62", "25.00", "1", "0.00")]


def test_per_unit_line() -> None:
    [line] = rating.metered_lines(SWAPS_PER_UNIT, D(3), OCT_2026, "EUR")
    assert line.description == "Express swaps in October 2026"
    assert written([line]) == [("3", "C62", "49.00", "1", "147.00")]
    # Without a name, the metric's code.
    unnamed = Charge(kind="metered", metric_code="express_swaps", model="per_unit", unit_amount=D(1))
    assert (
        rating.metered_lines(unnamed, D(1), OCT_2026, "EUR")[0].description == "express_swaps in October 2026"
    )


def test_lines_are_written_in_the_document_language() -> None:
    usage = ContractUsage(
        active_days=31, device_days_by_model={LAPTOP: 57}, quantities={TICKETS: D(13), SWAPS: D(1)}
    )
    names = {LAPTOP: "Dell Latitude 5440"}

    def described(language: str) -> list[str]:
        lines = rating.rate_contract(
            LAPTOP_STD_36, usage, MINIMUM, OCT_2026, "EUR", language=language, model_names=names
        )
        assert total(lines) == D("500.00")  # the words change, not the cents
        return [line.description for line in lines]

    assert described("nl") == [
        "Dell Latitude 5440: 57 apparaatdagen in oktober 2026",
        "Support tickets, eenheden 1-10 à 0,00",
        "Support tickets, eenheden 11-13 à 15,00",
        "Express swaps in oktober 2026",
        "Minimumafname 500,00 voor oktober 2026 (31 van 31 dagen)",
    ]
    assert described("de") == [
        "Dell Latitude 5440: 57 Gerätetage im Oktober 2026",
        "Support tickets, Einheiten 1-10 zu je 0,00",
        "Support tickets, Einheiten 11-13 zu je 15,00",
        "Express swaps im Oktober 2026",
        "Mindestumsatz 500,00 für Oktober 2026 (31 von 31 Tagen)",
    ]
    assert described("fr") == [
        "Dell Latitude 5440\u00a0: 57 jours-appareil en octobre 2026",
        "Support tickets, unités 1 à 10 au prix unitaire de 0,00",
        "Support tickets, unités 11 à 13 au prix unitaire de 15,00",
        "Express swaps en octobre 2026",
        "Engagement minimum 500,00 pour octobre 2026 (31 jours sur 31)",
    ]
    late = rating.late_usage_line(TICKETS_GRADUATED, OCT_2026, D(13), D(8), "EUR", language="de")
    assert late is not None and late.description == "Nachträgliche Nutzung Oktober 2026: Support tickets"


def test_unknown_model_and_aggregation_are_refused() -> None:
    with pytest.raises(ValueError, match="pricing model"):
        rating.price(Charge(kind="metered", model="stairstep"), D(1))
    with pytest.raises(ValueError, match="aggregation"):
        aggregate("avg", [])


# -- aggregation ------------------------------------------------------------------------------------

EVENTS = [
    UsageRecord(quantity=D("2.5"), properties={"serial": "SN-1"}),
    UsageRecord(quantity=D(1), properties={"serial": "SN-2"}),
    UsageRecord(quantity=D(4), properties={"serial": "SN-1"}),
    UsageRecord(quantity=D(1), properties={"other": "x"}),  # no serial: ignored by unique_count
    UsageRecord(quantity=D(1), properties=None),
]


def test_aggregations() -> None:
    assert aggregate("count", EVENTS) == 5
    assert aggregate("sum", EVENTS) == D("9.5")
    assert aggregate("max", EVENTS) == 4
    assert aggregate("unique_count", EVENTS, "serial") == 2
    assert aggregate("unique_count", EVENTS, "missing") == 0


def test_aggregations_without_events_are_zero() -> None:
    for aggregation in ("count", "sum", "max"):
        assert aggregate(aggregation, []) == 0
    assert aggregate("unique_count", [], "serial") == 0


# -- late usage -------------------------------------------------------------------------------------


def test_late_usage_keeps_the_tiers_right() -> None:
    invoiced = rating.metered_lines(TICKETS_GRADUATED, D(8), OCT_2026, "EUR")
    assert total(invoiced) == D("0.00")  # 8 tickets are within the free 10
    late = rating.late_usage_line(TICKETS_GRADUATED, OCT_2026, D(13), D(8), "EUR")
    assert late is not None
    assert late.amount == D("45.00")  # rate(13) − rate(8) = 45.00 − 0, not 5 × 15.00 = 75.00
    assert late.kind == "late_usage"
    # billing.md's line per metric naming the original period, with the metric's name (documents.md).
    assert late.description == "Late usage October 2026: Support tickets"
    assert (late.usage_quantity, late.usage_period, late.metric) == (13, "2026-10", "support_tickets")
    assert written([late]) == [("1", "C62", "45.00", "1", "45.00")]  # one unit at the amount
    assert total(invoiced) + late.amount == total(
        rating.metered_lines(TICKETS_GRADUATED, D(13), OCT_2026, "EUR")
    )


def test_late_usage_that_bills_less_is_minus_one_at_a_positive_price() -> None:
    # Volume pricing: 11 tickets cost less than 10 (every unit moves to the cheaper tier).
    cheaper = Charge(
        kind="metered",
        metric_code="tickets",
        model="volume",
        tiers=(Tier(up_to=D(10), unit_amount=D("2.00")), Tier(up_to=None, unit_amount=D("1.00"))),
    )
    late = rating.late_usage_line(cheaper, OCT_2026, D(11), D(10), "EUR")
    assert late is not None
    assert written([late]) == [("-1", "C62", "9.00", "1", "-9.00")]  # EN 16931 BR-27: no negative price
    assert_written_exactly(late, "EUR")


def test_no_late_usage_line_when_nothing_changed() -> None:
    assert rating.late_usage_line(TICKETS_GRADUATED, OCT_2026, D(13), D(13), "EUR") is None
    assert rating.late_usage_line(SWAPS_PER_UNIT, OCT_2026, D(0), D(0), "EUR") is None


# -- properties -------------------------------------------------------------------------------------

CURRENCIES = ["EUR", "USD", "GBP", "SEK", "JPY"]
unit_amounts = st.decimals(min_value=0, max_value=1000, places=6)
quantities = st.decimals(min_value=0, max_value=100000, places=3)


@st.composite
def tiers(draw: st.DrawFn, *, ascending_units: bool = False, flat: bool = True) -> tuple[Tier, ...]:
    bounds = sorted(draw(st.sets(st.integers(min_value=1, max_value=5000), max_size=4)))
    units = draw(st.lists(unit_amounts, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    if ascending_units:
        units.sort()
    flats = [draw(st.decimals(min_value=0, max_value=500, places=2)) if flat else D(0) for _ in units]
    ups: list[Decimal | None] = [D(b) for b in bounds]
    ups.append(None)
    return tuple(
        Tier(up_to=u, unit_amount=a, flat_amount=f) for u, a, f in zip(ups, units, flats, strict=True)
    )


@st.composite
def metered_charges(draw: st.DrawFn, metric_id: int) -> Charge:
    model = draw(st.sampled_from(["per_unit", "graduated", "volume", "package"]))
    code = f"metric_{metric_id}"
    if model in ("graduated", "volume"):
        return Charge(kind="metered", metric_id=metric_id, metric_code=code, model=model, tiers=draw(tiers()))
    size = draw(st.integers(min_value=1, max_value=100)) if model == "package" else None
    return Charge(
        kind="metered",
        metric_id=metric_id,
        metric_code=code,
        model=model,
        unit_amount=draw(unit_amounts),
        package_size=size,
    )


@given(
    data=st.data(),
    currency=st.sampled_from(CURRENCIES),
    period=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)).map(Period.containing),
)
def test_rate_contract_lines_add_up_with_the_currency_decimals(
    data: st.DataObject, currency: str, period: Period
) -> None:
    device_charges = data.draw(
        st.lists(unit_amounts.map(lambda a: Charge(kind="device_monthly", unit_amount=a)), max_size=2)
    )
    metered = [data.draw(metered_charges(metric_id)) for metric_id in range(data.draw(st.integers(0, 3)))]
    active = data.draw(st.integers(min_value=0, max_value=period.days))
    by_model = data.draw(
        st.dictionaries(st.integers(1, 4), st.integers(min_value=0, max_value=active * 5), max_size=3)
    )
    usage = ContractUsage(
        active_days=active,
        device_days_by_model=by_model,
        quantities={charge.metric_id or 0: data.draw(quantities) for charge in metered},
    )
    minimum = data.draw(st.none() | st.decimals(min_value=0, max_value=100000, places=exponent(currency)))

    lines = rating.rate_contract([*device_charges, *metered], usage, minimum, period, currency)

    minor = D(1).scaleb(-exponent(currency))
    for line in lines:
        assert places(line.amount) == exponent(currency), line
        assert_written_exactly(line, currency)
        # Peppol's 0.02: always with decimals; in yen where a price of 6 decimals can reach it.
        if exponent(currency) or abs(line.quantity or 0) <= 40000:
            assert abs(line.quantity * line.price / line.base_quantity - line.amount) <= D("0.02"), line
    charge_lines = [line for line in lines if line.kind != "minimum_true_up"]
    device_lines = [line for line in charge_lines if line.kind == "device_monthly"]
    served = len([days for days in by_model.values() if days > 0])
    if (
        served
        or not device_charges
        or any(line.kind != "device_monthly" for line in charge_lines)
        or not active
    ):
        assert len(device_lines) == len(device_charges) * served  # one line per charge and model
    else:  # no device served and nothing else billed: one line of 0 device-days
        assert [(line.quantity, line.amount) for line in device_lines] == [(0, 0)]
    charges_total = total(charge_lines)
    subtotal = total(lines)
    if minimum is None or active == 0:
        assert subtotal == charges_total
    else:
        floor = rating.prorated_minimum(minimum, active, period, currency)
        assert subtotal == max(charges_total, floor)
    for charge in metered:
        own = [line for line in charge_lines if line.metric == charge.metric_code]
        quantity = usage.quantities[charge.metric_id or 0]
        # Its lines are its parts, each rounded once; the quantity is recorded on exactly one of them.
        assert len(own) == len(rating.parts(charge, quantity)) >= 1
        assert abs(total(own) - rating.price(charge, quantity)) <= minor / 2 * len(own)
        assert [line.usage_quantity for line in own if line.usage_quantity is not None] == [quantity]


@given(tiers(ascending_units=True, flat=False), quantities)
def test_graduated_never_costs_more_than_volume_or_the_top_price(
    levels: tuple[Tier, ...], q: Decimal
) -> None:
    graduated = rating.price(Charge(kind="metered", model="graduated", tiers=levels), q)
    volume = rating.price(Charge(kind="metered", model="volume", tiers=levels), q)
    assert graduated <= q * max(tier.unit_amount for tier in levels)
    assert graduated <= volume


@given(
    quantity=quantities,
    size=st.integers(min_value=1, max_value=1000),
    unit=st.decimals(min_value=D("0.01"), max_value=1000, places=2),
)
def test_package_buys_the_fewest_whole_packages_that_cover_the_quantity(
    quantity: Decimal, size: int, unit: Decimal
) -> None:
    amount = rating.price(
        Charge(kind="metered", model="package", unit_amount=unit, package_size=size), quantity
    )
    packages = amount / unit
    assert packages == packages.to_integral_value()
    assert packages * size >= quantity
    assert (packages - 1) * size < quantity or packages == 0
    assert packages == math.ceil(quantity / size)


@given(
    st.lists(
        st.builds(
            UsageRecord,
            quantity=st.decimals(min_value=0, max_value=1000, places=2),
            properties=st.none() | st.dictionaries(st.sampled_from(["serial", "site"]), st.text(max_size=3)),
        ),
        max_size=30,
    ),
    st.data(),
)
def test_aggregates_do_not_depend_on_event_order(records: list[UsageRecord], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(records))
    for aggregation in ("count", "sum", "max"):
        assert aggregate(aggregation, shuffled) == aggregate(aggregation, records)
    assert aggregate("unique_count", shuffled, "serial") == aggregate("unique_count", records, "serial")


@st.composite
def monotone_charges(draw: st.DrawFn) -> Charge:
    """Charges whose price cannot fall when usage grows. Volume pricing only qualifies with unit and flat
    amounts that do not fall from tier to tier: otherwise crossing into a cheaper tier lowers the price
    (see test_volume_can_cost_less_for_more_units)."""
    model = draw(st.sampled_from(["per_unit", "graduated", "volume", "package"]))
    if model == "graduated":
        return Charge(kind="metered", model=model, tiers=draw(tiers()))
    if model == "volume":
        levels = draw(tiers(ascending_units=True))
        flats = sorted(tier.flat_amount for tier in levels)
        levels = tuple(Tier(t.up_to, t.unit_amount, f) for t, f in zip(levels, flats, strict=True))
        return Charge(kind="metered", model=model, tiers=levels)
    size = draw(st.integers(min_value=1, max_value=100)) if model == "package" else None
    return Charge(kind="metered", model=model, unit_amount=draw(unit_amounts), package_size=size)


@given(monotone_charges(), quantities, quantities)
def test_price_never_falls_when_usage_grows(charge: Charge, a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert D(0) <= rating.price(charge, low) <= rating.price(charge, high)


def test_volume_can_cost_less_for_more_units() -> None:
    # Stripe's volume semantics: the 11th unit moves every unit into the cheaper tier.
    charge = Charge(
        kind="metered",
        model="volume",
        tiers=(Tier(up_to=D(10), unit_amount=D("2.00")), Tier(up_to=None, unit_amount=D("1.00"))),
    )
    assert rating.price(charge, D(10)) == D("20.00")
    assert rating.price(charge, D(11)) == D("11.00")


@given(
    charge=metered_charges(metric_id=1),
    billed=quantities,
    extra=st.decimals(min_value=0, max_value=10000, places=3),
    currency=st.sampled_from(CURRENCIES),
)
def test_late_usage_and_the_original_line_add_up_to_the_whole(
    charge: Charge, billed: Decimal, extra: Decimal, currency: str
) -> None:
    now = billed + extra
    original = rating.metered_lines(charge, billed, OCT_2026, currency)
    late = rating.late_usage_line(charge, OCT_2026, now, billed, currency)
    whole = rating.metered_lines(charge, now, OCT_2026, currency)
    if extra == 0:
        assert late is None
        return
    assert late is not None
    assert places(late.amount) == exponent(currency)
    assert_written_exactly(late, currency)
    # Each line is rounded once: together they are off the whole by at most half a minor unit a line.
    lines = len(original) + len(whole) + 1
    assert abs(total(original) + late.amount - total(whole)) <= D(1).scaleb(-exponent(currency)) / 2 * lines
    assert late.usage_quantity == now
    assert late.quantity == (1 if late.amount >= 0 else -1)


deployments = st.tuples(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    st.none() | st.integers(min_value=0, max_value=400),
).map(lambda d: (d[0], None if d[1] is None else d[0] + timedelta(days=d[1])))


@given(
    st.lists(deployments, max_size=6),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    st.integers(min_value=1, max_value=60),
    st.dates(min_value=date(2025, 6, 1), max_value=date(2027, 6, 30)).map(Period.containing),
)
def test_device_days_are_bounded_and_additive(
    deployed: list[tuple[date, date | None]], contract_start: date, term_months: int, period: Period
) -> None:
    contract_end = contract_start + timedelta(days=30 * term_months)
    days = rating.device_days(deployed, contract_start, contract_end, period)
    active = rating.active_days(contract_start, contract_end, period)
    assert 0 <= days <= period.days * len(deployed)
    assert days <= active * len(deployed)
    assert days == sum(rating.device_days([d], contract_start, contract_end, period) for d in deployed)


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)))
def test_same_day_deployment_gives_zero_days(day: date) -> None:
    period = Period.containing(day)
    assert rating.device_days([(day, day)], date(2024, 1, 1), date(2029, 1, 1), period) == 0

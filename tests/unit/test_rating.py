"""Rating (billing.md): the worked example to the cent, edge cases of days and pricing models, and
properties that must hold for any plan and usage."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.billing import rating
from daas.billing.rating import Charge, ContractUsage, Line, Tier, UsageRecord
from daas.billing.tax import decide_tax, percent, tax_amount
from daas.core.money import exponent
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
    model="graduated",
    tiers=(Tier(up_to=D(10), unit_amount=D(0)), Tier(up_to=None, unit_amount=D("15.00"))),
)
SWAPS_PER_UNIT = Charge(
    kind="metered", metric_id=SWAPS, metric_code="express_swaps", model="per_unit", unit_amount=D("49.00")
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

    tickets = rating.aggregate("count", [UsageRecord() for _ in range(13)])
    swaps = rating.aggregate("sum", [UsageRecord(quantity=D(1))])
    usage = ContractUsage(
        active_days=active,
        device_days_by_model={LAPTOP: device_days},
        quantities={TICKETS: tickets, SWAPS: swaps},
    )
    lines = rating.rate_contract(LAPTOP_STD_36, usage, MINIMUM, OCT_2026, "EUR")

    assert amounts(lines) == [
        ("device_monthly", D("71.71")),  # 39.00 × 57 / 31 = 71.7096...
        ("metered", D("45.00")),  # 13 tickets: 10 free, 3 × 15.00
        ("metered", D("49.00")),
        ("minimum_true_up", D("334.29")),  # 500.00 − 165.71
    ]
    assert [str(line.amount) for line in lines] == ["71.71", "45.00", "49.00", "334.29"]
    assert lines[0].quantity == 57
    assert "57 device-days in 2026-10" in lines[0].description
    assert (lines[1].metric, lines[1].quantity, lines[1].usage_period) == ("support_tickets", 13, "2026-10")
    assert (lines[2].metric, lines[2].quantity, lines[2].unit_amount) == ("express_swaps", 1, D("49.00"))
    assert "500.00" in lines[3].description

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
    assert lines == []


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
        ("minimum_true_up", None, None, "500.00"),
    ]
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
    assert [line.kind for line in lines] == ["metered", "metered"]


def test_device_charge_limited_to_one_model() -> None:
    phones = Charge(kind="device_monthly", unit_amount=D("12.40"), device_model_id=2, device_model_sku="PH-1")
    usage = ContractUsage(active_days=31, device_days_by_model={LAPTOP: 31, 2: 62})
    lines = rating.rate_contract([DEVICES, phones], usage, None, OCT_2026, "EUR")
    # The unrestricted charge bills every model (93 days: 39 × 93 / 31); the PH-1 charge only its own.
    assert amounts(lines) == [("device_monthly", D("117.00")), ("device_monthly", D("24.80"))]
    assert lines[1].description.startswith("PH-1: 62 device-days in 2026-10")


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
    assert rating.metered_line(charge, D(7), OCT_2026, "EUR").amount == D("8.99")


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("0", "0"),  # no unit in any tier: no flat amount either
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
        ("0", "0"),
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


def test_unknown_model_and_aggregation_are_refused() -> None:
    with pytest.raises(ValueError, match="pricing model"):
        rating.price(Charge(kind="metered", model="stairstep"), D(1))
    with pytest.raises(ValueError, match="aggregation"):
        rating.aggregate("avg", [])


# -- aggregation ------------------------------------------------------------------------------------

EVENTS = [
    UsageRecord(quantity=D("2.5"), properties={"serial": "SN-1"}),
    UsageRecord(quantity=D(1), properties={"serial": "SN-2"}),
    UsageRecord(quantity=D(4), properties={"serial": "SN-1"}),
    UsageRecord(quantity=D(1), properties={"other": "x"}),  # no serial: ignored by unique_count
    UsageRecord(quantity=D(1), properties=None),
]


def test_aggregations() -> None:
    assert rating.aggregate("count", EVENTS) == 5
    assert rating.aggregate("sum", EVENTS) == D("9.5")
    assert rating.aggregate("max", EVENTS) == 4
    assert rating.aggregate("unique_count", EVENTS, "serial") == 2
    assert rating.aggregate("unique_count", EVENTS, "missing") == 0


def test_aggregations_without_events_are_zero() -> None:
    for aggregation in ("count", "sum", "max"):
        assert rating.aggregate(aggregation, []) == 0
    assert rating.aggregate("unique_count", [], "serial") == 0


# -- late usage -------------------------------------------------------------------------------------


def test_late_usage_keeps_the_tiers_right() -> None:
    invoiced = rating.metered_line(TICKETS_GRADUATED, D(8), OCT_2026, "EUR")
    assert invoiced.amount == D("0.00")  # 8 tickets are within the free 10
    late = rating.late_usage_line(TICKETS_GRADUATED, OCT_2026, D(13), D(8), "EUR")
    assert late is not None
    assert late.amount == D("45.00")  # rate(13) − rate(8) = 45.00 − 0, not 5 × 15.00 = 75.00
    assert late.kind == "late_usage"
    assert late.description == "Late usage 2026-10: support_tickets"  # billing.md's wording
    assert (late.quantity, late.usage_quantity, late.usage_period) == (5, 13, "2026-10")
    assert (
        invoiced.amount + late.amount == rating.metered_line(TICKETS_GRADUATED, D(13), OCT_2026, "EUR").amount
    )


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
    device_days = data.draw(st.integers(min_value=0, max_value=active * 5))
    usage = ContractUsage(
        active_days=active,
        device_days_by_model={LAPTOP: device_days},
        quantities={charge.metric_id or 0: data.draw(quantities) for charge in metered},
    )
    minimum = data.draw(st.none() | st.decimals(min_value=0, max_value=100000, places=exponent(currency)))

    lines = rating.rate_contract([*device_charges, *metered], usage, minimum, period, currency)

    for line in lines:
        assert places(line.amount) == exponent(currency), line
    charge_lines = [line for line in lines if line.kind != "minimum_true_up"]
    assert len(charge_lines) == len(metered) + (len(device_charges) if device_days else 0)
    charges_total = total(charge_lines)
    subtotal = total(lines)
    if minimum is None or active == 0:
        assert subtotal == charges_total
    else:
        floor = rating.prorated_minimum(minimum, active, period, currency)
        assert subtotal == max(charges_total, floor)
    for line, charge in zip(charge_lines[len(charge_lines) - len(metered) :], metered, strict=True):
        exact = rating.price(charge, usage.quantities[charge.metric_id or 0])
        assert abs(line.amount - exact) <= D(1).scaleb(-exponent(currency)) / 2


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
        assert rating.aggregate(aggregation, shuffled) == rating.aggregate(aggregation, records)
    assert rating.aggregate("unique_count", shuffled, "serial") == rating.aggregate(
        "unique_count", records, "serial"
    )


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
    original = rating.metered_line(charge, billed, OCT_2026, currency)
    late = rating.late_usage_line(charge, OCT_2026, now, billed, currency)
    whole = rating.metered_line(charge, now, OCT_2026, currency).amount
    if extra == 0:
        assert late is None
        return
    assert late is not None
    assert places(late.amount) == exponent(currency)
    # Each of the two lines is rounded once: together they are off the whole by at most one minor unit.
    assert abs(original.amount + late.amount - whole) <= D(1).scaleb(-exponent(currency))
    assert late.usage_quantity == now
    assert late.quantity == extra


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

"""Attribution (daas.impact.attribution) without a database: the worked example, a device bought out,
conservation to the gram over random device histories (allocated + transferred + residual), and months
that do not change the figures."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from daas.impact.attribution import (
    DeviceFacts,
    DeviceState,
    EndOfLife,
    Refurbishment,
    Row,
    Sale,
    Service,
    Upgrade,
    add_row,
    attribute_period,
    grams,
    month_starts,
)
from daas.impact.parameters import DEFAULTS

LAPTOP = DeviceFacts(1, "laptop", Decimal("300"), Decimal("1.5"), Decimal("20"))
FAR = date(2100, 1, 1)


def attribute(facts, services, events, monthly=True, parameters=DEFAULTS):
    """Every row of a device's history, month by month (as the ledger does) or in one go."""
    state = DeviceState.new(facts, parameters)
    first = min([s.start for s in services] + [e.on for e in events])
    last = max([s.end or s.start for s in services] + [e.on for e in events]) + timedelta(days=1)
    windows = [(first, last)]
    if monthly:
        starts = month_starts(first, last)
        windows = [(a, b) for a, b in zip(starts, [*starts[1:], last + timedelta(days=32)], strict=True)]
    rows = []
    for start, end in windows:
        period_rows, state = attribute_period(facts, state, services, events, start, end, parameters)
        rows.extend(period_rows)
    return rows, state


def totals(rows):
    out: dict[int | None, Row] = defaultdict(lambda: Row(None))
    for row in rows:
        add_row(out[row.contract_id], row)
    return {
        key: (
            r.service_days,
            r.allocated_co2e_kg,
            r.allocated_mass_kg,
            r.transferred_co2e_kg,
            r.transferred_mass_kg,
            r.avoided_co2e_kg,
            r.avoided_ewaste_kg,
            r.certified_recycled_kg,
            r.unmanaged_ewaste_avoided_kg,
            r.use_phase_kwh,
        )
        for key, r in out.items()
    }


def test_the_worked_example():
    a = Service(1, date(2020, 1, 1), date(2020, 1, 1) + timedelta(days=1000), life=1)
    b = Service(2, a.end + timedelta(days=5), a.end + timedelta(days=735), life=2)
    c = Service(3, b.end + timedelta(days=3), b.end + timedelta(days=203), life=3)
    events = [Refurbishment(a.end + timedelta(days=2), "A"), EndOfLife(c.end + timedelta(days=1), "recycle")]
    by_contract = {
        key: value[:3] + value[5:7] for key, value in totals(attribute(LAPTOP, [a, b, c], events)[0]).items()
    }
    assert by_contract[1] == (
        1000,
        Decimal("205.479"),
        Decimal("1.027"),
        Decimal("0.000"),
        Decimal("0.000"),
    )
    assert by_contract[2] == (
        730,
        Decimal("109.521"),
        Decimal("0.473"),
        Decimal("40.479"),
        Decimal("0.277"),
    )
    assert by_contract[3] == (
        200,
        Decimal("0.000"),
        Decimal("0.000"),
        Decimal("41.096"),
        Decimal("0.205"),
    )
    assert by_contract[None][1:3] == (Decimal("0.000"), Decimal("0.000"))  # nothing left at recycling


def test_a_first_life_of_exactly_the_reference_life_avoids_nothing():
    life = Service(1, date(2021, 3, 17), date(2021, 3, 17) + timedelta(days=1460))
    rows, state = attribute(LAPTOP, [life], [EndOfLife(life.end, "harvest")])
    contract = totals(rows)[1]
    assert contract[:3] + contract[5:7] == (
        1460,
        Decimal("300.000"),
        Decimal("1.500"),
        Decimal("0.000"),
        Decimal("0.000"),
    )
    assert state.balance_co2 == 0 and state.ended


def test_days_past_the_expectation_charge_nothing_and_an_early_end_leaves_a_residual():
    long_life = Service(1, date(2020, 1, 1), date(2020, 1, 1) + timedelta(days=2000))
    assert totals(attribute(LAPTOP, [long_life], [])[0])[1][1] == Decimal("300.000")
    short = Service(1, date(2020, 1, 1), date(2020, 1, 1) + timedelta(days=100))
    rows, _ = attribute(LAPTOP, [short], [EndOfLife(short.end, "lose")])
    by_contract = totals(rows)
    assert by_contract[1][1] == Decimal("20.548")  # 100 × 300 / 1460
    assert by_contract[None][1] == Decimal("279.452")  # the provider's residual


def test_a_device_bought_out_after_its_first_life_transfers_what_is_left_to_the_buyer():
    """impact.md's laptop, bought by contract A's customer after 1,000 days: A carries 205.479 kg and
    1.027 kg as before, and takes over the 94.521 kg and 0.473 kg left, in the sale's month; nothing is
    avoided by the sale, and the provider keeps nothing."""
    life = Service(1, date(2020, 1, 1), date(2020, 1, 1) + timedelta(days=1000), life=1)
    rows, state = attribute(LAPTOP, [life], [Sale(life.end, 1)])
    by_contract = totals(rows)
    assert list(by_contract) == [1]  # no provider row
    assert by_contract[1][:7] == (
        1000,
        Decimal("205.479"),
        Decimal("1.027"),
        Decimal("94.521"),
        Decimal("0.473"),
        Decimal("0.000"),  # avoided CO2e: a first life, and a sale avoids nothing
        Decimal("0.000"),
    )
    (sale_row,) = [row for row in rows if row.transferred_co2e_kg]
    assert life.end == date(2022, 9, 27)
    assert (sale_row.service_days, sale_row.life) == (26, 1)  # September 2022's row: 26 days served
    assert state.ended and state.balance_co2 == state.balance_mass == 0
    assert (sale_row.balance_co2e_kg, sale_row.balance_mass_kg) == (Decimal("0.000"), Decimal("0.000"))


def test_a_sale_on_the_first_of_a_month_is_a_row_of_the_transfer_alone():
    life = Service(7, date(2021, 3, 10), date(2023, 6, 1), life=2)
    rows, _ = attribute(LAPTOP, [life], [Refurbishment(date(2021, 3, 1), "B"), Sale(date(2023, 6, 1), 7)])
    june = rows[-1]
    assert (june.contract_id, june.service_days, june.life) == (7, 0, 2)
    assert june.allocated_co2e_kg == 0 and june.avoided_co2e_kg == 0 and june.use_phase_kwh == 0
    total = totals(rows)[7]
    assert total[1] + total[3] == Decimal("315.000")  # E0 + R, to the gram
    assert total[2] + total[4] == Decimal("1.500")


@st.composite
def histories(draw):
    """A device with one to four lives on random contracts, refurbished or not between them, upgraded or
    not during them, and recycled, harvested, lost or still in service at the end."""
    facts = DeviceFacts(
        1,
        draw(st.sampled_from(["laptop", "monitor", "phone", "desktop", "tablet", "dock"])),
        Decimal(draw(st.integers(1_000, 900_000))) / 1000,
        Decimal(draw(st.integers(100, 9_000))) / 1000,
        Decimal(draw(st.integers(0, 300_000))) / 1000,
    )
    day = date(2020, 1, 1) + timedelta(days=draw(st.integers(0, 400)))
    services, events = [], []
    for life in range(1, draw(st.integers(1, 4)) + 1):
        if life > 1:
            day += timedelta(days=draw(st.integers(0, 40)))
            if draw(st.booleans()):
                events.append(Refurbishment(day, draw(st.sampled_from("ABCD"))))
                day += timedelta(days=draw(st.integers(0, 20)))
        length = draw(st.integers(1, 1300))
        services.append(Service(draw(st.integers(1, 4)), day, day + timedelta(days=length), life))
        if length > 2 and draw(st.booleans()):
            events.append(
                Upgrade(
                    day + timedelta(days=draw(st.integers(1, length - 1))),
                    draw(st.sampled_from(["battery", "storage", "memory"])),
                )
            )
        day += timedelta(days=length)
    ending = draw(st.sampled_from(["recycle", "harvest", "lose", "sell", None]))
    if ending == "sell":  # bought out by the customer of its last life: that deployment ends on the day
        events.append(Sale(services[-1].end, services[-1].contract_id))
    elif ending == "lose" and draw(st.booleans()):
        services[-1] = Service(services[-1].contract_id, services[-1].start, None, services[-1].life)
        events.append(EndOfLife(day, "lose"))  # lost while deployed: nothing is served after it
    elif ending:
        events.append(EndOfLife(day + timedelta(days=draw(st.integers(0, 30))), ending))
    events.sort(key=lambda event: event.on)
    return facts, services, events


def added_kg(facts, events):
    added = Decimal(0)
    for event in events:
        if isinstance(event, Refurbishment):
            added += DEFAULTS.refurbishment_kg[facts.category]
        elif isinstance(event, Upgrade):
            added += DEFAULTS.upgrade_kit_kg[event.kit]
        elif isinstance(event, EndOfLife | Sale):
            break
    return added


@settings(max_examples=300, deadline=None)
@given(histories())
def test_allocated_and_residual_add_up_to_the_footprint_to_the_gram(history):
    facts, services, events = history
    rows, state = attribute(facts, services, events)
    allocated = sum((row.allocated_co2e_kg + row.transferred_co2e_kg for row in rows), Decimal(0))
    mass = sum((row.allocated_mass_kg + row.transferred_mass_kg for row in rows), Decimal(0))
    footprint = facts.embodied_kg + added_kg(facts, events)
    if state.ended:
        assert allocated == footprint
        assert mass == facts.mass_kg
    else:
        assert allocated <= footprint and mass <= facts.mass_kg
        assert abs(allocated + grams(state.balance_co2) - footprint) <= Decimal("0.001")
    recycled = sum((row.certified_recycled_kg for row in rows), Decimal(0))
    assert recycled == (facts.mass_kg if any(getattr(e, "kind", "") == "recycle" for e in events) else 0)
    assert all(row.allocated_co2e_kg >= 0 and row.allocated_mass_kg >= 0 for row in rows)
    assert all(row.transferred_co2e_kg >= 0 and row.transferred_mass_kg >= 0 for row in rows)


@st.composite
def histories_ending_in_a_sale(draw):
    facts, services, events = draw(histories())
    last = services[-1]
    if last.end is None:  # lost while deployed: sold on that day instead
        lost = next(event for event in events if isinstance(event, EndOfLife))
        last = Service(last.contract_id, last.start, lost.on, last.life)
        services = [*services[:-1], last]
    events = [event for event in events if not isinstance(event, EndOfLife | Sale)]
    events.append(Sale(last.end, last.contract_id))
    return facts, services, events


@settings(max_examples=300, deadline=None)
@given(histories_ending_in_a_sale())
def test_a_sale_ends_the_device_with_allocated_plus_transferred_equal_to_its_footprint(history):
    """Whatever came before, the device's rows add up to E0 + ΣR and m to the gram, the buyer's row of
    the sale's month holds the transfer, the provider has no row, and the sale avoids nothing: the
    avoided figures are those of the same history without the sale."""
    facts, services, events = history
    rows, state = attribute(facts, services, events)
    assert state.ended
    footprint = facts.embodied_kg + added_kg(facts, events)
    allocated = sum((row.allocated_co2e_kg for row in rows), Decimal(0))
    transferred = sum((row.transferred_co2e_kg for row in rows), Decimal(0))
    mass = sum((row.allocated_mass_kg for row in rows), Decimal(0))
    transferred_mass = sum((row.transferred_mass_kg for row in rows), Decimal(0))
    assert allocated + transferred == footprint
    assert mass + transferred_mass == facts.mass_kg
    assert all(row.contract_id is not None for row in rows)  # no provider residual
    buyer = services[-1].contract_id
    with_transfer = [row for row in rows if row.transferred_co2e_kg or row.transferred_mass_kg]
    assert all(row.contract_id == buyer for row in with_transfer)
    assert len(with_transfer) <= 1  # one row: the buyer's, of the sale's month
    unsold, _ = attribute(facts, services, events[:-1])
    sold_totals, unsold_totals = totals(rows), totals(unsold)
    for contract_id, figures in unsold_totals.items():
        if contract_id is None:
            continue
        assert sold_totals[contract_id][:3] == figures[:3]  # days and allocations
        assert sold_totals[contract_id][5:] == figures[5:]  # avoided, recycled and use phase
    state = DeviceState.new(facts, DEFAULTS)
    sale = events[-1]
    for start in month_starts(services[0].start, sale.on):
        end = (start + timedelta(days=32)).replace(day=1)
        month_rows, state = attribute_period(facts, state, services, events, start, end, DEFAULTS)
        if any(row.transferred_co2e_kg or row.transferred_mass_kg for row in month_rows):
            assert start <= sale.on < end  # in the sale's own month


@settings(max_examples=200, deadline=None)
@given(histories())
def test_cutting_a_history_into_months_changes_no_figure(history):
    facts, services, events = history
    monthly, _ = attribute(facts, services, events, monthly=True)
    at_once, _ = attribute(facts, services, events, monthly=False)
    assert totals(monthly) == totals(at_once)

"""Attribution (daas.impact.attribution) without a database: the worked example, conservation to the gram
over random device histories, and months that do not change the figures."""

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
    by_contract = totals(attribute(LAPTOP, [a, b, c], events)[0])
    assert by_contract[1][:5] == (
        1000,
        Decimal("205.479"),
        Decimal("1.027"),
        Decimal("0.000"),
        Decimal("0.000"),
    )
    assert by_contract[2][:5] == (
        730,
        Decimal("109.521"),
        Decimal("0.473"),
        Decimal("40.479"),
        Decimal("0.277"),
    )
    assert by_contract[3][:5] == (
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
    assert contract[:5] == (1460, Decimal("300.000"), Decimal("1.500"), Decimal("0.000"), Decimal("0.000"))
    assert state.balance_co2 == 0 and state.ended


def test_days_past_the_expectation_charge_nothing_and_an_early_end_leaves_a_residual():
    long_life = Service(1, date(2020, 1, 1), date(2020, 1, 1) + timedelta(days=2000))
    assert totals(attribute(LAPTOP, [long_life], [])[0])[1][1] == Decimal("300.000")
    short = Service(1, date(2020, 1, 1), date(2020, 1, 1) + timedelta(days=100))
    rows, _ = attribute(LAPTOP, [short], [EndOfLife(short.end, "lose")])
    by_contract = totals(rows)
    assert by_contract[1][1] == Decimal("20.548")  # 100 × 300 / 1460
    assert by_contract[None][1] == Decimal("279.452")  # the provider's residual


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
    ending = draw(st.sampled_from(["recycle", "harvest", "lose", None]))
    if ending == "lose" and draw(st.booleans()):
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
        elif isinstance(event, EndOfLife):
            break
    return added


@settings(max_examples=300, deadline=None)
@given(histories())
def test_allocated_and_residual_add_up_to_the_footprint_to_the_gram(history):
    facts, services, events = history
    rows, state = attribute(facts, services, events)
    allocated = sum((row.allocated_co2e_kg for row in rows), Decimal(0))
    mass = sum((row.allocated_mass_kg for row in rows), Decimal(0))
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


@settings(max_examples=200, deadline=None)
@given(histories())
def test_cutting_a_history_into_months_changes_no_figure(history):
    facts, services, events = history
    monthly, _ = attribute(facts, services, events, monthly=True)
    at_once, _ = attribute(facts, services, events, monthly=False)
    assert totals(monthly) == totals(at_once)

"""The rules of a contract's plan history (billing.md "Contract changes"): which plan is in force on a day,
a period split at the days a plan took effect, what a change does to the history, what an upgrade is, and
when a change without `from` takes effect."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from daas.contracts import plan_changes
from daas.contracts.plan_changes import PlanSpan, PlanWindow

D = Decimal
NOV_1, DEC_1 = date(2026, 11, 1), date(2026, 12, 1)
HISTORY = [
    PlanSpan("A", date(2026, 1, 1), date(2026, 11, 10)),
    PlanSpan("B", date(2026, 11, 10), date(2026, 11, 20), D("700.00")),
    PlanSpan("C", date(2026, 11, 20), None),
]


def test_the_plan_in_force_before_the_first_and_after_the_last_is_the_nearest():
    assert [plan_changes.in_force(HISTORY, day).plan for day in (date(2025, 6, 1), date(2026, 1, 1))] == [
        "A",
        "A",
    ]
    assert plan_changes.in_force(HISTORY, date(2026, 11, 9)).plan == "A"
    assert plan_changes.in_force(HISTORY, date(2026, 11, 10)).plan == "B"
    assert plan_changes.in_force(HISTORY, date(2031, 1, 1)).plan == "C"


def test_a_period_is_split_at_the_days_a_plan_took_effect():
    assert plan_changes.windows(HISTORY, NOV_1, DEC_1) == [
        PlanWindow(HISTORY[0], NOV_1, date(2026, 11, 10)),
        PlanWindow(HISTORY[1], date(2026, 11, 10), date(2026, 11, 20)),
        PlanWindow(HISTORY[2], date(2026, 11, 20), DEC_1),
    ]
    # A period on one plan is one window, the whole period.
    october = plan_changes.windows(HISTORY, date(2026, 10, 1), NOV_1)
    assert october == [PlanWindow(HISTORY[0], date(2026, 10, 1), NOV_1)]
    # The first window starts on the period's first day even when the plan starts later (a contract that
    # starts mid-month), so every event of the period falls in a window.
    started = [PlanSpan("A", date(2026, 11, 5), date(2026, 11, 12)), PlanSpan("B", date(2026, 11, 12))]
    assert [(w.span.plan, w.start, w.end) for w in plan_changes.windows(started, NOV_1, DEC_1)] == [
        ("A", NOV_1, date(2026, 11, 12)),
        ("B", date(2026, 11, 12), DEC_1),
    ]


def test_a_change_cuts_the_plan_in_force_and_supersedes_later_ones():
    changed = plan_changes.changed(HISTORY, "D", date(2026, 11, 15), None)
    assert changed == [
        HISTORY[0],
        PlanSpan("B", date(2026, 11, 10), date(2026, 11, 15), D("700.00")),
        PlanSpan("D", date(2026, 11, 15), None),
    ]
    # From the day a plan started: that plan is replaced, not cut to nothing.
    assert plan_changes.changed(HISTORY, "D", date(2026, 11, 10), D("1.00")) == [
        HISTORY[0],
        PlanSpan("D", date(2026, 11, 10), None, D("1.00")),
    ]


def test_a_terminated_contract_drops_plans_that_would_start_after_its_end():
    assert plan_changes.until(HISTORY, date(2026, 11, 20)) == [
        HISTORY[0],
        PlanSpan("B", date(2026, 11, 10), None, D("700.00")),
    ]
    assert plan_changes.until(HISTORY[:1], date(2026, 3, 1)) == [PlanSpan("A", date(2026, 1, 1), None)]


@st.composite
def histories(draw):
    days = sorted(draw(st.sets(st.integers(min_value=0, max_value=120), min_size=1, max_size=6)))
    starts = [date.fromordinal(date(2026, 9, 1).toordinal() + day) for day in days]
    return [
        PlanSpan(f"P{index}", start, starts[index + 1] if index + 1 < len(starts) else None)
        for index, start in enumerate(starts)
    ]


@given(histories(), st.integers(min_value=0, max_value=150), st.sampled_from(["X", "P0"]))
def test_any_change_leaves_a_contiguous_history_with_one_open_plan(history, offset, plan):
    from_date = history[0].starts_on + timedelta(days=offset)
    changed = plan_changes.changed(history, plan, from_date, None)
    assert changed[0].starts_on == history[0].starts_on
    assert [span.ends_on for span in changed[:-1]] == [span.starts_on for span in changed[1:]]
    assert changed[-1] == PlanSpan(plan, from_date, None)
    assert all(span.ends_on is None or span.ends_on > span.starts_on for span in changed)
    # What was in force before `from` still is.
    for day in range(history[0].starts_on.toordinal(), from_date.toordinal()):
        assert plan_changes.in_force(changed, date.fromordinal(day)).plan == (
            plan_changes.in_force(history, date.fromordinal(day)).plan
        )


@given(histories(), st.integers(min_value=1, max_value=31))
def test_the_windows_of_any_period_cover_it_once(history, day):
    start = date(2026, 10, 1)
    end = date(2026, 10, day) if day > 1 else date(2026, 11, 1)
    found = plan_changes.windows(history, start, end)
    assert found[0].start == start and found[-1].end == end
    assert [w.end for w in found[:-1]] == [w.start for w in found[1:]]
    for window in found:
        assert window.start < window.end
        assert plan_changes.in_force(history, window.start).plan == window.span.plan


# -- upgrades --------------------------------------------------------------------------------------------

LAPTOP, PHONE = 1, 2


def test_an_upgrade_costs_every_device_at_least_as_much_and_has_at_least_the_minimum():
    current = [(None, D("39.00"))]
    assert plan_changes.is_upgrade(current, D("500.00"), [(None, D("49.00"))], D("700.00"))
    assert plan_changes.is_upgrade(current, D("500.00"), [(None, D("39.00"))], D("500.00"))  # the same
    assert not plan_changes.is_upgrade(current, D("500.00"), [(None, D("49.00"))], D("400.00"))
    assert not plan_changes.is_upgrade(current, D("500.00"), [(None, D("29.00"))], D("900.00"))
    # No minimum counts as 0.
    assert plan_changes.is_upgrade(current, None, [(None, D("39.00"))], D("1.00"))
    assert not plan_changes.is_upgrade(current, D("1.00"), [(None, D("39.00"))], None)


def test_a_device_costs_what_the_charges_for_its_model_and_for_every_model_add_up_to():
    # Current: 39.00 for any model. New: 30.00 for any model and 15.00 more for laptops. A laptop goes
    # from 39.00 to 45.00, but a phone (any other model) from 39.00 to 30.00: not an upgrade.
    assert plan_changes.monthly_amounts([(None, D("30.00")), (LAPTOP, D("15.00"))]) == {
        None: D("30.00"),
        LAPTOP: D("45.00"),
    }
    assert not plan_changes.is_upgrade(
        [(None, D("39.00"))], None, [(None, D("30.00")), (LAPTOP, D("15.00"))], None
    )
    # A plan that bills laptops only bills nothing for other models: from laptops at 39.00 to every model at
    # 39.00 is an upgrade (a phone now costs 39.00 instead of not being billed).
    assert plan_changes.is_upgrade([(LAPTOP, D("39.00"))], None, [(None, D("39.00"))], None)
    assert not plan_changes.is_upgrade([(None, D("39.00"))], None, [(LAPTOP, D("49.00"))], None)
    # Per model: laptops up, phones down is not an upgrade.
    assert not plan_changes.is_upgrade(
        [(LAPTOP, D("39.00")), (PHONE, D("20.00"))], None, [(LAPTOP, D("49.00")), (PHONE, D("19.99"))], None
    )
    assert plan_changes.is_upgrade(
        [(LAPTOP, D("39.00")), (PHONE, D("20.00"))], None, [(LAPTOP, D("49.00")), (PHONE, D("20.00"))], None
    )


def test_a_change_without_from_takes_effect_today_for_an_upgrade_else_next_month():
    assert plan_changes.default_start(True, date(2026, 11, 15)) == date(2026, 11, 15)
    assert plan_changes.default_start(False, date(2026, 11, 15)) == DEC_1
    assert plan_changes.default_start(False, date(2026, 12, 31)) == date(2027, 1, 1)
    assert plan_changes.default_start(False, DEC_1) == date(2027, 1, 1)

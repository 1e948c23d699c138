"""Rating a month with several plans (billing.md "Contract changes"): each plan bills its own days, to the
cent: device lines for the device-days of its days, metered usage of its days rated alone (tiers start
again), its minimum prorated by its active days with its own true-up; and lines name their plan and days.
The properties: for any change day and devices, the windows' device-days add up to the month's, and each
window bills exactly what rating it alone bills."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from daas.billing import rating
from daas.billing.line_wording import DESCRIPTION_LIMIT
from daas.billing.plan_windows import PlanWindow, rate_plan_windows
from daas.billing.rating import Charge, ContractUsage, Line, Tier
from daas.contracts import plan_changes
from daas.contracts.plan_changes import PlanSpan
from daas.core.periods import Period

D = Decimal
NOVEMBER = Period.parse("2026-11")
CHANGE = date(2026, 11, 10)
TICKETS = 10
CONTRACT_START, CONTRACT_END = date(2026, 1, 1), date(2029, 1, 1)


def tickets(*tiers: Tier) -> Charge:
    return Charge(
        kind="metered",
        metric_id=TICKETS,
        metric_code="support_tickets",
        metric_name="Support tickets",
        model="graduated",
        tiers=tiers,
    )


PLAN_A = (
    Charge(kind="device_monthly", unit_amount=D("39.00")),
    tickets(Tier(D(10), D(0)), Tier(None, D("15.00"))),
)
PLAN_B = (
    Charge(kind="device_monthly", unit_amount=D("49.00")),
    tickets(Tier(D(10), D(0)), Tier(None, D("12.00"))),
)
MINIMUMS = {"laptop-std-36": D("500.00"), "laptop-pro-36": D("700.00")}
CHARGES = {"laptop-std-36": PLAN_A, "laptop-pro-36": PLAN_B}
HISTORY = [PlanSpan("laptop-std-36", CONTRACT_START, CHANGE), PlanSpan("laptop-pro-36", CHANGE)]
TWO_LAPTOPS = [(date(2026, 10, 1), None), (date(2026, 10, 15), None)]


def plan_windows(
    history: list[PlanSpan[str]],
    deployments: list[tuple[date, date | None]],
    quantities: dict[date, dict[int, Decimal]],
    contract_start: date = CONTRACT_START,
    contract_end: date = CONTRACT_END,
    period: Period = NOVEMBER,
) -> list[PlanWindow]:
    """The month's windows as the billing run measures them: each plan's days, its device-days and the
    usage of its days."""
    windows = []
    for window in plan_changes.windows(history, period.start, period.end):
        first = max(window.start, contract_start)
        last = min(window.end, contract_end) - timedelta(days=1)
        windows.append(
            PlanWindow(
                plan_code=window.span.plan,
                start=window.start,
                end=window.end,
                charges=CHARGES[window.span.plan],
                minimum=MINIMUMS[window.span.plan],
                usage=ContractUsage(
                    active_days=rating.overlap_days(contract_start, contract_end, window.start, window.end),
                    device_days_by_model={
                        1: rating.device_days_between(
                            deployments, contract_start, contract_end, window.start, window.end
                        )
                    },
                    quantities=quantities.get(window.start, {}),
                ),
                first_day=first if first <= last else window.start,
                last_day=last if first <= last else window.end - timedelta(days=1),
            )
        )
    return windows


def shown(lines: list[Line]) -> list[tuple[str | None, str, str, Decimal]]:
    return [(line.plan_code, line.kind, line.description, line.amount) for line in lines]


def test_a_change_on_the_10th_bills_each_plan_its_own_days_to_the_cent():
    usage = {NOVEMBER.start: {TICKETS: D(12)}, CHANGE: {TICKETS: D(7)}}
    lines = rate_plan_windows(plan_windows(HISTORY, TWO_LAPTOPS, usage), NOVEMBER, "EUR")
    a, b = "Plan laptop-std-36, 1–9 Nov: ", "Plan laptop-pro-36, 10–30 Nov: "
    assert shown(lines) == [
        # Plan A, 9 days: 2 laptops × 9 = 18 device-days × 39.00 / 30.
        ("laptop-std-36", "device_monthly", a + "Devices: 18 device-days in November 2026", D("23.40")),
        ("laptop-std-36", "metered", a + "Support tickets, units 1-10 at 0.00", D("0.00")),
        ("laptop-std-36", "metered", a + "Support tickets, units 11-12 at 15.00", D("30.00")),
        # 500.00 × 9 / 30 = 150.00, less its lines 53.40.
        (
            "laptop-std-36",
            "minimum_true_up",
            a + "Minimum commitment 150.00 for November 2026 (9 of 30 days)",
            D("96.60"),
        ),
        # Plan B, 21 days: 42 device-days × 49.00 / 30; its 7 tickets fall in its own free tier again.
        ("laptop-pro-36", "device_monthly", b + "Devices: 42 device-days in November 2026", D("68.60")),
        ("laptop-pro-36", "metered", b + "Support tickets, units 1-7 at 0.00", D("0.00")),
        # 700.00 × 21 / 30 = 490.00, less its lines 68.60.
        (
            "laptop-pro-36",
            "minimum_true_up",
            b + "Minimum commitment 490.00 for November 2026 (21 of 30 days)",
            D("421.40"),
        ),
    ]
    assert sum(line.amount for line in lines) == D("640.00")  # 150.00 + 490.00: both minimums
    # The usage each window carries is recorded per window at finalization.
    carried = [
        (line.plan_code, line.usage_window_start, line.usage_quantity) for line in lines if line.usage_period
    ]
    assert carried == [("laptop-std-36", NOVEMBER.start, D(12)), ("laptop-pro-36", CHANGE, D(7))]


def test_each_plan_bills_its_first_tiers_flat_amount_once_for_days_without_events():
    flat = tickets(Tier(D(5), D(0), D("5.00")), Tier(None, D("12.00")))
    charges = {"laptop-std-36": (flat,), "laptop-pro-36": (flat,)}
    windows = [
        PlanWindow(
            plan_code=w.plan_code,
            start=w.start,
            end=w.end,
            charges=charges[w.plan_code],
            minimum=None,
            usage=w.usage,
            first_day=w.first_day,
            last_day=w.last_day,
        )
        for w in plan_windows(HISTORY, [], {CHANGE: {TICKETS: D(8)}})
    ]
    lines = rate_plan_windows(windows, NOVEMBER, "EUR")
    assert [(line.plan_code, line.description.split(": ", 1)[1], line.amount) for line in lines] == [
        ("laptop-std-36", "Support tickets, flat fee (units 1-5)", D("5.00")),  # no events: tier 1's flat
        ("laptop-pro-36", "Support tickets, units 1-5 at 0.00", D("0.00")),
        ("laptop-pro-36", "Support tickets, flat fee (units 1-5)", D("5.00")),
        ("laptop-pro-36", "Support tickets, units 6-8 at 12.00", D("36.00")),
    ]


def test_a_month_on_one_plan_is_rated_as_always_and_names_no_plan():
    (window,) = plan_windows([PlanSpan("laptop-std-36", CONTRACT_START)], TWO_LAPTOPS, {})
    lines = rate_plan_windows([window], NOVEMBER, "EUR")
    assert lines == rating.rate_contract(PLAN_A, window.usage, D("500.00"), NOVEMBER, "EUR")
    assert {line.plan_code for line in lines} == {None}
    assert {line.usage_window_start for line in lines} == {None}


def test_plan_lines_are_worded_in_the_customers_language_and_fit_their_column():
    usage = {NOVEMBER.start: {TICKETS: D(1)}}
    firsts = {
        language: rate_plan_windows(
            plan_windows(HISTORY, TWO_LAPTOPS, usage), NOVEMBER, "EUR", language=language
        )[0].description
        for language in ("en", "nl", "de", "fr")
    }
    assert firsts == {
        "en": "Plan laptop-std-36, 1–9 Nov: Devices: 18 device-days in November 2026",
        "nl": "Abonnement laptop-std-36, 1–9 nov: Apparaten: 18 apparaatdagen in november 2026",
        "de": "Tarif laptop-std-36, 1.–9. Nov.: Geräte: 18 Gerätetage im November 2026",
        "fr": "Formule laptop-std-36, 1–9 nov.\u00a0: Appareils\u00a0: 18 jours-appareil en novembre 2026",
    }
    long_code = "p" * 64
    long_history = [PlanSpan(long_code, CONTRACT_START, CHANGE), PlanSpan("laptop-pro-36", CHANGE)]
    CHARGES[long_code], MINIMUMS[long_code] = (
        (Charge(kind="device_monthly", unit_amount=D(1), device_model_id=1, device_model_name="M" * 200),),
        None,
    )
    try:
        windows = plan_windows(long_history, TWO_LAPTOPS, {})
        lines = rate_plan_windows(windows, NOVEMBER, "EUR", language="fr")
    finally:
        del CHARGES[long_code], MINIMUMS[long_code]
    assert max(len(line.description) for line in lines) == DESCRIPTION_LIMIT
    assert lines[0].description.startswith(f"Formule {long_code}, 1–9 nov.\u00a0: MMM")
    assert lines[0].description.endswith("…")


# -- properties ------------------------------------------------------------------------------------------


@st.composite
def deployments(draw):
    """Up to 6 deployments around November 2026, some still running."""
    result = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        start = date(2026, 10, 1) + timedelta(days=draw(st.integers(min_value=0, max_value=75)))
        length = draw(st.none() | st.integers(min_value=0, max_value=60))
        result.append((start, None if length is None else start + timedelta(days=length)))
    return result


@given(
    st.integers(min_value=2, max_value=30),
    deployments(),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=40),
    st.sampled_from([(CONTRACT_START, CONTRACT_END), (date(2026, 11, 1), date(2026, 11, 25))]),
)
def test_windows_add_up_to_the_month_and_each_bills_what_it_alone_rates(
    change_day, served, before, after, contract
):
    contract_start, contract_end = contract
    change = date(2026, 11, change_day)
    history = [PlanSpan("laptop-std-36", contract_start, change), PlanSpan("laptop-pro-36", change)]
    usage = {NOVEMBER.start: {TICKETS: D(before)}, change: {TICKETS: D(after)}}
    windows = plan_windows(history, served, usage, contract_start, contract_end)

    assert len(windows) == 2
    whole = rating.device_days(served, contract_start, contract_end, NOVEMBER)
    assert sum(w.usage.device_days_by_model[1] for w in windows) == whole
    assert sum(w.usage.active_days for w in windows) == rating.active_days(
        contract_start, contract_end, NOVEMBER
    )

    lines = rate_plan_windows(windows, NOVEMBER, "EUR")
    for window in windows:
        alone = rating.rate_contract(window.charges, window.usage, window.minimum, NOVEMBER, "EUR")
        own = [line for line in lines if line.plan_code == window.plan_code]
        assert [(line.kind, line.amount, line.quantity) for line in own] == [
            (line.kind, line.amount, line.quantity) for line in alone
        ]
        assert all(line.description.endswith(a.description) for line, a in zip(own, alone, strict=True))
    assert len(lines) == sum(
        len(rating.rate_contract(w.charges, w.usage, w.minimum, NOVEMBER, "EUR")) for w in windows
    )

"""Plan validity (billing.md): errors keyed exactly where the request field is.

Plans are given as the API schemas produce them: amounts and bounds are `Decimal`s.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.pricing.rules import charge_errors, plan_errors, tier_errors

D = Decimal


def plan(*charges: dict[str, Any], currency: str = "EUR", minimum: str | None = None) -> dict[str, Any]:
    return {
        "currency": currency,
        "minimum_monthly_amount": None if minimum is None else D(minimum),
        "charges": list(charges),
    }


def device(unit_amount: str | None = "39.00", sku: str | None = None, **extra: Any) -> dict[str, Any]:
    charge = {"kind": "device_monthly", "unit_amount": None if unit_amount is None else D(unit_amount)}
    if sku is not None:
        charge["device_model_sku"] = sku
    return {**charge, **extra}


def metered(metric: str | None, model: str | None, **fields: Any) -> dict[str, Any]:
    return {"kind": "metered", "metric": metric, "model": model, **fields}


def tiers(*bounds: str | None) -> list[dict[str, Any]]:
    """Tiers with these `up_to` bounds (None: open), each at 1.00 a unit."""
    return [{"up_to": None if b is None else D(b), "unit_amount": D("1.00")} for b in bounds]


WORKED_EXAMPLE = plan(
    device("39.00"),
    metered(
        "support_tickets",
        "graduated",
        tiers=[
            {"up_to": D(10), "unit_amount": D(0)},
            {"up_to": None, "unit_amount": D("15.00")},
        ],
    ),
    metered("express_swaps", "per_unit", unit_amount=D("49.00")),
    minimum="500.00",
)


# -- valid plans -----------------------------------------------------------------------------------------


def test_worked_example_plan_is_valid() -> None:
    assert plan_errors(WORKED_EXAMPLE) == {}


@pytest.mark.parametrize(
    "charge",
    [
        device("39.00"),
        device("12.50", sku="DELL-LAT-5430"),
        metered("gb_transferred", "per_unit", unit_amount=D("0.000125")),
        metered("express_swaps", "package", unit_amount=D("100.00"), package_size=5),
        metered("support_tickets", "graduated", tiers=tiers("10", "100.5", None)),
        metered("seats", "volume", tiers=tiers(None)),
    ],
)
def test_each_kind_of_charge_can_be_valid(charge: dict[str, Any]) -> None:
    assert charge_errors(charge) == {}
    assert plan_errors(plan(charge)) == {}


def test_one_charge_per_device_model_is_valid() -> None:
    assert plan_errors(plan(device("39.00", sku="DELL-LAT-5430"), device("45.00", sku="DELL-LAT-7430"))) == {}


def test_jpy_plan_with_whole_yen_minimum_is_valid() -> None:
    assert plan_errors(plan(device("5000"), currency="JPY", minimum="60000")) == {}


# -- tiers -----------------------------------------------------------------------------------------------


def test_tiers_must_ascend_strictly() -> None:
    charge = metered("support_tickets", "graduated", tiers=tiers("10", "20", "15", None))
    assert plan_errors(plan(device(), charge)) == {
        "charges": {1: {"tiers": {2: {"up_to": ["Tiers must ascend: 15 is not above 20."]}}}}
    }


def test_equal_bounds_do_not_ascend() -> None:
    assert tier_errors(tiers("10", "10", None)) == {1: {"up_to": ["Tiers must ascend: 10 is not above 10."]}}


def test_only_the_last_tier_is_open() -> None:
    charge = metered("support_tickets", "volume", tiers=tiers("10", None, "50", None))
    assert plan_errors(plan(charge)) == {
        "charges": {0: {"tiers": {1: {"up_to": ["Only the last tier may be open (up_to null)."]}}}}
    }


def test_the_last_tier_must_be_open() -> None:
    charge = metered("support_tickets", "graduated", tiers=tiers("10", "20"))
    assert plan_errors(plan(charge)) == {
        "charges": {0: {"tiers": {1: {"up_to": ["The last tier must be open: up_to null."]}}}}
    }


def test_tier_bounds_are_above_zero() -> None:
    assert tier_errors(tiers("0", None)) == {0: {"up_to": ["Must be above 0."]}}


def test_tiered_charge_needs_at_least_one_tier() -> None:
    assert charge_errors(metered("support_tickets", "graduated", tiers=[])) == {
        "tiers": ["At least one tier."]
    }


bounds = st.lists(
    st.none() | st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=6,
)


@given(bounds)
def test_tiers_are_valid_exactly_when_they_ascend_to_an_open_end(up_tos: list[Decimal | None]) -> None:
    closed = up_tos[:-1]
    expected_valid = (
        up_tos[-1] is None
        and all(b is not None and b > 0 for b in closed)
        and all(a < b for a, b in pairwise(closed))
    )
    errors = tier_errors([{"up_to": b, "unit_amount": D(1)} for b in up_tos])
    assert (errors == {}) == expected_valid
    assert set(errors) <= set(range(len(up_tos)))


@given(st.sets(st.integers(min_value=1, max_value=10**6), max_size=8))
def test_sorted_distinct_bounds_with_an_open_end_are_valid(numbers: set[int]) -> None:
    assert tier_errors(tiers(*[str(n) for n in sorted(numbers)], None)) == {}


# -- fields by kind and model ----------------------------------------------------------------------------


def test_metered_charge_needs_a_model() -> None:
    assert plan_errors(plan(device(), metered("support_tickets", None, unit_amount=D(1)))) == {
        "charges": {1: {"model": ["A metered charge needs its pricing model."]}}
    }


def test_metered_charge_needs_a_metric() -> None:
    assert plan_errors(plan(metered(None, "per_unit", unit_amount=D(1)))) == {
        "charges": {0: {"metric": ["A metered charge needs the metric it bills."]}}
    }


def test_per_unit_needs_unit_amount_and_no_tiers() -> None:
    assert charge_errors(metered("express_swaps", "per_unit")) == {
        "unit_amount": ["Required by a per_unit charge."]
    }
    assert charge_errors(metered("express_swaps", "per_unit", unit_amount=D(49), tiers=tiers(None))) == {
        "tiers": ["Not used by a per_unit charge; leave it out."]
    }
    assert charge_errors(metered("express_swaps", "per_unit", unit_amount=D(49), package_size=10)) == {
        "package_size": ["Not used by a per_unit charge; leave it out."]
    }


def test_package_needs_unit_amount_and_package_size() -> None:
    assert charge_errors(metered("express_swaps", "package")) == {
        "unit_amount": ["Required by a package charge."],
        "package_size": ["Required by a package charge."],
    }
    assert charge_errors(metered("express_swaps", "package", unit_amount=D(100))) == {
        "package_size": ["Required by a package charge."]
    }


@pytest.mark.parametrize("model", ["graduated", "volume"])
def test_tiered_models_need_tiers_and_no_unit_amount(model: str) -> None:
    assert charge_errors(metered("support_tickets", model)) == {"tiers": [f"Required by a {model} charge."]}
    assert charge_errors(metered("support_tickets", model, tiers=tiers(None), unit_amount=D(15))) == {
        "unit_amount": [f"Not used by a {model} charge; leave it out."]
    }


def test_tier_problems_wait_for_the_charges_fields() -> None:
    charge = metered("support_tickets", "graduated", tiers=tiers("10", "5"), unit_amount=D(1))
    assert charge_errors(charge) == {"unit_amount": ["Not used by a graduated charge; leave it out."]}


def test_device_charge_carries_no_metric_model_or_tiers() -> None:
    charge = device("39.00", metric="support_tickets", model="per_unit", tiers=tiers(None))
    assert plan_errors(plan(charge)) == {
        "charges": {
            0: {
                "metric": ["Not used by device_monthly; leave it out."],
                "model": ["Not used by device_monthly; leave it out."],
                "tiers": ["Not used by device_monthly; leave it out."],
            }
        }
    }


def test_device_charge_needs_unit_amount() -> None:
    assert charge_errors(device(None)) == {"unit_amount": ["Required by device_monthly."]}


# -- one charge per device and per metric ----------------------------------------------------------------


def test_two_charges_for_one_metric() -> None:
    result = plan_errors(
        plan(
            metered("support_tickets", "per_unit", unit_amount=D(15)),
            device(),
            metered("support_tickets", "graduated", tiers=tiers(None)),
        )
    )
    assert result == {"charges": {2: {"metric": ["Another charge already bills support_tickets."]}}}


def test_two_charges_for_one_device_model() -> None:
    result = plan_errors(
        plan(device("39.00", sku="DELL-LAT-5430"), device("45.00", sku="DELL-LAT-5430")),
    )
    message = ["Another charge already bills DELL-LAT-5430."]
    assert result == {"charges": {0: {"device_model_sku": message}, 1: {"device_model_sku": message}}}


def test_catch_all_device_charge_beside_model_specific_ones() -> None:
    result = plan_errors(plan(device("39.00", sku="DELL-LAT-5430"), device("30.00")))
    assert result == {
        "charges": {
            1: {"device_model_sku": ["A charge for all devices cannot stand beside other device charges."]}
        }
    }


def test_duplicates_are_checked_once_each_charge_is_valid() -> None:
    result = plan_errors(plan(device("39.00"), device(None)))
    assert result == {"charges": {1: {"unit_amount": ["Required by device_monthly."]}}}


# -- minimum commitment ----------------------------------------------------------------------------------


def test_minimum_with_more_decimals_than_the_currency_allows() -> None:
    assert plan_errors(plan(device("5000"), currency="JPY", minimum="60000.50")) == {
        "minimum_monthly_amount": ["JPY amounts have 0 decimals."]
    }


def test_minimum_in_eur_may_carry_cents() -> None:
    assert plan_errors(plan(device(), minimum="500.00")) == {}
    assert plan_errors(plan(device(), minimum="500.5")) == {}


def test_minimum_error_and_charge_errors_together() -> None:
    result = plan_errors(plan(metered("support_tickets", "per_unit"), currency="JPY", minimum="0.5"))
    assert result == {
        "minimum_monthly_amount": ["JPY amounts have 0 decimals."],
        "charges": {0: {"unit_amount": ["Required by a per_unit charge."]}},
    }

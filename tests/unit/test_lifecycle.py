"""The device lifecycle of logistics.md: every path works, nothing else does."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.devices.lifecycle import (
    FINAL_STATES,
    STATES,
    TRANSITIONS,
    Condition,
    IllegalTransition,
    actions_now,
    allowed_actions,
    next_status,
)


def walk(status: str, *actions: str) -> list[str]:
    """The states a device passes through, starting with `status`."""
    visited = [status]
    for action in actions:
        visited.append(next_status(visited[-1], action))
    return visited


def test_takeback_and_redeploy_is_a_new_life() -> None:
    assert walk(
        "in_stock", "deploy", "schedule_return", "pick_up", "receive", "wipe", "grade", "redeploy"
    ) == [
        "in_stock",
        "deployed",
        "return_scheduled",
        "in_transit",
        "received",
        "wiped",
        "graded",
        "in_stock",
    ]


def test_refurbish_then_restock() -> None:
    assert walk("graded", "refurbish", "restock") == ["graded", "refurbishing", "in_stock"]


@pytest.mark.parametrize(("action", "final"), [("harvest", "harvested"), ("recycle", "recycled")])
def test_graded_device_can_end_its_life(action: str, final: str) -> None:
    assert next_status("graded", action) == final
    assert final in FINAL_STATES


@pytest.mark.parametrize("status", ["deployed", "in_transit"])
def test_device_can_be_lost_when_deployed_or_in_transit(status: str) -> None:
    assert next_status(status, "lose") == "lost"


@pytest.mark.parametrize("status", ["in_stock", "return_scheduled", "received", "wiped", "graded"])
def test_device_in_our_hands_cannot_be_lost(status: str) -> None:
    with pytest.raises(IllegalTransition):
        next_status(status, "lose")


def test_hand_back_skips_the_pickup() -> None:
    assert walk("deployed", "hand_back", "wipe") == ["deployed", "received", "wiped"]


def test_cancelled_return_stays_deployed() -> None:
    assert walk("deployed", "schedule_return", "cancel_return") == [
        "deployed",
        "return_scheduled",
        "deployed",
    ]


def test_allowed_actions_per_state() -> None:
    assert allowed_actions("in_stock") == ["deploy", "allocate"]
    assert sorted(allowed_actions("deployed")) == [
        "hand_back",
        "lose",
        "reassign",
        "schedule_return",
        "sell",
        "upgrade",
    ]
    # The way out: an order's allocation, its shipment, then delivery or a failed delivery.
    assert allowed_actions("allocated") == ["release", "ship"]
    assert allowed_actions("in_transit_out") == ["deliver", "retry_delivery", "return_to_stock", "lose"]
    assert sorted(allowed_actions("graded")) == ["harvest", "recycle", "redeploy", "refurbish", "wipe_again"]
    assert allowed_actions("received") == ["wipe"]


@pytest.mark.parametrize("final", sorted(FINAL_STATES))
def test_final_states_allow_nothing(final: str) -> None:
    assert allowed_actions(final) == []
    for action in TRANSITIONS:
        with pytest.raises(IllegalTransition) as raised:
            next_status(final, action)
        ended = "it was sold to its customer" if final == "sold" else "the device's life has ended"
        assert f"none ({ended})" in str(raised.value)


def test_a_deployed_device_can_be_sold_and_nothing_else_can() -> None:
    assert walk("in_stock", "deploy", "sell") == ["in_stock", "deployed", "sold"]
    assert "sold" in FINAL_STATES
    for status in STATES:
        if status != "deployed":
            with pytest.raises(IllegalTransition):
                next_status(status, "sell")
    assert actions_now(Condition("sold", grade="A", wipe="purge")) == []


def test_no_wipe_no_grade() -> None:
    """A device is never graded before it is wiped."""
    with pytest.raises(IllegalTransition) as raised:
        next_status("received", "grade")
    assert raised.value.status == "received"
    assert raised.value.action == "grade"
    assert raised.value.allowed == ["wipe"]
    assert str(raised.value) == "A device that is received cannot grade; allowed: wipe."


def test_illegal_step_names_the_state_and_the_allowed_actions() -> None:
    with pytest.raises(IllegalTransition) as raised:
        next_status("deployed", "redeploy")
    message = str(raised.value)
    assert message.startswith("A device that is deployed cannot redeploy; allowed: ")
    for action in ("schedule_return", "hand_back", "lose"):
        assert action in message


def test_every_state_is_reachable_from_stock_and_every_target_is_a_state() -> None:
    reachable, frontier = {"in_stock"}, ["in_stock"]
    while frontier:
        status = frontier.pop()
        for action in allowed_actions(status):
            target = next_status(status, action)
            assert target in STATES
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(STATES)
    assert reachable >= FINAL_STATES


@given(st.lists(st.sampled_from(sorted(TRANSITIONS)), max_size=60))
def test_random_actions_only_reach_known_states(actions: list[str]) -> None:
    status = "in_stock"
    for action in actions:
        if action in allowed_actions(status):
            status = next_status(status, action)
            assert status in STATES
        else:
            with pytest.raises(IllegalTransition) as raised:
                next_status(status, action)
            assert raised.value.status == status
            assert raised.value.allowed == allowed_actions(status)
        if status in FINAL_STATES:
            assert allowed_actions(status) == []


@given(st.lists(st.integers(min_value=0, max_value=10), max_size=60))
def test_random_legal_walks_stay_in_known_states_until_a_final_one(choices: list[int]) -> None:
    status = "in_stock"
    for choice in choices:
        allowed = allowed_actions(status)
        assert (allowed == []) == (status in FINAL_STATES)
        if not allowed:
            break
        status = next_status(status, allowed[choice % len(allowed)])
        assert status in STATES

"""The lifecycle narrowed by the wipe certificate and the grade (`actions_now`): explored exhaustively over
states × grades × wipe methods, no device reachable through the allowed actions is ever stuck, and a
clear-wiped grade D device (the one that was stuck) is wiped again and recycled."""

from __future__ import annotations

import itertools

import pytest

from daas.devices.lifecycle import (
    FINAL_STATES,
    GRADES,
    STATES,
    WIPE_METHODS,
    Condition,
    actions_now,
    allowed_actions,
    next_status,
    refusal,
)

START = Condition("in_stock")


def values_of(condition: Condition, action: str) -> list[str | None]:
    """What an action may be done with: a wipe's method, a grade, or nothing."""
    if action in ("wipe", "wipe_again"):
        return [m for m in WIPE_METHODS if refusal(condition, action, m) is None]
    if action == "grade":
        return list(GRADES)
    return [None]


def after(condition: Condition, action: str, value: str | None) -> Condition:
    """What the device carries after the action (a deployment starts a new life, with no wipe yet)."""
    status = next_status(condition.status, action)
    if action in ("wipe", "wipe_again"):
        return Condition(status, condition.grade, value)
    if action == "grade":
        return Condition(status, value, condition.wipe)
    if action == "deploy":
        return Condition(status, condition.grade, None)
    return Condition(status, condition.grade, condition.wipe)


def successors(condition: Condition) -> set[Condition]:
    return {
        after(condition, action, value)
        for action in actions_now(condition)
        for value in values_of(condition, action)
    }


def reachable_from(start: Condition) -> set[Condition]:
    seen, frontier = {start}, [start]
    while frontier:
        for following in successors(frontier.pop()):
            if following not in seen:
                seen.add(following)
                frontier.append(following)
    return seen


REACHABLE = reachable_from(START)
EVERY_CONDITION = [
    Condition(status, grade, wipe)
    for status, grade, wipe in itertools.product(STATES, (None, *GRADES), (None, *WIPE_METHODS))
]


def test_the_exploration_reaches_every_state_and_the_case_that_was_stuck() -> None:
    assert {condition.status for condition in REACHABLE} == set(STATES)
    assert Condition("graded", "D", "clear") in REACHABLE
    assert {(c.grade, c.wipe) for c in REACHABLE if c.status == "graded"} == set(
        itertools.product(GRADES, WIPE_METHODS)
    )


@pytest.mark.parametrize("condition", EVERY_CONDITION, ids=str)
def test_every_reachable_device_has_a_way_forward_to_the_end_of_a_life_or_back_to_stock(
    condition: Condition,
) -> None:
    if condition not in REACHABLE:
        return
    if condition.status in FINAL_STATES:
        assert actions_now(condition) == []
        return
    assert actions_now(condition), f"{condition} has no allowed action"
    onward = reachable_from(condition) - {condition}
    assert any(c.status in FINAL_STATES or c.status == "in_stock" for c in onward), condition


@pytest.mark.parametrize("condition", EVERY_CONDITION, ids=str)
def test_what_is_allowed_now_is_what_the_state_allows_and_the_rules_do_not_refuse(
    condition: Condition,
) -> None:
    now = actions_now(condition)
    assert set(now) <= set(allowed_actions(condition.status))
    for action in allowed_actions(condition.status):
        refused = refusal(condition, action)
        assert (refused is None) == (action in now)
        if refused is not None:
            assert refused.field in {"wipe", "grade"} and refused.message


def test_a_clear_wiped_grade_d_device_is_wiped_again_then_recycled() -> None:
    stuck = Condition("graded", "D", "clear")
    assert sorted(actions_now(stuck)) == ["harvest", "refurbish", "wipe_again"]
    assert refusal(stuck, "redeploy").field == "grade"
    assert "the wipe must be purge or destroy" in refusal(stuck, "recycle").message
    assert refusal(stuck, "wipe_again", "clear").field == "method"
    assert values_of(stuck, "wipe_again") == ["purge", "destroy"]
    purged = after(stuck, "wipe_again", "purge")
    assert purged == Condition("graded", "D", "purge")
    assert sorted(actions_now(purged)) == ["harvest", "recycle", "refurbish"]
    assert after(purged, "recycle", None).status == "recycled"


@pytest.mark.parametrize("grade", GRADES)
def test_a_strong_enough_wipe_is_not_repeated_and_only_grade_d_rules_out_redeploying(grade: str) -> None:
    purged = Condition("graded", grade, "purge")
    assert "wipe_again" not in actions_now(purged)
    assert refusal(purged, "wipe_again").message.startswith("The purge wipe on record is enough")
    assert ("redeploy" in actions_now(purged)) == (grade != "D")


def test_nothing_is_graded_or_dispositioned_without_a_wipe_of_the_current_life() -> None:
    assert actions_now(Condition("wiped", None, None)) == []
    assert refusal(Condition("wiped", None, None), "grade").field == "wipe"
    assert after(Condition("in_stock", "B", "purge"), "deploy", None).wipe is None
    unwiped = Condition("graded", "B", None)
    assert actions_now(unwiped) == ["wipe_again"]
    assert values_of(unwiped, "wipe_again") == list(WIPE_METHODS)

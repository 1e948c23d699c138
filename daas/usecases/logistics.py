"""Logistics workflows, each one transaction: pickup capacity, return orders from request to receipt, refresh
orders from decision to completion, the planning round that opens them, and the takeback of a device that
came back (wipe, grade, disposition, restock), or its loss.

The API, the logistics pages, the portal, `flask daas refresh plan` and the scheduled jobs start them; the
rules are in daas.logistics (returns, refresh, slots, takeback), which flushes and raises but never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from daas.devices.models import Device, WipeCertificate
from daas.logistics import refresh, returns, slots, takeback
from daas.logistics.models import PickupSlot, RefreshOrder, ReturnOrder
from daas.logistics.refresh import PlanReport
from daas.logistics.rules import UpgradePolicy
from daas.usecases.transaction import use_case

# -- pickup slots -------------------------------------------------------------------------------------------


@use_case
def open_pickup_slot(region: str, day: date, capacity: int) -> PickupSlot:
    """Pickup capacity for a region on a day (one slot per region and day)."""
    return slots.create_slot(region, day, capacity)


@use_case
def change_pickup_capacity(slot_id: int, capacity: int) -> PickupSlot:
    """A slot's new capacity, never below the pickups already booked on it."""
    return slots.change_capacity(slot_id, capacity)


# -- return orders ------------------------------------------------------------------------------------------


@use_case
def request_return(
    contract_id: int,
    serials: Sequence[str],
    reason: str,
    requested_date: date,
    region: str,
    address: str,
    actor: str,
    window_days: int,
    customer_scope: int | None = None,
) -> ReturnOrder:
    """Ask for devices of a contract to be collected: they are `return_scheduled`, and the earliest slot with
    room within `window_days` of the requested date is booked (the order stays `requested` without one)."""
    return returns.create_return_order(
        contract_id, serials, reason, requested_date, region, address, actor, window_days, customer_scope
    )


@use_case
def schedule_pickup(order_id: int, day: date, customer_scope: int | None = None) -> ReturnOrder:
    """Book (or move to) the region's slot on `day`; the old slot's place is freed."""
    return returns.schedule_return_order(order_id, day, customer_scope)


@use_case
def record_pickup(
    order_id: int, picked_up_on: date, actor: str, carrier: str | None = None, tracking: str | None = None
) -> ReturnOrder:
    """The carrier collected the devices: their deployments end that day (not billed from it)."""
    return returns.pick_up_return_order(order_id, picked_up_on, actor, carrier, tracking)


@use_case
def receive_return(order_id: int, received_on: date, actor: str) -> ReturnOrder:
    """The devices arrived at the warehouse, where they wait to be wiped."""
    return returns.receive_return_order(order_id, received_on, actor)


@use_case
def cancel_return(order_id: int, actor: str, customer_scope: int | None = None) -> ReturnOrder:
    """Cancelled before pickup: the slot's place is freed and the devices stay deployed."""
    return returns.cancel_return_order(order_id, actor, customer_scope)


# -- refresh orders -----------------------------------------------------------------------------------------


@use_case
def approve_refresh(
    order_id: int,
    action: str,
    actor: str,
    window_days: int,
    replacement_sku: str | None = None,
    customer_scope: int | None = None,
) -> RefreshOrder:
    """Decide a refresh: upgrade, or replace, which books the return of the old device in the same
    transaction (an approval never stands without its return order)."""
    return refresh.approve_refresh(order_id, action, actor, window_days, replacement_sku, customer_scope)


@use_case
def reschedule_refresh(order_id: int, due_date: date, customer_scope: int | None = None) -> RefreshOrder:
    """Move an undecided or approved refresh to another day."""
    return refresh.reschedule_refresh(order_id, due_date, customer_scope)


@use_case
def complete_refresh(
    order_id: int,
    completed_on: date,
    actor: str,
    policy: UpgradePolicy,
    extension_months: int | None = None,
    replacement_serial: str | None = None,
    kit: str = "battery",
) -> RefreshOrder:
    """Done: an upgrade is recorded and moves the device's next due date; a replacement is deployed on the
    contract from that day."""
    return refresh.complete_refresh(
        order_id, completed_on, actor, policy, extension_months, replacement_serial, kit
    )


# -- the planning round -------------------------------------------------------------------------------------


@use_case
def plan_refreshes(
    as_of: date, lead_days: int, policy: UpgradePolicy, window_days: int, actor: str
) -> PlanReport:
    """One whole planning round as of a day: refresh orders for the devices due within the lead time, and
    end-of-term return orders for the contracts ending within it. Safe to run again: it opens nothing
    twice."""
    return refresh.plan_refreshes(as_of, lead_days, policy, window_days, actor)


@use_case
def plan_refresh_orders(as_of: date, lead_days: int, policy: UpgradePolicy) -> PlanReport:
    """The refresh half of the round: an order for each deployed device due within the lead time."""
    return refresh.plan_refresh_orders(as_of, lead_days, policy)


@use_case
def plan_end_of_term_returns(as_of: date, lead_days: int, window_days: int, actor: str) -> PlanReport:
    """The end-of-term half of the round: return orders for the contracts ending within the lead time;
    customers without a pickup address are listed in the report, not failed."""
    return refresh.plan_end_of_term_returns(as_of, lead_days, window_days, actor)


# -- takeback -----------------------------------------------------------------------------------------------


@use_case
def wipe_device(serial: str, values: dict[str, Any], actor: str) -> WipeCertificate:
    """Record a data wipe and its certificate (NIST SP 800-88 Rev. 1): a received device becomes `wiped`; a
    graded one whose wipe is too weak for a disposition is wiped again, stronger."""
    return takeback.wipe_device(serial, values, actor)


@use_case
def grade_device(serial: str, grade: str, actor: str, on: date | None = None) -> Device:
    """Grade a wiped device, A (as new) to D (parts only)."""
    return takeback.grade_device(serial, grade, actor, on)


@use_case
def dispose_device(
    serial: str,
    disposition: str,
    actor: str,
    on: date | None = None,
    harvested_parts: Sequence[dict[str, Any]] = (),
) -> Device:
    """Redeploy (in stock for a new life), refurbish, harvest (with its parts) or recycle a graded device;
    its received return order closes with it when it was the last device to settle."""
    return takeback.dispose_device(serial, disposition, actor, on, harvested_parts)


@use_case
def restock_device(serial: str, actor: str, on: date | None = None) -> Device:
    """A refurbishment is done: the device is back in stock for another life."""
    return takeback.restock_device(serial, actor, on)


@use_case
def lose_device(serial: str, actor: str, on: date | None = None, note: str | None = None) -> Device:
    """A device lost with the customer or in transit: final, and its deployment ends that day."""
    return takeback.lose_device(serial, actor, on, note)

"""Logistics workflows, each one transaction: pickup capacity, return orders from request to receipt, refresh
orders from decision to completion, the planning round that opens them, the takeback of a device that
came back (wipe, grade, disposition, restock), or its loss, the sale of a device to its customer, and a
contract terminated early (its charge and the return of its devices).

The API, the logistics pages, the portal, `flask daas refresh plan` and the scheduled jobs start them; the
rules are in daas.logistics (returns, refresh, slots, takeback, sales), which flushes and raises but never
commits.
"""

from __future__ import annotations

from datetime import date

from daas.logistics import refresh, returns, sales, slots, takeback, termination
from daas.logistics.models import RefreshOrder
from daas.logistics.refresh import PlanReport
from daas.logistics.rules import RefreshAction, UpgradePolicy
from daas.orders import replacements
from daas.usecases.transaction import use_case

# -- pickup slots -------------------------------------------------------------------------------------------


open_pickup_slot = use_case(slots.create_slot)
change_pickup_capacity = use_case(slots.change_capacity)


# -- return orders ------------------------------------------------------------------------------------------


request_return = use_case(returns.create_return_order)
schedule_pickup = use_case(returns.schedule_return_order)
record_pickup = use_case(returns.pick_up_return_order)
receive_return = use_case(returns.receive_return_order)
cancel_return = use_case(returns.cancel_return_order)


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
    """Choose upgrade or replace. A replacement books the old device's return and opens an approved order
    for the new one (orders.md), whose delivery completes the refresh; all of it or nothing."""
    order = refresh.approve_refresh(order_id, action, actor, window_days, replacement_sku, customer_scope)
    if order.action == RefreshAction.REPLACE:
        replacements.open_replacement_order(order.id, actor)
    return order


reschedule_refresh = use_case(refresh.reschedule_refresh)
complete_refresh = use_case(refresh.complete_refresh)


# -- the planning round -------------------------------------------------------------------------------------


@use_case
def plan_refreshes(
    as_of: date, lead_days: int, policy: UpgradePolicy, window_days: int, actor: str
) -> PlanReport:
    """One whole planning round as of a day: refresh orders for the devices due within the lead time, and
    end-of-term return orders for the contracts ending within it. Safe to run again: it opens nothing
    twice."""
    return refresh.plan_refreshes(as_of, lead_days, policy, window_days, actor)


plan_refresh_orders = use_case(refresh.plan_refresh_orders)


@use_case
def plan_end_of_term_returns(as_of: date, lead_days: int, window_days: int, actor: str) -> PlanReport:
    """The end-of-term half of the round: return orders for the contracts ending within the lead time;
    customers without a pickup address are listed in the report, not failed."""
    return refresh.plan_end_of_term_returns(as_of, lead_days, window_days, actor)


# -- takeback -----------------------------------------------------------------------------------------------


wipe_device = use_case(takeback.wipe_device)
grade_device = use_case(takeback.grade_device)
dispose_device = use_case(takeback.dispose_device)
restock_device = use_case(takeback.restock_device)
lose_device = use_case(takeback.lose_device)


# -- a device sold to its customer --------------------------------------------------------------------------


sell_device = use_case(sales.sell_device)


# -- a contract terminated early ----------------------------------------------------------------------------


terminate_contract = use_case(termination.terminate_early)

"""The overview: active subscriptions with this month's usage, what is owed, refreshes waiting for the
customer's decision and the pickups booked."""

from __future__ import annotations

from typing import Any

from flask import render_template

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing import invoices as billing
from daas.contracts.renewal import contracts_ending
from daas.contracts.services import list_contracts
from daas.core import clock
from daas.core.periods import Period
from daas.logistics import refresh, returns
from daas.logistics.models import RefreshStatus, ReturnStatus
from daas.web.pages import audience
from daas.web.portal import blp, queries
from daas.web.portal.common import customer_scope


@blp.get("")
@audience("customer")
def home() -> Any:
    scope, today = customer_scope(), clock.today()
    period = Period.containing(today)
    contracts, active = list_contracts(status="active", customer_scope=scope, offset=0, limit=10)
    figures = queries.subscription_figures(contract.id for contract in contracts)
    metrics = queries.metrics_of(contract.id for contract in contracts)
    usage = queries.usage_in_period(metrics, period)
    open_invoices, open_count = billing.list_invoices(
        status=lifecycle.OPEN, customer_scope=scope, offset=0, limit=5
    )
    orders, waiting = refresh.list_refresh_orders(RefreshStatus.OPEN, scope, 0, 5)
    pickups, pickup_count = returns.list_return_orders(ReturnStatus.SCHEDULED, None, None, scope, 0, 5)
    return render_template(
        "portal/home.html",
        today=today,
        period=period,
        contracts=contracts,
        active=active,
        figures=figures,
        metrics=metrics,
        usage=usage,
        devices=queries.devices_in_service(scope),
        amount_due=queries.amount_due(scope),
        open_invoices=open_invoices,
        open_count=open_count,
        orders=orders,
        waiting=waiting,
        serials={order.id: refresh.serial_of(order) for order in orders},
        pickups=pickups,
        pickup_count=pickup_count,
        ending=contracts_ending(today, customer_id=scope),
    )

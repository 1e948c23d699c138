"""`flask daas refresh plan`: one planning round, committed, and what it opened; run again, it opens
nothing twice."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from daas.contracts.services import deploy_device
from daas.extensions import db
from daas.logistics.models import RefreshOrder, RefreshStatus, ReturnOrder, ReturnReason
from tests import factories


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["daas", "refresh", "plan", *args])


def test_the_planning_round_from_the_command_line(app, database, today):
    """A laptop due for refresh on 2027-01-15 (24-month cycle), and a contract ending on 2026-12-20 whose
    customer has a pickup address, and one whose customer has none."""
    plan = factories.plan(refresh_cycle_months=24, term_months=48)
    contract = factories.contract(plan_code=plan.code, start_date=date(2025, 1, 1))
    laptop = factories.device(manufactured_on=date(2024, 10, 1), battery_health=91, on=date(2024, 12, 1))
    deploy_device(contract.id, laptop.serial, date(2025, 1, 15), factories.ACTOR)
    home = factories.customer(pickup_region="NL-NH", pickup_address="Keizersgracht 1, Amsterdam")
    ending = factories.contract(home.id, start_date=date(2024, 1, 1), end_date=date(2026, 12, 20))
    nowhere = factories.contract(start_date=date(2024, 1, 1), end_date=date(2026, 12, 10))
    for on in (ending, nowhere):
        deploy_device(on.id, factories.device(on=date(2024, 1, 1)).serial, date(2024, 1, 2), factories.ACTOR)

    result = _run(app, "--as-of", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Refresh plan as of 2026-11-20: refresh_orders: 1, end_of_term_orders: 1, skipped: 1\n"
    )
    db.session.rollback()  # the command committed its round
    order = db.session.scalar(select(RefreshOrder))
    assert (order.contract_id, order.due_date, order.status) == (
        contract.id,
        date(2027, 1, 15),
        RefreshStatus.OPEN,
    )
    back = db.session.scalar(select(ReturnOrder))
    assert (back.contract_id, back.reason, back.actor) == (ending.id, ReturnReason.END_OF_TERM, "planner")

    again = _run(app, "--as-of", "2026-11-21")
    assert (
        again.output
        == "Refresh plan as of 2026-11-21: refresh_orders: 0, end_of_term_orders: 0, skipped: 1\n"
    )

"""`flask daas users create --can-approve`: a customer user who approves orders over an allowance; staff
approve by their role, so the flag on a staff user is refused."""

from __future__ import annotations

from sqlalchemy import select

from daas.auth.models import User
from daas.extensions import db
from tests import factories


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["daas", *args])


def test_the_flag_makes_a_customer_user_an_approver(app, database):
    customer = factories.customer()
    result = _run(
        app,
        "users",
        "create",
        "boss@acme.example",
        "--role",
        "customer",
        "--customer",
        str(customer.id),
        "--can-approve",
    )
    assert result.exit_code == 0, result.output
    assert "approves orders" in result.output
    plain = _run(
        app, "users", "create", "clerk@acme.example", "--role", "customer", "--customer", str(customer.id)
    )
    assert plain.exit_code == 0, plain.output
    approvers = {
        user.email: user.can_approve
        for user in db.session.scalars(select(User).where(User.customer_id == customer.id))
    }
    assert approvers == {"boss@acme.example": True, "clerk@acme.example": False}


def test_the_flag_on_a_staff_user_is_refused(app, database):
    result = _run(app, "users", "create", "ops@daas.example", "--role", "logistics", "--can-approve")
    assert result.exit_code == 1
    assert "can_approve" in result.output
    assert db.session.scalar(select(User).where(User.email == "ops@daas.example")) is None

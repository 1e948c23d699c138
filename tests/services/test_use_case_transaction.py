"""A use case commits what it wrote when it returns, and rolls all of it back when it raises."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from daas.core.errors import Conflict
from daas.customers.models import Customer
from daas.extensions import db
from daas.usecases.transaction import use_case
from tests import factories


def _customers() -> int:
    return db.session.scalar(select(func.count(Customer.id)))


def test_a_use_case_that_returns_keeps_its_writes(database):
    @use_case
    def open_account() -> int:
        return factories.customer(name="Kept B.V.").id

    customer_id = open_account()
    db.session.rollback()  # nothing is left open to roll back: the use case committed
    assert db.session.get(Customer, customer_id).name == "Kept B.V."


def test_a_use_case_that_raises_leaves_nothing_behind(database):
    before = _customers()

    @use_case
    def open_two_accounts() -> None:
        factories.customer(name="First B.V.")
        db.session.flush()
        raise Conflict("The second account already exists.")

    with pytest.raises(Conflict, match="second account"):
        open_two_accounts()
    assert _customers() == before
    assert db.session.scalar(select(Customer.id).where(Customer.name == "First B.V.")) is None

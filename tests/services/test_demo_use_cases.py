"""Loading the demo data set is one use case: the world, its invoices (two months finalized, the last one
drafts) and closed impact months all stand when it returns, and loading again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from daas.auth.models import API_SCOPE
from daas.auth.roles import ROLES
from daas.billing.invoice_lifecycle import DRAFT, OPEN
from daas.billing.models import Invoice
from daas.contracts.models import Contract
from daas.core.periods import Period
from daas.customers.models import Customer
from daas.demo.data import CUSTOMER_USERS, CUSTOMERS, STAFF
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases.auth import authenticate_api_token
from daas.usecases.demo import load_demo


def _statuses(period: Period) -> set[str]:
    return set(db.session.scalars(select(Invoice.status).where(Invoice.period == period.name)))


def test_the_demo_loads_once_with_its_invoices_and_again_adds_nothing(database, today):
    report = load_demo(current_settings().billing_run)
    db.session.rollback()  # nothing left open: the use case committed all of it
    created = report.created
    assert created["customers"] == len(CUSTOMERS) == db.session.scalar(select(func.count(Customer.id)))
    assert created["contracts"] == len(CUSTOMERS) == db.session.scalar(select(func.count(Contract.id)))
    assert created["users"] == len(STAFF) + len(CUSTOMER_USERS)
    assert created["devices"] > 0 and created["usage events"] > 0
    assert created["finalized invoices"] > 0 and created["draft invoices"] > 0
    assert created["impact months closed"] > 0
    latest = Period.containing(today).previous()
    assert _statuses(latest) == {DRAFT}
    assert _statuses(latest.previous()) == _statuses(latest.previous().previous()) == {OPEN}
    assert {role for _, role, _ in report.logins} == set(ROLES)
    for email, _, token in report.logins:
        assert authenticate_api_token(token, (API_SCOPE,)).email == email

    invoices = db.session.scalar(select(func.count(Invoice.id)))
    again = load_demo(current_settings().billing_run)
    assert {kind: n for kind, n in again.created.items() if n} == {}
    assert db.session.scalar(select(func.count(Invoice.id))) == invoices
    assert again.logins == report.logins

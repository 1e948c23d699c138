"""The customer use cases commit a new customer or its changed details and leave nothing of what they
refused; a customer's currency is fixed once it has a contract (contracts tell the use case so), and no
customer carries the issuer's own VAT id (the entry point passes it in)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from daas.contracts.customer_contracts import customer_has_contracts
from daas.core.errors import Invalid, NotFound
from daas.customers.models import Customer
from daas.extensions import db
from daas.usecases import customers as use_cases
from tests import factories

NL_CUSTOMER = {
    "name": "Amsterdam Analytics B.V.",
    "country": "NL",
    "vat_id": "nl 8206.46.660.B01",
    "currency": "EUR",
    "billing_email": "ap@amsterdam-analytics.example",
}
CURRENCY_FIXED = "The customer has contracts; their plans fix its currency."
ISSUER_VAT_ID = "NL004495445B01"


def _named(name: str) -> int:
    return db.session.scalar(select(func.count(Customer.id)).where(Customer.name == name))


def test_create_customer_commits_it_with_the_default_terms_and_a_normalized_vat_id(database):
    customer = use_cases.create_customer(
        NL_CUSTOMER, default_payment_terms_days=21, issuer_vat_id=ISSUER_VAT_ID
    )
    db.session.rollback()  # nothing left open: the use case committed
    stored = db.session.get(Customer, customer.id)
    assert (stored.vat_id, stored.payment_terms_days, stored.currency) == ("NL820646660B01", 21, "EUR")
    own_terms = use_cases.create_customer(
        {**NL_CUSTOMER, "name": "Own terms", "payment_terms_days": 45}, 21, issuer_vat_id=ISSUER_VAT_ID
    )
    assert db.session.get(Customer, own_terms.id).payment_terms_days == 45


def test_a_refused_customer_stores_nothing(database):
    with pytest.raises(Invalid) as refused:
        use_cases.create_customer(
            {**NL_CUSTOMER, "name": "Wrong VAT", "country": "DE"}, 30, issuer_vat_id=ISSUER_VAT_ID
        )
    assert "vat_id" in refused.value.errors
    assert _named("Wrong VAT") == 0
    with pytest.raises(Invalid) as refused:
        use_cases.create_customer(
            {**NL_CUSTOMER, "name": "Ours", "vat_id": "nl0044.95.445b01"}, 30, issuer_vat_id=ISSUER_VAT_ID
        )
    assert refused.value.errors == {
        "vat_id": ["This is the issuer's own VAT id; a customer has a VAT id of its own."]
    }
    assert _named("Ours") == 0


def test_update_customer_commits_the_changes(database):
    customer = factories.customer(payment_terms_days=14)
    db.session.commit()
    use_cases.update_customer(
        customer.id,
        {"currency": "USD", "payment_terms_days": 60, "pickup_region": "NL-NH"},
        issuer_vat_id=ISSUER_VAT_ID,
    )
    db.session.rollback()
    stored = db.session.get(Customer, customer.id)
    assert (stored.currency, stored.payment_terms_days, stored.pickup_region) == ("USD", 60, "NL-NH")
    with pytest.raises(NotFound):
        use_cases.update_customer(customer.id + 1000, {"name": "Nobody"}, issuer_vat_id=ISSUER_VAT_ID)


def test_a_customer_with_a_contract_keeps_its_currency_and_nothing_of_the_refused_change(database):
    customer = factories.customer(currency="EUR", payment_terms_days=14)
    factories.contract(customer.id)
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        use_cases.update_customer(
            customer.id, {"currency": "USD", "payment_terms_days": 60}, issuer_vat_id=ISSUER_VAT_ID
        )
    assert refused.value.errors == {"currency": [CURRENCY_FIXED]}
    stored = db.session.get(Customer, customer.id)
    assert (stored.currency, stored.payment_terms_days) == ("EUR", 14)
    # The same currency again, or any other detail, is still fine.
    use_cases.update_customer(
        customer.id, {"currency": "EUR", "payment_terms_days": 60}, issuer_vat_id=ISSUER_VAT_ID
    )
    db.session.rollback()
    assert db.session.get(Customer, customer.id).payment_terms_days == 60


def test_contracts_tell_whether_a_customer_has_any(database):
    bare, with_contract = factories.customer(), factories.customer()
    factories.contract(with_contract.id)
    assert customer_has_contracts(bare.id) is False
    assert customer_has_contracts(with_contract.id) is True
    assert customer_has_contracts(bare.id + with_contract.id + 1000) is False

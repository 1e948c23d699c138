"""The demo's customers carry what their invoices say of them: a full billing address each, registration
ids where their country has one Peppol knows, a Peppol id for all but one (whose page then says what it
lacks), a buyer reference for one, languages from their countries but one; some contracts quote a purchase
order. A demo customer loaded before these details existed gets them; loading again changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from daas.contracts.models import Contract
from daas.customers.models import Customer
from daas.customers.rules import missing_for_peppol
from daas.demo.data import CUSTOMERS, PURCHASE_ORDERS
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases.demo import load_demo
from tests import factories


def _details() -> dict[str, tuple]:
    return {
        c.name: (
            c.address_line1,
            c.address_line2,
            c.postcode,
            c.city,
            c.registration_id,
            c.peppol_id,
            c.buyer_reference,
            c.document_language,
        )
        for c in db.session.scalars(select(Customer))
    }


def test_demo_customers_carry_their_invoice_details(database, today):
    # Loaded before billing addresses: the migration made its pickup address the first address line.
    factories.customer(
        name="Rotterdam Rederij N.V.",
        vat_id="NL812345678B01",
        pickup_address="Wilhelminakade 100, 3072 AP Rotterdam",
        address_line1="Wilhelminakade 100, 3072 AP Rotterdam",
    )
    db.session.commit()
    load_demo(current_settings().billing_run)
    customers = {c.name: c for c in db.session.scalars(select(Customer))}
    assert set(customers) == {values["name"] for values in CUSTOMERS}
    for customer in customers.values():
        assert customer.address_line1 and customer.postcode and customer.city, customer.name
        assert customer.vat_id != current_settings().issuer.vat_id
    rotterdam = customers["Rotterdam Rederij N.V."]
    assert (rotterdam.address_line1, rotterdam.postcode, rotterdam.peppol_id) == (
        "Wilhelminakade 100",
        "3072 AP",
        "0106:24123456",
    )
    not_ready = {name: missing_for_peppol(c) for name, c in customers.items() if missing_for_peppol(c)}
    assert not_ready == {"Hudson Legal LLP": ["peppol_id"]}
    assert [c.name for c in customers.values() if c.buyer_reference] == ["Berliner Baukontor GmbH"]
    assert {name: c.document_language for name, c in customers.items() if c.document_language} == {
        "Amsterdam Analytics B.V.": "en"
    }
    orders = {c.customer.name: c.purchase_order for c in db.session.scalars(select(Contract))}
    assert {name: order for name, order in orders.items() if order} == PURCHASE_ORDERS
    references = [c.reference for c in db.session.scalars(select(Contract))]
    assert all(reference == f"C-{int(reference[2:]):06d}" for reference in references)

    before = _details()
    load_demo(current_settings().billing_run)
    db.session.expire_all()
    assert _details() == before

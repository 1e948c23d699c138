"""People use cases beside the API: what the rules hold whoever calls them, the import's all-or-nothing
transaction, and offboarding's ends (a device already on its way back, a return cancelled)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.contracts.services import deploy_device
from daas.core.errors import Conflict, Invalid, RefusedRows
from daas.extensions import db
from daas.logistics import returns
from daas.logistics.models import ReturnOrder
from daas.logistics.slots import create_slot
from daas.people import rules
from daas.people.models import Person
from daas.people.services import active_person, create_person
from daas.usecases import people as use_cases
from tests import factories

ADDRESS = {"line1": "Damrak 1", "postcode": "1012 LG", "city": "Amsterdam", "country": "NL"}


def _person(customer_id, email, **values):
    return create_person(
        customer_id, {"name": email.split("@")[0], "email": email, "address": ADDRESS, **values}
    )


@pytest.fixture
def setting(database, today):
    customer = factories.customer(pickup_region="NL-AMS")
    model = factories.device_model()
    contract = factories.contract(customer.id, factories.plan().code, date(2026, 1, 1))
    create_slot("NL-AMS", date(2026, 11, 20), 5)
    return customer, model, contract


def test_the_rules_name_every_field_at_fault():
    problems = rules.value_problems(
        {
            "name": " ",
            "email": "a b@c",
            "address": {"line1": "x", "country": "nl"},
            "monthly_allowance": Decimal("-1"),
        },
        partial=False,
    )
    assert set(problems) == {"name", "email", "address", "monthly_allowance"}
    assert set(problems["address"]) == {"postcode", "city", "country"}
    assert rules.value_problems({"cost_centre": None}, partial=True) == {}
    assert rules.email_key(" Ada@Example.COM ") == "ada@example.com"


def test_an_active_person_is_one_of_the_customer(setting):
    customer, _, _ = setting
    ada = _person(customer.id, "ada@acme.example")
    assert active_person(ada.id, customer.id, "lines.0.person_id") is ada
    with pytest.raises(Invalid) as foreign:
        active_person(ada.id, factories.customer().id, "lines.0.person_id")
    assert "lines.0.person_id" in foreign.value.errors
    ada.status = "leaving"
    with pytest.raises(Invalid):
        active_person(ada.id, customer.id, "person_id")


def test_a_refused_import_rolls_back_even_what_came_before_it(setting):
    customer, _, _ = setting
    _person(customer.id, "ada@acme.example")
    db.session.commit()  # inside the test's savepoint
    data = (
        ",".join(rules.CSV_COLUMNS) + "\n"
        "Ada,ada@acme.example,,Damrak 1,,1012 LG,Amsterdam,NL,,10.00\n"
        "Bob,,,Damrak 1,,1012 LG,Amsterdam,NL,,\n"
    ).encode()
    with pytest.raises(RefusedRows) as refused:
        use_cases.import_people(customer.id, data)
    assert refused.value.report["refused"][0]["row"] == 2
    assert (
        db.session.scalar(select(Person.monthly_allowance).where(Person.email_key == "ada@acme.example"))
        is None
    )
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def test_a_device_already_on_its_way_back_keeps_the_person_leaving_until_its_pickup(setting):
    customer, model, contract = setting
    ada = _person(customer.id, "ada@acme.example")
    kept, defect = factories.device(model.sku), factories.device(model.sku)
    for device in (kept, defect):
        deploy_device(contract.id, device.serial, date(2026, 2, 1), "tests", person_id=ada.id)
    defect_order = returns.create_return_order(
        contract.id, [defect.serial], "defect", date(2026, 11, 20), "NL-AMS", "Damrak 1", "tests", 14
    )
    outcome = use_cases.offboard_person(ada.id, "return", None, None, "tests", None)
    (offboarding,) = outcome.return_orders
    assert [d.device_id for d in offboarding.devices] == [kept.id]
    assert ada.status == "leaving"
    returns.pick_up_return_order(offboarding.id, date(2026, 11, 15), "tests")
    assert ada.status == "leaving"  # the defect is still with them
    returns.pick_up_return_order(defect_order.id, date(2026, 11, 15), "tests")
    assert ada.status == "left"


def test_offboarding_refuses_what_does_not_fit_the_action(setting):
    customer, _, _ = setting
    ada = _person(customer.id, "ada@acme.example")
    bob = _person(customer.id, "bob@acme.example")
    db.session.commit()  # inside the test's savepoint: a refused use case rolls back to here
    with pytest.raises(Invalid) as mixed:
        use_cases.offboard_person(ada.id, "return", bob.id, None, "tests", None)
    assert "to_person_id" in mixed.value.errors
    with pytest.raises(Invalid) as dated:
        use_cases.offboard_person(ada.id, "reassign", bob.id, date(2026, 11, 20), "tests", None)
    assert "requested_date" in dated.value.errors
    use_cases.offboard_person(ada.id, "reassign", bob.id, None, "tests", None)
    assert ada.status == "left"
    with pytest.raises(Conflict):
        use_cases.offboard_person(ada.id, "return", None, None, "tests", None)
    assert db.session.scalar(select(func.count()).select_from(ReturnOrder)) == 0

"""A contract ending 2027-03-01 with laptops deployed on it since 2024-03-01 (list value 1,250.00 EUR,
48 months of expected life, manufactured 2024-01-15: 312.50 on 2027-02-10, never graded), a customer with
a pickup address in a region of its own and a pickup slot there on the end date; and the end-of-term use
cases as the API calls them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from daas.contracts import end_of_term_rules as rules
from daas.contracts.services import deploy_device
from daas.logistics.end_of_term import ChoiceRequest
from daas.logistics.slots import create_slot
from daas.settings import current_settings
from daas.usecases import end_of_term as use_cases
from tests import factories

START, END = date(2024, 3, 1), date(2027, 3, 1)
TODAY = date(2027, 2, 10)
ACTOR = factories.ACTOR


@dataclass
class Fleet:
    contract: Any
    customer: Any
    model: Any
    serials: list[str]
    region: str


def fleet(
    devices: int = 3,
    country: str = "NL",
    list_values: dict[str, Decimal] | None = None,
    pickup: bool = True,
    **contract_values: Any,
) -> Fleet:
    """Call with the clock at or after the deployments (2024-03-01)."""
    model = factories.device_model(
        expected_lifetime_months=48,
        list_values={"EUR": Decimal("1250.00")} if list_values is None else list_values,
    )
    region = factories.unique("NL-NH")
    where = {"pickup_region": region, "pickup_address": "Damrak 1, Amsterdam"} if pickup else {}
    customer = factories.customer(country=country, **where)
    contract = factories.contract(customer.id, factories.plan(term_months=36).code, START, **contract_values)
    serials = []
    for _ in range(devices):
        serial = factories.device(model.sku, on=date(2024, 1, 20), manufactured_on=date(2024, 1, 15)).serial
        deploy_device(contract.id, serial, START, ACTOR)
        serials.append(serial)
    if pickup:
        create_slot(region, END, 10)
    return Fleet(contract, customer, model, serials, region)


def view(contract_id: int, today: date = TODAY, policy: rules.EndOfTermPolicy | None = None, **kwargs: Any):
    settings = current_settings()
    return use_cases.end_of_term_choices(
        contract_id, today, policy or settings.end_of_term, settings.issuer.country, **kwargs
    )


def choose(
    contract_id: int,
    choices: Sequence[tuple[str, str] | tuple[str, str, int | None]],
    extend_months: int | None = None,
    today: date = TODAY,
    policy: rules.EndOfTermPolicy | None = None,
    **kwargs: Any,
):
    settings = current_settings()
    return use_cases.choose_end_of_term(
        contract_id,
        [ChoiceRequest(*choice) for choice in choices],
        extend_months,
        ACTOR,
        today,
        policy or settings.end_of_term,
        settings.issuer.country,
        settings.booking_window_days,
        **kwargs,
    )


def by_serial(view: Any) -> dict[str, Any]:
    return {device.serial: device for device in view.devices}

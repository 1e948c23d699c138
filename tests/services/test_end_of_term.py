"""The end of a contract's term, device by device (use cases end_of_term.*): buy-out quotes stored once and
kept while valid, priced by the formula (the floor, the grade, the model's floor share), refused for a
currency without a list value or a customer abroad; choices that change until the end date, a buy-out
that is final, an extension made once per end date, the devices not kept going home on the old end date,
and the end-of-term round that leaves alone the devices chosen to stay."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.catalog.services import update_device_model
from daas.contracts import end_of_term_rules as rules
from daas.contracts.models import Contract
from daas.contracts.services import deployed_serials
from daas.core import clock
from daas.core.errors import Conflict, Invalid, NotFound
from daas.devices.models import Device
from daas.extensions import db
from daas.logistics import refresh
from daas.logistics.models import BuyOutQuote, PickupSlot, ReturnOrder, ReturnOrderDevice
from tests import factories
from tests.end_of_term_helpers import END, TODAY, by_serial, choose, fleet, view

D = Decimal


@pytest.fixture
def today(database):
    with clock.frozen(TODAY):
        yield TODAY


def _quotes(contract_id: int) -> int:
    return db.session.scalar(select(func.count()).where(BuyOutQuote.contract_id == contract_id))


def _order_of(serial: str) -> ReturnOrder | None:
    return db.session.scalar(
        select(ReturnOrder)
        .join(ReturnOrderDevice, ReturnOrderDevice.return_order_id == ReturnOrder.id)
        .join(Device, Device.id == ReturnOrderDevice.device_id)
        .where(Device.serial == serial, ReturnOrder.status.in_(("requested", "scheduled")))
        .execution_options(populate_existing=True)
    )


def _serials_on(order: ReturnOrder) -> list[str]:
    return list(
        db.session.scalars(
            select(Device.serial)
            .join(ReturnOrderDevice, ReturnOrderDevice.device_id == Device.id)
            .where(ReturnOrderDevice.return_order_id == order.id)
            .order_by(Device.serial)
        )
    )


def _end_date(contract_id: int) -> date:
    return db.session.scalar(
        select(Contract.end_date).where(Contract.id == contract_id).execution_options(populate_existing=True)
    )


# -- quotes -------------------------------------------------------------------------------------------------


def test_a_quote_is_stored_once_and_kept_while_valid_then_a_new_one_is_made(today):
    made = fleet(devices=1)
    (serial,) = made.serials
    # 35 whole months from 2024-01-15 to 2027-01-01: 1250.00 × (1 − 35/48) = 338.54.
    first = by_serial(view(made.contract.id, today=date(2027, 1, 1)))[serial].quote
    assert (first.price, first.age_months, first.grade, first.quoted_on, first.valid_until) == (
        D("338.54"),
        35,
        None,
        date(2027, 1, 1),
        date(2027, 1, 31),
    )
    last_valid_day = by_serial(view(made.contract.id, today=date(2027, 1, 31)))[serial].quote
    assert (last_valid_day.id, _quotes(made.contract.id)) == (first.id, 1)
    # Past its last day, the view quotes again, a month older: 312.50.
    renewed = by_serial(view(made.contract.id, today=date(2027, 2, 1)))[serial].quote
    assert renewed.id != first.id and (renewed.price, renewed.age_months) == (D("312.50"), 36)
    assert _quotes(made.contract.id) == 2


def _worn(made) -> str:
    """The fleet's first device, 2020-01-01, grade C: past its 48 months, its price is the floor's."""
    serial = made.serials[0]
    device = db.session.scalar(select(Device).where(Device.serial == serial))
    device.manufactured_on, device.grade = date(2020, 1, 1), "C"
    db.session.flush()
    return serial


def test_the_price_has_a_floor_and_a_grade_and_the_model_may_raise_the_floor(today):
    made = fleet(devices=1)
    serial = _worn(made)
    # max(0.1 × 1250.00, 1250.00 × (1 − 84/48)) = 125.00, × 0.6 for grade C.
    assert by_serial(view(made.contract.id, today=date(2027, 1, 1)))[serial].quote.price == D("75.00")
    update_device_model(made.model.id, {"floor_share": D("0.25")})
    # The stored quote keeps its price for its 30 days; the next one has the model's floor: 312.50 × 0.6.
    assert by_serial(view(made.contract.id, today=date(2027, 1, 31)))[serial].quote.price == D("75.00")
    assert by_serial(view(made.contract.id, today=date(2027, 2, 1)))[serial].quote.price == D("187.50")


def test_the_grade_factors_are_the_installation_s(today):
    made = fleet(devices=1)
    serial = _worn(made)
    policy = rules.EndOfTermPolicy(grade_factors={**rules.GRADE_FACTORS, "C": D("0.5")})
    assert by_serial(view(made.contract.id, policy=policy))[serial].quote.price == D("62.50")


def test_without_a_list_value_in_the_contract_s_currency_there_is_no_quote(today):
    made = fleet(devices=1, list_values={"USD": D("1400.00")})
    (device,) = view(made.contract.id).devices
    assert device.quote is None
    assert device.buy_out_refused == f"Device model {made.model.sku} has no list value in EUR."
    assert _quotes(made.contract.id) == 0


def test_a_customer_abroad_is_offered_a_buy_out_only_where_the_policy_says(today):
    made = fleet(devices=1, country="DE")
    (device,) = view(made.contract.id).devices
    assert device.quote is None
    assert device.buy_out_refused == "Buy-outs are offered to customers in NL; this customer is in DE."
    (device,) = view(
        made.contract.id, policy=rules.EndOfTermPolicy(buy_out_countries=frozenset({"DE"}))
    ).devices
    assert (device.quote.price, device.buy_out_refused) == (D("312.50"), None)


def test_another_customer_s_contract_is_not_found(today):
    made = fleet(devices=1)
    other = factories.customer()
    with pytest.raises(NotFound):
        view(made.contract.id, customer_scope=other.id)
    with pytest.raises(NotFound):
        choose(made.contract.id, [(made.serials[0], "return")], customer_scope=other.id)


# -- choices ------------------------------------------------------------------------------------------------


def test_return_books_one_end_of_term_order_for_the_end_date_and_keeps_an_existing_one(today):
    made = fleet(devices=3)
    a, b, c = made.serials
    result = choose(made.contract.id, [(a, "return"), (b, "return")])
    order = _order_of(a)
    assert (order.reason, order.requested_date, order.status, _serials_on(order)) == (
        "end_of_term",
        END,
        "scheduled",
        [a, b],
    )
    assert {d.serial: (d.choice, d.return_order_id) for d in result.devices} == {
        a: ("return", order.id),
        b: ("return", order.id),
        c: (None, None),
    }
    again = choose(made.contract.id, [(a, "return")])
    assert by_serial(again)[a].return_order_id == order.id
    assert db.session.scalar(select(func.count()).where(ReturnOrder.contract_id == made.contract.id)) == 1


def test_the_first_extend_choice_extends_the_contract_once_and_sends_the_others_home(today):
    made = fleet(devices=3)
    a, b, c = made.serials
    result = choose(made.contract.id, [(a, "extend")], extend_months=6)
    assert _end_date(made.contract.id) == date(2027, 9, 1)
    assert (result.end_date, result.extended_until) == (END, date(2027, 9, 1))
    order = _order_of(b)
    assert (order.requested_date, _serials_on(order)) == (END, [b, c])
    assert {d.serial: d.choice for d in result.devices} == {a: "extend", b: "return", c: "return"}
    assert _order_of(a) is None

    # A second device kept: no second extension; its return order lets it go, the other stays on it.
    result = choose(made.contract.id, [(b, "extend")])
    assert _end_date(made.contract.id) == date(2027, 9, 1)
    assert _order_of(b) is None and _serials_on(_order_of(c)) == [c]
    assert {d.serial: d.choice for d in result.devices} == {a: "extend", b: "extend", c: "return"}
    with pytest.raises(Conflict, match="extended by 6 months from 2027-03-01 already"):
        choose(made.contract.id, [(c, "extend")], extend_months=12)

    # The last one kept too: its order, which holds it alone, is cancelled and its slot's place freed.
    slot = db.session.scalar(select(PickupSlot).where(PickupSlot.region == made.region))
    assert slot.booked == 1
    choose(made.contract.id, [(c, "extend")], extend_months=6)
    db.session.refresh(slot)
    assert (_order_of(c), slot.booked) == (None, 0)
    assert deployed_serials(made.contract.id) == [a, b, c]
    # Changed back to return: home on the old end date, until then.
    result = choose(made.contract.id, [(a, "return")])
    assert (_order_of(a).requested_date, by_serial(result)[a].choice) == (END, "return")
    assert _end_date(made.contract.id) == date(2027, 9, 1)


def test_the_extension_defaults_to_the_renewal_months(today):
    made = fleet(devices=1, renewal_months=24)
    choose(made.contract.id, [(made.serials[0], "extend")])
    assert _end_date(made.contract.id) == date(2029, 3, 1)


def test_the_round_leaves_the_devices_chosen_to_stay_and_the_choices_take_theirs_off_its_order(today):
    made = fleet(devices=4)
    a, b, c, d = made.serials
    report = refresh.plan_end_of_term_returns(TODAY, 60, 14)
    (order_id,) = report.end_of_term_orders
    order = db.session.get(ReturnOrder, order_id)
    assert _serials_on(order) == [a, b, c, d]

    quote = by_serial(view(made.contract.id))[a].quote
    choose(made.contract.id, [(a, "buy_out", quote.id), (b, "extend"), (c, "return")])
    assert _serials_on(order) == [c, d] and order.status == "scheduled"
    assert refresh.plan_end_of_term_returns(TODAY, 60, 14).end_of_term_orders == []
    # A year on, the extended contract's own end comes round: the kept device goes home then.
    with clock.frozen(date(2028, 2, 10)):
        (next_order,) = refresh.plan_end_of_term_returns(date(2028, 2, 10), 60, 14).end_of_term_orders
    assert _serials_on(db.session.get(ReturnOrder, next_order)) == [b]


def test_a_buy_out_is_final_and_its_quote_accepted_once(today):
    made = fleet(devices=2)
    a, b = made.serials
    quote = by_serial(view(made.contract.id))[a].quote
    result = choose(made.contract.id, [(a, "buy_out", quote.id)])
    assert (by_serial(result)[a].choice, by_serial(result)[a].quote.accepted_on) == ("buy_out", TODAY)
    db.session.refresh(quote)
    assert quote.accepted_on == TODAY and quote.charge_id is not None
    for choice in (("return",), ("extend",), ("buy_out", quote.id)):
        with pytest.raises(Conflict, match="its choice is final"):
            choose(made.contract.id, [(a, *choice)])
    assert deployed_serials(made.contract.id) == [b]


def test_choices_close_after_the_end_date_and_on_a_terminated_contract(today):
    made = fleet(devices=1)
    (serial,) = made.serials
    assert choose(made.contract.id, [(serial, "return")], today=END).devices[0].choice == "return"
    with pytest.raises(Conflict, match="ended on 2027-03-01: its end-of-term choices are closed"):
        choose(made.contract.id, [(serial, "extend")], today=END + timedelta(days=1))
    closed = view(made.contract.id, today=END + timedelta(days=1))
    assert closed.open is False
    assert closed.devices[0].buy_out_refused == "The contract's end-of-term choices closed on 2027-03-01."


def test_an_expired_quote_a_refused_country_and_a_list_value_gone_are_conflicts(today):
    made = fleet(devices=1, country="BE")
    (serial,) = made.serials
    abroad = rules.EndOfTermPolicy(buy_out_countries=frozenset({"BE"}))
    early = by_serial(view(made.contract.id, today=date(2027, 1, 1), policy=abroad))[serial].quote
    with pytest.raises(Conflict, match=f"Quote {early.id} expired on 2027-01-31"):
        choose(made.contract.id, [(serial, "buy_out", early.id)], policy=abroad)
    quote = by_serial(view(made.contract.id, policy=abroad))[serial].quote
    assert quote.id != early.id
    with pytest.raises(Conflict, match="customers in NL; this customer is in BE"):
        choose(made.contract.id, [(serial, "buy_out", quote.id)])
    update_device_model(made.model.id, {"list_values": {}})
    with pytest.raises(Conflict, match="has no list value in EUR"):
        choose(made.contract.id, [(serial, "buy_out", quote.id)], policy=abroad)
    assert deployed_serials(made.contract.id) == [serial]


def test_bad_choices_are_refused_naming_the_field_and_change_nothing(today):
    made = fleet(devices=2)
    a, b = made.serials
    other = fleet(devices=1)
    foreign = by_serial(view(other.contract.id))[other.serials[0]].quote
    own = by_serial(view(made.contract.id))[a].quote
    cases = [
        ([], None, "devices"),
        ([(a, "return"), (a, "extend")], None, "devices.1.serial"),
        ([(other.serials[0], "return")], None, "devices.0.serial"),
        ([("NO-SUCH-1", "return")], None, "devices.0.serial"),
        ([(a, "keep")], None, "devices.0.choice"),
        ([(b, "return"), (a, "buy_out")], None, "devices.1.quote_id"),
        ([(a, "buy_out", foreign.id)], None, "devices.0.quote_id"),
        ([(b, "buy_out", own.id)], None, "devices.0.quote_id"),
        ([(a, "return", own.id)], None, "devices.0.quote_id"),
        ([(a, "return")], 12, "extend_months"),
        ([(a, "extend")], 0, "extend_months"),
    ]
    for choices, months, field in cases:
        with pytest.raises(Invalid) as refused:
            choose(made.contract.id, choices, extend_months=months)
        assert field in refused.value.errors, (choices, refused.value.errors)
    assert {d.choice for d in view(made.contract.id).devices} == {None}
    assert db.session.scalar(select(func.count()).where(ReturnOrder.contract_id == made.contract.id)) == 0


def test_a_customer_without_a_pickup_address_cannot_send_devices_home(today):
    made = fleet(devices=1, pickup=False)
    with pytest.raises(Conflict, match="has no pickup address") as refused:
        choose(made.contract.id, [(made.serials[0], "return")])
    assert "pickup_address" in refused.value.errors

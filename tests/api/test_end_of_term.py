"""GET and POST /api/v1/contracts/<id>/end-of-term: the customer (for its own contracts), admin and finance;
bad input is a 422 naming the field and changes nothing; an expired or accepted quote, a customer abroad
and a currency without a list value are 409s; an `Idempotency-Key` replays the answer of a buy-out without
buying twice; another customer's contract is not found."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from daas.charges.models import OneOffCharge
from daas.core import clock
from daas.extensions import db
from daas.logistics.models import EndOfTermChoice
from tests import factories
from tests.end_of_term_helpers import TODAY, fleet
from tests.helpers import assert_error, bearer, configure


@pytest.fixture
def made(database):
    with clock.frozen(TODAY):
        yield fleet(devices=2)


@pytest.fixture
def customer(made):
    return bearer(factories.token("customer", made.customer.id))


def _url(contract_id: int) -> str:
    return f"/api/v1/contracts/{contract_id}/end-of-term"


def _quote_id(client, made, headers, serial=None) -> int:
    body = client.get(_url(made.contract.id), headers=headers).get_json()
    device = next(d for d in body["devices"] if d["serial"] == (serial or made.serials[0]))
    return device["quote"]["quote_id"]


def _charges(contract_id: int) -> int:
    return db.session.scalar(select(func.count()).where(OneOffCharge.contract_id == contract_id))


def test_the_view_lists_each_device_with_its_quote(client, made, customer):
    with clock.frozen(TODAY):
        response = client.get(_url(made.contract.id), headers=customer)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["contract_id"], body["currency"], body["end_date"], body["open"]) == (
        made.contract.id,
        "EUR",
        "2027-03-01",
        True,
    )
    first = body["devices"][0]
    assert set(first) == {
        "serial",
        "sku",
        "model_name",
        "choice",
        "quote",
        "buy_out_refused",
        "return_order_id",
    }
    assert (first["serial"], first["sku"], first["choice"], first["buy_out_refused"]) == (
        made.serials[0],
        made.model.sku,
        None,
        None,
    )
    assert {k: first["quote"][k] for k in ("price", "currency", "valid_until", "accepted_on")} == {
        "price": "312.50",
        "currency": "EUR",
        "valid_until": "2027-03-12",
        "accepted_on": None,
    }


def test_bad_input_is_a_422_naming_the_field(client, made, customer):
    url = _url(made.contract.id)
    a, b = made.serials
    with clock.frozen(TODAY):
        quote = _quote_id(client, made, customer)
        schema_cases = [
            ({}, "devices"),
            ({"devices": []}, "devices"),
            ({"devices": [{"serial": a, "choice": "keep"}]}, "devices"),
            ({"devices": [{"serial": a, "choice": "return"}], "extend_months": 0}, "extend_months"),
            ({"devices": [{"serial": a, "choice": "return"}], "colour": "red"}, "colour"),
        ]
        for body, field in schema_cases:
            refused = assert_error(client.post(url, json=body, headers=customer), 422, field)
            assert refused["message"].startswith("Invalid input"), refused
        nested = client.post(url, json={"devices": [{"serial": a, "choice": "keep"}]}, headers=customer)
        assert "choice" in nested.get_json()["errors"]["devices"]["0"]
        domain_cases = [
            ([{"serial": a, "choice": "buy_out"}], "devices.0.quote_id"),
            ([{"serial": b, "choice": "buy_out", "quote_id": quote}], "devices.0.quote_id"),
            ([{"serial": a, "choice": "return", "quote_id": quote}], "devices.0.quote_id"),
            ([{"serial": a, "choice": "return"}, {"serial": a, "choice": "extend"}], "devices.1.serial"),
            ([{"serial": "SN-NOT-HERE", "choice": "return"}], "devices.0.serial"),
        ]
        for devices, field in domain_cases:
            assert_error(client.post(url, json={"devices": devices}, headers=customer), 422, field)
        assert_error(
            client.post(
                url,
                json={"devices": [{"serial": a, "choice": "return"}], "extend_months": 6},
                headers=customer,
            ),
            422,
            "extend_months",
        )
    assert db.session.scalar(select(func.count()).where(EndOfTermChoice.contract_id == made.contract.id)) == 0


def test_an_expired_quote_is_a_409(client, made, customer):
    with clock.frozen(TODAY.replace(month=1, day=1)):
        quote = _quote_id(client, made, customer)  # valid until 2027-01-31
    with clock.frozen(TODAY):
        response = client.post(
            _url(made.contract.id),
            json={"devices": [{"serial": made.serials[0], "choice": "buy_out", "quote_id": quote}]},
            headers=customer,
        )
    body = assert_error(response, 409, "devices.0.quote_id")
    assert f"Quote {quote} expired on 2027-01-31" in body["message"]
    assert _charges(made.contract.id) == 0


def test_a_quote_accepted_twice_is_a_409_and_its_key_replays_the_first_answer(client, made, customer):
    url = _url(made.contract.id)
    with clock.frozen(TODAY):
        quote = _quote_id(client, made, customer)
        body = {"devices": [{"serial": made.serials[0], "choice": "buy_out", "quote_id": quote}]}
        keyed = {**customer, "Idempotency-Key": "buy-out-1"}
        first = client.post(url, json=body, headers=keyed)
        assert first.status_code == 200, first.get_json()
        replay = client.post(url, json=body, headers=keyed)
        assert (replay.status_code, replay.get_json()) == (200, first.get_json())
        assert replay.headers["Idempotent-Replayed"] == "true"
        again = client.post(url, json=body, headers=customer)
        refused = assert_error(again, 409, "devices.0.choice")
        assert "its choice is final" in refused["message"]
    assert _charges(made.contract.id) == 1


def test_a_customer_abroad_is_a_409_unless_the_installation_offers_it_there(
    client, app, monkeypatch, database
):
    with clock.frozen(TODAY):
        made = fleet(devices=1, country="BE")
        customer = bearer(factories.token("customer", made.customer.id))
        configure(app, monkeypatch, DAAS_BUYOUT_COUNTRIES="BE")
        quote = _quote_id(client, made, customer)
        configure(app, monkeypatch, DAAS_BUYOUT_COUNTRIES="")
        shown = client.get(_url(made.contract.id), headers=customer).get_json()["devices"][0]
        assert shown["quote"] is None
        assert shown["buy_out_refused"] == "Buy-outs are offered to customers in NL; this customer is in BE."
        body = {"devices": [{"serial": made.serials[0], "choice": "buy_out", "quote_id": quote}]}
        refused = assert_error(client.post(_url(made.contract.id), json=body, headers=customer), 409)
        assert "this customer is in BE" in refused["message"]
        configure(app, monkeypatch, DAAS_BUYOUT_COUNTRIES="BE, DE")
        accepted = client.post(_url(made.contract.id), json=body, headers=customer)
        assert accepted.status_code == 200, accepted.get_json()
    assert _charges(made.contract.id) == 1


def test_a_currency_without_a_list_value_is_a_409(client, tokens, made, customer):
    with clock.frozen(TODAY):
        quote = _quote_id(client, made, customer)
        patched = client.patch(
            f"/api/v1/device-models/{made.model.id}",
            json={"list_values": {"USD": "1400.00"}},
            headers=bearer(tokens["admin"]),
        )
        assert patched.status_code == 200, patched.get_json()
        body = {"devices": [{"serial": made.serials[0], "choice": "buy_out", "quote_id": quote}]}
        refused = assert_error(client.post(_url(made.contract.id), json=body, headers=customer), 409)
        assert f"{made.model.sku} has no list value in EUR" in refused["message"]
        shown = client.get(_url(made.contract.id), headers=customer).get_json()["devices"][0]
    assert shown["quote"] is None and "no list value in EUR" in shown["buy_out_refused"]


def test_roles_and_another_customer_s_contract(client, tokens, made, customer):
    url = _url(made.contract.id)
    body = {"devices": [{"serial": made.serials[0], "choice": "return"}]}
    with clock.frozen(TODAY):
        other = bearer(factories.token("customer", factories.customer().id))
        assert_error(client.get(url, headers=other), 404)
        assert_error(client.post(url, json=body, headers=other), 404)
        assert_error(client.get(url, headers=bearer(tokens["logistics"])), 403)
        assert_error(client.post(url, json=body, headers=bearer(tokens["logistics"])), 403)
        assert client.get(url, headers=bearer(tokens["finance"])).status_code == 200
        chosen = client.post(url, json=body, headers=bearer(tokens["finance"]))
        assert chosen.status_code == 200, chosen.get_json()
        assert chosen.get_json()["devices"][0]["choice"] == "return"
        assert_error(client.get("/api/v1/contracts/999999/end-of-term", headers=bearer(tokens["admin"])), 404)

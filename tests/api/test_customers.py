"""Customers through the API: create, read, change; validation; a customer sees only itself."""

from __future__ import annotations

from tests import factories
from tests.helpers import assert_error, bearer

NL_CUSTOMER = {
    "name": "Amsterdam Analytics B.V.",
    "country": "NL",
    "vat_id": "NL820646660B01",
    "currency": "EUR",
    "billing_email": "ap@amsterdam-analytics.example",
    "billing_address": {"line1": "Herengracht 420", "postcode": "1017 BZ", "city": "Amsterdam"},
}


def test_finance_creates_a_customer_with_default_payment_terms(client, tokens):
    response = client.post("/api/v1/customers", json=NL_CUSTOMER, headers=bearer(tokens["finance"]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["payment_terms_days"] == 30
    assert body["vat_id"] == "NL820646660B01"
    shown = client.get(f"/api/v1/customers/{body['id']}", headers=bearer(tokens["finance"])).get_json()
    assert shown["name"] == "Amsterdam Analytics B.V."


def test_vat_id_is_normalized_and_checked_against_the_country(client, tokens):
    spaced = {**NL_CUSTOMER, "vat_id": "nl 8206.46.660.B01"}
    assert client.post("/api/v1/customers", json=spaced, headers=bearer(tokens["finance"])).get_json()[
        "vat_id"
    ] == ("NL820646660B01")
    wrong_country = {**NL_CUSTOMER, "country": "DE"}
    assert_error(
        client.post("/api/v1/customers", json=wrong_country, headers=bearer(tokens["finance"])), 422, "vat_id"
    )
    bad_digits = {**NL_CUSTOMER, "vat_id": "NL123456789B01"}
    assert_error(
        client.post("/api/v1/customers", json=bad_digits, headers=bearer(tokens["finance"])), 422, "vat_id"
    )


def test_bad_fields_are_named_and_nothing_is_stored(client, tokens):
    bad = {
        **NL_CUSTOMER,
        "country": "XX",
        "currency": "BTC",
        "billing_email": "nope",
        "payment_terms_days": -1,
    }
    body = assert_error(
        client.post("/api/v1/customers", json=bad, headers=bearer(tokens["finance"])),
        422,
        "country",
        "currency",
        "billing_email",
        "payment_terms_days",
    )
    assert "country" in body["message"]
    listed = client.get("/api/v1/customers", headers=bearer(tokens["finance"]))
    assert listed.get_json() == []


def test_unknown_fields_are_rejected(client, tokens):
    response = client.post(
        "/api/v1/customers", json={**NL_CUSTOMER, "discount": "10"}, headers=bearer(tokens["finance"])
    )
    assert_error(response, 422, "discount")


def test_customer_user_sees_only_its_own_customer(client, database):
    mine, other = factories.customer(), factories.customer()
    token = factories.token("customer", mine.id)
    listed = client.get("/api/v1/customers", headers=bearer(token))
    assert [c["id"] for c in listed.get_json()] == [mine.id]
    assert client.get(f"/api/v1/customers/{mine.id}", headers=bearer(token)).status_code == 200
    assert_error(client.get(f"/api/v1/customers/{other.id}", headers=bearer(token)), 404)


def test_patch_changes_only_what_is_sent(client, tokens, database):
    customer = factories.customer(payment_terms_days=14)
    response = client.patch(
        f"/api/v1/customers/{customer.id}",
        json={"billing_email": "new@example.com"},
        headers=bearer(tokens["finance"]),
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["billing_email"] == "new@example.com"
    assert response.get_json()["payment_terms_days"] == 14


def test_currency_is_fixed_once_the_customer_has_a_contract(client, tokens, database):
    customer = factories.customer(currency="EUR")
    factories.contract(customer.id)
    response = client.patch(
        f"/api/v1/customers/{customer.id}",
        json={"currency": "USD", "billing_email": "new@example.com"},
        headers=bearer(tokens["finance"]),
    )
    body = assert_error(response, 422, "currency")
    assert body["errors"]["currency"] == ["The customer has contracts; their plans fix its currency."]
    shown = client.get(f"/api/v1/customers/{customer.id}", headers=bearer(tokens["finance"])).get_json()
    assert (shown["currency"], shown["billing_email"]) == ("EUR", "ap@example.com")
    free = factories.customer(currency="EUR")
    changed = client.patch(
        f"/api/v1/customers/{free.id}", json={"currency": "USD"}, headers=bearer(tokens["finance"])
    )
    assert changed.status_code == 200 and changed.get_json()["currency"] == "USD"


def test_pagination_reports_the_total(client, tokens, database):
    for _ in range(3):
        factories.customer()
    response = client.get("/api/v1/customers?page=2&page_size=2", headers=bearer(tokens["finance"]))
    assert response.status_code == 200
    assert len(response.get_json()) == 1
    assert '"total": 3' in response.headers["X-Pagination"]

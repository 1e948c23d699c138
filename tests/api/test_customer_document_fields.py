"""What invoices say about a customer, through the API (documents.md, "Parties"): the billing address in
the customer's country, the registration and Peppol ids with a scheme Peppol knows, the buyer reference,
the document language, what the customer lacks for Peppol; never the issuer's own VAT id."""

from __future__ import annotations

import pytest

from tests import factories
from tests.helpers import assert_error, bearer

ADDRESS = {"line1": "Herengracht 420", "postcode": "1017 BZ", "city": "Amsterdam"}
NL_CUSTOMER = {
    "name": "Amsterdam Analytics B.V.",
    "country": "NL",
    "vat_id": "NL820646660B01",
    "currency": "EUR",
    "billing_email": "ap@amsterdam-analytics.example",
    "billing_address": ADDRESS,
    "registration_id": "0106:68750110",
    "peppol_id": "0106:68750110",
}
ISSUER_VAT_ID = "NL004495445B01"  # the testing configuration's DAAS_ISSUER_VAT_ID


def _post(client, tokens, body):
    return client.post("/api/v1/customers", json=body, headers=bearer(tokens["finance"]))


def _patch(client, tokens, customer_id, body):
    return client.patch(f"/api/v1/customers/{customer_id}", json=body, headers=bearer(tokens["finance"]))


def test_a_new_customer_shows_what_its_invoices_will_say(client, tokens):
    body = {
        **NL_CUSTOMER,
        "buyer_reference": "  AP-4711 ",
        "billing_address": {**ADDRESS, "line2": "3rd floor"},
    }
    created = _post(client, tokens, body)
    assert created.status_code == 201, created.get_json()
    shown = client.get(f"/api/v1/customers/{created.get_json()['id']}", headers=bearer(tokens["finance"]))
    customer = shown.get_json()
    assert customer["billing_address"] == {**ADDRESS, "line2": "3rd floor", "country": "NL"}
    assert (customer["registration_id"], customer["peppol_id"]) == ("0106:68750110", "0106:68750110")
    assert customer["buyer_reference"] == "AP-4711"
    assert (customer["document_language"], customer["effective_document_language"]) == (None, "nl")
    assert (customer["peppol_ready"], customer["missing_for_peppol"]) == (True, [])


def test_the_billing_address_is_required_of_a_new_customer(client, tokens):
    without = {key: value for key, value in NL_CUSTOMER.items() if key != "billing_address"}
    assert_error(_post(client, tokens, without), 422, "billing_address")
    no_postcode = {**NL_CUSTOMER, "billing_address": {"line1": "Herengracht 420", "city": "Amsterdam"}}
    body = assert_error(_post(client, tokens, no_postcode), 422, "billing_address")
    assert "postcode" in body["errors"]["billing_address"]
    blank_city = {**NL_CUSTOMER, "billing_address": {**ADDRESS, "city": "  "}}
    assert "city" in assert_error(_post(client, tokens, blank_city), 422)["errors"]["billing_address"]
    assert client.get("/api/v1/customers", headers=bearer(tokens["finance"])).get_json() == []


def test_the_billing_address_is_in_the_customers_country(client, tokens):
    same = _post(client, tokens, {**NL_CUSTOMER, "billing_address": {**ADDRESS, "country": "NL"}})
    assert same.status_code == 201, same.get_json()
    other = {**NL_CUSTOMER, "name": "Elsewhere B.V.", "billing_address": {**ADDRESS, "country": "BE"}}
    body = assert_error(_post(client, tokens, other), 422, "billing_address")
    assert body["errors"]["billing_address"] == {
        "country": ["The billing address is in the customer's country, NL."]
    }
    # On a PATCH it is checked against the customer's country, or the one the PATCH moves it to.
    customer_id = same.get_json()["id"]
    assert_error(
        _patch(client, tokens, customer_id, {"billing_address": {"country": "DE"}}), 422, "billing_address"
    )
    moved = _patch(
        client,
        tokens,
        customer_id,
        {"country": "BE", "vat_id": None, "registration_id": None, "billing_address": {"country": "BE"}},
    )
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["billing_address"]["country"] == "BE"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("peppol_id", "9999:0403019261"),  # no such EAS scheme
        ("peppol_id", "EM:ap@example.com"),  # a UN/ECE 3155 code, not in Peppol's EAS list
        ("peppol_id", "0037:12345678"),  # removed from Peppol's EAS list in BIS Billing 3.0.21
        ("peppol_id", "0106-68750110"),  # not scheme:value
        ("peppol_id", "0106:"),
        ("peppol_id", "0106:6875 0110"),
        ("peppol_id", "0106:1234567"),  # a KvK number has 8 digits
        ("peppol_id", "0208:0403019262"),  # a Belgian enterprise number's check digits are wrong
        ("peppol_id", "0088:5790000435969"),  # a GLN's check digit is wrong
        ("registration_id", "9925:BE0403019261"),  # 9925 is an EAS scheme, not an ICD
        ("registration_id", "68750110"),
        ("registration_id", "0208:0403019261"),  # a Dutch customer is registered with KvK or OIN
    ],
)
def test_an_identifier_peppol_would_refuse_is_a_422_naming_its_field(client, tokens, field, value):
    body = assert_error(_post(client, tokens, {**NL_CUSTOMER, field: value}), 422, field)
    assert not body["message"].startswith("Invalid input:")  # the domain's rule, not the schema's


def test_identifiers_of_the_schemes_peppol_knows_are_kept_as_scheme_value(client, tokens):
    belgian = {
        **NL_CUSTOMER,
        "name": "Gent Print NV",
        "country": "BE",
        "vat_id": "BE0403019261",
        "billing_address": {"line1": "Korenmarkt 1", "postcode": "9000", "city": "Gent"},
        "registration_id": "0208:0403019261",
        "peppol_id": " 0208 : 0403019261 ",
    }
    created = _post(client, tokens, belgian)
    assert created.status_code == 201, created.get_json()
    assert (created.get_json()["registration_id"], created.get_json()["peppol_id"]) == (
        "0208:0403019261",
        "0208:0403019261",
    )
    german = {**belgian, "name": "Berliner Baukontor GmbH", "country": "DE", "vat_id": "DE136695976"}
    german.update(peppol_id="9930:DE136695976", registration_id=None)
    assert _post(client, tokens, german).status_code == 201


@pytest.mark.parametrize("vat_id", [ISSUER_VAT_ID, "nl 0044.95.445.b01"])
def test_the_issuers_own_vat_id_is_refused(client, tokens, vat_id):
    body = assert_error(_post(client, tokens, {**NL_CUSTOMER, "vat_id": vat_id}), 422, "vat_id")
    assert body["errors"]["vat_id"] == [
        "This is the issuer's own VAT id; a customer has a VAT id of its own."
    ]
    customer = factories.customer(vat_id="NL820646660B01")
    assert_error(_patch(client, tokens, customer.id, {"vat_id": vat_id}), 422, "vat_id")


def test_the_document_language_is_the_customers_choice_or_its_countrys(client, tokens):
    assert_error(_post(client, tokens, {**NL_CUSTOMER, "document_language": "es"}), 422, "document_language")
    created = _post(client, tokens, {**NL_CUSTOMER, "document_language": "en"}).get_json()
    assert (created["document_language"], created["effective_document_language"]) == ("en", "en")
    following = _patch(client, tokens, created["id"], {"document_language": None}).get_json()
    assert (following["document_language"], following["effective_document_language"]) == (None, "nl")
    luxembourg = factories.customer(country="LU")
    assert (
        client.get(f"/api/v1/customers/{luxembourg.id}", headers=bearer(tokens["finance"])).get_json()[
            "effective_document_language"
        ]
        == "fr"
    )


def test_a_patch_changes_the_parts_of_the_address_it_sends(client, tokens):
    created = _post(client, tokens, {**NL_CUSTOMER, "billing_address": {**ADDRESS, "line2": "Achterhuis"}})
    customer_id = created.get_json()["id"]
    moved = _patch(client, tokens, customer_id, {"billing_address": {"postcode": "1017 CA"}})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["billing_address"] == {
        **ADDRESS,
        "postcode": "1017 CA",
        "line2": "Achterhuis",
        "country": "NL",
    }
    without_line2 = _patch(client, tokens, customer_id, {"billing_address": {"line2": None}})
    assert without_line2.get_json()["billing_address"]["line2"] is None
    assert_error(
        _patch(client, tokens, customer_id, {"billing_address": {"city": None}}), 422, "billing_address"
    )
    cleared = _patch(client, tokens, customer_id, {"peppol_id": None, "buyer_reference": "PO box"}).get_json()
    assert (cleared["peppol_id"], cleared["buyer_reference"]) == (None, "PO box")


def test_what_a_customer_lacks_for_peppol_is_named(client, tokens, database):
    created = _post(client, tokens, {**NL_CUSTOMER, "peppol_id": None, "registration_id": None}).get_json()
    assert created["peppol_ready"] is False
    assert created["missing_for_peppol"] == ["peppol_id", "registration_id"]
    # A customer from before billing addresses (its pickup address became line 1) lacks the rest of it.
    legacy = factories.customer(address_line1="Waalhaven 1, Rotterdam")
    shown = client.get(f"/api/v1/customers/{legacy.id}", headers=bearer(tokens["finance"])).get_json()
    assert shown["billing_address"] == {
        "line1": "Waalhaven 1, Rotterdam",
        "line2": None,
        "postcode": None,
        "city": None,
        "country": "NL",
    }
    assert shown["missing_for_peppol"] == [
        "peppol_id",
        "billing_address.postcode",
        "billing_address.city",
        "registration_id",
    ]
    # Only Dutch buyers are asked their registration id.
    american = factories.customer(
        country="US",
        currency="USD",
        billing_address={"line1": "200 Park Avenue", "postcode": "10166", "city": "New York"},
        peppol_id="0060:123456789",
    )
    ready = client.get(f"/api/v1/customers/{american.id}", headers=bearer(tokens["finance"])).get_json()
    assert (ready["peppol_ready"], ready["missing_for_peppol"]) == (True, [])
    completed = _patch(
        client, tokens, legacy.id, {"billing_address": {"postcode": "3089 JH", "city": "Rotterdam"}}
    )
    assert completed.get_json()["missing_for_peppol"] == ["peppol_id", "registration_id"]


def test_a_customer_user_sees_its_own_details(client, database):
    customer = factories.customer(billing_address=ADDRESS, buyer_reference="AP-4711", document_language="de")
    token = factories.token("customer", customer.id)
    shown = client.get(f"/api/v1/customers/{customer.id}", headers=bearer(token)).get_json()
    assert (shown["buyer_reference"], shown["effective_document_language"]) == ("AP-4711", "de")
    assert shown["billing_address"]["city"] == "Amsterdam"

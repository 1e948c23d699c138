"""Small helpers for API tests."""

from __future__ import annotations

from typing import Any


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_error(response: Any, status: int, *fields: str) -> dict[str, Any]:
    """The response is the API's error shape with this status, naming these fields."""
    body = response.get_json()
    assert response.status_code == status, (response.status_code, body)
    assert set(body) == {"code", "status", "message", "errors"}, body
    assert body["code"] == status
    for field in fields:
        assert field in body["errors"], (field, body["errors"])
    return body


def configure(app: Any, monkeypatch: Any, **values: Any) -> None:
    """Change settings of the running app for one test: its config, and the settings object built from it
    at start-up (daas.settings), both restored by monkeypatch afterwards."""
    from daas.settings import EXTENSION_KEY, Settings

    for name, value in values.items():
        monkeypatch.setitem(app.config, name, value)
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, Settings.from_config(app.config))


def settings_of(app: Any) -> Any:
    """The settings object the app runs with (daas.settings.Settings)."""
    from daas.settings import EXTENSION_KEY

    return app.extensions[EXTENSION_KEY]


# The seller a production installation must describe (it has no demo issuer): DAAS_ISSUER_* variables.
PRODUCTION_ISSUER = {
    "DAAS_ISSUER_NAME": "Circular Devices B.V.",
    "DAAS_ISSUER_ADDRESS_LINE1": "Keizersgracht 1",
    "DAAS_ISSUER_POSTCODE": "1015 CC",
    "DAAS_ISSUER_CITY": "Amsterdam",
    "DAAS_ISSUER_VAT_ID": "NL004495445B01",
    "DAAS_ISSUER_REGISTRATION_ID": "0106:34110270",
    "DAAS_ISSUER_EMAIL": "billing@circular.example",
    "DAAS_ISSUER_IBAN": "NL91ABNA0417164300",
    "DAAS_ISSUER_BIC": "ABNANL2A",
}

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

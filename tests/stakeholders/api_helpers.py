"""Small helpers shared by the stakeholders API tests."""

from __future__ import annotations

from typing import Any

from stakeholders.validators import uscc_check_char


def valid_uscc(body: str = "91330106MA27XK3G1") -> str:
    return body + uscc_check_char(body)


def assert_error(response: Any, status: int, *, code: str | None = None, field: str | None = None) -> dict[str, Any]:
    """The one JSON error shape: {"error": {"code", "message", "fields"}} with a message that says something."""
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"].strip()
    if code is not None:
        assert error["code"] == code
    if field is not None:
        assert field in error["fields"], error
    return error


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}

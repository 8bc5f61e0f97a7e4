"""OpenAPI post-processing: every operation documents the error answers it can give.

All errors share one shape (core.api.exceptions); listing them per operation lets clients and the
fuzzer (tests/test_api_fuzz.py) rely on the schema for failures too, not only for successes.
"""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Stable machine-readable code, e.g. not_found."},
                "message": {"type": "string", "description": "What is wrong, in the request's language."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Messages per input field (empty when the error is not about a field).",
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}

_DESCRIPTIONS = {
    "400": "The input is invalid or breaks a rule; the message says which.",
    "401": "No valid credentials (session or `Authorization: Token gj_...`).",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object, or not visible to you.",
    "405": "Method not allowed here.",
    "406": "The requested response format is not available.",
    "409": "The object's state does not allow this; the message names the rule (e.g. a failing guard).",
    "413": "The upload is too large.",
    "415": "Unsupported request content type.",
    "429": "Too many requests; retry later.",
    "503": "The database cannot be reached for a moment (code `database_unavailable`); retry after the "
    "`Retry-After` seconds, with the same `Idempotency-Key` for a write.",
}
IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    location=OpenApiParameter.HEADER,
    required=False,
    description="Optional, any unique string of 1-255 visible ASCII characters (a UUID is good). Sending the "
    "same request again with the same key (e.g. after a time-out or a 503) answers with the first request's "
    "stored answer, header `Idempotent-Replayed: true`, and writes nothing again. The same key with a "
    "different body answers 422 `idempotency_key_reused`. Keys are per user and path, remembered for "
    "24 hours; anonymous requests ignore the header.",
)
_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_REUSED = "The Idempotency-Key was already used for a different request (code `idempotency_key_reused`)."
_METHODS = {"get", "post", "put", "patch", "delete"}


class AutoSchema(SpectacularAutoSchema):
    """Documents the optional `Idempotency-Key` header (and its 422) on view methods marked `@idempotent`."""

    def _is_idempotent(self) -> bool:
        name = getattr(self.view, "action", None) or self.method.lower()
        return bool(getattr(getattr(self.view, str(name), None), "idempotent", False))

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._is_idempotent():
            parameters.append(IDEMPOTENCY_KEY_PARAMETER)
        return parameters

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if self._is_idempotent():
            responses.setdefault("422", {"description": _REUSED, "content": _ERROR_CONTENT})
        return responses


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """`responses={200: ..., **errors(400, 404)}` in an `extend_schema`: the error answers an operation
    names explicitly (every operation also gets the rest from `add_error_responses`)."""
    return {code: OpenApiResponse(description=_DESCRIPTIONS[str(code)]) for code in codes}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = _ERROR_CONTENT
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, text in _DESCRIPTIONS.items():
                response = responses.setdefault(code, {"description": text})
                response.setdefault("content", ref)
    return result


_BLANKABLE_FORMATS = {"email", "uri"}


def relax_blank_formats(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Optional e-mail and URL fields are stored blank (""), which no `format` validator accepts.

    In response schemas (components not ending in "Request") such a field is documented as a string
    that is either empty or in the format, so clients validating answers are not surprised by "".
    """
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            continue
        for prop in component.get("properties", {}).values():
            fmt = prop.get("format")
            if prop.get("type") == "string" and fmt in _BLANKABLE_FORMATS:
                del prop["format"]
                prop["anyOf"] = [{"format": fmt}, {"maxLength": 0}]
    return result

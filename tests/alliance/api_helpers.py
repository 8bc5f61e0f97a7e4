"""Helpers shared by the alliance API tests: URLs, uploads and the one error shape."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.alliance.flow import PDF
from tests.stakeholders.api_helpers import assert_error, ids

__all__ = ["assert_error", "client", "created", "ids", "ok", "pdf_upload"]


def client(user: Any = None) -> APIClient:
    """An API client asking for English, so messages are asserted as their msgids."""
    c = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        c.force_authenticate(user)
    return c


def pdf_upload(name: str = "release.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def created(response: Any) -> Any:
    return ok(response, 201)

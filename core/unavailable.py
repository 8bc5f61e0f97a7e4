"""PostgreSQL out of reach (restarting, failing over, overloaded): a clear 503, never a 500.

The API answers its usual JSON error with code ``database_unavailable``, a page answers a short translated
page rendered without the database (no context processors, no base template); both carry ``Retry-After``.
Three doors lead here: the API's exception handler (core.api.exceptions), ``DatabaseUnavailableMiddleware``
for exceptions raised in a page view, and ``server_error`` (``handler500``) for those raised in a middleware,
e.g. the session lookup, when DEBUG is off.

Whether a write that failed this way was committed cannot be known (the connection may drop at commit):
API clients repeat it with the same ``Idempotency-Key`` (core.api.idempotency).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger("gongjian.unavailable")

# OperationalError covers a refused or dropped connection, "the database system is starting up" or "shutting
# down", and deadlocks or serialization failures: all worth retrying. Programming and data errors stay 500s.
DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
CODE = "database_unavailable"


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def message() -> str:
    return _("The database cannot be reached for a moment. Please try again in a few seconds.")


def api_body() -> dict[str, Any]:
    return {"error": {"code": CODE, "message": message(), "fields": {}}}


def log(request: HttpRequest, exc: BaseException) -> None:
    logger.warning("database unavailable: %s %s: %s", request.method, request.path, str(exc).strip()[:200])


def response_for(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse(api_body(), status=503)
    else:
        html = render_to_string("503.html", {"message": message(), "path": request.get_full_path()})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """A page view that cannot reach the database answers 503 with the short page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        log(request, exception)
        return response_for(request)


def server_error(request: HttpRequest, template_name: str = defaults.ERROR_500_TEMPLATE_NAME) -> HttpResponse:
    """``handler500``: the database errors of the middleware layer answer 503 too; the rest is Django's 500."""
    if is_database_unavailable(sys.exc_info()[1]):
        return response_for(request)
    return defaults.server_error(request, template_name)

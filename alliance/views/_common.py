"""Helpers shared by the alliance pages: the current filters, safe redirects, and refused writes shown to the user."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from core.exceptions import DomainError

PAGE_SIZE = 20


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def querystring(request: HttpRequest) -> str:
    """The current filters without paging/export, for page links and export links."""
    params = [(k, v) for k, values in request.GET.lists() for v in values if k not in ("page", "export") and v]
    return urlencode(params)


def safe_next(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


def refused(request: HttpRequest, exc: DomainError) -> None:
    """A service said no (a guard, a role, a state): the page shows why instead of failing."""
    messages.error(request, exc.message)

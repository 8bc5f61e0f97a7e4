"""Webhook subscriptions (an organisation's managers keep them) and the signed, retried outbox.

Signature: every request carries ``X-Gongjian-Timestamp`` (Unix seconds) and
``X-Gongjian-Signature: sha256=<hex>``, the HMAC-SHA256 with the subscription's secret over
``<timestamp>.<raw body>``. See docs/webhooks.md for a receiver that verifies it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import events
from core.exceptions import ConflictError, DomainError, NotAllowed
from core.sweepers import claim_due
from stakeholders.access import Actor
from stakeholders.models import Organization

from .models import Attempt, DeliveryStatus, Subscription, WebhookDelivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=6)
TIMEOUT_SECONDS = 10
BODY_LIMIT = 2000
USER_AGENT = "Gongjian-Webhooks/1"
SIGNATURE_HEADER = "X-Gongjian-Signature"
TIMESTAMP_HEADER = "X-Gongjian-Timestamp"


# --- URL rules ---------------------------------------------------------------------------------------------


def local_targets_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "TESTING", False))


def _is_local_host(host: str) -> bool:
    return host in {"localhost", "127.0.0.1", "::1"}


def _public_address(host: str) -> bool:
    """True when every address the host resolves to is a public one (no SSRF into the private network)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            return False
    return bool(infos)


def check_url(url: str) -> str:
    """https to a public address in production; http://localhost also while DEBUG or testing."""
    url = (url or "").strip()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    problem = None
    if parts.scheme not in {"http", "https"} or not host:
        problem = _("Give a full https:// address.")
    elif parts.username or parts.password:
        problem = _("Credentials in the address are not allowed; the signature authenticates the platform.")
    elif local_targets_allowed() and _is_local_host(host):
        return url
    elif parts.scheme != "https":
        problem = _("Webhooks are sent over https only.")
    elif not _public_address(host):
        problem = _("This address points into a private network (or does not resolve) and is refused.")
    if problem:
        raise DomainError(problem, fields={"url": [problem]})
    return url


# --- subscriptions -----------------------------------------------------------------------------------------


def _check_events(names: Iterable[str]) -> list[str]:
    chosen = sorted(set(names))
    unknown = [n for n in chosen if n not in events.EVENTS]
    if not chosen or unknown:
        message = _("Choose among: %(events)s.") % {"events": ", ".join(events.EVENTS)}
        raise DomainError(message, fields={"events": [message]})
    return chosen


def _require_manager(actor: Actor, organization_id: int) -> None:
    if not actor.manages(organization_id):
        raise NotAllowed(_("Only the organisation's managers manage its webhooks."))


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError(_("Give a name of at most 100 characters."), fields={"name": [_("Required.")]})
    return name


@transaction.atomic
def subscription_create(
    *,
    actor: Actor,
    organization: Organization,
    name: str,
    url: str,
    events: Iterable[str],
    is_active: bool = True,
) -> Subscription:
    """A manager subscribes the organisation's integration to events; the secret is generated here."""
    _require_manager(actor, organization.pk)
    return Subscription.objects.create(
        organization=organization,
        name=_clean_name(name),
        url=check_url(url),
        event_types=_check_events(events),
        is_active=is_active,
        secret=secrets.token_hex(32),
        created_by=actor.user,
    )


def _lock(subscription: Subscription) -> Subscription:
    return Subscription.objects.select_for_update(of=("self",)).get(pk=subscription.pk)


@transaction.atomic
def subscription_update(*, actor: Actor, subscription: Subscription, **changes: Any) -> Subscription:
    """Change name, URL, events or switch it on and off."""
    locked = _lock(subscription)
    _require_manager(actor, locked.organization_id)
    if locked.is_archived:
        raise ConflictError(_("The subscription is archived."))
    unknown = set(changes) - {"name", "url", "events", "is_active"}
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if "name" in changes:
        locked.name = _clean_name(changes["name"])
    if "url" in changes:
        locked.url = check_url(changes["url"])
    if "events" in changes:
        locked.event_types = _check_events(changes["events"])
    if "is_active" in changes:
        locked.is_active = bool(changes["is_active"])
    locked.save()
    return locked


@transaction.atomic
def subscription_rotate_secret(*, actor: Actor, subscription: Subscription) -> Subscription:
    """A new signing secret; the old one stops being used at once."""
    locked = _lock(subscription)
    _require_manager(actor, locked.organization_id)
    locked.secret = secrets.token_hex(32)
    locked.save(update_fields=["secret", "updated_at"])
    return locked


@transaction.atomic
def subscription_archive(*, actor: Actor, subscription: Subscription) -> Subscription:
    """Stop sending to it; its delivery log stays readable."""
    locked = _lock(subscription)
    _require_manager(actor, locked.organization_id)
    if locked.is_archived:
        raise ConflictError(_("The subscription is already archived."))
    locked.archived_at = timezone.now()
    locked.is_active = False
    locked.save(update_fields=["archived_at", "is_active", "updated_at"])
    WebhookDelivery.objects.filter(subscription=locked, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, last_error="subscription archived"
    )
    return locked


# --- the outbox --------------------------------------------------------------------------------------------


# The page each event's object is shown on: (URL name, the id it takes). A tranche has no page of its own; it
# is shown on its project's funding page. A test checks every event in core.events.EVENTS has an entry here.
LINKS: dict[str, tuple[str, Callable[[events.Event], Any]]] = {
    "alliance.project": ("alliance:project-detail", lambda e: e.object_id),
    "alliance.correctionrequest": ("alliance:correction-detail", lambda e: e.object_id),
    "risk.risk": ("risk:risk-detail", lambda e: e.object_id),
    "alliance.guidancedocument": ("alliance:guidance-detail", lambda e: e.object_id),
    "coordination.meeting": ("coordination:meeting-detail", lambda e: e.object_id),
    "alliance.tranche": ("alliance:funding-project", lambda e: e.data.get("project")),
}


def _link(event: events.Event) -> str:
    """The absolute address of the object's page (SITE_URL + path), or "" for an object without a page."""
    from django.urls import NoReverseMatch, reverse

    name, arg = LINKS.get(event.object_type, ("", None))
    pk = arg(event) if arg is not None else None
    if not name or pk is None:
        return ""
    try:
        return settings.SITE_URL.rstrip("/") + reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def payload_for(event: events.Event, subscription: Subscription) -> dict[str, Any]:
    """What the receiver gets: ids, codes and a link, never names or contact details."""
    return {
        "id": event.id,
        "event": event.name,
        "occurred_at": event.at.isoformat(),
        "organization": subscription.organization_id,
        "object": {"type": event.object_type, "id": event.object_id},
        "url": _link(event),
        "data": event.data,
    }


def on_event(event: events.Event) -> None:
    """Listener: one delivery row per live subscription of an organisation that may see the object."""
    if not event.organization_ids:
        return
    subscriptions = Subscription.objects.filter(
        organization_id__in=event.organization_ids,
        is_active=True,
        archived_at__isnull=True,
        event_types__contains=[event.name],
    )
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(subscription=s, event=event.name, event_id=event.id, payload=payload_for(event, s))
            for s in subscriptions
        ]
    )
    ids = [r.pk for r in rows]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(delivery_ids: list[int]) -> None:
    """Ask a worker to send now; with the broker down the sweeper sends them later."""
    from .tasks import deliver

    for pk in delivery_ids:
        try:
            deliver.apply_async((pk,), retry=False)
        except Exception:
            logger.warning("broker unavailable; webhook deliveries left to the sweeper", exc_info=True)
            return


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # a redirect could lead into the network
        return None


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str]:
    """(status, truncated body, error) of one POST; never raises."""
    parts = urlsplit(url)
    if not (local_targets_allowed() and _is_local_host((parts.hostname or "").lower())) and not _public_address(
        parts.hostname or ""
    ):  # resolved again at send time: a name may have been re-pointed since it was checked
        return None, "", "refused: private network address"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only, checked
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read(BODY_LIMIT).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(BODY_LIMIT).decode("utf-8", "replace"), f"HTTP {exc.code}"
    except Exception as exc:  # noqa: BLE001 - connection refused, timeout, TLS: recorded and retried
        return None, "", f"{type(exc).__name__}: {exc}"[:BODY_LIMIT]


def delivery_send(*, delivery_id: int) -> str:
    """Send one pending delivery once; a repeat or a race with the sweeper sends nothing more."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return "skipped"
        sub = delivery.subscription
        now = timezone.now()
        if not sub.is_active or sub.is_archived:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = "subscription inactive"
            delivery.save(update_fields=["status", "last_error"])
            return str(delivery.status)
        body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(now.timestamp()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Gongjian-Event": delivery.event,
            "X-Gongjian-Delivery": delivery.event_id,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(sub.secret, timestamp, body),
        }
        started = time.monotonic()
        status, text, error = _post(sub.url, body, headers)
        duration = int((time.monotonic() - started) * 1000)
        Attempt.objects.create(
            delivery=delivery, at=now, response_status=status, response_body=text, duration_ms=duration, error=error
        )
        delivery.attempts += 1
        delivery.response_status, delivery.response_body, delivery.duration_ms = status, text, duration
        if status is not None and 200 <= status < 300:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = now
            delivery.last_error = ""
        else:
            delivery.last_error = error or f"HTTP {status}"
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
            else:
                delivery.next_attempt_at = now + min(timedelta(minutes=2 ** (delivery.attempts - 1)), MAX_BACKOFF)
        delivery.save()
        return str(delivery.status)


def deliveries_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Beat: send what is pending and due (broker was down, or a failed attempt backed off)."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = [
            d.pk
            for d in claim_due(
                WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING),
                now=now,
                limit=limit,
                field="next_attempt_at",
            )
        ]
    return sum(delivery_send(delivery_id=pk) == DeliveryStatus.SENT for pk in ids)


@transaction.atomic
def delivery_retry(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """A manager asks for a failed delivery to be tried again now."""
    locked = WebhookDelivery.objects.select_for_update(of=("self",)).select_related("subscription").get(pk=delivery.pk)
    _require_manager(actor, locked.subscription.organization_id)
    if locked.status != DeliveryStatus.FAILED:
        raise ConflictError(_("Only a failed delivery can be retried."))
    locked.status = DeliveryStatus.PENDING
    locked.next_attempt_at = timezone.now()
    locked.attempts = 0
    locked.save(update_fields=["status", "next_attempt_at", "attempts"])
    transaction.on_commit(lambda: _enqueue([locked.pk]))
    return locked

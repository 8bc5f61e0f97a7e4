"""Notifications through a transactional outbox.

A service that must tell someone calls ``notify()`` inside its own transaction. That writes the in-app
``Notification`` rows (visible as soon as the change commits) and one ``Delivery`` outbox row per
e-mail to send, each with an idempotency key. On commit a Celery task is asked to send each delivery;
if the broker is down the request still succeeds, and ``outbox_sweep()`` (beat, every minute) sends
whatever is still pending, with backoff. A delivery row is locked while it is sent and only a pending
one is sent, so a task and the sweeper racing for it send it once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.exceptions import ConflictError, NotAllowed
from core.sweepers import claim_due, create_once, sweep

from .models import Cadence, Channel, Delivery, DeliveryStatus, Digest, DigestSchedule, Notification, Preference
from .selectors import is_operator, notification_list_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=6)


def _language(user: Any) -> str:
    return getattr(user, "preferred_language", None) or settings.LANGUAGE_CODE


def _preferences(users: list[Any], event: str) -> dict[int, tuple[bool, bool, str]]:
    """(in_app, email, cadence) per user: the row for this event, else their default row, else on/immediate."""
    rows = Preference.objects.filter(user__in=users, event__in=[event, ""])
    exact: dict[int, Preference] = {}
    default: dict[int, Preference] = {}
    for row in rows:
        (exact if row.event else default)[row.user_id] = row
    out = {}
    for user in users:
        pref = exact.get(user.pk) or default.get(user.pk)
        out[user.pk] = (pref.in_app, pref.email, pref.cadence) if pref else (True, True, Cadence.IMMEDIATE)
    return out


def next_digest_time(now: datetime) -> datetime:
    """The next digest hour (NOTIFICATION_DIGEST_HOUR, local time, default 08:00) after `now`."""
    hour = getattr(settings, "NOTIFICATION_DIGEST_HOUR", 8)
    local = timezone.localtime(now)
    due = timezone.make_aware(datetime.combine(local.date(), time(hour)))
    return due if due > now else due + timedelta(days=1)


def _enqueue(delivery_ids: list[int]) -> None:
    """Ask a worker to send now. Never raises: with the broker down the sweeper sends them later."""
    from .tasks import deliver

    for delivery_id in delivery_ids:
        try:
            deliver.apply_async((delivery_id,), retry=False)
        except Exception:
            logger.warning(
                "broker unavailable; %d deliveries left to the outbox sweeper", len(delivery_ids), exc_info=True
            )
            return


def _enqueue_on_commit(delivery_ids: list[int]) -> None:
    if delivery_ids:
        transaction.on_commit(lambda: _enqueue(delivery_ids))


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Any],
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    actor: Any = None,
    data: dict[str, Any] | None = None,
) -> list[Notification]:
    """Tell people about an event, in the caller's transaction, by the channels each of them chose.

    `title` and `body` may be lazy translations: they are rendered in each recipient's language.
    """
    users = list({u.pk: u for u in recipients if u is not None and u.is_active}.values())
    if not users:
        return []
    prefs = _preferences(users, event)
    now = timezone.now()
    notifications = []
    for user in users:
        with override(_language(user)):
            notifications.append(
                Notification(
                    recipient=user,
                    event=event,
                    title=str(title)[:300],
                    body=str(body),
                    url=url,
                    actor=actor if getattr(actor, "pk", None) else None,
                    data=data or {},
                    in_app=prefs[user.pk][0],
                    created_at=now,
                )
            )
    Notification.objects.bulk_create(notifications)
    deliveries = []
    digest_users = []
    for n in notifications:
        _, email, cadence = prefs[n.recipient_id]
        if not (email and n.recipient.email):
            continue
        held = cadence == Cadence.DAILY
        if held:
            digest_users.append(n.recipient)
        deliveries.append(
            Delivery(
                notification=n,
                channel=Channel.EMAIL,
                event=event,
                recipient=n.recipient,
                address=n.recipient.email,
                idempotency_key=f"notification:{n.pk}:email",
                status=DeliveryStatus.HELD if held else DeliveryStatus.PENDING,
                next_attempt_at=now,
            )
        )
    Delivery.objects.bulk_create(deliveries)
    if digest_users:
        DigestSchedule.objects.bulk_create(
            [DigestSchedule(user=u, next_due_at=next_digest_time(now)) for u in digest_users], ignore_conflicts=True
        )
    _enqueue_on_commit([d.pk for d in deliveries if d.status == DeliveryStatus.PENDING])
    return notifications


@transaction.atomic
def notify_address(
    *, address: str, subject: str, body: str, event: str, idempotency_key: str | None = None
) -> Delivery:
    """E-mail someone who has no account yet (an invitation). The caller composes the text in their language."""
    delivery = Delivery.objects.create(
        channel=Channel.EMAIL,
        event=event,
        address=address,
        subject=str(subject)[:300],
        body=str(body),
        idempotency_key=idempotency_key or f"{event}:{uuid.uuid4().hex}",
    )
    _enqueue_on_commit([delivery.pk])
    return delivery


def _message(delivery: Delivery) -> EmailMultiAlternatives:
    site = settings.SITE_URL.rstrip("/")
    context: dict[str, Any] = {"delivery": delivery, "site_url": site}
    language = _language(delivery.recipient) if delivery.recipient_id else settings.LANGUAGE_CODE
    with override(language):
        if delivery.notification_id:
            n = delivery.notification
            assert n is not None
            context.update(notification=n, link=site + n.url if n.url.startswith("/") else n.url)
            subject = n.title
            template = "notifications/email/notification"
        elif delivery.event == "notifications.digest":
            items = list(
                Notification.objects.filter(deliveries__digest_id=_digest_id(delivery)).order_by("created_at", "id")
            )
            context.update(items=items, link=site + reverse("notifications:centre"))
            subject = delivery.subject
            template = "notifications/email/digest"
        else:
            subject = delivery.subject
            template = "notifications/email/message"
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        # Receivers and relays can drop a duplicate by this header if a send is ever repeated.
        headers={"X-Gongjian-Delivery": delivery.idempotency_key},
    )
    message.attach_alternative(html, "text/html")
    return message


def _digest_id(delivery: Delivery) -> int:
    """A digest e-mail's key is ``digest:<digest id>``."""
    return int(delivery.idempotency_key.rsplit(":", 1)[1])


def delivery_send(*, delivery_id: int) -> str:
    """Send one pending delivery, once. Safe to call twice or from two workers at the same moment."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification", "recipient")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:  # already sent, failed for good, or being sent by someone else right now
            return "skipped"
        now = timezone.now()
        try:
            _message(delivery).send()
        except Exception as exc:  # noqa: BLE001 - whatever the mail backend raises is recorded and retried
            delivery.attempts += 1
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
                logger.error("delivery %s failed for good: %s", delivery.pk, delivery.last_error)
            else:
                delivery.next_attempt_at = now + min(timedelta(minutes=2 ** (delivery.attempts - 1)), MAX_BACKOFF)
                logger.warning("delivery %s failed (attempt %d): %s", delivery.pk, delivery.attempts, exc)
            delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return str(delivery.status)
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.attempts += 1
        delivery.last_error = ""
        delivery.save(update_fields=["status", "sent_at", "attempts", "last_error"])
        return "sent"


def outbox_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send what is still pending and due (the broker was down, or an attempt failed and backed off)."""
    now = now or timezone.now()
    with transaction.atomic():
        # Claim ids only; each delivery is then sent in its own transaction with its own row lock.
        ids = [
            d.pk
            for d in claim_due(
                Delivery.objects.filter(status=DeliveryStatus.PENDING), now=now, limit=limit, field="next_attempt_at"
            )
        ]
    return sum(delivery_send(delivery_id=pk) == "sent" for pk in ids)


def _send_digest(schedule: DigestSchedule, now: datetime) -> datetime:
    period = timezone.localtime(schedule.next_due_at).date().isoformat()
    held = Delivery.objects.filter(recipient_id=schedule.user_id, status=DeliveryStatus.HELD, digest__isnull=True)
    if held.exists():
        digest = create_once(Digest, user_id=schedule.user_id, period=period)
        if digest is not None:
            user = schedule.user
            count = held.update(digest=digest, status=DeliveryStatus.DIGESTED, sent_at=now)
            with override(_language(user)):
                subject = _("Your Gongjian digest: %(count)d notifications") % {"count": count}
            delivery = Delivery.objects.create(
                channel=Channel.EMAIL,
                event="notifications.digest",
                recipient=user,
                address=user.email,
                subject=subject,
                idempotency_key=f"digest:{digest.pk}",
            )
            _enqueue_on_commit([delivery.pk])
    following = next_digest_time(schedule.next_due_at)
    return following if following > now else next_digest_time(now)


def digests_send_due(*, now: datetime | None = None) -> int:
    """Gather each due person's held e-mails into one digest per period; re-runs and parallel runs send one."""
    return sweep(DigestSchedule.objects.select_related("user"), _send_digest, now=now)


def notification_mark_read(*, user: Any, notification_ids: Iterable[int]) -> int:
    return (
        notification_list_for(user)
        .filter(pk__in=list(notification_ids), read_at__isnull=True)
        .update(read_at=timezone.now())
    )


def notification_mark_all_read(*, user: Any) -> int:
    return notification_list_for(user).filter(read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def preference_set(*, user: Any, event: str, in_app: bool, email: bool, cadence: str) -> Preference:
    pref, _created = Preference.objects.update_or_create(
        user=user, event=event.strip(), defaults={"in_app": in_app, "email": email, "cadence": cadence}
    )
    return pref


@transaction.atomic
def delivery_retry(*, user: Any, delivery: Delivery) -> Delivery:
    """An operator sends a failed delivery again (after fixing the address or the mail server)."""
    if not is_operator(user):
        raise NotAllowed(_("Only operators may retry deliveries."))
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status != DeliveryStatus.FAILED:
        raise ConflictError(_("Only a failed delivery can be retried."))
    locked.status = DeliveryStatus.PENDING
    locked.attempts = 0
    locked.next_attempt_at = timezone.now()
    locked.save(update_fields=["status", "attempts", "next_attempt_at"])
    _enqueue_on_commit([locked.pk])
    return locked

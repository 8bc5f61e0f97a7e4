"""Notifications through a transactional outbox.

A service that must tell someone calls ``notify()`` inside its own transaction. That writes the in-app
``Notification`` rows (visible as soon as the change commits) and one ``Delivery`` outbox row per
e-mail to send, each with an idempotency key; ``notify_many()`` does the same for many notices in a
constant number of queries. On commit Celery tasks are asked to send the deliveries in batches of up to
BATCH_SIZE over one mail connection each; if the broker is down the request still succeeds, and
``outbox_sweep()`` (beat, every minute) sends whatever is still pending, with backoff. A batch first
claims its rows (status "sending", the task id as token, a lease) with SKIP LOCKED, so a task and the
sweeper racing for a row send it once; a worker killed mid-batch leaves its claim to its own re-run or,
once the lease has run out, to the sweeper.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.exceptions import ConflictError, NotAllowed
from core.sweepers import claim_due, insert_once

from .models import Cadence, Channel, Delivery, DeliveryStatus, Digest, DigestSchedule, Notification, Preference
from .selectors import is_operator, notification_list_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=6)
BATCH_SIZE = 500  # deliveries per task and per mail connection
MARK_EVERY = 20  # sent rows marked per statement: what a worker killed mid-batch may send twice at most
LEASE = timedelta(minutes=15)  # how long a claim holds before another worker may take the rows over


def _language(user: Any) -> str:
    return getattr(user, "preferred_language", None) or settings.LANGUAGE_CODE


def _preferences(user_ids: set[int], events: set[str]) -> dict[tuple[int, str], tuple[bool, bool, str]]:
    """(in_app, email, cadence) per (user, event): the row for the event, else the default row, else on/immediate.

    One query for any number of people and events.
    """
    rows = Preference.objects.filter(user_id__in=user_ids, event__in=[*events, ""]).values_list(
        "user_id", "event", "in_app", "email", "cadence"
    )
    found = {(user_id, event): (in_app, email, cadence) for user_id, event, in_app, email, cadence in rows}
    return {
        (user_id, event): found.get((user_id, event)) or found.get((user_id, "")) or (True, True, Cadence.IMMEDIATE)
        for user_id in user_ids
        for event in events
    }


def next_digest_time(now: datetime) -> datetime:
    """The next digest hour (NOTIFICATION_DIGEST_HOUR, local time, default 08:00) after `now`."""
    hour = getattr(settings, "NOTIFICATION_DIGEST_HOUR", 8)
    local = timezone.localtime(now)
    due = timezone.make_aware(datetime.combine(local.date(), time(hour)))
    return due if due > now else due + timedelta(days=1)


def _enqueue(delivery_ids: list[int]) -> None:
    """Ask workers to send now, in batches. Never raises: with the broker down the sweeper sends them later."""
    from .tasks import deliver_batch

    for start in range(0, len(delivery_ids), BATCH_SIZE):
        try:
            deliver_batch.apply_async((delivery_ids[start : start + BATCH_SIZE],), retry=False)
        except Exception:
            logger.warning(
                "broker unavailable; %d deliveries left to the outbox sweeper",
                len(delivery_ids) - start,
                exc_info=True,
            )
            return


def _enqueue_on_commit(delivery_ids: list[int]) -> None:
    if delivery_ids:
        transaction.on_commit(lambda: _enqueue(delivery_ids))


@dataclass(frozen=True)
class Notice:
    """One thing to tell a group of people: what ``notify_many()`` takes, one per risk, reminder or report."""

    recipients: Iterable[Any]
    event: str
    title: Any
    body: Any = ""
    url: str = ""
    actor: Any = None
    data: dict[str, Any] | None = None


@transaction.atomic
def notify_many(notices: Iterable[Notice]) -> list[Notification]:
    """Tell many people about many events, in the caller's transaction, by the channels each of them chose.

    A constant number of queries whatever the count (preferences, notifications, deliveries, digest
    schedules), so a sweeper over thousands of rows or a fan-out to thousands of readers costs the same
    few round trips as one notification. `title` and `body` may be lazy translations: they are rendered
    in each recipient's language. A person is told once per notice, however often they are listed.
    """
    batch: list[tuple[Notice, list[Any]]] = []
    for item in notices:
        users = list({u.pk: u for u in item.recipients if u is not None and u.is_active}.values())
        if users:
            batch.append((item, users))
    if not batch:
        return []
    prefs = _preferences({u.pk for _item, users in batch for u in users}, {item.event for item, _users in batch})
    now = timezone.now()
    notifications = []
    texts: dict[tuple[int, str], tuple[str, str]] = {}  # (notice, language) -> rendered title and body
    for index, (item, users) in enumerate(batch):
        actor = item.actor if getattr(item.actor, "pk", None) else None
        for user in users:
            language = _language(user)
            if (index, language) not in texts:
                with override(language):
                    texts[index, language] = (str(item.title)[:300], str(item.body))
            title, body = texts[index, language]
            notifications.append(
                Notification(
                    recipient=user,
                    event=item.event,
                    title=title,
                    body=body,
                    url=item.url,
                    actor=actor,
                    data=item.data or {},
                    in_app=prefs[user.pk, item.event][0],
                    created_at=now,
                )
            )
    Notification.objects.bulk_create(notifications)
    deliveries = []
    digest_users = {}
    for n in notifications:
        _, email, cadence = prefs[n.recipient_id, n.event]
        if not (email and n.recipient.email):
            continue
        held = cadence == Cadence.DAILY
        if held:
            digest_users[n.recipient_id] = n.recipient
        deliveries.append(
            Delivery(
                notification=n,
                channel=Channel.EMAIL,
                event=n.event,
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
            [DigestSchedule(user=u, next_due_at=next_digest_time(now)) for u in digest_users.values()],
            ignore_conflicts=True,
        )
    _enqueue_on_commit([d.pk for d in deliveries if d.status == DeliveryStatus.PENDING])
    return notifications


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
    """Tell people about one event, in the caller's transaction, by the channels each of them chose.

    `title` and `body` may be lazy translations: they are rendered in each recipient's language.
    """
    return notify_many([Notice(recipients, event, title, body=body, url=url, actor=actor, data=data)])


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


def _claim(*, token: str, now: datetime, ids: list[int] | None = None, limit: int = BATCH_SIZE) -> list[int]:
    """Mark up to `limit` deliveries "sending" under `token` and a lease, in one statement; return their ids.

    Claimable: pending ones (due ones only when sweeping, i.e. without `ids`), ones whose lease ran out (their
    worker died), and ones this token already holds (the same task re-run after its worker was killed). Rows
    another worker is claiming right now are skipped (SKIP LOCKED), so two workers never take the same row.
    """
    table = connection.ops.quote_name(Delivery._meta.db_table)
    if ids is not None:
        scope, scope_args, due, due_args = "id = ANY(%s) AND ", [ids], "", []
    else:
        scope, scope_args, due, due_args = "", [], " AND next_attempt_at <= %s", [now]
    sql = f"""
        UPDATE {table} SET status = %s, claim_token = %s, lease_until = %s
        WHERE id IN (
            SELECT id FROM {table}
            WHERE {scope}((status = %s{due}) OR (status = %s AND (lease_until <= %s OR claim_token = %s)))
            ORDER BY id LIMIT %s
            FOR UPDATE SKIP LOCKED
        )
        RETURNING id
    """  # noqa: S608 - the table name is ours; every value is a parameter
    args: list[Any] = [DeliveryStatus.SENDING, token, now + LEASE, *scope_args, DeliveryStatus.PENDING, *due_args]
    args += [DeliveryStatus.SENDING, now, token, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return sorted(row[0] for row in cursor.fetchall())


def _mark_sent(ids: list[int], token: str) -> None:
    if ids:
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING, claim_token=token).update(
            status=DeliveryStatus.SENT,
            sent_at=timezone.now(),
            attempts=F("attempts") + 1,
            last_error="",
            claim_token="",
            lease_until=None,
        )


def _mark_failed(delivery: Delivery, exc: Exception, token: str, now: datetime) -> str:
    attempts = delivery.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if attempts >= MAX_ATTEMPTS:
        status, next_attempt_at = DeliveryStatus.FAILED, delivery.next_attempt_at
        logger.error("delivery %s failed for good: %s", delivery.pk, error)
    else:
        status, next_attempt_at = DeliveryStatus.PENDING, now + min(timedelta(minutes=2 ** (attempts - 1)), MAX_BACKOFF)
        logger.warning("delivery %s failed (attempt %d): %s", delivery.pk, attempts, exc)
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, claim_token=token).update(
        status=status,
        attempts=attempts,
        last_error=error,
        next_attempt_at=next_attempt_at,
        claim_token="",
        lease_until=None,
    )
    return str(status)


def deliveries_send(
    *, ids: list[int] | None = None, token: str | None = None, now: datetime | None = None, limit: int = BATCH_SIZE
) -> dict[str, int]:
    """Claim a batch of deliveries (these ids, or whatever is due) and send them over one mail connection.

    The claim commits before anything is sent, so a slow mail server holds no row lock. Sent rows are marked
    every MARK_EVERY messages: a worker killed mid-batch leaves at most that many sent-but-unmarked rows,
    which its re-run (same task id) or the sweeper (after the lease) sends again. Safe to run twice or from
    two workers at once: a row is claimed by one of them only.
    """
    now = now or timezone.now()
    token = token or f"sweep:{uuid.uuid4().hex}"
    if ids is not None and not ids:
        return {"sent": 0, "failed": 0}
    claimed = _claim(token=token, now=now, ids=ids, limit=limit)
    counts = {"sent": 0, "failed": 0}
    if not claimed:
        return counts
    deliveries = Delivery.objects.filter(pk__in=claimed).select_related("notification", "recipient").order_by("pk")
    mail = get_connection()
    is_open = False
    down: Exception | None = None  # the mail server refused a connection: this batch tries no further
    sent: list[int] = []
    try:
        for delivery in deliveries:
            try:
                if down is not None:
                    raise down
                message = _message(delivery)
                if not is_open:
                    try:
                        mail.open()
                    except Exception as exc:
                        down = exc
                        raise
                    is_open = True
                message.connection = mail
                mail.send_messages([message])
            except Exception as exc:  # noqa: BLE001 - whatever the mail backend raises is recorded and retried
                _mark_sent(sent, token)
                sent = []
                _mark_failed(delivery, exc, token, now)
                counts["failed"] += 1
                if is_open:
                    with contextlib.suppress(Exception):
                        mail.close()  # the connection may be broken: the next message opens a fresh one
                is_open = False
                continue
            sent.append(delivery.pk)
            counts["sent"] += 1
            if len(sent) >= MARK_EVERY:
                _mark_sent(sent, token)
                sent = []
    finally:
        _mark_sent(sent, token)
        if is_open:
            with contextlib.suppress(Exception):
                mail.close()
    return counts


def delivery_send(*, delivery_id: int, token: str | None = None) -> str:
    """Send one delivery, once. Safe to call twice or from two workers at the same moment."""
    result = deliveries_send(ids=[delivery_id], token=token)
    if result["sent"]:
        return "sent"
    if result["failed"]:
        return str(Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first())
    return "skipped"  # already sent, failed for good, or being sent by someone else right now


def outbox_sweep(*, now: datetime | None = None, limit: int = BATCH_SIZE) -> int:
    """Send what is still pending and due (the broker was down, an attempt failed and backed off, or a worker
    died holding a claim whose lease has run out)."""
    return deliveries_send(now=now, limit=limit)["sent"]


def digests_send_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Gather each due person's held e-mails into one digest per period; re-runs and parallel runs send one.

    Set-based, a constant number of queries however many people are due: claim the schedules, find who has
    held e-mails, record the digests (INSERT .. ON CONFLICT DO NOTHING RETURNING: a period already digested
    is left out), attach the held e-mails to them, count them, write the digest e-mails and move the
    schedules on.
    """
    now = now or timezone.now()
    with transaction.atomic():
        schedules = claim_due(DigestSchedule.objects.select_related("user"), now=now, limit=limit)
        if not schedules:
            return 0
        holding = set(
            Delivery.objects.filter(
                recipient_id__in=[s.user_id for s in schedules], status=DeliveryStatus.HELD, digest__isnull=True
            ).values_list("recipient_id", flat=True)
        )
        records = [
            {"user": s.user_id, "period": timezone.localtime(s.next_due_at).date().isoformat()}
            for s in schedules
            if s.user_id in holding
        ]
        digests = {user_id: digest_id for digest_id, user_id in insert_once(Digest, records, ["id", "user"])}
        if digests:
            Delivery.objects.filter(
                recipient_id__in=list(digests), status=DeliveryStatus.HELD, digest__isnull=True
            ).update(
                digest_id=Subquery(
                    Digest.objects.filter(pk__in=list(digests.values()), user_id=OuterRef("recipient_id")).values("pk")[
                        :1
                    ]
                ),
                status=DeliveryStatus.DIGESTED,
                sent_at=now,
            )
            counts = dict(
                Delivery.objects.filter(digest_id__in=list(digests.values()))
                .values_list("digest_id")
                .annotate(n=Count("id"))
                .values_list("digest_id", "n")
            )
            deliveries = []
            for schedule in schedules:
                digest_id = digests.get(schedule.user_id, 0)
                if not counts.get(digest_id):
                    continue
                user = schedule.user
                with override(_language(user)):
                    subject = _("Your Gongjian digest: %(count)d notifications") % {"count": counts[digest_id]}
                deliveries.append(
                    Delivery(
                        channel=Channel.EMAIL,
                        event="notifications.digest",
                        recipient=user,
                        address=user.email,
                        subject=subject,
                        idempotency_key=f"digest:{digest_id}",
                    )
                )
            Delivery.objects.bulk_create(deliveries)
            _enqueue_on_commit([d.pk for d in deliveries])
        for schedule in schedules:
            following = next_digest_time(schedule.next_due_at)
            schedule.next_due_at = following if following > now else next_digest_time(now)
        DigestSchedule.objects.bulk_update(schedules, ["next_due_at"])
    return len(schedules)


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

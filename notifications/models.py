"""Notifications: what a person is told (in-app), the outbox of deliveries to other channels, and digests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("E-mail")


class Cadence(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DAILY = "daily", _("Daily digest")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    HELD = "held", _("Held for the digest")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    DIGESTED = "digested", _("Sent in a digest")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """Something a person is told about: written in the same transaction as the change it reports."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("event"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    # False when the recipient turned the in-app channel off for this event: the row still carries the
    # text for the e-mail, but the bell and the notification centre do not show it.
    in_app = models.BooleanField(default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], condition=Q(in_app=True), name="notification_inbox"),
            models.Index(
                fields=["recipient"], condition=Q(in_app=True, read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """How a person wants to hear about one kind of event; the row with an empty event is their default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(_("event"), max_length=100, blank=True, help_text=_("Empty: every other event."))
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)
    cadence = models.CharField(_("e-mail cadence"), max_length=20, choices=Cadence.choices, default=Cadence.IMMEDIATE)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="preference_one_per_user_event")]

    def __str__(self) -> str:
        return f"{self.user}: {self.event or '*'}"


class DigestSchedule(models.Model):
    """When a person's next daily digest is due; the digest sweeper claims due rows."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_schedule")
    next_due_at = models.DateTimeField(_("next due at"), db_index=True)

    class Meta:
        verbose_name = _("digest schedule")
        verbose_name_plural = _("digest schedules")

    def __str__(self) -> str:
        return f"{self.user} @ {self.next_due_at:%Y-%m-%d %H:%M}"


class Digest(models.Model):
    """One digest per person and period: the unique key that makes a re-run or a second sweeper harmless."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    period = models.CharField(_("period"), max_length=20)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="digest_one_per_user_period")]

    def __str__(self) -> str:
        return f"{self.user} {self.period}"


class Delivery(models.Model):
    """One message to send on a channel other than the app: the transactional outbox row."""

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    digest = models.ForeignKey(Digest, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    event = models.CharField(_("event"), max_length=100)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    address = models.CharField(_("address"), max_length=254, blank=True)
    # Set only for messages composed by the caller (notify_address, digests); notification e-mails are
    # rendered at send time in the recipient's language.
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    # While "sending": who claimed the row (the Celery task id, or a sweeper's token) and until when. A worker
    # killed mid-batch leaves its rows claimed; the same task re-run, or anyone once the lease ran out, takes them.
    claim_token = models.CharField(max_length=100, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_pending_due"),
            models.Index(fields=["recipient"], condition=Q(status="held"), name="delivery_held"),
            models.Index(fields=["lease_until"], condition=Q(status="sending"), name="delivery_sending_lease"),
            models.Index(fields=["status", "-created_at"], name="delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.event} → {self.address or self.recipient} ({self.status})"

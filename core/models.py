"""Shared base models: the user, timestamps, and archiving instead of deleting."""

from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


# Passwords and sign-in times are not history: only what a person or an administrator changed.
@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in: library staff, a partner's employee, a government officer or a reader."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_integration = models.BooleanField(
        _("integration account"), default=False, help_text=_("Acts for an organisation's systems, not a person.")
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def shown_name(self) -> str:
        return str(self)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ArchivableQuerySet(models.QuerySet[Any]):
    def active(self) -> ArchivableQuerySet:
        return self.filter(archived_at__isnull=True)

    def archived(self) -> ArchivableQuerySet:
        return self.filter(archived_at__isnull=False)


class Archivable(models.Model):
    """Domain rows are archived, never deleted through the UI or API."""

    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class DemoMarker(models.Model):
    """Records that the demo data was seeded, so `seed_demo --once` seeds a database only once."""

    name = models.CharField(max_length=50, unique=True)
    seeded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("demo marker")
        verbose_name_plural = _("demo markers")

    def __str__(self) -> str:
        return f"{self.name} ({self.seeded_at:%Y-%m-%d %H:%M})"


class IdempotencyKey(models.Model):
    """A client's key for one API write and the answer it got, so a repeated write is answered, not redone.

    Stored in the same transaction as the write: either both are committed or neither is (core.api.idempotency).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("key sent by the client"), max_length=255)
    path = models.TextField(_("request path"))
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("response status"), default=0)
    response = models.JSONField(_("stored response"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "path", "key"], name="core_idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.key} {self.path}"

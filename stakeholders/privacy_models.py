"""Reader personal data: who on the staff opened it, and the record that a reader's data was erased."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReaderDataAccess(models.Model):
    """A staff member opened a reader's personal data: a feedback with identity, a profile, an export.

    Append-only: written by ``stakeholders.privacy.access_log``, read by the library's managers.
    """

    library = models.ForeignKey("stakeholders.Organization", on_delete=models.PROTECT, related_name="+")
    reader = models.ForeignKey("stakeholders.ReaderProfile", on_delete=models.PROTECT, related_name="data_accesses")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    view = models.CharField(_("what was opened"), max_length=100)
    path = models.CharField(_("address"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("reader data access")
        verbose_name_plural = _("reader data accesses")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["library", "-at"], name="reader_access_library_at"),
            models.Index(fields=["reader", "-at"], name="reader_access_reader_at"),
            models.Index(fields=["actor", "-at"], name="reader_access_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} → {self.reader_id} ({self.view})"


class ReaderErasure(models.Model):
    """A reader's personal data was erased on request: who did it, when, why, and what was touched."""

    reader = models.OneToOneField("stakeholders.ReaderProfile", on_delete=models.PROTECT, related_name="erasure")
    library = models.ForeignKey("stakeholders.Organization", on_delete=models.PROTECT, related_name="+")
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("erased at"), default=timezone.now)
    summary = models.JSONField(_("what was erased"), default=dict, blank=True)

    class Meta:
        verbose_name = _("reader data erasure")
        verbose_name_plural = _("reader data erasures")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["library", "-at"], name="reader_erasure_library_at")]

    def __str__(self) -> str:
        return f"{self.reader_id} @ {self.at:%Y-%m-%d}"

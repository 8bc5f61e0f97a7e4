"""The library's smartification needs and the evidence behind them."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Archivable, TimeStamped
from stakeholders.models import Organization

from ..choices import EvidenceKind, NeedCategory, NeedPriority, NeedStatus
from .alliances import Alliance


@pghistory.track(exclude=["updated_at"])
class Need(TimeStamped, Archivable):
    """A smartification need of a library: what readers ask for, or a gap in space, equipment or technology."""

    library = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="needs")
    alliance = models.ForeignKey(Alliance, null=True, blank=True, on_delete=models.PROTECT, related_name="needs")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=NeedCategory.choices)
    priority = models.CharField(_("priority"), max_length=10, choices=NeedPriority.choices, default=NeedPriority.MEDIUM)
    status = models.CharField(_("status"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    analysis = models.TextField(_("analysis"), blank=True, help_text=_("What the library concluded from the evidence."))
    analysed_at = models.DateTimeField(_("analysed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=NeedStatus.values), name="need_status_valid"),
            models.CheckConstraint(condition=Q(priority__in=NeedPriority.values), name="need_priority_valid"),
            models.CheckConstraint(
                condition=Q(status="open") | Q(analysed_at__isnull=False), name="need_analysed_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["library", "status"], name="need_library_status"),
            models.Index(fields=["alliance", "status"], name="need_alliance_status"),
            models.Index(fields=["priority"], name="need_priority"),
            models.Index(fields=["archived_at"], name="need_archived"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def match_text(self) -> str:
        """The words partner matching compares with what organisations offer."""
        return " ".join(part for part in (self.title, self.keywords, self.description) if part)


@pghistory.track(exclude=["updated_at"])
class NeedEvidence(TimeStamped, Archivable):
    """Why the library believes in a need: reader feedback, a survey, an observation or a statistic."""

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    summary = models.TextField(_("summary"))
    # The feedback app links its own rows here by id; a survey or report may live elsewhere (url).
    reference_id = models.CharField(_("reference"), max_length=64, blank=True)
    reference_url = models.URLField(_("reference link"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("need evidence")
        verbose_name_plural = _("need evidence")
        ordering = ["need_id", "created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=EvidenceKind.values), name="evidence_kind_valid")]
        indexes = [
            models.Index(fields=["need", "archived_at"], name="evidence_need_active"),
            models.Index(fields=["kind", "reference_id"], name="evidence_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary[:40]}"

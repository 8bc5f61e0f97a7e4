"""Guidance: policies from government bodies and standards from government bodies and research institutes."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Archivable, TimeStamped
from stakeholders.models import Organization
from stakeholders.validators import validate_document

from ..choices import GuidanceKind
from .projects import Project


def guidance_upload_to(instance: GuidanceDocument, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"guidance/{instance.issuer_id}/{timezone.now():%Y%m%d%H%M%S}.{ext}"


@pghistory.track(exclude=["updated_at"])
class GuidanceDocument(TimeStamped, Archivable):
    """A policy or standard that guides smart-library building, in one version with its effective date."""

    kind = models.CharField(_("kind"), max_length=10, choices=GuidanceKind.choices)
    issuer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="guidance_issued")
    code = models.CharField(_("code"), max_length=60, blank=True, help_text=_("For example DB33/T 1234-2024."))
    title = models.CharField(_("title"), max_length=300)
    version = models.CharField(_("version"), max_length=30, default="1.0")
    effective_on = models.DateField(_("effective on"))
    scope = models.TextField(_("scope"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    document = models.FileField(_("document"), upload_to=guidance_upload_to, blank=True, validators=[validate_document])
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("guidance document")
        verbose_name_plural = _("guidance documents")
        ordering = ["-effective_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=GuidanceKind.values), name="guidance_kind_valid"),
            models.UniqueConstraint(
                fields=["issuer", "kind", "code", "version"],
                condition=~Q(code=""),
                name="guidance_code_version_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "archived_at", "-effective_on"], name="guidance_kind_effective"),
            models.Index(fields=["issuer", "kind"], name="guidance_issuer"),
        ]

    def __str__(self) -> str:
        label = f"{self.code} " if self.code else ""
        return f"{label}{self.title} ({self.version})"


class PolicyManager(models.Manager["Policy"]):
    def get_queryset(self) -> models.QuerySet[Policy]:
        return super().get_queryset().filter(kind=GuidanceKind.POLICY)


class StandardManager(models.Manager["Standard"]):
    def get_queryset(self) -> models.QuerySet[Standard]:
        return super().get_queryset().filter(kind=GuidanceKind.STANDARD)


class Policy(GuidanceDocument):
    """A policy issued by a government body."""

    objects = PolicyManager()  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = _("policy")
        verbose_name_plural = _("policies")


class Standard(GuidanceDocument):
    """A standard issued by a government body or a research institute."""

    objects = StandardManager()  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = _("standard")
        verbose_name_plural = _("standards")


@pghistory.track(exclude=["updated_at"])
class ProjectStandard(TimeStamped, Archivable):
    """A project's declaration that it follows a standard, so its guide can check compliance."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="declared_standards")
    standard = models.ForeignKey(GuidanceDocument, on_delete=models.PROTECT, related_name="declared_by_projects")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("how it is followed"), blank=True)

    class Meta:
        verbose_name = _("declared standard")
        verbose_name_plural = _("declared standards")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "standard"], condition=Q(archived_at__isnull=True), name="project_standard_once"
            )
        ]
        indexes = [models.Index(fields=["standard"], name="project_standard_standard")]

    def __str__(self) -> str:
        return f"{self.project} follows {self.standard}"

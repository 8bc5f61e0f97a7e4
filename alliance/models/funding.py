"""Money of the co-construction: who funds, how much goes to which project, what is released and spent, and reports.

A funding source (a government grant, an enterprise's investment, a library's own budget) is allocated to
projects; each allocation is paid out in tranches that are released only when their milestone is accepted;
the project's library or provider records what it spends against released money, with a receipt; the
project's lead library owes the funder a financial report per allocation on a cadence.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Archivable, TimeStamped
from stakeholders.models import Organization
from stakeholders.validators import validate_document

from .alliances import Alliance
from .projects import Milestone, Project


class FundingKind(models.TextChoices):
    GOVERNMENT_GRANT = "government_grant", _("Government grant")
    ENTERPRISE_INVESTMENT = "enterprise_investment", _("Enterprise investment")
    LIBRARY_BUDGET = "library_budget", _("Library budget")


class TrancheStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RELEASED = "released", _("Released")


class ExpenditureCategory(models.TextChoices):
    EQUIPMENT = "equipment", _("Equipment")
    SOFTWARE = "software", _("Software")
    SERVICES = "services", _("Services")
    PERSONNEL = "personnel", _("Personnel")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class ReportCadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


CURRENCY = "CNY"


def _money(verbose: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(verbose, max_digits=14, decimal_places=2)


@pghistory.track(exclude=["updated_at"])
class FundingSource(TimeStamped, Archivable):
    """Money an organisation puts into an alliance's projects for a period: a grant, an investment or a budget."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="funding_sources")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="funding_sources")
    kind = models.CharField(_("kind"), max_length=30, choices=FundingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    amount = _money(_("amount (CNY)"))
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY, editable=False)
    starts_on = models.DateField(_("period starts"))
    ends_on = models.DateField(_("period ends"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=FundingKind.values), name="funding_source_kind_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_source_amount_positive"),
            models.CheckConstraint(condition=Q(currency=CURRENCY), name="funding_source_currency_cny"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="funding_source_period_valid"),
        ]
        indexes = [
            models.Index(fields=["alliance", "archived_at"], name="funding_source_alliance"),
            models.Index(fields=["organization", "archived_at"], name="funding_source_org"),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track(exclude=["updated_at"])
class Allocation(TimeStamped, Archivable):
    """Part of a funding source set aside for one project; reported on at the allocation's cadence."""

    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="allocations")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="allocations")
    amount = _money(_("amount (CNY)"))
    # Counts in the budget from this day; the first reporting period starts on it too.
    starts_on = models.DateField(_("funded from"), default=timezone.localdate)
    report_cadence = models.CharField(
        _("report cadence"), max_length=20, choices=ReportCadence.choices, default=ReportCadence.QUARTERLY
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["project_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=Q(report_cadence__in=ReportCadence.values), name="allocation_cadence_valid"
            ),
            models.UniqueConstraint(
                fields=["source", "project"], condition=Q(archived_at__isnull=True), name="allocation_once_per_project"
            ),
        ]
        indexes = [
            models.Index(fields=["project", "archived_at"], name="allocation_project"),
            models.Index(fields=["source", "archived_at"], name="allocation_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.project}"


@pghistory.track(exclude=["updated_at"])
class Tranche(TimeStamped, Archivable):
    """A part of an allocation paid out when its milestone is accepted; released once, by the funder."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="tranches")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="tranches")
    amount = _money(_("amount (CNY)"))
    status = models.CharField(
        _("status"), max_length=20, choices=TrancheStatus.choices, default=TrancheStatus.PLANNED, editable=False
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True, editable=False)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["allocation_id", "milestone__due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=TrancheStatus.values), name="tranche_status_valid"),
            # A released tranche says when and by whom; a planned one says neither.
            models.CheckConstraint(
                condition=(Q(status="released") & Q(released_at__isnull=False) & Q(released_by__isnull=False))
                | (Q(status="planned") & Q(released_at__isnull=True) & Q(released_by__isnull=True)),
                name="tranche_released_iff_stamped",
            ),
        ]
        indexes = [
            models.Index(fields=["allocation", "status"], name="tranche_allocation_status"),
            models.Index(fields=["milestone"], name="tranche_milestone"),
            models.Index(fields=["released_at"], name="tranche_released_at"),
        ]

    def __str__(self) -> str:
        return f"{self.allocation} · {self.amount}"


def receipt_upload_to(instance: Expenditure, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"receipts/{instance.project_id}/{timezone.now():%Y%m%d%H%M%S%f}.{ext}"


@pghistory.track(exclude=["updated_at"])
class Expenditure(TimeStamped, Archivable):
    """Money a project spent out of a released allocation, with its receipt."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="expenditures")
    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="expenditures")
    amount = _money(_("amount (CNY)"))
    category = models.CharField(_("category"), max_length=20, choices=ExpenditureCategory.choices)
    spent_on = models.DateField(_("spent on"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    receipt = models.FileField(_("receipt"), upload_to=receipt_upload_to, validators=[validate_document])
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        ordering = ["-spent_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expenditure_amount_positive"),
            models.CheckConstraint(
                condition=Q(category__in=ExpenditureCategory.values), name="expenditure_category_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["project", "spent_on"], name="expenditure_project_spent"),
            models.Index(fields=["allocation", "archived_at"], name="expenditure_allocation"),
            models.Index(fields=["category"], name="expenditure_category"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.amount} ({self.spent_on})"


@pghistory.track(exclude=["updated_at", "sweep_at"])
class FinancialReport(TimeStamped):
    """A report on an allocation's spending that the project's lead library owes the funder for one period."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="reports")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    due_on = models.DateField(_("due on"))
    summary = models.TextField(_("summary"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # The reminder sweeper: reminds once before the due date, escalates once when overdue, then leaves it.
    sweep_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("financial report")
        verbose_name_plural = _("financial reports")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "period_start"], name="financial_report_once_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="financial_report_period"),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(sweep_at__isnull=True), name="financial_report_no_sweep_done"
            ),
        ]
        indexes = [
            models.Index(fields=["sweep_at"], name="financial_report_sweep"),
            models.Index(fields=["allocation", "due_on"], name="financial_report_alloc_due"),
            models.Index(fields=["organization", "submitted_at"], name="financial_report_org"),
        ]

    def __str__(self) -> str:
        return f"{self.allocation} · {self.period_start}–{self.period_end}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def is_overdue(self, today: object = None) -> bool:
        return self.submitted_at is None and self.due_on < (today or timezone.localdate())  # type: ignore[operator]


ZERO = Decimal("0")

"""Risk registers of alliances and projects, with treatment, reviews, incidents and the pre-assessment gate."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Alliance, Project
from core.models import Archivable, TimeStamped
from stakeholders.models import Organization

from .choices import (
    DEFAULT_IMPACT_LABELS,
    DEFAULT_LIKELIHOOD_LABELS,
    PreAssessmentStatus,
    ReminderLevel,
    RiskCategory,
    RiskLevel,
    RiskStatus,
    Treatment,
)


def _default_likelihood_labels() -> list[str]:
    return list(DEFAULT_LIKELIHOOD_LABELS)


def _default_impact_labels() -> list[str]:
    return list(DEFAULT_IMPACT_LABELS)


def _on_scale(field: str) -> Q:
    return Q(**{f"{field}__gte": 1, f"{field}__lte": 5})


@pghistory.track(exclude=["updated_at"])
class RiskRegister(TimeStamped, Archivable):
    """The list of risks an alliance (project empty) or one of its projects keeps and reviews."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="risk_registers")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="risk_registers")
    title = models.CharField(_("title"), max_length=200)
    # The matrix's axis labels, lowest first; a library may word them its own way.
    likelihood_labels = models.JSONField(_("likelihood labels"), default=_default_likelihood_labels)
    impact_labels = models.JSONField(_("impact labels"), default=_default_impact_labels)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("risk register")
        verbose_name_plural = _("risk registers")
        ordering = ["alliance_id", "project_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance"],
                condition=Q(project__isnull=True, archived_at__isnull=True),
                name="risk_register_one_per_alliance",
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(project__isnull=False, archived_at__isnull=True),
                name="risk_register_one_per_project",
            ),
        ]
        indexes = [
            models.Index(fields=["alliance", "archived_at"], name="risk_register_alliance"),
            models.Index(fields=["project", "archived_at"], name="risk_register_project"),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track(exclude=["updated_at"])
class RiskTemplate(TimeStamped, Archivable):
    """A starting risk of a domain (a smart-library project), in Chinese and English, that a register adopts."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    domain = models.CharField(_("domain"), max_length=40, default="smart_library")
    category = models.CharField(_("category"), max_length=20, choices=RiskCategory.choices)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    cause_zh = models.TextField(_("cause (Chinese)"))
    cause_en = models.TextField(_("cause (English)"))
    consequence_zh = models.TextField(_("consequence (Chinese)"))
    consequence_en = models.TextField(_("consequence (English)"))
    mitigation_zh = models.TextField(_("suggested mitigation (Chinese)"), blank=True)
    mitigation_en = models.TextField(_("suggested mitigation (English)"), blank=True)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    treatment = models.CharField(_("treatment"), max_length=20, choices=Treatment.choices)

    class Meta:
        verbose_name = _("risk template")
        verbose_name_plural = _("risk templates")
        ordering = ["domain", "category", "code"]
        constraints = [
            models.CheckConstraint(condition=_on_scale("likelihood"), name="risk_template_likelihood_1_5"),
            models.CheckConstraint(condition=_on_scale("impact"), name="risk_template_impact_1_5"),
            models.CheckConstraint(condition=Q(category__in=RiskCategory.values), name="risk_template_category"),
        ]
        indexes = [models.Index(fields=["domain", "category", "archived_at"], name="risk_template_domain")]

    def __str__(self) -> str:
        return self.title_en


@pghistory.track(exclude=["updated_at"])
class Risk(TimeStamped, Archivable):
    """Something that may go wrong: why, what it would do, who owns it, how bad before and after treatment."""

    register = models.ForeignKey(RiskRegister, on_delete=models.PROTECT, related_name="risks")
    template = models.ForeignKey(
        RiskTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="adoptions"
    )
    category = models.CharField(_("category"), max_length=20, choices=RiskCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    cause = models.TextField(_("cause"), blank=True)
    consequence = models.TextField(_("consequence"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_risks"
    )
    owner_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="owned_risks")
    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    # Stored (not computed per read) so lists filter and the heat map groups on indexed columns.
    inherent_score = models.PositiveSmallIntegerField(_("inherent score"), editable=False)
    inherent_level = models.CharField(_("inherent level"), max_length=10, choices=RiskLevel.choices, editable=False)
    treatment = models.CharField(_("treatment"), max_length=20, choices=Treatment.choices, default=Treatment.MITIGATE)
    residual_likelihood = models.PositiveSmallIntegerField(_("residual likelihood"))
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"))
    residual_score = models.PositiveSmallIntegerField(_("residual score"), editable=False)
    residual_level = models.CharField(_("residual level"), max_length=10, choices=RiskLevel.choices, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    next_review_at = models.DateTimeField(_("next review at"))
    # When the review sweeper should next look at this risk (reminder, then escalation); null: nothing pending.
    sweep_at = models.DateTimeField(_("sweep at"), null=True, blank=True, editable=False)
    last_reviewed_at = models.DateTimeField(_("last reviewed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["-residual_score", "-inherent_score", "id"]
        constraints = [
            models.CheckConstraint(condition=_on_scale("likelihood"), name="risk_likelihood_1_5"),
            models.CheckConstraint(condition=_on_scale("impact"), name="risk_impact_1_5"),
            models.CheckConstraint(condition=_on_scale("residual_likelihood"), name="risk_residual_likelihood_1_5"),
            models.CheckConstraint(condition=_on_scale("residual_impact"), name="risk_residual_impact_1_5"),
            models.CheckConstraint(
                condition=Q(inherent_score=F("likelihood") * F("impact")), name="risk_inherent_score_product"
            ),
            models.CheckConstraint(
                condition=Q(residual_score=F("residual_likelihood") * F("residual_impact")),
                name="risk_residual_score_product",
            ),
            models.CheckConstraint(condition=Q(category__in=RiskCategory.values), name="risk_category_valid"),
            models.CheckConstraint(condition=Q(status__in=RiskStatus.values), name="risk_status_valid"),
            models.CheckConstraint(condition=Q(treatment__in=Treatment.values), name="risk_treatment_valid"),
        ]
        indexes = [
            models.Index(fields=["register", "archived_at", "status"], name="risk_register_status"),
            models.Index(fields=["register", "category"], name="risk_register_category"),
            models.Index(fields=["register", "likelihood", "impact"], name="risk_inherent_cell"),
            models.Index(fields=["register", "residual_likelihood", "residual_impact"], name="risk_residual_cell"),
            models.Index(fields=["residual_level", "status"], name="risk_residual_level"),
            models.Index(fields=["owner_organization", "archived_at"], name="risk_owner_org"),
            models.Index(fields=["owner", "archived_at"], name="risk_owner"),
            models.Index(fields=["next_review_at"], name="risk_next_review"),
            models.Index(fields=["sweep_at"], condition=Q(sweep_at__isnull=False), name="risk_sweep_due"),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track()
class ReviewReminder(models.Model):
    """That the sweeper reminded (due) or escalated (overdue) one review period of a risk: at most once each."""

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="reminders")
    period = models.DateTimeField(_("review due at"))
    level = models.CharField(_("level"), max_length=10, choices=ReminderLevel.choices)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")
        constraints = [
            models.UniqueConstraint(fields=["risk", "period", "level"], name="review_reminder_once_per_period"),
        ]
        indexes = [models.Index(fields=["sent_at"], name="review_reminder_sent")]

    def __str__(self) -> str:
        return f"{self.risk} · {self.level} · {self.period:%Y-%m-%d}"


@pghistory.track(exclude=["updated_at"])
class Mitigation(TimeStamped, Archivable):
    """An action that lowers a risk, owned by a person of an organisation (often a partner), due by a date."""

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="mitigations")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_mitigations"
    )
    owner_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="owned_mitigations")
    due_on = models.DateField(_("due on"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mitigation")
        verbose_name_plural = _("mitigations")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=100), name="mitigation_progress_0_100"),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(progress=100), name="mitigation_done_means_complete"
            ),
        ]
        indexes = [
            models.Index(fields=["risk", "archived_at"], name="mitigation_risk"),
            models.Index(fields=["owner_organization", "archived_at"], name="mitigation_owner_org"),
            models.Index(fields=["due_on"], condition=Q(done_at__isnull=True), name="mitigation_open_due"),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track(exclude=["updated_at"])
class EmergencyPlan(TimeStamped, Archivable):
    """What to do if a risk happens: the conditions that trigger the plan, its steps and whom to call."""

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="emergency_plans")
    title = models.CharField(_("title"), max_length=200)
    trigger_conditions = models.TextField(_("trigger conditions"))
    steps = models.TextField(_("steps"))
    contacts = models.TextField(_("contacts"), help_text=_("Who to call, one per line: name, role, phone."))

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["risk_id", "id"]
        indexes = [models.Index(fields=["risk", "archived_at"], name="emergency_plan_risk")]

    def __str__(self) -> str:
        return self.title


@pghistory.track(exclude=["updated_at"])
class Drill(TimeStamped):
    """A rehearsal of an emergency plan: when, who took part, how it went and what to change."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.PROTECT, related_name="drills")
    held_on = models.DateField(_("held on"))
    participants = models.TextField(_("participants"), blank=True)
    outcome = models.TextField(_("outcome"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["plan_id", "-held_on", "-id"]
        indexes = [models.Index(fields=["plan", "held_on"], name="drill_plan_held")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.held_on}"


@pghistory.track(exclude=["updated_at"])
class Acceptance(TimeStamped):
    """An approver's acceptance of a risk's residual level until an expiry that sends it back to review."""

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="acceptances")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approver_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    residual_score = models.PositiveSmallIntegerField(_("residual score accepted"))
    residual_level = models.CharField(_("residual level accepted"), max_length=10, choices=RiskLevel.choices)
    rationale = models.TextField(_("rationale"))
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    # Set when the acceptance stopped holding: it expired, or a review re-scored the risk.
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk acceptance")
        verbose_name_plural = _("risk acceptances")
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("accepted_at")), name="acceptance_expires_later"),
            models.UniqueConstraint(
                fields=["risk"], condition=Q(ended_at__isnull=True), name="acceptance_one_in_force"
            ),
        ]
        indexes = [
            models.Index(fields=["risk", "accepted_at"], name="acceptance_risk"),
            models.Index(fields=["expires_at"], condition=Q(ended_at__isnull=True), name="acceptance_in_force"),
        ]

    def __str__(self) -> str:
        return f"{self.risk} accepted until {self.expires_at:%Y-%m-%d}"


@pghistory.track()
class Review(models.Model):
    """A periodic look at a risk: the scores it was given and what the reviewer noted."""

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="reviews")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    residual_likelihood = models.PositiveSmallIntegerField(_("residual likelihood"))
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"))
    residual_score = models.PositiveSmallIntegerField(_("residual score"))
    notes = models.TextField(_("notes"), blank=True)
    incident = models.ForeignKey(
        "risk.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )

    class Meta:
        verbose_name = _("risk review")
        verbose_name_plural = _("risk reviews")
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_on_scale("likelihood"), name="review_likelihood_1_5"),
            models.CheckConstraint(condition=_on_scale("impact"), name="review_impact_1_5"),
            models.CheckConstraint(condition=_on_scale("residual_likelihood"), name="review_residual_likelihood_1_5"),
            models.CheckConstraint(condition=_on_scale("residual_impact"), name="review_residual_impact_1_5"),
        ]
        indexes = [
            models.Index(fields=["risk", "reviewed_at"], name="review_risk_at"),
            models.Index(fields=["reviewed_at"], name="review_at"),
        ]

    def __str__(self) -> str:
        return f"{self.risk} reviewed {self.reviewed_at:%Y-%m-%d}"


@pghistory.track(exclude=["updated_at"])
class Incident(TimeStamped, Archivable):
    """A risk that happened: what, its impact, the response and the lessons; its linked risks are re-scored."""

    register = models.ForeignKey(RiskRegister, on_delete=models.PROTECT, related_name="incidents")
    title = models.CharField(_("title"), max_length=200)
    occurred_at = models.DateTimeField(_("occurred at"))
    what_happened = models.TextField(_("what happened"))
    impact = models.TextField(_("impact"))
    response = models.TextField(_("response"))
    lessons = models.TextField(_("lessons learned"), blank=True)
    risks: models.ManyToManyField[Risk, Review] = models.ManyToManyField(
        Risk, through=Review, through_fields=("incident", "risk"), related_name="incidents", blank=True
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["register", "occurred_at"], name="incident_register_at"),
            models.Index(fields=["archived_at"], name="incident_archived"),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track(exclude=["updated_at"])
class PreAssessment(TimeStamped, Archivable):
    """The risk pre-assessment a project needs before development: every category judged, signed by both sides."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="risk_preassessments")
    status = models.CharField(
        _("status"), max_length=20, choices=PreAssessmentStatus.choices, default=PreAssessmentStatus.DRAFT
    )
    summary = models.TextField(_("summary"), blank=True)
    library_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    library_signed_at = models.DateTimeField(_("signed by the library at"), null=True, blank=True)
    provider = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    provider_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider_signed_at = models.DateTimeField(_("signed by the provider at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("risk pre-assessment")
        verbose_name_plural = _("risk pre-assessments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(archived_at__isnull=True), name="preassessment_one_per_project"
            ),
            models.CheckConstraint(
                condition=Q(status=PreAssessmentStatus.DRAFT)
                | Q(library_signed_at__isnull=False, provider_signed_at__isnull=False, completed_at__isnull=False),
                name="preassessment_completed_means_signed",
            ),
        ]
        indexes = [models.Index(fields=["project", "archived_at", "status"], name="preassessment_project")]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_status_display()}"


@pghistory.track(exclude=["updated_at"])
class PreAssessmentItem(TimeStamped):
    """One category's finding in a pre-assessment, with its likelihood and impact."""

    assessment = models.ForeignKey(PreAssessment, on_delete=models.PROTECT, related_name="items")
    category = models.CharField(_("category"), max_length=20, choices=RiskCategory.choices)
    finding = models.TextField(_("finding"))
    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("pre-assessment item")
        verbose_name_plural = _("pre-assessment items")
        ordering = ["assessment_id", "category"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "category"], name="preassessment_item_one_per_category"),
            models.CheckConstraint(condition=_on_scale("likelihood"), name="preassessment_item_likelihood_1_5"),
            models.CheckConstraint(condition=_on_scale("impact"), name="preassessment_item_impact_1_5"),
            models.CheckConstraint(condition=Q(category__in=RiskCategory.values), name="preassessment_item_category"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.get_category_display()}"

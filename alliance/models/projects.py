"""Co-construction projects, who takes part in them, their milestones, and the record of their cycle."""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.models import Archivable, TimeStamped
from stakeholders.models import Organization

from ..choices import ParticipantRole, ProjectStatus, SignoffRole
from .alliances import Alliance
from .needs import Need


@pghistory.track(exclude=["updated_at"])
class Project(TimeStamped, Archivable):
    """A co-construction project of an alliance, moved through the cycle only by ``alliance.cycle``."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    # Written only by alliance.cycle.project_transition: no view sets the status.
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT, editable=False
    )
    suspended_from = models.CharField(
        _("suspended from"), max_length=20, choices=ProjectStatus.choices, blank=True, editable=False
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now, editable=False)
    budget = models.DecimalField(_("budget (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    starts_on = models.DateField(_("planned start"), null=True, blank=True)
    ends_on = models.DateField(_("planned end"), null=True, blank=True)
    needs: models.ManyToManyField[Need, ProjectNeed] = models.ManyToManyField(
        Need, through="ProjectNeed", related_name="projects", blank=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProjectStatus.values), name="project_status_valid"),
            models.CheckConstraint(
                condition=(Q(status="suspended") & ~Q(suspended_from=""))
                | (~Q(status="suspended") & Q(suspended_from="")),
                name="project_suspended_from_iff_suspended",
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="project_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["alliance", "status"], name="project_alliance_status"),
            models.Index(fields=["status", "status_changed_at"], name="project_status_since"),
            models.Index(fields=["archived_at"], name="project_archived"),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track(exclude=["updated_at"])
class ProjectNeed(TimeStamped):
    """A need the project sets out to meet."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="project_needs")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="project_links")

    class Meta:
        verbose_name = _("project need")
        verbose_name_plural = _("project needs")
        constraints = [models.UniqueConstraint(fields=["project", "need"], name="project_need_unique")]
        indexes = [models.Index(fields=["need"], name="project_need_need")]

    def __str__(self) -> str:
        return f"{self.project} · {self.need}"


@pghistory.track(exclude=["updated_at"])
class ProjectParticipant(TimeStamped, Archivable):
    """An alliance member's part in one project: the provider, an assistant, the guide or a funder."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="participants")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="project_participations")
    role = models.CharField(_("role"), max_length=20, choices=ParticipantRole.choices)
    responsibilities = models.TextField(_("responsibilities"), blank=True)
    funding_amount = models.DecimalField(
        _("funding (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0"), help_text=_("For funders.")
    )

    class Meta:
        verbose_name = _("project participant")
        verbose_name_plural = _("project participants")
        ordering = ["project_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organization", "role"],
                condition=Q(archived_at__isnull=True),
                name="participant_one_active_role",
            ),
            # One provider answers for the deliverable; more would blur who corrects deviations.
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(archived_at__isnull=True, role="provider"),
                name="participant_one_provider",
            ),
            models.CheckConstraint(condition=Q(role__in=ParticipantRole.values), name="participant_role_valid"),
            models.CheckConstraint(condition=Q(funding_amount__gte=0), name="participant_funding_not_negative"),
        ]
        indexes = [
            models.Index(fields=["project", "role", "archived_at"], name="participant_project_role"),
            models.Index(fields=["organization", "archived_at"], name="participant_org_active"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_role_display()} @ {self.project}"


@pghistory.track(exclude=["updated_at", "next_review_at"])
class Milestone(TimeStamped, Archivable):
    """A dated step of a project that the alliance reviews."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # Accepted by the project's funder or guiding government (alliance.services.funding.milestone_accept);
    # a tranche tied to the milestone can be released only then.
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # When the reminder sweeper next looks at it: from its due date, weekly while overdue; cleared when done.
    next_review_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project_id", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(done_at__isnull=False), name="milestone_accepted_only_done"
            ),
        ]
        indexes = [
            models.Index(fields=["project", "due_on"], name="milestone_project_due"),
            models.Index(fields=["next_review_at"], name="milestone_review_due"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on})"


@pghistory.track()
class Transition(models.Model):
    """One recorded step of a project through the cycle: who moved it, when, from where to where and why."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="transitions")
    name = models.CharField(_("transition"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, choices=ProjectStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ProjectStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["project_id", "at", "id"]
        indexes = [
            models.Index(fields=["project", "at"], name="transition_project_at"),
            models.Index(fields=["to_status", "at"], name="transition_to_at"),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.from_status} → {self.to_status}"


@pghistory.track(exclude=["updated_at"])
class Signoff(TimeStamped):
    """A party's signature on a trial's outcome; acceptance needs the library's and any government funder's."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="signoffs")
    trial = models.ForeignKey("alliance.Trial", on_delete=models.PROTECT, related_name="signoffs")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("signed as"), max_length=20, choices=SignoffRole.choices)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        constraints = [
            models.UniqueConstraint(fields=["trial", "organization"], name="signoff_once_per_trial"),
            models.CheckConstraint(condition=Q(role__in=SignoffRole.values), name="signoff_role_valid"),
        ]
        indexes = [models.Index(fields=["project", "trial"], name="signoff_project_trial")]

    def __str__(self) -> str:
        return f"{self.organization} signed {self.project}"


class ProjectUserObjectPermission(UserObjectPermissionBase):
    """A person's object permission on one project (rare: sight normally comes through the organisation)."""

    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


class ProjectGroupObjectPermission(GroupObjectPermissionBase):
    """An organisation group's object permission on one project, kept in step by ``alliance.access``."""

    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)

"""Closed sets of values of the co-construction cycle: roles, statuses, severities and kinds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from stakeholders.choices import OrganizationKind


class AllianceRole(models.TextChoices):
    DEMAND = "demand", _("Demand side")
    PROVIDER = "provider", _("Provider")
    ASSISTANT = "assistant", _("Assistant")
    GUIDE = "guide", _("Guide")
    FUNDER = "funder", _("Funder")


# The paper's division of labour: which kind of organisation may take which alliance role.
KINDS_BY_ROLE: dict[str, tuple[str, ...]] = {
    AllianceRole.DEMAND: (OrganizationKind.LIBRARY,),
    AllianceRole.PROVIDER: (OrganizationKind.ENTERPRISE,),
    AllianceRole.ASSISTANT: (OrganizationKind.UNIVERSITY, OrganizationKind.RESEARCH),
    AllianceRole.GUIDE: (OrganizationKind.GOVERNMENT,),
    AllianceRole.FUNDER: (OrganizationKind.GOVERNMENT,),
}

GOVERNMENT_ROLES = (AllianceRole.GUIDE, AllianceRole.FUNDER)


class NeedPriority(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class NeedCategory(models.TextChoices):
    READER_DEMAND = "reader_demand", _("Reader demand")
    SPACE = "space", _("Space")
    EQUIPMENT = "equipment", _("Equipment")
    TECHNOLOGY = "technology", _("Technology")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANALYSED = "analysed", _("Analysed")
    MET = "met", _("Met")
    DROPPED = "dropped", _("Dropped")


class EvidenceKind(models.TextChoices):
    READER_FEEDBACK = "reader_feedback", _("Reader feedback")
    SURVEY = "survey", _("Survey")
    OBSERVATION = "observation", _("Observation")
    STATISTIC = "statistic", _("Statistic")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEEDS_ANALYSIS = "needs_analysis", _("Needs analysis")
    SEEKING_PARTNERS = "seeking_partners", _("Seeking partners")
    IN_DEVELOPMENT = "in_development", _("In development")
    DELIVERED = "delivered", _("Delivered")
    IN_TRIAL = "in_trial", _("In trial")
    CORRECTING = "correcting", _("Correcting")
    ACCEPTED = "accepted", _("Accepted")
    CLOSED = "closed", _("Closed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


class ParticipantRole(models.TextChoices):
    PROVIDER = "provider", _("Provider")
    ASSISTANT = "assistant", _("Assistant")
    GUIDE = "guide", _("Guide")
    FUNDER = "funder", _("Funder")


class TrialStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class CorrectionSource(models.TextChoices):
    TRIAL = "trial", _("Trial")
    READER_FEEDBACK = "reader_feedback", _("Reader feedback")


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Verified and closed")


class SignoffRole(models.TextChoices):
    LIBRARY = "library", _("Library")
    GOVERNMENT = "government", _("Government funder")


class GuidanceKind(models.TextChoices):
    POLICY = "policy", _("Policy")
    STANDARD = "standard", _("Standard")

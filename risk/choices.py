"""Closed sets of values of the risk register, and the scoring rules of its 5×5 matrix."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class RiskCategory(models.TextChoices):
    TECHNOLOGY = "technology", _("Technology")
    ETHICS = "ethics", _("Ethics")
    FUNDING = "funding", _("Funding")
    COPYRIGHT = "copyright", _("Copyright and intellectual property")
    SECURITY = "security", _("Information security and privacy")
    PARTNER = "partner", _("Partner credibility")
    COMPLIANCE = "compliance", _("Policy and compliance")
    OTHER = "other", _("Other")


class Treatment(models.TextChoices):
    MITIGATE = "mitigate", _("Mitigate")
    ACCEPT = "accept", _("Accept")
    TRANSFER = "transfer", _("Transfer")
    AVOID = "avoid", _("Avoid")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    TREATING = "treating", _("Being treated")
    ACCEPTED = "accepted", _("Accepted")
    REVIEW = "review", _("Back for review")
    CLOSED = "closed", _("Closed")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class ReminderLevel(models.TextChoices):
    DUE = "due", _("Review due")
    OVERDUE = "overdue", _("Review overdue")


class PreAssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed and signed")


SCALE = range(1, 6)

# Stored in English on each register (a library may rename them); shown translated while unchanged.
DEFAULT_LIKELIHOOD_LABELS = [
    gettext_noop("Rare"), gettext_noop("Unlikely"), gettext_noop("Possible"),
    gettext_noop("Likely"), gettext_noop("Almost certain"),
]  # fmt: skip
DEFAULT_IMPACT_LABELS = [
    gettext_noop("Negligible"), gettext_noop("Minor"), gettext_noop("Moderate"),
    gettext_noop("Major"), gettext_noop("Severe"),
]  # fmt: skip


def shown_labels(labels: list[str], defaults: list[str]) -> list[str]:
    """A register's scale labels in the reader's language where they are still the defaults."""
    from django.utils.translation import gettext

    return [gettext(label) if label in defaults else label for label in labels]


# Score = likelihood × impact (1..25). The bands follow the common 5×5 matrix used by ISO 31000 practice.
LEVEL_BANDS: tuple[tuple[int, str], ...] = (
    (20, RiskLevel.CRITICAL),
    (10, RiskLevel.HIGH),
    (5, RiskLevel.MEDIUM),
    (1, RiskLevel.LOW),
)

# Days between reviews by level: the worse the risk, the more often it is looked at.
REVIEW_CADENCE_DAYS = {
    RiskLevel.CRITICAL: 7,
    RiskLevel.HIGH: 30,
    RiskLevel.MEDIUM: 90,
    RiskLevel.LOW: 180,
}

# After a review falls due, how long before the sweeper escalates it to the library's managers.
ESCALATE_AFTER = timedelta(days=7)


def score(likelihood: int, impact: int) -> int:
    return likelihood * impact


def level_for(value: int) -> str:
    for floor, level in LEVEL_BANDS:
        if value >= floor:
            return str(level)
    return str(RiskLevel.LOW)


def review_cadence(level: str) -> timedelta:
    days = getattr(settings, "RISK_REVIEW_CADENCE_DAYS", {}).get(level) or REVIEW_CADENCE_DAYS[RiskLevel(level)]
    return timedelta(days=days)

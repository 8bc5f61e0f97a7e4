"""Reader feedback, its path through triage to the reader's confirmation, service levels and surveys."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import CorrectionRequest, Deliverable, Need, Project, Trial
from core.models import Archivable, TimeStamped
from stakeholders.models import Organization, ReaderProfile
from stakeholders.validators import validate_document

from .choices import Channel, FeedbackKind, FeedbackStatus, QuestionKind, SurveyStatus, Theme

__all__ = [
    "Feedback",
    "FeedbackPolicy",
    "FeedbackSupport",
    "FeedbackTransition",
    "ServiceLevel",
    "ServiceLevelBreach",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
]


@pghistory.track(exclude=["updated_at"])
class FeedbackPolicy(TimeStamped):
    """A library's own rules for feedback: whether readers may give it without signing in."""

    library = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="feedback_policy")
    allow_anonymous = models.BooleanField(_("accept anonymous feedback"), default=False)

    class Meta:
        verbose_name = _("feedback policy")
        verbose_name_plural = _("feedback policies")

    def __str__(self) -> str:
        return f"{self.library}"


@pghistory.track(exclude=["updated_at"])
class ServiceLevel(TimeStamped):
    """How long a library lets feedback stay in one state before the responsible person is reminded."""

    library = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="feedback_service_levels")
    status = models.CharField(_("state"), max_length=12, choices=FeedbackStatus.choices)
    max_hours = models.PositiveIntegerField(_("maximum hours"))

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["library_id", "status"]
        constraints = [
            models.UniqueConstraint(fields=["library", "status"], name="service_level_once_per_state"),
            models.CheckConstraint(condition=Q(max_hours__gte=1), name="service_level_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.library} · {self.get_status_display()} ≤ {self.max_hours} h"


def attachment_upload_to(instance: Feedback, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"feedback/{instance.library_id}/{timezone.now():%Y%m}/{timezone.now():%d%H%M%S%f}.{ext}"


@pghistory.track(exclude=["updated_at"])
class Feedback(TimeStamped, Archivable):
    """What a reader told the library: a need, a complaint, praise or a trial report, and what became of it."""

    library = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="feedback")
    # Null for anonymous feedback; partners never see who it was.
    reader = models.ForeignKey(ReaderProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    kind = models.CharField(_("kind"), max_length=20, choices=FeedbackKind.choices)
    # Stored exactly as given; templates and JSON escape it on the way out.
    text = models.TextField(_("text"))
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True, help_text=_("1–5"))
    attachment = models.FileField(
        _("photo or file"), upload_to=attachment_upload_to, blank=True, validators=[validate_document]
    )
    consent_contact = models.BooleanField(_("may be contacted about it"), default=False)
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Other readers of the library may see and support it.")
    )
    subject = models.CharField(_("service or space"), max_length=200, blank=True)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback")
    deliverable = models.ForeignKey(
        Deliverable, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback"
    )
    trial = models.ForeignKey(Trial, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback")

    # Triage.
    status = models.CharField(_("status"), max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices, blank=True)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True, verbose_name=_("tags"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates")
    need = models.ForeignKey(Need, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback")
    correction = models.ForeignKey(
        CorrectionRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback"
    )
    routed_to = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback_routed"
    )

    # The library's answer and the reader's verdict.
    answer = models.TextField(_("library's answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    # The provider's answer to the correction request this was routed with, copied when the provider answers
    # in its portal (alliance.hooks.CORRECTION_ANSWERED); shown to the reader beside the library's own answer.
    provider_answer = models.TextField(_("provider's answer"), blank=True)
    provider_answered_at = models.DateTimeField(_("provider answered at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    # Service level: when the current state began, when the next escalation is due, and how far it went.
    state_entered_at = models.DateTimeField(_("in this state since"), default=timezone.now)
    sla_due_at = models.DateTimeField(_("service level due at"), null=True, blank=True)
    sla_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    sla_breached_at = models.DateTimeField(_("service level breached at"), null=True, blank=True)

    # Moderation keeps the text (and pghistory keeps every version); it only stops showing it.
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=FeedbackKind.values), name="feedback_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=FeedbackStatus.values), name="feedback_status_valid"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)), name="feedback_rating_1_5"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="feedback_text_not_empty"),
            models.CheckConstraint(condition=~Q(duplicate_of=models.F("id")), name="feedback_not_own_duplicate"),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | Q(hidden_by__isnull=False), name="feedback_hidden_by_someone"
            ),
        ]
        indexes = [
            models.Index(fields=["library", "status", "-created_at"], name="feedback_library_status"),
            models.Index(fields=["reader", "-created_at"], name="feedback_reader"),
            models.Index(fields=["routed_to", "-created_at"], name="feedback_routed_to"),
            models.Index(fields=["sla_due_at"], name="feedback_sla_due", condition=Q(sla_due_at__isnull=False)),
            models.Index(fields=["project"], name="feedback_project"),
            models.Index(fields=["deliverable"], name="feedback_deliverable"),
            models.Index(fields=["need"], name="feedback_need"),
            GinIndex(OpClass("text", name="gin_trgm_ops"), name="feedback_text_trgm"),
            GinIndex(fields=["tags"], name="feedback_tags"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class FeedbackTransition(models.Model):
    """One recorded step of a feedback's path: who moved it from which state to which, when and why."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="transitions")
    name = models.CharField(_("transition"), max_length=20)
    from_status = models.CharField(_("from"), max_length=12, choices=FeedbackStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=FeedbackStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("feedback transition")
        verbose_name_plural = _("feedback transitions")
        ordering = ["feedback_id", "at", "id"]
        indexes = [models.Index(fields=["feedback", "at"], name="feedback_transition_at")]

    def __str__(self) -> str:
        return f"#{self.feedback_id} {self.from_status} → {self.to_status}"


class FeedbackSupport(TimeStamped):
    """A reader backs another reader's public need ("me too"): one support per reader and need."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="supports")
    reader = models.ForeignKey(ReaderProfile, on_delete=models.PROTECT, related_name="feedback_supports")

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["feedback", "reader"], name="feedback_support_once")]

    def __str__(self) -> str:
        return f"{self.reader} + #{self.feedback_id}"


class ServiceLevelBreach(models.Model):
    """Feedback stayed too long in a state; the unique key makes each escalation level happen once per visit."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="breaches")
    status = models.CharField(_("state"), max_length=12, choices=FeedbackStatus.choices)
    state_entered_at = models.DateTimeField(_("state entered at"))
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("1: the responsible person; 2: their manager"))
    notified = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("service level breach")
        verbose_name_plural = _("service level breaches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "status", "state_entered_at", "level"], name="breach_once_per_level"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.feedback_id} {self.status} L{self.level}"


@pghistory.track(exclude=["updated_at"])
class Survey(TimeStamped, Archivable):
    """A library's questionnaire for its readers, on its own or about a trial."""

    library = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="surveys")
    trial = models.ForeignKey(Trial, null=True, blank=True, on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(status__in=SurveyStatus.values), name="survey_status_valid")]
        indexes = [models.Index(fields=["library", "status"], name="survey_library_status")]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    """One question of a survey: a 1–5 rating, a choice among options, or free text."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    options = ArrayField(models.CharField(max_length=100), default=list, blank=True, verbose_name=_("options"))
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["survey_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="question_position_unique"),
            models.CheckConstraint(condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(TimeStamped):
    """One reader's (or one kiosk respondent's) answers to a survey; each answers once."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    reader = models.ForeignKey(
        ReaderProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="survey_responses"
    )
    # A kiosk or library system names its respondent by a key of its own (hashed here), so they answer once too.
    respondent_key = models.CharField(max_length=64, blank=True, editable=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "reader"], condition=Q(reader__isnull=False), name="survey_response_once_per_reader"
            ),
            models.UniqueConstraint(
                fields=["survey", "respondent_key"],
                condition=~Q(respondent_key=""),
                name="survey_response_once_per_key",
            ),
            models.CheckConstraint(
                condition=Q(reader__isnull=False) | ~Q(respondent_key=""), name="survey_response_has_respondent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class SurveyAnswer(models.Model):
    """The answer to one question within a response."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=100, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)), name="answer_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.rating or self.choice or self.text[:20]}"

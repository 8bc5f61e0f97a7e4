"""The words of the feedback loop: kinds, states, channels, themes and survey question types."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackKind(models.TextChoices):
    NEED = "need", _("Need or suggestion")
    COMPLAINT = "complaint", _("Complaint")
    PRAISE = "praise", _("Praise")
    TRIAL_REPORT = "trial_report", _("Trial report")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    ROUTED = "routed", _("Routed to a provider")
    ANSWERED = "answered", _("Answered")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Confirmed solved")
    REOPENED = "reopened", _("Reopened")


class Channel(models.TextChoices):
    WEB = "web", _("Reader portal")
    KIOSK = "kiosk", _("Kiosk")
    MINI_PROGRAM = "mini_program", _("Mini-program")
    LIBRARY_SYSTEM = "library_system", _("Library system")
    STAFF = "staff", _("Recorded by staff")


class Theme(models.TextChoices):
    COLLECTION = "collection", _("Collection")
    SPACE = "space", _("Space and environment")
    EQUIPMENT = "equipment", _("Equipment")
    SERVICE = "service", _("Service")
    DIGITAL = "digital", _("Digital services")
    EVENTS = "events", _("Events and training")
    OTHER = "other", _("Other")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating 1–5")
    CHOICE = "choice", _("Choice")
    TEXT = "text", _("Text")

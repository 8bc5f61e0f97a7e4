"""Libraries ask readers questions (on their own or about a trial); each reader answers once."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.models import AllianceMember, Trial
from core.exceptions import ConflictError, DomainError, NotAllowed
from stakeholders.access import Actor
from stakeholders.choices import OrganizationKind
from stakeholders.models import Organization

from ..choices import Channel, QuestionKind, SurveyStatus
from ..models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from ._common import clean_text, full_clean, require_staff
from .feedback import anonymous_allowed

MAX_QUESTIONS = 50


def _lock(survey: Survey) -> Survey:
    return Survey.objects.select_for_update(of=("self",)).get(pk=survey.pk)


def _question(position: int, data: Mapping[str, Any]) -> SurveyQuestion:
    kind = data.get("kind")
    if kind not in QuestionKind.values:
        raise DomainError(_("Question %(n)d: unknown kind.") % {"n": position}, fields={"questions": [_("Unknown kind.")]})  # fmt: skip
    options = [str(o).strip() for o in data.get("options") or [] if str(o).strip()]
    if kind == QuestionKind.CHOICE and len(options) < 2:
        raise DomainError(_("Question %(n)d: a choice needs at least two options.") % {"n": position}, fields={"questions": [_("Two options at least.")]})  # fmt: skip
    if kind != QuestionKind.CHOICE:
        options = []
    return SurveyQuestion(
        position=position,
        kind=kind,
        text=clean_text(data.get("text"), "questions").strip(),
        options=options,
        required=bool(data.get("required", True)),
    )


@transaction.atomic
def survey_create(
    *,
    actor: Actor,
    library: Organization,
    title: str,
    questions: Sequence[Mapping[str, Any]],
    description: str = "",
    trial: Trial | None = None,
) -> Survey:
    """Library staff build a questionnaire (rating, choice and text questions); it starts as a draft."""
    if library.kind != OrganizationKind.LIBRARY:
        raise DomainError(_("Surveys belong to a library."))
    require_staff(actor, library.pk)
    if trial is not None and not AllianceMember.objects.active().filter(alliance_id=trial.project.alliance_id, organization=library).exists():  # fmt: skip
        raise DomainError(_("The trial belongs to another library's alliance."), fields={"trial": [_("Not here.")]})
    if not questions:
        raise DomainError(_("Ask at least one question."), fields={"questions": [_("Required.")]})
    if len(questions) > MAX_QUESTIONS:
        raise DomainError(_("At most %(n)d questions.") % {"n": MAX_QUESTIONS}, fields={"questions": [_("Too many.")]})
    survey = Survey(
        library=library,
        trial=trial,
        title=clean_text(title, "title").strip(),
        description=description,
        created_by=actor.user,
    )
    full_clean(survey)
    survey.save()
    built = [_question(n, q) for n, q in enumerate(questions, start=1)]
    for q in built:
        q.survey = survey
    SurveyQuestion.objects.bulk_create(built)
    return survey


@transaction.atomic
def survey_open(*, actor: Actor, survey: Survey) -> Survey:
    locked = _lock(survey)
    require_staff(actor, locked.library_id)
    if locked.status != SurveyStatus.DRAFT:
        raise ConflictError(_("Only a draft survey can be opened."))
    locked.status = SurveyStatus.OPEN
    locked.opened_at = timezone.now()
    locked.save()
    return locked


@transaction.atomic
def survey_close(*, actor: Actor, survey: Survey) -> Survey:
    locked = _lock(survey)
    require_staff(actor, locked.library_id)
    if locked.status != SurveyStatus.OPEN:
        raise ConflictError(_("Only an open survey can be closed."))
    locked.status = SurveyStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.save()
    return locked


def _answer(question: SurveyQuestion, value: Any) -> SurveyAnswer | None:
    field = f"answers.{question.pk}"
    if value is None or (isinstance(value, str) and not value.strip()):
        if question.required:
            raise DomainError(_("Please answer: %(q)s") % {"q": question.text}, fields={field: [_("Required.")]})
        return None
    answer = SurveyAnswer(question=question)
    if question.kind == QuestionKind.RATING:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise DomainError(_("A rating is a whole number from 1 to 5."), fields={field: [_("1–5")]})
        answer.rating = value
    elif question.kind == QuestionKind.CHOICE:
        if str(value) not in question.options:
            raise DomainError(_("Choose one of the options."), fields={field: [_("Not an option.")]})
        answer.choice = str(value)
    else:
        answer.text = str(value)[:5000]
    return answer


@transaction.atomic
def survey_respond(
    *,
    actor: Actor,
    survey: Survey,
    answers: Mapping[int, Any],
    respondent: str = "",
    channel: str | None = None,
) -> SurveyResponse:
    """A reader answers an open survey once. Kiosks and library systems name the respondent by a key of theirs."""
    locked = Survey.objects.select_for_update(of=("self",)).select_related("library").get(pk=survey.pk)
    if locked.status != SurveyStatus.OPEN or locked.is_archived:
        raise ConflictError(_("This survey is not open."))
    reader = None
    key = ""
    if actor.writes_for(locked.library_id):
        if not respondent.strip():
            raise DomainError(_("Name the respondent (a kiosk session or card key)."), fields={"respondent": [_("Required.")]})  # fmt: skip
        channel = channel if channel and channel != Channel.WEB else Channel.LIBRARY_SYSTEM
    elif actor.reader_profile is not None:
        reader = actor.reader_profile
        channel = Channel.WEB
    elif not actor.is_authenticated and anonymous_allowed(locked.library):
        if not respondent.strip():
            raise DomainError(_("Name the respondent (a kiosk session or card key)."), fields={"respondent": [_("Required.")]})  # fmt: skip
        channel = Channel.KIOSK
    else:
        raise NotAllowed(_("Only readers answer surveys."))
    if reader is None:
        # Hashed with the survey, so the key says nothing outside this survey.
        key = hashlib.sha256(f"{locked.pk}:{respondent.strip()}".encode()).hexdigest()
    questions = list(locked.questions.order_by("position"))
    known = {q.pk for q in questions}
    unknown = [k for k in answers if k not in known]
    if unknown:
        raise DomainError(_("Answers to questions of another survey."), fields={"answers": [_("Unknown question.")]})
    built = [a for q in questions if (a := _answer(q, answers.get(q.pk))) is not None]
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(survey=locked, reader=reader, respondent_key=key, channel=channel)
    except IntegrityError as exc:
        raise ConflictError(_("This survey was already answered.")) from exc
    for a in built:
        a.response = response
    SurveyAnswer.objects.bulk_create(built)
    return response

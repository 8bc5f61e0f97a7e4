"""Scoped reads of the feedback loop; the API and the UI both go through these.

Who sees what:
- feedback: a reader their own; library staff (and the library's integrations) their library's;
  partners nothing here — they read ``partner_feedback_list_for``, which carries no reader identity.
- public needs: readers of the library and its staff see public, visible needs with their support count.
- surveys: staff their library's; readers the open surveys of their home library; anonymous visitors
  the open surveys of libraries that accept anonymous feedback.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDay, TruncMonth, TruncWeek

from alliance.models import Deliverable, Project
from stakeholders.access import Actor
from stakeholders.choices import PARTNER_KINDS

from .choices import FeedbackKind, FeedbackStatus, QuestionKind, SurveyStatus
from .models import (
    Feedback,
    FeedbackPolicy,
    FeedbackSupport,
    FeedbackTransition,
    ServiceLevel,
    ServiceLevelBreach,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)

S = FeedbackStatus
# What a partner may read of feedback routed to it: the words and their context, never who said them.
PARTNER_FIELDS = (
    "id", "kind", "text", "rating", "theme", "tags", "status", "subject", "created_at", "hidden_at",
    "routed_to_id", "library_id", "project__id", "project__title", "deliverable__id", "deliverable__title",
    "correction__id", "correction__title", "correction__status", "correction__due_on",
)  # fmt: skip


def _support_count() -> Any:
    return Coalesce(
        FeedbackSupport.objects.filter(feedback=OuterRef("pk"))
        .order_by()
        .values("feedback")
        .annotate(n=Count("id"))
        .values("n"),
        0,
    )


def feedback_list_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[Feedback]:
    """Feedback the actor may read with everything a list or detail shows, prefetched once."""
    qs = Feedback.objects.all()
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        mine = Q(reader=actor.reader_profile) if actor.reader_profile is not None else Q(pk__in=[])
        staff = Q(library_id__in=actor.library_ids) if actor.library_ids else Q(pk__in=[])
        qs = qs.filter(mine | staff)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return (
        qs.select_related(
            "library", "reader", "reader__user", "assignee", "answered_by", "hidden_by", "routed_to", "need"
        )
        .annotate(support_count=_support_count())
        .order_by("-created_at", "-id")
    )


def _staff_scope(model: type[Any], actor: Actor) -> QuerySet[Any]:
    if actor.is_superuser:
        return model._default_manager.all()
    return model._default_manager.filter(library_id__in=actor.library_ids)


def feedback_staff_scope(actor: Actor) -> QuerySet[Feedback]:
    """Feedback of the actor's libraries, archived included: for history and operators' views."""
    return _staff_scope(Feedback, actor)


def survey_staff_scope(actor: Actor) -> QuerySet[Survey]:
    return _staff_scope(Survey, actor)


def policy_staff_scope(actor: Actor) -> QuerySet[FeedbackPolicy]:
    return _staff_scope(FeedbackPolicy, actor)


def service_level_staff_scope(actor: Actor) -> QuerySet[ServiceLevel]:
    return _staff_scope(ServiceLevel, actor)


def policy_list_for(actor: Actor) -> QuerySet[FeedbackPolicy]:
    """The feedback policies of the libraries the actor works for, with their service levels."""
    levels = ServiceLevel.objects.order_by("status")
    return (
        _staff_scope(FeedbackPolicy, actor)
        .select_related("library")
        .prefetch_related(Prefetch("library__feedback_service_levels", queryset=levels, to_attr="levels"))
        .order_by("library__name_zh", "id")
    )


def feedback_search(qs: QuerySet[Feedback], text: str) -> QuerySet[Feedback]:
    """Substring or trigram match on the text (works for Chinese, which has no spaces between words)."""
    text = text.strip()
    if not text:
        return qs
    # Chinese (and digits) have no case: a plain LIKE finds the same rows as ILIKE's UPPER(text) LIKE UPPER(q)
    # without upper-casing every candidate row's text (3x faster on a library's 8,000 rows in the bench).
    has_case = text.lower() != text.upper()
    lookup = "icontains" if has_case else "contains"
    return (
        qs.annotate(similarity=TrigramSimilarity("text", text))
        .filter(Q(**{f"text__{lookup}": text}) | Q(**{f"subject__{lookup}": text}) | Q(text__trigram_similar=text))
        .order_by("-similarity", "-created_at", "-id")
    )


def feedback_similar(feedback: Feedback, *, limit: int = 5) -> list[Feedback]:
    """Likely duplicates: same library, still open, text similar by trigrams; most similar first."""
    return list(
        Feedback.objects.filter(library_id=feedback.library_id, archived_at__isnull=True, duplicate_of__isnull=True)
        .exclude(pk=feedback.pk)
        .exclude(status=S.CONFIRMED)
        # `%` (trigram_similar) can use the GIN trigram index; pg_trgm's default threshold is 0.3.
        .filter(text__trigram_similar=feedback.text)
        .annotate(similarity=TrigramSimilarity("text", feedback.text))
        .order_by("-similarity", "-created_at")[:limit]
    )


def feedback_transitions(feedback: Feedback) -> QuerySet[FeedbackTransition]:
    """The recorded path of one feedback (the caller got it through a scoped selector), oldest first."""
    return feedback.transitions.select_related("actor").order_by("at", "id")


def feedback_breaches(feedback: Feedback) -> QuerySet[ServiceLevelBreach]:
    return feedback.breaches.prefetch_related("notified").order_by("created_at", "id")


def partner_feedback_list_for(actor: Actor) -> QuerySet[Feedback]:
    """Feedback routed to the actor's partner organisations, without anything that names the reader.

    The identity columns are not even loaded, so no serializer can leak them by mistake.
    """
    if not actor.is_authenticated:
        return Feedback.objects.none()
    qs = Feedback.objects.filter(archived_at__isnull=True)
    if not actor.is_superuser:
        partner_ids = [m.organization_id for m in actor.memberships if m.organization.kind in PARTNER_KINDS]
        qs = qs.filter(routed_to_id__in=partner_ids)
    else:
        qs = qs.filter(routed_to__isnull=False)
    return (
        qs.select_related("project", "deliverable", "correction").only(*PARTNER_FIELDS).order_by("-created_at", "-id")
    )


def public_need_list_for(actor: Actor) -> QuerySet[Feedback]:
    """Public needs of the actor's home library (readers) or of their library (staff), most supported first."""
    if not actor.is_authenticated:
        return Feedback.objects.none()
    qs = Feedback.objects.filter(
        is_public=True, kind=FeedbackKind.NEED, hidden_at__isnull=True, archived_at__isnull=True
    )
    if not actor.is_superuser:
        libraries = set(actor.library_ids)
        if actor.reader_profile is not None:
            libraries.add(actor.reader_profile.home_library_id)
        qs = qs.filter(library_id__in=libraries)
    qs = qs.select_related("library").annotate(support_count=_support_count())
    if actor.reader_profile is not None:
        qs = qs.annotate(
            supported_by_me=Exists(FeedbackSupport.objects.filter(feedback=OuterRef("pk"), reader=actor.reader_profile))
        )
    return qs.order_by("-support_count", "-created_at", "-id")


# --- surveys -----------------------------------------------------------------------------------------------------


def survey_list_for(actor: Actor) -> QuerySet[Survey]:
    qs = Survey.objects.filter(archived_at__isnull=True)
    if actor.is_superuser:
        pass
    elif not actor.is_authenticated:
        open_libraries = FeedbackPolicy.objects.filter(allow_anonymous=True).values("library_id")
        qs = qs.filter(status=SurveyStatus.OPEN, library_id__in=open_libraries)
    else:
        staff = Q(library_id__in=actor.library_ids) if actor.library_ids else Q(pk__in=[])
        reader = (
            Q(library_id=actor.reader_profile.home_library_id, status=SurveyStatus.OPEN)
            if actor.reader_profile is not None
            else Q(pk__in=[])
        )
        qs = qs.filter(staff | reader)
    qs = qs.select_related("library", "trial").prefetch_related("questions")
    qs = qs.annotate(
        response_count=Coalesce(
            SurveyResponse.objects.filter(survey=OuterRef("pk"))
            .order_by()
            .values("survey")
            .annotate(n=Count("id"))
            .values("n"),
            0,
        )
    )
    if actor.reader_profile is not None:
        qs = qs.annotate(
            answered_by_me=Exists(SurveyResponse.objects.filter(survey=OuterRef("pk"), reader=actor.reader_profile))
        )
    return qs.order_by("-created_at", "-id")


def survey_results(survey: Survey, *, text_samples: int = 20) -> list[dict[str, Any]]:
    """Per question: ratings (count, mean, 1–5 distribution), choices (count per option) or texts (latest)."""
    questions = list(survey.questions.order_by("position"))
    answers = SurveyAnswer.objects.filter(question__survey=survey)
    ratings: dict[int, dict[int, int]] = defaultdict(dict)
    for row in answers.filter(rating__isnull=False).values("question_id", "rating").annotate(n=Count("id")):
        ratings[row["question_id"]][row["rating"]] = row["n"]
    choices: dict[int, dict[str, int]] = defaultdict(dict)
    for row in answers.exclude(choice="").values("question_id", "choice").annotate(n=Count("id")):
        choices[row["question_id"]][row["choice"]] = row["n"]
    texts: dict[int, list[str]] = defaultdict(list)
    text_ids = [q.pk for q in questions if q.kind == QuestionKind.TEXT]
    for qid, text in (
        answers.filter(question_id__in=text_ids).exclude(text="").order_by("-id").values_list("question_id", "text")
    ):
        texts[qid].append(text)
    results: list[dict[str, Any]] = []
    for q in questions:
        item: dict[str, Any] = {"question": q.pk, "position": q.position, "kind": q.kind, "text": q.text}
        if q.kind == QuestionKind.RATING:
            dist = {score: ratings[q.pk].get(score, 0) for score in range(1, 6)}
            count = sum(dist.values())
            item.update(
                count=count,
                mean=round(sum(k * v for k, v in dist.items()) / count, 2) if count else None,
                distribution=dist,
            )
        elif q.kind == QuestionKind.CHOICE:
            counts = {option: choices[q.pk].get(option, 0) for option in q.options}
            item.update(count=sum(counts.values()), options=counts)
        else:
            item.update(count=len(texts[q.pk]), samples=texts[q.pk][:text_samples])
        results.append(item)
    return results


# --- insight -----------------------------------------------------------------------------------------------------

_TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def _hours(value: Any) -> float | None:
    return round(value.total_seconds() / 3600, 1) if value is not None else None


def feedback_loop_aggregates() -> dict[str, Any]:
    """The aggregate expressions behind the loop figures, for ``aggregate()`` or a ``values(...).annotate()``.

    Shared with the insight app, which groups the same figures per project and per alliance.
    """
    to_answer = ExpressionWrapper(F("first_answered_at") - F("created_at"), output_field=DurationField())
    to_resolve = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    return {
        "n": Count("id"),
        "answer_time": Avg(to_answer, filter=Q(first_answered_at__isnull=False)),
        "resolve_time": Avg(to_resolve, filter=Q(resolved_at__isnull=False)),
        # Only a reader can confirm: the share is taken over feedback that has one and reached the end.
        "settled": Count("id", filter=Q(reader__isnull=False, status__in=[S.RESOLVED, S.CONFIRMED, S.REOPENED])),
        "confirmed": Count("id", filter=Q(status=S.CONFIRMED)),
        "answered": Count("id", filter=Q(first_answered_at__isnull=False)),
        "reopened": Count("id", filter=Q(reopen_count__gt=0)),
    }


def feedback_loop_figures(totals: dict[str, Any]) -> dict[str, Any]:
    """Shares and hours from the aggregates of ``feedback_loop_aggregates``."""
    return {
        "hours_to_first_answer": _hours(totals["answer_time"]),
        "hours_to_resolution": _hours(totals["resolve_time"]),
        "answered_share": round(totals["answered"] / totals["n"], 3) if totals["n"] else None,
        "confirmed_share": round(totals["confirmed"] / totals["settled"], 3) if totals["settled"] else None,
        "reopen_rate": round(totals["reopened"] / totals["answered"], 3) if totals["answered"] else None,
    }


def feedback_insights(
    actor: Actor,
    *,
    library_id: int | None = None,
    project: Project | None = None,
    deliverable: Deliverable | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    period: str = "month",
) -> dict[str, Any]:
    """What the library learns from its feedback, over the feedback the actor may see (staff: their library).

    Volume by kind and by theme per period, the satisfaction trend (mean rating), mean hours to the first
    answer and to resolution, the share confirmed solved by readers, the reopen rate, the most supported needs.
    """
    qs = Feedback.objects.filter(archived_at__isnull=True, library_id__in=actor.library_ids)
    if actor.is_superuser:
        qs = Feedback.objects.filter(archived_at__isnull=True)
    if library_id is not None:
        qs = qs.filter(library_id=library_id)
    if project is not None:
        qs = qs.filter(project=project)
    if deliverable is not None:
        qs = qs.filter(deliverable=deliverable)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    trunc = _TRUNC.get(period, TruncMonth)
    by_period = qs.annotate(period=trunc("created_at")).order_by()
    volume = [
        {"period": row["period"].date().isoformat(), "kind": row["kind"], "count": row["n"]}
        for row in by_period.values("period", "kind").annotate(n=Count("id")).order_by("period", "kind")
    ]
    themes = [
        {"period": row["period"].date().isoformat(), "theme": row["theme"] or "", "count": row["n"]}
        for row in by_period.values("period", "theme").annotate(n=Count("id")).order_by("period", "theme")
    ]
    satisfaction = [
        {"period": row["period"].date().isoformat(), "mean_rating": round(float(row["m"]), 2), "count": row["n"]}
        for row in by_period.filter(rating__isnull=False)
        .values("period")
        .annotate(m=Avg("rating"), n=Count("id"))
        .order_by("period")
    ]
    totals = qs.aggregate(total=Count("id"), **feedback_loop_aggregates())
    top = (
        qs.filter(kind=FeedbackKind.NEED, is_public=True, hidden_at__isnull=True)
        .annotate(support_count=_support_count())
        .filter(support_count__gt=0)
        .order_by("-support_count", "-created_at")[:10]
    )
    return {
        "total": totals["total"],
        "volume_by_kind": volume,
        "volume_by_theme": themes,
        "satisfaction": satisfaction,
        **{key: value for key, value in feedback_loop_figures(totals).items() if key != "answered_share"},
        "top_supported_needs": [{"id": f.pk, "text": f.text[:200], "support_count": f.support_count} for f in top],
    }

"""What the library learns from its feedback: volume, satisfaction, speed, solved share, reopen rate, top needs."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import Column, export_response, requested_format
from stakeholders.access import actor_for

from ..choices import FeedbackKind, Theme
from ..selectors import feedback_insights
from .staff import _querystring, _require_staff

PERIODS = [("day", gettext_lazy("Day")), ("week", gettext_lazy("Week")), ("month", gettext_lazy("Month"))]

EXPORT_COLUMNS = [
    Column(gettext_lazy("Period"), "period"),
    Column(gettext_lazy("Measure"), "measure"),
    Column(gettext_lazy("Category"), "category"),
    Column(gettext_lazy("Value"), "value"),
]


class InsightFilterForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period = forms.ChoiceField(label=gettext_lazy("Per"), choices=PERIODS, required=False, initial="month")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if name == "period" else "form-control form-control-sm"
            )


def _series(rows: list[dict[str, Any]], key: str, labels: dict[str, Any], periods: list[str]) -> list[dict[str, Any]]:
    """Stacked-bar series: one per kind (or theme) with its count in every period."""
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row[key], {})[row["period"]] = row["count"]
    return [
        {"name": str(labels.get(value, _("No theme"))), "values": [per.get(p, 0) for p in periods]}
        for value, per in counts.items()
    ]


def _chart_data(data: dict[str, Any]) -> dict[str, Any]:
    periods = sorted({r["period"] for r in data["volume_by_kind"]})
    return {
        "periods": periods,
        "kinds": _series(data["volume_by_kind"], "kind", dict(FeedbackKind.choices), periods),
        "themes": _series(data["volume_by_theme"], "theme", dict(Theme.choices), periods),
        "satisfaction": {
            "periods": [r["period"] for r in data["satisfaction"]],
            "values": [r["mean_rating"] for r in data["satisfaction"]],
        },
        "names": {"volume": _("Feedback"), "rating": _("Mean rating")},
    }


def _export_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    kinds, themes = dict(FeedbackKind.choices), dict(Theme.choices)
    rows = [
        {"period": r["period"], "measure": _("Kind"), "category": kinds.get(r["kind"], r["kind"]), "value": r["count"]}
        for r in data["volume_by_kind"]
    ]
    rows += [
        {
            "period": r["period"],
            "measure": _("Theme"),
            "category": themes.get(r["theme"], _("No theme")),
            "value": r["count"],
        }
        for r in data["volume_by_theme"]
    ]
    rows += [
        {"period": r["period"], "measure": _("Mean rating"), "category": "", "value": r["mean_rating"]}
        for r in data["satisfaction"]
    ]
    return rows


def _day_start(value: Any) -> datetime | None:
    return timezone.make_aware(datetime.combine(value, time.min)) if value else None


@login_required
def insight(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    _require_staff(actor)
    form = InsightFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    until = filters.get("until")
    data = feedback_insights(
        actor,
        since=_day_start(filters.get("since")),
        until=_day_start(until + timedelta(days=1)) if until else None,
        period=filters.get("period") or "month",
    )
    fmt = requested_format(request)
    if fmt:
        return export_response(_export_rows(data), EXPORT_COLUMNS, filename="feedback-insight", fmt=fmt)
    querystring = _querystring(request)
    context = {"form": form, "data": data, "chart": _chart_data(data), "querystring": querystring}
    return render(request, "feedback/insight.html", context)

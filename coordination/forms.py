"""Forms of the coordination pages. They only parse input; the services decide what is allowed."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alliance.models import Alliance
from stakeholders.models import Organization

from .choices import MeetingKind, MeetingVisibility, OutputKind, Recurrence

TIMEZONES = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Tokyo",
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
]
ACTION_ROWS = 5
# "#12" at the end of an output line: the IP asset the output became.
OUTPUT_ASSET = re.compile(r"(?:^|\s)#(\d{1,12})\s*$")


def _datetime() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganizationsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} · {obj.get_kind_display()}"


def in_zone(moment: datetime, zone: str) -> datetime:
    """The wall time typed in the form, read in the meeting's own zone (not the browser's or the server's)."""
    return moment.replace(tzinfo=None).replace(tzinfo=ZoneInfo(zone))


class MeetingForm(forms.Form):
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_datetime())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=_datetime())
    timezone = forms.ChoiceField(label=_("Time zone"), choices=[(z, z) for z in TIMEZONES], initial="Asia/Shanghai")
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    visibility = forms.ChoiceField(label=_("Visible to"), choices=MeetingVisibility.choices)
    organizations = OrganizationsField(
        label=_("Invited organisations"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recurrence = forms.ChoiceField(
        label=_("Repeats"), choices=[("", _("Does not repeat")), *Recurrence.choices], required=False
    )
    occurrences = forms.IntegerField(label=_("Number of meetings"), min_value=1, max_value=52, initial=1)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args: Any, alliances: QuerySet[Alliance], organizations: QuerySet[Organization], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = alliances  # type: ignore[attr-defined]
        self.fields["organizations"].queryset = organizations  # type: ignore[attr-defined]


class MeetingEditForm(forms.Form):
    """The organiser's changes to a scheduled meeting; times are typed as wall time in the chosen zone."""

    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_datetime())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=_datetime())
    timezone = forms.ChoiceField(label=_("Time zone"), choices=[(z, z) for z in TIMEZONES])
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    visibility = forms.ChoiceField(label=_("Visible to"), choices=MeetingVisibility.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if zone not in TIMEZONES:  # a zone set through the API stays choosable
            self.fields["timezone"].choices = [(zone, zone), *self.fields["timezone"].choices]  # type: ignore[attr-defined]

    def changes(self) -> dict[str, Any]:
        """The cleaned values as the service takes them, the times read in the meeting's own zone."""
        data = dict(self.cleaned_data)
        data["starts_at"] = in_zone(data["starts_at"], data["timezone"])
        data["ends_at"] = in_zone(data["ends_at"], data["timezone"])
        return data


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.shown_name)


class InviteForm(forms.Form):
    """More organisations of the alliance, and people of invited organisations by name (at least one of either)."""

    organizations = OrganizationsField(
        label=_("Invite organisations"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people = PeopleField(
        label=_("Invite people by name"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, organizations: QuerySet[Organization], people: QuerySet[Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["people"].queryset = people if people is not None else get_user_model().objects.none()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("organizations") and not data.get("people"):
            raise forms.ValidationError(_("Choose at least one organisation or person to invite."))
        return data


class AttendanceForm(forms.Form):
    """The organiser's sheet: for each person of an invited organisation, registered and attended."""

    def __init__(self, *args: Any, rows: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            uid = row["user"].pk
            self.fields[f"registered_{uid}"] = forms.BooleanField(
                label=_("Registered"), required=False, initial=row["registered"]
            )
            self.fields[f"attended_{uid}"] = forms.BooleanField(
                label=_("Attended"), required=False, initial=row["attended"]
            )
            row["registered_field"] = self[f"registered_{uid}"]
            row["attended_field"] = self[f"attended_{uid}"]

    def entries(self) -> list[tuple[Any, bool, bool]]:
        """(person, registered, attended) for every row of the sheet."""
        return [
            (
                row["user"],
                bool(self.cleaned_data.get(f"registered_{row['user'].pk}")),
                bool(self.cleaned_data.get(f"attended_{row['user'].pk}")),
            )
            for row in self.rows
        ]


class AgendaForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=200)
    target = forms.ChoiceField(label=pgettext_lazy("agenda item", "About"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, targets: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("Nothing in particular")), *targets]  # type: ignore[attr-defined]


class MinutesForm(forms.Form):
    """The minutes, decisions one per line, and up to five action items (owner chosen as person · organisation)."""

    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 5}))
    decisions = forms.CharField(
        label=_("Decisions (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, owners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(ACTION_ROWS):
            self.fields[f"action_{n}_title"] = forms.CharField(label=_("Action item"), max_length=200, required=False)
            self.fields[f"action_{n}_owner"] = forms.ChoiceField(
                label=pgettext_lazy("action item", "Owner"), choices=[("", "—"), *owners], required=False
            )
            self.fields[f"action_{n}_due_on"] = forms.DateField(label=_("Due on"), required=False, widget=_date())

    def action_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"action_{n}_{f}"] for f in ("title", "owner", "due_on")] for n in range(ACTION_ROWS)]

    def decision_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("decisions", "").splitlines() if line.strip()]

    def action_specs(self) -> list[dict[str, Any]]:
        """(title, owner user id, owner organisation id, due date) of each filled row; a half-filled row is an error."""
        specs = []
        for n in range(ACTION_ROWS):
            title = self.cleaned_data.get(f"action_{n}_title", "")
            owner = self.cleaned_data.get(f"action_{n}_owner", "")
            due_on = self.cleaned_data.get(f"action_{n}_due_on")
            if not (title or owner or due_on):
                continue
            if not (title and owner and isinstance(due_on, date)):
                self.add_error(f"action_{n}_title", _("Give the action, its owner and a due date."))
                continue
            user_id, organization_id = (int(x) for x in owner.split(":"))
            specs.append({"title": title, "owner": user_id, "owner_organization": organization_id, "due_on": due_on})
        return specs


class PlanForm(forms.Form):
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    objectives = forms.CharField(label=_("Objectives"), widget=forms.Textarea(attrs={"rows": 4}))
    budget = forms.DecimalField(label=_("Budget (CNY)"), min_value=0, max_digits=14, decimal_places=2, initial=0)
    participants = OrganizationsField(
        label=_("Participating organisations"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        help_text=_("One per line: a date (YYYY-MM-DD), a space, then the milestone."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outputs = forms.CharField(
        label=_("Outputs"),
        required=False,
        help_text=_(
            "One per line: kind (paper, patent, software, standard, dataset, report), a colon, the title; "
            'end with #<number> to link the IP asset it became, e.g. "patent: RFID reader #12".'
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, alliances: QuerySet[Alliance], organizations: QuerySet[Organization], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = alliances  # type: ignore[attr-defined]
        self.fields["participants"].queryset = organizations  # type: ignore[attr-defined]

    def clean_milestones(self) -> list[dict[str, Any]]:
        out = []
        for line in self.cleaned_data["milestones"].splitlines():
            if not line.strip():
                continue
            day, _sep, title = line.strip().partition(" ")
            try:
                due_on = date.fromisoformat(day)
            except ValueError:
                raise forms.ValidationError(_("Start each line with a date (YYYY-MM-DD).")) from None
            out.append({"title": title.strip() or day, "due_on": due_on})
        return out

    def clean_outputs(self) -> list[dict[str, Any]]:
        out = []
        for line in self.cleaned_data["outputs"].splitlines():
            if not line.strip():
                continue
            kind, _sep, title = line.partition(":")
            asset = OUTPUT_ASSET.search(title)
            if asset is not None:
                title = title[: asset.start()]
            if kind.strip() not in OutputKind.values or not (title.strip() or asset):
                raise forms.ValidationError(_("Write each output as kind: title, optionally ending with #<IP asset>."))
            out.append({"kind": kind.strip(), "title": title.strip(), "ip_asset": int(asset[1]) if asset else None})
        return out

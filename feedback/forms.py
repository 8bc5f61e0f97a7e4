"""Forms of the feedback pages; the services still check everything, these only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from alliance.choices import Severity
from alliance.models import Need, Project, Trial
from core.models import User
from stakeholders.models import Organization

from .choices import FeedbackKind, FeedbackStatus, QuestionKind, Theme
from .models import Feedback

RATING_CHOICES = [("", _("No rating")), *[(str(n), "★" * n) for n in range(1, 6)]]


class TrialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.project.title} · {obj.version.deliverable.title}"


class FeedbackForm(forms.Form):
    """What a reader tells the library. ``libraries`` is offered only to visitors who must name one."""

    kind = forms.ChoiceField(label=_("What kind of feedback"), choices=FeedbackKind.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Your feedback"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    rating = forms.TypedChoiceField(
        label=_("Rating"), choices=RATING_CHOICES, coerce=int, empty_value=None, required=False
    )
    subject = forms.CharField(
        label=_("Service or space it concerns"),
        max_length=200,
        required=False,
        help_text=_("For example: the self-study area on the 3rd floor, the self-service lending machine."),
    )
    trial = TrialChoiceField(label=_("Trial it is about"), queryset=Trial.objects.none(), required=False)
    attachment = forms.FileField(
        label=_("Photo or file"), required=False, help_text=_("PNG, JPEG or PDF, at most 10 MB.")
    )
    is_public = forms.BooleanField(
        label=_("Make this need public so other readers can support it (your name is not shown)"), required=False
    )
    consent_contact = forms.BooleanField(label=_("The library may contact me about this feedback"), required=False)
    library = forms.ModelChoiceField(label=_("Library"), queryset=Organization.objects.none(), required=False)

    def __init__(
        self,
        *args: Any,
        libraries: QuerySet[Organization] | None = None,
        trials: QuerySet[Trial] | None = None,
        anonymous: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in ("kind", "is_public", "consent_contact"):
                continue
            field.widget.attrs.setdefault(
                "class", "form-select" if name in ("rating", "trial", "library") else "form-control"
            )
        # Inside .gj-form check boxes and radios are styled plainly (gongjian.css); Bootstrap's class would float them.
        self.fields["kind"].widget.attrs["class"] = "me-1"
        if libraries is not None:
            library_field = self.fields["library"]
            assert isinstance(library_field, forms.ModelChoiceField)
            library_field.queryset = libraries
            library_field.required = True
        else:
            del self.fields["library"]
        if trials is not None and trials.exists():
            trial_field = self.fields["trial"]
            assert isinstance(trial_field, forms.ModelChoiceField)
            trial_field.queryset = trials
        else:
            del self.fields["trial"]
        if anonymous:
            # Nobody to contact and nobody to confirm: anonymous feedback never carries consent.
            del self.fields["consent_contact"]


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


def _styled(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            continue  # plain inside .gj-form (gongjian.css)
        if isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _blank(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("State"), choices=_blank(_("All states"), FeedbackStatus.choices), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(_("All kinds"), FeedbackKind.choices), required=False)
    theme = forms.ChoiceField(label=_("Theme"), choices=_blank(_("All themes"), Theme.choices), required=False)
    tag = forms.CharField(label=_("Tag"), max_length=40, required=False)
    q = forms.CharField(label=_("Search"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)
        self.fields["status"].widget.attrs["class"] = "form-select form-select-sm"
        for name in ("kind", "theme"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        for name in ("tag", "q"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"


def _tag_list(value: str) -> list[str]:
    return [t.strip() for t in value.replace("，", ",").split(",") if t.strip()]


class BulkForm(forms.Form):
    """Categorise many at once: a theme and tags to add."""

    theme = forms.ChoiceField(label=_("Theme"), choices=_blank(_("Keep the theme"), Theme.choices), required=False)
    add_tags = forms.CharField(label=_("Add tags"), max_length=300, required=False, help_text=_("Separated by commas."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["add_tags"].widget.attrs["class"] = "form-control form-control-sm"

    def clean_add_tags(self) -> list[str]:
        return _tag_list(self.cleaned_data.get("add_tags") or "")


class TriageForm(forms.Form):
    theme = forms.ChoiceField(label=_("Theme"), choices=_blank("—", Theme.choices), required=False)
    tags = forms.CharField(label=_("Tags"), max_length=300, required=False, help_text=_("Separated by commas."))
    assignee = forms.ModelChoiceField(label=_("Responsible person"), queryset=User.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)

    def __init__(self, *args: Any, staff: QuerySet[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)
        if staff is not None:
            assignee.queryset = staff
        _styled(self)

    def clean_tags(self) -> list[str]:
        return _tag_list(self.cleaned_data.get("tags") or "")


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer to the reader"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    resolve = forms.BooleanField(label=_("Resolved: ask the reader to confirm"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Why it is hidden"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class NeedLinkForm(forms.Form):
    need = forms.ModelChoiceField(label=_("Need"), queryset=Need.objects.none())

    def __init__(self, *args: Any, needs: QuerySet[Need] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["need"]
        assert isinstance(field, forms.ModelChoiceField)
        if needs is not None:
            field.queryset = needs
        _styled(self)


class RouteForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    title = forms.CharField(label=_("Title of the correction request"), max_length=200)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, projects: QuerySet[Project] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["project"]
        assert isinstance(field, forms.ModelChoiceField)
        if projects is not None:
            field.queryset = projects
        _styled(self)


class MergeForm(forms.Form):
    duplicates = forms.ModelMultipleChoiceField(
        label=_("Duplicates to merge into this one"),
        queryset=Feedback.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, candidates: QuerySet[Feedback] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["duplicates"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        if candidates is not None:
            field.queryset = candidates


SURVEY_ROWS = 6


class SurveyForm(forms.Form):
    """A questionnaire with up to SURVEY_ROWS questions; blank rows are left out."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, SURVEY_ROWS + 1):
            self.fields[f"q{n}_text"] = forms.CharField(label=_("Question"), max_length=300, required=False)
            self.fields[f"q{n}_kind"] = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
            self.fields[f"q{n}_options"] = forms.CharField(
                label=_("Options"), max_length=1000, required=False, help_text=_("For a choice: one per line.")
            )
            self.fields[f"q{n}_options"].widget = forms.Textarea(attrs={"rows": 2})
            self.fields[f"q{n}_required"] = forms.BooleanField(label=_("Required"), required=False, initial=True)
        _styled(self)

    def rows(self) -> list[dict[str, Any]]:
        """The bound fields of each question row, for the template."""
        return [
            {name: self[f"q{n}_{name}"] for name in ("text", "kind", "options", "required")}
            for n in range(1, SURVEY_ROWS + 1)
        ]

    def questions(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "kind": data[f"q{n}_kind"],
                "text": data[f"q{n}_text"],
                "options": data[f"q{n}_options"].splitlines(),
                "required": data[f"q{n}_required"],
            }
            for n in range(1, SURVEY_ROWS + 1)
            if data.get(f"q{n}_text", "").strip()
        ]


class SurveyAnswerForm(forms.Form):
    """One field per question of the survey."""

    def __init__(self, *args: Any, survey: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for q in survey.questions.all():
            name = f"q{q.pk}"
            if q.kind == QuestionKind.RATING:
                self.fields[name] = forms.TypedChoiceField(
                    label=q.text, choices=[(str(n), str(n)) for n in range(1, 6)], coerce=int, empty_value=None,
                    required=q.required, widget=forms.RadioSelect,
                )  # fmt: skip
            elif q.kind == QuestionKind.CHOICE:
                self.fields[name] = forms.ChoiceField(
                    label=q.text, choices=[(o, o) for o in q.options], required=q.required, widget=forms.RadioSelect
                )
            else:
                self.fields[name] = forms.CharField(
                    label=q.text, required=q.required, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
                )
            self.fields[name].widget.attrs["class"] = "me-1" if q.kind != QuestionKind.TEXT else "form-control"

    def answers(self) -> dict[int, Any]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items() if value not in (None, "")}

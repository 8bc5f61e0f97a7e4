"""Every write of the cycle is kept by pghistory, queryset updates included, with the transition's note as reason."""

from __future__ import annotations

import pytest
from django.apps import apps

from tests.alliance.flow import deliver, move, new_project, start_trial, to_development

pytestmark = pytest.mark.django_db


def test_a_transition_note_is_the_reason_in_the_history(p):
    project = new_project(p)
    move(p.librarian, project, "start_analysis", note="读者调研完成")
    ProjectEvent = apps.get_model("alliance", "ProjectEvent")
    event = ProjectEvent.objects.filter(pgh_obj=project).order_by("-pgh_id").first()
    assert event.status == "needs_analysis"
    assert event.pgh_context.metadata["reason"] == "读者调研完成"


def test_queryset_updates_of_the_cycle_are_in_the_history_too(p):
    project = new_project(p)
    to_development(p, project)
    trial = start_trial(p, project, deliver(p, project))  # the trial starts through a queryset update
    TrialEvent = apps.get_model("alliance", "TrialEvent")
    assert list(TrialEvent.objects.filter(pgh_obj=trial).order_by("pgh_id").values_list("status", flat=True)) == [
        "planned",
        "running",
    ]


def test_a_projects_history_is_read_only_by_those_who_see_the_project(p, rf, outsider):
    from django.http import Http404

    from core.history import visible_object

    project = new_project(p)
    request = rf.get("/")
    request.user = p.officer
    assert visible_object(request, "alliance", "project", project.pk) == project
    stranger = rf.get("/")
    stranger.user = outsider
    with pytest.raises(Http404):
        visible_object(stranger, "alliance", "project", project.pk)

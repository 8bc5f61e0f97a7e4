"""Staffing a project, its milestones and archive rules, and how its notifications reach each party."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from alliance import parties, selectors, services
from alliance.models import Milestone
from core.exceptions import ConflictError, NotAllowed
from core.permissions import holds
from notifications.models import Notification
from tests.alliance.flow import act, deliver, move, new_project, respond_all, start_trial, to_development

pytestmark = pytest.mark.django_db


def test_removing_a_participant_revokes_its_sight_of_the_project(p):
    project = new_project(p)
    participant = services.project_add_participant(
        actor=act(p.manager), project=project, organization=p.university, role="assistant"
    )
    assert holds(act(p.professor), "view_project", project)
    with pytest.raises(NotAllowed):
        services.project_remove_participant(actor=act(p.librarian), participant=participant)
    services.project_remove_participant(actor=act(p.manager), participant=participant)
    assert not holds(act(p.professor), "view_project", project)
    assert holds(act(p.professor), "view_alliance", p.alliance)  # still in the alliance


def test_the_guide_keeps_sight_when_it_stops_funding(p):
    project = new_project(p, funded=True)
    funder = project.participants.active().get(role="funder")
    services.project_remove_participant(actor=act(p.manager), participant=funder)
    assert holds(act(p.officer), "view_project", project)


def test_one_provider_per_project(p, other_org):
    project = new_project(p)
    services.alliance_join(actor=act(p.manager), alliance=p.alliance, organization=other_org, role="provider")
    services.project_add_participant(actor=act(p.manager), project=project, organization=p.enterprise, role="provider")
    with pytest.raises(ConflictError):
        services.project_add_participant(actor=act(p.manager), project=project, organization=other_org, role="provider")


def test_milestones_are_planned_by_the_library_and_done_once(p):
    project = new_project(p)
    with pytest.raises(NotAllowed):
        services.milestone_add(actor=act(p.supplier), project=project, title="x", due_on=timezone.localdate())
    milestone = services.milestone_add(
        actor=act(p.librarian), project=project, title="设备安装", due_on=timezone.localdate() + timedelta(days=30)
    )
    services.milestone_complete(actor=act(p.librarian), milestone=milestone)
    with pytest.raises(ConflictError):
        services.milestone_complete(actor=act(p.librarian), milestone=milestone)
    assert list(selectors.milestone_list_for(act(p.officer), project)) == [Milestone.objects.get()]


def test_only_ended_projects_are_archived_and_ended_alliances_archived(p):
    project = new_project(p)
    with pytest.raises(ConflictError):
        services.project_archive(actor=act(p.manager), project=project)
    with pytest.raises(ConflictError):
        services.alliance_archive(actor=act(p.manager), alliance=p.alliance)
    move(p.manager, project, "cancel")
    services.project_archive(actor=act(p.manager), project=project)
    assert not selectors.project_list_for(act(p.librarian)).exists()
    assert services.alliance_archive(actor=act(p.manager), alliance=p.alliance).is_archived


def test_alliance_parties_name_what_each_organisation_is(p):
    assert parties.alliance_parties(act(p.manager), p.alliance) >= {parties.LEAD, parties.LEAD_MANAGER}
    assert parties.alliance_parties(act(p.librarian), p.alliance) == {parties.LEAD}
    assert parties.alliance_parties(act(p.supplier), p.alliance) == {parties.PROVIDER}
    assert parties.alliance_parties(act(p.professor), p.alliance) == {parties.ASSISTANT}
    assert parties.alliance_parties(act(p.officer), p.alliance) == {parties.GOVERNMENT}


def test_notifications_are_written_in_each_recipients_language(p):
    p.supplier.preferred_language = "en"
    p.supplier.save()
    project = new_project(p)
    services.project_add_participant(actor=act(p.manager), project=project, organization=p.enterprise, role="provider")
    with translation.override("zh-hans"):
        move(p.librarian, project, "start_analysis")
    note = Notification.objects.get(recipient=p.supplier, event="alliance.project.start_analysis")
    assert note.title == f"{project.title}: Draft → Needs analysis"


def test_project_rounds_cost_the_same_queries_for_one_round_as_for_two(p, count_queries):
    project = new_project(p)
    to_development(p, project)
    deliverable = services.deliverable_create(actor=act(p.supplier), project=project, title="系统")
    first = start_trial(p, project, deliver(p, project, deliverable))
    respond_all(p, first, [2, 2, 2])
    with count_queries() as one:
        assert len(selectors.project_rounds(project)) == 1
    correction = services.correction_raise(
        actor=act(p.librarian), project=project, trial=first, title="慢", severity="low", due_on=timezone.localdate()
    )
    move(p.librarian, project, "request_corrections")
    services.correction_answer(actor=act(p.supplier), correction=correction, answer="已优化")
    move(p.supplier, project, "resume_development")
    start_trial(p, project, deliver(p, project, deliverable))
    with count_queries() as two:
        assert len(selectors.project_rounds(project)) == 2
    assert len(one) == len(two) <= 3

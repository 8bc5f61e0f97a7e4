"""Nothing of the cycle is deleted: rows are archived by those responsible, and archived rows leave the lists."""

from __future__ import annotations

import pytest
from django.utils import timezone

from alliance import selectors, services
from core.exceptions import ConflictError, NotAllowed
from tests.alliance.flow import act, deliver, new_project, start_trial, to_development

pytestmark = pytest.mark.django_db


def test_a_deliverable_in_a_running_trial_cannot_be_archived(p):
    project = new_project(p)
    to_development(p, project)
    start_trial(p, project, deliver(p, project))
    deliverable = project.deliverables.get()
    with pytest.raises(ConflictError):
        services.deliverable_archive(actor=act(p.librarian), deliverable=deliverable)
    spare = services.deliverable_create(actor=act(p.supplier), project=project, title="备用")
    with pytest.raises(NotAllowed):
        services.deliverable_archive(actor=act(p.supplier), deliverable=spare)
    services.deliverable_archive(actor=act(p.librarian), deliverable=spare)
    assert list(selectors.deliverable_list_for(act(p.librarian), project)) == [deliverable]


def test_evidence_milestones_and_programmes_are_archived_not_deleted(p):
    need = new_project(p).needs.get()
    evidence = need.evidence.get()
    services.need_evidence_archive(actor=act(p.librarian), evidence=evidence)
    assert selectors.need_list_for(act(p.librarian)).get(pk=need.pk).evidence_count == 0
    assert need.evidence.get().is_archived

    milestone = services.milestone_add(
        actor=act(p.librarian), project=need.projects.get(), title="安装", due_on=timezone.localdate()
    )
    services.milestone_archive(actor=act(p.librarian), milestone=milestone)
    assert not selectors.milestone_list_for(act(p.librarian)).exists()

    program = services.training_program_create(
        actor=act(p.professor), alliance=p.alliance, trainer=p.university, title="培训"
    )
    with pytest.raises(NotAllowed):
        services.training_program_archive(actor=act(p.supplier), program=program)
    services.training_program_archive(actor=act(p.professor), program=program)
    assert not selectors.training_program_list_for(act(p.librarian)).exists()

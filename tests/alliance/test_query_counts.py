"""The main selectors cost the same number of queries for 1 row as for 20."""

from __future__ import annotations

import pytest
from django.utils import timezone

from alliance import selectors, services
from tests.alliance.flow import act, new_project

pytestmark = pytest.mark.django_db


def _list_everything(actor, project):
    """Read every field a list page shows, so lazy loads would show up as extra queries."""
    seen = []
    for alliance in selectors.alliance_list_for(actor):
        seen.append((alliance.lead_library.name_zh, alliance.member_count, alliance.project_count))
    for row in selectors.project_list_for(actor):
        seen.append((row.alliance.lead_library.name_zh, [x.organization.name_zh for x in row.active_participants]))
        seen.append((row.open_correction_count, row.need_count))
    for need in selectors.need_list_for(actor):
        seen.append((need.library.name_zh, need.alliance and need.alliance.name, need.evidence_count))
    for member in selectors.alliance_member_list_for(actor):
        seen.append((member.organization.name_zh, member.alliance.name))
    for row in selectors.government_compliance(actor):
        seen.append([d.standard.issuer.name_zh for d in row.standards_declared])
    for d in selectors.deliverable_list_for(actor):
        seen.append([v.uploaded_by.username for v in d.version_list])
    seen.extend(selectors.trial_list_for(actor))
    seen.extend(selectors.correction_list_for(actor))
    seen.extend(selectors.training_program_list_for(actor))
    seen.extend(selectors.guidance_list_for(actor))
    seen.extend(selectors.project_transitions(project))
    return seen


def _grow(p, n):
    standard = services.guidance_issue(
        actor=act(p.officer), kind="standard", title="规范", effective_on=timezone.localdate()
    )
    projects = []
    for _ in range(n):
        project = new_project(p)
        services.project_add_participant(
            actor=act(p.manager), project=project, organization=p.enterprise, role="provider"
        )
        services.project_declare_standard(actor=act(p.librarian), project=project, standard=standard)
        services.deliverable_create(actor=act(p.librarian), project=project, title="交付物")
        projects.append(project)
    return projects


@pytest.mark.parametrize("who", ["librarian", "officer", "supplier"])
def test_list_selectors_do_not_grow_with_rows(p, count_queries, who):
    user = getattr(p, who)
    projects = _grow(p, 1)
    actor = act(user)
    with count_queries() as one:
        _list_everything(actor, projects[0])
    _grow(p, 19)
    with count_queries() as twenty:
        _list_everything(actor, projects[0])
    assert len(twenty) == len(one)
    assert len(one) <= 20

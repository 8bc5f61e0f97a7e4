"""Every alliance list endpoint costs the same number of queries for 1 row and for 20."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from alliance import services
from alliance.models import Need, Project, TrainingProgram, Trial
from tests import factories as f
from tests.alliance.api_helpers import client
from tests.alliance.flow import act, deliver, new_project, pdf, respond_all, start_trial, to_development

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _project(p):
    project = new_project(p)
    to_development(p, project)
    return project


def _trial(p):
    project = _project(p)
    trial = start_trial(p, project, deliver(p, project))
    respond_all(p, trial, [4, 5, 3])
    return trial


def _need(p):
    return services.need_create(actor=act(p.librarian), library=p.library, title="需求", category="space", alliance=p.alliance)  # fmt: skip


def _enterprise() -> Any:
    return f.OrganizationFactory(kind="enterprise")


def _first_need(p) -> Any:
    return Need.objects.order_by("id").first() or _need(p)


def _program(p) -> Any:
    return TrainingProgram.objects.order_by("id").first() or services.training_program_create(
        actor=act(p.professor), alliance=p.alliance, trainer=p.university, title="t"
    )


# name: (url, who reads, add one visible row). The actor costs 2 queries, the page count 1, the page 1,
# each prefetch 1.
LISTS = {
    "alliances": (
        lambda p: "/api/v1/alliances/",
        lambda p: p.manager,
        lambda p: services.alliance_create(actor=act(p.manager), lead_library=p.library, name="联盟"),
        4,
    ),
    "alliance members": (
        lambda p: f"/api/v1/alliances/{p.alliance.pk}/members/",
        lambda p: p.manager,
        lambda p: services.alliance_join(
            actor=act(p.manager),
            alliance=p.alliance,
            organization=_enterprise(),
            role="provider",
        ),
        5,  # + the alliance itself
    ),
    "partner invitations": (
        lambda p: "/api/v1/partner-invitations/",
        lambda p: p.manager,
        lambda p: services.partner_invite(
            actor=act(p.manager),
            alliance=p.alliance,
            organization=_enterprise(),
            role="provider",
        ),
        4,
    ),
    "needs": (lambda p: "/api/v1/needs/", lambda p: p.librarian, _need, 4),
    "need evidence": (
        lambda p: f"/api/v1/needs/{_first_need(p).pk}/evidence/",
        lambda p: p.librarian,
        lambda p: services.need_add_evidence(actor=act(p.librarian), need=_first_need(p), kind="survey", summary="s"),
        5,  # + the need itself
    ),
    "projects": (lambda p: "/api/v1/projects/", lambda p: p.manager, _project, 6),  # + the visible project ids
    "milestones": (
        lambda p: "/api/v1/milestones/",
        lambda p: p.librarian,
        lambda p: services.milestone_add(
            actor=act(p.librarian), project=Project.objects.first() or new_project(p), title="m", due_on=TODAY()
        ),
        4,
    ),
    "deliverables": (
        lambda p: "/api/v1/deliverables/",
        lambda p: p.supplier,
        lambda p: services.deliverable_version_upload(
            actor=act(p.supplier),
            deliverable=services.deliverable_create(
                actor=act(p.supplier),
                project=Project.objects.filter(status="in_development").first() or _project(p),
                title="d",
            ),
            file=pdf(),
        ),
        5,
    ),
    "trials": (lambda p: "/api/v1/trials/", lambda p: p.librarian, _trial, 4),
    "corrections": (
        lambda p: "/api/v1/corrections/",
        lambda p: p.supplier,
        lambda p: services.correction_raise(
            actor=act(p.librarian),
            project=(Trial.objects.first() or _trial(p)).project,
            trial=Trial.objects.first(),
            title="c",
            severity="low",
            due_on=TODAY() + timedelta(days=3),
        ),
        4,
    ),
    "training programs": (
        lambda p: "/api/v1/training-programs/",
        lambda p: p.professor,
        lambda p: services.training_program_create(
            actor=act(p.professor), alliance=p.alliance, trainer=p.university, title="t"
        ),
        4,
    ),
    "training sessions": (
        lambda p: f"/api/v1/training-programs/{_program(p).pk}/sessions/",
        lambda p: p.professor,
        lambda p: services.training_session_add(
            actor=act(p.professor),
            program=_program(p),
            topic="课",
            starts_at=timezone.now(),
            ends_at=timezone.now() + timedelta(hours=1),
        ),
        5,  # + the programme itself
    ),
    "training enrolments": (
        lambda p: "/api/v1/training-enrolments/",
        lambda p: p.professor,
        lambda p: services.training_enrol(
            actor=act(p.manager),
            program=services.training_program_create(
                actor=act(p.professor), alliance=p.alliance, trainer=p.university, title="t"
            ),
            trainee=p.librarian,
        ),
        4,
    ),
    "guidance": (
        lambda p: "/api/v1/guidance/",
        lambda p: p.librarian,
        lambda p: services.guidance_issue(actor=act(p.officer), kind="policy", title="政策", effective_on=TODAY()),
        4,
    ),
    "compliance": (
        lambda p: "/api/v1/compliance/",
        lambda p: p.officer,
        lambda p: services.project_declare_standard(
            actor=act(p.librarian),
            project=new_project(p),
            standard=services.guidance_issue(actor=act(p.officer), kind="standard", title="规范", effective_on=TODAY()),
        ),
        5,  # + the declared standards
    ),
}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_query_count_is_pinned_and_independent_of_rows(p, count_queries, name):
    url, who, add, pinned = LISTS[name]
    add(p)
    user, path = who(p), url(p)
    with count_queries() as one:
        first = client(user).get(path, {"page_size": 50})
    for _ in range(19):
        add(p)
    with count_queries() as many:
        second = client(user).get(path, {"page_size": 50})
    assert first.status_code == second.status_code == 200, second.content
    assert second.json()["count"] > first.json()["count"] >= 1
    assert len(one) == len(many) == pinned, [q["sql"] for q in many.captured_queries]


def test_signoff_list_query_count_is_pinned(p, count_queries):
    """A trial has at most one signature per organisation, so this list is pinned for 1 and 2 rows."""
    project = new_project(p, funded=True)
    to_development(p, project)
    start_trial(p, project, deliver(p, project))
    services.signoff_give(actor=act(p.manager), project=project)
    url = f"/api/v1/projects/{project.pk}/signoffs/"
    with count_queries() as one:
        first = client(p.manager).get(url)
    services.signoff_give(actor=act(p.officer), project=project)
    with count_queries() as two:
        second = client(p.manager).get(url)
    assert (first.json()["count"], second.json()["count"]) == (1, 2)
    # 7: the visible project ids are resolved first (core.permissions.granted_ids), then the project and its list.
    assert len(one) == len(two) == 7, [q["sql"] for q in two.captured_queries]

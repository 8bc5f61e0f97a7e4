"""POST /api/v1/projects/{id}/transition/: every move of the cycle through the API, allowed and refused.

A refused guard answers 409 with code ``guard_failed`` and a message naming what is missing; the wrong party
403; someone who cannot see the project 404; and a refused move changes neither the status nor the record.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alliance import hooks, services
from alliance.models import Project, Transition
from tests.alliance.api_helpers import assert_error, client, ok
from tests.alliance.flow import (
    act,
    deliver,
    move,
    new_project,
    respond_all,
    staff_project,
    start_trial,
    to_development,
    to_seeking_partners,
)
from tests.permissions import covers

pytestmark = pytest.mark.django_db


def go(user, project, to, note=""):
    return client(user).post(f"/api/v1/projects/{project.pk}/transition/", {"to": to, "note": note})


def refused(user, project, to, status, code=None):
    before = Project.objects.get(pk=project.pk).status
    records = Transition.objects.filter(project=project).count()
    error = assert_error(go(user, project, to), status, code=code)
    assert Project.objects.get(pk=project.pk).status == before
    assert Transition.objects.filter(project=project).count() == records
    return error["message"]


def moved(user, project, to, note=""):
    body = ok(go(user, project, to, note))
    assert body["status"] == to == Project.objects.get(pk=project.pk).status
    return body


@covers("POST /api/v1/projects/{id}/transition/", "anonymous", "unrelated", "member", "manager")
def test_start_analysis_by_library_staff_only(p, outsider):
    project = new_project(p)
    staff_project(p, project)
    refused(None, project, "needs_analysis", 401)
    refused(outsider, project, "needs_analysis", 404)
    assert "Only library staff" in refused(p.supplier, project, "needs_analysis", 403)
    moved(p.librarian, project, "needs_analysis", note="开始分析")
    record = Transition.objects.get(project=project)
    assert (record.actor, record.note) == (p.librarian, "开始分析")


def test_seek_partners_needs_an_analysed_need(p):
    project = services.project_create(actor=act(p.librarian), alliance=p.alliance, title="无需求的项目")
    move(p.librarian, project, "start_analysis")
    assert "no analysed need" in refused(p.librarian, project, "seeking_partners", 409, code="guard_failed")
    need = services.need_create(actor=act(p.librarian), library=p.library, title="需求", category="space")
    services.project_link_need(actor=act(p.librarian), project=project, need=need)
    assert "no analysed need" in refused(p.manager, project, "seeking_partners", 409, code="guard_failed")
    services.need_add_evidence(actor=act(p.librarian), need=need, kind="observation", summary="观察")
    services.need_analyse(actor=act(p.librarian), need=need, analysis="确有需要")
    moved(p.manager, project, "seeking_partners")


def test_start_development_names_every_missing_guard_and_is_for_managers(p):
    project = new_project(p)
    to_seeking_partners(p, project)
    # As before the agreements and risk apps plug their checks in: the guards say what is missing.
    with hooks.cleared():
        message = refused(p.manager, project, "in_development", 409, code="guard_failed")
        for guard in ("no provider", "no assistant", "signed contract missing", "risk pre-assessment missing"):
            assert guard in message
        staff_project(p, project)
        message = refused(p.manager, project, "in_development", 409, code="guard_failed")
        assert "no provider" not in message and "signed contract missing" in message
    with hooks.passing():
        assert "library managers" in refused(p.librarian, project, "in_development", 403)
        refused(p.supplier, project, "in_development", 403)
        moved(p.manager, project, "in_development")


def test_deliver_by_the_provider_with_a_new_version(p, partner_manager):
    project = new_project(p)
    to_development(p, project)
    assert "no deliverable version" in refused(p.supplier, project, "delivered", 409, code="guard_failed")
    deliverable = services.deliverable_create(actor=act(p.supplier), project=project, title="系统")
    from tests.alliance.flow import pdf

    services.deliverable_version_upload(actor=act(p.supplier), deliverable=deliverable, file=pdf())
    assert "the provider" in refused(p.librarian, project, "delivered", 403)
    moved(partner_manager, project, "delivered")


def test_start_trial_needs_a_plan_with_invited_readers(p):
    project = new_project(p)
    to_development(p, project)
    version = deliver(p, project)
    assert "no trial plan" in refused(p.librarian, project, "in_trial", 409, code="guard_failed")
    today = timezone.localdate()
    trial = services.trial_plan(
        actor=act(p.librarian), project=project, version=version, starts_on=today, ends_on=today + timedelta(days=7)
    )
    assert "no readers invited" in refused(p.librarian, project, "in_trial", 409, code="guard_failed")
    services.trial_invite_readers(actor=act(p.librarian), trial=trial, readers=p.readers)
    refused(p.supplier, project, "in_trial", 403)
    moved(p.librarian, project, "in_trial")


def _in_trial(p, **criteria):
    project = new_project(p, funded=True)
    to_development(p, project)
    trial = start_trial(p, project, deliver(p, project), **criteria)
    return project, trial


def _raise(p, project, trial, severity="high"):
    return services.correction_raise(
        actor=act(p.librarian), project=project, trial=trial, title="识别慢", severity=severity,
        due_on=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip


def test_request_corrections_needs_an_open_correction_and_resume_needs_answers(p):
    project, trial = _in_trial(p)
    assert "no open correction request" in refused(p.librarian, project, "correcting", 409, code="guard_failed")
    correction = _raise(p, project, trial)
    refused(p.supplier, project, "correcting", 403)
    moved(p.librarian, project, "correcting")
    assert "not yet answered" in refused(p.supplier, project, "in_development", 409, code="guard_failed")
    services.correction_answer(actor=act(p.supplier), correction=correction, answer="已修正")
    refused(p.officer, project, "in_development", 403)
    moved(p.supplier, project, "in_development")


def test_accept_names_the_criteria_the_critical_deviation_and_the_missing_signatures(p):
    project, trial = _in_trial(p, max_open_deviations=1)
    _raise(p, project, trial, severity="critical")
    message = refused(p.manager, project, "accepted", 409, code="guard_failed")
    assert "no reader has responded" in message
    assert "critical correction request is still open" in message
    assert "sign-off by the library missing" in message
    assert "sign-off by the funder" in message


def test_accept_and_close_by_the_lead_librarys_managers(p):
    project, trial = _in_trial(p)
    respond_all(p, trial, [5, 4, 5])
    services.signoff_give(actor=act(p.manager), project=project)
    assert "sign-off by the funder" in refused(p.manager, project, "accepted", 409, code="guard_failed")
    services.signoff_give(actor=act(p.officer), project=project)
    refused(p.librarian, project, "accepted", 403)
    moved(p.manager, project, "accepted")
    refused(p.librarian, project, "closed", 403)
    moved(p.manager, project, "closed")
    assert "cannot move to" in refused(p.manager, project, "draft", 409, code="no_transition")


def test_suspend_and_resume_by_managers_or_the_guiding_government(p):
    project = new_project(p)
    move(p.librarian, project, "start_analysis")
    refused(p.librarian, project, "suspended", 403)
    refused(p.supplier, project, "suspended", 404)  # not a participant: does not see the project
    moved(p.officer, project, "suspended", note="暂停审查")
    assert Project.objects.get(pk=project.pk).suspended_from == "needs_analysis"
    refused(p.librarian, project, "needs_analysis", 403)
    assert "cannot move to" in refused(p.manager, project, "in_trial", 409, code="no_transition")
    moved(p.manager, project, "needs_analysis")


def test_cancel_by_the_lead_librarys_managers(p):
    project = new_project(p)
    refused(p.librarian, project, "cancelled", 403)
    refused(p.officer, project, "cancelled", 403)
    moved(p.manager, project, "cancelled")
    assert "cannot move to" in refused(p.manager, project, "needs_analysis", 409, code="no_transition")


def test_an_unknown_status_is_a_400(p):
    project = new_project(p)
    refused(p.manager, project, "finished", 400)
    assert_error(client(p.manager).post(f"/api/v1/projects/{project.pk}/transition/", {}), 400, field="to")


def test_every_transition_of_the_table_is_reachable_through_the_api(p):
    """The API speaks in target statuses; each rule's target out of each source maps back to that rule."""
    from alliance import cycle
    from alliance.api.views import _transition_to

    for rule in cycle.TRANSITIONS:
        for source in rule.sources:
            project = Project(status=source, suspended_from="draft" if source == "suspended" else "")
            target = rule.target or "draft"
            assert _transition_to(project, target) == rule.name

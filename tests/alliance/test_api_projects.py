"""/api/v1/projects/ (all but the transition itself) and /api/v1/milestones/.

Roles: the owning organisation of a project is the alliance's lead library (member = library staff,
manager = its managers). Participants (the provider) see the project but do not run it.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from alliance import services
from alliance.models import Milestone, Project, ProjectParticipant, ProjectStandard, Signoff
from tests import factories as f
from tests.alliance.api_helpers import assert_error, client, created, ids, ok
from tests.alliance.flow import act, deliver, move, new_project, staff_project, start_trial, to_development
from tests.permissions import covers

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(p):
    project = new_project(p)
    staff_project(p, project)
    return project


def url(project, suffix=""):
    return f"/api/v1/projects/{project.pk}/{suffix}"


@covers("GET /api/v1/projects/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/projects/{id}/", "anonymous", "unrelated", "member", "manager")
def test_a_project_is_seen_by_its_library_participants_and_guides(p, project, outsider):
    assert_error(client().get("/api/v1/projects/"), 401)
    assert_error(client().get(url(project)), 401)
    assert ids(client(outsider).get("/api/v1/projects/")) == set()
    assert_error(client(outsider).get(url(project)), 404)
    for user in (p.librarian, p.manager, p.supplier, p.officer):
        assert ids(client(user).get("/api/v1/projects/")) == {project.pk}
        body = ok(client(user).get(url(project)))
        assert (body["status"], body["need_count"]) == ("draft", 1)
        assert {x["role"] for x in body["participants"]} == {"provider", "assistant"}


def test_an_alliance_partner_outside_the_project_does_not_see_it(p):
    project = new_project(p)
    assert ids(client(p.supplier).get("/api/v1/projects/")) == set()
    assert_error(client(p.supplier).get(url(project)), 404)


def test_projects_filter_by_state_and_alliance(p, project):
    other = new_project(p)
    move(p.librarian, other, "start_analysis")
    assert ids(client(p.librarian).get("/api/v1/projects/", {"state": "needs_analysis"})) == {other.pk}
    assert ids(client(p.librarian).get("/api/v1/projects/", {"state": "draft", "alliance": p.alliance.pk})) == {project.pk}  # fmt: skip
    assert_error(client(p.librarian).get("/api/v1/projects/", {"state": "dreaming"}), 400, field="state")


@covers("POST /api/v1/projects/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_open_projects_under_their_alliance(p, outsider):
    body = {"alliance": p.alliance.pk, "title": "朗读亭", "budget": "80000", "starts_on": "2027-01-01"}
    assert_error(client().post("/api/v1/projects/", body), 401)
    assert_error(client(outsider).post("/api/v1/projects/", body), 400, field="alliance")
    assert_error(client(p.supplier).post("/api/v1/projects/", body), 403)
    assert not Project.objects.exists()
    for user in (p.librarian, p.manager):
        made = created(client(user).post("/api/v1/projects/", body))
        assert (made["status"], made["budget"], made["alliance"]["id"]) == ("draft", "80000.00", p.alliance.pk)
    # The alliance's guide sees new projects at once.
    assert len(ids(client(p.officer).get("/api/v1/projects/"))) == 2


def test_a_project_that_ends_before_it_starts_is_a_400(p):
    body = {"alliance": p.alliance.pk, "title": "x", "starts_on": "2027-02-01", "ends_on": "2027-01-01"}
    assert_error(client(p.librarian).post("/api/v1/projects/", body), 400)
    assert not Project.objects.exists()


@covers("PATCH /api/v1/projects/{id}/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_change_a_project(p, project, outsider):
    assert_error(client().patch(url(project), {"title": "新标题"}), 401)
    assert_error(client(outsider).patch(url(project), {"title": "新标题"}), 404)
    assert_error(client(p.supplier).patch(url(project), {"title": "新标题"}), 403)
    assert Project.objects.get(pk=project.pk).title != "新标题"
    assert ok(client(p.librarian).patch(url(project), {"title": "新标题"}))["title"] == "新标题"
    assert ok(client(p.manager).patch(url(project), {"budget": "600000"}))["budget"] == "600000.00"
    # The status is not a field: only the transition endpoint moves it.
    assert ok(client(p.manager).patch(url(project), {"status": "closed"}))["status"] == "draft"


@covers("POST /api/v1/projects/{id}/archive/", "anonymous", "unrelated", "member", "manager")
def test_the_lead_librarys_managers_archive_an_ended_project(p, project, outsider):
    assert "closed or cancelled" in assert_error(client(p.manager).post(url(project, "archive/")), 409)["message"]
    move(p.manager, project, "cancel")
    assert_error(client().post(url(project, "archive/")), 401)
    assert_error(client(outsider).post(url(project, "archive/")), 404)
    assert_error(client(p.librarian).post(url(project, "archive/")), 403)
    assert Project.objects.get(pk=project.pk).archived_at is None
    assert ok(client(p.manager).post(url(project, "archive/")))["archived_at"]
    assert ids(client(p.manager).get("/api/v1/projects/")) == set()


@covers("POST /api/v1/projects/{id}/needs/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_link_needs_to_a_project(p, project, outsider):
    need = services.need_create(actor=act(p.librarian), library=p.library, title="无障碍阅读", category="space")
    other = services.need_create(actor=act(p.librarian), library=p.library, title="座位预约", category="technology")
    assert_error(client().post(url(project, "needs/"), {"need": need.pk}), 401)
    assert_error(client(outsider).post(url(project, "needs/"), {"need": need.pk}), 404)
    assert_error(client(p.supplier).post(url(project, "needs/"), {"need": need.pk}), 400, field="need")
    assert project.needs.count() == 1
    assert ok(client(p.librarian).post(url(project, "needs/"), {"need": need.pk}))["need_count"] == 2
    assert ok(client(p.manager).post(url(project, "needs/"), {"need": other.pk}))["need_count"] == 3


@covers("POST /api/v1/projects/{id}/participants/", "anonymous", "unrelated", "member", "manager")
def test_the_lead_librarys_managers_staff_a_project(p, outsider):
    project = new_project(p)
    body = {"organization": p.enterprise.pk, "role": "provider", "responsibilities": "开发与部署"}
    assert_error(client().post(url(project, "participants/"), body), 401)
    assert_error(client(outsider).post(url(project, "participants/"), body), 404)
    assert_error(client(p.librarian).post(url(project, "participants/"), body), 403)
    assert not ProjectParticipant.objects.filter(project=project).exists()
    made = created(client(p.manager).post(url(project, "participants/"), body))
    assert (made["organization"]["id"], made["role"]) == (p.enterprise.pk, "provider")
    assert ok(client(p.supplier).get(url(project)))["id"] == project.pk
    assert "already has a provider" in assert_error(client(p.manager).post(url(project, "participants/"), body), 409)["message"]  # fmt: skip


def test_only_alliance_members_take_part(p, other_org):
    project = new_project(p)
    body = {"organization": other_org.pk, "role": "provider"}
    assert "must join the alliance" in assert_error(client(p.manager).post(url(project, "participants/"), body), 409)["message"]  # fmt: skip


@covers("POST /api/v1/projects/{id}/participants/remove/", "anonymous", "unrelated", "member", "manager")
def test_the_lead_librarys_managers_end_a_participation(p, project, outsider):
    assistant = ProjectParticipant.objects.get(project=project, role="assistant")
    body = {"participant": assistant.pk}
    assert_error(client().post(url(project, "participants/remove/"), body), 401)
    assert_error(client(outsider).post(url(project, "participants/remove/"), body), 404)
    assert_error(client(p.librarian).post(url(project, "participants/remove/"), body), 403)
    assert ProjectParticipant.objects.get(pk=assistant.pk).archived_at is None
    assert ok(client(p.manager).post(url(project, "participants/remove/"), body))["archived_at"]
    assert {x["role"] for x in ok(client(p.manager).get(url(project)))["participants"]} == {"provider"}
    assert_error(client(p.manager).post(url(project, "participants/remove/"), body), 404)


@pytest.fixture
def standards(p):
    return [
        services.guidance_issue(
            actor=act(p.officer),
            kind="standard",
            title=f"智慧图书馆建设规范 {n}",
            code=f"DB33/T {n}",
            effective_on=timezone.localdate(),
        )
        for n in (1, 2)
    ]


@covers("POST /api/v1/projects/{id}/standards/", "anonymous", "unrelated", "member", "manager")
def test_the_library_or_provider_declare_the_standards_a_project_follows(p, project, standards, outsider):
    body = {"standard": standards[0].pk, "note": "按规范第 4 章实施"}
    assert_error(client().post(url(project, "standards/"), body), 401)
    assert_error(client(outsider).post(url(project, "standards/"), body), 404)
    assert_error(client(p.officer).post(url(project, "standards/"), body), 403)
    assert not ProjectStandard.objects.exists()
    created(client(p.librarian).post(url(project, "standards/"), body))
    assert_error(client(p.manager).post(url(project, "standards/"), body), 409)
    created(client(p.manager).post(url(project, "standards/"), {"standard": standards[1].pk}))


@covers("POST /api/v1/projects/{id}/standards/withdraw/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_withdraw_a_declared_standard(p, project, standards, outsider):
    for standard in standards:
        services.project_declare_standard(actor=act(p.librarian), project=project, standard=standard)
    body = {"standard": standards[0].pk}
    assert_error(client().post(url(project, "standards/withdraw/"), body), 401)
    assert_error(client(outsider).post(url(project, "standards/withdraw/"), body), 404)
    assert_error(client(p.supplier).post(url(project, "standards/withdraw/"), body), 403)
    assert ProjectStandard.objects.active().count() == 2
    assert ok(client(p.librarian).post(url(project, "standards/withdraw/"), body))["archived_at"]
    ok(client(p.manager).post(url(project, "standards/withdraw/"), {"standard": standards[1].pk}))
    assert_error(client(p.manager).post(url(project, "standards/withdraw/"), body), 404)


@covers("GET /api/v1/projects/{id}/transitions/", "anonymous", "unrelated", "member", "manager")
def test_the_transitions_say_where_a_project_can_go_who_may_and_what_blocks_it(p, project, outsider):
    move(p.librarian, project, "start_analysis", note="开始")
    assert_error(client().get(url(project, "transitions/")), 401)
    assert_error(client(outsider).get(url(project, "transitions/")), 404)
    for user, may_suspend in ((p.librarian, False), (p.manager, True)):
        body = ok(client(user).get(url(project, "transitions/")))
        options = {o["target"]: o for o in body["available"]}
        assert options["seeking_partners"]["possible"] is True
        assert options["suspended"]["permitted"] is may_suspend
        assert [(t["to_status"], t["note"]) for t in body["recorded"]] == [("needs_analysis", "开始")]
    blocked = {o["target"]: o for o in ok(client(p.supplier).get(url(project, "transitions/")))["available"]}
    assert blocked["seeking_partners"]["permitted"] is False


@covers("GET /api/v1/projects/{id}/rounds/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/projects/{id}/timeline/", "anonymous", "unrelated", "member", "manager")
def test_rounds_and_timeline_are_read_by_those_who_see_the_project(p, outsider):
    project = new_project(p)
    to_development(p, project)
    trial = start_trial(p, project, deliver(p, project))
    for suffix in ("rounds/", "timeline/"):
        assert_error(client().get(url(project, suffix)), 401)
        assert_error(client(outsider).get(url(project, suffix)), 404)
    for user in (p.librarian, p.manager, p.supplier):
        rounds = ok(client(user).get(url(project, "rounds/")))
        assert [(r["number"], r["trial"], r["response_count"]) for r in rounds] == [(1, trial.pk, 0)]
        events = [(e["kind"], e["event"]) for e in ok(client(user).get(url(project, "timeline/")))]
        assert events.index(("version", "uploaded")) < events.index(("trial", "planned")) < events.index(("trial", "started"))  # fmt: skip
        # A transition comes before what it set off at the same moment.
        assert events[-2:] == [("transition", "start_trial"), ("trial", "started")]


@pytest.fixture
def in_trial(p):
    project = new_project(p, funded=True)
    to_development(p, project)
    start_trial(p, project, deliver(p, project))
    return project


@covers("GET /api/v1/projects/{id}/signoffs/", "anonymous", "unrelated", "member", "manager")
@covers("POST /api/v1/projects/{id}/signoffs/", "anonymous", "unrelated", "member", "manager")
def test_the_lead_librarys_managers_and_government_funders_sign_off(p, in_trial, outsider):
    path = url(in_trial, "signoffs/")
    assert_error(client().post(path, {}), 401)
    assert_error(client(outsider).post(path, {}), 404)
    for user in (p.librarian, p.supplier):
        assert_error(client(user).post(path, {}), 403)
    assert not Signoff.objects.exists()
    assert created(client(p.manager).post(path, {"note": "同意"}))["role"] == "library"
    assert created(client(p.officer).post(path, {}))["role"] == "government"
    assert_error(client(p.manager).post(path, {}), 409)
    assert_error(client().get(path), 401)
    assert_error(client(outsider).get(path), 404)
    for user in (p.librarian, p.manager):
        assert [s["role"] for s in ok(client(user).get(path))["results"]] == ["library", "government"]


def test_sign_off_is_given_only_during_a_trial(p, project):
    assert "reader trial" in assert_error(client(p.manager).post(url(project, "signoffs/"), {}), 409)["message"]


# --- milestones ------------------------------------------------------------------------------------------


@covers("GET /api/v1/milestones/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/milestones/{id}/", "anonymous", "unrelated", "member", "manager")
def test_milestones_are_seen_with_their_project(p, project, outsider):
    milestone = services.milestone_add(
        actor=act(p.librarian), project=project, title="完成选型", due_on=date(2027, 3, 1)
    )
    path = f"/api/v1/milestones/{milestone.pk}/"
    assert_error(client().get("/api/v1/milestones/"), 401)
    assert_error(client().get(path), 401)
    assert ids(client(outsider).get("/api/v1/milestones/")) == set()
    assert_error(client(outsider).get(path), 404)
    for user in (p.librarian, p.manager, p.supplier):
        assert ids(client(user).get("/api/v1/milestones/", {"project": project.pk})) == {milestone.pk}
        assert ok(client(user).get(path))["title"] == "完成选型"


@covers("POST /api/v1/milestones/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_add_milestones(p, project, outsider):
    body = {"project": project.pk, "title": "完成选型", "due_on": "2027-03-01"}
    assert_error(client().post("/api/v1/milestones/", body), 401)
    assert_error(client(outsider).post("/api/v1/milestones/", body), 400, field="project")
    assert_error(client(p.supplier).post("/api/v1/milestones/", body), 403)
    assert not Milestone.objects.exists()
    created(client(p.librarian).post("/api/v1/milestones/", body))
    created(client(p.manager).post("/api/v1/milestones/", {**body, "title": "试运行"}))
    assert Milestone.objects.filter(project=project).count() == 2


@covers("POST /api/v1/milestones/{id}/complete/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_or_the_provider_complete_a_milestone(p, project, outsider):
    first, second = (
        services.milestone_add(actor=act(p.librarian), project=project, title=t, due_on=date(2027, 3, 1))
        for t in ("选型", "部署")
    )
    path = f"/api/v1/milestones/{first.pk}/complete/"
    assert_error(client().post(path), 401)
    assert_error(client(outsider).post(path), 404)
    assert_error(client(p.officer).post(path), 403)
    assert Milestone.objects.get(pk=first.pk).done_at is None
    assert ok(client(p.librarian).post(path))["done_at"]
    assert_error(client(p.manager).post(path), 409)
    assert ok(client(p.supplier).post(f"/api/v1/milestones/{second.pk}/complete/"))["done_at"]


def test_a_new_organisation_sees_no_milestones(outsider):
    f.OrganizationFactory()
    assert ids(client(outsider).get("/api/v1/milestones/")) == set()


@covers("POST /api/v1/milestones/{id}/archive/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_archive_a_milestone(p, project, outsider):
    first, second = (
        services.milestone_add(actor=act(p.librarian), project=project, title=t, due_on=date(2027, 3, 1))
        for t in ("选型", "部署")
    )
    path = f"/api/v1/milestones/{first.pk}/archive/"
    assert_error(client().post(path), 401)
    assert_error(client(outsider).post(path), 404)
    assert_error(client(p.supplier).post(path), 403)
    assert Milestone.objects.active().count() == 2
    assert ok(client(p.librarian).post(path))["archived_at"]
    assert ok(client(p.manager).post(f"/api/v1/milestones/{second.pk}/archive/"))["archived_at"]
    assert ids(client(p.manager).get("/api/v1/milestones/")) == set()

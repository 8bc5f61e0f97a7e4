"""/api/v1/training-programs/, /training-enrolments/, /guidance/ and /compliance/.

Roles: a programme is owned by its trainer (a university: member and manager of it); an enrolment by the
trainee's library (library staff enrol themselves, its managers enrol others) and is run by the trainer;
guidance by its issuer (a government body); compliance is the view of the guiding government body.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliance import services
from alliance.models import GuidanceDocument, TrainingAttendance, TrainingEnrolment, TrainingProgram, TrainingSession
from tests import factories as f
from tests.alliance.api_helpers import assert_error, client, created, ids, ok
from tests.alliance.flow import PDF, act, new_project
from tests.permissions import covers

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecturer(p):
    """An ordinary member of the training university (p.professor is its manager)."""
    return f.member_of(p.university, "member")


@pytest.fixture
def program(p):
    return services.training_program_create(
        actor=act(p.professor), alliance=p.alliance, trainer=p.university, title="智慧馆员培训", required_sessions=1
    )


def session_body(day=0):
    start = timezone.now() + timedelta(days=day)
    return {"topic": f"第{day + 1}讲", "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}  # fmt: skip


@covers("GET /api/v1/training-programs/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/training-programs/{id}/", "anonymous", "unrelated", "member", "manager")
def test_programmes_are_seen_by_the_alliance_and_the_trainer(p, program, outsider, lecturer):
    path = f"/api/v1/training-programs/{program.pk}/"
    assert_error(client().get("/api/v1/training-programs/"), 401)
    assert_error(client().get(path), 401)
    assert ids(client(outsider).get("/api/v1/training-programs/")) == set()
    assert_error(client(outsider).get(path), 404)
    for user in (lecturer, p.professor, p.librarian):
        assert ids(client(user).get("/api/v1/training-programs/")) == {program.pk}
        assert ok(client(user).get(path))["trainer"]["id"] == p.university.pk


@covers("POST /api/v1/training-programs/", "anonymous", "unrelated", "member", "manager")
def test_the_trainers_people_offer_a_programme(p, outsider, lecturer):
    body = {"alliance": p.alliance.pk, "trainer": p.university.pk, "title": "数据素养", "required_sessions": 2}
    assert_error(client().post("/api/v1/training-programs/", body), 401)
    assert_error(client(outsider).post("/api/v1/training-programs/", body), 400, field="alliance")
    assert_error(client(p.supplier).post("/api/v1/training-programs/", body), 403)
    assert not TrainingProgram.objects.exists()
    for user in (lecturer, p.professor):
        assert created(client(user).post("/api/v1/training-programs/", body))["required_sessions"] == 2


@covers("GET /api/v1/training-programs/{id}/sessions/", "anonymous", "unrelated", "member", "manager")
@covers("POST /api/v1/training-programs/{id}/sessions/", "anonymous", "unrelated", "member", "manager")
def test_the_trainers_people_add_sessions(p, program, outsider, lecturer):
    path = f"/api/v1/training-programs/{program.pk}/sessions/"
    assert_error(client().post(path, session_body()), 401)
    assert_error(client(outsider).post(path, session_body()), 404)
    assert_error(client(p.librarian).post(path, session_body()), 403)
    assert not TrainingSession.objects.exists()
    created(client(lecturer).post(path, session_body(0)))
    created(client(p.professor).post(path, {**session_body(1), "location": "报告厅"}))
    backwards = {**session_body(2), "ends_at": (timezone.now() - timedelta(days=1)).isoformat()}
    assert_error(client(p.professor).post(path, backwards), 400)
    assert_error(client().get(path), 401)
    assert_error(client(outsider).get(path), 404)
    for user in (lecturer, p.professor, p.librarian):
        assert [s["topic"] for s in ok(client(user).get(path))["results"]] == ["第1讲", "第2讲"]


@covers("POST /api/v1/training-programs/{id}/enrol/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_enrol_themselves_and_managers_enrol_their_staff(p, program, outsider):
    path = f"/api/v1/training-programs/{program.pk}/enrol/"
    other = f.member_of(p.library, "member")
    assert_error(client().post(path, {}), 401)
    assert_error(client(outsider).post(path, {}), 404)
    assert_error(client(p.supplier).post(path, {}), 400)  # not staff of an alliance library
    assert_error(client(p.librarian).post(path, {"trainee": other.pk}), 403)
    assert not TrainingEnrolment.objects.exists()
    assert created(client(p.librarian).post(path, {}))["trainee"]["id"] == p.librarian.pk
    assert created(client(p.manager).post(path, {"trainee": other.pk}))["library"]["id"] == p.library.pk
    assert_error(client(p.librarian).post(path, {}), 409)


@pytest.fixture
def enrolment(p, program):
    return services.training_enrol(actor=act(p.librarian), program=program, trainee=p.librarian)


@covers("GET /api/v1/training-enrolments/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/training-enrolments/{id}/", "anonymous", "unrelated", "member", "manager")
def test_an_enrolment_is_seen_by_the_trainee_the_trainer_and_the_librarys_managers(p, enrolment, outsider):
    path = f"/api/v1/training-enrolments/{enrolment.pk}/"
    assert_error(client().get("/api/v1/training-enrolments/"), 401)
    assert_error(client().get(path), 401)
    assert ids(client(outsider).get("/api/v1/training-enrolments/")) == set()
    assert_error(client(outsider).get(path), 404)
    for user in (p.librarian, p.manager, p.professor):
        assert ids(client(user).get("/api/v1/training-enrolments/")) == {enrolment.pk}
        assert ok(client(user).get(path))["attended_count"] == 0


@covers("POST /api/v1/training-enrolments/{id}/attendance/", "anonymous", "unrelated", "member", "manager")
@covers("POST /api/v1/training-enrolments/{id}/complete/", "anonymous", "unrelated", "member", "manager")
def test_the_trainer_records_attendance_and_completion(p, program, enrolment, outsider, lecturer):
    session = services.training_session_add(
        actor=act(p.professor), program=program, topic="第1讲", starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=2),
    )  # fmt: skip
    attend = f"/api/v1/training-enrolments/{enrolment.pk}/attendance/"
    complete = f"/api/v1/training-enrolments/{enrolment.pk}/complete/"
    for path, body in ((attend, {"session": session.pk}), (complete, {})):
        assert_error(client().post(path, body), 401)
        assert_error(client(outsider).post(path, body), 404)
    # The trainee and their library's managers see the enrolment but do not mark it.
    assert_error(client(p.librarian).post(attend, {"session": session.pk}), 403)
    assert_error(client(p.manager).post(complete), 403)
    assert "0 of 1 required sessions" in assert_error(client(p.professor).post(complete), 409)["message"]
    assert not TrainingAttendance.objects.exists()
    assert ok(client(lecturer).post(attend, {"session": session.pk}))["attended"] is True
    assert ok(client(p.professor).post(complete))["completed_at"]
    assert_error(client(lecturer).post(complete), 409)


# --- guidance ------------------------------------------------------------------------------------------------


@pytest.fixture
def clerk(government):
    return f.member_of(government, "member")


@pytest.fixture
def policy(p):
    return services.guidance_issue(
        actor=act(p.officer), kind="policy", title="关于推进智慧图书馆建设的意见", effective_on=timezone.localdate()
    )


@covers("GET /api/v1/guidance/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/guidance/{id}/", "anonymous", "unrelated", "member", "manager")
def test_guidance_is_public_to_every_signed_in_person(p, policy, outsider, clerk):
    path = f"/api/v1/guidance/{policy.pk}/"
    assert_error(client().get("/api/v1/guidance/"), 401)
    assert_error(client().get(path), 401)
    for user in (outsider, clerk, p.officer, p.readers[0].user):
        assert ids(client(user).get("/api/v1/guidance/", {"kind": "policy"})) == {policy.pk}
        assert ok(client(user).get(path))["issuer"]["id"] == p.government.pk
    assert ids(client(outsider).get("/api/v1/guidance/", {"kind": "standard"})) == set()


@covers("POST /api/v1/guidance/", "anonymous", "unrelated", "member", "manager")
def test_government_bodies_issue_policies_and_standards(p, outsider, clerk):
    body = {"kind": "standard", "title": "智慧图书馆建设规范", "code": "DB33/T 9", "effective_on": "2027-01-01"}
    assert_error(client().post("/api/v1/guidance/", body), 401)
    assert_error(client(outsider).post("/api/v1/guidance/", body), 403)
    assert_error(client(p.librarian).post("/api/v1/guidance/", body), 403)
    assert not GuidanceDocument.objects.exists()
    made = created(client(clerk).post("/api/v1/guidance/", body))
    assert (made["kind"], made["has_document"]) == ("standard", False)
    assert_error(client(p.officer).post("/api/v1/guidance/", body), 409)
    document = SimpleUploadedFile("policy.pdf", PDF, content_type="application/pdf")
    upload = {**body, "kind": "policy", "code": "", "document": document}
    assert created(client(p.officer).post("/api/v1/guidance/", upload, format="multipart"))["has_document"] is True


@covers("POST /api/v1/guidance/{id}/archive/", "anonymous", "unrelated", "member", "manager")
def test_the_issuers_managers_withdraw_guidance(p, policy, outsider, clerk):
    path = f"/api/v1/guidance/{policy.pk}/archive/"
    assert_error(client().post(path), 401)
    assert_error(client(outsider).post(path), 403)
    assert_error(client(clerk).post(path), 403)
    assert GuidanceDocument.objects.get(pk=policy.pk).archived_at is None
    assert ok(client(p.officer).post(path))["archived_at"]
    assert ids(client(clerk).get("/api/v1/guidance/")) == set()
    assert ids(client(clerk).get("/api/v1/guidance/", {"archived": "true"})) == {policy.pk}


@covers("GET /api/v1/compliance/", "anonymous", "unrelated", "member", "manager")
def test_a_guiding_government_body_sees_its_projects_declared_standards(p, outsider, clerk):
    project = new_project(p)
    standard = services.guidance_issue(
        actor=act(p.officer), kind="standard", title="规范", code="DB33/T 1", effective_on=timezone.localdate()
    )
    services.project_declare_standard(actor=act(p.librarian), project=project, standard=standard)
    assert_error(client().get("/api/v1/compliance/"), 401)
    assert ids(client(outsider).get("/api/v1/compliance/")) == set()
    for user in (clerk, p.officer):
        rows = ok(client(user).get("/api/v1/compliance/"))["results"]
        assert [(r["id"], [s["code"] for s in r["standards"]]) for r in rows] == [(project.pk, ["DB33/T 1"])]
    assert ids(client(p.supplier).get("/api/v1/compliance/")) == set()


@covers("POST /api/v1/training-programs/{id}/archive/", "anonymous", "unrelated", "member", "manager")
def test_the_trainers_people_close_a_programme(p, outsider, lecturer):
    first, second = (
        services.training_program_create(actor=act(p.professor), alliance=p.alliance, trainer=p.university, title=t)
        for t in ("一期", "二期")
    )
    path = f"/api/v1/training-programs/{first.pk}/archive/"
    assert_error(client().post(path), 401)
    assert_error(client(outsider).post(path), 404)
    assert_error(client(p.librarian).post(path), 403)
    assert TrainingProgram.objects.active().count() == 2
    assert ok(client(lecturer).post(path))["archived_at"]
    assert ok(client(p.professor).post(f"/api/v1/training-programs/{second.pk}/archive/"))["archived_at"]
    assert ids(client(p.professor).get("/api/v1/training-programs/")) == set()

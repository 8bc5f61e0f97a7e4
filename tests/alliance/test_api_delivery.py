"""/api/v1/deliverables/, /trials/ and /corrections/: delivering, trialling with readers, correcting.

Roles: for what the library runs (trials, corrections raised and verified) the owning organisation is the
lead library; for what the provider does (versions, answers) it is the provider enterprise (member =
``p.supplier``, manager = ``partner_manager``). Readers answer trials they are invited to, once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alliance import services
from alliance.models import CorrectionRequest, Deliverable, DeliverableVersion, Trial, TrialInvitation, TrialResponse
from tests import factories as f
from tests.alliance.api_helpers import assert_error, client, created, ids, ok, pdf_upload
from tests.alliance.flow import act, deliver, move, new_project, pdf, respond_all, start_trial, to_development
from tests.permissions import covers

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def developing(p):
    project = new_project(p)
    to_development(p, project)
    return project


@pytest.fixture
def deliverable(p, developing):
    return services.deliverable_create(actor=act(p.supplier), project=developing, title="自助借还系统")


@covers("GET /api/v1/deliverables/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/deliverables/{id}/", "anonymous", "unrelated", "member", "manager")
def test_deliverables_are_seen_with_their_project_and_versions(p, deliverable, outsider):
    services.deliverable_version_upload(actor=act(p.supplier), deliverable=deliverable, file=pdf(), notes="首版")
    path = f"/api/v1/deliverables/{deliverable.pk}/"
    assert_error(client().get("/api/v1/deliverables/"), 401)
    assert_error(client().get(path), 401)
    assert ids(client(outsider).get("/api/v1/deliverables/")) == set()
    assert_error(client(outsider).get(path), 404)
    for user in (p.librarian, p.manager, p.supplier):
        assert ids(client(user).get("/api/v1/deliverables/", {"project": deliverable.project_id})) == {deliverable.pk}
        versions = ok(client(user).get(path))["versions"]
        assert [(v["number"], v["notes"]) for v in versions] == [(1, "首版")]
        assert versions[0]["file_name"].endswith(".pdf")


@covers("POST /api/v1/deliverables/", "anonymous", "unrelated", "member", "manager")
def test_the_library_or_the_provider_name_a_deliverable(p, developing, outsider):
    body = {"project": developing.pk, "title": "自助借还系统"}
    assert_error(client().post("/api/v1/deliverables/", body), 401)
    assert_error(client(outsider).post("/api/v1/deliverables/", body), 400, field="project")
    assert_error(client(p.officer).post("/api/v1/deliverables/", body), 403)
    assert not Deliverable.objects.exists()
    for user in (p.librarian, p.manager, p.supplier):
        created(client(user).post("/api/v1/deliverables/", body))
    assert Deliverable.objects.count() == 3


@covers("POST /api/v1/deliverables/{id}/versions/", "anonymous", "unrelated", "member", "manager")
def test_the_provider_uploads_versions(p, deliverable, outsider, partner_manager):
    path = f"/api/v1/deliverables/{deliverable.pk}/versions/"
    assert_error(client().post(path, {"file": pdf_upload()}, format="multipart"), 401)
    assert_error(client(outsider).post(path, {"file": pdf_upload()}, format="multipart"), 404)
    assert_error(client(p.librarian).post(path, {"file": pdf_upload()}, format="multipart"), 403)
    assert not DeliverableVersion.objects.exists()
    assert created(client(p.supplier).post(path, {"file": pdf_upload(), "notes": "v1"}, format="multipart"))["number"] == 1  # fmt: skip
    assert created(client(partner_manager).post(path, {"file": pdf_upload()}, format="multipart"))["number"] == 2


def test_a_file_of_the_wrong_type_is_a_400_saying_which_types(p, deliverable):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("release.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    path = f"/api/v1/deliverables/{deliverable.pk}/versions/"
    error = assert_error(client(p.supplier).post(path, {"file": fake}, format="multipart"), 400, field="file")
    assert "Only PDF, PNG, JPEG, ZIP, DOCX or XLSX" in error["message"]
    assert_error(client(p.supplier).post(path, {"notes": "no file"}, format="multipart"), 400, field="file")
    assert not DeliverableVersion.objects.exists()


def test_a_file_too_large_is_a_400_saying_the_limit(p, deliverable, monkeypatch):
    import alliance.validators

    monkeypatch.setattr(alliance.validators, "MAX_DELIVERABLE_BYTES", 16)
    path = f"/api/v1/deliverables/{deliverable.pk}/versions/"
    error = assert_error(client(p.supplier).post(path, {"file": pdf_upload()}, format="multipart"), 400, field="file")
    assert "larger than 50 MB" in error["message"]
    assert not DeliverableVersion.objects.exists()


def test_versions_are_uploaded_only_in_development(p, deliverable):
    services.deliverable_version_upload(actor=act(p.supplier), deliverable=deliverable, file=pdf())
    move(p.supplier, deliverable.project, "deliver")
    path = f"/api/v1/deliverables/{deliverable.pk}/versions/"
    assert_error(client(p.supplier).post(path, {"file": pdf_upload()}, format="multipart"), 409)


# --- trials ------------------------------------------------------------------------------------------------


@pytest.fixture
def delivered(p, developing):
    return developing, deliver(p, developing)


def plan_body(project, version, readers=()):
    return {
        "project": project.pk, "version": version.pk, "starts_on": str(TODAY()),
        "ends_on": str(TODAY() + timedelta(days=14)), "readers": [r.pk for r in readers], "min_satisfaction": "3.5",
    }  # fmt: skip


@covers("POST /api/v1/trials/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_plan_a_trial_with_readers(p, delivered, outsider):
    project, version = delivered
    body = plan_body(project, version, p.readers)
    assert_error(client().post("/api/v1/trials/", body), 401)
    assert_error(client(outsider).post("/api/v1/trials/", body), 400)
    assert_error(client(p.supplier).post("/api/v1/trials/", {**body, "readers": []}), 403)
    assert not Trial.objects.exists()
    trial = created(client(p.librarian).post("/api/v1/trials/", body))
    assert (trial["status"], trial["invited_count"], trial["min_satisfaction"]) == ("planned", 3, "3.50")
    assert "already has a planned" in assert_error(client(p.manager).post("/api/v1/trials/", body), 409)["message"]


def test_a_reader_who_did_not_consent_cannot_be_invited(p, delivered):
    project, version = delivered
    unwilling = f.ReaderFactory(home_library=p.library, consent_trials=False)
    error = assert_error(client(p.librarian).post("/api/v1/trials/", plan_body(project, version, [unwilling])), 400)
    assert "has not agreed to take part in trials" in error["message"]
    assert not Trial.objects.exists()


@pytest.fixture
def planned(p, delivered):
    project, version = delivered
    trial = services.trial_plan(
        actor=act(p.librarian), project=project, version=version, starts_on=TODAY(),
        ends_on=TODAY() + timedelta(days=14), readers=p.readers[:1],
    )  # fmt: skip
    return project, trial


@covers("GET /api/v1/trials/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/trials/{id}/", "anonymous", "unrelated", "member", "manager")
def test_a_trial_is_seen_by_the_projects_parties_and_its_invited_readers(p, planned, outsider):
    _project, trial = planned
    path = f"/api/v1/trials/{trial.pk}/"
    assert_error(client().get("/api/v1/trials/"), 401)
    assert_error(client().get(path), 401)
    assert ids(client(outsider).get("/api/v1/trials/")) == set()
    assert_error(client(outsider).get(path), 404)
    for user in (p.librarian, p.manager, p.supplier, p.readers[0].user):
        assert ids(client(user).get("/api/v1/trials/")) == {trial.pk}
        assert ok(client(user).get(path))["invited_count"] == 1
    assert ok(client(p.readers[0].user).get(path))["has_responded"] is False
    assert_error(client(p.readers[1].user).get(path), 404)


@covers("POST /api/v1/trials/{id}/invite/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_invite_more_readers(p, planned, outsider):
    _project, trial = planned
    path = f"/api/v1/trials/{trial.pk}/invite/"
    body = {"readers": [p.readers[1].pk]}
    assert_error(client().post(path, body), 401)
    assert_error(client(outsider).post(path, body), 404)
    assert_error(client(p.supplier).post(path, body), 400, field="readers")  # the provider sees no readers
    assert TrialInvitation.objects.filter(trial=trial).count() == 1
    assert ok(client(p.librarian).post(path, body))["invited"] == 1
    assert ok(client(p.manager).post(path, {"readers": [r.pk for r in p.readers]}))["invited"] == 1
    assert_error(client(p.manager).post(path, {"readers": []}), 400, field="readers")


@covers("POST /api/v1/trials/{id}/respond/", "anonymous", "unrelated", "member", "manager")
def test_invited_readers_respond_once_to_a_running_trial(p, planned, outsider):
    project, trial = planned
    path = f"/api/v1/trials/{trial.pk}/respond/"
    reader = client(p.readers[0].user)
    assert "not running" in assert_error(reader.post(path, {"satisfaction": 4}), 409)["message"]
    move(p.librarian, project, "start_trial")
    assert_error(client().post(path, {"satisfaction": 4}), 401)
    assert_error(client(outsider).post(path, {"satisfaction": 4}), 404)
    assert_error(client(p.readers[1].user).post(path, {"satisfaction": 4}), 404)  # not invited: not seen
    for user in (p.librarian, p.manager):
        assert "Only readers invited" in assert_error(client(user).post(path, {"satisfaction": 4}), 403)["message"]
    assert_error(reader.post(path, {"satisfaction": 6}), 400, field="satisfaction")
    assert not TrialResponse.objects.exists()
    assert created(reader.post(path, {"satisfaction": 4, "comment": "很方便"}))["satisfaction"] == 4
    assert "already responded" in assert_error(reader.post(path, {"satisfaction": 5}), 409)["message"]
    assert TrialResponse.objects.get().satisfaction == 4
    assert ok(reader.get(f"/api/v1/trials/{trial.pk}/"))["has_responded"] is True


@covers("GET /api/v1/trials/{id}/results/", "anonymous", "unrelated", "member", "manager")
def test_the_projects_parties_read_a_trials_results(p, developing, outsider):
    trial = start_trial(p, developing, deliver(p, developing))
    respond_all(p, trial, [5, 4, 3])
    path = f"/api/v1/trials/{trial.pk}/results/"
    assert_error(client().get(path), 401)
    assert_error(client(outsider).get(path), 404)
    assert_error(client(p.readers[0].user).get(path), 404)
    for user in (p.librarian, p.manager, p.supplier):
        result = ok(client(user).get(path))
        assert (result["response_count"], result["mean_satisfaction"], result["meets_criteria"]) == (3, "4.00", True)


# --- corrections -------------------------------------------------------------------------------------------


@pytest.fixture
def running(p, developing):
    return developing, start_trial(p, developing, deliver(p, developing))


def raise_body(project, trial=None):
    body = {"project": project.pk, "title": "识别慢", "severity": "high", "due_on": str(TODAY() + timedelta(days=7))}
    return {**body, "trial": trial.pk} if trial else body


@covers("POST /api/v1/corrections/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_send_deviations_to_the_provider(p, running, outsider):
    project, trial = running
    body = raise_body(project, trial)
    assert_error(client().post("/api/v1/corrections/", body), 401)
    assert_error(client(outsider).post("/api/v1/corrections/", body), 400)
    assert_error(client(p.supplier).post("/api/v1/corrections/", body), 403)
    assert not CorrectionRequest.objects.exists()
    made = created(client(p.librarian).post("/api/v1/corrections/", body))
    assert (made["status"], made["source"], made["trial"]) == ("open", "trial", trial.pk)
    from_feedback = created(client(p.manager).post("/api/v1/corrections/", {**raise_body(project), "feedback_reference": "fb-9"}))  # fmt: skip
    assert from_feedback["source"] == "reader_feedback"


@pytest.fixture
def correction(p, running):
    project, trial = running
    return services.correction_raise(
        actor=act(p.librarian), project=project, trial=trial, title="识别慢", severity="high",
        due_on=TODAY() + timedelta(days=7),
    )  # fmt: skip


@covers("GET /api/v1/corrections/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/corrections/{id}/", "anonymous", "unrelated", "member", "manager")
def test_corrections_are_seen_by_the_projects_parties(p, correction, outsider):
    path = f"/api/v1/corrections/{correction.pk}/"
    assert_error(client().get("/api/v1/corrections/"), 401)
    assert_error(client().get(path), 401)
    assert ids(client(outsider).get("/api/v1/corrections/")) == set()
    assert_error(client(outsider).get(path), 404)
    for user in (p.librarian, p.manager, p.supplier):
        assert ids(client(user).get("/api/v1/corrections/", {"status": "open"})) == {correction.pk}
        assert ok(client(user).get(path))["severity"] == "high"


@covers("POST /api/v1/corrections/{id}/answer/", "anonymous", "unrelated", "member", "manager")
def test_the_provider_answers_a_correction(p, correction, outsider, partner_manager):
    path = f"/api/v1/corrections/{correction.pk}/answer/"
    body = {"answer": "更换高频读写器"}
    assert_error(client().post(path, body), 401)
    assert_error(client(outsider).post(path, body), 404)
    assert_error(client(p.librarian).post(path, body), 403)
    assert_error(client(p.supplier).post(path, {"answer": ""}), 400, field="answer")
    assert CorrectionRequest.objects.get(pk=correction.pk).status == "open"
    assert ok(client(p.supplier).post(path, body))["status"] == "answered"
    assert "Only an open correction" in assert_error(client(partner_manager).post(path, body), 409)["message"]


def test_the_providers_manager_answers_too(p, correction, partner_manager):
    path = f"/api/v1/corrections/{correction.pk}/answer/"
    assert ok(client(partner_manager).post(path, {"answer": "已修正"}))["answer"] == "已修正"


@covers("POST /api/v1/corrections/{id}/verify/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_verify_a_fix_in_a_later_trial(p, correction, outsider):
    project, first = correction.project, correction.trial
    path = f"/api/v1/corrections/{correction.pk}/verify/"
    move(p.librarian, project, "request_corrections")
    services.correction_answer(actor=act(p.supplier), correction=correction, answer="已修正")
    move(p.supplier, project, "resume_development")
    second = start_trial(p, project, deliver(p, project, correction.project.deliverables.get()))
    assert "running trial" in assert_error(client(p.librarian).post(path, {"trial": first.pk}), 409)["message"]
    assert_error(client().post(path, {"trial": second.pk}), 401)
    assert_error(client(outsider).post(path, {"trial": second.pk}), 404)
    assert_error(client(p.supplier).post(path, {"trial": second.pk}), 403)
    assert CorrectionRequest.objects.get(pk=correction.pk).status == "answered"
    assert ok(client(p.manager).post(path, {"trial": second.pk, "note": "复测通过"}))["status"] == "closed"
    assert_error(client(p.librarian).post(path, {"trial": second.pk}), 409)


@covers("POST /api/v1/deliverables/{id}/archive/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_set_aside_a_deliverable_not_in_a_trial(p, developing, outsider):
    first, second = (
        services.deliverable_create(actor=act(p.supplier), project=developing, title=t) for t in ("旧方案", "新方案")
    )
    path = f"/api/v1/deliverables/{first.pk}/archive/"
    assert_error(client().post(path), 401)
    assert_error(client(outsider).post(path), 404)
    assert_error(client(p.supplier).post(path), 403)
    assert Deliverable.objects.active().count() == 2
    assert ok(client(p.librarian).post(path))["archived_at"]
    assert ok(client(p.manager).post(f"/api/v1/deliverables/{second.pk}/archive/"))["archived_at"]
    assert ids(client(p.manager).get("/api/v1/deliverables/")) == set()


def test_a_deliverable_in_a_running_trial_stays(p, running):
    project, _trial = running
    path = f"/api/v1/deliverables/{project.deliverables.get().pk}/archive/"
    assert "planned or running trial" in assert_error(client(p.manager).post(path), 409)["message"]

"""/api/v1/assessments/: a library's credibility assessments of partners, with an optional document."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stakeholders import services
from stakeholders.access import build_actor
from stakeholders.models import CredibilityAssessment
from tests.permissions import covers
from tests.stakeholders.api_helpers import assert_error, ids

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def assessment(enterprise, staff):
    return services.assessment_create(
        actor=build_actor(staff), organization=enterprise, qualifications="ISO 9001", score=80
    )


def url(a, suffix=""):
    return f"/api/v1/assessments/{a.pk}/{suffix}"


@covers("GET /api/v1/assessments/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/assessments/{id}/", "anonymous", "unrelated", "member", "manager")
def test_the_assessing_library_and_the_assessed_partner_see_an_assessment(
    api, assessment, staff, staff_manager, partner, partner_manager, outsider
):
    assert_error(api().get("/api/v1/assessments/"), 401)
    assert_error(api().get(url(assessment)), 401)
    assert ids(api(outsider).get("/api/v1/assessments/")) == set()
    assert_error(api(outsider).get(url(assessment)), 404)
    for user in (staff, staff_manager, partner, partner_manager):
        assert ids(api(user).get("/api/v1/assessments/")) == {assessment.pk}
        body = api(user).get(url(assessment)).json()
        assert body["score"] == 80
        assert body["has_document"] is False


@covers("POST /api/v1/assessments/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_assess_partners_with_an_optional_document(
    api, enterprise, staff, staff_manager, partner, outsider
):
    body = {"organization": enterprise.pk, "qualifications": "CMMI 3", "score": 75}
    for client, status in ((api(), 401), (api(outsider), 403), (api(partner), 403)):
        assert_error(client.post("/api/v1/assessments/", body), status)
        assert not CredibilityAssessment.objects.exists()
    assert api(staff_manager).post("/api/v1/assessments/", body).status_code == 201
    upload = SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf")
    response = api(staff).post("/api/v1/assessments/", {**body, "document": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["has_document"] is True
    assert response.json()["assessed_by"]["kind"] == "library"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"score": 150}, "score"), ({"score": -1}, "score"), ({"qualifications": ""}, "qualifications")],
)
def test_a_bad_assessment_is_a_400_and_writes_nothing(api, enterprise, staff, change, field):
    body = {"organization": enterprise.pk, "qualifications": "CMMI 3", "score": 75, **change}
    assert_error(api(staff).post("/api/v1/assessments/", body), 400, code="invalid", field=field)
    assert not CredibilityAssessment.objects.exists()


def test_a_document_is_judged_by_its_content_not_its_name(api, enterprise, staff):
    fake = SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    body = {"organization": enterprise.pk, "qualifications": "CMMI 3", "score": 75, "document": fake}
    assert_error(api(staff).post("/api/v1/assessments/", body, format="multipart"), 400, field="document")
    assert not CredibilityAssessment.objects.exists()


@covers("POST /api/v1/assessments/{id}/archive/", "anonymous", "unrelated", "member", "manager")
def test_only_managers_of_the_assessing_library_archive(
    api, assessment, staff, staff_manager, partner_manager, outsider
):
    for client, status in ((api(), 401), (api(outsider), 404), (api(staff), 403), (api(partner_manager), 403)):
        assert_error(client.post(url(assessment, "archive/")), status)
        assessment.refresh_from_db()
        assert assessment.archived_at is None
    assert api(staff_manager).post(url(assessment, "archive/")).status_code == 200
    assessment.refresh_from_db()
    assert assessment.archived_at is not None

"""Every feedback list endpoint costs the same number of queries for 1 row and for 20."""

from __future__ import annotations

from feedback import services
from feedback.models import Feedback
from tests import factories as f

from .conftest import act, give


def _queries(api, user, path, count_queries):
    client = api(user)
    with count_queries() as q:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(q), response.json()["count"]


def test_feedback_list_costs_the_same_for_1_and_20_rows(api, library, staff, count_queries):
    def add(n):
        for i in range(n):
            reader = f.ReaderFactory(home_library=library).user
            fb = give(reader, text=f"反馈 {i}", kind="need", is_public=True)
            services.feedback_triage(actor=act(staff), feedback=fb, assignee=staff, tags=["t"])
            services.feedback_answer(actor=act(staff), feedback=fb, answer="好")

    add(1)
    one = _queries(api, staff, "/api/v1/feedback/", count_queries)
    add(19)
    twenty = _queries(api, staff, "/api/v1/feedback/", count_queries)
    assert one[1] == 1 and twenty[1] == 20
    assert one[0] == twenty[0]
    reader_view = _queries(api, Feedback.objects.first().reader.user, "/api/v1/feedback/", count_queries)
    public = _queries(api, staff, "/api/v1/public-needs/", count_queries)
    assert reader_view[1] == 1 and public[1] == 20


def test_public_needs_and_surveys_cost_the_same_for_1_and_20_rows(api, library, staff, reader, count_queries):
    questions = [{"kind": "rating", "text": "满意度"}, {"kind": "choice", "text": "区域", "options": ["a", "b"]}]

    def add(n):
        for i in range(n):
            give(f.ReaderFactory(home_library=library).user, text=f"需求 {i}", kind="need", is_public=True)
            survey = services.survey_create(actor=act(staff), library=library, title=f"调查 {i}", questions=questions)
            services.survey_open(actor=act(staff), survey=survey)

    add(1)
    needs1 = _queries(api, reader, "/api/v1/public-needs/", count_queries)
    surveys1 = _queries(api, reader, "/api/v1/surveys/", count_queries)
    add(19)
    needs20 = _queries(api, reader, "/api/v1/public-needs/", count_queries)
    surveys20 = _queries(api, reader, "/api/v1/surveys/", count_queries)
    assert (needs1[1], needs20[1], surveys1[1], surveys20[1]) == (1, 20, 1, 20)
    assert needs1[0] == needs20[0]
    assert surveys1[0] == surveys20[0]


def test_partner_feedback_list_costs_the_same_for_1_and_20_rows(api, p, count_queries):
    from datetime import timedelta

    from django.utils import timezone

    from tests.alliance.flow import new_project, to_development

    project = to_development(p, new_project(p))

    def route(n):
        rows = [give(f.ReaderFactory(home_library=p.library).user, text=f"问题 {i}") for i in range(n)]
        services.feedback_route(
            actor=act(p.librarian), feedback=rows, project=project, title="问题", severity="low",
            due_on=timezone.localdate() + timedelta(days=7),
        )  # fmt: skip

    route(1)
    one = _queries(api, p.supplier, "/api/v1/partner-feedback/", count_queries)
    route(19)
    twenty = _queries(api, p.supplier, "/api/v1/partner-feedback/", count_queries)
    assert (one[1], twenty[1]) == (1, 20)
    assert one[0] == twenty[0]


def test_a_reader_submission_costs_eight_queries(api, reader, count_queries):
    """Intake is the busiest write (bench target: 200/s): who the reader is (2), the service level (1), the row and
    its first transition (2), the reply read back (1), and the transaction's savepoint pair (2). The model's check
    constraints are checked in the service, not re-asked of the database one savepoint at a time."""
    client = api(reader)
    with count_queries() as q:
        response = client.post("/api/v1/feedback/", {"kind": "complaint", "text": "太冷了"}, format="json")
    assert response.status_code == 201, response.content
    assert len(q) == 8
    assert Feedback.objects.get(pk=response.json()["id"]).transitions.count() == 1


def test_a_submission_with_bad_fields_is_refused_by_the_service_not_the_database(api, reader):
    client = api(reader)
    for body, field in (
        ({"kind": "complaint", "text": "   "}, "text"),
        ({"kind": "complaint", "text": "x", "rating": 9}, "rating"),
        ({"kind": "gossip", "text": "x"}, "kind"),
        ({"kind": "complaint", "text": "x", "subject": "s" * 500}, "subject"),
    ):
        response = client.post("/api/v1/feedback/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in str(response.json()), response.json()
    assert not Feedback.objects.exists()

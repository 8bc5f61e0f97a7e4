"""Survey pages: staff build, open and read results by question; a reader answers once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from feedback import services
from feedback.models import Survey, SurveyResponse

from .conftest import act

pytestmark = pytest.mark.django_db

LIST = reverse("feedback:survey-list")
NEW = reverse("feedback:survey-create")


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def survey(staff, library):
    s = services.survey_create(
        actor=act(staff), library=library, title="自习区满意度",
        questions=[
            {"kind": "rating", "text": "您对自习区满意吗？"},
            {"kind": "choice", "text": "您常在什么时间来？", "options": ["上午", "下午", "晚上"]},
            {"kind": "text", "text": "还有什么建议？", "required": False},
        ],
    )  # fmt: skip
    return services.survey_open(actor=act(staff), survey=s)


def test_staff_build_a_survey_with_three_kinds_of_question(client, staff):
    client.force_login(staff)
    data = {
        "title": "新书推荐", "description": "",
        "q1_text": "满意度", "q1_kind": "rating", "q1_required": "on",
        "q2_text": "类别", "q2_kind": "choice", "q2_options": "小说\n历史", "q2_required": "on",
        "q3_text": "其他", "q3_kind": "text",
        **{f"q{n}_kind": "text" for n in range(4, 7)},
    }  # fmt: skip
    response = client.post(NEW, data)
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert [(q.kind, q.required) for q in survey.questions.order_by("position")] == [
        ("rating", True), ("choice", True), ("text", False),
    ]  # fmt: skip
    assert survey.questions.get(kind="choice").options == ["小说", "历史"]


def test_a_choice_with_one_option_is_refused_on_the_form(client, staff):
    client.force_login(staff)
    data = {"title": "x", "q1_text": "类别", "q1_kind": "choice", "q1_options": "小说"}
    data |= {f"q{n}_kind": "text" for n in range(2, 7)}
    response = client.post(NEW, data)
    assert response.status_code == 200 and "at least two options" in response.content.decode()
    assert not Survey.objects.exists()


def test_readers_cannot_build_surveys(client, reader):
    client.force_login(reader)
    assert client.get(NEW).status_code == 404


def test_a_reader_answers_once(client, reader, survey):
    client.force_login(reader)
    url = reverse("feedback:survey-detail", args=[survey.pk])
    questions = list(survey.questions.order_by("position"))
    answer = {f"q{questions[0].pk}": "4", f"q{questions[1].pk}": "晚上"}
    assert client.post(url, answer).status_code == 302
    client.post(url, answer)
    assert SurveyResponse.objects.count() == 1
    assert "You have answered this survey" in client.get(url).content.decode()


def test_a_missing_required_answer_is_shown_and_nothing_stored(client, reader, survey):
    client.force_login(reader)
    response = client.post(reverse("feedback:survey-detail", args=[survey.pk]), {})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_staff_read_results_by_question(client, staff, reader, survey):
    q = list(survey.questions.order_by("position"))
    services.survey_respond(
        actor=act(reader), survey=survey, answers={q[0].pk: 5, q[1].pk: "上午", q[2].pk: "多开插座"}
    )
    client.force_login(staff)
    html = client.get(reverse("feedback:survey-detail", args=[survey.pk])).content.decode()
    assert "多开插座" in html and "5.0" in html and "上午" in html


def test_a_survey_of_another_library_is_404(client, survey):
    from tests import factories as f

    stranger = f.ReaderFactory(home_library=f.OrganizationFactory(kind="library")).user
    client.force_login(stranger)
    assert client.get(reverse("feedback:survey-detail", args=[survey.pk])).status_code == 404


def test_staff_close_an_open_survey(client, staff, survey):
    client.force_login(staff)
    client.post(reverse("feedback:survey-close", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.status == "closed"

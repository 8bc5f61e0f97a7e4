"""Surveys: built by staff, answered once per reader, results aggregated by question."""

from __future__ import annotations

import pytest

from core.exceptions import ConflictError, DomainError, NotAllowed
from feedback import selectors, services
from feedback.models import SurveyResponse
from stakeholders.access import ANONYMOUS

from .conftest import act

QUESTIONS = [
    {"kind": "rating", "text": "总体满意度"},
    {"kind": "choice", "text": "最常用的区域", "options": ["自习区", "少儿区", "电子阅览"]},
    {"kind": "text", "text": "其他建议", "required": False},
]


def make_survey(staff, library, open_it=True):
    survey = services.survey_create(actor=act(staff), library=library, title="2026 读者满意度调查", questions=QUESTIONS)
    return services.survey_open(actor=act(staff), survey=survey) if open_it else survey


def qids(survey):
    return list(survey.questions.order_by("position").values_list("pk", flat=True))


def test_readers_answer_once_and_results_aggregate_by_question(staff, library, reader, other_reader):
    survey = make_survey(staff, library)
    q1, q2, q3 = qids(survey)
    services.survey_respond(actor=act(reader), survey=survey, answers={q1: 5, q2: "自习区", q3: "多开夜场"})
    services.survey_respond(actor=act(other_reader), survey=survey, answers={q1: 3, q2: "自习区"})
    with pytest.raises(ConflictError):
        services.survey_respond(actor=act(reader), survey=survey, answers={q1: 1, q2: "少儿区"})
    results = {r["question"]: r for r in selectors.survey_results(survey)}
    assert results[q1]["mean"] == 4.0 and results[q1]["distribution"][5] == 1 and results[q1]["count"] == 2
    assert results[q2]["options"] == {"自习区": 2, "少儿区": 0, "电子阅览": 0}
    assert results[q3]["samples"] == ["多开夜场"]


@pytest.mark.parametrize(
    "answers",
    [
        {0: 7, 1: "自习区"},  # rating out of range
        {0: 4, 1: "不存在的选项"},
        {0: 4},  # required choice missing
    ],
)
def test_invalid_answers_are_refused_and_nothing_stored(staff, library, reader, answers):
    survey = make_survey(staff, library)
    ids = qids(survey)
    with pytest.raises(DomainError):
        services.survey_respond(actor=act(reader), survey=survey, answers={ids[k]: v for k, v in answers.items()})
    assert not SurveyResponse.objects.exists()


def test_draft_surveys_take_no_answers(staff, library, reader):
    survey = make_survey(staff, library, open_it=False)
    with pytest.raises(ConflictError):
        services.survey_respond(actor=act(reader), survey=survey, answers={})


def test_kiosk_respondents_answer_once_by_their_key(staff, library, staff_manager):
    survey = make_survey(staff, library)
    q1, q2, _q3 = qids(survey)
    services.survey_respond(actor=act(staff), survey=survey, answers={q1: 4, q2: "少儿区"}, respondent="kiosk-7:card-1")
    with pytest.raises(ConflictError):
        services.survey_respond(
            actor=act(staff), survey=survey, answers={q1: 4, q2: "少儿区"}, respondent="kiosk-7:card-1"
        )
    with pytest.raises(NotAllowed):
        services.survey_respond(actor=ANONYMOUS, survey=survey, answers={q1: 4, q2: "少儿区"}, respondent="x")
    services.policy_set(actor=act(staff_manager), library=library, allow_anonymous=True)
    services.survey_respond(actor=ANONYMOUS, survey=survey, answers={q1: 4, q2: "少儿区"}, respondent="x")
    assert SurveyResponse.objects.count() == 2


def test_a_choice_question_needs_options(staff, library):
    with pytest.raises(DomainError):
        services.survey_create(actor=act(staff), library=library, title="t", questions=[{"kind": "choice", "text": "?", "options": ["a"]}])  # fmt: skip


def test_partners_cannot_build_library_surveys(partner, library):
    with pytest.raises(NotAllowed):
        services.survey_create(actor=act(partner), library=library, title="t", questions=QUESTIONS)

"""The feedback API for every operation and role (tests/permissions.py), bad input, privacy and throttling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from feedback import services
from feedback.models import Feedback, FeedbackSupport, Survey, SurveyResponse
from tests.alliance.flow import new_project, to_development
from tests.permissions import covers
from tests.stakeholders.api_helpers import assert_error, ids

from .conftest import act, give

API = "/api/v1/feedback/"


def url(fb, suffix=""):
    return f"{API}{fb.pk}/{suffix}"


@pytest.fixture
def fb(reader):
    return give(reader, text="自习区空调太冷了", rating=2)


def _status(pk):
    return Feedback.objects.get(pk=pk).status


# --- reading -------------------------------------------------------------------------------------------------


@covers("GET /api/v1/feedback/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/feedback/{id}/", "anonymous", "unrelated", "member", "manager")
def test_staff_read_their_librarys_feedback_readers_their_own(api, fb, reader, other_reader, staff, staff_manager, outsider, partner):  # fmt: skip
    assert_error(api().get(API), 401)
    assert_error(api().get(url(fb)), 401)
    for stranger in (outsider, partner, other_reader):
        assert ids(api(stranger).get(API)) == set()
        assert_error(api(stranger).get(url(fb)), 404)
    for user in (staff, staff_manager):
        assert ids(api(user).get(API)) == {fb.pk}
        body = api(user).get(url(fb)).json()
        assert body["reader"]["card"] == "****1234" and "triage" in body["moves"]
    mine = api(reader).get(url(fb)).json()
    assert mine["text"] == "自习区空调太冷了" and "reader" not in mine and "tags" not in mine
    assert ids(api(reader).get(API)) == {fb.pk}


def test_staff_filter_and_search_in_chinese(api, reader, staff):
    a = give(reader, text="希望延长周末开放时间")
    give(reader, text="儿童区玩具需要消毒", kind="need")
    assert ids(api(staff).get(API, {"q": "开放时间"})) == {a.pk}
    assert ids(api(staff).get(API, {"kind": "complaint"})) == {a.pk}
    services.feedback_triage(actor=act(staff), feedback=a, tags=["开放时间"])
    assert ids(api(staff).get(API, {"tag": "开放时间"})) == {a.pk}


# --- submitting ----------------------------------------------------------------------------------------------------


@covers("POST /api/v1/feedback/", "anonymous", "unrelated", "member", "manager")
def test_submitting_feedback_by_role(api, library, reader, staff, staff_manager, outsider):
    body = {"library": library.pk, "kind": "need", "text": "增加充电插座"}
    assert_error(api().post(API, body), 403)
    assert_error(api(outsider).post(API, body), 403)
    assert not Feedback.objects.exists()
    for user in (staff, staff_manager):
        response = api(user).post(API, body)
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "new"
    assert api(reader).post(API, {"kind": "praise", "text": "很好", "rating": 5}).status_code == 201
    services.policy_set(actor=act(staff_manager), library=library, allow_anonymous=True)
    response = api().post(API, body)
    assert response.status_code == 201 and set(response.json()) == {"id", "status"}
    assert Feedback.objects.get(pk=response.json()["id"]).reader is None
    assert Feedback.objects.count() == 4


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"rating": 7}, "rating"),
        ({"rating": 0}, "rating"),
        ({"kind": "spam"}, "kind"),
    ],
)
def test_bad_feedback_is_a_clear_400_and_nothing_is_stored(api, reader, change, field):
    response = api(reader).post(API, {"kind": "complaint", "text": "灯太暗", **change})
    assert_error(response, 400, field=field)
    assert not Feedback.objects.exists()


def test_a_50_mb_file_is_refused_and_nothing_is_stored(api, reader):
    big = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (50 * 1024 * 1024), content_type="image/png")
    response = api(reader).post(API, {"kind": "complaint", "text": "看图", "attachment": big}, format="multipart")
    assert_error(response, 400, field="attachment")
    assert not Feedback.objects.exists()


def test_script_tags_come_back_as_data_never_as_markup(api, reader):
    text = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    response = api(reader).post(API, {"kind": "complaint", "text": text})
    assert response.status_code == 201
    assert Feedback.objects.get().text == text
    read = api(reader).get(url(Feedback.objects.get()))
    assert read["Content-Type"].startswith("application/json") and read["X-Content-Type-Options"] == "nosniff"
    assert read.json()["text"] == text


def test_anonymous_submissions_are_rate_limited_per_client(api, library, staff_manager):
    services.policy_set(actor=act(staff_manager), library=library, allow_anonymous=True)
    body = {"library": library.pk, "kind": "need", "text": "多些座位"}
    codes = [api().post(API, body, REMOTE_ADDR="10.0.0.1").status_code for _ in range(11)]
    assert codes[:10] == [201] * 10 and codes[10] == 429
    assert api().post(API, body, REMOTE_ADDR="10.0.0.2").status_code == 201
    assert Feedback.objects.count() == 11


# --- staff moves ------------------------------------------------------------------------------------------------------


def _refused_to_strangers(api, op_url, outsider, body=None, before=None):
    assert_error(api().post(op_url, body or {}), 401)
    assert_error(api(outsider).post(op_url, body or {}), 404)
    if before is not None:
        assert before()


@covers("POST /api/v1/feedback/{id}/triage/", "anonymous", "unrelated", "member", "manager")
def test_staff_triage(api, fb, staff, staff_manager, outsider):
    body = {"theme": "space", "tags": ["空调"], "assignee": staff.pk}
    _refused_to_strangers(api, url(fb, "triage/"), outsider, body, lambda: _status(fb.pk) == "new")
    for user in (staff, staff_manager):
        response = api(user).post(url(fb, "triage/"), body)
        assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "triaged" and body["tags"] == ["空调"] and body["assignee"]["id"] == staff.pk


@covers("POST /api/v1/feedback/{id}/answer/", "anonymous", "unrelated", "member", "manager")
@covers("POST /api/v1/feedback/{id}/resolve/", "anonymous", "unrelated", "member", "manager")
def test_staff_answer_and_resolve(api, fb, staff, staff_manager, outsider, reader):
    _refused_to_strangers(api, url(fb, "answer/"), outsider, {"answer": "好"}, lambda: _status(fb.pk) == "new")
    _refused_to_strangers(api, url(fb, "resolve/"), outsider, {"answer": "好"}, lambda: _status(fb.pk) == "new")
    assert_error(api(reader).post(url(fb, "answer/"), {"answer": "自问自答"}), 403)
    assert_error(api(staff).post(url(fb, "answer/"), {"answer": ""}), 400, field="answer")
    assert api(staff).post(url(fb, "answer/"), {"answer": "已调温"}).json()["status"] == "answered"
    assert api(staff_manager).post(url(fb, "answer/"), {"answer": "已调温至 24 度"}).status_code == 200
    assert api(staff).post(url(fb, "resolve/"), {}).json()["status"] == "resolved"
    assert_error(api(staff_manager).post(url(fb, "resolve/"), {}), 409)
    other = give(reader, text="灯太暗")
    assert api(staff_manager).post(url(other, "resolve/"), {"answer": "已换灯"}).json()["status"] == "resolved"


@covers("POST /api/v1/feedback/{id}/confirm/", "anonymous", "unrelated", "member", "manager")
@covers("POST /api/v1/feedback/{id}/reopen/", "anonymous", "unrelated", "member", "manager")
def test_only_the_reader_says_solved_or_not(api, fb, staff, staff_manager, outsider, reader, other_reader):
    services.feedback_answer(actor=act(staff), feedback=fb, answer="已调温")
    for op in ("confirm/", "reopen/"):
        _refused_to_strangers(api, url(fb, op), outsider)
        assert_error(api(other_reader).post(url(fb, op)), 404)
        for user in (staff, staff_manager):
            assert_error(api(user).post(url(fb, op)), 403)
        assert _status(fb.pk) == "answered"
    response = api(reader).post(url(fb, "reopen/"), {"reason": "还是冷"})
    assert response.status_code == 200 and response.json()["status"] == "reopened"
    services.feedback_resolve(actor=act(staff), feedback=fb, answer="加了挡风帘")
    assert api(reader).post(url(fb, "confirm/")).json()["status"] == "confirmed"


@covers("POST /api/v1/feedback/{id}/hide/", "anonymous", "unrelated", "member", "manager")
def test_staff_hide_abuse_and_the_record_stays(api, reader, staff, staff_manager, outsider):
    a, b = give(reader, text="脏话一"), give(reader, text="脏话二")
    _refused_to_strangers(api, url(a, "hide/"), outsider, {"reason": "辱骂"}, lambda: Feedback.objects.get(pk=a.pk).hidden_at is None)  # fmt: skip
    assert_error(api(reader).post(url(a, "hide/"), {"reason": "x"}), 403)
    for user, row in ((staff, a), (staff_manager, b)):
        body = api(user).post(url(row, "hide/"), {"reason": "辱骂"}).json()
        assert body["hidden_by"]["id"] == user.pk and body["hidden_reason"] == "辱骂" and body["text"] == row.text


@covers("POST /api/v1/feedback/{id}/merge/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/feedback/{id}/similar/", "anonymous", "unrelated", "member", "manager")
def test_staff_find_and_merge_duplicates(api, reader, other_reader, staff, staff_manager, outsider):
    a = give(reader, text="希望延长周末开放时间到晚上九点")
    b = give(other_reader, text="希望周末开放时间延长到晚上九点")
    c = give(other_reader, text="周末开放时间能否延长到晚上九点")
    assert_error(api().get(url(a, "similar/")), 401)
    assert_error(api(outsider).get(url(a, "similar/")), 404)
    assert_error(api(reader).get(url(a, "similar/")), 403)
    for user in (staff, staff_manager):
        assert b.pk in [row["id"] for row in api(user).get(url(a, "similar/")).json()]
    _refused_to_strangers(api, url(a, "merge/"), outsider, {"duplicates": [b.pk]}, lambda: Feedback.objects.get(pk=b.pk).duplicate_of_id is None)  # fmt: skip
    assert api(staff).post(url(a, "merge/"), {"duplicates": [b.pk]}).status_code == 200
    assert api(staff_manager).post(url(a, "merge/"), {"duplicates": [c.pk]}).status_code == 200
    assert set(Feedback.objects.filter(duplicate_of=a).values_list("pk", flat=True)) == {b.pk, c.pk}


@covers("GET /api/v1/feedback/{id}/transitions/", "anonymous", "unrelated", "member", "manager")
def test_the_path_of_a_feedback(api, fb, staff, staff_manager, outsider, reader):
    services.feedback_answer(actor=act(staff), feedback=fb, answer="好")
    assert_error(api().get(url(fb, "transitions/")), 401)
    assert_error(api(outsider).get(url(fb, "transitions/")), 404)
    for user in (staff, staff_manager, reader):
        rows = api(user).get(url(fb, "transitions/")).json()
        assert [r["to_status"] for r in rows] == ["new", "answered"]


@covers("POST /api/v1/feedback/bulk/", "anonymous", "unrelated", "member", "manager")
def test_bulk_categorise_and_link_to_a_need(api, p, reader, outsider):
    from tests.alliance.flow import analysed_need

    a, b = give(reader), give(reader, text="灯太暗")
    body = {"action": "categorise", "feedback": [a.pk, b.pk], "theme": "space", "add_tags": ["环境"]}
    assert_error(api().post(f"{API}bulk/", body), 401)
    assert_error(api(outsider).post(f"{API}bulk/", body), 400, field="feedback")
    assert not Feedback.objects.filter(theme="space").exists()
    assert api(p.librarian).post(f"{API}bulk/", body).json() == {"count": 2}
    need = analysed_need(p)
    link = {"action": "link_need", "feedback": [a.pk], "need": need.pk}
    assert api(p.manager).post(f"{API}bulk/", link).json() == {"count": 1}
    assert need.evidence.filter(kind="reader_feedback", reference_id=f"feedback:{a.pk}").exists()


@covers("POST /api/v1/feedback/route/", "anonymous", "unrelated", "member", "manager")
def test_routing_to_the_provider(api, p, reader, outsider):
    project = to_development(p, new_project(p))
    a, b = give(reader), give(reader, text="灯太暗")
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    body = {"feedback": [a.pk], "project": project.pk, "title": "温度", "severity": "low", "due_on": due}
    assert_error(api().post(f"{API}route/", body), 401)
    assert_error(api(outsider).post(f"{API}route/", body), 400)
    assert _status(a.pk) == "new"
    assert api(p.librarian).post(f"{API}route/", body).status_code == 201
    response = api(p.manager).post(f"{API}route/", {**body, "feedback": [b.pk]})
    assert response.status_code == 201 and response.json()["routed"] == 1
    assert _status(a.pk) == _status(b.pk) == "routed"


@covers("GET /api/v1/feedback/insights/", "anonymous", "unrelated", "member", "manager")
def test_insights_for_staff_only(api, fb, staff, staff_manager, outsider, reader):
    assert_error(api().get(f"{API}insights/"), 401)
    assert_error(api(outsider).get(f"{API}insights/"), 403)
    assert_error(api(reader).get(f"{API}insights/"), 403)
    for user in (staff, staff_manager):
        body = api(user).get(f"{API}insights/", {"period": "week"}).json()
        assert body["total"] == 1 and body["satisfaction"][0]["mean_rating"] == 2.0


# --- partners -------------------------------------------------------------------------------------------------------


@covers("GET /api/v1/partner-feedback/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/partner-feedback/{id}/", "anonymous", "unrelated", "member", "manager")
def test_partners_read_routed_feedback_and_never_who_gave_it(api, p, reader, partner_manager, outsider):
    reader.display_name = "王小明"
    reader.save()
    project = to_development(p, new_project(p))
    fb = give(reader, text="识别太慢", consent_contact=True)
    give(reader, text="没有转给厂商的")
    services.feedback_route(
        actor=act(p.librarian), feedback=[fb], project=project, title="识别", severity="low",
        due_on=timezone.localdate() + timedelta(days=3),
    )  # fmt: skip
    base = "/api/v1/partner-feedback/"
    assert_error(api().get(base), 401)
    assert_error(api().get(f"{base}{fb.pk}/"), 401)
    assert ids(api(outsider).get(base)) == set()
    assert_error(api(outsider).get(f"{base}{fb.pk}/"), 404)
    assert ids(api(p.librarian).get(base)) == set()
    secrets = ("王小明", reader.username, reader.email, "****1234", str(reader.reader_profile.pk))
    for user in (p.supplier, partner_manager):
        listed = api(user).get(base)
        assert ids(listed) == {fb.pk}
        detail = api(user).get(f"{base}{fb.pk}/")
        assert detail.json()["text"] == "识别太慢" and detail.json()["correction"]["title"] == "识别"
        for response in (listed, detail):
            raw = response.content.decode()
            assert all(secret not in raw for secret in secrets[:4])
            assert not {"reader", "submitted_by", "consent_contact", "attachment", "channel"} & set(detail.json())
    # Hidden feedback shows no text to partners.
    services.feedback_hide(actor=act(p.librarian), feedback=fb, reason="辱骂")
    assert api(p.supplier).get(f"{base}{fb.pk}/").json()["text"] is None


# --- public needs -----------------------------------------------------------------------------------------------------


@covers("GET /api/v1/public-needs/", "anonymous", "unrelated", "member", "manager")
@covers("POST /api/v1/public-needs/{id}/support/", "anonymous", "unrelated", "member", "manager")
def test_readers_see_and_support_public_needs(api, reader, other_reader, staff, staff_manager, outsider):
    need = give(reader, kind="need", text="多开夜场", is_public=True)
    base = "/api/v1/public-needs/"
    assert_error(api().get(base), 401)
    assert ids(api(outsider).get(base)) == set()
    for user in (staff, staff_manager, other_reader):
        assert ids(api(user).get(base)) == {need.pk}
    assert "reader" not in api(staff).get(base).json()["results"][0]
    support = f"{base}{need.pk}/support/"
    assert_error(api().post(support), 401)
    assert_error(api(outsider).post(support), 404)
    for user in (staff, staff_manager):
        assert_error(api(user).post(support), 403)
    assert not FeedbackSupport.objects.exists()
    body = api(other_reader).post(support).json()
    assert body["support_count"] == 1 and body["supported_by_me"] is True
    assert_error(api(other_reader).post(support), 409)


# --- surveys ------------------------------------------------------------------------------------------------------------

QUESTIONS = [
    {"kind": "rating", "text": "总体满意度"},
    {"kind": "choice", "text": "最常用的区域", "options": ["自习区", "少儿区"]},
    {"kind": "text", "text": "建议", "required": False},
]


@pytest.fixture
def survey(staff, library):
    return services.survey_create(actor=act(staff), library=library, title="满意度调查", questions=QUESTIONS)


@covers("GET /api/v1/surveys/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/surveys/{id}/", "anonymous", "unrelated", "member", "manager")
def test_surveys_are_read_by_staff_and_when_open_by_readers(api, survey, staff, staff_manager, outsider, reader, library):  # fmt: skip
    base = "/api/v1/surveys/"
    for client in (api(), api(outsider), api(reader)):
        assert ids(client.get(base)) == set()
        assert_error(client.get(f"{base}{survey.pk}/"), 404)
    for user in (staff, staff_manager):
        assert ids(api(user).get(base)) == {survey.pk}
        assert len(api(user).get(f"{base}{survey.pk}/").json()["questions"]) == 3
    services.survey_open(actor=act(staff), survey=survey)
    assert ids(api(reader).get(base)) == {survey.pk}
    assert ids(api().get(base)) == set()
    services.policy_set(actor=act(staff_manager), library=library, allow_anonymous=True)
    assert ids(api().get(base)) == {survey.pk}


@covers("POST /api/v1/surveys/", "anonymous", "unrelated", "member", "manager")
def test_staff_build_surveys(api, library, staff, staff_manager, outsider, reader):
    body = {"library": library.pk, "title": "满意度", "questions": QUESTIONS}
    assert_error(api().post("/api/v1/surveys/", body), 401)
    for user in (outsider, reader):
        assert_error(api(user).post("/api/v1/surveys/", body), 403)
    assert not Survey.objects.exists()
    for user in (staff, staff_manager):
        response = api(user).post("/api/v1/surveys/", body)
        assert response.status_code == 201 and response.json()["status"] == "draft"
    bad = {**body, "questions": [{"kind": "choice", "text": "?", "options": ["only one"]}]}
    assert_error(api(staff).post("/api/v1/surveys/", bad), 400)
    assert Survey.objects.count() == 2


@covers("POST /api/v1/surveys/{id}/open/", "anonymous", "unrelated", "member", "manager")
@covers("POST /api/v1/surveys/{id}/close/", "anonymous", "unrelated", "member", "manager")
def test_staff_open_and_close_surveys(api, survey, staff, staff_manager, outsider, library):
    other = services.survey_create(actor=act(staff), library=library, title="第二份", questions=QUESTIONS)
    for op in ("open/", "close/"):
        assert_error(api().post(f"/api/v1/surveys/{survey.pk}/{op}"), 401)
        assert_error(api(outsider).post(f"/api/v1/surveys/{survey.pk}/{op}"), 404)
    assert Survey.objects.get(pk=survey.pk).status == "draft"
    for user, row in ((staff, survey), (staff_manager, other)):
        assert api(user).post(f"/api/v1/surveys/{row.pk}/open/").json()["status"] == "open"
        assert api(user).post(f"/api/v1/surveys/{row.pk}/close/").json()["status"] == "closed"


@covers("POST /api/v1/surveys/{id}/respond/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/surveys/{id}/results/", "anonymous", "unrelated", "member", "manager")
def test_answering_once_and_reading_results(api, survey, staff, staff_manager, outsider, reader):
    services.survey_open(actor=act(staff), survey=survey)
    q1, q2, _q3 = survey.questions.order_by("position").values_list("pk", flat=True)
    respond, results = f"/api/v1/surveys/{survey.pk}/respond/", f"/api/v1/surveys/{survey.pk}/results/"
    body = {"answers": {str(q1): 5, str(q2): "自习区"}}
    assert_error(api().post(respond, body), 404)
    assert_error(api(outsider).post(respond, body), 404)
    assert_error(api(reader).post(respond, {"answers": {str(q1): 9, str(q2): "自习区"}}), 400)
    assert not SurveyResponse.objects.exists()
    assert api(reader).post(respond, body).status_code == 201
    assert_error(api(reader).post(respond, body), 409)
    assert_error(api(staff).post(respond, body), 400, field="respondent")
    assert api(staff).post(respond, {**body, "respondent": "kiosk-1:abc"}).status_code == 201
    assert api(staff_manager).post(respond, {**body, "respondent": "kiosk-1:def"}).status_code == 201
    assert_error(api().get(results), 401)
    assert_error(api(outsider).get(results), 404)
    assert_error(api(reader).get(results), 403)
    for user in (staff, staff_manager):
        first = api(user).get(results).json()[0]
        assert first["count"] == 3 and first["mean"] == 5.0


def test_history_of_a_feedback_shows_staff_what_was_hidden_and_by_whom(api, fb, staff, reader, partner):
    services.feedback_hide(actor=act(staff), feedback=fb, reason="辱骂")
    path = f"/api/v1/history/feedback/feedback/{fb.pk}/"
    entries = api(staff).get(path, HTTP_ACCEPT_LANGUAGE="en").json()
    changed = {c["field"] for entry in entries for c in entry["changes"]}
    assert {"hidden_at", "hidden_by", "hidden_reason"} <= changed
    for user in (reader, partner):
        assert api(user).get(path).status_code == 404


@covers("GET /api/v1/feedback-policies/", "anonymous", "unrelated", "member", "manager")
@covers("POST /api/v1/feedback-policies/", "anonymous", "unrelated", "member", "manager")
def test_managers_set_the_anonymous_policy_and_service_levels(api, library, staff, staff_manager, outsider):
    base = "/api/v1/feedback-policies/"
    body = {
        "library": library.pk,
        "allow_anonymous": True,
        "service_levels": [{"status": "new", "max_hours": 24}, {"status": "triaged", "max_hours": 48}],
    }
    assert_error(api().get(base), 401)
    assert_error(api().post(base, body), 401)
    for user in (outsider, staff):
        assert_error(api(user).post(base, body), 403)
    assert not services.anonymous_allowed(library)
    response = api(staff_manager).post(base, body)
    assert response.status_code == 200, response.content
    assert response.json()["service_levels"] == [{"status": "new", "max_hours": 24}, {"status": "triaged", "max_hours": 48}]  # fmt: skip
    assert ids(api(outsider).get(base)) == set()
    for user in (staff, staff_manager):
        assert [row["allow_anonymous"] for row in api(user).get(base).json()["results"]] == [True]
    body["service_levels"] = [{"status": "new", "max_hours": None}, {"status": "confirmed", "max_hours": 5}]
    assert_error(api(staff_manager).post(base, body), 400)
    assert library.feedback_service_levels.count() == 2  # the refused change left everything as it was

"""The reader portal pages: give feedback, follow it, say whether it is solved, support public needs."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from feedback import services
from feedback.models import Feedback, FeedbackSupport

from .conftest import act, give

pytestmark = pytest.mark.django_db

GIVE = reverse("feedback:give")
MINE = reverse("feedback:my-list")
NEEDS = reverse("feedback:public-needs")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def client():
    """Pages are asserted in English (the msgids) unless a test asks for Chinese."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def login(client, user):
    client.force_login(user)
    return client


def test_anonymous_visitor_is_sent_to_sign_in_when_no_library_accepts_anonymous_feedback(client):
    response = client.get(GIVE)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_anonymous_visitor_gives_feedback_where_the_library_allows_it(client, library, staff_manager):
    services.policy_set(actor=act(staff_manager), library=library, allow_anonymous=True)
    page = client.get(GIVE)
    assert page.status_code == 200
    assert "consent_contact" not in page.content.decode()  # nobody to contact
    response = client.post(GIVE, {"library": library.pk, "kind": "need", "text": "希望延长开放时间"})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.reader is None and feedback.library == library and not feedback.consent_contact


def test_reader_gives_feedback_with_a_photo_and_consent_and_lands_on_its_page(client, reader):
    photo = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    data = {"kind": "complaint", "text": "自习区空调太冷了", "rating": "2", "subject": "三楼自习区"}
    response = login(client, reader).post(GIVE, {**data, "attachment": photo, "consent_contact": "on"})
    feedback = Feedback.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("feedback:my-detail", args=[feedback.pk])
    assert feedback.reader == reader.reader_profile
    assert feedback.rating == 2 and feedback.consent_contact and feedback.attachment
    assert feedback.subject == "三楼自习区"


def test_consent_to_contact_is_never_assumed(client, reader):
    login(client, reader).post(GIVE, {"kind": "praise", "text": "馆员很热情"})
    assert Feedback.objects.get().consent_contact is False


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"kind": "complaint", "text": "   "}, "This field is required."),
        ({"kind": "complaint", "text": "太吵", "rating": "9"}, "Select a valid choice."),
        ({"kind": "gossip", "text": "太吵"}, "Select a valid choice."),
        ({"kind": "praise", "text": "很好", "is_public": "on"}, "Needs only."),
    ],
)
def test_bad_input_re_renders_with_the_error_and_stores_nothing(client, reader, data, error):
    response = login(client, reader).post(GIVE, data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_file_over_10_mb_is_refused_on_the_form(client, reader):
    big = SimpleUploadedFile("photo.png", PNG + b"\x00" * (10 * 1024 * 1024), content_type="image/png")
    response = login(client, reader).post(GIVE, {"kind": "complaint", "text": "看图", "attachment": big})
    assert response.status_code == 200
    assert "The file is larger than 10 MB." in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_file_that_is_not_an_image_or_pdf_is_refused(client, reader):
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00not an image", content_type="image/png")
    response = login(client, reader).post(GIVE, {"kind": "complaint", "text": "看图", "attachment": fake})
    assert "Only PDF, PNG or JPEG files are accepted." in response.content.decode()
    assert not Feedback.objects.exists()


def test_script_tags_in_feedback_are_shown_as_text(client, reader):
    feedback = give(reader, text="<script>alert(1)</script>")
    html = login(client, reader).get(reverse("feedback:my-detail", args=[feedback.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_staff_are_not_served_the_readers_form(client, staff):
    assert login(client, staff).get(GIVE).status_code == 404


def test_my_feedback_lists_only_my_own(client, reader, other_reader):
    give(reader, text="我的反馈")
    give(other_reader, text="别人的反馈")
    html = login(client, reader).get(MINE).content.decode()
    assert "我的反馈" in html and "别人的反馈" not in html


def test_another_readers_feedback_is_404(client, reader, other_reader):
    feedback = give(other_reader)
    assert login(client, reader).get(reverse("feedback:my-detail", args=[feedback.pk])).status_code == 404
    assert client.post(reverse("feedback:my-confirm", args=[feedback.pk])).status_code == 404
    assert Feedback.objects.get().status == "new"


def test_anonymous_is_sent_to_sign_in_for_my_feedback(client, reader):
    feedback = give(reader)
    for url in (MINE, reverse("feedback:my-detail", args=[feedback.pk]), NEEDS):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_reader_sees_the_answer_and_confirms_it_solved_in_one_click(client, reader, staff):
    feedback = give(reader)
    services.feedback_resolve(actor=act(staff), feedback=feedback, answer="已调高温度")
    detail = reverse("feedback:my-detail", args=[feedback.pk])
    html = login(client, reader).get(detail).content.decode()
    assert "已调高温度" in html and reverse("feedback:my-confirm", args=[feedback.pk]) in html
    client.post(reverse("feedback:my-confirm", args=[feedback.pk]))
    feedback.refresh_from_db()
    assert feedback.status == "confirmed"
    assert reverse("feedback:my-confirm", args=[feedback.pk]) not in client.get(detail).content.decode()


def test_reader_says_not_solved_with_a_reason(client, reader, staff):
    feedback = give(reader)
    services.feedback_answer(actor=act(staff), feedback=feedback, answer="已处理")
    login(client, reader).post(reverse("feedback:my-reopen", args=[feedback.pk]), {"reason": "还是很冷"})
    feedback.refresh_from_db()
    assert feedback.status == "reopened" and feedback.reopen_count == 1
    assert feedback.transitions.last().note == "还是很冷"


def test_confirming_before_the_library_answered_shows_why_and_changes_nothing(client, reader):
    feedback = give(reader)
    response = login(client, reader).post(reverse("feedback:my-confirm", args=[feedback.pk]), follow=True)
    assert response.status_code == 200
    assert Feedback.objects.get().status == "new"
    assert list(response.context["messages"])


def test_a_reader_supports_a_public_need_once(client, reader, other_reader):
    need = give(other_reader, text="希望增加电子阅览座位", kind="need", is_public=True)
    login(client, reader)
    html = client.get(NEEDS).content.decode()
    assert "希望增加电子阅览座位" in html
    support = reverse("feedback:public-need-support", args=[need.pk])
    client.post(support)
    client.post(support)
    assert FeedbackSupport.objects.filter(feedback=need).count() == 1
    assert "Supported" in client.get(NEEDS).content.decode()


def test_public_needs_never_name_their_author(client, reader, other_reader):
    other_reader.display_name = "王小明"
    other_reader.save()
    give(other_reader, text="希望增加电子阅览座位", kind="need", is_public=True)
    html = login(client, reader).get(NEEDS).content.decode()
    assert "王小明" not in html


def test_my_feedback_list_query_count_does_not_grow_with_rows(client, reader, count_queries):
    login(client, reader)
    give(reader)
    client.get(MINE)
    with count_queries() as one:
        client.get(MINE)
    for i in range(19):
        give(reader, text=f"反馈 {i}")
    with count_queries() as twenty:
        response = client.get(MINE)
    assert len(response.context["items"]) == 20
    assert len(one) == len(twenty)


@pytest.mark.parametrize(("language", "word"), [("en", "Give feedback"), ("zh-hans", "提交反馈")])
def test_the_form_speaks_both_languages(client, reader, language, word):
    html = login(client, reader).get(GIVE, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert word in html

"""The library's feedback inbox: scoped to the library, filters, search, bulk, export and the moves on one feedback."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from alliance.models import NeedEvidence
from feedback import services
from feedback.models import Feedback
from tests import factories as f
from tests.alliance.flow import analysed_need, new_project, to_development

from .conftest import act, give

pytestmark = pytest.mark.django_db

INBOX = reverse("feedback:inbox")


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def detail(fb):
    return reverse("feedback:staff-detail", args=[fb.pk])


def action(fb, name):
    return reverse("feedback:staff-action", args=[fb.pk, name])


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(INBOX)
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("who", ["reader", "partner", "outsider"])
def test_only_library_staff_have_an_inbox(client, request, who, reader):
    fb = give(reader)
    client.force_login(request.getfixturevalue(who))
    assert client.get(INBOX).status_code == 404
    assert client.get(detail(fb)).status_code == 404
    assert client.post(action(fb, "hide"), {"reason": "x"}).status_code == 404
    assert Feedback.objects.get().hidden_at is None


def test_staff_of_another_library_get_404(client, reader):
    other = f.member_of(f.OrganizationFactory(kind="library"), "manager")
    fb = give(reader)
    client.force_login(other)
    assert client.get(detail(fb)).status_code == 404
    assert "自习区" not in client.get(INBOX).content.decode()


def test_staff_filter_by_state_kind_and_theme(client, staff, reader):
    cold = give(reader, text="空调太冷")
    give(reader, text="馆员很热情", kind="praise")
    services.feedback_categorise(actor=act(staff), feedback=[cold], theme="space", add_tags=["空调"])
    client.force_login(staff)
    html = client.get(INBOX, {"kind": "complaint", "status": "triaged", "theme": "space"}).content.decode()
    assert "空调太冷" in html and "馆员很热情" not in html
    html = client.get(INBOX, {"tag": "空调"}).content.decode()
    assert "空调太冷" in html and "馆员很热情" not in html


def test_chinese_search_finds_a_substring(client, staff, reader):
    give(reader, text="希望周末延长自习室开放时间")
    give(reader, text="停车场太小")
    client.force_login(staff)
    html = client.get(INBOX, {"q": "自习室"}).content.decode()
    assert "延长自习室" in html and "停车场" not in html


def test_bulk_categorise_sets_theme_and_tags(client, staff, reader):
    a, b = give(reader, text="灯太暗"), give(reader, text="座位太少")
    client.force_login(staff)
    client.post(reverse("feedback:inbox-bulk"), {"ids": [a.pk, b.pk], "theme": "space", "add_tags": "环境，座位"})
    for fb in Feedback.objects.all():
        assert fb.theme == "space" and set(fb.tags) == {"环境", "座位"} and fb.status == "triaged"


def test_export_follows_the_filters(client, staff, reader):
    give(reader, text='=HYPERLINK("x")', kind="complaint")
    give(reader, text="谢谢", kind="praise")
    client.force_login(staff)
    csv = client.get(INBOX, {"kind": "complaint", "export": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and "谢谢" not in csv
    xlsx = client.get(INBOX, {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert len(rows) == 3


def test_staff_answer_and_resolve_and_the_reader_is_asked(client, staff, reader):
    fb = give(reader)
    client.force_login(staff)
    client.post(action(fb, "answer"), {"answer": "已调高温度", "resolve": "on"})
    fb.refresh_from_db()
    assert fb.status == "resolved" and fb.answer == "已调高温度"


def test_an_empty_answer_is_refused_and_changes_nothing(client, staff, reader):
    fb = give(reader)
    client.force_login(staff)
    response = client.post(action(fb, "answer"), {"answer": ""}, follow=True)
    assert "This field is required." in response.content.decode()
    fb.refresh_from_db()
    assert fb.status == "new" and fb.answer == ""


def test_staff_see_the_reader_and_script_tags_escaped(client, staff, reader):
    fb = give(reader, text="<script>alert(1)</script>", consent_contact=True)
    client.force_login(staff)
    html = client.get(detail(fb)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert reader.reader_profile.card_number_masked in html


def test_hiding_keeps_the_text_and_the_reason(client, staff, reader):
    fb = give(reader, text="骂人的话")
    client.force_login(staff)
    client.post(action(fb, "hide"), {"reason": "辱骂"})
    fb.refresh_from_db()
    assert fb.hidden_at and fb.hidden_by == staff and fb.hidden_reason == "辱骂" and fb.text == "骂人的话"
    assert "骂人的话" not in client.get(INBOX).content.decode()


def test_similar_feedback_is_suggested_and_merged(client, staff, reader, other_reader):
    primary = give(reader, text="自习区空调太冷了")
    dup = give(other_reader, text="自习区空调太冷了，请调高")
    client.force_login(staff)
    html = client.get(detail(primary)).content.decode()
    assert f'value="{dup.pk}"' in html
    client.post(action(primary, "merge"), {"duplicates": [dup.pk]})
    dup.refresh_from_db()
    assert dup.duplicate_of == primary and dup.status == "resolved"


def test_staff_link_feedback_to_a_need_and_route_it_to_the_provider(client, p, reader):
    need = analysed_need(p)
    project = to_development(p, new_project(p))
    fb = give(reader, text="借还机识别太慢", kind="complaint")
    client.force_login(p.librarian)
    client.post(action(fb, "link-need"), {"need": need.pk})
    assert NeedEvidence.objects.filter(need=need, reference_id=f"feedback:{fb.pk}").exists()
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    client.post(action(fb, "route"), {"project": project.pk, "title": "识别速度", "severity": "medium", "due_on": due})
    fb.refresh_from_db()
    assert fb.status == "routed" and fb.routed_to == p.enterprise and fb.correction is not None


def test_inbox_query_count_does_not_grow_with_rows(client, staff, reader, count_queries):
    client.force_login(staff)
    give(reader)
    client.get(INBOX)
    with count_queries() as one:
        client.get(INBOX)
    for i in range(19):
        give(reader, text=f"反馈 {i}")
    with count_queries() as twenty:
        response = client.get(INBOX)
    assert len(response.context["items"]) == 20
    assert len(one) == len(twenty)


@pytest.mark.parametrize(("language", "word"), [("en", "Feedback inbox"), ("zh-hans", "反馈收件箱")])
def test_the_inbox_speaks_both_languages(client, staff, language, word):
    client.force_login(staff)
    assert word in client.get(INBOX, HTTP_ACCEPT_LANGUAGE=language).content.decode()

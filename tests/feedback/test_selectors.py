"""Scoped reads: who sees which feedback, partners without reader identity, search, duplicates and insight."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from feedback import selectors, services
from feedback.models import Feedback
from tests import factories as f
from tests.alliance.flow import new_project, to_development

from .conftest import act, give


def test_readers_see_their_own_staff_their_librarys_outsiders_nothing(reader, other_reader, staff, outsider, partner):
    mine = give(reader)
    theirs = give(other_reader)
    assert set(selectors.feedback_list_for(act(reader))) == {mine}
    assert set(selectors.feedback_list_for(act(staff))) == {mine, theirs}
    assert not selectors.feedback_list_for(act(outsider)).exists()
    assert not selectors.feedback_list_for(act(partner)).exists()


def test_partners_see_routed_feedback_without_reader_identity(p, reader, outsider):
    project = to_development(p, new_project(p))
    routed = give(reader, text="借还机识别太慢")
    give(reader, text="别的事")
    services.feedback_route(
        actor=act(p.librarian), feedback=[routed], project=project, title="识别", severity="low",
        due_on=timezone.localdate() + timedelta(days=3),
    )  # fmt: skip
    rows = list(selectors.partner_feedback_list_for(act(p.supplier)))
    assert [r.pk for r in rows] == [routed.pk]
    assert {"reader_id", "submitted_by_id", "consent_contact"} <= rows[0].get_deferred_fields()
    assert not selectors.partner_feedback_list_for(act(outsider)).exists()


def test_chinese_search_and_duplicate_suggestions(reader, other_reader, staff):
    a = give(reader, text="希望延长周末开放时间到晚上九点")
    b = give(other_reader, text="希望周末开放时间延长到晚上九点")
    give(reader, text="儿童区玩具需要消毒")
    found = selectors.feedback_search(selectors.feedback_list_for(act(staff)), "开放时间")
    assert {x.pk for x in found} == {a.pk, b.pk}
    assert [x.pk for x in selectors.feedback_similar(a)] == [b.pk]


def test_search_ignores_case_in_english_and_matches_chinese_by_substring(reader, staff, count_queries):
    wifi = give(reader, text="The WiFi on floor 3 drops every hour")
    aircon = give(reader, text="三楼空调太冷", subject="Aircon")
    give(reader, text="儿童区玩具需要消毒")
    staff_list = selectors.feedback_list_for(act(staff))
    assert {x.pk for x in selectors.feedback_search(staff_list, "wifi")} == {wifi.pk}
    assert {x.pk for x in selectors.feedback_search(staff_list, "AIRCON")} == {aircon.pk}
    assert {x.pk for x in selectors.feedback_search(staff_list, "空调")} == {aircon.pk}
    with count_queries() as q:
        list(selectors.feedback_search(staff_list, "空调"))
    chinese = q.captured_queries[-1]["sql"]
    assert "UPPER(" not in chinese  # caseless text: a plain LIKE, no upper-casing of every row


def test_insights_count_answers_confirmations_reopens_and_support(reader, other_reader, staff, library):
    one = give(reader, rating=2)
    services.feedback_answer(actor=act(staff), feedback=one, answer="好")
    services.feedback_confirm(actor=act(reader), feedback=one)
    two = give(reader, rating=4, kind="praise", text="很好")
    services.feedback_answer(actor=act(staff), feedback=two, answer="谢谢")
    services.feedback_reopen(actor=act(reader), feedback=two)
    need = give(reader, kind="need", text="多开夜场", is_public=True)
    services.feedback_support(actor=act(other_reader), feedback=need)
    data = selectors.feedback_insights(act(staff))
    assert data["total"] == 3
    assert data["confirmed_share"] == 0.5  # one confirmed of the two a reader settled
    assert data["reopen_rate"] == 0.5
    assert data["satisfaction"][0]["mean_rating"] == 3.0
    assert data["top_supported_needs"] == [{"id": need.pk, "text": "多开夜场", "support_count": 1}]
    assert data["hours_to_first_answer"] is not None
    assert {(r["kind"], r["count"]) for r in data["volume_by_kind"]} == {("complaint", 1), ("praise", 1), ("need", 1)}
    other_library = f.OrganizationFactory(kind="library")
    assert selectors.feedback_insights(act(staff), library_id=other_library.pk)["total"] == 0


def test_public_needs_show_to_readers_of_the_library_with_support_counts(reader, other_reader):
    need = give(reader, kind="need", text="多开夜场", is_public=True)
    give(reader, kind="need", text="私下", is_public=False)
    services.feedback_support(actor=act(other_reader), feedback=need)
    rows = list(selectors.public_need_list_for(act(other_reader)))
    assert [(r.pk, r.support_count, r.supported_by_me) for r in rows] == [(need.pk, 1, True)]
    stranger = f.ReaderFactory(home_library=f.OrganizationFactory(kind="library")).user
    assert not selectors.public_need_list_for(act(stranger)).exists()
    assert Feedback.objects.count() == 2

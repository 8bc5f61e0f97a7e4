"""The feedback loop driven through its services: submitting, the state table, guards and records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils import timezone
from pghistory.models import Events

from alliance.models import CorrectionRequest, NeedEvidence
from core.exceptions import ConflictError, DomainError, NotAllowed
from feedback import services
from feedback.models import Feedback, FeedbackSupport, FeedbackTransition
from notifications.models import Notification
from stakeholders.access import ANONYMOUS
from tests import factories as f
from tests.alliance.flow import analysed_need, new_project, to_development

from .conftest import act, give

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_reader_gives_feedback_to_their_home_library(reader, library):
    fb = give(reader, rating=2, consent_contact=True)
    assert fb.library == library
    assert fb.reader == reader.reader_profile
    assert fb.status == "new" and fb.rating == 2 and fb.consent_contact
    assert list(fb.transitions.values_list("name", "to_status")) == [("submit", "new")]


@pytest.mark.parametrize("text", ["", "   \n "])
def test_empty_text_is_refused_and_nothing_stored(reader, text):
    with pytest.raises(DomainError) as err:
        give(reader, text=text)
    assert "text" in err.value.fields
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_rating_outside_one_to_five_is_refused(reader, rating):
    with pytest.raises(DomainError) as err:
        give(reader, rating=rating)
    assert "rating" in err.value.fields
    assert not Feedback.objects.exists()


def test_script_tags_are_stored_as_given_and_escaped_when_shown(reader):
    text = '<script>alert("x")</script> 书架太高'
    fb = give(reader, text=text)
    fb.refresh_from_db()
    assert fb.text == text
    shown = Template("{{ fb.text }}").render(Context({"fb": fb}))
    assert "<script>" not in shown and "&lt;script&gt;" in shown


def test_file_is_checked_by_content_and_size(reader):
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    with pytest.raises(DomainError) as err:
        give(reader, attachment=fake)
    assert "attachment" in err.value.fields
    big = SimpleUploadedFile("big.png", PNG, content_type="image/png")
    big.size = 50 * 1024 * 1024
    with pytest.raises(DomainError, match="larger than 10 MB"):
        give(reader, attachment=big)
    assert not Feedback.objects.exists()
    ok = give(reader, attachment=SimpleUploadedFile("photo.png", PNG, content_type="image/png"))
    assert ok.attachment.name.endswith(".png")


def test_anonymous_feedback_only_where_the_library_allows_it(library, staff_manager):
    with pytest.raises(NotAllowed):
        services.feedback_submit(actor=ANONYMOUS, library=library, kind="need", text="多开放一些夜间自习座位")
    services.policy_set(actor=act(staff_manager), library=library, allow_anonymous=True)
    fb = services.feedback_submit(
        actor=ANONYMOUS, library=library, kind="need", text="多开放一些夜间自习座位", consent_contact=True
    )
    assert fb.reader is None and fb.submitted_by is None and not fb.consent_contact


def test_only_managers_set_the_anonymous_policy(library, staff):
    with pytest.raises(NotAllowed):
        services.policy_set(actor=act(staff), library=library, allow_anonymous=True)


def test_library_system_records_feedback_for_its_library(library, staff):
    fb = services.feedback_submit(actor=act(staff), library=library, kind="praise", text="志愿者很热情", rating=5)
    assert fb.channel == "staff" and fb.reader is None


def test_partner_cannot_submit_feedback(partner, library):
    with pytest.raises(NotAllowed):
        services.feedback_submit(actor=act(partner), library=library, kind="need", text="x")


def test_whole_loop_records_every_step_and_tells_the_reader(reader, staff):
    fb = give(reader)
    services.feedback_triage(actor=act(staff), feedback=fb, theme="space", tags=["空调", "自习区"], assignee=staff)
    services.feedback_answer(actor=act(staff), feedback=fb, answer="已调高温度至 24 度")
    services.feedback_resolve(actor=act(staff), feedback=fb)
    fb = services.feedback_reopen(actor=act(reader), feedback=fb, reason="还是冷")
    assert fb.status == "reopened" and fb.reopen_count == 1 and fb.resolved_at is None
    services.feedback_answer(actor=act(staff), feedback=fb, answer="已加装挡风帘")
    services.feedback_resolve(actor=act(staff), feedback=fb)
    fb = services.feedback_confirm(actor=act(reader), feedback=fb)
    assert fb.status == "confirmed" and fb.confirmed_at is not None
    path = list(FeedbackTransition.objects.filter(feedback=fb).order_by("at", "id").values_list("to_status", flat=True))
    assert path == ["new", "triaged", "answered", "resolved", "reopened", "answered", "resolved", "confirmed"]
    assert Notification.objects.filter(recipient=reader, event__startswith="feedback.").count() == 5
    assert Notification.objects.filter(recipient=staff, event="feedback.reopen").count() == 1
    # pghistory keeps every version of the row, status changes included.
    statuses = (
        Events.objects.references(fb)
        .filter(pgh_label__in=["insert", "update"])
        .values_list("pgh_data__status", flat=True)
    )
    assert "reopened" in list(statuses)


def test_only_the_reader_confirms_and_only_after_an_answer(reader, other_reader, staff):
    fb = give(reader)
    with pytest.raises(ConflictError):
        services.feedback_confirm(actor=act(reader), feedback=fb)
    services.feedback_answer(actor=act(staff), feedback=fb, answer="好的")
    with pytest.raises(NotAllowed):
        services.feedback_confirm(actor=act(other_reader), feedback=fb)
    with pytest.raises(NotAllowed):
        services.feedback_confirm(actor=act(staff), feedback=fb)
    assert Feedback.objects.get(pk=fb.pk).status == "answered"


def test_resolving_needs_an_answer(reader, staff):
    fb = give(reader)
    with pytest.raises(ConflictError, match="answer"):
        services.feedback_resolve(actor=act(staff), feedback=fb)
    assert Feedback.objects.get(pk=fb.pk).status == "new"


def test_staff_of_another_library_cannot_triage(reader, outsider):
    fb = give(reader)
    with pytest.raises(NotAllowed):
        services.feedback_triage(actor=act(outsider), feedback=fb, theme="space")
    assert Feedback.objects.get(pk=fb.pk).theme == ""


def test_empty_answer_is_refused(reader, staff):
    fb = give(reader)
    with pytest.raises(DomainError):
        services.feedback_answer(actor=act(staff), feedback=fb, answer="  ")
    assert Feedback.objects.get(pk=fb.pk).status == "new"


def test_readers_support_others_public_needs_once(reader, other_reader, staff):
    need = give(reader, kind="need", text="希望增加电子阅览座位", is_public=True)
    services.feedback_support(actor=act(other_reader), feedback=need)
    with pytest.raises(ConflictError):
        services.feedback_support(actor=act(other_reader), feedback=need)
    with pytest.raises(ConflictError):
        services.feedback_support(actor=act(reader), feedback=need)
    private = give(reader, kind="need", text="私下的建议")
    with pytest.raises(ConflictError):
        services.feedback_support(actor=act(other_reader), feedback=private)
    assert FeedbackSupport.objects.count() == 1


def test_only_needs_can_be_public(reader):
    with pytest.raises(DomainError):
        give(reader, kind="complaint", is_public=True)


def test_hiding_keeps_the_text_and_who_hid_it(reader, staff):
    fb = give(reader, text="骂人的话")
    services.feedback_hide(actor=act(staff), feedback=fb, reason="辱骂")
    fb.refresh_from_db()
    assert fb.text == "骂人的话" and fb.hidden_by == staff and fb.hidden_reason == "辱骂" and fb.hidden_at
    with pytest.raises(ConflictError):
        services.feedback_hide(actor=act(staff), feedback=fb, reason="again")


def test_merge_points_duplicates_at_the_primary_and_moves_supports(reader, other_reader, staff, library):
    third = f.ReaderFactory(home_library=library).user
    primary = give(reader, kind="need", text="希望延长周末开放时间", is_public=True)
    dup = give(other_reader, kind="need", text="周末开放时间希望延长", is_public=True)
    services.feedback_support(actor=act(third), feedback=dup)
    services.feedback_merge(actor=act(staff), primary=primary, duplicates=[dup])
    dup.refresh_from_db()
    assert dup.duplicate_of == primary and dup.status == "resolved" and f"#{primary.pk}" in dup.answer
    assert set(primary.supports.values_list("reader__user", flat=True)) == {third.pk, other_reader.pk}
    with pytest.raises(DomainError):
        services.feedback_merge(actor=act(staff), primary=primary, duplicates=[primary])


def test_bulk_categorise_tags_many_and_triages_new_ones(reader, staff):
    a, b = give(reader), give(reader, text="灯光太暗")
    assert services.feedback_categorise(actor=act(staff), feedback=[a, b], theme="space", add_tags=["环境"]) == 2
    for fb in Feedback.objects.filter(pk__in=[a.pk, b.pk]):
        assert fb.theme == "space" and fb.tags == ["环境"] and fb.status == "triaged"


def test_linking_to_a_need_creates_reader_feedback_evidence(p, reader):
    need = analysed_need(p)
    fb = give(reader, kind="need", text="高峰期自助借还排长队")
    assert services.feedback_link_need(actor=act(p.librarian), feedback=[fb], need=need) == 1
    evidence = NeedEvidence.objects.get(reference_id=f"feedback:{fb.pk}")
    assert evidence.kind == "reader_feedback" and evidence.need == need and "排长队" in evidence.summary
    fb.refresh_from_db()
    assert fb.need == need and fb.status == "triaged"


def test_routing_raises_a_correction_without_the_readers_identity(p, reader):
    project = to_development(p, new_project(p))
    reader.display_name = "王小明"
    reader.save()
    fb = give(reader, text="借还机识别太慢", rating=2)
    correction = services.feedback_route(
        actor=act(p.librarian), feedback=[fb], project=project, title="识别速度", severity="medium",
        due_on=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    assert isinstance(correction, CorrectionRequest)
    assert correction.source == "reader_feedback" and correction.feedback_reference == f"feedback:{fb.pk}"
    assert "借还机识别太慢" in correction.description
    for secret in ("王小明", reader.username, reader.reader_profile.card_number_masked, reader.email):
        assert secret not in correction.description
    fb.refresh_from_db()
    assert fb.status == "routed" and fb.routed_to == p.enterprise and fb.correction == correction


def test_feedback_about_another_alliances_deliverable_is_refused(p, reader, other_org):
    project = to_development(p, new_project(p))
    from alliance import services as alliance_services

    deliverable = alliance_services.deliverable_create(actor=act(p.supplier), project=project, title="自助借还系统")
    foreign = f.OrganizationFactory(kind="library")
    stranger = f.ReaderFactory(home_library=foreign).user
    with pytest.raises(DomainError):
        give(stranger, deliverable=deliverable)
    fb = give(reader, deliverable=deliverable)
    assert fb.project == project

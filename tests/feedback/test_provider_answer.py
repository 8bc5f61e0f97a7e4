"""The provider answers a routed correction request in its portal; the reader's feedback follows on its own.

alliance names the event (alliance.hooks.CORRECTION_ANSWERED); feedback listens from its AppConfig.ready(),
inside the provider's transaction: answered, recorded, the reader told, and nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from pghistory.models import Events

from alliance import hooks
from alliance import services as alliance_services
from core.exceptions import NotAllowed
from feedback import services
from feedback.models import Feedback, FeedbackTransition
from notifications.models import Notification
from tests.alliance.flow import new_project, to_development

from .conftest import act, give


def _routed(p, reader, *texts: str):
    project = to_development(p, new_project(p))
    rows = [give(reader, text=t, rating=2) for t in texts or ("借还机识别太慢",)]
    correction = services.feedback_route(
        actor=act(p.librarian), feedback=rows, project=project, title="识别速度", severity="medium",
        due_on=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    return correction, rows


def test_feedback_listens_to_the_alliance_hook_without_alliance_importing_feedback():
    assert services.feedback_provider_answered in hooks.listeners(hooks.CORRECTION_ANSWERED)
    assert services.feedback_provider_answered in hooks.listeners(hooks.CORRECTION_CLOSED)
    from pathlib import Path

    import alliance.services.delivery as delivery

    assert "feedback" not in Path(delivery.__file__).read_text(encoding="utf-8").split("def ")[0]


def test_the_providers_answer_moves_routed_feedback_to_answered_and_tells_the_reader(p, reader):
    correction, (a, b) = _routed(p, reader, "借还机识别太慢", "借还机经常死机")
    alliance_services.correction_answer(actor=act(p.supplier), correction=correction, answer="已升级识别模块")
    for fb in Feedback.objects.filter(pk__in=[a.pk, b.pk]):
        assert fb.status == "answered" and fb.provider_answer == "已升级识别模块"
        assert fb.provider_answered_at is not None and fb.first_answered_at is not None
        assert fb.answer == ""  # the library's own answer is still the library's to write
        step = fb.transitions.get(name="provider_answer")
        assert (step.from_status, step.to_status, step.actor) == ("routed", "answered", p.supplier)
    told = Notification.objects.filter(recipient=reader, event="feedback.provider_answer")
    assert told.count() == 2 and all(n.body == "已升级识别模块" for n in told)
    assert Events.objects.filter(pgh_label="update", pgh_model="feedback.FeedbackEvent").exists()


def test_the_hook_is_idempotent(p, reader):
    correction, (fb,) = _routed(p, reader)
    alliance_services.correction_answer(actor=act(p.supplier), correction=correction, answer="已升级识别模块")
    correction.refresh_from_db()
    assert services.feedback_provider_answered(correction, actor=act(p.supplier)) == 0
    assert services.feedback_provider_answered(correction, actor=act(p.supplier)) == 0
    assert FeedbackTransition.objects.filter(feedback=fb, name="provider_answer").count() == 1
    assert Notification.objects.filter(recipient=reader, event="feedback.provider_answer").count() == 1


def test_staff_may_add_their_own_answer_and_resolve_the_reader_confirms(p, reader):
    correction, (fb,) = _routed(p, reader)
    alliance_services.correction_answer(actor=act(p.supplier), correction=correction, answer="已升级识别模块")
    services.feedback_resolve(actor=act(p.librarian), feedback=fb, answer="请再试一次，仍有问题请告诉我们")
    fb.refresh_from_db()
    assert fb.status == "resolved" and fb.provider_answer == "已升级识别模块" and "再试一次" in fb.answer
    services.feedback_confirm(actor=act(reader), feedback=fb)
    fb.refresh_from_db()
    assert fb.status == "confirmed"


def test_staff_may_resolve_with_the_providers_answer_alone(p, reader):
    correction, (fb,) = _routed(p, reader)
    alliance_services.correction_answer(actor=act(p.supplier), correction=correction, answer="已升级识别模块")
    services.feedback_resolve(actor=act(p.librarian), feedback=fb)
    fb.refresh_from_db()
    assert fb.status == "resolved"


def test_feedback_the_library_already_answered_keeps_its_state_but_gets_the_text(p, reader):
    correction, (fb,) = _routed(p, reader)
    services.feedback_answer(actor=act(p.librarian), feedback=fb, answer="我们已催促供应商")
    alliance_services.correction_answer(actor=act(p.supplier), correction=correction, answer="已升级识别模块")
    fb.refresh_from_db()
    assert fb.status == "answered" and fb.provider_answer == "已升级识别模块" and fb.answer == "我们已催促供应商"
    assert not fb.transitions.filter(name="provider_answer").exists()


def test_a_failing_listener_rolls_the_providers_answer_back(p, reader):
    correction, (fb,) = _routed(p, reader)

    def broken(correction, *, actor):
        raise RuntimeError("boom")

    hooks.listen(hooks.CORRECTION_ANSWERED, broken)
    try:
        with pytest.raises(RuntimeError):
            alliance_services.correction_answer(actor=act(p.supplier), correction=correction, answer="已升级")
    finally:
        hooks.unlisten(hooks.CORRECTION_ANSWERED, broken)
    correction.refresh_from_db()
    fb.refresh_from_db()
    assert correction.status == "open" and correction.answer == ""
    assert fb.status == "routed" and fb.provider_answer == ""


def test_only_the_routed_provider_makes_the_provider_move(p, reader, other_org):
    _correction, (fb,) = _routed(p, reader)
    fb.provider_answer = "x"
    fb.save()
    from tests import factories as f

    stranger = f.member_of(other_org, "manager")
    with pytest.raises(NotAllowed):
        services.feedback_transition(actor=act(stranger), feedback=fb, name="provider_answer")
    with pytest.raises(NotAllowed):
        services.feedback_transition(actor=act(p.librarian), feedback=fb, name="provider_answer")


def test_the_reader_sees_the_providers_answer_on_their_page_and_in_the_api(p, reader, client, api):
    correction, (fb,) = _routed(p, reader)
    alliance_services.correction_answer(actor=act(p.supplier), correction=correction, answer="已升级识别模块")
    client.force_login(reader)
    page = client.get(f"/feedback/mine/{fb.pk}/").content.decode()
    assert 'id="provider-answer"' in page and "已升级识别模块" in page
    body = api(reader).get(f"/api/v1/feedback/{fb.pk}/").json()
    assert body["provider_answer"] == "已升级识别模块" and body["status"] == "answered"

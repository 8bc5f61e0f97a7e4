"""meeting.scheduled is emitted when a meeting is scheduled and when further organisations are invited."""

from __future__ import annotations

import pytest

from coordination import services
from core import events
from core.exceptions import DomainError
from tests.alliance.flow import act

from .conftest import schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    got: list[events.Event] = []
    events.listen(events.ANY, got.append)
    yield got
    events.unlisten(events.ANY, got.append)


def _scheduled(heard: list[events.Event]) -> list[events.Event]:
    return [e for e in heard if e.name == events.MEETING_SCHEDULED]


def test_scheduling_emits_with_organiser_and_invited_and_ids_only(p, heard):
    meeting = schedule(p, organizations=[p.enterprise], project=None)
    (event,) = _scheduled(heard)
    assert event.obj.pk == meeting.pk
    assert event.organization_ids == {p.library.pk, p.enterprise.pk}
    assert event.data == {
        "meeting": meeting.pk,
        "alliance": p.alliance.pk,
        "project": None,
        "starts_at": meeting.starts_at.isoformat(),
    }


def test_a_series_emits_once_per_meeting(p, heard):
    schedule(p, organizations=[p.enterprise], recurrence="weekly", occurrences=3)
    got = _scheduled(heard)
    assert len(got) == 3 and len({e.data["meeting"] for e in got}) == 3


def test_inviting_new_organisations_emits_again_but_reinviting_does_not(p, heard):
    meeting = schedule(p, organizations=[p.enterprise])
    heard.clear()
    services.meeting_invite(actor=act(p.librarian), meeting=meeting, organizations=[p.university])
    (event,) = _scheduled(heard)
    assert event.organization_ids == {p.library.pk, p.enterprise.pk, p.university.pk}
    heard.clear()
    services.meeting_invite(actor=act(p.librarian), meeting=meeting, organizations=[p.university])
    assert _scheduled(heard) == []


def test_a_refused_schedule_emits_nothing(p, heard):
    with pytest.raises(DomainError):
        schedule(p, place="", online_url="")
    assert _scheduled(heard) == []

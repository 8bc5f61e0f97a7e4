"""The transition table itself: every state is reachable, only confirmation ends the loop."""

from __future__ import annotations

from feedback.choices import FeedbackStatus
from feedback.models import Feedback
from feedback.states import READER, STAFF, TRANSITIONS, allowed


def test_every_state_but_new_is_entered_by_some_move_and_only_confirmed_has_no_exit():
    targets = {move.target for move in TRANSITIONS.values()}
    assert targets == set(FeedbackStatus.values) - {FeedbackStatus.NEW}
    exits = {source for move in TRANSITIONS.values() for source in move.sources}
    assert set(FeedbackStatus.values) - exits == {FeedbackStatus.CONFIRMED}


def test_readers_only_judge_answered_or_resolved_feedback_and_staff_never_do():
    assert {name for name, m in TRANSITIONS.items() if m.by == READER} == {"confirm", "reopen"}
    assert allowed(Feedback(status="resolved"), READER) == ["confirm", "reopen"]
    assert allowed(Feedback(status="new"), READER) == []
    assert "confirm" not in allowed(Feedback(status="resolved"), STAFF)
    assert allowed(Feedback(status="confirmed"), STAFF) == []

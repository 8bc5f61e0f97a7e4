"""The feedback loop as one table: every state, every allowed move, who makes it and what must hold.

new → triaged → routed → answered → resolved → confirmed (by the reader), or reopened (the reader says
"not solved") and round again. Staff may skip steps (answer a simple question straight from "new"), but
only the reader who gave the feedback confirms or reopens it. ``services.feedback_transition`` is the
only writer of ``Feedback.status``: it locks the row, checks this table and the guards, records a
``FeedbackTransition``, restarts the service-level clock and tells the reader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import FeedbackStatus as S
from .models import Feedback

STAFF = "staff"  # writes for the feedback's library
READER = "reader"  # the reader who gave the feedback
PROVIDER = "provider"  # the partner the feedback was routed to, answering its correction request

Guard = Callable[[Feedback], str | None]


def has_answer(feedback: Feedback) -> str | None:
    """The library's answer, or the provider's answer to the correction request, is there to show the reader."""
    if feedback.answer.strip() or feedback.provider_answer.strip():
        return None
    return str(_("Write the library's answer first."))


def has_provider_answer(feedback: Feedback) -> str | None:
    return None if feedback.provider_answer.strip() else str(_("The provider has not answered yet."))


def has_correction(feedback: Feedback) -> str | None:
    return None if feedback.correction_id else str(_("Route it to a project's provider as a correction request."))


def has_reader(feedback: Feedback) -> str | None:
    return None if feedback.reader_id else str(_("Anonymous feedback has no reader to confirm it."))


@dataclass(frozen=True)
class Move:
    sources: tuple[str, ...]
    target: str
    by: str
    label: str | Promise
    guards: tuple[Guard, ...] = ()


OPEN = (S.NEW, S.TRIAGED, S.REOPENED)

TRANSITIONS: dict[str, Move] = {
    "triage": Move(OPEN, S.TRIAGED, STAFF, _("Triage")),
    "route": Move(OPEN, S.ROUTED, STAFF, _("Route to the provider"), (has_correction,)),
    "answer": Move((*OPEN, S.ROUTED, S.ANSWERED), S.ANSWERED, STAFF, _("Answer"), (has_answer,)),
    # The provider answered the correction request in its portal; the reader sees that answer.
    "provider_answer": Move((S.ROUTED,), S.ANSWERED, PROVIDER, _("Provider answered"), (has_provider_answer,)),
    "resolve": Move((*OPEN, S.ROUTED, S.ANSWERED), S.RESOLVED, STAFF, _("Resolve"), (has_answer,)),
    # A duplicate is resolved by pointing the reader at the feedback it was merged into.
    "merge": Move((*OPEN, S.ROUTED, S.ANSWERED), S.RESOLVED, STAFF, _("Merge into another"), (has_answer,)),
    "confirm": Move((S.ANSWERED, S.RESOLVED), S.CONFIRMED, READER, _("Solved"), (has_reader,)),
    "reopen": Move((S.ANSWERED, S.RESOLVED), S.REOPENED, READER, _("Not solved"), (has_reader,)),
}

# No service level runs in these: nothing is left for the library to do.
SETTLED = (S.CONFIRMED,)


def allowed(feedback: Feedback, by: str) -> list[str]:
    """Names of the moves ``by`` (STAFF or READER) could make from the feedback's state (guards aside)."""
    return [name for name, move in TRANSITIONS.items() if feedback.status in move.sources and move.by == by]

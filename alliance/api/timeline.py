"""A project's timeline: every transition, version, trial and correction event, oldest first.

Composed from the scoped selectors only (four queries plus the deliverables' versions), so it shows exactly
what the actor may see of the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from alliance import selectors
from alliance.models import Project
from stakeholders.access import Actor


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str
    event: str
    object_id: int
    title: str
    detail: str = ""


def project_timeline(actor: Actor, project: Project) -> list[Entry]:
    entries: list[Entry] = []
    for t in selectors.project_transitions(project):
        entries.append(Entry(t.at, "transition", t.name, t.pk, f"{t.from_status} → {t.to_status}", t.note))
    for deliverable in selectors.deliverable_list_for(actor, project):
        for v in deliverable.version_list:  # type: ignore[attr-defined]
            entries.append(
                Entry(v.created_at, "version", "uploaded", v.pk, f"{deliverable.title} v{v.number}", v.notes)
            )
    for trial in selectors.trial_list_for(actor, project):
        title = _("Trial of %(version)s") % {"version": trial.version}
        entries.append(Entry(trial.created_at, "trial", "planned", trial.pk, title))
        if trial.started_at:
            entries.append(Entry(trial.started_at, "trial", "started", trial.pk, title))
        if trial.closed_at:
            verdict = "" if trial.met_criteria is None else (_("met") if trial.met_criteria else _("not met"))
            entries.append(Entry(trial.closed_at, "trial", "closed", trial.pk, title, verdict))
    for c in selectors.correction_list_for(actor, project=project):
        entries.append(Entry(c.created_at, "correction", "raised", c.pk, c.title, c.description))
        if c.answered_at:
            entries.append(Entry(c.answered_at, "correction", "answered", c.pk, c.title, c.answer))
        if c.closed_at:
            entries.append(Entry(c.closed_at, "correction", "verified", c.pk, c.title))
    # Stable: at the same moment a transition (listed first) precedes what it set off.
    return sorted(entries, key=lambda e: e.at)

"""Scoped reads and the measures of collaboration insight. Every figure is computed from recorded events.

Who sees insight (``Actor`` from ``stakeholders.access``):
- a library: the alliances it leads or belongs to;
- a government body: the alliances it guides or funds (an active guide or funder member);
- enterprises, universities and research institutes: none. Insight compares the partners with each other
  (their activity, their credibility record); a partner reads its own work on the project pages instead;
- superusers: every alliance.
An alliance outside the scope is a 404, like everything else. The formulas are in docs/insight.md.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.choices import GOVERNMENT_ROLES, ProjectStatus
from alliance.models import (
    Alliance,
    AllianceMember,
    CorrectionRequest,
    Milestone,
    Project,
    Transition,
    Trial,
    TrialResponse,
)
from alliance.models.funding import FundingSource
from alliance.results import OPEN_CORRECTION_STATUSES
from core.exceptions import DomainError
from feedback.models import Feedback
from feedback.selectors import feedback_loop_aggregates, feedback_loop_figures
from risk.choices import RiskLevel, RiskStatus
from risk.models import Mitigation, Risk
from risk.selectors import heat_map
from stakeholders.access import Actor
from stakeholders.choices import OrganizationKind
from stakeholders.models import CredibilityAssessment, Organization

from . import sources
from .choices import ReportStatus
from .models import ReportJob
from .sources import Activity, Period

PARTY_KINDS = [k.value for k in OrganizationKind]
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:Q(?P<quarter>[1-4]))?$")


# --- scope ------------------------------------------------------------------------------------------------------


def insight_alliances(actor: Actor) -> QuerySet[Alliance]:
    """The live alliances whose insight the actor may read (see the module docstring)."""
    qs = Alliance.objects.filter(archived_at__isnull=True)
    if not actor.is_authenticated:
        return qs.none()
    if actor.is_superuser:
        return qs.order_by("name", "id")
    libraries = [m.organization_id for m in actor.memberships if m.organization.kind == OrganizationKind.LIBRARY]
    governments = [m.organization_id for m in actor.memberships if m.organization.kind == OrganizationKind.GOVERNMENT]
    if not libraries and not governments:
        return qs.none()
    member = AllianceMember.objects.active()
    led_or_joined = Q(lead_library_id__in=libraries) | Q(
        pk__in=member.filter(organization_id__in=libraries).values("alliance_id")
    )
    guided = Q(pk__in=member.filter(organization_id__in=governments, role__in=GOVERNMENT_ROLES).values("alliance_id"))
    return qs.filter(led_or_joined | guided).order_by("name", "id")


def may_read_insight(actor: Actor) -> bool:
    """Whether insight is open to the actor at all (libraries, government bodies and superusers)."""
    if actor.is_superuser:
        return True
    return any(
        m.organization.kind in (OrganizationKind.LIBRARY, OrganizationKind.GOVERNMENT) for m in actor.memberships
    )


def report_list_for(actor: Actor) -> QuerySet[ReportJob]:
    """Reports of the alliances the actor reads insight of, requested by any of the actor's organisations."""
    qs = ReportJob.objects.active().select_related("alliance", "requested_by", "requested_for")
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        qs = qs.filter(alliance__in=insight_alliances(actor), requested_for_id__in=actor.organization_ids)
    return qs.order_by("-created_at", "-id")


# --- periods ----------------------------------------------------------------------------------------------------


def period_parse(label: str | None, *, today: date | None = None) -> Period:
    """``2026`` is the year, ``2026Q3`` the quarter; empty is the current year. Bad input is a DomainError."""
    label = (label or "").strip().upper()
    if not label:
        label = str((today or timezone.localdate()).year)
    match = _PERIOD.match(label)
    if match is None or not 2000 <= int(match["year"]) <= 2100:
        raise DomainError(
            _("The period is a year (2026) or a quarter (2026Q3)."),
            fields={"period": [_("A year (2026) or a quarter (2026Q3).")]},
        )
    year = int(match["year"])
    tz = timezone.get_current_timezone()
    if match["quarter"]:
        q = int(match["quarter"])
        start = datetime(year, 3 * q - 2, 1, tzinfo=tz)
        end = datetime(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1, tzinfo=tz)
    else:
        start, end = datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    return Period(start=start, end=end, label=label)


def months_of(period: Period) -> list[str]:
    out, current = [], period.start.date()
    while current < period.end.date():
        out.append(current.isoformat()[:7])
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return out


# --- participation, the network and the synergy index --------------------------------------------------------------


def normalised_entropy(counts: dict[str, int], kinds: int = len(PARTY_KINDS)) -> float | None:
    """Shannon entropy of the shares, divided by ln(kinds): 1 when all kinds contribute equally, 0 when one does."""
    total = sum(counts.values())
    if total == 0:
        return None
    h = -sum((n / total) * math.log(n / total) for n in counts.values() if n > 0)
    return round(h / math.log(kinds), 4)


def pair_density(members: set[int], pairs: set[frozenset[int]]) -> float | None:
    """Interacting pairs among the members over all possible pairs n(n-1)/2."""
    n = len(members)
    if n < 2:
        return None
    inside = [p for p in pairs if p <= members]
    return round(len(inside) / (n * (n - 1) / 2), 4)


def synergy_index(entropy: float | None, density: float | None) -> float | None:
    """The geometric mean of balance (entropy) and connectedness (density); none when either part is unknown."""
    if entropy is None or density is None:
        return None
    return round(math.sqrt(entropy * density), 4)


def _members_by_alliance(alliance_ids: list[int]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    rows = Alliance.objects.filter(pk__in=alliance_ids).values_list("pk", "lead_library_id")
    for alliance_id, lead in rows:
        out[alliance_id].add(lead)
    for alliance_id, org in (
        AllianceMember.objects.active()
        .filter(alliance_id__in=alliance_ids)
        .values_list("alliance_id", "organization_id")
    ):
        out[alliance_id].add(org)
    return out


def participation(activities: list[Activity], members: set[int]) -> dict[str, Any]:
    """Contributions by party kind, what each kind does, which pairs interact, and the synergy index with its parts."""
    by_kind: Counter[str] = Counter(dict.fromkeys(PARTY_KINDS, 0))
    matrix: dict[str, Counter[str]] = {kind: Counter() for kind in PARTY_KINDS}
    by_org: Counter[int] = Counter()
    edges: Counter[frozenset[int]] = Counter()
    for a in activities:
        by_kind[a.organization_kind] += a.count
        matrix.setdefault(a.organization_kind, Counter())[a.kind] += a.count
        by_org[a.organization_id] += a.count
        if a.counterpart_id is not None and a.counterpart_id != a.organization_id:
            edges[frozenset((a.organization_id, a.counterpart_id))] += a.count
    entropy = normalised_entropy(dict(by_kind))
    interacting = {pair for pair in edges if pair <= members}
    density = pair_density(members, interacting)
    total = sum(by_kind.values())
    n = len(members)
    return {
        "total": total,
        "by_kind": [
            {"kind": kind, "count": by_kind[kind], "share": round(by_kind[kind] / total, 4) if total else None}
            for kind in PARTY_KINDS
        ],
        "by_kind_and_activity": {kind: dict(counter) for kind, counter in matrix.items()},
        "by_organization": dict(by_org),
        "edges": [
            {"source": min(pair), "target": max(pair), "weight": weight, "inside": pair <= members}
            for pair, weight in sorted(edges.items(), key=lambda item: (-item[1], sorted(item[0])))
        ],
        "members": n,
        "possible_pairs": n * (n - 1) // 2,
        "interacting_pairs": len(interacting),
        "synergy": {"entropy": entropy, "density": density, "index": synergy_index(entropy, density)},
    }


def synergy_for(alliance_ids: list[int], period: Period) -> dict[int, dict[str, Any]]:
    """Participation per alliance for many alliances at once: the sources' queries, plus two for the members."""
    members = _members_by_alliance(alliance_ids)
    grouped: dict[int, list[Activity]] = defaultdict(list)
    for a in sources.collect(alliance_ids, period):
        grouped[a.alliance_id].append(a)
    return {aid: participation(grouped[aid], members.get(aid, set())) for aid in alliance_ids}


def activity_over_time(activities: list[Activity], period: Period) -> dict[str, Any]:
    months = months_of(period)
    per: dict[str, Counter[str]] = {kind: Counter() for kind in PARTY_KINDS}
    for a in activities:
        per.setdefault(a.organization_kind, Counter())[a.month.isoformat()[:7]] += a.count
    return {"months": months, "series": [{"kind": k, "values": [per[k][m] for m in months]} for k in PARTY_KINDS]}


# --- the loop: rounds, deviations, reader feedback ------------------------------------------------------------------


def _days(later: datetime | date | None, earlier: date | None) -> int | None:
    if later is None or earlier is None:
        return None
    end = timezone.localdate(later) if isinstance(later, datetime) else later
    return max((end - earlier).days, 0)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def loop_health(alliance_ids: list[int], period: Period) -> dict[int, dict[str, Any]]:
    """Per alliance: its projects' loop figures and the alliance's totals (five queries whatever the size).

    - rounds to acceptance: for a project accepted in the period, its trials begun before the acceptance;
    - time per round: days from a version's release to the close of its trial, for trials closed in the period;
    - deviations per version: corrections raised in the period from the version's trials, and those closed in
      the period after being verified in a trial of that version;
    - reader feedback on the project created in the period: the feedback app's own loop figures.
    """
    start, end = period.start, period.end
    projects = list(
        Project.objects.filter(alliance_id__in=alliance_ids, archived_at__isnull=True)
        .order_by("alliance_id", "-created_at", "id")
        .values("id", "alliance_id", "title", "status", "budget")
    )
    accepted = {
        row["project_id"]: row["at"]
        for row in Transition.objects.filter(
            project__alliance_id__in=alliance_ids, to_status=ProjectStatus.ACCEPTED, at__gte=start, at__lt=end
        )
        .order_by()
        .values("project_id")
        .annotate(at=Min("at"))
    }
    trials = list(
        Trial.objects.filter(project__alliance_id__in=alliance_ids, archived_at__isnull=True)
        .order_by("project_id", "created_at", "id")
        .values(
            "project_id", "created_at", "closed_at", "version_id", "version__number", "version__released_on",
            "version__deliverable__title",
        )
    )  # fmt: skip
    opened = dict(
        CorrectionRequest.objects.filter(
            project__alliance_id__in=alliance_ids, archived_at__isnull=True, trial__isnull=False,
            created_at__gte=start, created_at__lt=end,
        )
        .order_by()
        .values("trial__version_id")
        .annotate(n=Count("id"))
        .values_list("trial__version_id", "n")
    )  # fmt: skip
    closed = dict(
        CorrectionRequest.objects.filter(
            project__alliance_id__in=alliance_ids, archived_at__isnull=True, verified_in__isnull=False,
            closed_at__gte=start, closed_at__lt=end,
        )
        .order_by()
        .values("verified_in__version_id")
        .annotate(n=Count("id"))
        .values_list("verified_in__version_id", "n")
    )  # fmt: skip
    extra = {
        "routed": Count("id", filter=Q(routed_to__isnull=False) | Q(correction__isnull=False)),
        "resolved": Count("id", filter=Q(resolved_at__isnull=False)),
    }
    feedback_rows = {
        row["project_id"]: row
        for row in Feedback.objects.filter(
            project__alliance_id__in=alliance_ids, archived_at__isnull=True, created_at__gte=start, created_at__lt=end
        )
        .order_by()
        .values("project_id")
        .annotate(**feedback_loop_aggregates(), **extra)
    }
    trials_by_project: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for t in trials:
        trials_by_project[t["project_id"]].append(t)

    out: dict[int, dict[str, Any]] = {aid: {"projects": [], "totals": {}} for aid in alliance_ids}
    for p in projects:
        rows = trials_by_project.get(p["id"], [])
        accepted_at = accepted.get(p["id"])
        rounds = len([t for t in rows if t["created_at"] <= accepted_at]) if accepted_at else None
        round_days = [
            float(d)
            for t in rows
            if t["closed_at"] is not None and start <= t["closed_at"] < end
            for d in [_days(t["closed_at"], t["version__released_on"])]
            if d is not None
        ]
        versions: dict[int, dict[str, Any]] = {}
        for t in rows:
            vid = t["version_id"]
            versions.setdefault(
                vid,
                {
                    "version": f"{t['version__deliverable__title']} v{t['version__number']}",
                    "opened": opened.get(vid, 0),
                    "closed": 0,
                },
            )
        for vid, n in closed.items():
            if vid in versions:
                versions[vid]["closed"] = n
        fb = feedback_rows.get(p["id"])
        out[p["alliance_id"]]["projects"].append(
            {
                "id": p["id"],
                "title": p["title"],
                "status": p["status"],
                "rounds_to_acceptance": rounds,
                "round_days": round_days,
                "mean_days_per_round": _mean(round_days),
                "deviations_by_version": [v for v in versions.values() if v["opened"] or v["closed"]],
                "feedback": _feedback_block(fb),
            }
        )
    for aid, block in out.items():
        block["totals"] = _loop_totals(
            block["projects"],
            [feedback_rows[p["id"]] for p in projects if p["alliance_id"] == aid and p["id"] in feedback_rows],
        )
    return out


def _feedback_block(row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        row = {"n": 0, "answer_time": None, "resolve_time": None, "settled": 0, "confirmed": 0, "answered": 0,
               "reopened": 0, "routed": 0, "resolved": 0}  # fmt: skip
    return {
        "total": row["n"],
        "routed": row["routed"],
        "answered": row["answered"],
        "resolved": row["resolved"],
        "confirmed": row["confirmed"],
        "reopened": row["reopened"],
        **feedback_loop_figures(row),
    }


def _loop_totals(projects: list[dict[str, Any]], feedback_rows: list[dict[str, Any]]) -> dict[str, Any]:
    rounds = [p["rounds_to_acceptance"] for p in projects if p["rounds_to_acceptance"] is not None]
    days = [d for p in projects for d in p["round_days"]]
    sums: dict[str, Any] = {key: sum(r[key] for r in feedback_rows) for key in
                            ("n", "settled", "confirmed", "answered", "reopened", "routed", "resolved")}  # fmt: skip

    def weighted(key: str, weight: str) -> Any:
        # A mean of per-project means, weighted by how many feedback each one was taken over.
        parts = [(r[key], r[weight]) for r in feedback_rows if r[key] is not None and r[weight]]
        total = sum(w for _v, w in parts)
        return sum((v * w for v, w in parts), start=timedelta(0)) / total if total else None

    sums["answer_time"] = weighted("answer_time", "answered")
    sums["resolve_time"] = weighted("resolve_time", "resolved")
    return {
        "accepted_projects": len(rounds),
        "mean_rounds_to_acceptance": _mean([float(r) for r in rounds]),
        "rounds_closed": len(days),
        "mean_days_per_round": _mean(days),
        "deviations_opened": sum(v["opened"] for p in projects for v in p["deviations_by_version"]),
        "deviations_closed": sum(v["closed"] for p in projects for v in p["deviations_by_version"]),
        "feedback": _feedback_block(sums),
    }


# --- partner record and funding ---------------------------------------------------------------------------------


def credibility_record(alliance_ids: list[int], period: Period) -> dict[int, list[dict[str, Any]]]:
    """Per alliance: each member partner's credibility scores over time, up to the period's end (one query).

    Computed credibility (from contracts kept) will join these rows when that app lands; see docs/insight.md.
    """
    members = _members_by_alliance(alliance_ids)
    all_orgs = set().union(*members.values()) if members else set()
    rows = (
        CredibilityAssessment.objects.filter(
            archived_at__isnull=True, organization_id__in=all_orgs, assessed_on__lt=period.end.date()
        )
        .order_by("organization_id", "assessed_on", "id")
        .values("organization_id", "assessed_on", "score", "assessed_by_id")
    )
    by_org: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_org[row["organization_id"]].append(
            {"on": row["assessed_on"].isoformat(), "score": row["score"], "by": row["assessed_by_id"]}
        )
    out: dict[int, list[dict[str, Any]]] = {}
    for aid in alliance_ids:
        out[aid] = [
            {"organization_id": org, "scores": by_org[org], "latest": by_org[org][-1]["score"]}
            for org in sorted(members.get(aid, set()))
            if by_org.get(org)
        ]
    return out


def funding(alliance_ids: list[int], period: Period) -> dict[int, dict[str, Any]]:
    """Per alliance: the funding sources' rows summed by stage, by project, by funding source and by party.

    Stages: "budgeted" (Project.budget, the plan), "allocated", "released", "spent" (as at the period's end).
    ``by_month`` ("2026-03") holds the dated stages (released, spent), from before the period too: the burn-down.
    By source and by party, "budgeted" is the sources' own amounts (the funder's plan): rows marked
    ``source_plan`` count there only.
    """
    labels = {key: str(label) for key, label in sources.funding_labels().items()}
    out: dict[int, dict[str, Any]] = {
        aid: {"by_stage": {}, "by_project": {}, "by_source": {}, "by_party": {}, "by_month": {}, "sources": labels}
        for aid in alliance_ids
    }
    zero = Decimal("0")
    for row in sources.collect_funding(alliance_ids, period):
        block = out[row.alliance_id]
        keyed: tuple[tuple[str, Any], ...] = (("by_source", row.source_id), ("by_party", row.organization_id))
        if not row.source_plan:
            block["by_stage"][row.stage] = block["by_stage"].get(row.stage, zero) + row.amount
            keyed += (
                ("by_project", row.project_id),
                ("by_month", row.month.isoformat()[:7] if row.month else None),
            )
        for name, key in keyed:
            if key is not None:
                per = block[name].setdefault(key, {})
                per[row.stage] = per.get(row.stage, zero) + row.amount
    return out


def funding_burndown(money: dict[str, Any], period: Period) -> dict[str, Any]:
    """Month by month over the period: released and spent so far (cumulative, from before the period too) and
    what remains of the allocations (allocated as at the period's end minus spent so far)."""
    months = months_of(period)
    allocated = money["by_stage"].get("allocated", Decimal("0"))
    dated = sorted(money["by_month"].items())
    released: list[str] = []
    spent: list[str] = []
    remaining: list[str] = []
    for month in months:
        upto = [stages for key, stages in dated if key <= month]
        r = sum((s.get("released", Decimal("0")) for s in upto), start=Decimal("0"))
        sp = sum((s.get("spent", Decimal("0")) for s in upto), start=Decimal("0"))
        released.append(str(r))
        spent.append(str(sp))
        remaining.append(str(allocated - sp))
    return {"months": months, "allocated": str(allocated), "released": released, "spent": spent, "remaining": remaining}


# --- risks and oversight ----------------------------------------------------------------------------------------


def _live_risks(alliance_ids: list[int]) -> QuerySet[Risk]:
    return Risk.objects.filter(
        register__alliance_id__in=alliance_ids, archived_at__isnull=True, register__archived_at__isnull=True
    ).exclude(status=RiskStatus.CLOSED)


OVERDUE_KINDS = ("corrections", "milestones", "risk_reviews", "mitigations")
OVERDUE_ALLIANCE_PATH = {
    "corrections": "project__alliance_id",
    "milestones": "project__alliance_id",
    "risk_reviews": "register__alliance_id",
    "mitigations": "risk__register__alliance_id",
}
FUND_STAGES = ("budgeted", "allocated", "released", "spent")


def oversight_period(today: date) -> Period:
    """Everything up to today (funds as at today): from 2000 to the end of today."""
    tz = timezone.get_current_timezone()
    end = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return Period(start=datetime(2000, 1, 1, tzinfo=tz), end=end, label=today.isoformat())


def overdue_querysets(alliance_ids: list[int], *, today: date, now: datetime) -> dict[str, QuerySet[Any]]:
    """The overdue items the oversight page counts and its drill-down lists, by kind (one definition for both)."""
    return {
        "corrections": CorrectionRequest.objects.filter(
            project__alliance_id__in=alliance_ids, archived_at__isnull=True,
            status__in=OPEN_CORRECTION_STATUSES, due_on__lt=today,
        ),
        "milestones": Milestone.objects.filter(
            project__alliance_id__in=alliance_ids, archived_at__isnull=True, done_at__isnull=True, due_on__lt=today,
            project__archived_at__isnull=True,
        ),
        "risk_reviews": _live_risks(alliance_ids).filter(next_review_at__lt=now),
        "mitigations": Mitigation.objects.filter(
            risk__in=_live_risks(alliance_ids), archived_at__isnull=True, done_at__isnull=True, due_on__lt=today
        ),
    }  # fmt: skip


def oversight(alliance_ids: list[int], *, today: date | None = None) -> dict[str, Any]:
    """Across alliances: projects by state, live risks by residual level, reader satisfaction, overdue items.

    Eight GROUP BY queries plus the funding sources' whatever the number of alliances; each row carries the
    alliance, and each figure has its list of items (``oversight_items``) for drill-down.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    projects: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for row in (
        Project.objects.filter(alliance_id__in=alliance_ids, archived_at__isnull=True)
        .order_by()
        .values("alliance_id", "status")
        .annotate(n=Count("id"))
    ):
        projects[row["alliance_id"]][row["status"]] = row["n"]
    risks: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for row in (
        _live_risks(alliance_ids).order_by().values("register__alliance_id", "residual_level").annotate(n=Count("id"))
    ):
        risks[row["register__alliance_id"]][row["residual_level"]] = row["n"]
    satisfaction = {
        row["project__alliance_id"]: row
        for row in Feedback.objects.filter(
            project__alliance_id__in=alliance_ids, archived_at__isnull=True, rating__isnull=False
        )
        .order_by()
        .values("project__alliance_id")
        .annotate(n=Count("id"), mean=Avg("rating"))
    }
    trial_satisfaction = {
        row["trial__project__alliance_id"]: row
        for row in TrialResponse.objects.filter(trial__project__alliance_id__in=alliance_ids)
        .order_by()
        .values("trial__project__alliance_id")
        .annotate(n=Count("id"), mean=Avg("satisfaction"))
    }
    overdue = {
        name: _by_alliance(qs, OVERDUE_ALLIANCE_PATH[name])
        for name, qs in overdue_querysets(alliance_ids, today=today, now=now).items()
    }
    money = funding(alliance_ids, oversight_period(today))
    rows = []
    for aid in alliance_ids:
        fb = satisfaction.get(aid)
        tr = trial_satisfaction.get(aid)
        rows.append(
            {
                "alliance_id": aid,
                "projects_by_status": dict(projects[aid]),
                "risks_by_level": {level: risks[aid][level] for level in RiskLevel.values},
                "feedback_rating": {"count": fb["n"], "mean": _round(fb["mean"])} if fb else {"count": 0, "mean": None},
                "trial_satisfaction": {"count": tr["n"], "mean": _round(tr["mean"])}
                if tr
                else {"count": 0, "mean": None},
                "funds": {stage: money[aid]["by_stage"].get(stage, Decimal("0")) for stage in FUND_STAGES},
                "overdue": {name: overdue[name].get(aid, 0) for name in OVERDUE_KINDS},
            }
        )
    return {"alliances": rows, "totals": _oversight_totals(rows)}


def _round(value: Any) -> float | None:
    return round(float(value), 2) if value is not None else None


def _by_alliance(qs: QuerySet[Any], path: str) -> dict[int, int]:
    return dict(qs.order_by().values(path).annotate(n=Count("id")).values_list(path, "n"))


def _oversight_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    projects: Counter[str] = Counter()
    risks: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    rated = [
        (r["feedback_rating"]["mean"], r["feedback_rating"]["count"]) for r in rows if r["feedback_rating"]["count"]
    ]
    funds: dict[str, Decimal] = dict.fromkeys(FUND_STAGES, Decimal("0"))
    for r in rows:
        projects.update(r["projects_by_status"])
        risks.update(r["risks_by_level"])
        overdue.update(r["overdue"])
        for stage in FUND_STAGES:
            funds[stage] += r["funds"][stage]
    n = sum(c for _m, c in rated)
    return {
        "projects_by_status": dict(projects),
        "risks_by_level": {level: risks[level] for level in RiskLevel.values},
        "feedback_rating": {"count": n, "mean": round(sum(m * c for m, c in rated) / n, 2) if n else None},
        "overdue": {name: overdue[name] for name in OVERDUE_KINDS},
        "funds": funds,
    }


# --- one alliance, everything -----------------------------------------------------------------------------------


def alliance_insight(alliance: Alliance, period: Period) -> dict[str, Any]:
    """Every measure of one alliance over the period, as plain data (the page, the API and the report read it)."""
    ids = [alliance.pk]
    activities = sources.collect(ids, period)
    members = _members_by_alliance(ids)[alliance.pk]
    part = participation(activities, members)
    money = funding(ids, period)[alliance.pk]
    org_ids = set(members) | set(part["by_organization"]) | {e[k] for e in part["edges"] for k in ("source", "target")}
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in=org_ids | set(money["by_party"]))}
    source_titles = (
        dict(FundingSource.objects.filter(pk__in=list(money["by_source"])).values_list("pk", "title"))
        if money["by_source"]
        else {}
    )
    loop = loop_health(ids, period)[alliance.pk]
    risks = heat_map(_live_risks(ids))
    titles = {p["id"]: p["title"] for p in loop["projects"]}
    return {
        "alliance": {"id": alliance.pk, "name": alliance.name},
        "period": {
            "label": period.label,
            "start": period.start.date().isoformat(),
            "end": period.end.date().isoformat(),
        },
        "participation": part,
        "activity_over_time": activity_over_time(activities, period),
        "activity_labels": {k: str(v) for k, v in sources.activity_labels().items()},
        "organizations": {
            pk: {"id": pk, "name": o.display_name, "kind": o.kind, "member": pk in members} for pk, o in orgs.items()
        },
        "loop": loop,
        "credibility": credibility_record(ids, period)[alliance.pk],
        "risk_heat_map": {
            "likelihood_labels": [str(x) for x in risks.likelihood_labels],
            "impact_labels": [str(x) for x in risks.impact_labels],
            "inherent": risks.inherent,
            "residual": risks.residual,
        },
        "funding": {
            "by_stage": {k: str(v) for k, v in money["by_stage"].items()},
            "by_project": [
                {"project_id": pid, "title": titles.get(pid, ""), **{k: str(v) for k, v in stages.items()}}
                for pid, stages in money["by_project"].items()
            ],
            "by_source": [
                {"source_id": sid, "title": source_titles.get(sid, ""), **{k: str(v) for k, v in stages.items()}}
                for sid, stages in sorted(money["by_source"].items())
            ],
            "by_party": [
                {
                    "organization_id": oid,
                    "name": orgs[oid].display_name if oid in orgs else "",
                    **{k: str(v) for k, v in stages.items()},
                }
                for oid, stages in sorted(money["by_party"].items())
            ],
            "sources": money["sources"],
            "burndown": funding_burndown(money, period),
        },
    }


def report_progress(job: ReportJob) -> int:
    return 100 if job.status == ReportStatus.DONE else job.progress


__all__ = [
    "alliance_insight",
    "insight_alliances",
    "loop_health",
    "may_read_insight",
    "normalised_entropy",
    "oversight",
    "pair_density",
    "participation",
    "period_parse",
    "report_list_for",
    "synergy_for",
    "synergy_index",
]

"""Trial results computed from reader responses, shared by the cycle's guards and the selectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from .choices import CorrectionStatus, TrialStatus
from .models import CorrectionRequest, Trial

OPEN_CORRECTION_STATUSES = (CorrectionStatus.OPEN, CorrectionStatus.ANSWERED)


@dataclass(frozen=True)
class TrialResult:
    """What readers made of a trialled version, judged against the trial's acceptance criteria."""

    trial_id: int
    response_count: int
    invited_count: int
    mean_satisfaction: Decimal | None
    open_deviations: int
    meets_criteria: bool
    shortfalls: list[str] = field(default_factory=list)


def round_mean(value: float | Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def open_deviation_count(project_id: int) -> int:
    """Correction requests of the project not yet verified as closed."""
    return CorrectionRequest.objects.active().filter(project_id=project_id, status__in=OPEN_CORRECTION_STATUSES).count()


def judge(trial: Trial, *, response_count: int, mean: Decimal | None, open_deviations: int) -> tuple[bool, list[str]]:
    """Does the trial meet its criteria? Returns the verdict and, if not, each shortfall in words."""
    shortfalls = []
    if response_count == 0:
        shortfalls.append(_("no reader has responded to the trial"))
    elif mean is None or mean < trial.min_satisfaction:
        shortfalls.append(
            _("mean satisfaction %(mean)s is below the required %(min)s")
            % {"mean": mean, "min": trial.min_satisfaction}
        )
    if open_deviations > trial.max_open_deviations:
        shortfalls.append(
            _("%(open)d open deviations exceed the allowed %(max)d")
            % {"open": open_deviations, "max": trial.max_open_deviations}
        )
    return not shortfalls, shortfalls


def trial_result(trial: Trial) -> TrialResult:
    """Results of one trial (three queries). A closed trial keeps the open-deviation count it closed with."""
    agg = trial.responses.aggregate(mean=Avg("satisfaction"), count=Count("id"))
    mean = round_mean(agg["mean"])
    if trial.status == TrialStatus.CLOSED and trial.open_deviations_at_close is not None:
        open_deviations = trial.open_deviations_at_close
    else:
        open_deviations = open_deviation_count(trial.project_id)
    meets, shortfalls = judge(trial, response_count=agg["count"], mean=mean, open_deviations=open_deviations)
    return TrialResult(
        trial_id=trial.pk,
        response_count=agg["count"],
        invited_count=trial.invitations.count(),
        mean_satisfaction=mean,
        open_deviations=open_deviations,
        meets_criteria=meets,
        shortfalls=shortfalls,
    )

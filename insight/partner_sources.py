"""Activity and funding sources of the apps built after insight: coordination, contracts, funding.

Registered from ``InsightConfig.ready()`` (insight sits above these apps, so it may import them; they need not
know insight exists). Each source is one GROUP BY query, whatever the number of alliances or events.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from alliance.models.contracts import ContractParty
from alliance.models.funding import Allocation, Expenditure, Tranche, TrancheStatus
from alliance.models.funding import FundingSource as FundingSourceModel
from coordination.choices import MeetingStatus
from coordination.models import Meeting, MeetingAttendee, PlanSignature

from .sources import Activity, FundingRow, Period, _month, _provider_of, _rows, register_funding_source, register_source

# --- coordination ----------------------------------------------------------------------------------------------


def meetings_organised(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Meetings that took place (not cancelled), by the organising organisation (no counterpart)."""
    return _rows(
        Meeting.objects.filter(alliance_id__in=alliance_ids, archived_at__isnull=True).exclude(
            status=MeetingStatus.CANCELLED
        ),
        kind="meeting_organised",
        when="starts_at",
        alliance="alliance_id",
        organization="organizer_id",
        organization_kind="organizer__kind",
        counterpart=None,
        period=period,
    )


def meetings_attended(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Meetings attended: each attending organisation towards the organiser, once per meeting (not per person)."""
    return _rows(
        MeetingAttendee.objects.filter(
            attended=True, meeting__alliance_id__in=alliance_ids, meeting__archived_at__isnull=True
        ).exclude(meeting__status=MeetingStatus.CANCELLED),
        kind="meeting_attended",
        when="meeting__starts_at",
        alliance="meeting__alliance_id",
        organization="organization_id",
        organization_kind="organization__kind",
        counterpart="meeting__organizer_id",
        period=period,
        count="meeting_id",
    )


def plan_signatures(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Research plan signatures: the signing organisation towards the plan's lead organisation."""
    return _rows(
        PlanSignature.objects.filter(plan__alliance_id__in=alliance_ids, plan__archived_at__isnull=True),
        kind="plan_signed",
        when="signed_at",
        alliance="plan__alliance_id",
        organization="organization_id",
        organization_kind="organization__kind",
        counterpart="plan__lead_organization_id",
        period=period,
    )


# --- contracts -------------------------------------------------------------------------------------------------


def contract_signatures(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Contract signatures: the signing party towards the contract's first other party."""
    other = Subquery(
        ContractParty.objects.filter(contract_id=OuterRef("contract_id"))
        .exclude(organization_id=OuterRef("organization_id"))
        .order_by("id")
        .values("organization_id")[:1]
    )
    return _rows(
        ContractParty.objects.filter(
            contract__alliance_id__in=alliance_ids, contract__archived_at__isnull=True, signed_at__isnull=False
        ).annotate(other_id=other),
        kind="contract_signed",
        when="signed_at",
        alliance="contract__alliance_id",
        organization="organization_id",
        organization_kind="organization__kind",
        counterpart="other_id",
        period=period,
    )


# --- funding ---------------------------------------------------------------------------------------------------


def tranche_releases(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Tranches released: the funder towards the project's provider (or the lead library when none)."""
    qs = Tranche.objects.filter(
        status=TrancheStatus.RELEASED,
        archived_at__isnull=True,
        allocation__source__alliance_id__in=alliance_ids,
    ).annotate(
        receiver_id=Coalesce(
            _provider_of("allocation__project_id"),
            F("allocation__project__alliance__lead_library_id"),
            output_field=BigIntegerField(),
        )
    )
    return _rows(
        qs,
        kind="tranche_released",
        when="released_at",
        alliance="allocation__source__alliance_id",
        organization="allocation__source__organization_id",
        organization_kind="allocation__source__organization__kind",
        counterpart="receiver_id",
        period=period,
    )


def expenditures(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Expenditures recorded: the spending party towards the funder whose allocation paid."""
    return _rows(
        Expenditure.objects.filter(archived_at__isnull=True, allocation__source__alliance_id__in=alliance_ids),
        kind="expenditure",
        when="spent_on",
        alliance="allocation__source__alliance_id",
        organization="organization_id",
        organization_kind="organization__kind",
        counterpart="allocation__source__organization_id",
        period=period,
    )


def funding_records(alliance_ids: list[int], period: Period) -> list[FundingRow]:
    """Each source's plan (its amount), allocated, released and spent, as at the period's end (four queries).

    Allocated: allocations funded from before the end; released: tranches released before the end; spent:
    expenditures spent before the end. Allocated and released are the funder's; spent is the spending party's.
    """
    end = period.end
    rows: list[FundingRow] = [
        FundingRow(
            alliance_id=source["alliance_id"],
            project_id=None,
            organization_id=source["organization_id"],
            stage="budgeted",
            amount=source["amount"],
            month=None,
            source_id=source["id"],
            source_plan=True,
        )
        for source in FundingSourceModel.objects.filter(
            archived_at__isnull=True, alliance_id__in=alliance_ids, starts_on__lt=end.date()
        ).values("id", "alliance_id", "organization_id", "amount")
    ]

    def add(qs: Any, stage: str, alliance: str, project: str, source: str, org: str, month: str | None) -> None:
        values: dict[str, Any] = {"a": F(alliance), "p": F(project), "s": F(source), "o": F(org)}
        if month:
            values["m"] = TruncMonth(month)
        grouped = qs.order_by().annotate(**values).values(*values).annotate(total=Sum("amount"))
        for row in grouped:
            rows.append(
                FundingRow(
                    alliance_id=row["a"],
                    project_id=row["p"],
                    organization_id=row["o"],
                    stage=stage,
                    amount=row["total"] or Decimal("0"),
                    month=_month(row["m"]) if row.get("m") else None,
                    source_id=row["s"],
                )
            )

    add(
        Allocation.objects.filter(
            archived_at__isnull=True, source__alliance_id__in=alliance_ids, starts_on__lt=end.date()
        ),
        "allocated", "source__alliance_id", "project_id", "source_id", "source__organization_id", None,
    )  # fmt: skip
    add(
        Tranche.objects.filter(
            archived_at__isnull=True,
            status=TrancheStatus.RELEASED,
            allocation__source__alliance_id__in=alliance_ids,
            released_at__lt=end,
        ),
        "released", "allocation__source__alliance_id", "allocation__project_id", "allocation__source_id",
        "allocation__source__organization_id", "released_at",
    )  # fmt: skip
    add(
        Expenditure.objects.filter(
            archived_at__isnull=True, allocation__source__alliance_id__in=alliance_ids, spent_on__lt=end.date()
        ),
        "spent", "allocation__source__alliance_id", "project_id", "allocation__source_id", "organization_id",
        "spent_on",
    )  # fmt: skip
    return rows


def register() -> None:
    register_source("meeting_organised", meetings_organised, _("Meetings organised"))
    register_source("meeting_attended", meetings_attended, _("Meetings attended"))
    register_source("plan_signed", plan_signatures, _("Research plan signatures"))
    register_source("contract_signed", contract_signatures, _("Contract signatures"))
    register_source("tranche_released", tranche_releases, _("Tranches released"))
    register_source("expenditure", expenditures, _("Expenditures"))
    register_funding_source("funding_records", funding_records, _("Allocations, tranches and expenditures"))

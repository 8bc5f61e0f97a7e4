"""The period report of an alliance as an XLSX workbook: one sheet per measure, figures as numbers.

The printable page (``insight:report-print``) shows the same ``alliance_insight`` data; the workbook is
built by the ``generate_report`` task, which records progress between sheets.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from alliance.choices import ProjectStatus
from alliance.models import Alliance
from stakeholders.choices import OrganizationKind

from .selectors import alliance_insight, period_parse

# Sheet titles are fixed ASCII keys so that programs reading the workbook find them in either language.
SHEETS = ("Summary", "Participation", "Activities", "Network", "Loop", "Deviations", "Feedback", "Credibility",
          "Risks", "Funding", "Burndown")  # fmt: skip


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return value


def _sheet(workbook: Workbook, title: str, header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> None:
    sheet = workbook.create_sheet(title=title)
    sheet.append([str(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(v) for v in row])
    sheet.column_dimensions["A"].width = 32


def build_report_xlsx(alliance: Alliance, period: str, *, progress: Callable[[int], None] | None = None) -> bytes:
    data = alliance_insight(alliance, period_parse(period))
    step = progress or (lambda _p: None)
    step(30)
    kinds = dict(OrganizationKind.choices)
    statuses = dict(ProjectStatus.choices)
    labels = data["activity_labels"]
    orgs = data["organizations"]
    part = data["participation"]
    syn = part["synergy"]
    loop = data["loop"]
    totals = loop["totals"]
    fb = totals["feedback"]

    def org_name(pk: int | None) -> str:
        return orgs[pk]["name"] if pk in orgs else str(pk)

    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb, "Summary", [_("Measure"), _("Value")],
        [
            [_("Alliance"), data["alliance"]["name"]],
            [_("Period"), data["period"]["label"]],
            [_("Synergy index"), syn["index"]],
            [_("Balance across party kinds (normalised entropy)"), syn["entropy"]],
            [_("Density of interacting pairs"), syn["density"]],
            [_("Member organisations"), part["members"]],
            [_("Interacting pairs"), part["interacting_pairs"]],
            [_("Possible pairs"), part["possible_pairs"]],
            [_("Recorded activities"), part["total"]],
            [_("Projects accepted"), totals["accepted_projects"]],
            [_("Mean rounds to acceptance"), totals["mean_rounds_to_acceptance"]],
            [_("Mean days per round"), totals["mean_days_per_round"]],
            [_("Deviations opened"), totals["deviations_opened"]],
            [_("Deviations closed"), totals["deviations_closed"]],
            [_("Reader feedback"), fb["total"]],
            [_("Share answered"), fb["answered_share"]],
            [_("Share confirmed solved"), fb["confirmed_share"]],
            [_("Reopen rate"), fb["reopen_rate"]],
            [_("Hours to first answer"), fb["hours_to_first_answer"]],
            [_("Hours to resolution"), fb["hours_to_resolution"]],
        ],
    )  # fmt: skip
    _sheet(
        wb, "Participation", [_("Party kind"), _("Activities"), _("Share")],
        [[str(kinds.get(r["kind"], r["kind"])), r["count"], r["share"]] for r in part["by_kind"]],
    )  # fmt: skip
    _sheet(
        wb, "Activities", [_("Party kind"), _("Activity"), _("Count")],
        [
            [str(kinds.get(kind, kind)), labels.get(activity, activity), n]
            for kind, per in part["by_kind_and_activity"].items()
            for activity, n in sorted(per.items())
        ],
    )  # fmt: skip
    step(50)
    _sheet(
        wb, "Network", [_("Organisation"), _("Organisation"), _("Interactions"), _("Both members")],
        [[org_name(e["source"]), org_name(e["target"]), e["weight"], e["inside"]] for e in part["edges"]],
    )  # fmt: skip
    _sheet(
        wb, "Loop", [_("Project"), _("Status"), _("Rounds to acceptance"), _("Mean days per round"),
                     _("Rounds closed in the period")],
        [
            [p["title"], str(statuses.get(p["status"], p["status"])), p["rounds_to_acceptance"],
             p["mean_days_per_round"], len(p["round_days"])]
            for p in loop["projects"]
        ],
    )  # fmt: skip
    _sheet(
        wb, "Deviations", [_("Project"), _("Version"), _("Opened"), _("Closed")],
        [[p["title"], v["version"], v["opened"], v["closed"]] for p in loop["projects"] for v in p["deviations_by_version"]],
    )  # fmt: skip
    step(70)
    _sheet(
        wb, "Feedback", [_("Project"), _("Feedback"), _("Routed"), _("Answered"), _("Resolved"), _("Confirmed"),
                         _("Reopened"), _("Share answered"), _("Share confirmed solved"), _("Hours to first answer"),
                         _("Hours to resolution")],
        [
            [p["title"], f["total"], f["routed"], f["answered"], f["resolved"], f["confirmed"], f["reopened"],
             f["answered_share"], f["confirmed_share"], f["hours_to_first_answer"], f["hours_to_resolution"]]
            for p in loop["projects"]
            for f in [p["feedback"]]
        ],
    )  # fmt: skip
    _sheet(
        wb, "Credibility", [_("Organisation"), _("Assessed on"), _("Score")],
        [[org_name(c["organization_id"]), s["on"], s["score"]] for c in data["credibility"] for s in c["scores"]],
    )  # fmt: skip
    heat = data["risk_heat_map"]
    _sheet(
        wb, "Risks", [_("Likelihood") + " \\ " + _("Impact"), *heat["impact_labels"]],
        [[heat["likelihood_labels"][i], *heat["residual"][i]] for i in range(len(heat["residual"]))],
    )  # fmt: skip
    titles = {p["id"]: p["title"] for p in loop["projects"]}
    money = data["funding"]
    _sheet(
        wb, "Funding", [_("Project"), _("Stage"), _("Amount (CNY)")],
        [
            [titles.get(row["project_id"], row["project_id"]), stage, float(amount)]
            for row in money["by_project"]
            for stage, amount in row.items()
            if stage not in ("project_id", "title")
        ],
    )  # fmt: skip
    burn = money["burndown"]
    _sheet(
        wb, "Burndown", [_("Month"), _("Allocated, not yet spent"), _("Released (cumulative)"), _("Spent (cumulative)")],
        [
            [month, float(burn["remaining"][i]), float(burn["released"][i]), float(burn["spent"][i])]
            for i, month in enumerate(burn["months"])
        ],
    )  # fmt: skip
    step(90)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

"""Models of the co-construction cycle, one module per topic."""

from .alliances import (
    Alliance,
    AllianceGroupObjectPermission,
    AllianceMember,
    AllianceUserObjectPermission,
    PartnerInvitation,
)
from .delivery import (
    CorrectionRequest,
    Deliverable,
    DeliverableVersion,
    Trial,
    TrialInvitation,
    TrialResponse,
)
from .funding import (
    Allocation,
    Expenditure,
    ExpenditureCategory,
    FinancialReport,
    FundingKind,
    FundingSource,
    ReportCadence,
    Tranche,
    TrancheStatus,
)
from .guidance import GuidanceDocument, Policy, ProjectStandard, Standard
from .needs import Need, NeedEvidence
from .projects import (
    Milestone,
    Project,
    ProjectGroupObjectPermission,
    ProjectNeed,
    ProjectParticipant,
    ProjectUserObjectPermission,
    Signoff,
    Transition,
)
from .training import TrainingAttendance, TrainingEnrolment, TrainingProgram, TrainingSession

__all__ = [
    "Alliance",
    "AllianceGroupObjectPermission",
    "AllianceMember",
    "AllianceUserObjectPermission",
    "Allocation",
    "CorrectionRequest",
    "Deliverable",
    "DeliverableVersion",
    "Expenditure",
    "ExpenditureCategory",
    "FinancialReport",
    "FundingKind",
    "FundingSource",
    "GuidanceDocument",
    "Milestone",
    "Need",
    "NeedEvidence",
    "PartnerInvitation",
    "Policy",
    "Project",
    "ProjectGroupObjectPermission",
    "ProjectNeed",
    "ProjectParticipant",
    "ProjectStandard",
    "ProjectUserObjectPermission",
    "ReportCadence",
    "Signoff",
    "Standard",
    "TrainingAttendance",
    "TrainingEnrolment",
    "TrainingProgram",
    "TrainingSession",
    "Tranche",
    "TrancheStatus",
    "Transition",
    "Trial",
    "TrialInvitation",
    "TrialResponse",
]

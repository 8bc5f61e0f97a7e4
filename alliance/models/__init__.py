"""Models of the co-construction cycle, one module per topic."""

from .alliances import (
    Alliance,
    AllianceGroupObjectPermission,
    AllianceMember,
    AllianceUserObjectPermission,
    PartnerInvitation,
)
from .contracts import (
    Contract,
    ContractDocument,
    ContractGroupObjectPermission,
    ContractParty,
    ContractReminder,
    ContractUserObjectPermission,
    IPAsset,
    IPShare,
)
from .delivery import (
    CorrectionRequest,
    Deliverable,
    DeliverableVersion,
    Trial,
    TrialInvitation,
    TrialResponse,
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
    "Contract",
    "ContractDocument",
    "ContractGroupObjectPermission",
    "ContractParty",
    "ContractReminder",
    "ContractUserObjectPermission",
    "CorrectionRequest",
    "Deliverable",
    "DeliverableVersion",
    "GuidanceDocument",
    "IPAsset",
    "IPShare",
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
    "Signoff",
    "Standard",
    "TrainingAttendance",
    "TrainingEnrolment",
    "TrainingProgram",
    "TrainingSession",
    "Transition",
    "Trial",
    "TrialInvitation",
    "TrialResponse",
]

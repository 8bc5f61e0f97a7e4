from django.urls import path
from rest_framework.routers import DefaultRouter

from . import contracts, funding, views

router = DefaultRouter(trailing_slash=True)
router.register("alliances", views.AllianceViewSet, basename="api-alliance")
router.register("alliance-members", views.AllianceMemberViewSet, basename="api-alliance-member")
router.register("partner-invitations", views.PartnerInvitationViewSet, basename="api-partner-invitation")
router.register("needs", views.NeedViewSet, basename="api-need")
router.register("projects", views.ProjectViewSet, basename="api-project")
router.register("milestones", views.MilestoneViewSet, basename="api-milestone")
router.register("deliverables", views.DeliverableViewSet, basename="api-deliverable")
router.register("trials", views.TrialViewSet, basename="api-trial")
router.register("corrections", views.CorrectionViewSet, basename="api-correction")
router.register("training-programs", views.TrainingProgramViewSet, basename="api-training-program")
router.register("training-enrolments", views.TrainingEnrolmentViewSet, basename="api-training-enrolment")
router.register("guidance", views.GuidanceViewSet, basename="api-guidance")
router.register("compliance", views.ComplianceViewSet, basename="api-compliance")
router.register("funding-sources", funding.FundingSourceViewSet, basename="api-funding-source")
router.register("funding-allocations", funding.AllocationViewSet, basename="api-funding-allocation")
router.register("tranches", funding.TrancheViewSet, basename="api-tranche")
router.register("expenditures", funding.ExpenditureViewSet, basename="api-expenditure")
router.register("financial-reports", funding.FinancialReportViewSet, basename="api-financial-report")
router.register("contracts", contracts.ContractViewSet, basename="api-contract")
router.register("ip-assets", contracts.IPAssetViewSet, basename="api-ip-asset")
router.register("credibility", contracts.CredibilityViewSet, basename="api-credibility")

urlpatterns = [
    *router.urls,
    path("funding-burn-down/", funding.BurnDownView.as_view(), name="api-funding-burn-down"),
]

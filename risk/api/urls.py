from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.register("risk-registers", views.RegisterViewSet, basename="api-risk-register")
router.register("risk-templates", views.TemplateViewSet, basename="api-risk-template")
router.register("risks", views.RiskViewSet, basename="api-risk")
router.register("risk-mitigations", views.MitigationViewSet, basename="api-risk-mitigation")
router.register("risk-emergency-plans", views.EmergencyPlanViewSet, basename="api-risk-emergency-plan")
router.register("risk-acceptances", views.AcceptanceViewSet, basename="api-risk-acceptance")
router.register("risk-reviews", views.ReviewViewSet, basename="api-risk-review")
router.register("risk-incidents", views.IncidentViewSet, basename="api-risk-incident")
router.register("risk-preassessments", views.PreAssessmentViewSet, basename="api-risk-preassessment")

urlpatterns = router.urls

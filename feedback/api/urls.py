from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.register("feedback", views.FeedbackViewSet, basename="api-feedback")
router.register("partner-feedback", views.PartnerFeedbackViewSet, basename="api-partner-feedback")
router.register("public-needs", views.PublicNeedViewSet, basename="api-public-need")
router.register("surveys", views.SurveyViewSet, basename="api-survey")
router.register("feedback-policies", views.PolicyViewSet, basename="api-feedback-policy")

urlpatterns = router.urls

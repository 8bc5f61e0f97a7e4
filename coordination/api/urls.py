from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.register("coordination/meetings", views.MeetingViewSet, basename="api-coordination-meeting")
router.register("coordination/action-items", views.ActionItemViewSet, basename="api-coordination-action-item")
router.register("coordination/research-plans", views.ResearchPlanViewSet, basename="api-coordination-research-plan")

urlpatterns = router.urls

from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("alliances", views.AllianceInsightViewSet, basename="api-insight-alliance")
router.register("oversight", views.OversightViewSet, basename="api-insight-oversight")
router.register("reports", views.ReportViewSet, basename="api-insight-report")

urlpatterns = router.urls

from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.register("community/threads", views.ThreadViewSet, basename="api-community-thread")
router.register("community/acknowledgements", views.AcknowledgementViewSet, basename="api-community-acknowledgement")

urlpatterns = router.urls

from rest_framework.routers import DefaultRouter

from .views import DeliveryViewSet, NotificationViewSet, PreferenceViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("notifications", NotificationViewSet, basename="api-notification")
router.register("notification-preferences", PreferenceViewSet, basename="api-notification-preference")
router.register("notification-deliveries", DeliveryViewSet, basename="api-notification-delivery")
urlpatterns = router.urls

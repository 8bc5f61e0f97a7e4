from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.register("webhooks/subscriptions", views.SubscriptionViewSet, basename="api-webhook-subscription")
router.register("webhooks/deliveries", views.DeliveryViewSet, basename="api-webhook-delivery")

urlpatterns = router.urls

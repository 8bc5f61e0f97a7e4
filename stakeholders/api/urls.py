from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views
from .privacy import ReaderDataAccessViewSet
from .schema import ApiTokenScheme

# drf-spectacular registers an extension when its class is defined; naming it keeps the import.
__all__ = ["ApiTokenScheme", "urlpatterns"]

router = DefaultRouter(trailing_slash=True)
router.register("organizations", views.OrganizationViewSet, basename="api-organization")
router.register("memberships", views.MembershipViewSet, basename="api-membership")
router.register("invitations", views.InvitationViewSet, basename="api-invitation")
router.register("capabilities", views.CapabilityViewSet, basename="api-capability")
router.register("assessments", views.AssessmentViewSet, basename="api-assessment")
router.register("readers", views.ReaderViewSet, basename="api-reader")
router.register("tokens", views.TokenViewSet, basename="api-token")
router.register("reader-data-access", ReaderDataAccessViewSet, basename="api-reader-data-access")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("me/switch/", views.MeSwitchView.as_view(), name="api-me-switch"),
    *router.urls,
]

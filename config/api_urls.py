"""/api/v1/: every app's router in one place."""

from django.urls import include, path

urlpatterns = [
    path("", include("stakeholders.api.urls")),
    path("", include("notifications.api.urls")),
]

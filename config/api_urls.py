"""/api/v1/: every app's router in one place."""

from django.urls import include, path

from core.history_views import HistoryView

urlpatterns = [
    path("", include("stakeholders.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("feedback.api.urls")),
    path("", include("risk.api.urls")),
    path("", include("alliance.api.urls")),
    path("", include("community.api.urls")),
    path("", include("webhooks.api.urls")),
    path("insight/", include("insight.api.urls")),
    path("", include("coordination.api.urls")),
    path("history/<str:app_label>/<str:model>/<str:pk>/", HistoryView.as_view(), name="history"),
]

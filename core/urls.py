from django.urls import path

from . import history_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("history/<str:app_label>/<str:model>/<str:pk>/", history_views.history_page, name="history"),
]

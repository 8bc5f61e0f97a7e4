from django.urls import path

from . import views

app_name = "insight"

urlpatterns = [
    path("", views.home, name="home"),
    path("alliances/<int:pk>/", views.alliance_detail, name="alliance-detail"),
    path("alliances/<int:pk>/report/", views.report_print, name="report-print"),
    path("alliances/<int:pk>/reports/", views.report_request, name="report-request"),
    path("oversight/", views.oversight_page, name="oversight"),
    path("oversight/<slug:figure>/", views.oversight_items, name="oversight-items"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/download/", views.report_download, name="report-download"),
]

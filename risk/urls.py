from django.urls import path

from . import views

app_name = "risk"

urlpatterns = [
    path("", views.register_list, name="register-list"),
    path("registers/<int:pk>/", views.register_detail, name="register-detail"),
    path("risks/<int:pk>/", views.risk_detail, name="risk-detail"),
]

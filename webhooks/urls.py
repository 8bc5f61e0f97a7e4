from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.subscription_list, name="subscription-list"),
    path("<int:pk>/", views.subscription_detail, name="subscription-detail"),
    path("<int:pk>/action/", views.subscription_action, name="subscription-action"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery-retry"),
]

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("bell/", views.bell, name="bell"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("read-all/", views.mark_all_read, name="read-all"),
    path("preferences/", views.preferences, name="preferences"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery-retry"),
]

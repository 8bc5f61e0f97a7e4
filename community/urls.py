from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("", views.thread_list, name="thread-list"),
    path("threads/<int:pk>/", views.thread_detail, name="thread-detail"),
    path("threads/<int:pk>/follow/", views.thread_follow, name="thread-follow"),
    path("threads/<int:pk>/hide/", views.post_hide, name="post-hide"),
    path("acknowledgements/", views.acknowledgement_list, name="acknowledgement-list"),
    path("acknowledgements/documents/<int:pk>/", views.acknowledgement_document, name="acknowledgement-document"),
    path("acknowledgements/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]

from django.urls import path

from . import views

app_name = "stakeholders"
urlpatterns = [
    path("", views.organization_list, name="organization-list"),
    path("<int:pk>/", views.organization_detail, name="organization-detail"),
    path("capabilities/", views.capability_list, name="capability-list"),
    path("switch/", views.switch_organization, name="switch-organization"),
    path("me/", views.me, name="me"),
    path("tokens/", views.token_list, name="token-list"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
]

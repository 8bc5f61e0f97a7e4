from django.urls import path

from . import privacy_views, views

app_name = "stakeholders"
urlpatterns = [
    path("", views.organization_list, name="organization-list"),
    path("new/", views.organization_create, name="organization-create"),
    path("<int:pk>/", views.organization_detail, name="organization-detail"),
    path("<int:pk>/edit/", views.organization_edit, name="organization-edit"),
    path("<int:pk>/verify/", views.organization_verify, name="organization-verify"),
    path("<int:pk>/archive/", views.organization_archive, name="organization-archive"),
    path("<int:pk>/invite/", views.invitation_create, name="invitation-create"),
    path("<int:pk>/capabilities/new/", views.capability_create, name="capability-create"),
    path("<int:pk>/assessments/new/", views.assessment_create, name="assessment-create"),
    path("memberships/<int:pk>/role/", views.membership_role, name="membership-role"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="membership-remove"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("capabilities/", views.capability_list, name="capability-list"),
    path("capabilities/<int:pk>/archive/", views.capability_archive, name="capability-archive"),
    path("switch/", views.switch_organization, name="switch-organization"),
    path("me/", views.me, name="me"),
    path("signup/", views.reader_signup, name="reader-signup"),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("privacy/readers/", privacy_views.reader_list, name="privacy-readers"),
    path("privacy/readers/<int:pk>/", privacy_views.reader_data, name="privacy-reader"),
    path("privacy/readers/<int:pk>/export/", privacy_views.reader_export, name="privacy-export"),
    path("privacy/readers/<int:pk>/erase/", privacy_views.reader_erase, name="privacy-erase"),
    path("privacy/access-log/", privacy_views.access_log, name="privacy-access-log"),
    path("privacy/my-data/", privacy_views.my_data, name="privacy-my-data"),
]

from django.urls import path

from . import views

app_name = "coordination"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("meetings/new/", views.meeting_create, name="meeting-create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
    path("meetings/<int:pk>/invite.ics", views.meeting_ics, name="meeting-ics"),
    path("meetings/<int:pk>/register/", views.meeting_register, name="meeting-register"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:pk>/invite/", views.meeting_invite, name="meeting-invite"),
    path("meetings/<int:pk>/agenda/", views.meeting_agenda, name="meeting-agenda"),
    path("meetings/<int:pk>/agenda/<int:item_pk>/", views.agenda_item_edit, name="agenda-item-edit"),
    path("meetings/<int:pk>/agenda/<int:item_pk>/remove/", views.agenda_item_remove, name="agenda-item-remove"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path("action-items/<int:pk>/done/", views.action_item_done, name="action-item-done"),
    path("calendar/feed/", views.feed_rotate, name="feed-rotate"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    path("plans/", views.plan_list, name="plan-list"),
    path("plans/new/", views.plan_create, name="plan-create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/sign/", views.plan_sign, name="plan-sign"),
]

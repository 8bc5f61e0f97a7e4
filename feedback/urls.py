from django.urls import path

from .views import insight, partner, reader, staff, surveys

app_name = "feedback"
urlpatterns = [
    path("", reader.feedback_give, name="give"),
    path("mine/", reader.my_feedback_list, name="my-list"),
    path("mine/<int:pk>/", reader.my_feedback_detail, name="my-detail"),
    path("mine/<int:pk>/solved/", reader.my_feedback_verdict, {"verdict": "confirm"}, name="my-confirm"),
    path("mine/<int:pk>/not-solved/", reader.my_feedback_verdict, {"verdict": "reopen"}, name="my-reopen"),
    path("needs/", reader.public_need_list, name="public-needs"),
    path("needs/<int:pk>/support/", reader.public_need_support, name="public-need-support"),
    path("inbox/", staff.inbox, name="inbox"),
    path("inbox/bulk/", staff.inbox_bulk, name="inbox-bulk"),
    path("inbox/<int:pk>/", staff.staff_detail, name="staff-detail"),
    path("inbox/<int:pk>/attachment/", staff.staff_attachment, name="staff-attachment"),
    path("inbox/<int:pk>/<slug:action>/", staff.staff_action, name="staff-action"),
    path("partner/", partner.partner_list, name="partner-list"),
    path("partner/<int:pk>/", partner.partner_detail, name="partner-detail"),
    path("insight/", insight.insight, name="insight"),
    path("surveys/", surveys.survey_list, name="survey-list"),
    path("surveys/new/", surveys.survey_create, name="survey-create"),
    path("surveys/<int:pk>/", surveys.survey_detail, name="survey-detail"),
    path("surveys/<int:pk>/open/", surveys.survey_status, {"to": "open"}, name="survey-open"),
    path("surveys/<int:pk>/close/", surveys.survey_status, {"to": "closed"}, name="survey-close"),
]

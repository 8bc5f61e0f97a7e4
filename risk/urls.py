from django.urls import path

from . import views, views_write

app_name = "risk"

urlpatterns = [
    path("", views.register_list, name="register-list"),
    path("registers/new/", views_write.register_create, name="register-create"),
    path("registers/<int:pk>/", views.register_detail, name="register-detail"),
    path("registers/<int:pk>/edit/", views_write.register_edit, name="register-edit"),
    path("registers/<int:pk>/archive/", views_write.register_archive, name="register-archive"),
    path("registers/<int:pk>/adopt/", views_write.register_adopt, name="register-adopt"),
    path("registers/<int:pk>/risks/new/", views_write.risk_create, name="risk-create"),
    path("registers/<int:pk>/incidents/new/", views_write.incident_record, name="incident-record"),
    path("risks/<int:pk>/", views.risk_detail, name="risk-detail"),
    path("risks/<int:pk>/edit/", views_write.risk_edit, name="risk-edit"),
    path("risks/<int:pk>/archive/", views_write.risk_archive, name="risk-archive"),
    path("risks/<int:pk>/mitigations/", views_write.mitigation_add, name="mitigation-add"),
    path("risks/<int:pk>/plans/", views_write.plan_add, name="plan-add"),
    path("risks/<int:pk>/accept/", views_write.acceptance_give, name="acceptance-give"),
    path("risks/<int:pk>/review/", views_write.review_record, name="review-record"),
    path("mitigations/<int:pk>/progress/", views_write.mitigation_progress, name="mitigation-progress"),
    path("plans/<int:pk>/edit/", views_write.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/drills/", views_write.drill_add, name="drill-add"),
    path("preassessments/", views_write.preassessment_list, name="preassessment-list"),
    path("preassessments/start/<int:project_pk>/", views_write.preassessment_start, name="preassessment-start"),
    path("preassessments/<int:pk>/", views_write.preassessment_detail, name="preassessment-detail"),
    path("preassessments/<int:pk>/assess/", views_write.preassessment_assess, name="preassessment-assess"),
    path("preassessments/<int:pk>/sign/", views_write.preassessment_sign, name="preassessment-sign"),
]

"""Operators' view of the report jobs: read-only. Reports are requested through insight.services."""

from django.contrib import admin

from stakeholders.admin import ReadOnlyAdmin

from .models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    list_display = ("alliance", "period", "status", "progress", "requested_by", "created_at")
    list_filter = ("status",)
    list_select_related = ("alliance", "requested_by")

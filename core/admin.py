from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Gongjian"), {"fields": ("display_name", "phone", "preferred_language", "is_integration")}),
    )
    list_display = ("username", "display_name", "email", "is_staff", "is_integration", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "is_integration")
    search_fields = ("username", "display_name", "email")

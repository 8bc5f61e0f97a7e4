"""Read-mostly admin for operators; every change of substance goes through feedback.services."""

from django.contrib import admin

from .models import Feedback, FeedbackPolicy, FeedbackTransition, ServiceLevel, ServiceLevelBreach, Survey


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "library", "kind", "status", "theme", "created_at", "hidden_at")
    list_filter = ("status", "kind", "theme", "channel")
    search_fields = ("text",)
    readonly_fields = [f.name for f in Feedback._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(FeedbackTransition)
class FeedbackTransitionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("feedback", "name", "from_status", "to_status", "actor", "at")
    readonly_fields = ("feedback", "name", "from_status", "to_status", "actor", "at", "note")


@admin.register(ServiceLevelBreach)
class ServiceLevelBreachAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("feedback", "status", "level", "created_at")
    readonly_fields = ("feedback", "status", "state_entered_at", "level", "notified", "created_at")


admin.site.register(FeedbackPolicy)
admin.site.register(ServiceLevel)
admin.site.register(Survey)

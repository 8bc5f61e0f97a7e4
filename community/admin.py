"""Operators' view of the community: read-only. Every change goes through community.services."""

from django.contrib import admin

from stakeholders.admin import ReadOnlyAdmin

from .models import Acknowledgement, Post, Thread


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ("title", "alliance", "author", "reply_count", "is_hidden", "last_post_at")
    list_filter = ("is_hidden",)
    list_select_related = ("alliance", "author")
    search_fields = ("title",)


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ("thread", "author", "is_hidden", "hidden_reason", "created_at")
    list_filter = ("is_hidden",)
    list_select_related = ("thread", "author")


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ("document", "organization", "acknowledged_at", "acknowledged_by")
    list_select_related = ("document", "organization", "acknowledged_by")

"""Community API serializers: output ones read only what the selectors loaded."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from community.models import Acknowledgement, Post, Thread
from stakeholders.api.serializers import OrganizationBriefSerializer, UserBriefSerializer


class ThreadSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    alliance_name = serializers.CharField(source="alliance.name", read_only=True, default=None, allow_null=True)
    author = UserBriefSerializer(read_only=True)
    organization = OrganizationBriefSerializer(read_only=True, allow_null=True)
    following = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Thread
        fields = (
            "id", "alliance", "alliance_name", "title", "author", "organization", "is_hidden", "hidden_reason",
            "reply_count", "last_post_at", "following", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class PostSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    author = UserBriefSerializer(read_only=True)
    organization = OrganizationBriefSerializer(read_only=True, allow_null=True)
    body = serializers.SerializerMethodField()
    attachment = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = ("id", "author", "organization", "body", "attachment", "is_hidden", "hidden_reason", "created_at")
        read_only_fields = fields

    def get_body(self, post: Post) -> str:
        # A hidden post shows its reason instead of its text (the text stays in the history).
        return "" if post.is_hidden else post.body

    def get_attachment(self, post: Post) -> str | None:
        return None if post.is_hidden or not post.attachment else post.attachment.url


class ThreadDetailSerializer(ThreadSerializer):
    posts = serializers.SerializerMethodField()

    class Meta(ThreadSerializer.Meta):
        fields = (*ThreadSerializer.Meta.fields, "posts")  # type: ignore[assignment]
        read_only_fields = fields  # type: ignore[assignment]

    def get_posts(self, thread: Thread) -> Any:
        return PostSerializer(self.context.get("posts", []), many=True, context=self.context).data


class ThreadCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    alliance = serializers.IntegerField(required=False, allow_null=True, help_text="Empty: a public topic.")
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    attachment = serializers.FileField(required=False)


class ReplySerializer(serializers.Serializer):  # type: ignore[type-arg]
    body = serializers.CharField(max_length=20000)
    attachment = serializers.FileField(required=False)


class ThreadHideSerializer(serializers.Serializer):  # type: ignore[type-arg]
    post = serializers.IntegerField()
    reason = serializers.CharField(max_length=300)


class FollowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    following = serializers.BooleanField()


class AcknowledgementSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    document_title = serializers.CharField(source="document.title", read_only=True)
    document_kind = serializers.CharField(source="document.kind", read_only=True)
    issuer = OrganizationBriefSerializer(source="document.issuer", read_only=True)
    organization = OrganizationBriefSerializer(read_only=True)
    acknowledged_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Acknowledgement
        fields = (
            "id", "document", "document_title", "document_kind", "issuer", "organization", "acknowledged_at",
            "acknowledged_by", "note", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class AcknowledgementRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    document = serializers.IntegerField()
    organizations = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=200)


class AcknowledgeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

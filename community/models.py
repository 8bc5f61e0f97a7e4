"""Community: discussions (per alliance, or public topics) and acknowledgements of published guidance."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Alliance, GuidanceDocument
from core.models import Archivable, TimeStamped
from stakeholders.models import Organization
from stakeholders.validators import validate_document


@pghistory.track(exclude=["updated_at", "last_post_at", "reply_count"])
class Thread(TimeStamped, Archivable):
    """A discussion: in an alliance (its members talk) or a public topic (every signed-in person reads)."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, null=True, blank=True, related_name="threads", verbose_name=_("alliance")
    )
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("organisation")
    )
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    last_post_at = models.DateTimeField(_("last post at"), default=timezone.now)
    reply_count = models.PositiveIntegerField(_("replies"), default=0)

    class Meta:
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")
        ordering = ["-last_post_at", "-id"]
        indexes = [
            models.Index(fields=["alliance", "-last_post_at"], name="thread_alliance_recent"),
            models.Index(fields=["-last_post_at"], condition=Q(alliance__isnull=True), name="thread_public_recent"),
            GinIndex(fields=["title"], name="thread_title_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.alliance_id is None


def attachment_upload_to(instance: Post, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"community/{instance.thread_id}/{timezone.now():%Y%m%d%H%M%S%f}.{ext}"


@pghistory.track(exclude=["updated_at"])
class Post(TimeStamped, Archivable):
    """The opening post or a reply. A hidden post keeps its text (and its history) but readers see the reason."""

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    body = models.TextField(_("text"))
    attachment = models.FileField(
        _("attachment"), upload_to=attachment_upload_to, blank=True, validators=[validate_document]
    )
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["thread", "created_at"], name="post_thread_order"),
            GinIndex(fields=["body"], name="post_body_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.thread_id}#{self.pk}"


class Follow(models.Model):
    """Someone follows a thread: replies notify them. Unfollowing removes the row (a preference, not a record)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="follow_once")]
        indexes = [models.Index(fields=["user"], name="follow_user")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.thread_id}"


@pghistory.track(exclude=["updated_at"])
class Acknowledgement(TimeStamped):
    """A published policy or standard, asked of one concerned organisation; acknowledged by one of its managers."""

    document = models.ForeignKey(GuidanceDocument, on_delete=models.PROTECT, related_name="acknowledgements")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["document", "organization__name_zh", "id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "organization"], name="acknowledgement_once"),
        ]
        indexes = [
            models.Index(fields=["organization", "acknowledged_at"], name="ack_org_state"),
            models.Index(fields=["document", "acknowledged_at"], name="ack_document_state"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} / {self.organization_id}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

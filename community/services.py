"""Community writes: threads, replies with mentions and attachments, follows, moderation, acknowledgements."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.models import Alliance, AllianceMember, GuidanceDocument
from alliance.parties import notice
from core import events
from core.exceptions import ConflictError, DomainError, NotAllowed
from notifications.services import notify
from stakeholders.access import Actor
from stakeholders.choices import MANAGING_ROLES
from stakeholders.models import Organization

from .access import may_moderate, may_write
from .models import Acknowledgement, Follow, Post, Thread

MENTION = re.compile(r"(?<![\w@])@([\w.+-]{2,150})")
MAX_MENTIONS = 20


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(_("This field is required."), fields={field: [_("Required.")]})
    if len(value) > limit:
        message = _("At most %(n)s characters.") % {"n": limit}
        raise DomainError(message, fields={field: [message]})
    return value


def _check_attachment(post: Post, attachment: UploadedFile | None) -> None:
    if attachment is None:
        return
    post.attachment = attachment  # type: ignore[assignment]
    try:
        post.full_clean(exclude=["thread", "author", "organization", "hidden_by"])
    except ValidationError as exc:
        raise DomainError(_("The attachment is refused."), fields=exc.message_dict) from exc


def mentionable_users(thread: Thread) -> QuerySet[Any]:
    """Who a mention may reach: people of the alliance's organisations, or anyone in an organisation (public)."""
    users = get_user_model().objects.filter(
        is_active=True, memberships__archived_at__isnull=True, memberships__organization__archived_at__isnull=True
    )
    if thread.alliance_id is not None:
        members = AllianceMember.objects.active().filter(alliance_id=thread.alliance_id).values("organization_id")
        users = users.filter(memberships__organization_id__in=members)
    return users.distinct()


def _mentions(post: Post, actor: Actor) -> list[Any]:
    names = list(dict.fromkeys(MENTION.findall(post.body)))[:MAX_MENTIONS]
    if not names:
        return []
    found = list(mentionable_users(post.thread).filter(username__in=names).exclude(pk=actor.user.pk))
    post.mentions.add(*found)
    return found


def _after_post(actor: Actor, post: Post, *, opening: bool) -> None:
    """Mentioned people are notified; followers hear of a reply; the author follows the thread."""
    thread = post.thread
    Follow.objects.get_or_create(thread=thread, user=actor.user)
    mentioned = _mentions(post, actor)
    url = _url("community:thread-detail", thread.pk)
    who = actor.user.get_full_name() or actor.user.username
    notify(
        recipients=mentioned,
        event="community.mention",
        title=notice(gettext_lazy("%(who)s mentioned you in %(thread)s"), {"who": who, "thread": thread.title}),
        body=post.body[:500],
        url=url,
        actor=actor.user,
        data={"thread": thread.pk, "post": post.pk},
    )
    if opening:
        return
    skip = {actor.user.pk, *(u.pk for u in mentioned)}
    followers = [f.user for f in Follow.objects.filter(thread=thread).select_related("user") if f.user_id not in skip]
    notify(
        recipients=followers,
        event="community.reply",
        title=notice(gettext_lazy("New reply in %(thread)s"), {"thread": thread.title}),
        body=post.body[:500],
        url=url,
        actor=actor.user,
        data={"thread": thread.pk, "post": post.pk},
    )


@transaction.atomic
def thread_start(
    *, actor: Actor, title: str, body: str, alliance: Alliance | None = None, attachment: UploadedFile | None = None
) -> Thread:
    """Open a discussion in an alliance (its members) or as a public topic (anyone acting for an organisation)."""
    if not actor.is_authenticated or not may_write(actor, alliance.pk if alliance else None):
        raise NotAllowed(_("Only people acting for a member organisation may start a discussion here."))
    if alliance is not None and alliance.is_archived:
        raise ConflictError(_("The alliance is archived."))
    now = timezone.now()
    thread = Thread.objects.create(
        alliance=alliance,
        title=_text(title, "title", 200),
        author=actor.user,
        organization=actor.organization,
        last_post_at=now,
    )
    post = Post(thread=thread, author=actor.user, organization=actor.organization, body=_text(body, "body", 20000))
    _check_attachment(post, attachment)
    post.save()
    _after_post(actor, post, opening=True)
    return thread


@transaction.atomic
def thread_reply(*, actor: Actor, thread: Thread, body: str, attachment: UploadedFile | None = None) -> Post:
    """Reply in a thread; followers and mentioned people are told."""
    locked = Thread.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=thread.pk)
    if not may_write(actor, locked.alliance_id):
        raise NotAllowed(_("Only people acting for a member organisation may reply here."))
    if locked.is_hidden or locked.is_archived:
        raise ConflictError(_("The discussion is closed."))
    post = Post(thread=locked, author=actor.user, organization=actor.organization, body=_text(body, "body", 20000))
    _check_attachment(post, attachment)
    post.save()
    Thread.objects.filter(pk=locked.pk).update(last_post_at=post.created_at, reply_count=F("reply_count") + 1)
    _after_post(actor, post, opening=False)
    return post


def thread_follow(*, actor: Actor, thread: Thread) -> bool:
    """Follow a visible thread (idempotent); True when it was not followed before."""
    if not actor.is_authenticated:
        raise NotAllowed(_("Sign in to follow discussions."))
    _follow, created = Follow.objects.get_or_create(thread=thread, user=actor.user)
    return created


def thread_unfollow(*, actor: Actor, thread: Thread) -> bool:
    if not actor.is_authenticated:
        raise NotAllowed(_("Sign in to follow discussions."))
    deleted, _rows = Follow.objects.filter(thread=thread, user=actor.user).delete()
    return bool(deleted)


@transaction.atomic
def post_hide(*, actor: Actor, post: Post, reason: str) -> Post:
    """A moderator hides a post with a reason (the opening post hides the whole thread); the text stays recorded."""
    locked = Post.objects.select_for_update(of=("self",)).select_related("thread", "thread__alliance").get(pk=post.pk)
    if not may_moderate(actor, locked.thread):
        raise NotAllowed(_("Only the discussion's moderators may hide posts."))
    if locked.is_hidden:
        raise ConflictError(_("The post is already hidden."))
    reason = _text(reason, "reason", 300)
    locked.is_hidden, locked.hidden_reason = True, reason
    locked.hidden_by, locked.hidden_at = actor.user, timezone.now()
    locked.save()
    opening = Post.objects.filter(thread=locked.thread).order_by("created_at", "id").values_list("pk", flat=True)[:1]
    if locked.pk in list(opening):
        Thread.objects.filter(pk=locked.thread_id).update(is_hidden=True, hidden_reason=reason)
    notify(
        recipients=[locked.author] if locked.author_id != actor.user.pk else [],
        event="community.hidden",
        title=notice(gettext_lazy("Your post in %(thread)s was hidden"), {"thread": locked.thread.title}),
        body=reason,
        url=_url("community:thread-detail", locked.thread_id),
        actor=actor.user,
        data={"thread": locked.thread_id, "post": locked.pk},
    )
    return locked


# --- policy publicity: acknowledgements -------------------------------------------------------------------------


def _managers(organization_ids: Iterable[int]) -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organization_id__in=list(organization_ids),
            memberships__archived_at__isnull=True,
            memberships__role__in=MANAGING_ROLES,
        )
        .distinct()
    )


def _ask(document: GuidanceDocument, organization_ids: Iterable[int], actor_user: Any = None) -> list[Acknowledgement]:
    """Create the missing acknowledgement rows and tell the organisations' managers."""
    wanted = set(organization_ids) - {document.issuer_id}
    existing = set(
        Acknowledgement.objects.filter(document=document, organization_id__in=wanted).values_list(
            "organization_id", flat=True
        )
    )
    new = sorted(wanted - existing)
    rows = Acknowledgement.objects.bulk_create(
        [Acknowledgement(document=document, organization_id=pk) for pk in new], ignore_conflicts=True
    )
    if new:
        notify(
            recipients=_managers(new),
            event="community.acknowledge",
            title=notice(
                gettext_lazy("Please acknowledge %(kind)s: %(title)s"),
                {"kind": document.get_kind_display(), "title": document.title},
            ),
            body=document.summary[:500],
            url=_url("community:acknowledgement-list"),
            actor=actor_user,
            data={"document": document.pk},
        )
    return rows


def on_guidance_published(event: events.Event) -> None:
    """Listener: publishing a policy or standard asks every organisation it concerns to acknowledge it."""
    document = event.obj
    _ask(document, event.data.get("concerns", []), document.issued_by)


@transaction.atomic
def acknowledgement_request(
    *, actor: Actor, document: GuidanceDocument, organizations: Iterable[Organization]
) -> list[Acknowledgement]:
    """The issuer's managers also target organisations outside their alliances."""
    if not actor.manages(document.issuer_id):
        raise NotAllowed(_("Only the issuer's managers may ask for acknowledgements."))
    if document.is_archived:
        raise ConflictError(_("The document is withdrawn."))
    orgs = [o for o in organizations if not o.is_archived]
    if not orgs:
        raise DomainError(_("Choose at least one organisation."), fields={"organizations": [_("Required.")]})
    _ask(document, [o.pk for o in orgs], actor.user)
    return list(Acknowledgement.objects.filter(document=document, organization__in=orgs))


@transaction.atomic
def acknowledgement_acknowledge(*, actor: Actor, acknowledgement: Acknowledgement, note: str = "") -> Acknowledgement:
    """A manager of the concerned organisation acknowledges the policy or standard (once)."""
    locked = (
        Acknowledgement.objects.select_for_update(of=("self",))
        .select_related("document", "organization")
        .get(pk=acknowledgement.pk)
    )
    if not actor.manages(locked.organization_id):
        raise NotAllowed(_("Only the concerned organisation's managers may acknowledge it."))
    if locked.acknowledged_at is not None:
        raise ConflictError(_("Already acknowledged."))
    locked.acknowledged_at = timezone.now()
    locked.acknowledged_by = actor.user
    locked.note = (note or "").strip()[:500]
    locked.save()
    return locked

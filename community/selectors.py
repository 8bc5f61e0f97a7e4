"""Community reads, always scoped (see community.access)."""

from __future__ import annotations

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from alliance.models import GuidanceDocument
from stakeholders.access import Actor

from .access import visible_threads
from .models import Acknowledgement, Follow, Post, Thread


def thread_list_for(
    actor: Actor, *, q: str = "", alliance_id: int | None = None, public: bool | None = None
) -> QuerySet[Thread]:
    """Discussions the actor sees, most recently active first; ``q`` searches titles and posts (中文 or English)."""
    qs = visible_threads(actor).filter(archived_at__isnull=True).select_related("alliance", "author", "organization")
    if alliance_id is not None:
        qs = qs.filter(alliance_id=alliance_id)
    if public is not None:
        qs = qs.filter(alliance__isnull=public)
    if actor.is_authenticated:
        qs = qs.annotate(following=Exists(Follow.objects.filter(thread=OuterRef("pk"), user=actor.user)))
    text = (q or "").strip()
    if text:
        in_posts = Post.objects.filter(thread=OuterRef("pk"), is_hidden=False, body__icontains=text)
        qs = (
            qs.annotate(similarity=TrigramWordSimilarity(text, "title"))
            .filter(Q(title__icontains=text) | Q(similarity__gte=0.3) | Exists(in_posts))
            .order_by("-similarity", "-last_post_at", "-id")
        )
        return qs
    return qs.order_by("-last_post_at", "-id")


def post_list(thread: Thread) -> QuerySet[Post]:
    """The posts of a thread the caller already found through ``thread_list_for``."""
    return (
        Post.objects.filter(thread=thread, archived_at__isnull=True)
        .select_related("author", "organization", "hidden_by")
        .order_by("created_at", "id")
    )


def acknowledgement_list_for(actor: Actor) -> QuerySet[Acknowledgement]:
    """What the actor's organisations were asked to acknowledge, and what others were asked of their documents."""
    qs = Acknowledgement.objects.select_related("document", "document__issuer", "organization", "acknowledged_by")
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        orgs = list(actor.organization_ids)
        qs = qs.filter(Q(organization_id__in=orgs) | Q(document__issuer_id__in=orgs))
    return qs.order_by("-document__effective_on", "document_id", "organization__name_zh", "id")


def issued_documents_for(actor: Actor) -> QuerySet[GuidanceDocument]:
    """The issuer's view: its published documents with how many concerned organisations acknowledged."""
    if not actor.is_authenticated:
        return GuidanceDocument.objects.none()
    qs = GuidanceDocument.objects.filter(archived_at__isnull=True)
    if not actor.is_superuser:
        qs = qs.filter(issuer_id__in=list(actor.organization_ids))
    return qs.annotate(
        concerned_count=Count("acknowledgements"),
        acknowledged_count=Count("acknowledgements", filter=Q(acknowledgements__acknowledged_at__isnull=False)),
    ).order_by("-effective_on", "-id")

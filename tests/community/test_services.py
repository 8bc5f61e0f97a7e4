"""Discussions (mentions, follows, moderation, search) and policy acknowledgements, through the services."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliance import services as alliance_services
from community import selectors, services
from community.models import Acknowledgement, Follow, Post
from core.exceptions import ConflictError, DomainError, NotAllowed
from notifications.models import Notification
from tests.alliance.flow import PDF, act

pytestmark = pytest.mark.django_db


def _events(user, event):
    return Notification.objects.filter(recipient=user, event=event)


def test_a_mention_notifies_only_people_who_can_see_the_thread(p, outsider):
    thread = services.thread_start(
        actor=act(p.librarian), alliance=p.alliance, title="RFID 选型讨论",
        body=f"@{p.supplier.username} @{outsider.username} 请看一下 @nobody",
    )  # fmt: skip
    assert _events(p.supplier, "community.mention").count() == 1
    assert not _events(outsider, "community.mention").exists()  # not in the alliance
    post = Post.objects.get(thread=thread)
    assert list(post.mentions.all()) == [p.supplier]


def test_followers_hear_replies_and_unfollowing_stops_it(p):
    thread = services.thread_start(actor=act(p.librarian), alliance=p.alliance, title="进度", body="开始")
    services.thread_follow(actor=act(p.professor), thread=thread)
    services.thread_reply(actor=act(p.supplier), thread=thread, body="已完成 50%")
    assert _events(p.librarian, "community.reply").count() == 1  # the author follows
    assert _events(p.professor, "community.reply").count() == 1
    assert not _events(p.supplier, "community.reply").exists()  # not told of one's own reply
    services.thread_unfollow(actor=act(p.professor), thread=thread)
    services.thread_reply(actor=act(p.supplier), thread=thread, body="完成")
    assert _events(p.professor, "community.reply").count() == 1
    assert Follow.objects.filter(thread=thread, user=p.supplier).exists()  # repliers follow
    thread.refresh_from_db()
    assert thread.reply_count == 2


def test_only_alliance_members_write_and_see_it(p, outsider, reader):
    thread = services.thread_start(actor=act(p.librarian), alliance=p.alliance, title="内部", body="x")
    with pytest.raises(NotAllowed):
        services.thread_reply(actor=act(outsider), thread=thread, body="hi")
    with pytest.raises(NotAllowed):
        services.thread_start(actor=act(outsider), alliance=p.alliance, title="t", body="b")
    assert not selectors.thread_list_for(act(outsider)).filter(pk=thread.pk).exists()
    assert not selectors.thread_list_for(act(reader)).filter(pk=thread.pk).exists()
    public = services.thread_start(actor=act(outsider), title="公开话题", body="大家好")
    assert selectors.thread_list_for(act(reader)).filter(pk=public.pk).exists()  # readers read public topics
    with pytest.raises(NotAllowed):
        services.thread_reply(actor=act(reader), thread=public, body="我也想说")


def test_attachments_are_validated(p):
    ok = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    thread = services.thread_start(
        actor=act(p.librarian), alliance=p.alliance, title="方案", body="见附件", attachment=ok
    )
    assert Post.objects.get(thread=thread).attachment.name.endswith(".pdf")
    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(DomainError):
        services.thread_reply(actor=act(p.librarian), thread=thread, body="x", attachment=bad)


def test_moderators_hide_with_a_reason_kept_in_history(p):
    thread = services.thread_start(actor=act(p.librarian), alliance=p.alliance, title="讨论", body="开场")
    reply = services.thread_reply(actor=act(p.supplier), thread=thread, body="广告内容")
    with pytest.raises(NotAllowed):
        services.post_hide(actor=act(p.supplier), post=reply, reason="spam")
    hidden = services.post_hide(actor=act(p.manager), post=reply, reason="广告")
    assert hidden.is_hidden and hidden.body == "广告内容"  # the text is kept
    assert _events(p.supplier, "community.hidden").count() == 1
    assert hidden.pgh_event_model.objects.filter(pgh_obj=hidden, is_hidden=True, hidden_reason="广告").exists()
    with pytest.raises(ConflictError):
        services.post_hide(actor=act(p.manager), post=reply, reason="again")
    opening = Post.objects.filter(thread=thread).order_by("id").first()
    services.post_hide(actor=act(p.manager), post=opening, reason="重复话题")
    thread.refresh_from_db()
    assert thread.is_hidden and thread.hidden_reason == "重复话题"
    assert not selectors.thread_list_for(act(p.supplier)).filter(pk=thread.pk).exists()
    assert selectors.thread_list_for(act(p.manager)).filter(pk=thread.pk).exists()  # moderators still see it


def test_search_in_chinese_and_english(p):
    a = services.thread_start(actor=act(p.librarian), alliance=p.alliance, title="自助借还设备选型", body="RFID")
    b = services.thread_start(actor=act(p.librarian), title="Reading room lighting", body="LED 灯具的色温")
    me = act(p.librarian)
    assert list(selectors.thread_list_for(me, q="借还")) == [a]
    assert list(selectors.thread_list_for(me, q="lighting")) == [b]
    assert list(selectors.thread_list_for(me, q="色温")) == [b]  # found in a post
    assert list(selectors.thread_list_for(me, q="Readng room")) == [b]  # trigram: a typo still finds it


# --- acknowledgements ---------------------------------------------------------------------------------------


def _policy(p, title="关于推进智慧图书馆建设的指导意见"):
    return alliance_services.guidance_issue(
        actor=act(p.officer), kind="policy", title=title, effective_on=timezone.localdate()
    )


def test_publishing_asks_every_concerned_organisation_and_notifies_its_managers(p, partner_manager):
    doc = _policy(p)
    asked = set(Acknowledgement.objects.filter(document=doc).values_list("organization_id", flat=True))
    assert asked == {p.library.pk, p.enterprise.pk, p.university.pk}
    assert _events(p.manager, "community.acknowledge").count() == 1
    assert _events(partner_manager, "community.acknowledge").count() == 1
    assert not _events(p.supplier, "community.acknowledge").exists()  # members are not asked, managers are


def test_a_manager_acknowledges_and_the_issuer_sees_who_has_not(p, partner_manager, other_org, outsider):
    doc = _policy(p)
    ack = Acknowledgement.objects.get(document=doc, organization=p.enterprise)
    with pytest.raises(NotAllowed):
        services.acknowledgement_acknowledge(actor=act(p.supplier), acknowledgement=ack)
    services.acknowledgement_acknowledge(actor=act(partner_manager), acknowledgement=ack, note="已传达")
    with pytest.raises(ConflictError):
        services.acknowledgement_acknowledge(actor=act(partner_manager), acknowledgement=ack)
    issued = selectors.issued_documents_for(act(p.officer)).get(pk=doc.pk)
    assert (issued.acknowledged_count, issued.concerned_count) == (1, 3)
    services.acknowledgement_request(actor=act(p.officer), document=doc, organizations=[other_org])
    assert _events(outsider, "community.acknowledge").count() == 1
    with pytest.raises(NotAllowed):
        services.acknowledgement_request(actor=act(p.manager), document=doc, organizations=[other_org])
    assert selectors.issued_documents_for(act(p.officer)).get(pk=doc.pk).concerned_count == 4
    assert not selectors.acknowledgement_list_for(act(outsider)).exclude(organization=other_org).exists()

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    LIBRARY = "library", _("Library")
    GOVERNMENT = "government", _("Government body")
    ENTERPRISE = "enterprise", _("Enterprise")
    UNIVERSITY = "university", _("University")
    RESEARCH = "research", _("Research institute")


PARTNER_KINDS = (OrganizationKind.ENTERPRISE, OrganizationKind.UNIVERSITY, OrganizationKind.RESEARCH)


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")


MANAGING_ROLES = (MembershipRole.OWNER, MembershipRole.MANAGER)
WRITING_ROLES = (MembershipRole.OWNER, MembershipRole.MANAGER, MembershipRole.MEMBER)


class CapabilityCategory(models.TextChoices):
    # Enterprises: products and technology.
    RFID = "rfid", _("RFID and self-service")
    IOT = "iot", _("Internet of Things")
    AI = "ai", _("Artificial intelligence")
    CLOUD = "cloud", _("Cloud and big data")
    AR_VR = "ar_vr", _("AR / VR")
    CONTENT = "content", _("Content resources")
    KNOWLEDGE = "knowledge", _("Knowledge services")
    # Universities and research institutes: talent, research, standards.
    TRAINING = "training", _("Training and talent")
    RESEARCH_FIELD = "research_field", _("Research field")
    STANDARDS = "standards", _("Standards")
    RND = "rnd", _("Research and development")
    # Government bodies: guidance.
    POLICY = "policy", _("Policy guidance")
    FUNDING = "funding", _("Funding")
    SUPERVISION = "supervision", _("Supervision")
    OTHER = "other", _("Other")


CATEGORIES_BY_KIND: dict[str, tuple[str, ...]] = {
    OrganizationKind.ENTERPRISE: ("rfid", "iot", "ai", "cloud", "ar_vr", "content", "knowledge", "other"),
    OrganizationKind.UNIVERSITY: ("training", "research_field", "standards", "rnd", "other"),
    OrganizationKind.RESEARCH: ("standards", "rnd", "research_field", "training", "other"),
    OrganizationKind.GOVERNMENT: ("policy", "funding", "supervision", "standards", "other"),
    OrganizationKind.LIBRARY: ("content", "knowledge", "training", "other"),
}


class Portal(models.TextChoices):
    STAFF = "staff", _("Library staff")
    PARTNER = "partner", _("Partner")
    GOVERNMENT = "government", _("Government")
    READER = "reader", _("Reader")
    NONE = "none", _("No portal")

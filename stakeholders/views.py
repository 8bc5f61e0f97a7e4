"""Pages of the directory, organisations, people, invitations and tokens: thin over selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.exports import Column, export_response, requested_format

from . import panels, services
from .access import ACTING_ORG_SESSION_KEY, Actor, actor_for, reset_actor
from .choices import MANAGING_ROLES, MembershipRole, OrganizationKind, VerificationStatus
from .forms import (
    SORTS,
    AssessmentForm,
    CapabilityFilterForm,
    CapabilityForm,
    ConsentForm,
    InvitationForm,
    InviteeAccountForm,
    MembershipRoleForm,
    OrganizationFilterForm,
    OrganizationForm,
    ReaderSignupForm,
    TokenForm,
    VerifyForm,
    add_domain_error,
)
from .models import Organization
from .selectors import (
    assessment_list_for,
    capability_list_for,
    capability_search,
    invitation_list_for,
    membership_list_for,
    organization_list_for,
    organization_search,
    token_list_for,
)

PAGE_SIZE = 20


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def _querystring(request: HttpRequest, **extra: str) -> str:
    """The current filters without paging/export, for page links and export links."""
    params = [(k, v) for k, values in request.GET.lists() for v in values if k not in ("page", "export") and v]
    params += [(k, v) for k, v in extra.items() if v]
    return urlencode(params)


def _safe_next(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


# --- directory ---------------------------------------------------------------------------------------

ORGANIZATION_COLUMNS = [
    Column(gettext_lazy("Name (Chinese)"), "name_zh"),
    Column(gettext_lazy("Name (English)"), "name_en"),
    Column(gettext_lazy("Kind"), "get_kind_display"),
    Column(gettext_lazy("Region"), "region"),
    Column(gettext_lazy("Verification"), "get_verification_status_display"),
    Column(gettext_lazy("Members"), "member_count"),
    Column(gettext_lazy("Capabilities"), "capability_count"),
    Column(gettext_lazy("Contact e-mail"), "contact_email"),
    Column(gettext_lazy("Website"), "website"),
    Column(gettext_lazy("Registered"), "created_at"),
]


def _regions(actor: Actor) -> list[str]:
    rows = organization_list_for(actor).order_by().values("region").annotate(n=Count("id", distinct=True))
    return sorted(r["region"] for r in rows if r["region"])


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    form = OrganizationFilterForm(request.GET or None, regions=_regions(actor))
    qs: QuerySet[Organization] = organization_list_for(actor)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("verification"):
        qs = qs.filter(verification_status=data["verification"])
    if data.get("region"):
        qs = qs.filter(region=data["region"])
    if data.get("q"):
        qs = organization_search(qs, data["q"])
    if data.get("sort") or not data.get("q"):
        qs = qs.order_by(*SORTS[data.get("sort") or "name"])
    fmt = requested_format(request)
    if fmt:
        return export_response(qs, ORGANIZATION_COLUMNS, filename="organisations", fmt=fmt)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "organizations": page.object_list,
        "querystring": _querystring(request),
        "can_register": bool(actor.memberships) or not actor.is_reader,
    }
    template = "stakeholders/_organization_results.html" if _is_htmx(request) else "stakeholders/organization_list.html"
    return render(request, template, context)


@login_required
def organization_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            request.session[ACTING_ORG_SESSION_KEY] = org.pk
            reset_actor(request)
            messages.success(request, _("The organisation is registered. A library manager will verify it."))
            return redirect("stakeholders:organization-detail", pk=org.pk)
    return render(request, "stakeholders/organization_form.html", {"form": form, "organization": None})


def _visible_org(actor: Actor, pk: int) -> Organization:
    return get_object_or_404(organization_list_for(actor, include_archived=True), pk=pk)


def _member_org(actor: Actor, pk: int) -> Organization:
    """An organisation whose internal pages (members, invitations) the actor may open; others get 404."""
    org = _visible_org(actor, pk)
    if not (actor.is_superuser or pk in actor.organization_ids):
        raise Http404
    return org


def _detail_context(request: HttpRequest, org: Organization) -> dict[str, Any]:
    actor = actor_for(request)
    is_member = actor.is_superuser or org.pk in actor.organization_ids
    manages = actor.manages(org.pk)
    capabilities = capability_list_for(actor).filter(organization=org)
    return {
        "organization": org,
        "capabilities": capabilities,
        "memberships": membership_list_for(actor, org) if is_member else None,
        "invitations": invitation_list_for(actor, org)[:20] if manages else None,
        "assessments": assessment_list_for(actor).filter(organization=org),
        "panels": panels.render_panels(request, org),
        "is_member": is_member,
        "manages": manages,
        "writes": actor.writes_for(org.pk) and not org.is_archived,
        # A library does not vouch for itself or for an organisation its managers act for.
        "can_verify": (actor.is_superuser or (bool(actor.managed_library_ids) and not is_member))
        and not org.is_archived,
        "can_archive": (actor.is_superuser or actor.role_in(org.pk) == "owner"),
        "can_assess": (
            actor.organization is not None
            and actor.organization.kind == OrganizationKind.LIBRARY
            and actor.writes_for(actor.organization.pk)
            and actor.organization.pk != org.pk
        ),
        "role_choices": MembershipRole.choices,
        "invitation_form": InvitationForm(),
        "capability_form": CapabilityForm(),
        "verify_form": VerifyForm(),
        "assessment_form": AssessmentForm(),
        "pending": VerificationStatus.UNVERIFIED,
    }


@login_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = _visible_org(actor_for(request), pk)
    return render(request, "stakeholders/organization_detail.html", _detail_context(request, org))


@login_required
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    org = _member_org(actor, pk)
    form = OrganizationForm(request.POST or None, instance=org, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(actor=actor, organization=org, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("stakeholders:organization-detail", pk=org.pk)
    return render(request, "stakeholders/organization_form.html", {"form": form, "organization": org})


@login_required
@require_POST
def organization_verify(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    org = _visible_org(actor, pk)
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            services.organization_verify(
                actor=actor, organization=org, approve=form.cleaned_data["approve"], note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The verification decision is recorded."))
    return redirect(_safe_next(request, reverse("stakeholders:organization-detail", args=[org.pk])))


@login_required
@require_POST
def organization_archive(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    org = _member_org(actor, pk)
    try:
        if org.is_archived:
            services.organization_restore(actor=actor, organization=org)
            messages.success(request, _("The organisation is active again."))
        else:
            services.organization_archive(actor=actor, organization=org)
            messages.success(request, _("The organisation is archived."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("stakeholders:organization-detail", pk=org.pk)


# --- members and invitations ---------------------------------------------------------------------------


@login_required
@require_POST
def membership_role(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: change a member's role in place; a refusal is shown in the row, never as an error page."""
    actor = actor_for(request)
    membership = get_object_or_404(membership_list_for(actor), pk=pk)
    form = MembershipRoleForm(request.POST)
    error = ""
    saved = False
    if form.is_valid():
        try:
            membership = services.membership_change_role(
                actor=actor, membership=membership, role=form.cleaned_data["role"]
            )
            saved = True
        except DomainError as exc:
            error = exc.message
            membership.refresh_from_db()
    else:
        error = _("Unknown role.")
    context = {
        "m": membership,
        "manages": actor.manages(membership.organization_id),
        "error": error,
        "saved": saved,
        "role_choices": MembershipRole.choices,
    }
    if _is_htmx(request):
        return render(request, "stakeholders/_membership_row.html", context)
    if error:
        messages.error(request, error)
    return redirect("stakeholders:organization-detail", pk=membership.organization_id)


@login_required
@require_POST
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    membership = get_object_or_404(membership_list_for(actor), pk=pk)
    try:
        services.membership_end(actor=actor, membership=membership)
    except DomainError as exc:
        if _is_htmx(request):
            context = {
                "m": membership,
                "manages": actor.manages(membership.organization_id),
                "error": exc.message,
                "role_choices": MembershipRole.choices,
            }
            return render(request, "stakeholders/_membership_row.html", context)
        messages.error(request, exc.message)
    else:
        if _is_htmx(request):
            return HttpResponse("")
        messages.success(request, _("The membership has ended."))
    if membership.user_id == actor.user.pk:
        return redirect("stakeholders:me")
    return redirect("stakeholders:organization-detail", pk=membership.organization_id)


@login_required
def invitation_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    org = _member_org(actor, pk)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(actor=actor, organization=org, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The invitation is on its way to %(email)s.") % form.cleaned_data)
            return redirect("stakeholders:organization-detail", pk=org.pk)
    context = _detail_context(request, org)
    context["invitation_form"] = form
    status = 400 if request.method == "POST" else 200
    return render(request, "stakeholders/organization_detail.html", context, status=status)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    invitation = get_object_or_404(invitation_list_for(actor), pk=pk)
    try:
        services.invitation_revoke(actor=actor, invitation=invitation)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation is revoked."))
    return redirect("stakeholders:organization-detail", pk=invitation.organization_id)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_by_token(token)
    error = ""
    account_form = InviteeAccountForm(request.POST if request.method == "POST" and "username" in request.POST else None)
    if request.method == "POST":
        if not request.user.is_authenticated and "username" not in request.POST:
            return redirect(f"{reverse('login')}?{urlencode({'next': request.path})}")
        try:
            if request.user.is_authenticated:
                membership = services.invitation_accept(user=request.user, raw_token=token)
            elif account_form.is_valid():
                membership = services.invitation_accept_new_account(
                    raw_token=token,
                    username=account_form.cleaned_data["username"],
                    password=account_form.cleaned_data["password1"],
                    display_name=account_form.cleaned_data["display_name"],
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                raise DomainError(_("Please correct the errors below."))
        except DomainError as exc:
            error = exc.message
            for field, msgs in exc.fields.items():
                if field in account_form.fields and account_form.is_bound:
                    for msg in msgs:
                        account_form.add_error(field, msg)
        else:
            request.session[ACTING_ORG_SESSION_KEY] = membership.organization_id
            reset_actor(request)
            messages.success(request, _("Welcome to %(org)s.") % {"org": membership.organization.display_name})
            return redirect("stakeholders:organization-detail", pk=membership.organization_id)
    context = {
        "invitation": invitation,
        "error": error,
        "account_form": account_form,
        "login_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
    }
    return render(request, "stakeholders/invitation_accept.html", context, status=400 if error else 200)


# --- capabilities and assessments ----------------------------------------------------------------------

CAPABILITY_COLUMNS = [
    Column(gettext_lazy("Title (Chinese)"), "title_zh"),
    Column(gettext_lazy("Title (English)"), "title_en"),
    Column(gettext_lazy("Category"), "get_category_display"),
    Column(gettext_lazy("Organisation"), "organization.name_zh"),
    Column(gettext_lazy("Kind"), "organization.get_kind_display"),
    Column(gettext_lazy("Keywords"), "keywords"),
    Column(gettext_lazy("Description"), "description"),
]


@login_required
def capability_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    form = CapabilityFilterForm(request.GET or None)
    qs = capability_list_for(actor)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("category"):
        qs = qs.filter(category=data["category"])
    if data.get("kind"):
        qs = qs.filter(organization__kind=data["kind"])
    if data.get("q"):
        qs = capability_search(qs, data["q"])
    fmt = requested_format(request)
    if fmt:
        return export_response(qs, CAPABILITY_COLUMNS, filename="capabilities", fmt=fmt)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "capabilities": page.object_list, "querystring": _querystring(request)}
    template = "stakeholders/_capability_results.html" if _is_htmx(request) else "stakeholders/capability_list.html"
    return render(request, template, context)


@login_required
def capability_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    org = _member_org(actor, pk)
    form = CapabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.capability_create(actor=actor, organization=org, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The capability is listed."))
            return redirect("stakeholders:organization-detail", pk=org.pk)
    context = _detail_context(request, org)
    context["capability_form"] = form
    return render(request, "stakeholders/organization_detail.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def capability_archive(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    capability = get_object_or_404(capability_list_for(actor), pk=pk)
    try:
        services.capability_archive(actor=actor, capability=capability)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The capability is archived."))
    return redirect("stakeholders:organization-detail", pk=capability.organization_id)


@login_required
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    org = _visible_org(actor, pk)
    form = AssessmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_create(actor=actor, organization=org, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The assessment is recorded."))
            return redirect("stakeholders:organization-detail", pk=org.pk)
    context = _detail_context(request, org)
    context["assessment_form"] = form
    return render(request, "stakeholders/organization_detail.html", context, status=400 if form.errors else 200)


# --- the person --------------------------------------------------------------------------------------------


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    try:
        org = services.switch_organization(
            actor=actor_for(request), organization_id=int(request.POST.get("organization") or 0)
        )
    except (DomainError, ValueError):
        messages.error(request, _("You do not act for this organisation."))
        return redirect("core:dashboard")
    request.session[ACTING_ORG_SESSION_KEY] = org.pk
    reset_actor(request)
    return redirect(_safe_next(request, "/"))


@login_required
def me(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    profile = actor.reader_profile
    form = None
    if profile is not None:
        initial = {"consent_contact": profile.consent_contact, "consent_trials": profile.consent_trials}
        form = ConsentForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.reader_update_consent(actor=actor, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Your choices are saved."))
                return redirect("stakeholders:me")
    memberships = membership_list_for(actor).filter(user=actor.user)
    context = {"memberships": memberships, "profile": profile, "form": form, "actor": actor}
    return render(request, "stakeholders/me.html", context)


def reader_signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    # Anyone may sign up as a reader, so the list of libraries to choose from is public (active libraries only).
    libraries = Organization.objects.active().filter(kind=OrganizationKind.LIBRARY).order_by("name_zh")
    form = ReaderSignupForm(request.POST or None, libraries=libraries)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            profile = services.reader_register(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                display_name=data["display_name"],
                home_library=data["home_library"],
                card_number=data["card_number"],
                consent_contact=data["consent_contact"],
                consent_trials=data["consent_trials"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            login(request, profile.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your reader account is ready."))
            return redirect("core:dashboard")
    return render(request, "registration/reader_signup.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    managed = [m.organization for m in actor.memberships if m.role in MANAGING_ROLES]
    form = TokenForm(request.POST or None, managed=managed)
    raw_key = ""
    if request.method == "POST" and form.is_valid():
        org_id = form.cleaned_data["organization"]
        organization = next((o for o in managed if o.pk == org_id), None)
        try:
            _token, raw_key = services.token_create(
                actor=actor,
                name=form.cleaned_data["name"],
                organization=organization,
                expires_at=form.cleaned_data["expires_at"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            # The raw key is shown on this one response only; it is stored as a hash.
            form = TokenForm(managed=managed)
    context = {"tokens": token_list_for(actor), "form": form, "raw_key": raw_key}
    return render(request, "stakeholders/token_list.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    token = get_object_or_404(token_list_for(actor), pk=pk)
    try:
        services.token_revoke(actor=actor, token=token)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The token is revoked."))
    return redirect("stakeholders:token-list")

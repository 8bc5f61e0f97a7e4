"""Every free-text field renders escaped on every page (issue #9, "Hardening").

The demo data is seeded, then every free-text column of every model of the project's apps is overwritten
with a script payload that names its field, and every GET page of the URL conf is requested as the
operator, library staff, a partner, the government officer and a reader. No page may answer 5xx, and no
HTML body may contain the payload raw; the escaped payload must show up for most fields, so the test
cannot pass by rendering nothing. Models, fields and routes are found by introspection: a new text field
is filled and a new page is requested without touching this file, and a new route whose arguments cannot
be filled fails the test until it is taught here (``ROUTE_MODELS``) or listed in ``SKIP_ROUTES``.

Three smaller tests: every form of those pages is sent with the payload in its text boxes (the answer must
show it escaped, never raw); the main API create endpoints store the payload exactly as sent and their
detail pages show it escaped; every URL field refuses ``javascript:`` links, which escaping cannot stop.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models.functions import Cast, Concat
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from pghistory.models import Event
from rest_framework.test import APIClient

from core import demo
from core.history import _REGISTRY as HISTORY_REGISTRY
from insight.drilldown import FIGURES

pytestmark = pytest.mark.django_db

APPS = (
    "alliance", "coordination", "community", "feedback", "insight", "notifications", "risk", "stakeholders",
    "webhooks", "core",
)  # fmt: skip

RAW = ("<script>gjx(", "<svg onload=gjx", "<i>gjx", "</script>\"'><svg")
ESCAPED = re.compile(r"&lt;script&gt;gjx\((\d+)\)|&lt;i&gt;gjx(\d+)&lt;/i&gt;")
# json_script writes < and > as \u003C and \u003E; decoded JSON then holds the payload as plain text.
JSON_SCRIPT = re.compile(r'<script id="([^"]+)" type="application/json">(.*?)</script>', re.S)
IN_TEXT = re.compile(r"<script>gjx\((\d+)\)|<i>gjx(\d+)</i>")
SCRIPT_LINK = re.compile(r"""(?:href|src|action)=["']?\s*javascript:""", re.I)

# Field types that keep a format checked on input and are used as addresses or identifiers.
SKIP_TYPES = (models.EmailField, models.URLField, models.SlugField, models.FileField)
# Secrets and machine identifiers: stored hashed or compared, never shown as text.
SKIP_NAMES = re.compile(r"password|hash|token|(^|_)key$|secret|prefix|fingerprint")
SKIP = {
    "core.DemoMarker.name": "the marker seed_demo --once looks for; not shown on any page",
    "coordination.Meeting.timezone": "an IANA zone name the calendar converts times with; chosen from a list",
    "alliance.FundingSource.currency": "a three-letter ISO code; too short to hold markup",
    "insight.ReportJob.period": "a period key (2026-Q1) the report is computed from; too short to hold markup",
    "notifications.Digest.period": "daily/weekly key the digest sweeper selects on; not free text",
}
SKIP_ROUTES = {
    "accounts/reset/<uidb64>/<token>/": "needs a one-time token from the reset e-mail; renders only a form",
    "stakeholders:invitation-accept": "the token is stored hashed, so no row can fill it; accepting is tested in tests/stakeholders",
    "coordination:feed": "an iCalendar feed behind a hashed token, not HTML",
    "feedback:staff-action": "POST only (assign, route, answer ...); its effects are rendered by the detail page",
    "coordination:agenda-item-edit": "POST only; the edited item is rendered by the meeting and its edit page",
    "coordination:agenda-item-remove": "POST only; archives the item, which then leaves the meeting's pages",
}
# The model whose pk fills ``<int:pk>``, by the route's path up to the argument.
ROUTE_MODELS = {
    "org/": "stakeholders.Organization",
    "org/memberships/": "stakeholders.Membership",
    "org/invitations/": "stakeholders.Invitation",
    "org/capabilities/": "stakeholders.Capability",
    "org/tokens/": "stakeholders.ApiToken",
    "org/privacy/readers/": "stakeholders.ReaderProfile",
    "alliances/": "alliance.Alliance",
    "alliances/members/": "alliance.AllianceMember",
    "alliances/needs/": "alliance.Need",
    "alliances/invitations/": "alliance.PartnerInvitation",
    "alliances/projects/": "alliance.Project",
    "alliances/projects/participants/": "alliance.ProjectParticipant",
    "alliances/projects/milestones/": "alliance.Milestone",
    "alliances/projects/deliverables/": "alliance.Deliverable",
    "alliances/projects/trials/": "alliance.Trial",
    "alliances/projects/corrections/": "alliance.CorrectionRequest",
    "alliances/training/": "alliance.TrainingProgram",
    "alliances/training/sessions/": "alliance.TrainingSession",
    "alliances/training/enrolments/": "alliance.TrainingEnrolment",
    "alliances/guidance/": "alliance.GuidanceDocument",
    "alliances/funding/sources/": "alliance.FundingSource",
    "alliances/funding/allocations/": "alliance.Allocation",
    "alliances/funding/expenditures/": "alliance.Expenditure",
    "alliances/funding/projects/": "alliance.Project",
    "alliances/funding/milestones/": "alliance.Milestone",
    "alliances/funding/tranches/": "alliance.Tranche",
    "alliances/funding/reports/": "alliance.FinancialReport",
    "alliances/contracts/": "alliance.Contract",
    "alliances/ip/": "alliance.IPAsset",
    "notifications/": "notifications.Notification",
    "notifications/deliveries/": "notifications.Delivery",
    "risk/registers/": "risk.RiskRegister",
    "risk/risks/": "risk.Risk",
    "risk/mitigations/": "risk.Mitigation",
    "risk/plans/": "risk.EmergencyPlan",
    "risk/preassessments/": "risk.PreAssessment",
    "risk/preassessments/start/": "alliance.Project",
    "feedback/mine/": "feedback.Feedback",
    "feedback/needs/": "alliance.Need",
    "feedback/inbox/": "feedback.Feedback",
    "feedback/partner/": "feedback.Feedback",
    "feedback/surveys/": "feedback.Survey",
    "community/threads/": "community.Thread",
    "community/acknowledgements/documents/": "alliance.GuidanceDocument",
    "community/acknowledgements/": "community.Acknowledgement",
    "webhooks/": "webhooks.Subscription",
    "webhooks/deliveries/": "webhooks.WebhookDelivery",
    "insight/alliances/": "alliance.Alliance",
    "insight/reports/": "insight.ReportJob",
    "coordination/meetings/": "coordination.Meeting",
    "coordination/action-items/": "coordination.ActionItem",
    "coordination/plans/": "coordination.ResearchPlan",
}
# Rows of the demo users below, so the reader's and the partner's own pages are seen as they see them.
OWN_ROWS = {
    "feedback.Feedback": ({"reader__user__username": "reader001"},),
    "alliance.Alliance": ({"members__organization__memberships__user__username": "zhitu-manager"},),
    "alliance.Project": ({"participants__organization__memberships__user__username": "zhitu-manager"},),
}
SKIP_PREFIXES = ("api/", "admin/", "static/", "media/", "healthz", "i18n/", "jsi18n/")
# Who requests every page: the operator, library staff, a partner, the government officer and a reader.
USERS = ("admin", "zjlib-director", "zjlib-librarian", "zhitu-manager", "zjwl-officer", "reader001")
MIN_SEEN = 0.8  # share of the filled fields (of models with rows) whose escaped payload some page shows


def _payload(n: int, max_length: int | None) -> str | None:
    full = f"<script>gjx({n})</script>\"'><svg onload=gjx({n})>"
    short = f"<i>gjx{n}</i>"
    if max_length is None or max_length >= len(full) + 8:
        return full
    if max_length >= len(short) + 8:
        return short
    return None


def _unique_fields(model: type[models.Model]) -> set[str]:
    names = {f.name for f in model._meta.concrete_fields if f.unique}
    for constraint in model._meta.constraints:
        names.update(getattr(constraint, "fields", ()) or ())
    for group in model._meta.unique_together:
        names.update(group)
    return names


def fill_text_fields() -> tuple[dict[int, str], dict[str, str]]:
    """Overwrite every free-text column with its payload; returns {payload id: label} and {label: why skipped}."""
    filled: dict[int, str] = {}
    skipped: dict[str, str] = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in APPS or meta.proxy or not meta.managed or issubclass(model, Event):
            continue  # history rows are written by the triggers when the tracked rows are updated
        unique = _unique_fields(model)
        for field in meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField) or field.choices:
                continue
            label = f"{meta.label}.{field.name}"
            n = len(filled) + 1
            payload = _payload(n, field.max_length)
            if label in SKIP:
                skipped[label] = SKIP[label]
            elif isinstance(field, SKIP_TYPES):
                skipped[label] = f"{type(field).__name__}: a format checked on input"
            elif SKIP_NAMES.search(field.name):
                skipped[label] = "a secret or machine identifier, never shown as text"
            elif payload is None:
                skipped[label] = f"max_length {field.max_length} is too short to hold markup"
            else:
                value: Any = payload
                if field.name in unique:
                    value = Concat(models.Value(payload), Cast("pk", models.CharField()))
                try:
                    with transaction.atomic():
                        model._base_manager.update(**{field.name: value})
                except DatabaseError as exc:
                    pytest.fail(f"{label} cannot hold the payload ({exc}); add it to SKIP with the reason")
                filled[n] = label
    return filled, skipped


def _is_field(label: str) -> bool:
    model_label, name = label.rsplit(".", 1)
    try:
        apps.get_model(model_label)._meta.get_field(name)
    except (LookupError, FieldDoesNotExist):
        return False
    return True


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str, URLPattern]]:
    routes = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += _walk(entry, prefix + str(entry.pattern), ns)
        else:
            routes.append((prefix + str(entry.pattern), f"{namespace}{entry.name}", entry))
    return routes


def _first_pk(label: str) -> Any:
    return apps.get_model(label)._base_manager.order_by("pk").values_list("pk", flat=True).first()


def _pks(label: str) -> list[Any]:
    """The first row, and for each kind of row that points at this model the first row it points at.

    So a risk with a review, a risk with an acceptance and a register with incidents are all requested,
    and the text of the rows they list is looked at, not only the first row's own.
    """
    model = apps.get_model(label)
    pks = {_first_pk(label)}
    for relation in model._meta.related_objects:
        related = relation.related_model
        if relation.many_to_many or related._meta.app_label not in APPS or issubclass(related, Event):
            continue
        pks.add(
            related._base_manager.filter(**{f"{relation.field.name}__isnull": False})
            .order_by("pk")
            .values_list(relation.field.attname, flat=True)
            .first()
        )
    for filters in OWN_ROWS.get(label, ()):
        pks.add(model._base_manager.filter(**filters).order_by("pk").values_list("pk", flat=True).first())
    return sorted(pk for pk in pks if pk is not None)


def pages() -> tuple[list[str], list[str]]:
    """Every GET page to request, and the routes that could not be filled (neither known nor skipped)."""
    urls, unfillable = [], []
    for route, name, _pattern in _walk(get_resolver()):
        if route.startswith(SKIP_PREFIXES) or route in SKIP_ROUTES or name in SKIP_ROUTES:
            continue
        args = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if not args:
            urls.append("/" + route)
        elif route.startswith("history/"):
            for key, (model, _selector) in HISTORY_REGISTRY.items():
                pk = _first_pk(model._meta.label)
                app_label, model_name = key.split(".")
                if pk is not None:
                    urls.append(f"/history/{app_label}/{model_name}/{pk}/")
        elif args == ["figure"]:
            urls += [f"/{route.split('<')[0]}{figure}/" for figure in FIGURES]
        elif args == ["pk", "document_pk"]:
            row = apps.get_model("alliance.ContractDocument")._base_manager.order_by("pk").first()
            if row is not None:
                urls.append(f"/{route.split('<')[0]}{row.contract_id}/documents/{row.pk}/")
        elif len(args) == 1 and route.split("<")[0] in ROUTE_MODELS:
            urls += ["/" + re.sub(r"<[^>]+>", str(pk), route) for pk in _pks(ROUTE_MODELS[route.split("<")[0]])]
        else:
            unfillable.append(f"{name} ({route})")
    return urls, unfillable


def _seen(body: str) -> set[int]:
    return {int(a or b) for a, b in ESCAPED.findall(body)}


def _json_blocks(body: str, where: str) -> set[int]:
    """Ids of payloads inside json_script blocks; each block must be intact JSON that ends where it should."""
    seen = set()
    for block_id, text in JSON_SCRIPT.findall(body):
        try:
            data = json.loads(text)
        except ValueError:
            pytest.fail(f"{where}: the json_script block {block_id!r} is not JSON (a payload broke out?)")
        seen |= {int(a or b) for a, b in IN_TEXT.findall(json.dumps(data, ensure_ascii=False))}
    return seen


def test_every_text_field_renders_escaped_on_every_page():
    demo.seed()
    User = get_user_model()
    users = [User.objects.get(username=name) for name in USERS]  # before the user names become payloads too
    assert users[0].is_superuser
    urls, unfillable = pages()
    assert not unfillable, (
        "routes whose arguments this test cannot fill; map them in ROUTE_MODELS or list them in SKIP_ROUTES:\n"
        + "\n".join(unfillable)
    )
    assert not [label for label in SKIP if not _is_field(label)], "SKIP names a field that does not exist"
    filled, skipped = fill_text_fields()
    seen: dict[int, set[str]] = defaultdict(set)
    errors, raw = [], []
    requested = 0
    in_json_script: set[int] = set()
    for user in users:
        client = Client()
        client.force_login(user)
        languages = ("zh-hans", "en") if user.username == "zjlib-director" else ("zh-hans",)
        for language in languages:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            for url in urls:
                response = client.get(url)
                requested += 1
                where = f"{user.username} {language} GET {url}"
                if response.status_code >= 500:
                    errors.append(f"{where}: {response.status_code}")
                if not response.get("Content-Type", "").startswith("text/html") or response.streaming:
                    continue
                body = response.content.decode()
                if any(head in body for head in RAW):
                    ids = {int(a or b) for a, b in IN_TEXT.findall(body)}
                    raw.append(f"{where}: {', '.join(filled.get(n, str(n)) for n in sorted(ids)) or 'a payload'}")
                raw += [f"{where}: a javascript: link" for link in SCRIPT_LINK.findall(body)]
                in_json = _json_blocks(body, where)
                in_json_script |= in_json
                for n in _seen(body) | in_json:
                    seen[n].add(url)
    assert not errors, "pages that fail:\n" + "\n".join(errors)
    assert not raw, "pages that render a payload unescaped (XSS):\n" + "\n".join(raw)

    shown = {label for n, label in filled.items() if n in seen}
    # A field of a model the demo has no rows of (no erasure yet, no webhook delivery) cannot show anywhere.
    present = {label for label in filled.values() if apps.get_model(label.rsplit(".", 1)[0])._base_manager.exists()}
    unseen = sorted(present - shown)
    print(f"\n{len(filled)} text fields filled on {len({lbl.rsplit('.', 1)[0] for lbl in filled.values()})} models, "
          f"{len(skipped)} skipped; {len(urls)} pages x users/languages = {requested} requests; "
          f"{len(present)} on models with rows, {len(shown)} of them seen escaped; never shown: {', '.join(unseen)}")  # fmt: skip
    share = len(shown) / len(present)
    print(f"seen inside json_script blocks: {', '.join(sorted(filled[n] for n in in_json_script if n in filled))}")
    assert in_json_script, "no payload reached a json_script block; the chart data is not looked at"
    assert share >= MIN_SEEN, (
        f"only {share:.0%} of the filled fields (of models with rows) show on some page; not shown:\n"
        + "\n".join(unseen)
    )
    # The fields a reader, partner or librarian types most must show on some page.
    for label in ("feedback.Feedback.text", "alliance.Need.title", "risk.Risk.title", "alliance.Project.title"):
        assert label in shown, f"{label} is shown on no page"


def _made(response: Any) -> int:
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_text_posted_through_the_api_is_stored_as_given_and_shown_escaped():
    """The API keeps what was typed (escaping belongs to the output), and the page shows it escaped."""
    demo.seed()
    User = get_user_model()
    director, reader = User.objects.get(username="zjlib-director"), User.objects.get(username="reader001")
    library = apps.get_model("stakeholders.Organization").objects.get(name_en="Zhejiang Library")
    alliance = apps.get_model("alliance.Alliance").objects.filter(lead_library=library).order_by("pk").first()
    register = apps.get_model("risk.RiskRegister").objects.filter(alliance=alliance, archived_at=None).first()
    assert alliance is not None and register is not None
    staff_api, reader_api = APIClient(), APIClient()
    staff_api.force_authenticate(director)
    reader_api.force_authenticate(reader)
    text = "<script>gjx(900)</script>\"'><svg onload=gjx(900)>"
    start = timezone.now() + timedelta(days=5)
    made = {
        "feedback.Feedback": _made(reader_api.post("/api/v1/feedback/", {"kind": "need", "text": text})),
        "alliance.Need": _made(staff_api.post("/api/v1/needs/", {
            "library": library.pk, "alliance": alliance.pk, "category": "space", "title": text, "description": text,
        }, format="json")),
        "risk.Risk": _made(staff_api.post("/api/v1/risks/", {
            "register": register.pk, "category": "funding", "title": text, "cause": text, "likelihood": 3, "impact": 4,
        }, format="json")),
        "coordination.Meeting": _made(staff_api.post("/api/v1/coordination/meetings/", {
            "alliance": alliance.pk, "kind": "workshop", "title": text, "description": text, "place": text,
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
        }, format="json")),
        "community.Thread": _made(staff_api.post("/api/v1/community/threads/", {
            "alliance": alliance.pk, "title": text, "body": text,
        }, format="json")),
    }  # fmt: skip
    reply = staff_api.post(f"/api/v1/community/threads/{made['community.Thread']}/reply/", {"body": text + "r"})
    assert reply.status_code in (200, 201), reply.content
    stored = {
        "feedback.Feedback": ["text"],
        "alliance.Need": ["title", "description"],
        "risk.Risk": ["title", "cause"],
        "coordination.Meeting": ["title", "description", "place"],
        "community.Thread": ["title"],
    }
    for label, fields in stored.items():
        row = apps.get_model(label).objects.get(pk=made[label])
        assert {name: getattr(row, name) for name in fields} == dict.fromkeys(fields, text), label
    Post = apps.get_model("community.Post")
    assert Post.objects.filter(thread_id=made["community.Thread"], body=text + "r").exists()

    detail_pages = {
        "/feedback/inbox/{}/": ("feedback.Feedback", director),
        "/feedback/mine/{}/": ("feedback.Feedback", reader),
        "/alliances/needs/{}/": ("alliance.Need", director),
        "/risk/risks/{}/": ("risk.Risk", director),
        "/coordination/meetings/{}/": ("coordination.Meeting", director),
        "/community/threads/{}/": ("community.Thread", director),
    }
    for page, (label, user) in detail_pages.items():
        client = Client()
        client.force_login(user)
        response = client.get(page.format(made[label]))
        assert response.status_code == 200, page
        body = response.content.decode()
        assert not any(head in body for head in RAW), page
        assert "&lt;script&gt;gjx(900)&lt;/script&gt;&quot;&#x27;&gt;&lt;svg onload=gjx(900)&gt;" in body, page


def test_every_url_field_refuses_a_script_url():
    """Links are rendered from URL fields as href; escaping does not stop a javascript: URL, validation does."""
    checked = []
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.URLField):
                for value in ("javascript:gjx(1)", "JaVaScRiPt:gjx(1)", "data:text/html,<script>gjx(1)</script>"):
                    with pytest.raises(ValidationError):
                        field.run_validators(value)
                checked.append(f"{model._meta.label}.{field.name}")
    assert "stakeholders.Organization.website" in checked and "coordination.Meeting.online_url" in checked


class _Forms(HTMLParser):
    """The forms of a page: action, method and fields (inputs, text areas, selects with their chosen option)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": []})
        elif not self.forms or "name" not in a or "disabled" in a:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if (kind in ("checkbox", "radio") and "checked" not in a) or kind in ("file", "submit", "button", "image"):
                return
            self.forms[-1]["fields"].append((a["name"], kind, a.get("value", "")))
        elif tag == "textarea":
            self.forms[-1]["fields"].append((a["name"], "textarea", ""))
        elif tag == "select":
            self._select = a["name"]
            self.forms[-1]["fields"].append((a["name"], "select", None))
        elif tag == "option" and self._select:
            fields = self.forms[-1]["fields"]
            name, kind, chosen = fields[-1]
            if a.get("value") and (chosen is None or "selected" in a):
                fields[-1] = (name, kind, a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


TEXT_INPUTS = ("text", "search", "textarea", "tel")
# Forms not posted: they end the session or change the language; their fields hold no free text.
SKIP_FORMS = ("/accounts/logout/", "/i18n/setlang/")


def test_every_form_takes_the_payload_and_shows_it_escaped():
    """Each form of each page is sent with the payload in every text box; whatever page comes back (the form
    again with errors, or the page the write redirects to) must not answer 5xx or show the payload raw."""
    demo.seed()
    User = get_user_model()
    urls, _unfillable = pages()
    sent: set[tuple[str, str, tuple[str, ...]]] = set()
    errors, raw, echoed = [], [], 0
    for username in ("zjlib-director", "zhitu-manager", "reader001", "admin"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in urls:
            page = client.get(url)
            if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
                continue
            parser = _Forms()
            parser.feed(page.content.decode())
            for form in parser.forms:
                action = form["action"] or url
                key = (action, form["method"], tuple(sorted(name for name, _kind, _value in form["fields"])))
                if action.startswith(SKIP_FORMS) or not action.startswith("/") or key in sent:
                    continue
                sent.add(key)
                n = 1000 + len(sent)
                text = f"<script>gjx({n})</script>\"'><svg onload=gjx({n})>"
                data = {
                    name: text[:90] if kind in TEXT_INPUTS else value
                    for name, kind, value in form["fields"]
                    if value is not None
                }
                if form["method"] == "post":
                    response = client.post(action, data, follow=True)
                else:
                    response = client.get(action, data, follow=True)
                where = f"{username} {form['method'].upper()} {action} (form on {url})"
                if response.status_code >= 500:
                    errors.append(f"{where}: {response.status_code}")
                if not response.get("Content-Type", "").startswith("text/html"):
                    continue
                body = response.content.decode()
                if any(head in body for head in RAW):
                    raw.append(where)
                echoed += f"&lt;script&gt;gjx({n})" in body
    print(f"\n{len(sent)} forms sent; the payload came back escaped on {echoed} of the pages they led to")
    assert not errors, "forms that fail on a script payload:\n" + "\n".join(errors)
    assert not raw, "forms whose answer shows the payload unescaped (XSS):\n" + "\n".join(raw)
    assert len(sent) >= 50 and echoed >= 20

"""Seed a large, realistic data set with COPY (psycopg2 ``copy_expert``), once per scale.

Rows are generated from the models' own field lists, so a column the models gain later gets its default
without touching this file. Triggers (pghistory) and foreign-key checks are off while copying
(``session_replication_role = replica``): the ids are consistent by construction, and history of
synthetic rows is not what is measured. The big table's secondary indexes are dropped during the copy and
rebuilt afterwards (much faster than maintaining a trigram index row by row), then everything is ANALYZEd.

A marker table ``bench_marker`` records the scale and the seed version: a second run with the same scale
skips seeding. Use a dedicated database (``gj_benchdata``): the marker is not a Django model.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

SEED_VERSION = 1
PASSWORD = "bench-password"  # every seeded person's password (a synthetic data set)


@dataclass(frozen=True)
class Scale:
    organizations: int = 500
    alliances: int = 200
    projects: int = 5_000
    feedback: int = 1_000_000
    risks: int = 100_000
    people: int = 20_000
    fanout: int = 10_000

    @property
    def name(self) -> str:
        return "-".join(str(v) for v in asdict(self).values())


DEFAULT = Scale()
SMALL = Scale(organizations=60, alliances=20, projects=400, feedback=40_000, risks=4_000, people=3_000, fanout=1_000)
TINY = Scale(organizations=30, alliances=6, projects=60, feedback=3_000, risks=600, people=400, fanout=100)


def scale_named(name: str) -> Scale:
    return {"default": DEFAULT, "full": DEFAULT, "small": SMALL, "tiny": TINY}[name]


# --- COPY helpers ------------------------------------------------------------------------------------------------

_ESC = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _fmt(v: Any) -> str:
    if v is None:
        return r"\N"
    if v is True:
        return "t"
    if v is False:
        return "f"
    if isinstance(v, int | float | Decimal):
        return str(v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        inner = ",".join('"' + str(x).replace("\\", "\\\\").replace('"', '\\"') + '"' for x in v)
        return ("{" + inner + "}").translate(_ESC)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False).translate(_ESC)
    return str(v).translate(_ESC)


_REQUIRED = object()


def copy_rows(cur: Any, model: Any, rows: Iterable[dict[str, Any]], *, batch: int = 50_000) -> int:
    """COPY `rows` (dicts keyed by attname) into the model's table; missing fields take their defaults."""
    from django.utils import timezone

    fields = list(model._meta.concrete_fields)
    now = timezone.now()
    defaults: list[Any] = []
    for f in fields:
        if f.has_default():
            defaults.append(f.get_default())
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults.append(now)
        elif f.null:
            defaults.append(None)
        elif f.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField", "URLField", "FileField"):
            defaults.append("")
        else:
            defaults.append(_REQUIRED)
    names = [f.attname for f in fields]
    is_json = [f.get_internal_type() == "JSONField" for f in fields]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
    total = 0
    buf = io.StringIO()
    n = 0
    for row in rows:
        vals = []
        for name, default, js in zip(names, defaults, is_json, strict=True):
            v = row.get(name, default)
            if v is _REQUIRED:
                raise ValueError(f"{model.__name__}.{name} is required")
            vals.append(json.dumps(v, ensure_ascii=False).translate(_ESC) if js and v is not None else _fmt(v))
        buf.write("\t".join(vals))
        buf.write("\n")
        n += 1
        if n >= batch:
            buf.seek(0)
            cur.copy_expert(sql, buf)
            total += n
            buf = io.StringIO()
            n = 0
    if n:
        buf.seek(0)
        cur.copy_expert(sql, buf)
        total += n
    return total


def _next_id(cur: Any, model: Any) -> int:
    cur.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')  # noqa: S608 - a model's table
    return int(cur.fetchone()[0])


def _reset_sequences(cur: Any, models: Iterable[Any]) -> None:
    for model in models:
        t = model._meta.db_table
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{t}\"', 'id'), (SELECT COALESCE(MAX(id), 1) FROM \"{t}\"))"  # noqa: S608
        )


def _drop_indexes(cur: Any, table: str) -> list[str]:
    """Drop the table's non-constraint indexes; return their definitions to rebuild them."""
    cur.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.tablename = %s AND NOT EXISTS (
             SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
        [table],
    )
    rows = cur.fetchall()
    for name, _ in rows:
        cur.execute(f'DROP INDEX "{name}"')
    return [d for _, d in rows]


# --- vocabulary --------------------------------------------------------------------------------------------------

SUBJECTS = [
    "自助借还机", "三楼阅览室", "空调", "座位预约系统", "电子阅览室", "少儿绘本区", "停车场", "移动图书馆App",
    "数字资源库", "古籍阅览室", "自习区插座", "智能书架", "检索终端", "Wi-Fi", "打印机", "储物柜",
    "open-access e-books", "self-checkout kiosk", "reading room lights", "seat booking", "mobile app login",
]  # fmt: skip
PROBLEMS = [
    "经常无法识别借书证", "温度太低", "预约后座位被占", "网速很慢", "开放时间太短", "希望增加新书", "指引标识不清楚",
    "噪音太大", "排队时间太长", "页面打不开", "工作人员态度很好", "希望延长开放时间", "设备经常死机",
    "does not recognise my card", "is too noisy in the afternoon", "keeps logging me out", "needs more copies",
]  # fmt: skip
TAGS = ["设备", "环境", "服务", "资源", "系统", "access", "noise", "staff"]
RISK_TITLES = [
    "数据泄露", "供应商交付延期", "系统宕机", "读者隐私合规", "预算超支", "设备兼容性", "网络安全攻击", "人员流失",
    "vendor lock-in", "accessibility gaps", "data migration errors", "scope creep",
]  # fmt: skip


# --- the seed ----------------------------------------------------------------------------------------------------


def _ensure_marker(cur: Any) -> None:
    cur.execute(
        "CREATE TABLE IF NOT EXISTS bench_marker (scale text PRIMARY KEY, version int NOT NULL, "
        "seeded_at timestamptz NOT NULL DEFAULT now(), info jsonb NOT NULL DEFAULT '{}')"
    )


def seeded_info(scale: Scale) -> dict[str, Any] | None:
    from django.db import connection

    with connection.cursor() as cur:
        _ensure_marker(cur)
        cur.execute("SELECT version, info FROM bench_marker WHERE scale = %s", [scale.name])
        row = cur.fetchone()
    if row and row[0] == SEED_VERSION:
        info = row[1]
        return info if isinstance(info, dict) else json.loads(info)
    return None


def seed(scale: Scale, *, log: Any = print) -> dict[str, Any]:
    """Seed `scale` unless the marker says it is already there; return the ids the load needs."""
    from django.db import connection

    info = seeded_info(scale)
    if info is not None:
        log(f"data set {scale.name} already seeded (version {SEED_VERSION}); skipping")
        return info
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM bench_marker")
        if cur.fetchone()[0]:
            raise SystemExit(
                "this database holds another bench scale; use a fresh database per scale (BENCH_DATABASE_URL)"
            )
    t0 = time.monotonic()
    info = _seed(scale, log)
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO bench_marker (scale, version, info) VALUES (%s, %s, %s)",
            [scale.name, SEED_VERSION, json.dumps(info)],
        )
    log(f"seeded {scale.name} in {time.monotonic() - t0:.0f} s")
    return info


def _seed(scale: Scale, log: Any) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, Permission
    from django.db import connection, transaction
    from django.utils import timezone

    from alliance.models import (
        Alliance,
        AllianceGroupObjectPermission,
        AllianceMember,
        Project,
        ProjectGroupObjectPermission,
        ProjectParticipant,
    )
    from core.models import User
    from feedback.choices import Channel, FeedbackKind, FeedbackStatus, Theme
    from feedback.models import Feedback
    from risk.choices import RiskCategory, RiskStatus, level_for
    from risk.models import Risk, RiskRegister
    from stakeholders.models import Membership, Organization, ReaderProfile

    rnd = random.Random(9)
    now = timezone.now()
    password = make_password(PASSWORD)

    def perm(app: str, codename: str) -> int:
        return Permission.objects.get(content_type__app_label=app, codename=codename).pk

    p_view_alliance, p_change_alliance = perm("alliance", "view_alliance"), perm("alliance", "change_alliance")
    p_view_project, p_change_project = perm("alliance", "view_project"), perm("alliance", "change_project")

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cur.execute("SET LOCAL synchronous_commit = off")

        # organisations and their groups: a quarter libraries, a tenth government, the rest partners
        t = time.monotonic()
        g0, o0 = _next_id(cur, Group), _next_id(cur, Organization)
        kinds = []
        for i in range(scale.organizations):
            r = i % 20
            kinds.append(
                "library" if r < 5 else "government" if r < 7 else ("enterprise", "university", "research")[r % 3]
            )
        copy_rows(cur, Group, ({"id": g0 + i, "name": f"bench-org-{o0 + i}"} for i in range(scale.organizations)))
        copy_rows(
            cur,
            Organization,
            (
                {
                    "id": o0 + i,
                    "kind": kinds[i],
                    "name_zh": f"{'浙江' if i % 2 else '杭州'}{kinds[i]}机构{i}",
                    "name_en": f"Bench {kinds[i]} {i}",
                    "region": ("杭州", "宁波", "温州", "绍兴")[i % 4],
                    "verification_status": "verified",
                    "group_id": g0 + i,
                    "created_at": now - timedelta(days=900 - i % 300),
                }
                for i in range(scale.organizations)
            ),
        )
        org_ids = [o0 + i for i in range(scale.organizations)]
        libraries = [o for o, k in zip(org_ids, kinds, strict=True) if k == "library"]
        governments = [o for o, k in zip(org_ids, kinds, strict=True) if k == "government"]
        partners = [o for o, k in zip(org_ids, kinds, strict=True) if k not in ("library", "government")]
        group_of = {o0 + i: g0 + i for i in range(scale.organizations)}
        log(f"  organisations {scale.organizations} ({time.monotonic() - t:.1f} s)")

        # people: eight staff per organisation, the rest readers of the libraries
        t = time.monotonic()
        staff_n = min(scale.organizations * 8, scale.people // 2)
        readers_n = scale.people - staff_n
        u0 = _next_id(cur, User)
        copy_rows(
            cur,
            User,
            (
                {
                    "id": u0 + i,
                    "username": f"bench{u0 + i}",
                    "password": password,
                    "email": f"bench{u0 + i}@bench.example",
                    "first_name": "",
                    "last_name": "",
                    "is_active": True,
                    "is_staff": False,
                    "is_superuser": False,
                    "date_joined": now - timedelta(days=i % 700),
                    "preferred_language": "zh-hans" if i % 3 else "en",
                }
                for i in range(scale.people)
            ),
        )
        staff_of: dict[int, list[int]] = {o: [] for o in org_ids}
        m0 = _next_id(cur, Membership)
        memberships = []
        for i in range(staff_n):
            org = org_ids[i % scale.organizations]
            k = len(staff_of[org])
            staff_of[org].append(u0 + i)
            role = "owner" if k == 0 else "manager" if k == 1 else "member"
            memberships.append({"id": m0 + i, "user_id": u0 + i, "organization_id": org, "role": role})
        copy_rows(cur, Membership, memberships)
        r0 = _next_id(cur, ReaderProfile)
        reader_ids: dict[int, list[int]] = {lib: [] for lib in libraries}
        reader_users = []

        def reader_rows() -> Iterator[dict[str, Any]]:
            for j in range(readers_n):
                lib = libraries[j % len(libraries)]
                card = f"33{j:010d}"
                reader_ids[lib].append(r0 + j)
                reader_users.append(u0 + staff_n + j)
                yield {
                    "id": r0 + j,
                    "user_id": u0 + staff_n + j,
                    "home_library_id": lib,
                    "card_number_hash": hashlib.sha256(card.encode()).hexdigest(),
                    "card_number_masked": card[:2] + "******" + card[-4:],
                    "consent_contact": j % 2 == 0,
                    "consent_trials": j % 3 == 0,
                }

        copy_rows(cur, ReaderProfile, reader_rows())
        log(f"  people {scale.people} ({staff_n} staff, {readers_n} readers) ({time.monotonic() - t:.1f} s)")

        # alliances: a lead library, a government guide and four partners each
        t = time.monotonic()
        a0, am0, ag0 = (
            _next_id(cur, Alliance),
            _next_id(cur, AllianceMember),
            _next_id(cur, AllianceGroupObjectPermission),
        )
        alliances: list[dict[str, Any]] = []
        members: list[dict[str, Any]] = []
        aperms: list[dict[str, Any]] = []
        alliance_partners: dict[int, list[int]] = {}
        alliance_lead: dict[int, int] = {}
        alliance_gov: dict[int, int] = {}
        for a in range(scale.alliances):
            aid = a0 + a
            lead = libraries[a % len(libraries)]
            gov = governments[a % len(governments)]
            ps = [partners[(a * 4 + k) % len(partners)] for k in range(4)]
            alliance_partners[aid], alliance_lead[aid], alliance_gov[aid] = ps, lead, gov
            alliances.append(
                {
                    "id": aid,
                    "name": f"智慧图书馆共建联盟 {a}",
                    "lead_library_id": lead,
                    "created_at": now - timedelta(days=800 - a),
                }
            )
            for org, role in [(lead, "demand"), (gov, "guide")] + [
                (p, "provider" if k < 2 else "assistant") for k, p in enumerate(ps)
            ]:
                members.append({"id": am0 + len(members), "alliance_id": aid, "organization_id": org, "role": role})
                aperms.append(
                    {
                        "id": ag0 + len(aperms),
                        "group_id": group_of[org],
                        "permission_id": p_view_alliance,
                        "content_object_id": aid,
                    }
                )
            aperms.append(
                {
                    "id": ag0 + len(aperms),
                    "group_id": group_of[lead],
                    "permission_id": p_change_alliance,
                    "content_object_id": aid,
                }
            )
        copy_rows(cur, Alliance, alliances)
        copy_rows(cur, AllianceMember, members)
        copy_rows(cur, AllianceGroupObjectPermission, aperms)
        log(f"  alliances {scale.alliances} ({time.monotonic() - t:.1f} s)")

        # projects: two participating partners; the lead, participants and the guide see each
        t = time.monotonic()
        p0, pp0, pg0 = (
            _next_id(cur, Project),
            _next_id(cur, ProjectParticipant),
            _next_id(cur, ProjectGroupObjectPermission),
        )
        projects: list[dict[str, Any]] = []
        participants: list[dict[str, Any]] = []
        pperms: list[dict[str, Any]] = []
        statuses = ["needs_analysis", "seeking_partners", "in_development", "in_development", "in_trial", "accepted"]
        project_alliance: dict[int, int] = {}
        for p in range(scale.projects):
            pid = p0 + p
            aid = a0 + p % scale.alliances
            project_alliance[pid] = aid
            lead = alliance_lead[aid]
            ps = alliance_partners[aid]
            chosen = [ps[p % 4], ps[(p + 1) % 4]]
            projects.append(
                {
                    "id": pid,
                    "alliance_id": aid,
                    "title": f"{SUBJECTS[p % len(SUBJECTS)]}改造项目 {p}",
                    "summary": "Bench project",
                    "status": statuses[p % len(statuses)],
                    "budget": Decimal(100_000 + p % 50 * 10_000),
                    "created_by_id": staff_of[lead][0],
                    "created_at": now - timedelta(days=700 - p % 700),
                }
            )
            for k, org in enumerate(chosen):
                participants.append(
                    {
                        "id": pp0 + len(participants),
                        "project_id": pid,
                        "organization_id": org,
                        "role": "provider" if k == 0 else "assistant",
                    }
                )
            for org in [lead, alliance_gov[aid], *chosen]:
                pperms.append(
                    {
                        "id": pg0 + len(pperms),
                        "group_id": group_of[org],
                        "permission_id": p_view_project,
                        "content_object_id": pid,
                    }
                )
            pperms.append(
                {
                    "id": pg0 + len(pperms),
                    "group_id": group_of[lead],
                    "permission_id": p_change_project,
                    "content_object_id": pid,
                }
            )
        valid_status = {c for c, _ in Project._meta.get_field("status").choices or []}
        for row in projects:
            if row["status"] not in valid_status:
                row["status"] = next(iter(sorted(valid_status)))
        copy_rows(cur, Project, projects)
        copy_rows(cur, ProjectParticipant, participants)
        copy_rows(cur, ProjectGroupObjectPermission, pperms)
        log(f"  projects {scale.projects} ({time.monotonic() - t:.1f} s)")

        # risks: one register per project, risks spread over them; about 1 % due for the sweeper now
        t = time.monotonic()
        rg0, rk0 = _next_id(cur, RiskRegister), _next_id(cur, Risk)
        registers = [
            {
                "id": rg0 + p,
                "alliance_id": project_alliance[p0 + p],
                "project_id": p0 + p,
                "title": f"项目风险登记册 {p}",
                "created_by_id": staff_of[alliance_lead[project_alliance[p0 + p]]][0],
            }
            for p in range(scale.projects)
        ]
        copy_rows(cur, RiskRegister, registers)
        categories = list(RiskCategory.values)
        risk_statuses = [
            RiskStatus.OPEN,
            RiskStatus.TREATING,
            RiskStatus.TREATING,
            RiskStatus.ACCEPTED,
            RiskStatus.CLOSED,
        ]

        def risk_rows() -> Iterator[dict[str, Any]]:
            for i in range(scale.risks):
                p = i % scale.projects
                aid = project_alliance[p0 + p]
                org = alliance_partners[aid][p % 4]
                li, im = 1 + rnd.randrange(5), 1 + rnd.randrange(5)
                rl, ri = max(1, li - 1), max(1, im - 1)
                due = i % 100 == 0
                next_review = now - timedelta(days=1) if due else now + timedelta(days=1 + i % 90)
                status = str(risk_statuses[i % len(risk_statuses)])
                yield {
                    "id": rk0 + i,
                    "register_id": rg0 + p,
                    "category": categories[i % len(categories)],
                    "title": f"{RISK_TITLES[i % len(RISK_TITLES)]} {i}",
                    "cause": "bench",
                    "consequence": "bench",
                    "owner_id": staff_of[org][i % len(staff_of[org])] if staff_of[org] else None,
                    "owner_organization_id": org,
                    "likelihood": li,
                    "impact": im,
                    "inherent_score": li * im,
                    "inherent_level": level_for(li * im),
                    "residual_likelihood": rl,
                    "residual_impact": ri,
                    "residual_score": rl * ri,
                    "residual_level": level_for(rl * ri),
                    "status": status,
                    "next_review_at": next_review,
                    "sweep_at": None if status == RiskStatus.CLOSED else next_review,
                    "created_by_id": staff_of[alliance_lead[aid]][0],
                    "created_at": now - timedelta(days=i % 600),
                }

        risk_indexes = _drop_indexes(cur, Risk._meta.db_table)
        copy_rows(cur, Risk, risk_rows())
        for d in risk_indexes:
            cur.execute(d)
        log(f"  risks {scale.risks} ({time.monotonic() - t:.1f} s)")

        # feedback: readers of each library over two years; newest first in id order like real intake
        t = time.monotonic()
        f0 = _next_id(cur, Feedback)
        kinds_f = list(FeedbackKind.values)
        statuses_f = list(FeedbackStatus.values)
        themes = [*list(Theme.values), ""]
        channels = list(Channel.values)
        lib_projects: dict[int, list[int]] = {}
        for pid, aid in project_alliance.items():
            lib_projects.setdefault(alliance_lead[aid], []).append(pid)

        def feedback_rows() -> Iterator[dict[str, Any]]:
            span = 730 * 24 * 3600
            for i in range(scale.feedback):
                lib = libraries[i % len(libraries)]
                readers = reader_ids[lib]
                created = now - timedelta(seconds=span * (scale.feedback - i) / scale.feedback)
                subj = SUBJECTS[rnd.randrange(len(SUBJECTS))]
                status = statuses_f[rnd.randrange(len(statuses_f))]
                projs = lib_projects.get(lib)
                on_project = projs is not None and i % 10 == 0
                yield {
                    "id": f0 + i,
                    "library_id": lib,
                    "reader_id": readers[rnd.randrange(len(readers))] if readers else None,
                    "channel": channels[i % len(channels)],
                    "kind": kinds_f[i % len(kinds_f)],
                    "text": f"{subj}{PROBLEMS[rnd.randrange(len(PROBLEMS))]}（第{i}条）",
                    "rating": 1 + i % 5 if i % 3 == 0 else None,
                    "subject": subj,
                    "status": status,
                    "theme": themes[i % len(themes)],
                    "tags": [TAGS[i % len(TAGS)]] if i % 4 == 0 else [],
                    "project_id": projs[i % len(projs)] if on_project and projs else None,
                    "routed_to_id": alliance_partners[project_alliance[projs[i % len(projs)]]][0]
                    if on_project and projs
                    else None,
                    "state_entered_at": created,
                    "created_at": created,
                    "updated_at": created,
                }

        fb_indexes = _drop_indexes(cur, Feedback._meta.db_table)
        copy_rows(cur, Feedback, feedback_rows())
        log(f"  feedback {scale.feedback} copied ({time.monotonic() - t:.1f} s); rebuilding indexes")
        for d in fb_indexes:
            cur.execute(d)
        log(f"  feedback indexes ({time.monotonic() - t:.1f} s)")

        _reset_sequences(
            cur,
            [Group, Organization, User, Membership, ReaderProfile, Alliance, AllianceMember, AllianceGroupObjectPermission,
             Project, ProjectParticipant, ProjectGroupObjectPermission, RiskRegister, Risk, Feedback],
        )  # fmt: skip
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    partner_org = alliance_partners[a0][0]
    library = alliance_lead[a0]
    return {
        "library": library,
        "library_staff": staff_of[library][1],  # a manager
        "partner_user": staff_of[partner_org][1],
        "reader_users": reader_users[: scale.fanout],
        "reader_of_library": u0 + staff_n + libraries.index(library),
        "project": p0,
        "register": rg0,
    }

"""The benchmark data set: a province's units, cadres with full files, training credit, appraisals and meetings.

Generated once per (scale, seed) into the database named in DATABASE_URL and recorded in the table
`bench_dataset`, so later runs reuse it. Everything is drawn from `random.Random(seed)` against the fixed day
TODAY: two generations of the same scale give the same rows. Rows go in with COPY (test data, not the audited
product services), but they keep every constraint and invariant of the models so the product works on them.
"""

from __future__ import annotations

import io
import json
import os
import random
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import unquote, urlparse
from zoneinfo import ZoneInfo

SEED = 20261101
# the day the data set is "as of": every date in it is drawn relative to this one, and the benchmarks ask about it
TODAY = date(2026, 11, 1)
NOW = datetime(2026, 11, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PASSWORD = "orgdept-bench-2026"  # noqa: S105 - the benchmark users' published password

# one user per role the benchmarks need; usernames for the other benchmark modules
ADMIN_USER = "bench_admin"
LEADER_USER = "bench_buling"
GANBU_USER = "bench_ganbu"  # 干部科: lists and views every cadre, prepares proposals
ORGANIZATION_USER = "bench_zuzhi"
TRAINING_USER = "bench_peixun"
APPRAISAL_USER = "bench_kaohe"
CHANGWEI_USER = "bench_changwei"  # 常委: a standing member of the first district's committee, linked to the cadre
MEMBER_USER = "bench_weiyuan"

# share of cadres with an account of their own (they read their transcript and get training reminders)
CADRE_ACCOUNT_SHARE = 0.2
PROPOSAL_SHARE = 0.02  # cadres with an appointment proposal

LOCK_KEY = 7_260_111  # pg advisory lock: one generator per database at a time

# tables emptied before a generation starts again (CASCADE takes every table that refers to them)
WIPE_TABLES = [
    "auth_user",
    "cadres_unit",
    "committees_committee",
    "core_auditevent",
    "core_notification",
    "core_reminder",
    "training_trainingplan",
    "appraisal_appraisalcycle",
    "meetings_topic",
]


def log(message: str) -> None:
    sys.stderr.write(f"bench.generate: {message}\n")
    sys.stderr.flush()


# --- the database ------------------------------------------------------------------------------------------


def _url_parts() -> dict:
    url = urlparse(os.environ["DATABASE_URL"])
    return {
        "dbname": unquote(url.path.lstrip("/")),
        "user": unquote(url.username or ""),
        "password": unquote(url.password or ""),
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
    }


def ensure_database() -> None:
    """Creates the database named in DATABASE_URL if it does not exist (before django.setup())."""
    import psycopg2
    from psycopg2 import sql

    parts = _url_parts()
    name = parts.pop("dbname")
    connection = psycopg2.connect(dbname="postgres", **parts)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                log(f"creating database {name}")
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def drop_database(name: str) -> None:
    """Drops a database on the server of DATABASE_URL (the smoke test's own database)."""
    import psycopg2
    from psycopg2 import sql

    parts = _url_parts()
    parts.pop("dbname")
    connection = psycopg2.connect(dbname="postgres", **parts)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        connection.close()


def ensure_data(scale, *, seed: int = SEED) -> str:
    """Migrates, then generates the data set of `scale` unless this database already holds it; returns a summary."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    _ensure_seeded()
    _bookkeeping_table()
    with connection.cursor() as cursor:
        # a second run started meanwhile waits here, then finds the data set finished
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT scale, seed, finished_at, summary FROM bench_dataset")
            rows = cursor.fetchall()
        if len(rows) == 1 and rows[0][:2] == (scale.name, seed) and rows[0][2] is not None:
            return rows[0][3]
        if rows:
            log(f"discarding {', '.join(f'{r[0]}/{r[1]}' + ('' if r[2] else ' (unfinished)') for r in rows)}")
        wipe()
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_dataset (scale, seed) VALUES (%s, %s)", [scale.name, seed])
        started = time.perf_counter()
        summary = generate(scale, seed=seed)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            # marked last: a generation killed before this line is wiped and redone by the next run
            cursor.execute(
                "UPDATE bench_dataset SET finished_at = now(), summary = %s WHERE scale = %s AND seed = %s",
                [summary, scale.name, seed],
            )
        log(f"{scale.name} data set ready in {time.perf_counter() - started:.0f} s: {summary}")
        return summary
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


# what the data migrations seed (roles, the holiday calendar, meeting rules, work areas): a database copied from a
# test database that a transactional test has flushed has the tables without them
SEED_MIGRATIONS = [
    ("orgdept.core.migrations.0002_roles_calendar_audit_guard", ("create_roles", "seed_calendar")),
    ("meetings.migrations.0002_seed_meeting_rules", ("seed",)),
    ("committees.migrations.0003_seed_work_areas", ("seed",)),
]


def _ensure_seeded() -> None:
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Group

    from meetings.models import MeetingType
    from orgdept.core.roles import sync_role_permissions

    if Group.objects.exists() and MeetingType.objects.exists():
        return
    log("seeding what the data migrations seed")
    for module, functions in SEED_MIGRATIONS:
        migration = import_module(module)
        for name in functions:
            # the seeds only read models from `apps` and create what is missing
            getattr(migration, name)(apps, None)
    sync_role_permissions()


def _bookkeeping_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_dataset (scale text NOT NULL, seed bigint NOT NULL, "
            "started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz, summary text NOT NULL DEFAULT '')"
        )


def wipe() -> None:
    """Empties every table the generator fills (and the bookkeeping), keeping what migrations seeded."""
    from django.db import connection

    _bookkeeping_table()
    with connection.cursor() as cursor:
        # inside a transaction (a test) the deferred foreign-key checks of earlier inserts must run first
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(WIPE_TABLES)} RESTART IDENTITY CASCADE")
        cursor.execute("DELETE FROM bench_dataset")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# --- COPY -----------------------------------------------------------------------------------------------------


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)


# looked up by exact type, so True is not taken for the int 1
_FORMATS = {
    str: lambda v: v.translate(_ESCAPES),
    int: str,
    bool: lambda v: "t" if v else "f",
    type(None): lambda v: "\\N",
    Decimal: str,
    float: repr,
    date: date.isoformat,
    datetime: datetime.isoformat,
    dict: _json,
    list: _json,
}


def _text(value) -> str:
    fmt = _FORMATS.get(type(value))
    if fmt is None:  # a subclass: choices (str enums), dates of other classes
        fmt = next(f for t, f in _FORMATS.items() if isinstance(value, t) and t not in (int, bool))
        if isinstance(value, str):
            value = str(value.value) if hasattr(value, "value") else str(value)
    return fmt(value)


class Copier:
    """Rows of one model written with COPY, in chunks, columns named by field; ids are given by the caller."""

    CHUNK = 50_000

    def __init__(self, model, columns: list[str], *, after: Copier | None = None):
        from django.db import connection

        # the rows this table refers to go in first (foreign keys are checked row by row)
        self.after = after
        self.connection = connection
        opts = model._meta
        quote = connection.ops.quote_name
        names = ", ".join(quote(opts.get_field(name).column) for name in columns)
        self.sql = f"COPY {quote(opts.db_table)} ({names}) FROM STDIN"
        self.width = len(columns)
        self.buffer: list[str] = []
        self.count = 0

    def add(self, row: tuple) -> None:
        formats = _FORMATS
        self.buffer.append("\t".join([formats[type(v)](v) if type(v) in formats else _text(v) for v in row]))
        if len(self.buffer) >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.after is not None:
            self.after.flush()
        if not self.buffer:
            return
        data = io.StringIO("\n".join(self.buffer) + "\n")
        with self.connection.cursor() as cursor:
            cursor.copy_expert(self.sql, data)
        self.count += len(self.buffer)
        self.buffer = []


def copy_rows(model, columns: list[str], rows) -> int:
    copier = Copier(model, columns)
    for row in rows:
        copier.add(row)
    copier.flush()
    return copier.count


# --- vocabulary -----------------------------------------------------------------------------------------------

# surnames with weights roughly as common as they are (王 李 张 刘 陈 lead)
SURNAMES = [
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22), ("赵", 21), ("吴", 20),
    ("周", 19), ("徐", 15), ("孙", 15), ("马", 14), ("朱", 13), ("胡", 13), ("郭", 12), ("何", 12), ("高", 11),
    ("林", 11), ("罗", 11), ("郑", 10), ("梁", 10), ("谢", 8), ("宋", 8), ("唐", 8), ("许", 7), ("韩", 7),
    ("冯", 7), ("邓", 7), ("曹", 7), ("彭", 6), ("曾", 6), ("肖", 6), ("田", 6), ("董", 5), ("袁", 5), ("潘", 5),
    ("于", 5), ("蒋", 5), ("蔡", 5), ("余", 5), ("杜", 5), ("叶", 4), ("程", 4), ("苏", 4), ("魏", 4), ("吕", 4),
    ("丁", 4), ("任", 4), ("沈", 4), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3),
    ("汪", 3), ("范", 3), ("金", 3), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3), ("韦", 3), ("付", 3), ("方", 3),
    ("白", 2), ("邹", 2), ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2),
    ("段", 2), ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2), ("毛", 2),
    ("郝", 2), ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2), ("覃", 1), ("单", 1), ("解", 1), ("查", 1),
    ("欧阳", 1), ("司马", 1), ("诸葛", 1),
]  # fmt: skip
MALE_GIVEN = [
    ("伟", 40), ("强", 20), ("磊", 18), ("军", 18), ("勇", 16), ("杰", 15), ("涛", 14), ("斌", 12), ("超", 12),
    ("明", 12), ("刚", 10), ("平", 10), ("辉", 10), ("鹏", 9), ("华", 9), ("飞", 8), ("鑫", 8), ("波", 8),
    ("宇", 8), ("浩", 7), ("凯", 7), ("健", 7), ("俊", 7), ("帆", 5), ("建", 6), ("国", 6), ("峰", 6), ("林", 5),
    ("志", 6), ("文", 6), ("海", 5), ("东", 5), ("新", 4), ("春", 4), ("晓", 4), ("云", 4), ("德", 3), ("荣", 3),
]  # fmt: skip
FEMALE_GIVEN = [
    ("芳", 30), ("娜", 20), ("敏", 20), ("静", 20), ("丽", 18), ("艳", 16), ("婷", 14), ("霞", 12), ("玲", 12),
    ("燕", 12), ("娟", 11), ("萍", 10), ("红", 10), ("莉", 9), ("丹", 9), ("雪", 8), ("琳", 8), ("慧", 8),
    ("晶", 7), ("颖", 7), ("倩", 6), ("洁", 6), ("佳", 6), ("梅", 6), ("秀", 5), ("英", 5), ("华", 5), ("云", 4),
    ("晓", 5), ("春", 4), ("文", 4), ("月", 3),
]  # fmt: skip
DISTRICT_FIRST = "云青临东西南北金玉宝安永兴长清和盛华新明"
DISTRICT_SECOND = "岭山江湖峰城川河宁平阳泉溪台林坪湾"
TOWN_FIRST = "大小上下新老石龙凤马白黄红青桃柳松梅竹杨李沙"
TOWN_SECOND = "坝营村桥庄湾河沟山坡寨田铺集关口塘溪"
# (name after the district, kind, head title, deputy titles)
BUREAUS = [
    ("区委办公室", "party", "主任", ["常务副主任", "副主任"]),
    ("区委组织部", "party", "常务副部长", ["副部长", "副部长（兼）"]),
    ("区委宣传部", "party", "常务副部长", ["副部长"]),
    ("区委统战部", "party", "常务副部长", ["副部长"]),
    ("区委政法委员会", "party", "常务副书记", ["副书记"]),
    ("区纪委监委", "party", "副书记", ["常委", "委员"]),
    ("区人民政府办公室", "government", "主任", ["副主任", "党组成员、副主任"]),
    ("区发展和改革局", "government", "局长", ["副局长", "党组成员、副局长"]),
    ("区教育体育局", "government", "局长", ["副局长", "党组成员、副局长"]),
    ("区科学技术和工业信息化局", "government", "局长", ["副局长"]),
    ("区公安分局", "government", "局长", ["政委", "副局长"]),
    ("区民政局", "government", "局长", ["副局长"]),
    ("区司法局", "government", "局长", ["副局长"]),
    ("区财政局", "government", "局长", ["副局长", "党组成员、副局长"]),
    ("区人力资源和社会保障局", "government", "局长", ["副局长"]),
    ("区自然资源局", "government", "局长", ["副局长"]),
    ("区住房和城乡建设局", "government", "局长", ["副局长", "党组成员、副局长"]),
    ("区交通运输局", "government", "局长", ["副局长"]),
    ("区农业农村局", "government", "局长", ["副局长", "党组成员、副局长"]),
    ("区水务局", "government", "局长", ["副局长"]),
    ("区商务局", "government", "局长", ["副局长"]),
    ("区文化和旅游局", "government", "局长", ["副局长"]),
    ("区卫生健康局", "government", "局长", ["副局长", "党组成员、副局长"]),
    ("区退役军人事务局", "government", "局长", ["副局长"]),
    ("区应急管理局", "government", "局长", ["副局长"]),
    ("区审计局", "government", "局长", ["副局长"]),
    ("区市场监督管理局", "government", "局长", ["副局长", "党组成员、副局长"]),
    ("区统计局", "government", "局长", ["副局长"]),
    ("区医疗保障局", "government", "局长", ["副局长"]),
    ("区城市管理局", "government", "局长", ["副局长"]),
    ("区人民医院", "institution", "院长", ["副院长", "党委书记"]),
    ("区第一中学", "institution", "校长", ["副校长", "党总支书记"]),
    ("区融媒体中心", "institution", "主任", ["副主任"]),
    ("区城市建设投资集团有限公司", "enterprise", "董事长", ["总经理", "副总经理"]),
]
SUB_UNITS = ["办公室", "综合科", "政策法规科", "财务审计科", "人事科", "监督检查科", "规划发展科", "执法大队"]
PLACES = [
    "云南昆明", "云南大理", "云南曲靖", "云南玉溪", "云南红河", "云南楚雄", "云南昭通", "四川成都", "四川宜宾",
    "贵州遵义", "贵州贵阳", "湖南长沙", "湖南邵阳", "湖北武汉", "江西九江", "河南南阳", "山东潍坊", "重庆万州",
]  # fmt: skip
ETHNICITIES = ["彝族", "白族", "哈尼族", "傣族", "壮族", "苗族", "回族", "纳西族"]
SCHOOLS = [
    ("云南大学", ["经济学院经济学专业", "法学院法学专业", "历史与档案学院历史学专业", "数学与统计学院数学专业"]),
    ("云南师范大学", ["文学院汉语言文学专业", "马克思主义学院思想政治教育专业"]),
    ("昆明理工大学", ["建筑工程学院土木工程专业", "管理与经济学院工商管理专业"]),
    ("云南财经大学", ["会计学院会计学专业", "财政与经济学院财政学专业"]),
    ("云南农业大学", ["农学与生物技术学院农学专业"]),
    ("西南政法大学", ["行政法学院法学专业"]),
    ("四川大学", ["公共管理学院行政管理专业"]),
]
IN_SERVICE = [
    ("研究生", "", "云南省委党校经济管理专业"),
    ("研究生", "管理学硕士", "云南大学公共管理专业"),
    ("大学", "", "中央党校函授学院法律专业"),
    ("研究生", "法律硕士", "云南大学法学院法律专业"),
]
TITLES = ["经济师", "高级经济师", "工程师", "高级工程师", "会计师", "讲师", "助理经济师"]
EXPERTISE = ["熟悉经济工作", "熟悉党务工作", "熟悉城市规划建设", "熟悉农村工作", "熟悉财政金融", "熟悉法律事务"]
COURSES = [
    "习近平新时代中国特色社会主义思想专题", "党的二十大精神学习", "党纪学习教育专题", "新发展理念专题",
    "乡村振兴战略专题", "数字政府建设", "依法行政能力提升", "领导干部应急管理能力", "生态文明建设专题",
    "意识形态工作专题", "基层治理现代化", "优化营商环境专题", "公文写作与信息报送", "统计法治专题",
    "防范化解重大风险", "铸牢中华民族共同体意识", "国家安全教育", "干部心理健康", "民法典学习", "财务管理实务",
]  # fmt: skip
ORGANISERS = [
    "中国干部网络学院",
    "云南干部在线学习学院",
    "省委党校",
    "市委党校",
    "区委党校",
    "浙江大学",
    "延安干部学院",
]
TOPIC_TITLES = [
    "关于{unit}年度工作要点的请示", "关于{unit}机构职能调整的请示", "关于{unit}重点项目建设方案的请示",
    "关于{unit}专项资金使用安排的请示", "关于{unit}党建工作责任制落实情况的报告", "关于{unit}安全生产工作的报告",
]  # fmt: skip


def _pick(rng: random.Random, table: list[tuple[str, int]]):
    values = [v for v, _w in table]
    cumulative, total = [], 0
    for _v, w in table:
        total += w
        cumulative.append(total)
    return lambda: rng.choices(values, cum_weights=cumulative, k=1)[0]


def _month(value: date) -> date:
    return value.replace(day=1)


def _add_months(value: date, months: int) -> date:
    index = value.year * 12 + value.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _years_later(value: date, years: int) -> date:
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=NOW.tzinfo)


# --- the generator ----------------------------------------------------------------------------------------------


class Generator:
    """Draws the data set of one scale and writes it; ids are assigned here so rows can refer to each other."""

    def __init__(self, scale, seed: int):
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.counts: dict[str, int] = defaultdict(int)
        self.users: dict[str, int] = {}
        self.used_ids: set[str] = set()

    def run(self) -> str:
        self.make_users()
        self.make_units()
        self.make_cadres()
        self.make_cadre_accounts()
        self.make_proposals()
        self.make_training()
        self.make_appraisals()
        self.make_committees_and_meetings()
        self.reset_sequences()
        c = self.counts
        return (
            f"{c['cadres']:,} cadres in {c['units']:,} units, {c['credit']:,} credit rows, "
            f"{c['proposals']:,} proposals, {c['appraisal_members']:,} appraisal results over "
            f"{self.scale.appraisal_years} years, {c['meetings']:,} meetings with {c['votes']:,} votes; "
            f"as of {TODAY.isoformat()}, seed {self.seed}"
        )

    # -- users --------------------------------------------------------------------------------------------------

    def make_users(self) -> None:
        """The benchmark users, through the role groups (their permissions come from the roles' declarations)."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group

        from orgdept.core import roles

        User = get_user_model()
        plan = [
            (ADMIN_USER, roles.SYSTEM_ADMIN, "管理员"),
            (LEADER_USER, roles.DEPARTMENT_LEADER, "部领导"),
            (GANBU_USER, roles.CADRE_SECTION, "干部科"),
            (ORGANIZATION_USER, roles.ORGANIZATION_SECTION, "组织科"),
            (TRAINING_USER, roles.TRAINING_SECTION, "培训科"),
            (APPRAISAL_USER, roles.APPRAISAL_OFFICE, "考核办"),
            (CHANGWEI_USER, roles.STANDING_MEMBER, "常委"),
            (MEMBER_USER, roles.MEMBER, "委员"),
        ]
        # hashed once: the hash is deliberately slow and every benchmark user has the same password
        password = make_password(PASSWORD)
        for username, role, label in plan:
            user = User.objects.create(
                username=username,
                password=password,
                first_name=label,
                is_staff=(role == roles.SYSTEM_ADMIN),
                date_joined=NOW,
            )
            user.groups.add(Group.objects.get(name=role))
            self.users[username] = user.pk
        log(f"{len(plan)} users")

    # -- units and positions -----------------------------------------------------------------------------------

    def make_units(self) -> None:
        from cadres.models import Position, PositionQuota, Rank, Unit

        rng = self.rng
        total = self.scale.units
        districts = max(1, round(total / 100))
        names = [a + b for a in DISTRICT_FIRST for b in DISTRICT_SECOND]
        rng.shuffle(names)
        units = []  # (id, name, short, kind, parent_id, order, district index, role)
        per_district = [total // districts + (1 if i < total % districts else 0) for i in range(districts)]
        for d, budget in enumerate(per_district):
            dname = names[d] + "区"
            made = []
            root_id = len(units) + 1
            made.append((root_id, f"中共{dname}委员会", f"{dname}委", "party", None, "root"))
            children = []
            for suffix, kind, _head, _deputies in BUREAUS:
                children.append((f"{dname}{suffix[1:] if suffix.startswith('区') else suffix}", suffix, kind))
            towns = [a + b for a in TOWN_FIRST for b in TOWN_SECOND]
            rng.shuffle(towns)
            for i, town in enumerate(towns[:14]):
                children.append((f"{dname}{town}{'街道' if i < 4 else '镇'}", "township", "township"))
            rng.shuffle(children)
            bureau_ids = []
            for name, key, kind in children:
                if len(made) >= budget:
                    break
                made.append((root_id + len(made), name, key if key != "township" else "", kind, root_id, key))
                if kind != "township":
                    bureau_ids.append((root_id + len(made) - 1, name, kind))
            sub = 0
            while len(made) < budget and bureau_ids:
                parent_id, parent_name, kind = bureau_ids[sub % len(bureau_ids)]
                label = SUB_UNITS[(sub // len(bureau_ids)) % len(SUB_UNITS)]
                if sub // len(bureau_ids) >= len(SUB_UNITS):
                    label = f"{label}{sub // (len(bureau_ids) * len(SUB_UNITS)) + 1}"
                made.append((root_id + len(made), f"{parent_name}{label}", label, kind, parent_id, "sub"))
                sub += 1
            for index, (uid, name, short, kind, parent, role) in enumerate(made):
                units.append((uid, name, short[:30], kind, parent, d * 1000 + index, d, role))
        self.units = units
        self.district_names = [names[d] + "区" for d in range(districts)]
        copy_rows(
            Unit,
            ["id", "name", "short_name", "kind", "parent", "order", "created_at", "updated_at"],
            ((u[0], u[1], u[2], u[3], u[4], u[5], NOW, NOW) for u in units),
        )
        # posts: (id, unit id, title, level, leading, role, elected)
        bureau_titles = {suffix: (head, deputies) for suffix, _k, head, deputies in BUREAUS}
        positions = []
        for uid, name, _short, _kind, _parent, _order, _d, role in units:
            if role == "root":
                posts = [
                    ("书记", Rank.ZHENG_CHU, "head", False),
                    ("副书记", Rank.FU_CHU, "deputy", False),
                    ("专职副书记", Rank.FU_CHU, "deputy", False),
                ]
            elif role == "township":
                head_title = "街道党工委书记" if name.endswith("街道") else "党委书记"
                second = "办事处主任" if name.endswith("街道") else "镇长"
                posts = [
                    (head_title, Rank.ZHENG_KE, "head", False),
                    (second, Rank.ZHENG_KE, "head", not name.endswith("街道")),
                    ("副" + second.replace("办事处", ""), Rank.FU_KE, "deputy", False),
                    ("党委副书记", Rank.FU_KE, "deputy", False),
                ]
            elif role == "sub":
                posts = [("负责人", "", "other", False)]
            else:
                head, deputies = bureau_titles[role]
                posts = [(head, Rank.ZHENG_KE, "head", False)] + [(t, Rank.FU_KE, "deputy", False) for t in deputies]
            for order, (title, level, post_role, elected) in enumerate(posts):
                positions.append((len(positions) + 1, uid, title, level, bool(level), post_role, elected, order))
        self.positions = positions
        copy_rows(
            Position,
            ["id", "unit", "title", "level", "leading", "role", "rotation_kind", "elected", "home_area_avoidance",
             "order", "created_at", "updated_at"],
            ((p[0], p[1], p[2], p[3], p[4], p[5], "leader" if p[3] else "none", p[6], False, p[7], NOW, NOW)
             for p in positions),
        )  # fmt: skip
        quotas = defaultdict(int)
        for p in positions:
            if p[3]:
                quotas[(p[1], p[3])] += 1
        copy_rows(
            PositionQuota,
            ["id", "unit", "level", "approved", "created_at", "updated_at"],
            ((i, uid, level, n + (1 if (uid + i) % 5 == 0 else 0), NOW, NOW)
             for i, ((uid, level), n) in enumerate(sorted(quotas.items()), start=1)),
        )  # fmt: skip
        self.counts["units"] = len(units)
        log(f"{len(units):,} units, {len(positions):,} positions")

    # -- cadres and their files --------------------------------------------------------------------------------

    def _id_number(self, district: int, born: date, male: bool) -> str:
        from orgdept.core.idnumbers import id_number_check_char

        rng = self.rng
        while True:
            seq = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
            body = f"53{1 + district // 90:02d}{district % 90 + 2:02d}{born:%Y%m%d}{seq:03d}"
            number = body + id_number_check_char(body)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def make_cadres(self) -> None:
        from cadres.models import (
            COUNTY_LEVEL_RANKS,
            Cadre,
            Education,
            FamilyMember,
            PositionTenure,
            Rank,
            ResumeLine,
            RewardPunishment,
        )
        from cadres.services.records import name_initials

        rng = self.rng
        surname = _pick(rng, SURNAMES)
        male_given = _pick(rng, MALE_GIVEN)
        female_given = _pick(rng, FEMALE_GIVEN)
        initials_cache: dict[str, str] = {}

        def person_name(male: bool) -> str:
            given = male_given if male else female_given
            return surname() + given() + (given() if rng.random() < 0.62 else "")

        weights = {"root": 1.0, "township": 2.0, "sub": 0.5}
        unit_ids = [u[0] for u in self.units]
        unit_weights = [weights.get(u[7], 1.5) * rng.uniform(0.6, 1.4) for u in self.units]
        unit_by_id = {u[0]: u for u in self.units}
        n = self.scale.cadres
        assigned = rng.choices(unit_ids, weights=unit_weights, k=n)
        # every unit gets at least one cadre where there are enough
        for i, uid in enumerate(unit_ids[: min(len(unit_ids), n)]):
            assigned[i] = uid
        by_unit = defaultdict(list)
        for index, uid in enumerate(assigned):
            by_unit[uid].append(index + 1)
        # post holders: one cadre per post of the unit, as far as the unit has cadres
        holder = {}
        posts_by_unit = defaultdict(list)
        for p in self.positions:
            posts_by_unit[p[1]].append(p)
        for uid, posts in posts_by_unit.items():
            people = list(by_unit.get(uid, []))
            rng.shuffle(people)
            for post, cadre_id in zip(posts, people, strict=False):
                holder[cadre_id] = post
        self.holder = holder
        self.cadre_unit = {i + 1: uid for i, uid in enumerate(assigned)}
        other_ranks = [
            (Rank.DIAOYANYUAN_1, 1), (Rank.DIAOYANYUAN_2, 2), (Rank.DIAOYANYUAN_3, 3), (Rank.DIAOYANYUAN_4, 4),
            (Rank.ZHUREN_KEYUAN_1, 12), (Rank.ZHUREN_KEYUAN_2, 14), (Rank.ZHUREN_KEYUAN_3, 14),
            (Rank.ZHUREN_KEYUAN_4, 14), (Rank.KEYUAN_1, 18), (Rank.KEYUAN_2, 12), ("", 2),
        ]  # fmt: skip
        other_rank = _pick(rng, other_ranks)
        education_pick = _pick(rng, [("研究生", 18), ("大学", 62), ("大专", 15), ("中专", 3), ("高中及以下", 2)])
        status_pick = _pick(
            rng, [("中共党员", 86), ("中共预备党员", 1), ("群众", 6), ("民盟盟员", 2), ("九三学社社员", 2),
                  ("民进会员", 1), ("无党派人士", 2)]
        )  # fmt: skip

        cadre_cols = [
            "id", "name", "name_initials", "gender", "id_number", "birth_month", "ethnicity", "native_place",
            "birthplace", "political_status", "party_joined_month", "work_started_month", "health",
            "professional_title", "expertise", "education", "unit", "current_post", "rank", "post_since_month",
            "rank_since_month", "grassroots_months", "phone", "remarks", "photo", "version", "created_at",
            "updated_at",
        ]  # fmt: skip
        cadres = Copier(Cadre, cadre_cols)
        educations = Copier(Education, ["cadre", "kind", "education", "degree", "school_major"], after=cadres)
        resumes = Copier(ResumeLine, ["cadre", "start_month", "end_month", "description", "order"], after=cadres)
        family = Copier(
            FamilyMember,
            ["cadre", "relation", "name", "birth_month", "political_status", "work_and_post", "order"],
            after=cadres,
        )
        rewards = Copier(RewardPunishment, ["cadre", "kind", "month", "description", "order"], after=cadres)
        tenures = Copier(PositionTenure, ["cadre", "position", "start_month", "end_month", "is_current"], after=cadres)
        self.cadre_rank: dict[int, str] = {}
        self.cadre_name: dict[int, str] = {}
        self.cadre_gender: dict[int, str] = {}
        this_month = _month(TODAY)
        positions_all = self.positions
        for cadre_id in range(1, n + 1):
            uid = assigned[cadre_id - 1]
            unit = unit_by_id[uid]
            male = rng.random() < 0.66
            name = person_name(male)
            initials = initials_cache.get(name)
            if initials is None:
                initials = initials_cache[name] = name_initials(name)
            post = holder.get(cadre_id)
            # leaders are older on the whole
            born_year = rng.randint(1968, 1988) if post and post[3] else rng.randint(1966, 1999)
            born = date(born_year, rng.randint(1, 12), rng.randint(1, 28))
            id_number = self._id_number(unit[6], born, male)
            status = status_pick()
            party = status in ("中共党员", "中共预备党员")
            work_started = _month(_years_later(born, rng.randint(20, 24)) + timedelta(days=rng.randint(0, 200)))
            work_started = min(work_started, this_month)
            joined = None
            if party:
                joined = _month(_years_later(born, rng.randint(19, 32)))
                if status == "中共预备党员":
                    joined = _add_months(this_month, -rng.randint(1, 11))
                joined = min(joined, this_month)
            edu = education_pick()
            if post and post[3]:
                rank, current_post = post[3], f"{unit[1]}{post[2]}"
            else:
                rank = other_rank()
                current_post = f"{unit[1]}{post[2] if post else (rank or '工作人员')}"
            served = max(1, (this_month.year - work_started.year) * 12 + this_month.month - work_started.month)
            post_since = _add_months(this_month, -rng.randint(1, min(served, 120)))
            rank_since = _add_months(post_since, -rng.randint(0, 24))
            rank_since = max(rank_since, work_started)
            self.cadre_rank[cadre_id] = rank
            self.cadre_name[cadre_id] = name
            self.cadre_gender[cadre_id] = "M" if male else "F"
            cadres.add((
                cadre_id, name, initials, "M" if male else "F", id_number, _month(born),
                "汉族" if rng.random() < 0.88 else rng.choice(ETHNICITIES), rng.choice(PLACES), rng.choice(PLACES),
                status, joined, work_started, "健康",
                rng.choice(TITLES) if rng.random() < 0.15 else "",
                rng.choice(EXPERTISE) if rng.random() < 0.3 else "",
                edu, uid, current_post, rank, post_since, rank_since,
                rng.randint(0, 180) if rng.random() < 0.7 else None,
                f"13{rng.randint(0, 999999999):09d}", "", "", 1, NOW, NOW,
            ))  # fmt: skip
            school, majors = rng.choice(SCHOOLS)
            full_time = {"研究生": ("研究生", "硕士"), "大学": ("大学", "学士"), "大专": ("大专", ""),
                         "中专": ("中专", ""), "高中及以下": ("高中", "")}[edu]  # fmt: skip
            educations.add((cadre_id, "full_time", full_time[0], full_time[1], f"{school}{rng.choice(majors)}"))
            if rng.random() < 0.4:
                educations.add((cadre_id, "in_service", *rng.choice(IN_SERVICE)))
            # 简历: from starting work to now, the last line open
            stops = sorted({_add_months(work_started, rng.randint(1, served)) for _ in range(rng.randint(1, 4))})
            starts = [work_started] + [s for s in stops if s > work_started and s < post_since] + [post_since]
            starts = sorted(set(starts))
            for order, start in enumerate(starts):
                last = order == len(starts) - 1
                end = None if last else _add_months(starts[order + 1], -1)
                if end is not None and end < start:
                    end = start
                where = current_post if last else f"{unit_by_id[rng.choice(unit_ids)][1]}工作人员"
                resumes.add((cadre_id, start, end, where, order))
            # 家庭主要成员
            order = 0
            if rng.random() < 0.9:
                family.add((cadre_id, "妻子" if male else "丈夫", person_name(not male),
                            _month(_years_later(born, rng.randint(-3, 3))), rng.choice(["中共党员", "群众"]),
                            f"{rng.choice(PLACES)[2:]}市某单位职工", order))  # fmt: skip
                order += 1
            for _child in range(rng.randint(0, 2)):
                child_male = rng.random() < 0.5
                family.add((cadre_id, "儿子" if child_male else "女儿", name[0] + rng.choice("子晓小宇佳") + "",
                            _month(_years_later(born, rng.randint(24, 34))), "群众", "学生", order))  # fmt: skip
                order += 1
            family.add((cadre_id, "父亲", name[0] + male_given() + male_given(),
                        _month(_years_later(born, -rng.randint(22, 32))), "中共党员", "退休", order))  # fmt: skip
            if rng.random() < 0.15:
                rewards.add((cadre_id, "reward", date(rng.randint(2018, 2025), 1, 1),
                             f"{rng.randint(2017, 2024)}年度考核被评为优秀等次，记三等功", 0))  # fmt: skip
            if post:
                tenures.add((cadre_id, post[0], post_since, None, True))
                if rng.random() < 0.3:
                    other = positions_all[rng.randrange(len(positions_all))]
                    if other[0] != post[0]:
                        start = _add_months(post_since, -rng.randint(24, 60))
                        start = max(start, work_started)
                        end = max(start, _add_months(post_since, -1))
                        tenures.add((cadre_id, other[0], start, end, False))
            if cadre_id % 20_000 == 0:
                log(f"cadres {cadre_id:,}/{n:,}")
        for copier in (cadres, educations, resumes, family, rewards, tenures):
            copier.flush()
        self.counts["cadres"] = n
        self.county_ranks = set(COUNTY_LEVEL_RANKS)
        log(
            f"{n:,} cadres ({educations.count:,} education, {resumes.count:,} resume, {family.count:,} family, "
            f"{tenures.count:,} tenure rows)"
        )

    def make_cadre_accounts(self) -> None:
        """Accounts for a share of the cadres (no password usable until they set one; no email: nothing is sent)."""
        from django.contrib.auth import get_user_model

        User = get_user_model()
        rng = self.rng
        first_id = max(self.users.values()) + 1
        chosen = sorted(rng.sample(range(1, self.scale.cadres + 1), int(self.scale.cadres * CADRE_ACCOUNT_SHARE)))
        rows = []
        self.cadre_user: dict[int, int] = {}
        for offset, cadre_id in enumerate(chosen):
            user_id = first_id + offset
            name = self.cadre_name[cadre_id]
            rows.append((user_id, f"!{rng.getrandbits(128):032x}", f"cadre{cadre_id:06d}", name[1:], name[:1], "",
                         False, False, True, NOW, None))  # fmt: skip
            self.cadre_user[cadre_id] = user_id
        copy_rows(
            User,
            ["id", "password", "username", "first_name", "last_name", "email", "is_superuser", "is_staff",
             "is_active", "date_joined", "last_login"],
            rows,
        )  # fmt: skip
        self._link_accounts(self.cadre_user)
        self.counts["accounts"] = len(rows)
        log(f"{len(rows):,} cadre accounts")

    def _link_accounts(self, links: dict[int, int]) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_links (cadre_id bigint, user_id bigint)")
            cursor.execute("TRUNCATE bench_links")
            data = io.StringIO("".join(f"{c}\t{u}\n" for c, u in links.items()))
            cursor.copy_expert("COPY bench_links (cadre_id, user_id) FROM STDIN", data)
            cursor.execute("UPDATE cadres_cadre SET user_id = l.user_id FROM bench_links l WHERE id = l.cadre_id")
            cursor.execute("DROP TABLE bench_links")

    # -- appointment proposals ---------------------------------------------------------------------------------

    def make_proposals(self) -> None:
        from cadres.models import (
            AppointmentProposal,
            NoticeObjection,
            ProposalRound,
            ProposalTransition,
            Recommendation,
            RecommendationCandidate,
        )

        rng = self.rng
        ganbu = self.users[GANBU_USER]
        posts_by_unit = defaultdict(list)
        for p in self.positions:
            if p[3]:
                posts_by_unit[p[1]].append(p)
        candidates = [c for c in range(1, self.scale.cadres + 1) if posts_by_unit.get(self.cadre_unit[c])]
        count = max(12, int(self.scale.cadres * PROPOSAL_SHARE))
        chosen = sorted(rng.sample(candidates, min(count, len(candidates))))
        rounds, proposals, objections, recommendations, rec_candidates, transitions = [], [], [], [], [], []
        round_size = 20
        kinds = _pick(rng, [("notice", 15), ("appointed", 35), ("early", 40), ("closed", 10)])
        for index, cadre_id in enumerate(chosen):
            if index % round_size == 0:
                rounds.append((len(rounds) + 1, f"{TODAY.year}年第{len(rounds) + 1}批干部任免", "", ganbu, NOW, NOW))
            round_id = len(rounds)
            current = self.holder.get(cadre_id)
            posts = [p for p in posts_by_unit[self.cadre_unit[cadre_id]] if not current or p[0] != current[0]]
            target = rng.choice(posts)
            kind = kinds()
            pid = len(proposals) + 1
            initiated = TODAY - timedelta(days=rng.randint(20, 400))
            recommendation = None
            decided_on = notice_starts = notice_ends = appointed = probation_ends = closed = None
            stage_since = _at(TODAY - timedelta(days=rng.randint(1, 15)))
            if kind == "early":
                status = rng.choice(["initiated", "recommended", "inspected", "submitted", "deferred"])
                initiated = TODAY - timedelta(days=rng.randint(10, 120))
                stage_since = _at(initiated + timedelta(days=rng.randint(0, (TODAY - initiated).days - 1)))
                if status != "initiated":
                    rec_id = len(recommendations) + 1
                    held = TODAY - timedelta(days=rng.randint(30, 370))
                    recommendations.append((rec_id, rng.choice(["interview", "meeting"]), target[0], 1, held,
                                             rng.randint(20, 80), "", ganbu, NOW, NOW))  # fmt: skip
                    rec_candidates.append((rec_id, cadre_id, rng.randint(12, 20)))
                    recommendation = rec_id
            elif kind == "notice":
                status = "notice"
                notice_ends = TODAY + timedelta(days=rng.randint(-4, 6))
                notice_starts = notice_ends - timedelta(days=7)
                decided_on = notice_starts - timedelta(days=1)
                stage_since = _at(notice_starts)
                if notice_ends < TODAY and rng.random() < 0.5:
                    objections.append((pid, notice_starts + timedelta(days=2), "来信", "反映该同志工作作风问题。",
                                       None, "", False, ganbu, NOW, NOW))  # fmt: skip
            elif kind == "appointed":
                status = "appointed"
                appointed = TODAY - timedelta(days=rng.randint(0, 364))
                probation_ends = _years_later(appointed, 1) - timedelta(days=1)
                notice_ends = appointed - timedelta(days=1)
                notice_starts = notice_ends - timedelta(days=7)
                decided_on = notice_starts - timedelta(days=1)
                stage_since = _at(appointed)
            else:
                status = rng.choice(["confirmed", "withdrawn"])
                if status == "confirmed":
                    appointed = TODAY - timedelta(days=rng.randint(370, 700))
                    probation_ends = _years_later(appointed, 1) - timedelta(days=1)
                    closed = probation_ends + timedelta(days=3)
                    decided_on = appointed - timedelta(days=10)
                else:
                    closed = TODAY - timedelta(days=rng.randint(1, 100))
                stage_since = _at(closed)
            # initiated before anything else happened to it
            initiated = min(initiated, decided_on or initiated, stage_since.date())
            proposals.append((
                pid, round_id, cadre_id, "appoint", target[0], current[0] if current else None, status,
                self.cadre_rank[cadre_id] != target[3], self.cadre_rank[cadre_id], stage_since, initiated,
                "区委组织部", "工作需要，拟提名该同志任此职务。", recommendation, False, "", None, "",
                decided_on, "区委常委会" if decided_on else "", False, notice_starts, notice_ends, "", "",
                appointed, probation_ends, closed, None, None, ganbu, NOW, NOW,
            ))  # fmt: skip
            transitions.append((pid, "initiated", status, "", ganbu, stage_since))
        copy_rows(ProposalRound, ["id", "title", "note", "created_by", "created_at", "updated_at"], rounds)
        copy_rows(
            Recommendation,
            ["id", "kind", "position", "posts", "held_on", "participants", "note", "recorded_by", "created_at",
             "updated_at"],
            recommendations,
        )  # fmt: skip
        copy_rows(RecommendationCandidate, ["recommendation", "cadre", "votes"], rec_candidates)
        copy_rows(
            AppointmentProposal,
            ["id", "round", "cadre", "action", "target_position", "current_position", "status", "promotion",
             "former_level", "stage_since", "initiated_on", "initiated_by", "reason", "recommendation", "exceptional",
             "exceptional_reason", "exceptional_approved_on", "exceptional_approval_ref", "decided_on", "decided_by",
             "decided_at_plenary", "notice_starts_on", "notice_ends_on", "notice_exempt_ground",
             "notice_exempt_reason", "appointed_on", "probation_ends_on", "closed_on", "former_level_since",
             "confirms", "created_by", "created_at", "updated_at"],
            proposals,
        )  # fmt: skip
        copy_rows(
            ProposalTransition,
            ["proposal", "from_status", "to_status", "reason", "actor", "at"],
            [t for t in transitions if t[1] != t[2]],
        )
        copy_rows(
            NoticeObjection,
            ["proposal", "received_on", "source", "content", "resolved_on", "resolution", "upheld", "recorded_by",
             "created_at", "updated_at"],
            objections,
        )  # fmt: skip
        self.counts["proposals"] = len(proposals)
        log(f"{len(proposals):,} proposals in {len(rounds)} rounds, {len(objections)} open objections")

    # -- training ------------------------------------------------------------------------------------------------

    def make_training(self) -> None:
        from training.models import ClassSession, CreditEntry, Enrolment, TrainingClass, TrainingPlan

        rng = self.rng
        peixun, buling = self.users[TRAINING_USER], self.users[LEADER_USER]
        n = self.scale.cadres
        years = list(range(TODAY.year - 4, TODAY.year + 1))
        plans, classes, sessions = [], [], []
        classes_by_year: dict[int, list[tuple]] = defaultdict(list)
        per_year = max(2, n // 500)
        for year in years:
            plan_id = len(plans) + 1
            plans.append((plan_id, year, f"{year}年度干部教育培训计划", "", "approved", peixun,
                          _at(date(year - 1, 12, 1)), buling, _at(date(year - 1, 12, 20)), NOW, NOW))  # fmt: skip
            for i in range(per_year):
                class_id = len(classes) + 1
                upcoming = year == TODAY.year and i >= per_year - max(1, per_year // 10)
                if upcoming:
                    start = TODAY + timedelta(days=rng.randint(1, 20))
                else:
                    last = min(date(year, 12, 20), TODAY - timedelta(days=10))
                    start = date(year, 1, 5) + timedelta(days=rng.randint(0, (last - date(year, 1, 5)).days))
                days = rng.choice([3, 5])
                hours_each = Decimal(rng.choice(["6.0", "8.0"]))
                end = start + timedelta(days=days - 1)
                topic = rng.choice(COURSES)
                category = rng.choice(["party_school", "thematic", "academy"])
                classes.append((class_id, plan_id, f"{year}年第{i + 1}期{topic}培训班", "区委党校", category, start,
                                end, "区委党校", 60, [], None if upcoming else _at(end, 17),
                                None if upcoming else peixun, NOW, NOW))  # fmt: skip
                for d in range(days):
                    sessions.append((class_id, start + timedelta(days=d), f"{topic}（第{d + 1}讲）", hours_each, d))
                classes_by_year[year].append((class_id, start, end, hours_each * days, topic, upcoming))
        copy_rows(
            TrainingPlan,
            ["id", "year", "title", "notes", "status", "created_by", "submitted_at", "approved_by", "approved_at",
             "created_at", "updated_at"],
            plans,
        )  # fmt: skip
        copy_rows(
            TrainingClass,
            ["id", "plan", "name", "organiser", "category", "start_date", "end_date", "place", "capacity",
             "target_ranks", "closed_at", "closed_by", "created_at", "updated_at"],
            classes,
        )  # fmt: skip
        copy_rows(ClassSession, ["training_class", "date", "topic", "hours", "order"], sessions)

        # each cadre's rows over the five years: a yearly target drawn around the requirement, split into rows, so
        # that a realistic share falls short (more of them in the current year, which is not over yet)
        total_rows = self.scale.credit_rows
        base, extra = divmod(total_rows, n)
        enrol = Copier(
            Enrolment,
            ["id", "training_class", "cadre", "status", "called_by", "overlap_reason", "withdrawal_reason",
             "absent_hours", "created_at", "updated_at"],
        )  # fmt: skip
        credit = Copier(
            CreditEntry,
            ["cadre", "source", "title", "organiser", "hours", "earned_on", "enrolment", "evidence", "import_batch",
             "recorded_by", "note", "created_at", "updated_at"],
            after=enrol,
        )  # fmt: skip
        enrolment_id = 0
        class_enrolled: dict[int, int] = defaultdict(int)
        half = Decimal("0.5")
        for cadre_id in range(1, n + 1):
            rows_here = base + (1 if cadre_id <= extra else 0)
            # spread evenly over the years (a year without any row would be a year without any training)
            per_year_rows = dict.fromkeys(years, rows_here // len(years))
            for year in rng.sample(years, rows_here % len(years)):
                per_year_rows[year] += 1
            seen = set()
            for year, k in sorted(per_year_rows.items()):
                share = 1.0 if year < TODAY.year else (TODAY.timetuple().tm_yday / 365)
                target = max(4.0, rng.gauss(104, 34) * share)
                rows_year = []
                done = [c for c in classes_by_year[year] if not c[5]]
                if done and k >= 2 and rng.random() < 0.3:
                    cls = rng.choice(done)
                    enrolment_id += 1
                    class_enrolled[cls[0]] += 1
                    enrol.add((enrolment_id, cls[0], cadre_id, "completed", peixun, "", "", Decimal("0.0"), NOW, NOW))
                    credit.add((cadre_id, "class", cls[4] + "培训班", "区委党校", cls[3], cls[2], enrolment_id, "",
                                None, peixun, "", NOW, NOW))  # fmt: skip
                    target -= float(cls[3])
                    k -= 1
                if k <= 0:
                    continue
                cuts = sorted(rng.random() for _ in range(k - 1))
                parts = [b - a for a, b in zip([0.0, *cuts], [*cuts, 1.0], strict=True)]
                last_day = date(year, 12, 31) if year < TODAY.year else TODAY - timedelta(days=1)
                span = (last_day - date(year, 1, 1)).days
                for part in parts:
                    hours = max(half, (Decimal(str(max(0.0, target) * part)) * 2).quantize(Decimal("1")) / 2)
                    source = rng.choice(("online", "online", "online", "external", "imported"))
                    title = rng.choice(COURSES)
                    earned = date(year, 1, 1) + timedelta(days=rng.randint(0, span))
                    while (source, title, earned) in seen:
                        earned = date(year, 1, 1) + timedelta(days=rng.randint(0, span))
                    seen.add((source, title, earned))
                    rows_year.append((cadre_id, source, title, rng.choice(ORGANISERS), hours, earned, None, "",
                                      None, peixun, "", NOW, NOW))  # fmt: skip
                for row in rows_year:
                    credit.add(row)
            if cadre_id % 20_000 == 0:
                log(f"credit for {cadre_id:,}/{n:,} cadres")
        # the classes about to start: cadres called up (the class start notices of the scan)
        for cls in classes_by_year[TODAY.year]:
            if not cls[5]:
                continue
            for cadre_id in rng.sample(range(1, n + 1), min(n, 40)):
                enrolment_id += 1
                class_enrolled[cls[0]] += 1
                enrol.add((enrolment_id, cls[0], cadre_id, "enrolled", peixun, "", "", None, NOW, NOW))
        enrol.flush()
        credit.flush()
        from django.db import connection

        with connection.cursor() as cursor:
            # capacity as the call-ups filled it (a class is never over its capacity)
            cursor.execute(
                "UPDATE training_trainingclass c SET capacity = GREATEST(c.capacity, e.n) FROM "
                "(SELECT training_class_id, count(*) AS n FROM training_enrolment GROUP BY training_class_id) e "
                "WHERE e.training_class_id = c.id"
            )
        self.counts["credit"] = credit.count
        log(f"{credit.count:,} credit rows, {len(classes):,} classes, {enrol.count:,} enrolments")

    # -- appraisal -----------------------------------------------------------------------------------------------

    def make_appraisals(self) -> None:
        from appraisal.models import (
            AppraisalCycle,
            AppraisalGroup,
            AppraisalResult,
            GroupMember,
            Indicator,
            IndicatorScore,
        )

        rng = self.rng
        kaohe = self.users[APPRAISAL_USER]
        leaders = sorted((cid, post) for cid, post in self.holder.items() if post[3])
        cycles = Copier(
            AppraisalCycle,
            ["id", "year", "scope", "status", "indicator_weight", "evaluation_weight", "created_by", "published_at",
             "published_by", "created_at", "updated_at"],
        )  # fmt: skip
        groups = Copier(AppraisalGroup, ["id", "cycle", "name", "kind", "order"], after=cycles)
        indicators = Copier(Indicator, ["id", "group", "name", "kind", "weight", "max_score", "order"], after=groups)
        members = Copier(GroupMember, ["id", "group", "cycle", "cadre", "unit"], after=indicators)
        scores = Copier(IndicatorScore, ["indicator", "member", "score", "entered_by", "entered_at"], after=members)
        results = Copier(
            AppraisalResult,
            ["member", "indicator_score", "evaluation_score", "final_score", "rank", "evaluation_rank",
             "proposed_rating", "rating", "team_rating", "note", "rated_by", "rated_at", "created_at", "updated_at"],
            after=members,
        )  # fmt: skip
        group_id = indicator_id = member_id = 0
        first_year = TODAY.year - self.scale.appraisal_years
        for cycle_id, year in enumerate(range(first_year, TODAY.year), start=1):
            published = _at(date(year + 1, 2, 15))
            cycles.add((cycle_id, year, "全区科级领导干部", "published", Decimal("60"), Decimal("40"), kaohe,
                           published, kaohe, NOW, NOW))  # fmt: skip
            by_group = {"head": [], "deputy": []}
            for cid, post in leaders:
                by_group["head" if post[5] == "head" else "deputy"].append(cid)
            for order, (key, label) in enumerate((("head", "正职"), ("deputy", "副职"))):
                group_id += 1
                groups.add((group_id, cycle_id, label, "individual", order))
                work = indicator_id + 1
                indicator_id += 2
                indicators.add((work, group_id, "工作实绩", "quantitative", Decimal("60"), Decimal("100"), 0))
                indicators.add((work + 1, group_id, "综合评价", "qualitative", Decimal("40"), Decimal("100"), 1))
                drawn = []
                for cid in by_group[key]:
                    member_id += 1
                    members.add((member_id, group_id, cycle_id, cid, None))
                    a, b = round(rng.uniform(70, 99), 2), round(rng.uniform(70, 99), 2)
                    scores.add((work, member_id, Decimal(str(a)), kaohe, published))
                    scores.add((work + 1, member_id, Decimal(str(b)), kaohe, published))
                    indicator = round(a * 0.6 + b * 0.4, 2)
                    evaluation = round(rng.uniform(75, 98), 2)
                    final = round(indicator * 0.6 + evaluation * 0.4, 2)
                    drawn.append((final, evaluation, indicator, member_id))
                by_evaluation = {m: i for i, (_f, _e, _i, m) in enumerate(sorted(drawn, key=lambda d: -d[1]), 1)}
                excellent = max(1, len(drawn) * 15 // 100)
                for rank, (final, evaluation, indicator, mid) in enumerate(sorted(drawn, key=lambda d: -d[0]), 1):
                    rating = "excellent" if rank <= excellent else ("competent" if final >= 74 else "basic")
                    results.add((mid, Decimal(str(indicator)), Decimal(str(evaluation)), Decimal(str(final)), rank,
                                 by_evaluation[mid], rating, rating, "", "", kaohe, published, NOW, NOW))  # fmt: skip
        for copier in (cycles, groups, indicators, members, scores, results):
            copier.flush()
        self.counts["appraisal_members"] = members.count
        log(f"{cycles.count} appraisal cycles, {members.count:,} people appraised")

    # -- committees and meetings ---------------------------------------------------------------------------------

    def make_committees_and_meetings(self) -> None:
        from committees.models import Committee, Term, TermMember
        from meetings.models import (
            AgendaItem,
            Attendance,
            Decision,
            ItemResult,
            Meeting,
            MeetingType,
            Topic,
            TopicCategory,
            Vote,
        )

        rng = self.rng
        zuzhi, shuji_user = self.users[ORGANIZATION_USER], self.users[LEADER_USER]
        standing_type = MeetingType.objects.get(code="standing")
        categories = list(
            TopicCategory.objects.filter(meeting_types=standing_type, cadre_item=False, plenary_only=False)
            .order_by("order", "pk")
            .values_list("pk", flat=True)
        )
        districts = len(self.district_names)
        cadres_by_unit = defaultdict(list)
        for cid, uid in self.cadre_unit.items():
            cadres_by_unit[uid].append(cid)
        roots = [u for u in self.units if u[7] == "root"]
        committees, terms, term_members = [], [], []
        standing_of: dict[int, list[int]] = {}
        units_of: dict[int, list[int]] = defaultdict(list)
        for u in self.units:
            units_of[u[6]].append(u[0])
        for d in range(len(roots)):
            committees.append((d + 1, f"中共{self.district_names[d]}委员会", f"{self.district_names[d]}委", NOW, NOW))
            terms.append((d + 1, d + 1, 13, date(2021, 9, 28), None, 40, 10, 11, 2, NOW, NOW))
            # the standing members: the district's leaders and heads of its main departments
            district_cadres = [c for uid in units_of[d] for c in cadres_by_unit[uid]]
            heads = [c for c in district_cadres if self.holder.get(c) and self.holder[c][5] == "head"]
            head_set = set(heads)
            others = [c for c in district_cadres if c not in head_set]
            people = (heads + others)[:40]
            seats = []
            for order, cid in enumerate(people):
                if order == 0:
                    role, full_time = "secretary", False
                elif order <= 2:
                    role, full_time = "deputy_secretary", order == 2
                elif order <= 10:
                    role, full_time = "standing_member", False
                elif order <= 29:
                    role, full_time = "member", False
                else:
                    role, full_time = "alternate", False
                member_id = len(term_members) + 1
                votes = 260 - order if role == "alternate" else None
                term_members.append((member_id, d + 1, cid, role, full_time, "", date(2021, 9, 28), None, "",
                                     order, votes, NOW, NOW))  # fmt: skip
                seats.append((member_id, role, cid))
            standing_of[d + 1] = seats
        copy_rows(Committee, ["id", "name", "short_name", "created_at", "updated_at"], committees)
        copy_rows(
            Term,
            ["id", "committee", "number", "starts_on", "ends_on", "members_quota", "alternates_quota",
             "standing_quota", "deputy_secretaries_quota", "created_at", "updated_at"],
            terms,
        )  # fmt: skip
        copy_rows(
            TermMember,
            ["id", "term", "cadre", "role", "full_time_deputy", "concurrent_post", "joined_on", "left_on",
             "left_reason", "order", "election_votes", "created_at", "updated_at"],
            term_members,
        )  # fmt: skip
        # the 常委 user is the first district's first standing member (not the secretary)
        first = [seat for seat in standing_of.get(1, []) if seat[1] == "standing_member"]
        if first:
            self._link_accounts({first[0][2]: self.users[CHANGWEI_USER]})
        members_only = [seat for seat in standing_of.get(1, []) if seat[1] == "member"]
        if members_only:
            self._link_accounts({members_only[0][2]: self.users[MEMBER_USER]})

        meetings, topics, items, attendance, votes, item_results, decisions = [], [], [], [], [], [], []
        total = self.scale.meetings
        per_committee = [total // districts + (1 if i < total % districts else 0) for i in range(districts)]
        start_day = date(2021, 10, 10)
        for d in range(districts):
            count = per_committee[d]
            if not count:
                continue
            seats = standing_of[d + 1]
            voters = [s for s in seats if s[1] in ("secretary", "deputy_secretary", "standing_member")]
            presider = voters[0][0] if voters else None
            upcoming = min(2, count)
            past = count - upcoming
            span = (TODAY - start_day).days
            past_days = sorted(start_day + timedelta(days=rng.randint(0, span - 2)) for _ in range(past))
            days = past_days + [TODAY + timedelta(days=3 + 7 * i) for i in range(upcoming)]
            district_units = units_of[d]
            for number, day in enumerate(days, start=1):
                meeting_id = len(meetings) + 1
                held = day < TODAY
                starts = _at(day, 9)
                meetings.append((meeting_id, d + 1, standing_type.pk, number, starts, "区委常委会议室", "",
                                 presider, "adjourned" if held else "scheduled", starts if held else None,
                                 _at(day, 12) if held else None, zuzhi, NOW, NOW))  # fmt: skip
                for member_id, _role, _cid in voters:
                    attendance.append((meeting_id, member_id, True, "present" if held else "unknown", "", None,
                                       NOW, NOW))  # fmt: skip
                for order in range(rng.randint(2, 4)):
                    topic_id = len(topics) + 1
                    unit_id = rng.choice(district_units)
                    unit_name = self.units[unit_id - 1][1]
                    title = rng.choice(TOPIC_TITLES).format(unit=unit_name)
                    submitted = _at(day - timedelta(days=10))
                    topics.append((topic_id, d + 1, title, f"{unit_name}提请区委常委会研究。", rng.choice(categories),
                                   standing_type.pk, standing_type.pk, unit_id, None, None, "",
                                   "decided" if held else "scheduled", submitted, submitted + timedelta(days=2),
                                   shuji_user, zuzhi, NOW, NOW))  # fmt: skip
                    item_id = len(items) + 1
                    items.append((item_id, meeting_id, topic_id, order, "passed" if held else "pending", "", NOW, NOW))
                    if not held:
                        continue
                    for member_id, _role, _cid in voters:
                        votes.append((item_id, None, member_id, "同意", zuzhi, NOW, NOW))
                    n_voters = len(voters)
                    counts = {"同意": n_voters, "不同意": 0, "弃权": 0}
                    item_results.append((item_id, None, n_voters, n_voters, counts, n_voters, n_voters // 2 + 1, True,
                                         "应到会成员过半数同意", NOW, NOW))  # fmt: skip
                    decisions.append((item_id, f"会议同意{title[2:]}。", day, None, "", zuzhi, NOW, NOW))
        copy_rows(
            Meeting,
            ["id", "term", "meeting_type", "number", "starts_at", "place", "observers", "presided_by", "status",
             "opened_at", "adjourned_at", "created_by", "created_at", "updated_at"],
            meetings,
        )  # fmt: skip
        copy_rows(
            Topic,
            ["id", "committee", "title", "summary", "category", "requested_type", "meeting_type", "unit", "work_area",
             "posts", "urgent_reason", "status", "submitted_at", "approved_at", "approved_by", "created_by",
             "created_at", "updated_at"],
            topics,
        )  # fmt: skip
        copy_rows(AgendaItem, ["id", "meeting", "topic", "order", "outcome", "note", "created_at", "updated_at"], items)
        copy_rows(
            Attendance,
            ["meeting", "member", "voting", "presence", "leave_reason", "leave_requested_at", "created_at",
             "updated_at"],
            attendance,
        )  # fmt: skip
        copy_rows(Vote, ["item", "candidate", "member", "choice", "recorded_by", "created_at", "updated_at"], votes)
        copy_rows(
            ItemResult,
            ["item", "candidate", "expected", "present", "counts", "votes_for", "needed", "passed", "rule",
             "created_at", "updated_at"],
            item_results,
        )  # fmt: skip
        copy_rows(
            Decision,
            ["item", "text", "decided_on", "reconsidered_on", "reconsideration", "recorded_by", "created_at",
             "updated_at"],
            decisions,
        )  # fmt: skip
        self.counts["meetings"] = len(meetings)
        self.counts["votes"] = len(votes)
        log(f"{len(committees)} committees, {len(meetings):,} meetings, {len(topics):,} topics, {len(votes):,} votes")

    def reset_sequences(self) -> None:
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import connection

        models = [m for config in apps.get_app_configs() for m in config.get_models()]
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def generate(scale, *, seed: int = SEED) -> str:
    """Writes the data set of `scale` into an empty database (see wipe()); returns the summary line."""
    return Generator(scale, seed).run()

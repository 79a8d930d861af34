"""Roster import: our upload → preview → commit against django-import-export's default import and a raw bulk_create.

The same xlsx (the roster's 25 standard columns, `scale.import_rows` new cadres in units that exist) is
imported by each in a fresh interpreter (bench.import_child), alternately, `scale.rounds` times; what each
wrote is deleted afterwards, outside the timing, so the database stays as the generator left it.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from .harness import RESULTS_DIR, Figure, alternate, median, run_child
from .scale import Scale

CACHE_DIR = RESULTS_DIR / "cache"
SEED = 20261122
AREAS = ("330102", "330106", "330205", "320102", "320506", "440104", "440305", "110105", "510104", "420106")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志文斌宇"
    "浩凯健俊帆帅旭宁龙林欣悦晨阳雪梅琳晓蕾海波"
)
PLACES = (
    "浙江杭州",
    "浙江宁波",
    "浙江温州",
    "江苏南京",
    "江苏苏州",
    "广东广州",
    "四川成都",
    "湖北武汉",
    "山东济南",
    "河南郑州",
)
ETHNICITIES = ("汉族",) * 18 + ("回族", "满族")
SCHOOLS = (
    "浙江大学法学院法学专业",
    "复旦大学经济学院经济学专业",
    "南京大学政府管理学院行政管理专业",
    "武汉大学信息管理学院图书馆学专业",
    "中山大学管理学院会计学专业",
    "四川大学公共管理学院公共事业管理专业",
)
DEGREES = {"研究生": "硕士", "大学": "学士", "大专": ""}
SUBJECTS = ("法学", "经济学", "管理学", "工学", "文学")
POSTS = ("局长", "副局长", "办公室主任", "办公室副主任", "科长", "副科长", "一级主任科员", "科员", "党组成员")
RANKS = ("正处级", "副处级", "正科级", "副科级", "一级主任科员", "二级主任科员", "四级主任科员", "一级科员")
TITLES = ("", "", "", "高级经济师", "工程师", "会计师")
REMARKS = ("", "", "", "", "挂职锻炼", "援疆干部\n2023年返回")


def _month(year: int, month: int) -> date:
    return date(year, month, 1)


def _id_number(rng: random.Random, born: date, male: bool) -> str:
    from stdnum.cn import ric

    sequence = rng.randrange(0, 100)
    gender_digit = rng.randrange(0, 5) * 2 + (1 if male else 0)
    body = f"{rng.choice(AREAS)}{born:%Y%m%d}{sequence:02d}{gender_digit}"
    return body + ric.calc_check_digit(body + "0")


def _row(rng: random.Random, unit: str) -> dict:
    male = rng.random() < 0.6
    born = date(rng.randrange(1965, 1999), rng.randrange(1, 13), rng.randrange(1, 29))
    member = rng.random() < 0.85
    started = _month(born.year + rng.randrange(20, 25), rng.randrange(1, 13))
    full_time = rng.choice(("研究生", "大学", "大学", "大专"))
    in_service = rng.choice(("", "", "研究生"))
    post_since = _month(rng.randrange(max(started.year, 2005), 2026), rng.randrange(1, 13))
    subject = rng.choice(SUBJECTS)
    return {
        "姓名": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))),
        "性别": "男" if male else "女",
        "民族": rng.choice(ETHNICITIES),
        "出生年月": born.replace(day=1),
        "籍贯": rng.choice(PLACES),
        "出生地": rng.choice(PLACES),
        "身份证号": _id_number(rng, born, male),
        "政治面貌": "中共党员" if member else "群众",
        "入党时间": _month(min(born.year + rng.randrange(19, 30), 2025), rng.randrange(1, 13)) if member else None,
        "参加工作时间": started,
        "全日制学历": full_time,
        "全日制学位": f"{subject}{DEGREES[full_time]}" if DEGREES[full_time] else "",
        "全日制毕业院校系及专业": rng.choice(SCHOOLS),
        "在职学历": in_service,
        "在职学位": "",
        "在职毕业院校系及专业": "中央党校研究生院经济学专业" if in_service else "",
        "工作单位": unit,
        "现任职务": rng.choice(POSTS),
        "职级": rng.choice(RANKS),
        "任现职时间": post_since,
        "任现职级时间": post_since,
        "专业技术职务": rng.choice(TITLES),
        "健康状况": "健康",
        "联系电话": f"13{rng.randrange(0, 10)}{rng.randrange(0, 10**8):08d}",
        "备注": rng.choice(REMARKS),
    }


def _write_xlsx(path: Path, rows: list[dict]) -> None:
    from openpyxl import Workbook

    from cadres.services.roster import COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row[column] for column in COLUMNS])
    tmp = path.with_suffix(".tmp")
    workbook.save(tmp)
    tmp.replace(path)  # a stopped run never leaves half a file to be reused


def _numbers_and_units(path: Path) -> tuple[list[str], set[str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    headers = list(next(rows))
    id_at, unit_at = headers.index("身份证号"), headers.index("工作单位")
    numbers, units = [], set()
    for values in rows:
        numbers.append(values[id_at])
        units.add(values[unit_at])
    workbook.close()
    return numbers, units


def roster_file(scale: Scale) -> tuple[Path, list[str]]:
    """The scale's roster (written once, then reused while it still fits the database) and its ID numbers."""
    from cadres.models import Cadre, Unit

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"roster-{scale.name}-{scale.import_rows}-{SEED}.xlsx"
    if path.exists():
        numbers, units = _numbers_and_units(path)
        fits = Unit.objects.filter(name__in=units).count() == len(units)
        if fits and not _on_file(numbers):
            return path, numbers
    unit_names = list(Unit.objects.order_by("pk").values_list("name", flat=True))
    if not unit_names:
        raise RuntimeError("roster_import: the database has no units (run the generator first)")
    rng = random.Random(SEED)
    rows, seen = [], set(Cadre.objects.values_list("id_number", flat=True).iterator(chunk_size=10_000))
    while len(rows) < scale.import_rows:
        row = _row(rng, rng.choice(unit_names))
        if row["身份证号"] in seen:
            continue  # a new cadre each: a number on file (or twice in the file) would be an update
        seen.add(row["身份证号"])
        rows.append(row)
    _write_xlsx(path, rows)
    return path, [r["身份证号"] for r in rows]


def _on_file(numbers: list[str]) -> bool:
    from cadres.models import Cadre

    return any(Cadre.objects.filter(id_number__in=numbers[i : i + 5000]).exists() for i in range(0, len(numbers), 5000))


def _clean_up(numbers: list[str], *, positions_above: int, batches_above: int) -> None:
    """Deletes what a measurement wrote: its cadres (with their education and position history), the posts
    and upload batches it created. Audit events stay: the audit table is append-only by design."""
    from django.db import transaction

    from cadres.models import Cadre, Position
    from orgdept.core.models import ImportBatch

    with transaction.atomic():
        for start in range(0, len(numbers), 5000):
            Cadre.objects.filter(id_number__in=numbers[start : start + 5000]).delete()
        Position.objects.filter(pk__gt=positions_above).delete()
        for batch in ImportBatch.objects.filter(pk__gt=batches_above):
            if batch.file:
                batch.file.delete(save=False)
            batch.delete()


def _high_water() -> dict[str, int]:
    from django.db.models import Max

    from cadres.models import Position
    from orgdept.core.models import ImportBatch

    return {
        "positions_above": Position.objects.aggregate(m=Max("pk"))["m"] or 0,
        "batches_above": ImportBatch.objects.aggregate(m=Max("pk"))["m"] or 0,
    }


def run(scale: Scale) -> list[Figure]:
    path, numbers = roster_file(scale)
    _clean_up(numbers, **_high_water())  # an earlier run that was stopped midway may have left its rows
    rows = len(numbers)
    results: dict[str, list] = {"ours": [], "import_export": [], "bulk_create": []}

    def measure(kind: str):
        def once() -> float:
            mark = _high_water()
            try:
                child = run_child("bench.import_child", kind, str(path))
            finally:
                _clean_up(numbers, **mark)
            if child.output["rows"] != rows:
                raise RuntimeError(f"roster_import: {kind} wrote {child.output['rows']} of {rows} rows")
            results[kind].append(child)
            return rows / child.output["seconds"]

        return once

    ours_vs_ie, ie = alternate(measure("ours"), measure("import_export"), rounds=scale.rounds)
    ours_vs_bulk, bulk = alternate(measure("ours"), measure("bulk_create"), rounds=scale.rounds)
    ours_rss = [c.peak_rss_bytes for c in results["ours"][: scale.rounds]]
    ie_rss = [c.peak_rss_bytes for c in results["import_export"]]
    what = f"{rows:,} new cadres, 25 columns, one xlsx"
    # the limit without its file reading (openpyxl is most of its time), from the same runs, for the notes
    insert_only = [rows / (c.output["seconds"] - c.output["read_seconds"]) for c in results["bulk_create"]]
    ours_rss_all = [c.peak_rss_bytes for c in results["ours"]]
    return [
        Figure(
            "roster import rows/s vs import-export",
            median(ours_vs_ie),
            median(ie),
            "rows/s",
            goal=5,
            higher_is_better=True,
            peer_name="django-import-export default ModelResource",
            notes=(
                f"{what}; ours: upload batch + preview + commit (validation, education entries, position history, "
                "audit), the batch run inline by its Celery task in eager mode; peer: tablib reads the xlsx, headers "
                "renamed to field names and 男/女 mapped to M/F (timed, it is part of using it), a ModelResource "
                "with the 19 Cadre fields, unit by name (ForeignKeyWidget), import_id_fields=id_number, "
                "import_data dry run then import; each in a fresh interpreter, timed from opening the file"
            ),
            samples={"ours": ours_vs_ie, "peer": ie},
        ),
        Figure(
            "roster import rows/s vs bulk_create",
            median(ours_vs_bulk),
            median(bulk),
            "rows/s",
            goal=0.5,
            higher_is_better=True,
            peer_name="openpyxl read + Cadre.objects.bulk_create",
            notes=(
                f"{what}; the limit reads the same xlsx with openpyxl (read-only mode, included in its time), "
                "builds Cadre instances (units from one query) and inserts them with one bulk_create in one "
                "transaction: no validation, no education entries, no history, no audit. Without its file "
                f"reading the bare insert runs at {median(insert_only):,.0f} rows/s (ours is "
                f"{median(ours_vs_bulk) / median(insert_only):.2f}× that)"
            ),
            samples={"ours": ours_vs_bulk, "peer": bulk},
        ),
        Figure(
            "roster import peak memory vs import-export",
            median(ours_rss),
            median(ie_rss),
            "bytes",
            goal=1,
            higher_is_better=False,
            peer_name="django-import-export default ModelResource",
            notes=(
                "peak RSS of each whole child process (Django started, file read, dry run and import), from "
                f"getrusage; ours over all {len(ours_rss_all)} of its runs: median "
                f"{median(ours_rss_all) / 2**20:.0f} MB"
            ),
            samples={"ours": ours_rss, "peer": ie_rss},
        ),
    ]

"""Hostile input through the pages: every upload page given every hostile file, exports given formula-looking
text, pages and PDFs given markup and addresses.

Uploads: each hostile file is refused with a Chinese message on the page (status 200 or 400, never 500) and
leaves the tables and the files under MEDIA_ROOT as they were; a readable file with bad content goes to its
preview, which lists the problems and writes nothing to the records. Exports: a text that a spreadsheet program
would run as a formula is written as escaped text. Pages: markup in a text field is shown escaped. PDFs: the
same markup ends as literal text, and WeasyPrint is never asked to fetch what it names.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from appraisal.models import IndicatorScore
from cadres.models import Cadre, ProposalDocument
from committees.models import TermMember
from meetings.models import TopicMaterial
from orgdept.core import roles
from orgdept.core.models import AuditEvent, CalendarDay, ImportBatch
from tests import hostile_files as hf
from tests.platform.authz_world import module_world
from tests.platform.tally import tally
from training.models import CreditEntry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# names that try to leave the upload folder, or to break whatever keeps or shows them
TRICK_NAMES = ("../../etc/passwd.{ext}", "..\\..\\x.{ext}", "a\x00b.{ext}", "n" * 300 + ".{ext}", "a/b.{ext}")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module and rolled back at its end; every request runs in a savepoint inside it."""
    with module_world(django_db_blocker) as w:
        yield w


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def counts(models) -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in models}


@dataclass
class Upload:
    """One upload page: who uses it, where, which field takes the file and what else the form needs."""

    name: str
    role: str
    url: Callable
    field: str
    data: Callable = lambda w: {}
    tables: tuple = ()  # the records the page writes (besides audit events and import batches)
    sheet: bool = False  # an import kind: a readable file goes on to a preview batch
    header: list[str] = field(default_factory=list)


def _sheet(name, role, url, tables, header):
    return Upload(name, role, url, "file", tables=tables, sheet=True, header=list(header))


UPLOADS = [
    _sheet(
        "roster",
        roles.CADRE_SECTION,
        lambda w: reverse("cadres:roster_import"),
        (Cadre,),
        ["姓名", "性别", "出生年月", "身份证号", "工作单位", "职务"],
    ),
    _sheet(
        "committee members",
        roles.ORGANIZATION_SECTION,
        lambda w: reverse("committees:member_import", args=[w.term.pk]),
        (TermMember, Cadre),
        ["姓名", "公民身份号码", "身份", "排序"],
    ),
    _sheet(
        "training credits",
        roles.TRAINING_SECTION,
        lambda w: reverse("training:credit_import"),
        (CreditEntry,),
        ["身份证号", "姓名", "课程/班次名称", "学时", "日期"],
    ),
    _sheet(
        "appraisal scores",
        roles.APPRAISAL_OFFICE,
        lambda w: reverse("appraisal:score_import", args=[w.cycle.pk]),
        (IndicatorScore,),
        ["身份证号", "姓名", "考核指标", "得分"],
    ),
    Upload(
        "meeting material",
        roles.ORGANIZATION_SECTION,
        lambda w: reverse("meetings:material_upload", args=[w.draft_topic.pk]),
        "file",
        tables=(TopicMaterial,),
    ),
    Upload(
        "proposal document",
        roles.CADRE_SECTION,
        lambda w: reverse("cadres:proposal_document_upload", args=[w.proposal.pk]),
        "document-file",
        data=lambda w: {"document-step": ProposalDocument.Step.INITIATION},
        tables=(ProposalDocument,),
    ),
    Upload(
        "credit evidence",
        roles.TRAINING_SECTION,
        lambda w: reverse("training:credit_new", args=[w.cadre.pk]),
        "credit-evidence",
        data=lambda w: {
            "credit-source": CreditEntry.Source.ONLINE,
            "credit-title": "网络学院专题课",
            "credit-hours": "2",
            "credit-earned_on": "2026-01-05",
        },
        tables=(CreditEntry,),
    ),
    Upload(
        "cadre photo",
        roles.CADRE_SECTION,
        lambda w: reverse("cadres:cadre_edit_photo", args=[w.cadre.pk]),
        "photo",
        tables=(Cadre,),
    ),
    Upload("lrmx", roles.CADRE_SECTION, lambda w: reverse("cadres:lrmx_import"), "file", tables=(Cadre,)),
    Upload(
        "workday calendar", roles.SYSTEM_ADMIN, lambda w: reverse("core:calendar_import"), "file", tables=(CalendarDay,)
    ),
]


# --- the hostile files ------------------------------------------------------------------------------------------


@dataclass
class Case:
    label: str
    filename: str
    content: bytes
    expect: str = ""  # a fragment of the message the page shows ("" for any Chinese message)
    settings: dict = field(default_factory=dict)


def refused_everywhere(header: list[str]) -> list[Case]:
    """Files every upload page refuses, whatever it takes."""
    header = header or ["姓名", "身份证号"]
    return [
        Case("xlsx zip bomb", "bomb.xlsx", hf.zip_bomb(header)),
        Case("billion laughs in an xlsx", "laughs.xlsx", hf.entity_bomb(header)),
        Case("1,048,576 rows declared", "declared.xlsx", hf.million_rows_declared(header)),
        Case("a last row 1048576", "far.xlsx", hf.million_rows_last(header)),
        Case("encrypted workbook", "secret.xlsx", hf.encrypted(), "密码"),
        Case("old .xls", "old.xls", hf.old_xls()),
        Case("empty file", "empty.xlsx", b"", "空"),
    ]


def sheet_refusals(header: list[str]) -> list[Case]:
    """What an import refuses before keeping anything, with the reason it gives."""
    expect = {
        "xlsx zip bomb": "压缩炸弹",
        "billion laughs in an xlsx": "DOCTYPE",
        "1,048,576 rows declared": "1,048,576",
        "a last row 1048576": "上限",
        "old .xls": "旧版Excel",
    }
    cases = refused_everywhere(header)
    for case in cases:
        case.expect = case.expect or expect[case.label]
    big = hf.csv_bytes([header] + [["张三"] * len(header)] * 200)
    return [
        *cases,
        Case("PDF renamed .xlsx", "report.xlsx", hf.valid_pdf(), "PDF"),
        Case("PNG renamed .xlsx", "photo.xlsx", hf.png(), "PNG"),
        Case("over the size limit", "big.csv", big, "文件过大", {"ORGDEPT_IMPORT_MAX_BYTES": len(big) - 1}),
    ]


def sheet_previews(header: list[str]) -> list[Case]:
    """Readable files with bad content: kept as a batch, whose preview lists the problems; no record written."""
    duplicated = [*header, header[0]]
    return [
        Case("header only", "header.xlsx", hf.xlsx([header]), "只有表头"),
        Case("duplicate headers", "dup.csv", hf.csv_bytes([duplicated, ["张三"] * len(duplicated)]), "重复出现"),
        Case("formula cells in every column", "formulas.xlsx", hf.xlsx(hf.formula_rows(header))),
        Case("formula cells in every column (CSV)", "formulas.csv", hf.csv_bytes(hf.formula_rows(header))),
    ]


def upload(client, page: Upload, w, case_filename: str, content: bytes):
    data = {**page.data(w), page.field: SimpleUploadedFile(case_filename, content)}
    return client.post(page.url(w), data)


def alerts(response) -> list[str]:
    """The messages a page shows next to a field, at the top of a form or in the messages list."""
    text = response.content.decode()
    return [m.strip() for m in re.findall(r'(?:role="alert"[^>]*>|class="message [^"]*">)([^<]+)<', text)]


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def client_for(world):
    def make(role: str) -> Client:
        client = Client(raise_request_exception=False)
        client.force_login(world.users[role])
        return client

    return make


@pytest.fixture
def savepoint(world):
    """Runs a block in a savepoint that is rolled back: every case sees the same world."""

    class Savepoint:
        def __enter__(self):
            self.sid = transaction.savepoint()

        def __exit__(self, *exc):
            transaction.savepoint_rollback(self.sid)

    return Savepoint


def _state(page: Upload) -> tuple:
    return counts((*page.tables, AuditEvent, ImportBatch)), media_files()


def _refused(client, page: Upload, w, case: Case, savepoint, override) -> None:
    before = _state(page)
    with savepoint(), override(**case.settings):
        response = upload(client, page, w, case.filename, case.content)
        after = _state(page)
    where = f"{page.name}: {case.label}"
    assert response.status_code in (200, 400), (where, response.status_code)
    shown = alerts(response)
    assert any(chinese(a) and case.expect in a for a in shown), (where, case.expect, shown)
    assert after == before, (where, before, after)


@pytest.fixture
def override(settings):
    """Changes settings for one case only (the `settings` fixture would keep them to the test's end)."""

    @contextmanager
    def apply(**values):
        old = {k: getattr(settings, k) for k in values}
        for k, v in values.items():
            setattr(settings, k, v)
        try:
            yield
        finally:
            for k, v in old.items():
                setattr(settings, k, v)

    return apply


SHEETS = [p for p in UPLOADS if p.sheet]
FILES = [p for p in UPLOADS if not p.sheet]


@pytest.mark.parametrize("page", SHEETS, ids=lambda p: p.name)
def test_an_import_refuses_every_hostile_file_and_keeps_nothing(world, page, client_for, savepoint, override):
    client = client_for(page.role)
    for case in sheet_refusals(page.header):
        _refused(client, page, world, case, savepoint, override)
        tally("hostile")


@pytest.mark.parametrize("page", SHEETS, ids=lambda p: p.name)
def test_an_import_previews_bad_content_and_writes_no_record(world, page, client_for, savepoint):
    client = client_for(page.role)
    for case in sheet_previews(page.header):
        where = f"{page.name}: {case.label}"
        before = counts(page.tables)
        with savepoint():
            response = upload(client, page, world, case.filename, case.content)
            assert response.status_code == 302, (where, response.status_code, alerts(response))
            batch = ImportBatch.objects.latest("pk")
            preview = client.get(response["Location"])
            after = counts(page.tables)
        assert preview.status_code == 200, where
        assert batch.status == ImportBatch.Status.PREVIEWED, (where, batch.status, batch.error)
        # the problems, or for a file without data rows the note saying so
        messages = [e["message"] for e in batch.preview["errors"] or batch.preview["warnings"]]
        assert messages and all(chinese(m) for m in messages), (where, messages)
        assert case.expect in " ".join(messages), (where, messages)
        assert escape(messages[0]) in preview.content.decode(), (where, messages[0])
        assert 'data-testid="confirm-import"' not in preview.content.decode(), where
        assert after == before, (where, before, after)
        tally("hostile")


@pytest.mark.parametrize("page", SHEETS, ids=lambda p: p.name)
def test_an_import_reads_gbk_csv_and_keeps_tricky_names_inside_media_root(world, page, client_for, savepoint):
    client = client_for(page.role)
    name = "欧阳测试"
    content = hf.csv_bytes([page.header, [name if h == "姓名" else "" for h in page.header]], "gbk")
    assert name.encode("gbk") in content and name.encode() not in content
    root = Path(settings.MEDIA_ROOT).resolve()
    for filename in ["名单.csv", *(t.format(ext="xlsx") for t in TRICK_NAMES)]:
        where = f"{page.name}: {filename[:40]!r}"
        before = counts(page.tables)
        files_before = media_files()
        with savepoint():
            response = upload(client, page, world, filename, content)
            assert response.status_code == 302, (where, response.status_code, alerts(response))
            batch = ImportBatch.objects.latest("pk")
            preview = client.get(response["Location"])
            after = counts(page.tables)
        assert preview.status_code == 200, where
        assert batch.preview["total"] == 1, (where, batch.preview)
        assert name in preview.content.decode(), where  # read as GBK, not as mojibake
        assert after == before, where
        assert not set(batch.filename) & {"/", "\\", "\x00"} and len(batch.filename) <= 200, (where, batch.filename)
        new = media_files() - files_before
        assert len(new) == 1, (where, new)
        for stored in new:
            assert (root / stored).resolve().is_relative_to(root), stored
            assert ".." not in Path(stored).parts and "passwd" not in stored  # the batch never keeps the name
        tally("hostile")


def test_an_import_the_kind_refuses_shows_the_reason_not_an_unexpected_error(world, client_for, savepoint):
    """Scores sent to a published cycle: the kind's own Chinese refusal reaches the page."""
    page = next(p for p in SHEETS if p.name == "appraisal scores")
    client = client_for(page.role)
    url = reverse("appraisal:score_import", args=[world.rated_cycle.pk])
    content = hf.csv_bytes([page.header, ["", "张三", "指标", "90"]])
    before = counts(page.tables)
    with savepoint():
        response = client.post(url, {"file": SimpleUploadedFile("scores.csv", content)})
        batch = ImportBatch.objects.latest("pk")
        preview = client.get(response["Location"])
        after = counts(page.tables)
    assert preview.status_code == 200
    assert batch.status == ImportBatch.Status.PREVIEWED, (batch.status, batch.error)
    message = batch.preview["errors"][0]["message"]
    assert "导入指标得分" in message and "意外" not in message, message
    assert escape(message) in preview.content.decode()
    assert after == before
    tally("hostile")


# --- uploads that keep a file (or, for the calendar, read a CSV) ---------------------------------------------------


def _lrmx() -> bytes:
    return (FIXTURES / "approval_form_wangfang.lrmx").read_bytes()


# per page: (the extension it takes, a valid file, files of the wrong kind, how to shrink its size limit)
FILE_KINDS = {
    "meeting material": ("pdf", hf.valid_pdf, [("photo.pdf", hf.png)], ("setting", "ORGDEPT_MATERIAL_MAX_BYTES")),
    "proposal document": ("pdf", hf.valid_pdf, [("photo.pdf", hf.png)], ("setting", "ORGDEPT_MATERIAL_MAX_BYTES")),
    "credit evidence": (
        "pdf",
        hf.valid_pdf,
        [("sheet.pdf", lambda: hf.xlsx([["姓名"], ["张三"]]))],
        ("setting", "ORGDEPT_MATERIAL_MAX_BYTES"),
    ),
    "cadre photo": ("png", hf.png, [("scan.jpg", hf.valid_pdf)], ("attr", "cadres.services.records.PHOTO_MAX_BYTES")),
    "lrmx": (
        "lrmx",
        _lrmx,
        [("form.lrmx", hf.valid_pdf), ("laughs.lrmx", lambda: hf.BILLION_LAUGHS + b"<Person>&lol3;</Person>")],
        ("attr", "cadres.lrmx.MAX_BYTES"),
    ),
    "workday calendar": (
        "csv",
        lambda: hf.csv_bytes([["date", "type", "name"], ["2031-10-01", "holiday", "国庆节"]], "gbk"),
        [("holidays.csv", hf.png), ("holidays.csv", lambda: hf.xlsx([["date", "type"], ["2031-10-01", "holiday"]]))],
        None,  # a fixed 200 KB
    ),
}


def file_refusals(page: Upload) -> list[tuple[Case, tuple | None]]:
    """(case, the limit to shrink for it) for one page."""
    ext, valid, wrong, limit = FILE_KINDS[page.name]
    cases = [(case, None) for case in refused_everywhere([])]
    for case, _limit in cases:
        case.expect = ""  # each page words these in its own way: any Chinese message next to the field
    cases += [(Case(f"{name} is not a .{ext}", name, make()), None) for name, make in wrong]
    if page.name == "workday calendar":
        big = hf.csv_bytes([["date", "type", "name"]] + [["2031-10-01", "holiday", "节" * 40]] * 2000)
        cases.append((Case("over the size limit", "big.csv", big), None))
        cases.append(
            (Case("formula cells in every column", "f.csv", hf.csv_bytes(hf.formula_rows(["date"] * 3))), None)
        )
    else:
        content = valid()
        cases.append((Case("over the size limit", f"big.{ext}", content), (limit, len(content) - 1)))
    return cases


@pytest.mark.parametrize("page", FILES, ids=lambda p: p.name)
def test_an_upload_refuses_every_hostile_file_and_keeps_nothing(world, page, client_for, savepoint, override):
    client = client_for(page.role)
    for case, limit in file_refusals(page):
        with pytest.MonkeyPatch.context() as patch:
            if limit is not None:
                (how, name), value = limit
                if how == "setting":
                    case.settings = {name: value}
                else:
                    module, attr = name.rsplit(".", 1)
                    patch.setattr(module + "." + attr, value)
            _refused(client, page, world, case, savepoint, override)
        tally("hostile")


@pytest.mark.parametrize("page", [p for p in FILES if p.name != "workday calendar"], ids=lambda p: p.name)
def test_an_upload_keeps_a_file_with_a_tricky_name_inside_media_root(world, page, client_for, savepoint):
    client = client_for(page.role)
    ext, valid, _wrong, _limit = FILE_KINDS[page.name]
    content = valid()
    root = Path(settings.MEDIA_ROOT).resolve()
    for trick in TRICK_NAMES:
        filename = trick.format(ext=ext)
        where = f"{page.name}: {filename[:40]!r}"
        files_before = media_files()
        with savepoint():
            response = upload(client, page, world, filename, content)
            names = _shown_names(page)
        assert response.status_code == 302, (where, response.status_code, alerts(response))
        new = media_files() - files_before
        assert len(new) == 1, (where, new)
        for stored in new:
            assert (root / stored).resolve().is_relative_to(root), (where, stored)
            assert ".." not in Path(stored).parts and "\\" not in stored and "\x00" not in stored, (where, stored)
        for name in names:
            assert not set(name) & {"/", "\\", "\x00"} and len(name) <= 200, (where, name)
        tally("hostile")


def _shown_names(page: Upload) -> list[str]:
    """The names the page keeps for the file it just stored (to show and to download as)."""
    if page.name == "meeting material":
        return [TopicMaterial.objects.latest("pk").name]
    if page.name == "proposal document":
        return [ProposalDocument.objects.latest("pk").name]
    if page.name == "credit evidence":
        return [os.path.basename(CreditEntry.objects.latest("pk").evidence.name)]
    return []


def test_the_calendar_reads_a_gbk_csv(world, client_for, savepoint):
    page = next(p for p in FILES if p.name == "workday calendar")
    client = client_for(page.role)
    _ext, valid, _wrong, _limit = FILE_KINDS[page.name]
    content = valid()
    assert "国庆节".encode("gbk") in content
    with savepoint():
        response = upload(client, page, world, "holidays.csv", content)
        day = CalendarDay.objects.filter(date="2031-10-01").first()
    assert response.status_code == 302, alerts(response)
    assert day is not None and day.name == "国庆节"
    tally("hostile")


# --- formulas in every export -------------------------------------------------------------------------------------

# the text each field gets: a formula a spreadsheet program would run, one per prefix it runs on
FORMULA_FIELDS = dict(
    zip(("unit", "name", "post", "remarks", "holiday", "phone"), hf.FORMULAS, strict=True),
)


def _formula_world(w) -> dict:
    """A unit, a cadre rated in an appraisal and short of training hours, and a holiday, each with formula text."""
    from appraisal.services import ratings
    from cadres.models import Rank
    from orgdept.core.workdays import calendar_import
    from tests.appraisal.factories import indicator_only_cycle
    from tests.cadres.factories import make_cadre, make_unit

    unit = make_unit(FORMULA_FIELDS["unit"])
    cadre = make_cadre(
        unit,
        FORMULA_FIELDS["name"],
        rank=Rank.ZHENG_KE,
        current_post=FORMULA_FIELDS["post"],
        remarks=FORMULA_FIELDS["remarks"],
        phone=FORMULA_FIELDS["phone"],
    )
    office = w.users[roles.APPRAISAL_OFFICE]
    cycle, _group = indicator_only_cycle(office, [cadre, w.other], year=2025)
    ratings.ratings_accept_proposed(cycle=cycle, actor=office)
    text = hf.csv_bytes([["date", "type", "name"], ["2031-10-01", "holiday", FORMULA_FIELDS["holiday"]]]).decode()
    calendar_import(text=text, actor=w.users[roles.SYSTEM_ADMIN])
    return {"cycle": cycle, "cadre": cadre}


EXPORTS = [
    # (what, role, url, format, the fields it shows)
    ("roster (xlsx)", roles.CADRE_SECTION, lambda o: reverse("cadres:roster_export", args=["xlsx"]), "xlsx", "all"),
    ("roster (csv)", roles.CADRE_SECTION, lambda o: reverse("cadres:roster_export", args=["csv"]), "csv", "all"),
    ("cadre list (xlsx)", roles.CADRE_SECTION, lambda o: reverse("cadres:cadre_export"), "xlsx", "all"),
    ("cadre list (csv)", roles.CADRE_SECTION, lambda o: reverse("cadres:cadre_export") + "?format=csv", "csv", "all"),
    (
        "training shortfalls",
        roles.TRAINING_SECTION,
        lambda o: reverse("training:shortfalls_export"),
        "xlsx",
        ("unit", "name", "post"),
    ),
    (
        "appraisal results",
        roles.APPRAISAL_OFFICE,
        lambda o: reverse("appraisal:results_export", args=[o["cycle"].pk]),
        "xlsx",
        ("unit", "name"),
    ),
    (
        "workday calendar",
        roles.SYSTEM_ADMIN,
        lambda o: reverse("core:calendar_export", args=[2031]),
        "csv",
        ("holiday",),
    ),
]


def _cells(content: bytes, fmt: str) -> list:
    if fmt == "csv":
        import csv

        text = content.decode("utf-8-sig")
        return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                cells.append(cell.value)
    return cells


def test_every_export_writes_formula_looking_text_as_escaped_text(world, client_for, savepoint):
    from orgdept.core.spreadsheets import ESCAPE, FORMULA_PREFIXES, unescape_cell

    with savepoint():
        made = _formula_world(world)
        stored = Cadre.objects.get(pk=made["cadre"].pk)
        values = {
            "unit": stored.unit.name,
            "name": stored.name,
            "post": stored.current_post,
            "remarks": stored.remarks,
            "phone": stored.phone,
            "holiday": CalendarDay.objects.get(date="2031-10-01").name,
        }
        # the services keep the text (trimmed): each still starts as a formula would
        assert all(v.startswith(FORMULA_PREFIXES) for v in values.values()), values
        for what, role, url, fmt, fields in EXPORTS:
            response = client_for(role).get(url(made))
            assert response.status_code == 200, (what, response.status_code)
            cells = [c for c in _cells(response.content, fmt) if isinstance(c, str)]
            shown = FORMULA_FIELDS.keys() - {"holiday"} if fields == "all" else fields
            for key in shown:
                # XML keeps a carriage return as a line feed: the xlsx gives "\r=1+1" back as "\n=1+1"
                wanted = {values[key], values[key].replace("\r", "\n")}
                escaped = [c for c in cells if c.startswith(ESCAPE) and c[1:] in wanted]
                assert escaped, (what, key, values[key], cells[:60])
            unsafe = [c for c in cells if c.startswith(FORMULA_PREFIXES)]
            assert not unsafe, (what, unsafe)
            assert all(c.startswith(ESCAPE) for c in cells if unescape_cell(c) in values.values()), what
            tally("hostile")


# --- markup in text fields: escaped on pages, literal text in PDFs, never fetched ------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FILE_IMG = '<img src="file:///etc/passwd">'
CSS_URL = "url(http://example.com/x)"
FILE_LINK = '<a href="file:///etc/passwd">x</a>'
PAYLOADS = (SCRIPT, IMG, FILE_IMG, CSS_URL, FILE_LINK)
# what must never reach a page unescaped
RAW = ("<script>alert(1)", "<img src=x onerror", '<img src="file:', '<a href="file:')


def _markup_world(w) -> dict[tuple, str]:
    """Markup put straight into the main text fields of each kind of object: what matters is how pages and PDFs
    render whatever is stored (an import, the admin or an older version may have put it there).
    Returns {(model, field): text}."""
    from appraisal.models import AppraisalCycle
    from cadres.models import ProposalRound, Unit
    from committees.models import Committee
    from meetings.models import Meeting, Topic
    from training.models import TrainingClass, TrainingPlan

    texts = {
        (Cadre, w.cadre.pk, "name"): SCRIPT,
        (Cadre, w.cadre.pk, "current_post"): IMG + FILE_IMG,
        (Cadre, w.cadre.pk, "remarks"): CSS_URL + FILE_LINK + SCRIPT,
        (Unit, w.unit.pk, "name"): IMG,
        (Topic, w.topic.pk, "title"): SCRIPT + FILE_IMG,
        (Topic, w.topic.pk, "summary"): IMG + CSS_URL + FILE_LINK,
        (Meeting, w.meeting.pk, "place"): CSS_URL + SCRIPT,
        (TopicMaterial, w.material.pk, "name"): IMG,
        (TrainingClass, w.training_class.pk, "name"): SCRIPT + CSS_URL,
        (TrainingPlan, w.plan.pk, "title"): IMG,
        (CreditEntry, w.credit.pk, "title"): SCRIPT + FILE_LINK,
        (AppraisalCycle, w.rated_cycle.pk, "scope"): SCRIPT + FILE_LINK,
        (AppraisalCycle, w.cycle.pk, "scope"): IMG,
        (ProposalRound, w.round.pk, "title"): IMG + FILE_IMG,
        (Committee, w.term.committee_id, "name"): SCRIPT,
    }
    decision = _decided(w)
    texts[(type(decision), decision.pk, "text")] = IMG + FILE_LINK + SCRIPT
    for (model, pk, name), text in texts.items():
        assert model.objects.filter(pk=pk).update(**{name: text}) == 1
    return texts


def _decided(w):
    """The world's meeting held at its hour: everyone present votes for its topic, and it adjourns."""
    from datetime import timedelta

    import time_machine

    from meetings.models import Decision
    from meetings.services.meetings import attendance_take, meeting_adjourn, meeting_open
    from meetings.services.votes import vote_record, voting_close, voting_open

    meeting = w.meeting
    staff = w.users[roles.ORGANIZATION_SECTION]
    with time_machine.travel(meeting.starts_at + timedelta(minutes=30), tick=False):
        present = set(meeting.attendances.values_list("member_id", flat=True))
        attendance_take(meeting=meeting, present=present, reasons={}, actor=staff)
        meeting_open(meeting=meeting, actor=staff)
        item = meeting.items.get()
        voting_open(item=item, actor=staff)
        for attendance in meeting.attendances.filter(voting=True, presence="present").select_related("member"):
            vote_record(item=item, member=attendance.member, choice="同意", candidate=None, actor=staff)
        voting_close(item=item, actor=staff)
        meeting_adjourn(meeting=meeting, actor=staff)
    return Decision.objects.get(item=item)


# pages that must show a text (escaped): url name -> (arguments, the texts)
SHOWN = {
    "cadres:cadre_detail": (lambda w: [w.cadre.pk], [SCRIPT, IMG + FILE_IMG, CSS_URL + FILE_LINK + SCRIPT]),
    "cadres:cadre_list": (lambda w: [], [SCRIPT, IMG]),
    "cadres:unit_detail": (lambda w: [w.unit.pk], [IMG]),
    "meetings:topic_detail": (lambda w: [w.topic.pk], [SCRIPT + FILE_IMG, IMG + CSS_URL + FILE_LINK, IMG]),
    "meetings:meeting_detail": (lambda w: [w.meeting.pk], [SCRIPT + FILE_IMG, CSS_URL + SCRIPT]),
    "training:class_detail": (lambda w: [w.training_class.pk], [SCRIPT + CSS_URL]),
    "training:plan_detail": (lambda w: [w.plan.pk], [IMG]),
    "training:transcript": (lambda w: [w.cadre.pk], [SCRIPT + FILE_LINK]),
    "appraisal:cycle": (lambda w: [w.cycle.pk], [IMG]),
    "cadres:round_detail": (lambda w: [w.round.pk], [IMG + FILE_IMG]),
    "meetings:decision_detail": (lambda w: [w.meeting.items.get().decision.pk], [IMG + FILE_LINK + SCRIPT]),
}


def _raw_markup(text: str) -> list[str]:
    return [raw for raw in RAW if raw in text]


def test_markup_in_text_fields_is_shown_escaped_on_every_page(world, savepoint):
    from tests.platform.test_authorization_matrix import _urls

    clients = {}
    for role, user in world.users.items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)
    with savepoint():
        _markup_world(world)
        for name, (args, texts) in SHOWN.items():
            url = reverse(name, args=args(world))
            shown = None
            for client in clients.values():
                response = client.get(url)
                if response.status_code == 200:
                    shown = response.content.decode()
                    break
            assert shown is not None, name
            for text in texts:
                assert escape(text) in shown, (name, text)
            assert not _raw_markup(shown), (name, _raw_markup(shown))
            tally("hostile")
        # and no page of the project lets the markup through: each page as the first role that may open it
        pages = 0
        for name, url in _urls(world):
            if name == "logout":
                continue
            for role, client in clients.items():
                response = client.get(url)
                assert response.status_code < 500, (role, name, response.status_code)
                client.force_login(world.users[role])  # a page that ends the session (none should) signs back in
                if response.status_code == 200:
                    if response.get("Content-Type", "").startswith("text/html"):
                        assert not _raw_markup(response.content.decode()), (role, name, url)
                        pages += 1
                    break
        assert pages > 100, pages
    tally("hostile", pages)


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return "".join(text.split())


def _squeeze(text: str) -> str:
    return "".join(text.split())


def test_markup_in_pdfs_is_literal_text_and_nothing_is_fetched(world, savepoint, monkeypatch):
    from django.utils import timezone

    from appraisal.documents_pdf import render_result_sheet_pdf
    from appraisal.summary_pdf import render_summary_pdf
    from cadres.approval_form import FormOptions, render_forms_pdf
    from meetings.pdf import minutes_context, notice_context, render_agenda_pack
    from orgdept.core.models import Document
    from orgdept.core.pdf import StaticOnlyURLFetcher, render_pdf
    from training.transcript_pdf import render_transcript_pdf

    asked: list[str] = []
    original = StaticOnlyURLFetcher.fetch

    def recording(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyURLFetcher, "fetch", recording)
    today = timezone.localdate()
    with savepoint():
        _markup_world(world)
        cadre = Cadre.objects.get(pk=world.cadre.pk)
        from meetings.models import Meeting

        meeting = Meeting.objects.get(pk=world.meeting.pk)
        reader = world.users[roles.ORGANIZATION_SECTION]
        agenda = Document(kind="agenda_pack", params={"meeting": meeting.pk}, requested_by=reader, title="议程")
        agenda.created_at = timezone.now()
        documents = {
            "任免审批表": (render_forms_pdf([(cadre, FormOptions())], today=today), [SCRIPT, IMG]),
            "meeting notice": (
                render_pdf("meetings/pdf/notice.html", notice_context(meeting, today=today)),
                [CSS_URL + SCRIPT],
            ),
            "agenda": (render_agenda_pack(agenda)[0], [SCRIPT + FILE_IMG]),
            "minutes": (
                render_pdf("meetings/pdf/minutes.html", minutes_context(meeting)),
                [SCRIPT + FILE_IMG, IMG + FILE_LINK + SCRIPT],
            ),
            "training transcript": (render_transcript_pdf(cadre, on=today)[0], [SCRIPT, SCRIPT + FILE_LINK]),
            "appraisal result sheet": (
                render_result_sheet_pdf(world.own_result, on=today)[0],
                [SCRIPT],
            ),
            "appraisal summary": (render_summary_pdf(world.rated_cycle, on=today)[0], [SCRIPT, IMG]),
        }
    for what, (pdf, texts) in documents.items():
        text = _pdf_text(pdf)
        for literal in texts:
            assert _squeeze(literal) in text, (what, literal, text[:400])
        tally("hostile")
    fetched_elsewhere = [url for url in asked if "passwd" in url or "example.com" in url or url.startswith("file:")]
    assert not fetched_elsewhere, fetched_elsewhere


def test_an_oversized_photo_is_not_read_whole_into_memory(world, client_for, savepoint, override, monkeypatch):
    """A photo upload kept on disk (larger than FILE_UPLOAD_MAX_MEMORY_SIZE) is read up to its limit only."""
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from cadres.services import records

    page = next(p for p in FILES if p.name == "cadre photo")
    content = hf.png() + b"\0" * 100_000  # a PNG reader stops at IEND: trailing bytes keep it a valid picture
    monkeypatch.setattr(records, "PHOTO_MAX_BYTES", 1000)
    reads: list[int] = []

    def bounded(self):
        def read(*args):
            data = self.file.read(*args)
            reads.append(len(data))
            return data

        return read

    monkeypatch.setattr(TemporaryUploadedFile, "read", property(bounded))
    before = _state(page)
    with savepoint(), override(FILE_UPLOAD_MAX_MEMORY_SIZE=0):
        response = upload(client_for(page.role), page, world, "big.png", content)
        after = _state(page)
    assert response.status_code in (200, 400)
    assert any("5MB" in a or "照片" in a for a in alerts(response)), alerts(response)
    assert reads and max(reads) <= 1001, reads
    assert after == before
    tally("hostile")

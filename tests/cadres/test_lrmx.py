""".lrmx files: the mapping both ways (round trips), reading the national software's files, hostile files,
and the import pages: upload, the diff against the matched file, confirming, a stale confirmation."""

from __future__ import annotations

import io
import os
import time
from datetime import date
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image, ImageChops, ImageStat

from cadres import lrmx
from cadres.approval_form import FormOptions, cadres_for_forms
from cadres.lrmx import LrmxError, lrmx_export, lrmx_parse, record_from_cadre, record_to_lrmx
from cadres.models import Cadre, Education, PoliticalStatus, RewardPunishment
from cadres.services import CADRE_FIELDS, cadre_apply_lrmx, cadre_update, lrmx_preview
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.cadres.test_approval_form import AGE_ON, full_cadre

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "approval_form_wangfang.lrmx"
OPTIONS = FormOptions(
    proposed_post="云岭区人民政府副区长",
    removed_post="云岭区财政局局长职务",
    reason="工作需要\n经区委常委会研究",
    age_on=AGE_ON,
    reporting_unit="中共云岭区委组织部",
    filled_by="赵敏",
    filled_on=date(2026, 6, 1),
    appraisal="2023—2025年度考核均为称职",
)
# fields the national form (and so the file) has no place for: they stay as the importing office keeps them
NOT_IN_THE_FORMAT = {"unit", "rank", "post_since_month", "rank_since_month", "phone", "remarks"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def unit(db):
    return make_unit("云岭区财政局", order=1)


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu")


def photo_of(cadre) -> bytes | None:
    if not cadre.photo:
        return None
    with cadre.photo.open("rb") as f:
        return f.read()


def export(cadre, options=OPTIONS) -> bytes:
    cadre = cadres_for_forms([cadre.pk])[0]
    return lrmx_export(cadre, options, photo=photo_of(cadre))


def snapshot(cadre) -> dict:
    """Everything of a cadre file that the form carries, in comparable form."""
    cadre = cadres_for_forms([cadre.pk])[0]
    return {
        "fields": {name: getattr(cadre, name) for name in CADRE_FIELDS if name not in NOT_IN_THE_FORMAT},
        "education": sorted((e.kind, e.education, e.degree, e.school_major) for e in cadre.educations.all()),
        "resume": [(r.start_month, r.end_month, r.description) for r in cadre.resume_lines.all()],
        "rewards": [(r.kind, r.month, r.description) for r in cadre.rewards_punishments.all()],
        "family": [
            (m.relation, m.name, m.birth_month, m.political_status, m.work_and_post) for m in cadre.family_members.all()
        ],
    }


def same_picture(a: bytes, b: bytes) -> bool:
    """Both photos show the same picture (re-encoding a JPEG changes bytes, not what it shows)."""
    first, second = Image.open(io.BytesIO(a)).convert("RGB"), Image.open(io.BytesIO(b)).convert("RGB")
    if first.size != second.size:
        return False
    return max(ImageStat.Stat(ImageChops.difference(first, second)).mean) < 2.0


# --- round trips -------------------------------------------------------------------------------------


def test_a_full_file_survives_export_and_import_into_an_empty_database(unit):
    original = full_cadre(unit)
    before, picture = snapshot(original), photo_of(original)
    content = export(original)
    Cadre.objects.all().delete()  # the receiving office has never seen this cadre
    assert not Cadre.objects.exists()

    record = lrmx_parse(content)
    assert record.options == OPTIONS
    created = cadre_apply_lrmx(record=record, actor=None, unit=make_unit("另一个区财政局"))

    assert snapshot(created) == before
    assert before["fields"]["political_status"] == PoliticalStatus.CPC
    assert same_picture(photo_of(created), picture)
    # the punishment is told apart by its words (the file has no kind)
    assert [r[0] for r in before["rewards"]] == ["reward", "reward", "punishment"]


def test_a_member_of_another_party_keeps_the_party_through_the_file(unit):
    original = make_cadre(
        unit,
        "周敏",
        born=date(1972, 5, 1),
        male=False,
        political_status=PoliticalStatus.CDL,
        party_joined_month=date(1999, 6, 1),
    )
    content = export(original)
    assert b"<RuDangShiJian>199906\xe6\xb0\x91\xe7\x9b\x9f</RuDangShiJian>" in content  # 199906民盟
    before = snapshot(original)
    Cadre.objects.all().delete()
    created = cadre_apply_lrmx(record=lrmx_parse(content), actor=None, unit=unit)
    assert snapshot(created) == before


@pytest.mark.parametrize("photo", [True, False])
def test_our_file_read_back_and_written_again_is_the_same_bytes(unit, photo):
    content = export(full_cadre(unit, photo=photo))
    assert record_to_lrmx(lrmx_parse(content)) == content


def test_an_empty_file_round_trips_too(unit):
    content = export(make_cadre(unit, "吴刚"), FormOptions(age_on=AGE_ON, filled_on=date(2026, 6, 1)))
    assert record_to_lrmx(lrmx_parse(content)) == content
    assert b"<JianLi></JianLi>" in content and b"<JiaTingChengYuan></JiaTingChengYuan>" in content


def test_the_export_is_indented_utf8_xml_with_the_element_order_of_the_format(unit):
    content = export(full_cadre(unit))
    text = content.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Person>\n  <XingMing>李建国</XingMing>\n')
    names = [line[3:].split(">")[0] for line in text.splitlines()[2:] if line.startswith("  <") and line[3] != "/"]
    assert names == list(lrmx.ELEMENT_ORDER)
    for expected in (
        "<XingBie>男</XingBie>",
        "<ChuShengNianYue>197503</ChuShengNianYue>",
        "<RuDangShiJian>199605</RuDangShiJian>",
        "<CanJiaGongZuoShiJian>199707</CanJiaGongZuoShiJian>",
        "<ChuShengRiQi>197708</ChuShengRiQi>",
        "<JiSuanNianLingShiJian>20260615</JiSuanNianLingShiJian>",
        "<TianBiaoShiJian>202606</TianBiaoShiJian>",
        "<NiRenZhiWu>云岭区人民政府副区长</NiRenZhiWu>",
        "1993.09--1997.07  云南大学经济学院财政学专业学习\n1997.07--2003.06",
        "2019.08--  云岭区财政局党组书记、局长</JianLi>",
        f"<Version>{lrmx.FORMAT_VERSION}</Version>",
    ):
        assert expected in text, expected


# --- reading the national software's files -----------------------------------------------------------


def test_a_file_as_the_national_software_writes_it_is_read():
    record = lrmx_parse(FIXTURE.read_bytes())
    assert record.id_number == "532301198211051743"
    assert record.fields["name"] == "王芳"  # the padding space of the name is dropped
    assert record.fields["gender"] == "F"
    assert record.fields["birth_month"] == date(1982, 11, 1)
    assert record.fields["ethnicity"] == "彝族"
    assert record.fields["political_status"] == PoliticalStatus.CPC
    assert record.fields["party_joined_month"] == date(2004, 6, 1)
    assert record.fields["professional_title"] == ""  # whitespace only
    assert record.full_time == lrmx.EducationEntry("大学", "法学学士", "云南民族大学法学院法学专业")
    assert record.in_service == lrmx.EducationEntry("研究生", "", "云南省委党校政治学专业")
    assert [(r["start_month"], r["end_month"]) for r in record.resume] == [
        (date(2001, 9, 1), date(2005, 7, 1)),
        (date(2005, 7, 1), date(2010, 3, 1)),
        (date(2010, 3, 1), date(2016, 8, 1)),
        (date(2016, 8, 1), None),
    ]
    # a line without dates continues the line before it
    assert record.resume[2]["description"] == (
        "云岭区委组织部组织科副科长、科长（其间：2012.09--2014.07在云南省委党校政治学专业在职研究生班学习）"
    )
    assert record.rewards == []  # 无
    assert [m["name"] for m in record.family] == ["李强", "李欣然"]  # the empty item is skipped
    assert record.family[0]["birth_month"] == date(1980, 5, 1)
    assert record.options.proposed_post == "云岭区青山镇党委书记"
    assert record.options.age_on == date(2026, 6, 15)
    assert record.options.filled_on == date(2026, 6, 1)
    assert record.options.appraisal == "2023—2025年度考核均为称职。"
    assert record.photo is None


def test_windows_line_ends_and_a_gbk_declared_file_read_the_same():
    data = FIXTURE.read_bytes()
    expected = lrmx_parse(data)
    assert lrmx_parse(data.replace(b"\n", b"\r\n")) == expected
    gbk = data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="GB2312"').encode("gb18030")
    assert lrmx_parse(gbk) == expected
    undeclared = data.decode("utf-8").split("\n", 1)[1].encode("gb18030")
    assert lrmx_parse(undeclared) == expected


def lrmx_with(**texts) -> bytes:
    """The fixture with some elements' text replaced."""
    data = FIXTURE.read_text("utf-8")
    for name, value in texts.items():
        start, end = data.index(f"<{name}>") + len(name) + 2, data.index(f"</{name}>")
        data = data[:start] + value + data[end:]
    return data.encode("utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1993.9-1997.7 甲", [(date(1993, 9, 1), date(1997, 7, 1), "甲")]),
        ("199309--199707甲", [(date(1993, 9, 1), date(1997, 7, 1), "甲")]),
        ("1993.09—1997.07　甲", [(date(1993, 9, 1), date(1997, 7, 1), "甲")]),
        ("1993.09～ 乙", [(date(1993, 9, 1), None, "乙")]),
        (
            "1993.09--1997.07  甲\n   续\n1997.07--  乙",
            [(date(1993, 9, 1), date(1997, 7, 1), "甲续"), (date(1997, 7, 1), None, "乙")],
        ),
        # a current line whose text starts with a date: the date is text, not the end
        ("2020.01--  2021.05起兼任区长助理", [(date(2020, 1, 1), None, "2021.05起兼任区长助理")]),
        ("2020.01-- 2021.05 起兼任区长助理", [(date(2020, 1, 1), None, "2021.05 起兼任区长助理")]),
        ("2020.01--  2021.05  区长助理", [(date(2020, 1, 1), date(2021, 5, 1), "区长助理")]),
        ("2020.01--\t2021.05\t区长助理", [(date(2020, 1, 1), date(2021, 5, 1), "区长助理")]),
    ],
)
def test_resume_lines_in_the_ways_files_write_them(text, expected):
    record = lrmx_parse(lrmx_with(JianLi=text))
    assert [(r["start_month"], r["end_month"], r["description"]) for r in record.resume] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("在云南大学学习\n1993.09--1997.07  甲", "简历第1行“在云南大学学习”没有起止时间"),
        ("1997.07--1993.09  甲", "简历第1行：结束时间1993.09早于开始时间1997.07"),
        ("1993.13--1997.07  甲", "简历第1行：“1993.13”的月份应在1到12之间"),
        ("1993.09--1997.07", "简历第1行没有经历内容"),
    ],
)
def test_resume_lines_that_cannot_be_read_are_refused_with_their_line(text, message):
    with pytest.raises(LrmxError) as info:
        lrmx_parse(lrmx_with(JianLi=text))
    assert message in info.value.message


def test_rewards_and_punishments_are_told_apart_by_their_words():
    text = "2012.12 被评为优秀公务员\n2015年3月受到党内警告处分\n2018.06，诫勉谈话\n记三等功一次\n2020.01 通报批评"
    record = lrmx_parse(lrmx_with(JiangChengQingKuang=text))
    assert [(r["kind"], r["month"], r["description"]) for r in record.rewards] == [
        (RewardPunishment.Kind.REWARD, date(2012, 12, 1), "被评为优秀公务员"),
        (RewardPunishment.Kind.PUNISHMENT, date(2015, 3, 1), "受到党内警告处分"),
        (RewardPunishment.Kind.PUNISHMENT, date(2018, 6, 1), "诫勉谈话"),
        (RewardPunishment.Kind.REWARD, None, "记三等功一次"),
        (RewardPunishment.Kind.PUNISHMENT, date(2020, 1, 1), "通报批评"),
    ]


@pytest.mark.parametrize(
    ("value", "status", "joined"),
    [
        ("200406", PoliticalStatus.CPC, date(2004, 6, 1)),
        ("2004.06", PoliticalStatus.CPC, date(2004, 6, 1)),
        ("199806民盟", PoliticalStatus.CDL, date(1998, 6, 1)),
        ("民建", PoliticalStatus.CNDCA, None),
        ("群众", PoliticalStatus.MASSES, None),
        ("无党派", PoliticalStatus.NON_PARTY, None),
        ("", None, None),
    ],
)
def test_the_party_line_carries_the_political_status(value, status, joined):
    record = lrmx_parse(lrmx_with(RuDangShiJian=value))
    assert record.fields.get("political_status") == status
    assert record.fields["party_joined_month"] == joined


def test_every_bad_value_is_reported_at_once_naming_its_element():
    data = lrmx_with(XingBie="未知", ChuShengNianYue="198213", ZhaoPian="不是base64", JiSuanNianLingShiJian="明天")
    with pytest.raises(LrmxError) as info:
        lrmx_parse(data)
    messages = info.value.messages
    assert any(m.startswith("性别（XingBie）") for m in messages)
    assert any(m.startswith("出生年月（ChuShengNianYue）") for m in messages)
    assert "照片（ZhaoPian）不是有效的base64编码" in messages
    assert any(m.startswith("计算年龄时间（JiSuanNianLingShiJian）") for m in messages)


def test_unknown_elements_are_ignored_with_a_warning():
    data = FIXTURE.read_text("utf-8").replace("<Version>", "<ZhengZhiMianMao>中共党员</ZhengZhiMianMao><Version>")
    record = lrmx_parse(data.encode("utf-8"))
    assert record.warnings == ["文件中有本系统不使用的内容，导入时忽略：ZhengZhiMianMao"]


# --- hostile files -----------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Person [
  <!ENTITY a "ha">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<Person><XingMing>&c;</XingMing></Person>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE Person [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Person><XingMing>&x;</XingMing></Person>"""
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BILLION_LAUGHS, "文件含有文档类型定义（DOCTYPE），出于安全原因不予导入"),
        (EXTERNAL, "文件含有文档类型定义（DOCTYPE），出于安全原因不予导入"),
        (b"<!DOCTYPE Person><Person/>", "文件含有文档类型定义（DOCTYPE），出于安全原因不予导入"),
        (PNG, "文件不是有效的XML，无法作为任免审批表（.lrmx）文件读取"),
        ("XingMing,XingBie\n张三,男\n".encode(), "文件不是有效的XML，无法作为任免审批表（.lrmx）文件读取"),
        (b"<html><body>hi</body></html>", "文件的根元素是<html>而不是<Person>，不是任免审批表（.lrmx）文件"),
        (b"", "文件是空的"),
        (b"<Person></Person>", "文件中没有身份证号（ShenFenZheng），无法与干部档案对应"),
    ],
)
def test_hostile_and_foreign_files_are_refused_with_a_chinese_message(data, message):
    with pytest.raises(LrmxError) as info:
        lrmx_parse(data)
    assert message in info.value.messages


def test_an_oversize_file_is_refused_before_it_is_parsed(monkeypatch):
    monkeypatch.setattr(lrmx, "MAX_BYTES", 1024)
    with pytest.raises(LrmxError) as info:
        lrmx_parse(b"<Person>" + b" " * 2000 + b"</Person>")
    assert "文件过大" in info.value.message


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL, PNG, b"<html/>", b"x" * (lrmx.MAX_BYTES + 1)])
def test_an_upload_of_a_hostile_file_writes_nothing(client, staff, unit, data):
    client.force_login(staff)
    cadres = Cadre.objects.count()
    upload = io.BytesIO(data)
    upload.name = "evil.lrmx"
    response = client.post(reverse("cadres:lrmx_import"), {"file": upload})
    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors)  # Chinese
    assert Cadre.objects.count() == cadres
    assert not client.session.get("lrmx_imports")
    assert not default_storage.exists("lrmx-imports") or not default_storage.listdir("lrmx-imports")[1]
    assert not AuditEvent.objects.filter(action="cadre.lrmx_imported").exists()


# --- the import pages --------------------------------------------------------------------------------


def upload(client, data: bytes, name="person.lrmx"):
    file = io.BytesIO(data)
    file.name = name
    response = client.post(reverse("cadres:lrmx_import"), {"file": file})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    return response["Location"]


def test_the_diff_shows_what_changes_and_confirming_saves_it(client, staff, unit):
    cadre = full_cadre(unit)
    record = record_from_cadre(cadres_for_forms([cadre.pk])[0], OPTIONS, photo=photo_of(cadre))
    record.fields["current_post"] = "云岭区人民政府副区长"
    record.fields["health"] = "良好"
    record.resume[-1]["end_month"] = date(2025, 5, 1)
    record.resume.append({"start_month": date(2025, 5, 1), "end_month": None, "description": "云岭区人民政府副区长"})
    record.family = record.family[:2]
    client.force_login(staff)
    url = upload(client, record_to_lrmx(record))

    page = client.get(url)
    assert page.status_code == 200
    preview = page.context["preview"]
    assert preview.cadre.pk == cadre.pk and not preview.errors
    changed = {row.key: (row.old, row.new) for row in (*preview.rows, *preview.sections) if row.changed}
    assert changed["current_post"] == ("云岭区财政局党组书记、局长", "云岭区人民政府副区长")
    assert changed["health"] == ("健康", "良好")
    assert set(changed) == {"current_post", "health", "resume", "family"}
    assert "2025.05--  云岭区人民政府副区长" in changed["resume"][1]
    resume_row = next(row for row in preview.sections if row.key == "resume")
    assert [line for line, added in resume_row.new_lines if added] == [
        "2019.08--2025.05  云岭区财政局党组书记、局长",
        "2025.05--  云岭区人民政府副区长",
    ]
    assert [line for line, gone in resume_row.old_lines if gone] == ["2019.08--  云岭区财政局党组书记、局长"]
    body = page.content.decode()
    assert "云岭区人民政府副区长" in body and "经区委常委会研究" in body  # the form's own entries are shown
    assert AuditEvent.objects.filter(action="cadre.viewed", object_id=str(cadre.pk)).exists()

    response = client.post(url, {"action": "confirm"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cadres:cadre_detail", args=[cadre.pk])
    cadre = cadres_for_forms([cadre.pk])[0]
    assert cadre.current_post == "云岭区人民政府副区长" and cadre.health == "良好"
    assert len(cadre.resume_lines.all()) == len(record.resume)
    assert [m.name for m in cadre.family_members.all()] == ["王丽华", "李明远"]
    assert cadre.unit == unit  # kept
    assert AuditEvent.objects.filter(action="cadre.lrmx_imported", object_id=str(cadre.pk)).exists()
    assert not client.session.get("lrmx_imports")  # the uploaded copy is gone
    assert client.get(url).status_code == 404


def test_importing_the_same_file_again_changes_nothing(client, staff, unit):
    cadre = full_cadre(unit)
    content = export(cadre)
    version = Cadre.objects.get(pk=cadre.pk).version
    client.force_login(staff)
    url = upload(client, content)
    preview = client.get(url).context["preview"]
    assert preview.changes == 0
    assert client.post(url, {"action": "confirm"}).status_code == 302
    assert Cadre.objects.get(pk=cadre.pk).version == version


def test_a_new_cadre_needs_a_unit_then_is_created(client, staff, unit):
    client.force_login(staff)
    url = upload(client, FIXTURE.read_bytes())
    page = client.get(url)
    assert page.context["preview"].is_new
    assert "unit" in page.context["form"].fields

    response = client.post(url, {"action": "confirm"})
    assert response.status_code == 400
    assert response.context["form"].errors["unit"]
    assert not Cadre.objects.filter(id_number="532301198211051743").exists()

    response = client.post(url, {"action": "confirm", "unit": unit.pk})
    assert response.status_code == 302
    created = Cadre.objects.get(id_number="532301198211051743")
    assert (created.name, created.unit, created.gender, created.ethnicity) == ("王芳", unit, "F", "彝族")
    assert created.resume_lines.count() == 4 and created.family_members.count() == 2
    assert created.educations.get(kind=Education.Kind.IN_SERVICE).school_major == "云南省委党校政治学专业"


def test_a_confirmation_on_a_file_changed_meanwhile_is_refused(client, staff, make_user, unit):
    cadre = full_cadre(unit)
    record = record_from_cadre(cadres_for_forms([cadre.pk])[0], OPTIONS)
    record.fields["expertise"] = "预算管理"
    client.force_login(staff)
    url = upload(client, record_to_lrmx(record))
    assert client.get(url).status_code == 200  # the user looks at the differences …

    colleague = make_user(roles.CADRE_SECTION)  # … while a colleague edits the file
    cadre_update(cadre=cadre, actor=colleague, expected_version=Cadre.objects.get(pk=cadre.pk).version, health="良好")

    response = client.post(url, {"action": "confirm"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    cadre.refresh_from_db()
    assert (cadre.expertise, cadre.health) == ("财政管理、经济运行分析", "良好")
    assert not AuditEvent.objects.filter(action="cadre.lrmx_imported").exists()

    # the page now shows the current file; confirming what it shows goes through
    assert (
        response.context["preview"].rows[[r.key for r in response.context["preview"].rows].index("health")].old
        == "良好"
    )
    assert client.post(url, {"action": "confirm"}).status_code == 302
    cadre.refresh_from_db()
    assert (cadre.expertise, cadre.health) == ("预算管理", "健康")


def test_the_service_refuses_a_stale_version_and_writes_nothing(unit):
    cadre = full_cadre(unit)
    record = record_from_cadre(cadres_for_forms([cadre.pk])[0], OPTIONS)
    record.fields["health"] = "良好"
    record.resume = []
    stale = Cadre.objects.get(pk=cadre.pk).version - 1
    with pytest.raises(ApplicationError) as info:
        cadre_apply_lrmx(record=record, actor=None, cadre=cadre, expected_version=stale)
    assert "已被他人修改" in info.value.message
    cadre.refresh_from_db()
    assert cadre.health == "健康" and cadre.resume_lines.count() == len(record_from_cadre(cadre, OPTIONS).resume)


def test_the_service_will_not_create_a_second_file_for_an_id_number(unit):
    cadre = full_cadre(unit)
    record = record_from_cadre(cadres_for_forms([cadre.pk])[0], OPTIONS)
    with pytest.raises(ApplicationError) as info:
        cadre_apply_lrmx(record=record, actor=None, unit=unit)
    assert "已经存在" in info.value.message
    assert Cadre.objects.count() == 1


def test_a_file_that_breaks_the_rules_is_shown_with_its_errors_and_cannot_be_saved(client, staff, unit):
    data = lrmx_with(XingBie="男", RuDangShiJian="199506")  # a woman's ID number; a party date at 12
    client.force_login(staff)
    url = upload(client, data)
    page = client.get(url)
    errors = page.context["preview"].errors
    assert any(e.startswith("性别：性别与身份证号不一致") for e in errors)
    assert any(e.startswith("入党时间：入党时间1995.06早于年满18周岁的月份") for e in errors)
    assert 'value="confirm"' not in page.content.decode()
    response = client.post(url, {"action": "confirm", "unit": unit.pk})
    assert response.status_code == 400
    assert not Cadre.objects.exists()


def test_cancelling_forgets_the_upload(client, staff):
    client.force_login(staff)
    url = upload(client, FIXTURE.read_bytes())
    path = client.session["lrmx_imports"][url.rstrip("/").rsplit("/", 1)[1]]["path"]
    assert default_storage.exists(path)
    response = client.post(url, {"action": "cancel"})
    assert response.status_code == 302
    assert not default_storage.exists(path)
    assert not Cadre.objects.exists()


def test_another_users_upload_is_not_reachable(client, staff, make_user):
    client.force_login(staff)
    url = upload(client, FIXTURE.read_bytes())
    client.force_login(make_user(roles.CADRE_SECTION))
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "confirm"}).status_code == 404


@pytest.mark.parametrize("role", [roles.TRAINING_SECTION, roles.DEPARTMENT_LEADER, roles.STANDING_MEMBER])
def test_importing_needs_the_right_to_change_cadre_files(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(reverse("cadres:lrmx_import")).status_code == 403
    assert client.get(reverse("cadres:lrmx_import_preview", args=["x" * 22])).status_code == 403


def test_the_export_downloads_the_named_file_and_is_audited(client, make_user, unit):
    cadre = full_cadre(unit)
    client.force_login(make_user(roles.TRAINING_SECTION))  # viewing is enough to export
    response = client.get(reverse("cadres:cadre_lrmx", args=[cadre.pk]), {"proposed_post": "区长助理"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert "attachment" in response["Content-Disposition"]
    assert "%E6%9D%8E%E5%BB%BA%E5%9B%BD.lrmx" in response["Content-Disposition"]  # 李建国.lrmx
    record = lrmx_parse(response.content)
    assert record.id_number == cadre.id_number and record.options.proposed_post == "区长助理"
    assert record.photo
    event = AuditEvent.objects.get(action="cadre.lrmx_exported")
    assert event.object_id == str(cadre.pk) and event.details["proposed_post"] == "区长助理"


def test_the_options_form_exports_with_its_options(client, staff, unit):
    cadre = make_cadre(unit, "吴刚")
    client.force_login(staff)
    response = client.post(
        reverse("cadres:approval_form", args=[cadre.pk]),
        {"action": "lrmx", "removed_post": "原职务", "age_on": "2026-06-15"},
    )
    assert response.status_code == 200
    record = lrmx_parse(response.content)
    assert record.options.removed_post == "原职务" and record.options.age_on == date(2026, 6, 15)


def test_preview_of_a_record_reads_only(unit):
    cadre = full_cadre(unit)
    version = Cadre.objects.get(pk=cadre.pk).version
    record = lrmx_parse(FIXTURE.read_bytes())
    record.id_number = cadre.id_number
    preview = lrmx_preview(record=record)
    assert preview.cadre.pk == cadre.pk
    assert Cadre.objects.get(pk=cadre.pk).version == version


def test_uploads_left_unconfirmed_are_removed_after_a_day(client, staff):
    client.force_login(staff)
    first = upload(client, FIXTURE.read_bytes())
    token = first.rstrip("/").rsplit("/", 1)[1]
    old_path = client.session["lrmx_imports"][token]["path"]
    day_and_a_bit = time.time() - 25 * 3600
    os.utime(default_storage.path(old_path), (day_and_a_bit, day_and_a_bit))
    upload(client, FIXTURE.read_bytes())
    assert not default_storage.exists(old_path)


@pytest.fixture
def appraisal_provider():
    """Registers an appraisal provider for the test and puts back the one there was."""
    from cadres import extensions

    previous = extensions._appraisal_summary
    seen = []

    def provider(cadre, on):
        seen.append((cadre.pk, on))
        return "2023—2025年度考核均为优秀"

    extensions.register_appraisal_summary(provider)
    yield seen
    extensions._appraisal_summary = previous


def test_the_export_states_the_appraisal_the_appraisal_app_reports(client, staff, unit, appraisal_provider):
    cadre = make_cadre(unit, "吴刚")
    content = export(cadre, FormOptions(age_on=AGE_ON, filled_on=date(2026, 6, 1)))
    assert lrmx_parse(content).options.appraisal == "2023—2025年度考核均为优秀"
    assert appraisal_provider == [(cadre.pk, AGE_ON)]
    # the form's own line wins, as on the PDF
    assert lrmx_parse(export(cadre, FormOptions(age_on=AGE_ON, appraisal="称职"))).options.appraisal == "称职"
    client.force_login(staff)
    response = client.get(reverse("cadres:cadre_lrmx", args=[cadre.pk]))
    assert lrmx_parse(response.content).options.appraisal == "2023—2025年度考核均为优秀"


def test_a_changed_kind_shows_in_the_diff_the_history_and_a_warning(client, staff, unit):
    from cadres.services import cadre_replace_rewards

    cadre = make_cadre(unit, "吴刚")
    # stored as a punishment, though its words name none: the file, which has no kind, makes it a reward
    cadre_replace_rewards(
        cadre=cadre,
        actor=None,
        items=[
            {"kind": "punishment", "month": date(2019, 3, 1), "description": "受到组织处理"},
            {"kind": "reward", "month": date(2015, 12, 1), "description": "被评为全区优秀公务员"},
        ],
    )
    content = export(cadre, FormOptions(age_on=AGE_ON))
    record = lrmx_parse(content)
    assert [r["kind"] for r in record.rewards] == ["reward", "reward"]
    preview = lrmx_preview(record=record)
    rewards = next(row for row in preview.sections if row.key == "rewards")
    assert rewards.changed
    assert rewards.old.split("\n")[0] == "2019.03 受到组织处理（惩处）"
    assert rewards.new.split("\n")[0] == "2019.03 受到组织处理（奖励）"
    assert any("在档案中为惩处" in w and "受到组织处理" in w for w in preview.record.warnings)
    assert not any("在档案中为" in w for w in record.warnings)  # the parsed record itself is left as it was

    client.force_login(staff)
    url = upload(client, content)
    assert "在档案中为惩处" in client.get(url).content.decode()
    assert client.post(url, {"action": "confirm"}).status_code == 302
    event = AuditEvent.objects.filter(action="cadre.updated", object_id=str(cadre.pk)).latest("pk")
    old, new = event.details["changes"]["奖惩情况"]
    assert "（惩处）" in old and "（惩处）" not in new


def test_an_item_taken_for_a_punishment_by_its_words_is_warned_about():
    record = lrmx_parse(lrmx_with(JiangChengQingKuang="2012.12 被评为优秀公务员\n2015.03 受到党内警告处分"))
    guessed = [w for w in record.warnings if "按惩处导入" in w]
    assert len(guessed) == 1 and "第2项" in guessed[0] and "警告" in guessed[0]


def test_a_current_resume_line_whose_text_starts_with_a_date_round_trips(unit):
    from cadres.services import cadre_replace_resume

    cadre = make_cadre(unit, "吴刚")
    lines = [
        {"start_month": date(2015, 1, 1), "end_month": date(2020, 1, 1), "description": "云岭区财政局副局长"},
        {"start_month": date(2020, 1, 1), "end_month": None, "description": "2021.05起兼任区长助理"},
    ]
    cadre_replace_resume(cadre=cadre, actor=None, lines=lines)
    content = export(cadre, FormOptions(age_on=AGE_ON))
    assert "2020.01--  2021.05起兼任区长助理" in content.decode()
    assert lrmx_parse(content).resume == lines
    assert record_to_lrmx(lrmx_parse(content)) == content


def test_importing_needs_the_right_to_view_cadre_files_as_well(client, make_user, unit):
    from django.contrib.auth.models import Permission

    cadre = full_cadre(unit)
    content = export(cadre)
    writer = make_user(username="writer-only")
    writer.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="cadres", codename__in=["change_cadre", "add_cadre"])
    )
    client.force_login(writer)
    assert client.get(reverse("cadres:lrmx_import")).status_code == 403
    file = io.BytesIO(content)
    file.name = "person.lrmx"
    assert client.post(reverse("cadres:lrmx_import"), {"file": file}).status_code == 403
    assert client.get(reverse("cadres:lrmx_import_preview", args=["x" * 22])).status_code == 403
    # the same user, once allowed to read cadre files, gets the preview of the stored file
    writer.user_permissions.add(Permission.objects.get(content_type__app_label="cadres", codename="view_cadre"))
    writer = type(writer).objects.get(pk=writer.pk)  # a fresh permission cache
    client.force_login(writer)
    url = upload(client, content)
    assert client.get(url).context["preview"].cadre.pk == cadre.pk
    assert AuditEvent.objects.filter(action="cadre.viewed", actor__username="writer-only").exists()


def test_an_import_that_fails_after_the_photo_leaves_no_photo_file(unit, media_root):
    cadre = make_cadre(unit, "吴刚")
    picture = io.BytesIO()
    Image.new("RGB", (90, 120), (30, 30, 200)).save(picture, "PNG")
    record = lrmx_parse(export(cadre, FormOptions(age_on=AGE_ON)))
    record.photo = picture.getvalue()
    # a family member the file cannot hold: refused after the photo has been written
    record.family = [
        {"relation": "妻子", "name": "王" * 200, "birth_month": None, "political_status": "", "work_and_post": ""}
    ]
    with pytest.raises(ApplicationError):
        cadre_apply_lrmx(
            record=record, actor=None, cadre=cadre, expected_version=Cadre.objects.get(pk=cadre.pk).version
        )
    folder = media_root / "cadre-photos"
    assert not (folder.exists() and any(p.is_file() for p in folder.rglob("*")))
    assert not Cadre.objects.get(pk=cadre.pk).photo

"""The .lrmx files of the national 任免审批表 software ⇄ a cadre file plus one form's options.

The format is known from the files themselves, not from a published specification, so the whole
mapping lives here: root <Person>, one element per field named in pinyin, year-month dates as yyyyMM,
the family as <JiaTingChengYuan><Item>…</Item></JiaTingChengYuan>, the photo as base64 in <ZhaoPian>.

Decisions where the files leave room:
- 简历 (JianLi) is one text, one line per period: `1993.09--1997.07  text` (the end blank while
  current). A line without dates continues the line before it (the software wraps long lines and
  writes notes such as “（其间：…）” on lines of their own); a first line without dates is an error.
- 奖惩情况 (JiangChengQingKuang) is one text, one line per item: `2015.12 text`; a line without a
  date is an item without a date. Whether an item is a punishment is read from its words (警告,
  记过, 处分 …); “无” means none.
- 入党时间 (RuDangShiJian) also carries the political status, as the form does: `199605` for a
  CPC member, the party's short name after the time for the others (`199806民盟`, `群众`), blank
  when not stated (the file's holder is then taken to be a CPC member, the file's default).
- The school of the degree (…_XueWei_BiYeYuanXiaoXi) is the school of the education unless the
  file names another one; the cadre file keeps one school per kind of education.
- 计算年龄时间 is written with its day (yyyyMMdd), 填表时间 as yyyyMM; both are read in either form.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET  # builds our own XML only; files are parsed through defusedxml
from dataclasses import dataclass, field, replace
from datetime import date

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as safe_fromstring
from django.utils import timezone

from orgdept.core.exceptions import ApplicationError
from orgdept.core.idnumbers import normalize_id_number
from orgdept.core.yearmonth import YearMonthError, format_year_month, format_year_month_compact, parse_year_month

from .approval_form import POLITICAL_SHORT_NAMES, FormOptions
from .extensions import appraisal_summary
from .models import Cadre, Education, PoliticalStatus, RewardPunishment
from .normalize import clean_ethnicity, clean_name, clean_text, parse_gender, parse_political_status
from .services.records import EducationEntry

ROOT = "Person"
# the version string files written by the national software carry
FORMAT_VERSION = "3.2.1.16"
MAX_BYTES = 8 * 1024 * 1024
MAX_FAMILY_ITEMS = 100
CONTENT_TYPE = "application/xml"

# the cadre fields the file carries, by element
PERSONAL_ELEMENTS = {
    "XingMing": "name",
    "XingBie": "gender",
    "ChuShengNianYue": "birth_month",
    "MinZu": "ethnicity",
    "JiGuan": "native_place",
    "ChuShengDi": "birthplace",
    "CanJiaGongZuoShiJian": "work_started_month",
    "JianKangZhuangKuang": "health",
    "ZhuanYeJiShuZhiWu": "professional_title",
    "ShuXiZhuanYeYouHeZhuanChang": "expertise",
    "XianRenZhiWu": "current_post",
}
ELEMENT_LABELS = {
    "XingMing": "姓名",
    "XingBie": "性别",
    "ChuShengNianYue": "出生年月",
    "MinZu": "民族",
    "JiGuan": "籍贯",
    "ChuShengDi": "出生地",
    "RuDangShiJian": "入党时间",
    "CanJiaGongZuoShiJian": "参加工作时间",
    "JianKangZhuangKuang": "健康状况",
    "ZhuanYeJiShuZhiWu": "专业技术职务",
    "ShuXiZhuanYeYouHeZhuanChang": "熟悉专业有何专长",
    "XianRenZhiWu": "现任职务",
    "NiRenZhiWu": "拟任职务",
    "NiMianZhiWu": "拟免职务",
    "JianLi": "简历",
    "JiangChengQingKuang": "奖惩情况",
    "NianDuKaoHeJieGuo": "年度考核结果",
    "RenMianLiYou": "任免理由",
    "JiaTingChengYuan": "家庭主要成员及重要社会关系",
    "ChengBaoDanWei": "呈报单位",
    "JiSuanNianLingShiJian": "计算年龄时间",
    "TianBiaoShiJian": "填表时间",
    "TianBiaoRen": "填表人",
    "ShenFenZheng": "身份证号",
    "ZhaoPian": "照片",
    "Version": "版本",
}
EDUCATION_PREFIXES = {Education.Kind.FULL_TIME: "QuanRiZhiJiaoYu", Education.Kind.IN_SERVICE: "ZaiZhiJiaoYu"}
for _prefix, _label in (("QuanRiZhiJiaoYu", "全日制教育"), ("ZaiZhiJiaoYu", "在职教育")):
    ELEMENT_LABELS[f"{_prefix}_XueLi"] = f"{_label}学历"
    ELEMENT_LABELS[f"{_prefix}_XueWei"] = f"{_label}学位"
    ELEMENT_LABELS[f"{_prefix}_XueLi_BiYeYuanXiaoXi"] = f"{_label}学历毕业院校系及专业"
    ELEMENT_LABELS[f"{_prefix}_XueWei_BiYeYuanXiaoXi"] = f"{_label}学位毕业院校系及专业"
FAMILY_ELEMENTS = ("ChengWei", "XingMing", "ChuShengRiQi", "ZhengZhiMianMao", "GongZuoDanWeiJiZhiWu")
ELEMENT_ORDER = (
    "XingMing",
    "XingBie",
    "ChuShengNianYue",
    "MinZu",
    "JiGuan",
    "ChuShengDi",
    "RuDangShiJian",
    "CanJiaGongZuoShiJian",
    "JianKangZhuangKuang",
    "ZhuanYeJiShuZhiWu",
    "ShuXiZhuanYeYouHeZhuanChang",
    "QuanRiZhiJiaoYu_XueLi",
    "QuanRiZhiJiaoYu_XueWei",
    "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
    "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
    "ZaiZhiJiaoYu_XueLi",
    "ZaiZhiJiaoYu_XueWei",
    "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
    "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
    "XianRenZhiWu",
    "NiRenZhiWu",
    "NiMianZhiWu",
    "JianLi",
    "JiangChengQingKuang",
    "NianDuKaoHeJieGuo",
    "RenMianLiYou",
    "JiaTingChengYuan",
    "ChengBaoDanWei",
    "JiSuanNianLingShiJian",
    "TianBiaoShiJian",
    "TianBiaoRen",
    "ShenFenZheng",
    "ZhaoPian",
    "Version",
)

PUNISHMENT_WORDS = (
    "警告",
    "记过",
    "记大过",
    "降级",
    "撤职",
    "开除",
    "处分",
    "诫勉",
    "通报批评",
    "留党察看",
    "留用察看",
    "责令辞职",
    "降职",
)
NONE_WORDS = {"无", "无。", "暂无", "没有", "无奖惩", "无奖惩情况"}

# a year-month as 1993.09, 1993.9 or 199309 (groups: year, month, or year, month of the compact form)
_YM = r"(?:(\d{4})\s*[.．/]\s*(\d{1,2})|(\d{4})(\d{2}))(?!\d)"
_RESUME_START = re.compile(rf"^\s*{_YM}\s*(?:-{{1,2}}|—{{1,2}}|–{{1,2}}|－{{1,2}}|~|～|〜|至)")
_RESUME_END = re.compile(rf"([ \t\u3000]*){_YM}")
# what ends a period written apart from its dash: two spaces (or a tab, a full-width space) or the line's end
_PERIOD_GAP = re.compile(r"^(?:[ ]{2,}|[ ]*[\t\u3000]|\s*$)")
_DATED_ITEM = re.compile(
    r"^\s*(?:(\d{4})\s*[.．/]\s*(\d{1,2})(?!\d)|(\d{4})\s*年\s*(\d{1,2})\s*月)[\s，,、:：]*(.*?)\s*$"
)
_PARTY = re.compile(r"^\s*(?:(\d{4})\s*[.．/年]?\s*(\d{2}|\d(?=\D|$))\s*月?)?\s*(.*?)\s*$")
_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})?$|^(\d{4})\D+(\d{1,2})(?:\D+(\d{1,2}))?\D*$")
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"'][^>]*\?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class LrmxError(ApplicationError):
    """The file cannot be read as a form: one message per problem, in Chinese."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("；".join(self.messages), field="file")


@dataclass
class LrmxRecord:
    """What one .lrmx file says: a cadre's file (to match by ID number and apply) and the form's options."""

    id_number: str
    fields: dict  # cadre fields by model name; political_status only when the file states it
    full_time: EducationEntry = field(default_factory=EducationEntry)
    in_service: EducationEntry = field(default_factory=EducationEntry)
    resume: list[dict] = field(default_factory=list)  # {start_month, end_month, description}
    rewards: list[dict] = field(default_factory=list)  # {kind, month, description}
    family: list[dict] = field(default_factory=list)  # {relation, name, birth_month, political_status, work_and_post}
    photo: bytes | None = None
    options: FormOptions = field(default_factory=FormOptions)
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.fields.get("name", "")


# --- from a cadre to the file ----------------------------------------------------------------------


def record_from_cadre(cadre: Cadre, options: FormOptions, *, photo: bytes | None = None) -> LrmxRecord:
    """The record of a saved cadre (with its sections loaded) and one form's options (dates resolved).

    Without a 年度考核结果 of its own, the form states what the appraisal app reports, as the PDF does.
    """
    if options.appraisal is None:
        on = options.age_on or timezone.localdate()
        options = replace(options, appraisal=appraisal_summary(cadre, on) or "")
    fields = {name: getattr(cadre, name) for name in PERSONAL_ELEMENTS.values()}
    fields["political_status"] = cadre.political_status
    fields["party_joined_month"] = cadre.party_joined_month
    entries = {e.kind: EducationEntry(e.education, e.degree, e.school_major) for e in cadre.educations.all()}
    return LrmxRecord(
        id_number=cadre.id_number,
        fields=fields,
        full_time=entries.get(Education.Kind.FULL_TIME, EducationEntry()),
        in_service=entries.get(Education.Kind.IN_SERVICE, EducationEntry()),
        resume=[
            {"start_month": r.start_month, "end_month": r.end_month, "description": r.description}
            for r in cadre.resume_lines.all()
        ],
        rewards=[
            {"kind": r.kind, "month": r.month, "description": r.description} for r in cadre.rewards_punishments.all()
        ],
        family=[
            {
                "relation": m.relation,
                "name": m.name,
                "birth_month": m.birth_month,
                "political_status": m.political_status,
                "work_and_post": m.work_and_post,
            }
            for m in cadre.family_members.all()
        ],
        photo=photo,
        options=options,
    )


def _text(value) -> str:
    return _CONTROL.sub("", str(value or ""))


def _day_compact(value: date | None) -> str:
    return f"{value:%Y%m%d}" if value else ""


def resume_text(lines: list[dict]) -> str:
    return "\n".join(
        f"{format_year_month(line['start_month'])}--{format_year_month(line['end_month'])}  {line['description']}"
        for line in lines
    )


def rewards_text(items: list[dict]) -> str:
    return "\n".join(f"{format_year_month(item['month'])} {item['description']}".strip() for item in items)


def party_value(political_status: str | None, joined: date | None) -> str:
    if political_status in (None, "", PoliticalStatus.CPC):
        return format_year_month_compact(joined)
    return f"{format_year_month_compact(joined)}{POLITICAL_SHORT_NAMES.get(political_status, political_status)}"


def _gender_text(value: str) -> str:
    return dict(Cadre.Gender.choices).get(value, "")


def record_to_lrmx(record: LrmxRecord) -> bytes:
    """The file's bytes: UTF-8 XML, indented, the elements always in the same order (stable output)."""
    f = record.fields
    options = record.options
    values: dict[str, str] = {
        "XingMing": f.get("name", ""),
        "XingBie": _gender_text(f.get("gender", "")),
        "ChuShengNianYue": format_year_month_compact(f.get("birth_month")),
        "MinZu": f.get("ethnicity", ""),
        "JiGuan": f.get("native_place", ""),
        "ChuShengDi": f.get("birthplace", ""),
        "RuDangShiJian": party_value(f.get("political_status"), f.get("party_joined_month")),
        "CanJiaGongZuoShiJian": format_year_month_compact(f.get("work_started_month")),
        "JianKangZhuangKuang": f.get("health", ""),
        "ZhuanYeJiShuZhiWu": f.get("professional_title", ""),
        "ShuXiZhuanYeYouHeZhuanChang": f.get("expertise", ""),
        "XianRenZhiWu": f.get("current_post", ""),
        "NiRenZhiWu": options.proposed_post,
        "NiMianZhiWu": options.removed_post,
        "JianLi": resume_text(record.resume),
        "JiangChengQingKuang": rewards_text(record.rewards),
        "NianDuKaoHeJieGuo": options.appraisal or "",
        "RenMianLiYou": options.reason,
        "ChengBaoDanWei": options.reporting_unit,
        "JiSuanNianLingShiJian": _day_compact(options.age_on),
        "TianBiaoShiJian": format_year_month_compact(options.filled_on),
        "TianBiaoRen": options.filled_by,
        "ShenFenZheng": record.id_number,
        "ZhaoPian": base64.b64encode(record.photo).decode("ascii") if record.photo else "",
        "Version": FORMAT_VERSION,
    }
    for kind, prefix in EDUCATION_PREFIXES.items():
        entry = record.full_time if kind == Education.Kind.FULL_TIME else record.in_service
        values[f"{prefix}_XueLi"] = entry.education
        values[f"{prefix}_XueWei"] = entry.degree
        values[f"{prefix}_XueLi_BiYeYuanXiaoXi"] = entry.school_major
        values[f"{prefix}_XueWei_BiYeYuanXiaoXi"] = entry.school_major if entry.degree else ""
    root = ET.Element(ROOT)
    for name in ELEMENT_ORDER:
        element = ET.SubElement(root, name)
        if name == "JiaTingChengYuan":
            for member in record.family:
                item = ET.SubElement(element, "Item")
                member_values = (
                    member["relation"],
                    member["name"],
                    format_year_month_compact(member["birth_month"]),
                    member["political_status"],
                    member["work_and_post"],
                )
                for child_name, value in zip(FAMILY_ELEMENTS, member_values, strict=True):
                    ET.SubElement(item, child_name).text = _text(value)
        else:
            element.text = _text(values[name])
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=False)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def lrmx_export(cadre: Cadre, options: FormOptions, *, photo: bytes | None = None) -> bytes:
    return record_to_lrmx(record_from_cadre(cadre, options, photo=photo))


# --- from the file to a record ---------------------------------------------------------------------


def _as_utf8(data: bytes) -> bytes:
    """The document in an encoding the XML parser knows: files declared GB2312/GBK are recoded."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return data
    declared = _XML_DECLARATION.match(data)
    encoding = declared.group(1).decode("ascii").lower() if declared else ""
    if encoding in ("", "utf-8", "utf8", "us-ascii", "ascii"):
        try:
            data.decode("utf-8")
            return data
        except UnicodeDecodeError:
            if encoding:
                raise LrmxError("文件声明为UTF-8编码，但内容不是有效的UTF-8文本") from None
            encoding = "gb18030"  # no declaration and not UTF-8: the other encoding Chinese files use
    if encoding in ("gb2312", "gbk", "gb18030", "cp936", "x-gbk"):
        encoding = "gb18030"
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        raise LrmxError(f"无法按文件声明的编码“{encoding}”读取文件内容") from None
    if declared:
        text = text[declared.end() :]
    return ('<?xml version="1.0" encoding="UTF-8"?>' + text).encode("utf-8")


def oversize_message(size: int) -> str:
    return f"文件过大（{size / 1024 / 1024:.1f}MB），任免审批表文件不应超过{MAX_BYTES // 1024 // 1024}MB"


def _root(data: bytes):
    if not data or not data.strip():
        raise LrmxError("文件是空的")
    if len(data) > MAX_BYTES:
        raise LrmxError(oversize_message(len(data)))
    try:
        root = safe_fromstring(_as_utf8(data), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden:
        raise LrmxError("文件含有文档类型定义（DOCTYPE），出于安全原因不予导入") from None
    except (EntitiesForbidden, ExternalReferenceForbidden):
        raise LrmxError("文件含有实体定义或外部引用（ENTITY），出于安全原因不予导入") from None
    except ParseError:
        raise LrmxError("文件不是有效的XML，无法作为任免审批表（.lrmx）文件读取") from None
    if root.tag != ROOT:
        raise LrmxError(f"文件的根元素是<{root.tag}>而不是<{ROOT}>，不是任免审批表（.lrmx）文件")
    return root


def _plain(text: str | None) -> str:
    """Free text as written (full-width punctuation stays), with runs of spaces collapsed and the ends trimmed."""
    return _SPACES.sub(" ", text or "").strip(" \t\n\r\u3000")


def _multiline(text: str | None) -> str:
    lines = [_plain(line) for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def _year_month(value: str, label: str, errors: list[str]):
    text = clean_text(value).replace(" ", "")
    if not text:
        return None
    try:
        return parse_year_month(text)
    except YearMonthError as exc:
        errors.append(f"{label}：{exc}")
        return None


def _day(value: str, label: str, errors: list[str]) -> date | None:
    """A full date: 20260615, 202606 (the first of the month), 2026.06.15, 2026年6月15日."""
    text = clean_text(value).replace(" ", "")
    if not text:
        return None
    m = _DAY.match(text)
    if m:
        year, month, day = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
        try:
            return date(int(year), int(month), int(day or 1))
        except ValueError:
            pass
    errors.append(f"{label}：“{text}”不是有效的日期，应为 20260615 或 2026.06.15 的形式")
    return None


def _resume_period(raw: str):
    """(start match, end match or None, the text after the period) of a 简历 line; None when it has no period.

    A second date glued to the dash is the end (1993.09--1997.07). Written apart from the dash it is the end
    only when two spaces or the line's end follow it: in a current line “2020.01--  2021.05起兼任…” it
    starts the text.
    """
    start = _RESUME_START.match(raw)
    if not start:
        return None
    rest = raw[start.end() :]
    end = _RESUME_END.match(rest)
    if end and (not end.group(1) or _PERIOD_GAP.match(rest[end.end() :])):
        return start, end, rest[end.end() :]
    return start, None, rest


def _resume(text: str, errors: list[str]) -> list[dict]:
    raw_lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while raw_lines and not _plain(raw_lines[0]):
        raw_lines.pop(0)
    lines: list[dict] = []
    for number, raw in enumerate(raw_lines, start=1):
        plain = _plain(raw)
        if not plain:
            continue
        period = _resume_period(raw)
        if not period:
            if not lines:
                errors.append(f"简历第{number}行“{plain[:20]}”没有起止时间（应为 1993.09--1997.07 的形式）")
                continue
            previous = lines[-1]["description"]
            joiner = " " if previous[-1:].isascii() and plain[:1].isascii() and previous else ""
            lines[-1]["description"] = previous + joiner + plain
            continue
        m, e, rest = period
        start_text = f"{m.group(1) or m.group(3)}.{m.group(2) or m.group(4)}"
        label = f"简历第{number}行"
        start = _year_month(start_text, label, errors)
        end = _year_month(f"{e.group(2) or e.group(4)}.{e.group(3) or e.group(5)}", label, errors) if e else None
        description = _plain(rest)
        if start and end and end < start:
            errors.append(f"{label}：结束时间{format_year_month(end)}早于开始时间{format_year_month(start)}")
        if not description:
            errors.append(f"{label}没有经历内容")
        if start:
            lines.append({"start_month": start, "end_month": end, "description": description})
    return lines


def punishment_word(description: str) -> str:
    """The first word that makes an item a punishment (警告, 处分 …), or ""."""
    return next((word for word in PUNISHMENT_WORDS if word in description), "")


def reward_kind(description: str) -> str:
    if punishment_word(description):
        return RewardPunishment.Kind.PUNISHMENT
    return RewardPunishment.Kind.REWARD


def _rewards(text: str, errors: list[str]) -> list[dict]:
    text = _multiline(text)
    if text.strip() in NONE_WORDS:
        return []
    items = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip() or raw.strip() in NONE_WORDS:
            continue
        m = _DATED_ITEM.match(raw)
        month, description = None, raw.strip()
        if m and m.group(5):
            month = _year_month(
                f"{m.group(1) or m.group(3)}.{m.group(2) or m.group(4)}", f"奖惩情况第{number}行", errors
            )
            description = m.group(5)
        items.append({"kind": reward_kind(description), "month": month, "description": description})
    return items


def guessed_kind_warnings(rewards: list[dict]) -> list[str]:
    """The file does not say which items are punishments: each one taken for a punishment by its words."""
    warnings = []
    for number, item in enumerate(rewards, start=1):
        word = punishment_word(item["description"])
        if word:
            warnings.append(
                f"奖惩情况第{number}项“{item['description'][:30]}”因含有“{word}”按惩处导入（文件不区分奖励和惩处），请核对"
            )
    return warnings


def _party(value: str, errors: list[str]) -> tuple[str | None, date | None]:
    """(political status or None when the file does not say, month of joining) from RuDangShiJian."""
    text = clean_text(value).replace(" ", "")
    if not text:
        return None, None
    m = _PARTY.match(text)
    joined = _year_month(f"{m.group(1)}.{m.group(2)}", "入党时间", errors) if m and m.group(1) else None
    rest = m.group(3) if m else text
    if not rest:
        return PoliticalStatus.CPC, joined
    try:
        return parse_political_status(rest) or PoliticalStatus.CPC, joined
    except ValueError:
        errors.append(f"入党时间：无法识别“{text}”（应为 199605，或时间加党派简称，如 199806民盟）")
        return None, joined


def _photo(value: str, errors: list[str]) -> bytes | None:
    text = re.sub(r"\s+", "", value or "")
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        errors.append("照片（ZhaoPian）不是有效的base64编码")
        return None


def _school(first: str, second: str) -> str:
    first, second = _plain(first), _plain(second)
    if not second or second == first:
        return first
    if not first:
        return second
    return f"{first}；{second}"


def lrmx_parse(data: bytes) -> LrmxRecord:
    """Reads a .lrmx file; LrmxError (Chinese, every problem found) when it cannot be used."""
    root = _root(data)
    errors: list[str] = []
    warnings: list[str] = []
    texts: dict[str, str] = {}
    unknown = []
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if child.tag not in ELEMENT_LABELS:
            unknown.append(child.tag)
        elif child.tag != "JiaTingChengYuan":
            texts.setdefault(child.tag, child.text or "")
    if unknown:
        warnings.append(f"文件中有本系统不使用的内容，导入时忽略：{'、'.join(sorted(set(unknown)))}")

    fields: dict = {}
    for element, name in PERSONAL_ELEMENTS.items():
        value = texts.get(element, "")
        label = f"{ELEMENT_LABELS[element]}（{element}）"
        if name == "name":
            fields[name] = clean_name(value)
        elif name == "gender":
            try:
                fields[name] = parse_gender(value)
            except ValueError as exc:
                errors.append(f"{label}：{exc}")
        elif name in ("birth_month", "work_started_month"):
            fields[name] = _year_month(value, label, errors)
        elif name == "ethnicity":
            fields[name] = clean_ethnicity(value)
        else:
            fields[name] = _plain(value)
    status, joined = _party(texts.get("RuDangShiJian", ""), errors)
    if status is not None:
        fields["political_status"] = status
    fields["party_joined_month"] = joined

    id_number = normalize_id_number(clean_text(texts.get("ShenFenZheng", "")))
    if not fields["name"]:
        errors.append("文件中没有姓名（XingMing）")
    if not id_number:
        errors.append("文件中没有身份证号（ShenFenZheng），无法与干部档案对应")

    educations = {}
    for kind, prefix in EDUCATION_PREFIXES.items():
        educations[kind] = EducationEntry(
            education=_plain(texts.get(f"{prefix}_XueLi")),
            degree=_plain(texts.get(f"{prefix}_XueWei")),
            school_major=_school(
                texts.get(f"{prefix}_XueLi_BiYeYuanXiaoXi", ""), texts.get(f"{prefix}_XueWei_BiYeYuanXiaoXi", "")
            ),
        )

    family = []
    items = root.findall("JiaTingChengYuan/Item")
    if len(items) > MAX_FAMILY_ITEMS:
        errors.append(f"家庭成员超过{MAX_FAMILY_ITEMS}项，不是正常的任免审批表文件")
        items = []
    for number, item in enumerate(items, start=1):
        values = {name: item.findtext(name) or "" for name in FAMILY_ELEMENTS}
        if not any(v.strip() for v in values.values()):
            continue
        member_name = clean_name(values["XingMing"])
        family.append(
            {
                "relation": _plain(values["ChengWei"]),
                "name": member_name,
                "birth_month": _year_month(
                    values["ChuShengRiQi"], f"家庭成员第{number}项（{member_name}）的出生年月", errors
                ),
                "political_status": _plain(values["ZhengZhiMianMao"]),
                "work_and_post": _plain(values["GongZuoDanWeiJiZhiWu"]),
            }
        )

    options = FormOptions(
        proposed_post=_plain(texts.get("NiRenZhiWu")),
        removed_post=_plain(texts.get("NiMianZhiWu")),
        reason=_multiline(texts.get("RenMianLiYou")),
        age_on=_day(texts.get("JiSuanNianLingShiJian", ""), "计算年龄时间（JiSuanNianLingShiJian）", errors),
        reporting_unit=_plain(texts.get("ChengBaoDanWei")),
        filled_by=_plain(texts.get("TianBiaoRen")),
        filled_on=_day(texts.get("TianBiaoShiJian", ""), "填表时间（TianBiaoShiJian）", errors),
        appraisal=_multiline(texts.get("NianDuKaoHeJieGuo")),
    )
    record = LrmxRecord(
        id_number=id_number,
        fields=fields,
        full_time=educations[Education.Kind.FULL_TIME],
        in_service=educations[Education.Kind.IN_SERVICE],
        resume=_resume(texts.get("JianLi", ""), errors),
        rewards=_rewards(texts.get("JiangChengQingKuang", ""), errors),
        family=family,
        photo=_photo(texts.get("ZhaoPian", ""), errors),
        options=options,
        warnings=warnings,
    )
    if errors:
        raise LrmxError(errors)
    record.warnings += guessed_kind_warnings(record.rewards)
    return record

"""Importing a .lrmx file: the diff against the cadre file it matches (by ID number), then applying it."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.yearmonth import format_year_month

from ..lrmx import LrmxRecord
from ..models import Cadre, Education, FamilyMember, PoliticalStatus, ResumeLine, RewardPunishment, Unit
from .records import (
    EducationEntry,
    cadre_check,
    cadre_create,
    cadre_replace_family,
    cadre_replace_resume,
    cadre_replace_rewards,
    cadre_set_education,
    cadre_set_photo,
    cadre_update,
    describe_family_member,
    describe_resume_line,
    describe_reward,
    files_removed_on_rollback,
    photo_normalize,
)

# the form's words for the fields an .lrmx file carries, in the form's order
FIELD_LABELS = {
    "name": "姓名",
    "gender": "性别",
    "birth_month": "出生年月",
    "ethnicity": "民族",
    "native_place": "籍贯",
    "birthplace": "出生地",
    "political_status": "政治面貌",
    "party_joined_month": "入党时间",
    "work_started_month": "参加工作时间",
    "health": "健康状况",
    "professional_title": "专业技术职务",
    "expertise": "熟悉专业有何专长",
    "current_post": "现任职务",
}
SECTION_LABELS = {
    "full_time": "全日制教育",
    "in_service": "在职教育",
    "resume": "简历",
    "rewards": "奖惩情况",
    "family": "家庭主要成员及重要社会关系",
    "photo": "照片",
}


@dataclass(frozen=True)
class DiffRow:
    key: str
    label: str
    old: str
    new: str
    note: str = ""

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def old_lines(self) -> list[tuple[str, bool]]:
        """The old text's lines, each with whether the new text drops it."""
        kept = set(self.new.split("\n"))
        return [(line, line not in kept) for line in self.old.split("\n")] if self.old else []

    @property
    def new_lines(self) -> list[tuple[str, bool]]:
        """The new text's lines, each with whether the old text lacks it."""
        before = set(self.old.split("\n"))
        return [(line, line not in before) for line in self.new.split("\n")] if self.new else []


@dataclass
class LrmxPreview:
    """What importing a record would do: the matched cadre (None: a new one), each field and section
    old against new, the form's own fields, and the problems that would stop the import."""

    record: LrmxRecord
    cadre: Cadre | None
    rows: list[DiffRow] = field(default_factory=list)
    sections: list[DiffRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.cadre is None

    @property
    def changes(self) -> int:
        return sum(1 for row in (*self.rows, *self.sections) if row.changed)

    @property
    def form_rows(self) -> list[tuple[str, str]]:
        o = self.record.options
        return [
            ("拟任职务", o.proposed_post),
            ("拟免职务", o.removed_post),
            ("任免理由", o.reason),
            ("年度考核结果", o.appraisal or ""),
            ("呈报单位", o.reporting_unit),
            ("计算年龄时间", f"{o.age_on:%Y.%m.%d}" if o.age_on else ""),
            ("填表时间", format_year_month(o.filled_on)),
            ("填表人", o.filled_by),
        ]


def _display(name: str, value) -> str:
    if value is None:
        return ""
    if name == "gender":
        return dict(Cadre.Gender.choices).get(value, value)
    if hasattr(value, "year"):
        return format_year_month(value)
    return str(value)


def _education_text(entry: EducationEntry) -> str:
    return " ".join(filter(None, (entry.education, entry.degree, entry.school_major)))


def _describe_rows(model, rows: list[dict], describe) -> str:
    return "\n".join(describe(model(**row)) for row in rows)


def lrmx_match(record: LrmxRecord) -> Cadre | None:
    """The cadre file the record belongs to: the one with its ID number, with the sections loaded."""
    return (
        Cadre.objects.select_related("unit")
        .prefetch_related("educations", "resume_lines", "rewards_punishments", "family_members")
        .filter(id_number=record.id_number)
        .first()
    )


def photo_unchanged(cadre: Cadre | None, content: bytes | None) -> bool:
    """True when `content` would store the photo the cadre already has (or the file brings none)."""
    if not content:
        return True
    if cadre is None or not cadre.photo:
        return False
    try:
        with cadre.photo.open("rb") as f:
            stored = f.read()
    except OSError:
        return False
    if stored == content:
        return True
    try:
        return photo_normalize(content) == stored
    except ApplicationError:
        return False


def _candidate(record: LrmxRecord, cadre: Cadre | None) -> Cadre:
    """An unsaved copy of the cadre with the record's fields, to check the rules on."""
    candidate = copy.copy(cadre) if cadre else Cadre(political_status=PoliticalStatus.CPC)
    for name, value in record.fields.items():
        setattr(candidate, name, value)
    candidate.id_number = record.id_number
    return candidate


def _check(record: LrmxRecord, candidate: Cadre) -> list[str]:
    errors = [f"{FIELD_LABELS.get(k, k)}：{v}" for k, v in cadre_check(candidate).items()]
    try:
        candidate.full_clean(
            exclude=["unit", "user", "photo", "gender", "birth_month", "id_number", "name_initials"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        errors += [f"{FIELD_LABELS.get(k, k)}：{v[0]}" for k, v in exc.message_dict.items()]
    sections = (
        ("简历", ResumeLine, record.resume),
        ("奖惩情况", RewardPunishment, record.rewards),
        ("家庭成员", FamilyMember, record.family),
    )
    for label, model, rows in sections:
        for number, row in enumerate(rows, start=1):
            try:
                model(**row).full_clean(exclude=["cadre"])
            except ValidationError as exc:
                for messages in exc.message_dict.values():
                    errors.append(f"{label}第{number}项：{messages[0]}")
    for label, entry in (("全日制教育", record.full_time), ("在职教育", record.in_service)):
        try:
            Education(kind=Education.Kind.FULL_TIME, **entry.__dict__).full_clean(exclude=["cadre"])
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors.append(f"{label}：{messages[0]}")
    if record.photo:
        try:
            photo_normalize(record.photo)
        except ApplicationError as exc:
            errors.append(f"照片：{exc.message}")
    return errors


def lrmx_preview(*, record: LrmxRecord, cadre: Cadre | None = None) -> LrmxPreview:
    """The diff of importing `record` (against `cadre`, by default the file it matches). Reads only."""
    cadre = cadre if cadre is not None else lrmx_match(record)
    candidate = _candidate(record, cadre)
    rows = []
    for name, label in FIELD_LABELS.items():
        old = _display(name, getattr(cadre, name)) if cadre else ""
        new = _display(name, getattr(candidate, name))
        note = "文件未说明，保持不变" if name == "political_status" and name not in record.fields and cadre else ""
        rows.append(DiffRow(name, label, old, new, note))

    if cadre:
        entries = {e.kind: EducationEntry(e.education, e.degree, e.school_major) for e in cadre.educations.all()}
        old_sections = {
            "full_time": _education_text(entries.get(Education.Kind.FULL_TIME, EducationEntry())),
            "in_service": _education_text(entries.get(Education.Kind.IN_SERVICE, EducationEntry())),
            "resume": "\n".join(describe_resume_line(r) for r in cadre.resume_lines.all()),
            "rewards": "\n".join(describe_reward(r) for r in cadre.rewards_punishments.all()),
            "family": "\n".join(describe_family_member(m) for m in cadre.family_members.all()),
            "photo": "有照片" if cadre.photo else "无照片",
        }
    else:
        old_sections = dict.fromkeys(SECTION_LABELS, "")
    new_sections = {
        "full_time": _education_text(record.full_time),
        "in_service": _education_text(record.in_service),
        "resume": _describe_rows(ResumeLine, record.resume, describe_resume_line),
        "rewards": _describe_rows(RewardPunishment, record.rewards, describe_reward),
        "family": _describe_rows(FamilyMember, record.family, describe_family_member),
        "photo": old_sections["photo"],
    }
    photo_note = ""
    if not record.photo:
        photo_note = "文件中没有照片，保持不变"
    elif not photo_unchanged(cadre, record.photo):
        new_sections["photo"] = "更换为文件中的照片" if cadre and cadre.photo else "使用文件中的照片"
    sections = [
        DiffRow(key, label, old_sections[key], new_sections[key], photo_note if key == "photo" else "")
        for key, label in SECTION_LABELS.items()
    ]
    kind_warnings = _kind_change_warnings(record, cadre)
    if kind_warnings:
        record = dataclasses.replace(record, warnings=[*record.warnings, *kind_warnings])
    return LrmxPreview(record=record, cadre=cadre, rows=rows, sections=sections, errors=_check(record, candidate))


def _kind_change_warnings(record: LrmxRecord, cadre: Cadre | None) -> list[str]:
    """Items the file (which has no kind) would turn from a punishment into a reward or back."""
    if cadre is None:
        return []
    stored = {(r.month, r.description): r for r in cadre.rewards_punishments.all()}
    warnings = []
    for item in record.rewards:
        old = stored.get((item["month"], item["description"]))
        if old is not None and old.kind != item["kind"]:
            new_label = RewardPunishment.Kind(item["kind"]).label
            warnings.append(
                f"奖惩情况“{item['description'][:30]}”在档案中为{old.get_kind_display()}，文件不区分奖励和惩处，"
                f"按用词判为{new_label}：确认导入将改为{new_label}"
            )
    return warnings


@files_removed_on_rollback()
@transaction.atomic
def cadre_apply_lrmx(
    *,
    record: LrmxRecord,
    actor,
    cadre: Cadre | None = None,
    unit: Unit | None = None,
    expected_version: int | None = None,
) -> Cadre:
    """Writes an imported .lrmx record: into `cadre` (its file as of `expected_version`), or as a new
    cadre of `unit` when `cadre` is None. Everything or nothing; the form's own fields are not stored."""
    existing = Cadre.objects.filter(id_number=record.id_number).first()
    if cadre is None:
        if existing:
            raise ApplicationError(
                f"身份证号{record.id_number}的干部档案（{existing.name}）已经存在，请重新上传文件核对差异后再保存"
            )
        if unit is None:
            raise ApplicationError("请选择新干部所在的单位", field="unit")
        fields = {k: v for k, v in record.fields.items() if k not in ("name",)}
        cadre = cadre_create(
            actor=actor,
            unit=unit,
            name=record.fields.get("name", ""),
            id_number=record.id_number,
            full_time=record.full_time,
            in_service=record.in_service,
            **fields,
        )
        created = True
    else:
        if existing is None or existing.pk != cadre.pk:
            raise ApplicationError("文件中的身份证号与要更新的干部档案不一致，请重新上传文件")
        cadre = cadre_update(cadre=cadre, actor=actor, expected_version=expected_version, **record.fields)
        cadre = cadre_set_education(cadre=cadre, actor=actor, full_time=record.full_time, in_service=record.in_service)
        created = False
    if not photo_unchanged(cadre, record.photo):
        # a later step that fails rolls the whole import back, and the photo file written here goes with it
        cadre = cadre_set_photo(cadre=cadre, content=record.photo, actor=actor)
    cadre = cadre_replace_resume(cadre=cadre, lines=record.resume, actor=actor)
    cadre = cadre_replace_rewards(cadre=cadre, items=record.rewards, actor=actor)
    cadre = cadre_replace_family(cadre=cadre, members=record.family, actor=actor)
    audit_log(
        actor=actor,
        action="cadre.lrmx_imported",
        obj=cadre,
        details={"created": created, "version": cadre.version},
    )
    return cadre

"""Writes to units and cadre files; each one validated, locked where it edits, and audited."""

from __future__ import annotations

import contextvars
import io
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from pypinyin import Style, lazy_pinyin

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.idnumbers import id_number_birth_date, id_number_gender, normalize_id_number, validate_id_number
from orgdept.core.yearmonth import format_year_month

from ..models import Cadre, Education, FamilyMember, Position, PositionTenure, ResumeLine, RewardPunishment, Unit
from ..normalize import clean_name, highest_education

# the personal fields a cadre file holds (the form's fields); sections are kept by their own services
CADRE_FIELDS = (
    "name",
    "gender",
    "id_number",
    "birth_month",
    "ethnicity",
    "native_place",
    "birthplace",
    "political_status",
    "party_joined_month",
    "work_started_month",
    "health",
    "professional_title",
    "expertise",
    "unit",
    "current_post",
    "rank",
    "post_since_month",
    "rank_since_month",
    "grassroots_months",
    "phone",
    "remarks",
)
PHOTO_MAX_BYTES = 5 * 1024 * 1024

logger = logging.getLogger(__name__)


# Surnames read otherwise than the character usually is (曾 zēng, not céng), with their initials; a name
# starting with one of them is taken to start with that surname (the compound surnames are tried first).
SURNAME_INITIALS = {
    "尉迟": "yc",
    "万俟": "mq",
    "长孙": "zs",
    "曾": "z",
    "单": "s",
    "解": "x",
    "仇": "q",
    "区": "o",
    "查": "z",
    "朴": "p",
    "覃": "q",
    "乐": "y",
}
_SURNAME_LENGTHS = sorted({len(s) for s in SURNAME_INITIALS}, reverse=True)


def pinyin_letters(text: str) -> str:
    letters = (p[0] for p in lazy_pinyin(text, style=Style.FIRST_LETTER) if p)
    return "".join(c for c in letters if c.isascii() and c.isalpha()).lower()


def name_initials(name: str) -> str:
    """The pinyin initials of a name (曾伟 → zw), the surname read as a surname."""
    for length in _SURNAME_LENGTHS:
        surname = SURNAME_INITIALS.get(name[:length])
        if surname:
            return surname + pinyin_letters(name[length:])
    return pinyin_letters(name)


@transaction.atomic
def cadres_refresh_name_initials(*, actor, batch_size: int = 500) -> int:
    """Recomputes every cadre's pinyin initials (after the reading rules changed); returns how many changed."""
    changed = []
    for cadre in Cadre.objects.only("pk", "name", "name_initials").order_by("pk").iterator(chunk_size=batch_size):
        initials = name_initials(cadre.name)
        if initials != cadre.name_initials:
            cadre.name_initials = initials
            changed.append(cadre)
    Cadre.objects.bulk_update(changed, ["name_initials"], batch_size=batch_size)
    if changed:
        audit_log(actor=actor, action="cadre.initials_refreshed", details={"changed": len(changed)})
    return len(changed)


def party_age_floor(born: date) -> date:
    """The month of the 18th birthday: joining the Party earlier is impossible (党章)."""
    return date(born.year + 18, born.month, 1)


def cadre_check(cadre: Cadre) -> dict[str, str]:
    """The rules a cadre file must satisfy, as {field: Chinese message}; empty when all hold.

    Shared by the forms, the roster import and the .lrmx import so that each says the same thing.
    """
    errors: dict[str, str] = {}
    if not cadre.name:
        errors["name"] = "请填写姓名"
    try:
        validate_id_number(cadre.id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages[0]
        return errors
    born = id_number_birth_date(cadre.id_number)
    if cadre.gender and cadre.gender != id_number_gender(cadre.id_number):
        errors["gender"] = "性别与身份证号不一致（第17位奇数为男、偶数为女）"
    if cadre.birth_month and (cadre.birth_month.year, cadre.birth_month.month) != (born.year, born.month):
        errors["birth_month"] = f"出生年月与身份证号中的出生日期（{born:%Y.%m}）不一致"
    if cadre.party_joined_month and cadre.party_joined_month < party_age_floor(born):
        errors["party_joined_month"] = (
            f"入党时间{format_year_month(cadre.party_joined_month)}早于年满18周岁的月份"
            f"（{format_year_month(party_age_floor(born))}）"
        )
    if cadre.work_started_month and cadre.work_started_month < born.replace(day=1):
        errors["work_started_month"] = "参加工作时间早于出生年月"
    return errors


def _lock_rows(qs):
    """Locks only the rows of `qs`' own table (a default ordering or a join must not lock units too), in pk order."""
    return qs.select_for_update(of=("self",)).order_by("pk")


def _fill_from_id(cadre: Cadre) -> None:
    cadre.gender = cadre.gender or id_number_gender(cadre.id_number)
    cadre.birth_month = cadre.birth_month or id_number_birth_date(cadre.id_number).replace(day=1)


def _validate(cadre: Cadre) -> None:
    cadre.id_number = normalize_id_number(cadre.id_number)
    cadre.name = clean_name(cadre.name)
    errors = cadre_check(cadre)
    if errors:
        raise ApplicationError.from_errors(errors)
    _fill_from_id(cadre)
    try:
        cadre.full_clean(exclude=["unit", "user", "photo"], validate_unique=False)
    except ValidationError as exc:
        raise ApplicationError.from_validation(exc) from exc
    clash = Cadre.objects.filter(id_number=cadre.id_number).exclude(pk=cadre.pk).first()
    if clash:
        raise ApplicationError(f"身份证号已属于{clash.unit.name}的{clash.name}", field="id_number")


def _save_checked(cadre: Cadre) -> None:
    """Saves a validated file. Another user may save the same ID number between `_validate` and here: the
    database refuses the second, which is told whose file holds it, as `_validate` would have said."""
    try:
        with transaction.atomic():
            cadre.save()
    except IntegrityError:
        clash = Cadre.objects.select_related("unit").filter(id_number=cadre.id_number).exclude(pk=cadre.pk).first()
        if clash is None:
            raise
        raise ApplicationError(f"身份证号已属于{clash.unit.name}的{clash.name}", field="id_number") from None


def field_display(value) -> str:
    """A value as the change history shows it."""
    if value is None:
        return ""
    if isinstance(value, date):
        return format_year_month(value)
    if isinstance(value, Unit):
        return value.name
    return str(value)


@transaction.atomic
def unit_create(
    *, name: str, kind: str, short_name: str = "", parent: Unit | None = None, order: int = 0, actor
) -> Unit:
    unit = Unit(name=name.strip(), kind=kind, short_name=short_name, parent=parent, order=order)
    if Unit.objects.filter(name=unit.name).exists():
        raise ApplicationError(f"单位“{unit.name}”已存在", field="name")
    try:
        unit.full_clean()
    except ValidationError as exc:
        raise ApplicationError.from_validation(exc) from exc
    unit.save()
    audit_log(actor=actor, action="unit.created", obj=unit)
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, actor, **fields) -> Unit:
    unit = Unit.objects.select_for_update(of=("self",)).get(pk=unit.pk)
    changes = {}
    for field, value in fields.items():
        old = getattr(unit, field)
        if old != value:
            changes[field] = [field_display(old), field_display(value)]
            setattr(unit, field, value)
    if not changes:
        return unit
    if unit.parent_id:
        # walking up from the new parent must not come back to this unit: no circles of units
        parents = dict(Unit.objects.values_list("pk", "parent_id"))
        seen, current = set(), unit.parent_id
        while current is not None and current not in seen:
            if current == unit.pk:
                raise ApplicationError("上级单位不能是本单位或其下级单位", field="parent")
            seen.add(current)
            current = parents.get(current)
    try:
        unit.full_clean()
    except ValidationError as exc:
        raise ApplicationError.from_validation(exc) from exc
    unit.save()
    audit_log(actor=actor, action="unit.updated", obj=unit, details={"changes": changes})
    return unit


@dataclass
class EducationEntry:
    education: str = ""
    degree: str = ""
    school_major: str = ""

    def __bool__(self):
        return bool(self.education or self.degree or self.school_major)


@transaction.atomic
def cadre_create(
    *,
    actor,
    unit: Unit,
    name: str,
    id_number: str,
    full_time: EducationEntry | None = None,
    in_service: EducationEntry | None = None,
    **fields,
) -> Cadre:
    """Creates a cadre file; gender and birth month come from the ID number, and must agree with it if given."""
    cadre = Cadre(unit=unit, name=name, id_number=id_number, **fields)
    _validate(cadre)
    cadre.name_initials = name_initials(cadre.name)
    cadre.education = highest_education(*(e.education for e in (full_time, in_service) if e))
    _save_checked(cadre)
    for kind, entry in ((Education.Kind.FULL_TIME, full_time), (Education.Kind.IN_SERVICE, in_service)):
        if entry:
            Education.objects.create(cadre=cadre, kind=kind, **entry.__dict__)
    if cadre.current_post:
        _open_tenure(cadre, _position_for(cadre.unit, cadre.current_post, cadre.rank), cadre.post_since_month)
    audit_log(actor=actor, action="cadre.created", obj=cadre)
    return cadre


def _locked(cadre: Cadre, expected_version: int | None) -> Cadre:
    current = Cadre.objects.select_for_update(of=("self",)).select_related("unit").get(pk=cadre.pk)
    if expected_version is not None and current.version != expected_version:
        raise ApplicationError(
            f"{current.name}的档案已被他人修改（当前为第{current.version}版），请刷新页面后重新填写",
            extra={"version": current.version},
        )
    return current


@transaction.atomic
def cadre_update(*, cadre: Cadre, actor, expected_version: int | None = None, **fields) -> Cadre:
    """Changes personal fields; a changed unit or current post moves the position history along.

    `expected_version` is the version the editor started from: a file changed meanwhile is refused.
    """
    unknown = set(fields) - set(CADRE_FIELDS)
    if unknown:
        raise ValueError(f"not cadre fields: {sorted(unknown)}")
    cadre = _locked(cadre, expected_version)
    before = {field: getattr(cadre, field) for field in fields}
    for field, value in fields.items():
        setattr(cadre, field, value)
    if "gender" in fields and not fields["gender"]:
        cadre.gender = ""
    if "birth_month" in fields and not fields["birth_month"]:
        cadre.birth_month = None
    _validate(cadre)
    changes = {
        field: [field_display(before[field]), field_display(getattr(cadre, field))]
        for field in fields
        if before[field] != getattr(cadre, field)
    }
    if not changes:
        return cadre
    cadre.name_initials = name_initials(cadre.name)
    cadre.version += 1
    _save_checked(cadre)
    if {"unit", "current_post"} & changes.keys():
        _move_tenure(cadre, cadre.post_since_month)
    elif "post_since_month" in changes:
        changes.update(_restart_tenure(cadre, cadre.post_since_month))
    audit_log(actor=actor, action="cadre.updated", obj=cadre, details={"changes": changes})
    return cadre


def new_position(unit: Unit, title: str, rank: str) -> Position:
    """An unsaved position of that title, with the level and role the first holder's rank suggests."""
    from ..models import LEADING_RANKS

    leading = rank in LEADING_RANKS
    role = Position.Role.OTHER
    if leading:
        role = Position.Role.DEPUTY if "副" in title else Position.Role.HEAD
    rotation = Position.RotationKind.LEADER if leading else Position.RotationKind.NONE
    return Position(unit=unit, title=title, level=rank, leading=leading, role=role, rotation_kind=rotation)


def _position_for(unit: Unit, title: str, rank: str) -> Position:
    """The unit's position of that title, created on first use with the level the holder's rank suggests."""
    position = Position.objects.filter(unit=unit, title=title).first()
    if position:
        return position
    position = new_position(unit, title, rank)
    position.save()
    return position


def _open_tenure(cadre: Cadre, position: Position, start: date | None) -> PositionTenure:
    return PositionTenure.objects.create(cadre=cadre, position=position, start_month=start, is_current=True)


def tenure_moves(
    current: list[PositionTenure], target: Position | None, start: date | None
) -> tuple[list[PositionTenure], bool]:
    """How a new post moves the position history: the current tenures to close (their ends set, unsaved)
    and whether a tenure on `target` is to be opened. Shared by `cadre_update` and the roster import."""
    if target and any(t.position_id == target.pk for t in current):
        return [], False
    end = start or date.today().replace(day=1)
    for tenure in current:
        tenure.is_current = False
        tenure.end_month = max(end, tenure.start_month) if tenure.start_month else end
    return current, target is not None


def _move_tenure(cadre: Cadre, start: date | None) -> None:
    """Closes the current tenures that no longer match the cadre's post and opens the new one."""
    target = _position_for(cadre.unit, cadre.current_post, cadre.rank) if cadre.current_post else None
    current = list(_lock_rows(PositionTenure.objects.filter(cadre=cadre, is_current=True)))
    closed, open_new = tenure_moves(current, target, start)
    for tenure in closed:
        tenure.save(update_fields=["is_current", "end_month"])
    if open_new:
        _open_tenure(cadre, target, start)


def _restart_tenure(cadre: Cadre, start: date | None) -> dict[str, list[str]]:
    """A corrected 任现职时间 of the same post is the corrected start of its open tenure; returns the changes.

    The tenure is the one on the post the file names; a file whose post text names no position (concurrent
    posts written together) corrects its only open tenure, and leaves several alone.
    """
    if start is None:
        return {}
    current = list(_lock_rows(PositionTenure.objects.filter(cadre=cadre, is_current=True).select_related("position")))
    tenures = [t for t in current if t.position.unit_id == cadre.unit_id and t.position.title == cadre.current_post]
    if not tenures and len(current) == 1:
        tenures = current
    changes = {}
    for tenure in tenures:
        if tenure.start_month == start:
            continue
        changes[f"{tenure.position.title}任职起始时间"] = [field_display(tenure.start_month), field_display(start)]
        tenure.start_month = start
        tenure.save(update_fields=["start_month"])
    return changes


@transaction.atomic
def cadre_assign_position(
    *, cadre: Cadre, position: Position, start_month: date, actor, concurrent: bool = False
) -> PositionTenure:
    """Puts a cadre into a post from `start_month`; unless `concurrent`, the posts held so far end then."""
    cadre = _locked(cadre, None)
    current = list(_lock_rows(PositionTenure.objects.filter(cadre=cadre, is_current=True)))
    if any(t.position_id == position.pk for t in current):
        raise ApplicationError(f"{cadre.name}已担任{position}")
    if not concurrent:
        for tenure in current:
            if tenure.start_month and tenure.start_month > start_month:
                raise ApplicationError(
                    f"任职时间早于现任职务{tenure.position.title}的起始时间{format_year_month(tenure.start_month)}"
                )
            tenure.is_current = False
            tenure.end_month = start_month
            tenure.save(update_fields=["is_current", "end_month"])
        cadre.unit = position.unit
        cadre.current_post = position.title
        cadre.post_since_month = start_month
    else:
        cadre.current_post = "、".join(p for p in (cadre.current_post, position.title) if p)
    cadre.version += 1
    cadre.save(update_fields=["unit", "current_post", "post_since_month", "version", "updated_at"])
    tenure = _open_tenure(cadre, position, start_month)
    audit_log(
        actor=actor,
        action="cadre.position_assigned",
        obj=cadre,
        details={"position": str(position), "from": format_year_month(start_month), "concurrent": concurrent},
    )
    return tenure


@transaction.atomic
def cadre_leave_position(*, cadre: Cadre, position: Position, end_month: date, actor) -> Cadre:
    """Ends the cadre's tenure of one post from `end_month` (免职); the posts still held remain their current post."""
    cadre = _locked(cadre, None)
    tenure = _lock_rows(PositionTenure.objects.filter(cadre=cadre, position=position, is_current=True)).first()
    if tenure is None:
        raise ApplicationError(f"{cadre.name}现已不担任{position}")
    if tenure.start_month and end_month < tenure.start_month:
        raise ApplicationError(f"免职时间早于任{position.title}的起始时间{format_year_month(tenure.start_month)}")
    tenure.is_current = False
    tenure.end_month = end_month
    tenure.save(update_fields=["is_current", "end_month"])
    remaining = PositionTenure.objects.filter(cadre=cadre, is_current=True).select_related("position").order_by("pk")
    cadre.current_post = "、".join(t.position.title for t in remaining)
    cadre.version += 1
    cadre.save(update_fields=["current_post", "version", "updated_at"])
    audit_log(
        actor=actor,
        action="cadre.position_left",
        obj=cadre,
        details={"position": str(position), "to": format_year_month(end_month)},
    )
    return cadre


@transaction.atomic
def cadre_set_education(
    *, cadre: Cadre, actor, full_time: EducationEntry, in_service: EducationEntry, expected_version: int | None = None
) -> Cadre:
    cadre = _locked(cadre, expected_version)
    existing = {e.kind: e for e in cadre.educations.all()}
    changes = {}
    for kind, entry in ((Education.Kind.FULL_TIME, full_time), (Education.Kind.IN_SERVICE, in_service)):
        old = existing.get(kind)
        old_entry = EducationEntry(old.education, old.degree, old.school_major) if old else EducationEntry()
        if old_entry == entry:
            continue
        changes[kind.label] = [
            " ".join(filter(None, old_entry.__dict__.values())),
            " ".join(filter(None, entry.__dict__.values())),
        ]
        if entry:
            Education.objects.update_or_create(cadre=cadre, kind=kind, defaults=entry.__dict__)
        elif old:
            old.delete()
    if not changes:
        return cadre
    cadre.education = highest_education(full_time.education, in_service.education)
    cadre.version += 1
    cadre.save(update_fields=["education", "version", "updated_at"])
    audit_log(actor=actor, action="cadre.updated", obj=cadre, details={"changes": changes})
    return cadre


def _replace_section(cadre: Cadre, model, rows: list[dict], *, label: str, describe, actor) -> None:
    old = [describe(r) for r in model.objects.filter(cadre=cadre).order_by("order", "pk")]
    objects = [model(cadre=cadre, order=i, **row) for i, row in enumerate(rows)]
    for obj in objects:
        try:
            obj.full_clean(exclude=["cadre"])
        except ValidationError as exc:
            raise ApplicationError.from_validation(exc) from exc
    new = [describe(o) for o in objects]
    if old == new:
        return
    model.objects.filter(cadre=cadre).delete()
    model.objects.bulk_create(objects)
    cadre.version += 1
    cadre.save(update_fields=["version", "updated_at"])
    audit_log(
        actor=actor, action="cadre.updated", obj=cadre, details={"changes": {label: ["\n".join(old), "\n".join(new)]}}
    )


def describe_resume_line(line: ResumeLine) -> str:
    return f"{format_year_month(line.start_month)}--{format_year_month(line.end_month)}  {line.description}"


def describe_reward(item: RewardPunishment) -> str:
    """2015.12 被评为优秀公务员（奖励）: with the kind, so that a changed kind shows in diffs and the history."""
    kind = f"（{item.get_kind_display()}）" if item.kind else ""
    return f"{format_year_month(item.month)} {item.description}".strip() + kind


def describe_family_member(m: FamilyMember) -> str:
    return " ".join(
        filter(None, [m.relation, m.name, format_year_month(m.birth_month), m.political_status, m.work_and_post])
    )


@transaction.atomic
def cadre_replace_resume(*, cadre: Cadre, lines: list[dict], actor, expected_version: int | None = None) -> Cadre:
    """Replaces the 简历 with `lines` ({start_month, end_month, description}) in their order."""
    cadre = _locked(cadre, expected_version)
    _replace_section(cadre, ResumeLine, lines, label="简历", describe=describe_resume_line, actor=actor)
    return cadre


@transaction.atomic
def cadre_replace_rewards(*, cadre: Cadre, items: list[dict], actor, expected_version: int | None = None) -> Cadre:
    cadre = _locked(cadre, expected_version)
    _replace_section(cadre, RewardPunishment, items, label="奖惩情况", describe=describe_reward, actor=actor)
    return cadre


@transaction.atomic
def cadre_replace_family(*, cadre: Cadre, members: list[dict], actor, expected_version: int | None = None) -> Cadre:
    cadre = _locked(cadre, expected_version)
    _replace_section(
        cadre, FamilyMember, members, label="家庭主要成员及重要社会关系", describe=describe_family_member, actor=actor
    )
    return cadre


def photo_normalize(content: bytes) -> bytes:
    """The photo re-encoded as a plain JPEG (no metadata, nothing but pixels); ApplicationError if not a picture."""
    from PIL import Image, UnidentifiedImageError

    if len(content) > PHOTO_MAX_BYTES:
        raise ApplicationError("照片不能超过5MB", field="photo")
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format not in ("JPEG", "PNG", "BMP", "GIF"):
                raise ApplicationError("照片应为JPG或PNG图片", field="photo")
            if image.width * image.height > 40_000_000:
                raise ApplicationError("照片像素过大", field="photo")
            image.thumbnail((600, 800))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=88)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ApplicationError("无法识别的照片文件，请上传JPG或PNG图片", field="photo") from None


# the files written inside the innermost `files_removed_on_rollback` block, as (storage, name)
_written_files: contextvars.ContextVar[list | None] = contextvars.ContextVar("cadres_written_files", default=None)


@contextmanager
def files_removed_on_rollback():
    """Deletes again the files a block writes if the block raises.

    Storage is not transactional: a file written in a transaction that rolls back would stay with
    nothing referring to it. Put around (outside) an atomic block, a raise means that block rolled back,
    so the files its services wrote (see `file_written`) go; the files of a block that succeeds pass to
    the enclosing block, to go if that one fails. An enclosing transaction that rolls back without one
    of these blocks around it is not seen.
    """
    parent = _written_files.get()
    mine: list = []
    token = _written_files.set(mine)
    try:
        yield
    except BaseException:
        for storage, name in mine:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("could not remove %s after a rollback", name, exc_info=True)
        raise
    else:
        if parent is not None:
            parent.extend(mine)
    finally:
        _written_files.reset(token)


def file_written(storage, name: str) -> None:
    files = _written_files.get()
    if files is not None:
        files.append((storage, name))


@files_removed_on_rollback()
@transaction.atomic
def cadre_set_photo(*, cadre: Cadre, content: bytes | None, actor) -> Cadre:
    cadre = _locked(cadre, None)
    old = cadre.photo.name if cadre.photo else ""
    cadre.version += 1
    if content:
        cadre.photo.save("photo.jpg", ContentFile(photo_normalize(content)), save=False)
        file_written(cadre.photo.storage, cadre.photo.name)
    else:
        cadre.photo = ""
    cadre.save(update_fields=["photo", "version", "updated_at"])
    if old:
        transaction.on_commit(lambda: cadre.photo.storage.delete(old))
    audit_log(actor=actor, action="cadre.photo_changed", obj=cadre, details={"removed": not content})
    return cadre

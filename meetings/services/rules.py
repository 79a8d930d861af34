"""Writes of the rules of procedure (议事规则): a meeting type's rules and the categories of matters each type decides.

Kept by administrators; every change is checked as a whole (a type and the categories it decides must stay
consistent) and audited with each changed field's old and new value.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from committees.models import TermMember
from committees.services import role_label
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from ..models import MeetingType, TopicCategory
from ..rules import fraction_words

TYPE_FIELDS = (
    "name",
    "decides",
    "voting_roles",
    "nonvoting_roles",
    "observers",
    "cadence_count",
    "cadence_period",
    "cadence_gap_days",
    "quorum_num",
    "quorum_den",
    "cadre_quorum_num",
    "cadre_quorum_den",
    "pass_num",
    "pass_den",
    "cadre_vote_options",
    "vote_options",
    "secret_ballot",
    "recused_count_as_expected",
    "order",
)
CATEGORY_FIELDS = ("name", "description", "cadre_item", "plenary_only", "consultation_required", "order")
ROLE_CODES = tuple(TermMember.Role.values)
# a vote is stored in Vote.choice
OPTION_MAX_LENGTH = 10


def _clean_options(options, field: str, errors: dict[str, str]) -> list[str]:
    cleaned: list[str] = []
    for option in options or []:
        option = str(option).strip()
        if not option:
            continue
        if len(option) > OPTION_MAX_LENGTH:
            errors.setdefault(field, f"表决选项“{option}”过长，每项不超过{OPTION_MAX_LENGTH}个字")
        elif option in cleaned:
            errors.setdefault(field, f"表决选项“{option}”重复")
        else:
            cleaned.append(option)
    return cleaned


def _clean_roles(roles, field: str, errors: dict[str, str]) -> list[str]:
    roles = list(roles or [])
    unknown = [r for r in roles if r not in ROLE_CODES]
    if unknown:
        errors.setdefault(field, f"未知的身份：{'、'.join(str(r) for r in unknown)}")
        return []
    # the statutory order: 书记, 副书记, 常委, 委员, 候补委员
    return sorted(set(roles), key=ROLE_CODES.index)


def _check_fraction(values: dict, num: str, den: str, what: str, *, may_be_whole: bool, errors: dict) -> None:
    n, d = values[num], values[den]
    if n is None or d is None:
        errors.setdefault(num if n is None else den, f"请填写{what}")
        return
    if d <= 0:
        errors.setdefault(den, f"{what}的分母须大于0")
    elif n <= 0:
        errors.setdefault(num, f"{what}的分子须大于0")
    elif may_be_whole and n > d:
        errors.setdefault(num, f"{what}不能超过全体（分子不能大于分母）")
    elif not may_be_whole and n >= d:
        now = "全体" if n == d else fraction_words(n, d)
        errors.setdefault(num, f"{what}须小于全体（分子须小于分母），现为{now}")


def _check_type(values: dict, meeting_type: MeetingType) -> dict:
    """Validates the rules of one type as they would be after the change; returns the cleaned values."""
    errors: dict[str, str] = {}
    values["name"] = (values.get("name") or "").strip()
    values["observers"] = (values.get("observers") or "").strip()
    if not values["name"]:
        errors["name"] = "请填写会议名称"
    elif MeetingType.objects.exclude(pk=meeting_type.pk).filter(name=values["name"]).exists():
        errors["name"] = f"已有名为“{values['name']}”的会议类型"
    values["voting_roles"] = _clean_roles(values.get("voting_roles"), "voting_roles", errors)
    values["nonvoting_roles"] = _clean_roles(values.get("nonvoting_roles"), "nonvoting_roles", errors)
    both = [r for r in values["voting_roles"] if r in values["nonvoting_roles"]]
    if both:
        errors.setdefault(
            "nonvoting_roles", f"{'、'.join(role_label(r) for r in both)}不能既有表决权又无表决权，请只选一处"
        )
    if values["decides"] and not values["voting_roles"] and "voting_roles" not in errors:
        errors["voting_roles"] = "决策机构须有有表决权的出席身份"
    if not values["voting_roles"] and not values["nonvoting_roles"] and "voting_roles" not in errors:
        errors["voting_roles"] = "请至少选择一种出席身份"

    _check_fraction(values, "quorum_num", "quorum_den", "到会人数比例", may_be_whole=False, errors=errors)
    _check_fraction(
        values, "cadre_quorum_num", "cadre_quorum_den", "干部议题到会比例", may_be_whole=True, errors=errors
    )
    _check_fraction(values, "pass_num", "pass_den", "通过比例", may_be_whole=False, errors=errors)

    values["vote_options"] = _clean_options(values.get("vote_options"), "vote_options", errors)
    values["cadre_vote_options"] = _clean_options(values.get("cadre_vote_options"), "cadre_vote_options", errors)
    scope = list(meeting_type.scope.all()) if meeting_type.pk else []
    if values["decides"]:
        if not values["vote_options"]:
            errors.setdefault("vote_options", "决策机构须设表决选项（每行一项，第一项为赞成）")
        cadre_categories = [c.name for c in scope if c.cadre_item]
        if cadre_categories and not values["cadre_vote_options"]:
            errors.setdefault(
                "cadre_vote_options",
                f"本会议决定干部任免事项（{'、'.join(cadre_categories)}），须设干部议题表决选项",
            )
    else:
        plenary_only = [c.name for c in scope if c.plenary_only]
        if plenary_only:
            errors.setdefault(
                "decides",
                f"本会议的议事范围含须由全委会决定的事项（{'、'.join(plenary_only)}），不能设为非决策机构",
            )

    count, period, gap = values["cadence_count"], values["cadence_period"] or "", values["cadence_gap_days"]
    values["cadence_period"] = period
    if count is None or count < 0:
        errors["cadence_count"] = "至少召开次数须为0或正整数"
    elif count > 0 and not period:
        errors["cadence_period"] = "规定了至少召开次数，请选择周期（每月或每年）"
    elif count == 0 and period:
        errors["cadence_count"] = f"已选择周期“{MeetingType.CadencePeriod(period).label}”，请填写至少召开次数"
    elif period == MeetingType.CadencePeriod.MONTH and count > 31:
        errors["cadence_count"] = "每月至少召开次数不能超过31次"
    if gap is not None and gap <= 0:
        errors["cadence_gap_days"] = "提醒天数须大于0，不需要提醒时请留空"
    if values["order"] is None or values["order"] < 0:
        errors["order"] = "排序须为0或正整数"
    if errors:
        raise ApplicationError.from_errors(errors)
    return values


def _shown(value):
    """A value as the audit details show it: role codes as their Chinese names."""
    if isinstance(value, list):
        return [role_label(v) if v in ROLE_CODES else v for v in value]
    return value


@transaction.atomic
def meeting_type_update(*, meeting_type: MeetingType, actor, **fields) -> MeetingType:
    """Changes the rules of a meeting type. Fields not given keep their values; the type's code (which the
    routing of the plenary's matters relies on) is not editable."""
    unknown = set(fields) - set(TYPE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    meeting_type = MeetingType.objects.select_for_update().get(pk=meeting_type.pk)
    values = {name: fields.get(name, getattr(meeting_type, name)) for name in TYPE_FIELDS}
    values = _check_type(values, meeting_type)
    changes = {
        name: [_shown(getattr(meeting_type, name)), _shown(values[name])]
        for name in TYPE_FIELDS
        if getattr(meeting_type, name) != values[name]
    }
    if not changes:
        return meeting_type
    for name in TYPE_FIELDS:
        setattr(meeting_type, name, values[name])
    meeting_type.save(update_fields=[*(name for name in TYPE_FIELDS if name in changes), "updated_at"])
    audit_log(actor=actor, action="meeting_type.updated", obj=meeting_type, details={"changes": changes})
    return meeting_type


def _check_category(values: dict, types: list[MeetingType], category: TopicCategory | None) -> dict:
    errors: dict[str, str] = {}
    values["name"] = (values.get("name") or "").strip()
    values["description"] = (values.get("description") or "").strip()
    if not values["name"]:
        errors["name"] = "请填写议题类别名称"
    else:
        others = TopicCategory.objects.filter(name=values["name"])
        if category is not None:
            others = others.exclude(pk=category.pk)
        if others.exists():
            errors["name"] = f"已有名为“{values['name']}”的议题类别"
    if not types:
        errors["meeting_types"] = "每类事项须至少由一种会议决定"
    elif values["plenary_only"]:
        if not any(t.code == MeetingType.Code.PLENARY for t in types):
            errors["meeting_types"] = "须由全委会决定的事项，决定机构中须有全委会"
        else:
            preparing = [t.name for t in types if not t.decides]
            if preparing:
                errors["meeting_types"] = f"{'、'.join(preparing)}不是决策机构，不能决定须由全委会决定的事项"
    if values["cadre_item"] and "meeting_types" not in errors:
        missing = [t.name for t in types if t.decides and not t.cadre_vote_options]
        if missing:
            errors["meeting_types"] = f"{'、'.join(missing)}未设干部议题表决选项，不能决定干部任免事项"
    if values.get("order") is not None and values["order"] < 0:
        errors["order"] = "排序须为0或正整数"
    if errors:
        raise ApplicationError.from_errors(errors)
    return values


def _type_names(types) -> list[str]:
    return [t.name for t in sorted(types, key=lambda t: (t.order, t.pk))]


@transaction.atomic
def topic_category_create(
    *,
    actor,
    name: str,
    meeting_types,
    description: str = "",
    cadre_item: bool = False,
    plenary_only: bool = False,
    consultation_required: bool = False,
    order: int | None = None,
) -> TopicCategory:
    """A new category of matters and the meeting types that may decide it."""
    types = list(MeetingType.objects.select_for_update().filter(pk__in=[t.pk for t in meeting_types]))
    values = _check_category(
        {
            "name": name,
            "description": description,
            "cadre_item": cadre_item,
            "plenary_only": plenary_only,
            "consultation_required": consultation_required,
            "order": order,
        },
        types,
        None,
    )
    if values["order"] is None:
        values["order"] = (TopicCategory.objects.aggregate(last=Max("order"))["last"] or 0) + 10
    category = TopicCategory.objects.create(**values)
    category.meeting_types.set(types)
    audit_log(
        actor=actor,
        action="topic_category.created",
        obj=category,
        details={**values, "meeting_types": _type_names(types)},
    )
    return category


@transaction.atomic
def topic_category_update(*, category: TopicCategory, actor, **fields) -> TopicCategory:
    """Changes a category; `meeting_types` (when given) replaces the types that may decide it. Topics already
    filed under it keep the meeting they were routed to."""
    unknown = set(fields) - {*CATEGORY_FIELDS, "meeting_types"}
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    category = TopicCategory.objects.select_for_update().get(pk=category.pk)
    current_types = list(category.meeting_types.all())
    if "meeting_types" in fields:
        types = list(MeetingType.objects.select_for_update().filter(pk__in=[t.pk for t in fields["meeting_types"]]))
    else:
        types = current_types
    values = {name: fields.get(name, getattr(category, name)) for name in CATEGORY_FIELDS}
    values = _check_category(values, types, category)
    if values["order"] is None:  # left empty: keeps its place
        values["order"] = category.order
    changes = {
        name: [getattr(category, name), values[name]]
        for name in CATEGORY_FIELDS
        if getattr(category, name) != values[name]
    }
    if {t.pk for t in types} != {t.pk for t in current_types}:
        changes["meeting_types"] = [_type_names(current_types), _type_names(types)]
    if not changes:
        return category
    for name in CATEGORY_FIELDS:
        setattr(category, name, values[name])
    category.save(update_fields=[*(name for name in CATEGORY_FIELDS if name in changes), "updated_at"])
    if "meeting_types" in changes:
        category.meeting_types.set(types)
    audit_log(actor=actor, action="topic_category.updated", obj=category, details={"changes": changes})
    return category

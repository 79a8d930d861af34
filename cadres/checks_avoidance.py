"""Avoidance (回避) checks of an appointment: close relatives in the unit of the post, in the line directly above or
below it, or leading the body whose organization, personnel, discipline, audit or finance work the post does
(任职回避); natives of the district in the head posts the home-area rule names (地域回避).

The matching (which relation words count, which units a line of the family section names, which posts are sensitive
or home-area heads, whether a name in another file is the same person) is kept in small pure functions here, apart
from the queries, so that each can be tested word by word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from .extensions import (
    CheckOutcome,
    CheckResult,
    QualificationCheck,
    QualificationContext,
    register_qualification_check,
)
from .models import FamilyMember, Position, PositionTenure, Rank, Unit

# --- relations ---------------------------------------------------------------------------------------------

SPOUSE = "配偶"
LINEAL = "直系血亲"
COLLATERAL = "三代以内旁系血亲"
IN_LAW = "近姻亲"

# The relations the avoidance rules name (公务员回避规定, 条例): spouse, lineal relatives, collateral relatives
# within three generations (siblings, uncles and aunts, nephews and nieces, first cousins) and close in-laws
# (the spouse's parents and siblings and their spouses, children's spouses and their parents, the spouses of the
# collateral relatives above). A former spouse (前妻, 前夫) is not one: the marriage has ended.
RELATION_WORDS: dict[str, tuple[str, ...]] = {
    SPOUSE: ("配偶", "妻子", "丈夫", "夫妻", "妻", "夫", "爱人", "老公", "老婆"),
    LINEAL: (
        "父亲", "母亲", "父母", "儿子", "女儿", "子女", "子", "女", "祖父", "祖母", "外祖父", "外祖母",
        "爷爷", "奶奶", "外公", "外婆", "孙子", "孙女", "外孙", "外孙女", "继父", "继母", "养父", "养母",
        "继子", "继女", "养子", "养女",
    ),
    COLLATERAL: (
        "兄弟姐妹", "兄弟", "姐妹", "哥哥", "姐姐", "弟弟", "妹妹", "哥", "兄", "姐", "弟", "妹",
        "伯父", "伯伯", "伯", "叔父", "叔叔", "叔", "姑母", "姑姑", "姑", "舅父", "舅舅", "舅", "姨母", "姨妈",
        "姨", "侄子", "侄女", "外甥", "外甥女", "堂兄", "堂弟", "堂姐", "堂妹", "堂兄弟", "堂姐妹",
        "表兄", "表弟", "表姐", "表妹", "表兄弟", "表姐妹",
    ),
    IN_LAW: (
        "岳父", "岳母", "公公", "婆婆", "女婿", "儿媳", "儿媳妇", "亲家", "亲家公", "亲家母",
        "内兄", "内弟", "大舅子", "小舅子", "大姨子", "小姨子", "大伯子", "小叔子", "大姑子", "小姑子",
        "连襟", "妯娌", "嫂子", "嫂嫂", "嫂", "弟媳", "弟妹", "姐夫", "妹夫", "伯母", "婶婶", "婶母", "婶",
        "舅妈", "舅母", "姑父", "姑夫", "姨父", "姨夫", "侄媳", "侄女婿", "外甥媳妇", "外甥女婿",
        "堂嫂", "堂弟媳", "堂姐夫", "堂妹夫", "表嫂", "表弟媳", "表姐夫", "表妹夫",
    ),
}  # fmt: skip
_KIND_OF_WORD = {word: kind for kind, words in RELATION_WORDS.items() for word in words}
# birth order written before the word: 大哥, 二姐, 长女, 小儿子
_ORDER_PREFIX = re.compile(r"^(?:[大二三四五六七八九长次小幼])")


def relation_kind(relation: str) -> str | None:
    """The avoidance category of a relation word of the family section, or None when the rules do not name it."""
    word = re.sub(r"\s+", "", relation or "")
    if word in _KIND_OF_WORD:
        return _KIND_OF_WORD[word]
    shorter = _ORDER_PREFIX.sub("", word, count=1)
    return _KIND_OF_WORD.get(shorter) if shorter != word else None


def same_person(recorded: date | None, actual: date | None) -> bool | None:
    """Whether the person a family row names is the cadre of the same name: True when the birth months agree, False
    when they differ, None when the row has none (the name alone says nothing certain: people share names)."""
    if recorded is None or actual is None:
        return None
    return (recorded.year, recorded.month) == (actual.year, actual.month)


# --- units named in a line of text -------------------------------------------------------------------------

# a line that says the relative no longer works anywhere
_NOT_WORKING = ("退休", "离休", "已故", "去世", "病故")
_SEPARATORS = set(" \t,，、;；:：(（[【/")
# words that lead into a unit's name without being part of a place name: 现任区财政局…, 在区财政局工作
_LEAD_IN = re.compile(r"(?:现任|现在|在|任|系)$")
_DIVISION = "省市区县州盟旗镇乡"


def home_area_names() -> list[str]:
    return [name for name in settings.ORGDEPT_HOME_AREA_NAMES if name]


def _stem(name: str) -> str:
    """The name without its level word (云岭区 → 云岭), as people often write it; blank when too short."""
    return name[:-1] if len(name) >= 3 and name[-1] in "区县市旗" else ""


@dataclass(frozen=True)
class NamedUnit:
    unit: Unit
    certain: bool  # False when another place may stand before the name (西湖区财政局 is not our 区财政局)


def _certain(before: str, unit_name: str, home: list[str]) -> bool:
    """Whether the name found after `before` is our unit: unit names written without the district (区财政局, 西山镇)
    also end the names of other places' units, so a place name before them leaves it open."""
    before = _LEAD_IN.sub("", before)
    if not before or before[-1] in _SEPARATORS:
        return True
    if any(h in unit_name for h in home) or any(before.endswith(h) for h in home):
        return True
    if unit_name[0] in _DIVISION:
        return False  # 西湖 + 区财政局
    return before[-1] not in _DIVISION  # 某县 + 西山镇


def units_named_in(text: str, units: Iterable[Unit], home_names: Iterable[str] = ()) -> list[NamedUnit]:
    """The units whose full name the text contains, each once, a name inside a longer one found at the same place
    left out (区财政局 in 区财政局国库支付中心); certain when one of its places leaves no doubt (_certain)."""
    text = text or ""
    if not text:
        return []
    home = [h for name in home_names for h in (name, _stem(name)) if h]
    found: list[tuple[int, int, Unit]] = []
    for unit in units:
        name = unit.name
        if len(name) < 2:
            continue
        start = text.find(name)
        while start != -1:
            found.append((start, start + len(name), unit))
            start = text.find(name, start + 1)
    found.sort(key=lambda f: (f[0] - f[1], f[0]))  # longest first
    kept: list[tuple[int, int, Unit]] = []
    for start, end, unit in found:
        if not any(s <= start and end <= e for s, e, _ in kept):
            kept.append((start, end, unit))
    named: dict[int, NamedUnit] = {}
    for start, _end, unit in sorted(kept, key=lambda f: f[0]):
        certain = _certain(text[:start], unit.name, home)
        if unit.pk not in named or certain:
            named[unit.pk] = NamedUnit(unit, certain)
    return list(named.values())


def no_longer_working(text: str) -> bool:
    return any(word in (text or "") for word in _NOT_WORKING)


# --- sensitive posts and home-area heads -------------------------------------------------------------------


def sensitive_work(unit_name: str, title: str) -> str | None:
    """The word that makes the post one of 组织/人事/纪检/监察/审计/财务 work, or None."""
    for word in settings.ORGDEPT_AVOIDANCE_SENSITIVE_KEYWORDS:
        if word and (word in unit_name or word in title):
            return word
    return None


COUNTY_LEADING_LEVELS = (Rank.ZHENG_CHU, Rank.FU_CHU)


def home_area_head(position: Position) -> bool:
    """Whether a native of the district may not hold the post: marked so, or a 县处级 post whose unit name and title
    read as the head of the party committee, government, discipline commission, organization department, court,
    procuratorate or police (ORGDEPT_HOME_AREA_HEAD_PATTERNS). The title decides, not the role: titles joining two
    posts (区委副书记、区长) are the head of one body and the deputy of another."""
    if position.home_area_avoidance:
        return True
    if position.level not in COUNTY_LEADING_LEVELS:
        return False
    text = f"{position.unit.name}{position.title}"
    return any(re.search(pattern, text) for pattern in settings.ORGDEPT_HOME_AREA_HEAD_PATTERNS if pattern)


def home_area_mention(text: str, names: Iterable[str]) -> tuple[str, bool] | None:
    """(the district's name, certain) when the text names the district: its full name is certain, the name without
    its level word (云岭 for 云岭区) may be another place of that name, so uncertain."""
    text = text or ""
    names = list(names)
    for name in names:
        if name in text:
            return name, True
    for name in names:
        if _stem(name) and _stem(name) in text:
            return name, False
    return None


# --- 任职回避 ------------------------------------------------------------------------------------------------

SAME_UNIT = "不得在同一机关担任双方直接隶属于同一领导人员的职务或者有直接上下级领导关系的职务"
DIRECT_LINE = "不得担任有直接上下级领导关系的职务"
SENSITIVE = "不得在其中一方担任领导成员的机关从事组织、人事、纪检、监察、审计和财务工作"
_SEVERITY = {CheckOutcome.PASS: 0, CheckOutcome.WARNING: 1, CheckOutcome.FAIL: 2}


@dataclass(frozen=True)
class Finding:
    outcome: CheckOutcome
    text: str


@dataclass
class UnitTree:
    """The units around the target post's unit: the ones above it (nearest first) and the ones directly below."""

    units: dict[int, Unit]
    target: Unit
    ancestors: list[int]
    children: set[int]

    @classmethod
    def around(cls, target_unit_id: int) -> UnitTree:
        units = {u.pk: u for u in Unit.objects.only("pk", "name", "parent_id")}
        ancestors, current = [], units[target_unit_id].parent_id
        while current is not None and current not in ancestors and current != target_unit_id:
            ancestors.append(current)
            current = units[current].parent_id
        children = {pk for pk, u in units.items() if u.parent_id == target_unit_id}
        return cls(units, units[target_unit_id], ancestors, children)

    @property
    def parent(self) -> int | None:
        return self.ancestors[0] if self.ancestors else None

    @property
    def around_ids(self) -> set[int]:
        return {self.target.pk, *self.ancestors, *self.children}


@dataclass(frozen=True)
class Target:
    """The post proposed, as the rules look at it."""

    tree: UnitTree
    sensitive: str | None  # the word that makes it 组织/人事/纪检/监察/审计/财务 work
    leading: bool


def _relative(member: FamilyMember) -> str:
    return f"{member.relation}{member.name}（{relation_kind(member.relation)}）"


def _from_text(member: FamilyMember, target: Target) -> dict[int, Finding]:
    """What the relative's own line (工作单位及职务) says, by unit named."""
    if no_longer_working(member.work_and_post):
        return {}
    tree = target.tree
    who = f"{_relative(member)}工作单位及职务为“{member.work_and_post}”"
    findings = {}
    for named in units_named_in(member.work_and_post, tree.units.values(), home_area_names()):
        pk, unit = named.unit.pk, named.unit.name
        if pk == tree.target.pk and named.certain:
            findings[pk] = Finding(CheckOutcome.FAIL, f"{who}，与拟任职务同在{unit}（{SAME_UNIT}）")
        elif pk == tree.target.pk:
            findings[pk] = Finding(CheckOutcome.WARNING, f"{who}，可能与拟任职务同在{unit}，请核实是否为同一单位")
        elif pk in tree.ancestors and target.sensitive:
            findings[pk] = Finding(
                CheckOutcome.WARNING,
                f"{who}，拟任职务属于{unit}的{target.sensitive}工作岗位，请核实其是否担任{unit}领导成员（{SENSITIVE}）",
            )
        elif pk == tree.parent or (pk in tree.children and target.leading):
            findings[pk] = Finding(
                CheckOutcome.WARNING, f"{who}，请核实与拟任职务是否有直接上下级领导关系（{DIRECT_LINE}）"
            )
    return findings


def _from_post(who: str, certain: bool, tenure: PositionTenure, target: Target) -> Finding | None:
    """What a relative's current post (from their own cadre file) means for the post proposed; `who` names the
    relative and, when `certain` is False, why the match is in doubt."""
    tree, position = target.tree, tenure.position
    unit = tree.units[position.unit_id].name
    post = position.title if position.title.startswith(unit) else f"{unit}{position.title}"
    who = f"{who}，现任{post}"
    outcome = CheckOutcome.FAIL if certain else CheckOutcome.WARNING
    if position.unit_id == tree.target.pk:
        return Finding(outcome, f"{who}，与拟任职务同在{unit}（{SAME_UNIT}）")
    if position.unit_id in tree.ancestors and target.sensitive and position.leading:
        return Finding(outcome, f"{who}，拟任职务属于其领导的{unit}的{target.sensitive}工作岗位（{SENSITIVE}）")
    if (position.unit_id == tree.parent and position.leading) or (position.unit_id in tree.children and target.leading):
        return Finding(CheckOutcome.WARNING, f"{who}，请核实与拟任职务是否有直接上下级领导关系（{DIRECT_LINE}）")
    return None


def _keep(findings: dict, key, finding: Finding | None) -> None:
    """Keeps the gravest finding about one person and one unit (the same relative found in their own line and in
    their cadre file is said once)."""
    if finding is None:
        return
    if key not in findings or _SEVERITY[finding.outcome] > _SEVERITY[findings[key].outcome]:
        findings[key] = finding


def check_avoidance(context: QualificationContext) -> CheckResult | None:
    """任职回避 for the post proposed, from three sources: the cadre's family section (the relative's employer and
    post as written), the cadre files of relatives who hold posts around it now (found by name, confirmed by the
    birth month), and the family sections of cadres holding posts around it that name this cadre."""
    position = context.target_position
    if position is None:
        return None
    code, label = "avoidance", "任职回避"
    cadre = context.cadre
    tree = UnitTree.around(position.unit_id)
    target = Target(tree, sensitive_work(tree.target.name, position.title), position.leading)
    members = list(cadre.family_members.all())
    relatives = [m for m in members if relation_kind(m.relation)]
    findings: dict[tuple, Finding] = {}
    for member in relatives:
        for unit_id, finding in _from_text(member, target).items():
            _keep(findings, ("family", member.pk, unit_id), finding)

    by_name: dict[str, list[FamilyMember]] = {}
    for member in relatives:
        by_name.setdefault(member.name, []).append(member)
    posts = (
        PositionTenure.objects.filter(
            is_current=True, cadre__name__in=list(by_name), position__unit_id__in=tree.around_ids
        )
        .exclude(cadre=cadre)
        .select_related("cadre", "position")
        .order_by("cadre__name", "pk")
    )
    matched: set[int] = set()  # relatives' cadre files already looked at, not to be told again from their side
    for tenure in posts:
        for member in by_name[tenure.cadre.name]:
            same = same_person(member.birth_month, tenure.cadre.birth_month)
            if same is False:
                continue
            matched.add(tenure.cadre_id)
            who = _relative(member)
            if same is None:
                who += f"可能即同名干部{tenure.cadre.name}（仅姓名相同，未能核对出生年月）"
            _keep(findings, ("family", member.pk, tenure.position.unit_id), _from_post(who, bool(same), tenure, target))

    naming = [
        m
        for m in FamilyMember.objects.filter(
            name=cadre.name, cadre__tenures__is_current=True, cadre__tenures__position__unit_id__in=tree.around_ids
        )
        .exclude(cadre=cadre)
        .distinct()
        if relation_kind(m.relation) and same_person(m.birth_month, cadre.birth_month) is not False
    ]
    if naming:
        their_posts = (
            PositionTenure.objects.filter(
                is_current=True, cadre_id__in={m.cadre_id for m in naming}, position__unit_id__in=tree.around_ids
            )
            .select_related("cadre", "position")
            .order_by("cadre__name", "pk")
        )
        for tenure in their_posts:
            if tenure.cadre_id in matched:
                continue
            for member in (m for m in naming if m.cadre_id == tenure.cadre_id):
                same = same_person(member.birth_month, cadre.birth_month)
                kind = relation_kind(member.relation)
                if same:
                    who = f"{tenure.cadre.name}（其家庭成员栏将{cadre.name}列为{member.relation}，属{kind}）"
                else:
                    who = (
                        f"{tenure.cadre.name}（其家庭成员栏列有同名的{member.relation}{cadre.name}，未能核对出生年月）"
                    )
                key = ("named_by", tenure.cadre_id, tenure.position.unit_id)
                _keep(findings, key, _from_post(who, bool(same), tenure, target))

    if not findings:
        if not members:
            return CheckResult(code, label, CheckOutcome.WARNING, "未填写家庭主要成员及重要社会关系，无法核对任职回避")
        return CheckResult(code, label, CheckOutcome.PASS, f"未发现与拟任{position.title}有关的需要回避的亲属关系")
    worst = max((f.outcome for f in findings.values()), key=_SEVERITY.__getitem__)
    return CheckResult(code, label, worst, "；".join(f.text for f in findings.values()))


# --- 地域回避 ------------------------------------------------------------------------------------------------


def check_home_area(context: QualificationContext) -> CheckResult | None:
    """The head posts of the home-area rule (home_area_head) may not go to a cadre whose 籍贯 or 出生地 names the
    district (ORGDEPT_HOME_AREA_NAMES)."""
    target = context.target_position
    if target is None or not home_area_head(target):
        return None
    code, label = "home_area", "地域回避"
    cadre = context.cadre
    names = home_area_names()
    rule = f"拟任{target.title}属于实行地域回避的正职，不得在本人成长地（{'、'.join(names)}）任职"
    places = [("籍贯", cadre.native_place), ("出生地", cadre.birthplace)]
    if not any(text for _, text in places):
        return CheckResult(code, label, CheckOutcome.WARNING, f"未填写籍贯和出生地，无法核对地域回避；{rule}")
    certain, uncertain = [], []
    for field, text in places:
        mention = home_area_mention(text, names) if text else None
        if mention:
            (certain if mention[1] else uncertain).append(f"{field}为{text}")
    if certain:
        return CheckResult(code, label, CheckOutcome.FAIL, f"{'，'.join(certain)}；{rule}")
    if uncertain:
        return CheckResult(code, label, CheckOutcome.WARNING, f"{'，'.join(uncertain)}，请核实是否在本地成长；{rule}")
    written = "，".join(f"{field}为{text}" for field, text in places if text)
    return CheckResult(code, label, CheckOutcome.PASS, f"{written}，不在本地（{'、'.join(names)}）")


AVOIDANCE_CHECKS = (
    QualificationCheck("avoidance", "任职回避", check_avoidance, order=40),
    QualificationCheck("home_area", "地域回避", check_home_area, order=50),
)


def register_checks() -> None:
    for check in AVOIDANCE_CHECKS:
        register_qualification_check(check)

"""The qualification checks of the appointment procedure beyond work years, education and age: grassroots experience,
time at the lower level (central for 县处级, local settings for 乡科级), avoidance in posts and by home area, rotation;
and a failed check holding a proposal back from the committee."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from cadres.checks import (
    APPOINTMENT_CHECKS,
    check_grassroots,
    check_level_years,
    check_rotation,
)
from cadres.checks_avoidance import (
    AVOIDANCE_CHECKS,
    DIRECT_LINE,
    SAME_UNIT,
    SENSITIVE,
    check_avoidance,
    check_home_area,
    home_area_head,
    home_area_mention,
    relation_kind,
    same_person,
    sensitive_work,
    units_named_in,
)
from cadres.extensions import CheckOutcome, QualificationContext, qualification_checks
from cadres.forms import CadreForm
from cadres.models import AppointmentProposal, Cadre, MandatoryCheck, Position, Rank, Recommendation, Unit
from cadres.services import (
    cadre_assign_position,
    cadre_replace_family,
    cadre_update,
    position_create,
    position_update,
    quota_set,
    unit_create,
)
from cadres.services import proposals as svc
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit

PASS, WARNING, FAIL = CheckOutcome.PASS, CheckOutcome.WARNING, CheckOutcome.FAIL
TODAY = date(2026, 6, 1)


def context(cadre, *, on: date = TODAY, level: str = Rank.FU_CHU, position=None) -> QualificationContext:
    return QualificationContext(
        cadre=cadre, target_level=position.level if position else level, on_date=on, target_position=position
    )


def file(**fields) -> Cadre:
    """An unsaved cadre file: the checks that need no position history only read its fields."""
    return Cadre(**{"gender": Cadre.Gender.MALE, "birth_month": date(1980, 5, 1), **fields})


def post(unit_name: str, title: str, level: str = Rank.ZHENG_CHU, **fields) -> Position:
    """An unsaved post of an unsaved unit, for the checks that read only the post."""
    return Position(unit=Unit(name=unit_name), title=title, level=level, **fields)


# --- registry -----------------------------------------------------------------------------------------------


def test_the_checks_are_registered_in_their_order():
    codes = [c.code for c in qualification_checks()]
    ours = [code for code in codes if code in {c.code for c in (*APPOINTMENT_CHECKS, *AVOIDANCE_CHECKS)}]
    assert ours == ["grassroots", "level_years", "avoidance", "home_area", "rotation"]
    assert codes.index("work_years") < codes.index("grassroots") < codes.index("education")


# --- 1. grassroots experience: at least 24 months for a 县处级 leading post -------------------------------


@pytest.mark.parametrize(
    ("months", "outcome", "reason"),
    [
        (None, WARNING, "未填写基层工作经历，请在干部档案中补充（提拔担任县处级领导职务应当具有2年以上基层工作经历）"),
        (0, FAIL, "无基层工作经历，不足2年（提拔担任县处级领导职务应当具有2年以上基层工作经历）"),
        (23, FAIL, "基层工作经历1年11个月，不足2年（提拔担任县处级领导职务应当具有2年以上基层工作经历）"),
        (24, PASS, "基层工作经历2年，具有2年以上基层工作经历"),
        (25, PASS, "基层工作经历2年1个月，具有2年以上基层工作经历"),
    ],
)
def test_grassroots_experience_needs_two_years(months, outcome, reason):
    result = check_grassroots(context(file(grassroots_months=months), level=Rank.ZHENG_CHU))
    assert (result.code, result.label, result.outcome, result.reason) == ("grassroots", "基层工作经历", outcome, reason)


@pytest.mark.parametrize("level", [Rank.ZHENG_KE, Rank.FU_KE, Rank.DIAOYANYUAN_1, ""])
def test_grassroots_experience_is_judged_for_county_leading_levels_only(level):
    assert check_grassroots(context(file(grassroots_months=0), level=level)) is None


def test_grassroots_months_are_kept_in_the_file_and_edited_with_it(db):
    cadre = make_cadre(make_unit("区教育局"), "郑洁")
    assert cadre.grassroots_months is None
    cadre = cadre_update(cadre=cadre, actor=None, grassroots_months=30)
    cadre.refresh_from_db()
    assert cadre.grassroots_months == 30
    event = AuditEvent.objects.filter(action="cadre.updated", object_id=str(cadre.pk)).latest("id")
    assert event.details["changes"]["grassroots_months"] == ["", "30"]
    form = CadreForm({"version": cadre.version, "grassroots_months": "-1"})
    assert not form.is_valid()
    assert "grassroots_months" in form.errors


# --- 2. time at the lower level ----------------------------------------------------------------------------

DEPUTY_TO_HEAD = "由副职提任正职的，应当在副职岗位工作2年以上"
LOWER_HEAD_TO_DEPUTY = "由下级正职提任上级副职的，应当在下级正职岗位工作3年以上"


@pytest.mark.parametrize(
    ("on", "outcome", "reason"),
    [
        (date(2026, 5, 31), FAIL, f"2024.06任副处级，至今1年11个月，不足2年（{DEPUTY_TO_HEAD}）"),
        (date(2026, 6, 1), PASS, "2024.06任副处级，至今2年，满2年"),
    ],
)
def test_deputy_to_head_of_a_county_level_needs_two_years(on, outcome, reason):
    cadre = file(rank=Rank.FU_CHU, rank_since_month=date(2024, 6, 1))
    result = check_level_years(context(cadre, on=on, level=Rank.ZHENG_CHU))
    assert (result.code, result.label, result.outcome, result.reason) == ("level_years", "任职年限", outcome, reason)


@pytest.mark.parametrize(
    ("on", "outcome", "reason"),
    [
        (date(2026, 5, 31), FAIL, f"2023.06任正科级，至今2年11个月，不足3年（{LOWER_HEAD_TO_DEPUTY}）"),
        (date(2026, 6, 1), PASS, "2023.06任正科级，至今3年，满3年"),
    ],
)
def test_lower_head_to_higher_deputy_needs_three_years(on, outcome, reason):
    cadre = file(rank=Rank.ZHENG_KE, rank_since_month=date(2023, 6, 1))
    result = check_level_years(context(cadre, on=on, level=Rank.FU_CHU))
    assert (result.outcome, result.reason) == (outcome, reason)


@pytest.mark.parametrize(
    ("on", "outcome", "reason"),
    [
        (date(2026, 5, 31), FAIL, f"2024.06任副科级，至今1年11个月，不足2年（乡科级按本地规定：{DEPUTY_TO_HEAD}）"),
        (date(2026, 6, 1), PASS, "2024.06任副科级，至今2年，满2年"),
    ],
)
def test_section_level_deputy_to_head_follows_the_local_default(on, outcome, reason):
    cadre = file(rank=Rank.FU_KE, rank_since_month=date(2024, 6, 1))
    result = check_level_years(context(cadre, on=on, level=Rank.ZHENG_KE))
    assert (result.outcome, result.reason) == (outcome, reason)


def test_section_level_numbers_are_a_setting(settings):
    cadre = file(rank=Rank.FU_KE, rank_since_month=date(2023, 6, 1))
    settings.ORGDEPT_SECTION_LEVEL_RULES = {"deputy_to_head_months": 36}
    assert check_level_years(context(cadre, on=date(2026, 5, 31), level=Rank.ZHENG_KE)).reason == (
        "2023.06任副科级，至今2年11个月，不足3年（乡科级按本地规定：由副职提任正职的，应当在副职岗位工作3年以上）"
    )
    assert check_level_years(context(cadre, on=date(2026, 6, 1), level=Rank.ZHENG_KE)).outcome == PASS
    settings.ORGDEPT_SECTION_LEVEL_RULES = {"deputy_to_head_months": 0}
    assert check_level_years(context(cadre, on=date(2026, 5, 31), level=Rank.ZHENG_KE)) is None


@pytest.mark.parametrize(
    ("rank", "level"),
    [
        (Rank.FU_KE, Rank.FU_CHU),  # a level skipped: 破格, judged by the procedure
        (Rank.FU_KE, Rank.ZHENG_CHU),
        (Rank.FU_CHU, Rank.FU_CHU),  # a lateral move
        (Rank.ZHENG_KE, Rank.ZHENG_KE),
        (Rank.ZHUREN_KEYUAN_1, Rank.FU_CHU),  # an official rank, not a leading level
        (Rank.KEYUAN_1, Rank.FU_KE),  # no level below 副科 is timed
        ("", Rank.ZHENG_CHU),
    ],
)
def test_time_at_level_applies_to_the_two_moves_only(rank, level):
    cadre = file(rank=rank, rank_since_month=date(2026, 1, 1))
    assert check_level_years(context(cadre, level=level)) is None


def test_time_at_level_unknown_is_a_warning():
    result = check_level_years(context(file(rank=Rank.ZHENG_KE, rank_since_month=None), level=Rank.FU_CHU))
    assert result.outcome == WARNING
    assert result.reason == f"未填写任现职级时间，无法核对任正科级的年限（{LOWER_HEAD_TO_DEPUTY}）"


# --- 3. avoidance in posts: the matching ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relation", "kind"),
    [
        ("妻子", "配偶"),
        ("丈夫", "配偶"),
        ("爱人", "配偶"),
        ("父亲", "直系血亲"),
        ("长女", "直系血亲"),
        ("次女", "直系血亲"),
        ("小儿子", "直系血亲"),
        ("子", "直系血亲"),
        ("外祖母", "直系血亲"),
        ("大哥", "三代以内旁系血亲"),
        ("二姐", "三代以内旁系血亲"),
        ("表妹", "三代以内旁系血亲"),
        ("外甥", "三代以内旁系血亲"),
        ("岳母", "近姻亲"),
        ("儿媳", "近姻亲"),
        ("女婿", "近姻亲"),
        ("姐夫", "近姻亲"),
        ("小舅子", "近姻亲"),
        (" 婆婆 ", "近姻亲"),
        ("前妻", None),
        ("同学", None),
        ("朋友", None),
        ("", None),
    ],
)
def test_relation_words(relation, kind):
    assert relation_kind(relation) == kind


def test_a_name_is_the_same_person_only_with_the_same_birth_month():
    assert same_person(date(1980, 5, 1), date(1980, 5, 1)) is True
    assert same_person(date(1980, 5, 1), date(1980, 6, 1)) is False
    assert same_person(None, date(1980, 5, 1)) is None


UNITS = [
    Unit(pk=1, name="区财政局"),
    Unit(pk=2, name="区财政局国库支付中心"),
    Unit(pk=3, name="西山镇"),
    Unit(pk=4, name="中共云岭区委员会"),
]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("区财政局会计", [(1, True)]),
        ("云岭区财政局预算科科长", [(1, True)]),
        ("浙江省杭州市云岭区财政局科员", [(1, True)]),
        ("现任区财政局副局长", [(1, True)]),
        ("杭州市西湖区财政局科员", [(1, False)]),  # another district's 区财政局
        ("区财政局国库支付中心主任", [(2, True)]),  # the longer name, not the bureau inside it
        ("西山镇党委委员", [(3, True)]),
        ("青山县西山镇干部", [(3, False)]),
        ("浙江省中共云岭区委员会办公室", [(4, True)]),  # the name carries the district
        ("区人民医院医生", []),
        ("", []),
    ],
)
def test_units_named_in_a_family_line(text, named):
    found = units_named_in(text, UNITS, ["云岭区"])
    assert [(n.unit.pk, n.certain) for n in found] == named


@pytest.mark.parametrize(
    ("unit", "title", "word"),
    [
        ("区委组织部", "干部科科长", "组织"),
        ("区人力资源和社会保障局", "局长", "人力资源"),
        ("区纪委监委", "第一纪检监察室主任", "纪检"),
        ("区审计局", "局长", "审计"),
        ("区财政局", "局长", "财政"),
        ("区教育局", "计划财务科科长", "财务"),
        ("区教育局", "局长", None),
    ],
)
def test_sensitive_work_is_read_from_the_unit_name_and_title(unit, title, word):
    assert sensitive_work(unit, title) == word


def test_sensitive_words_are_a_setting(settings):
    settings.ORGDEPT_AVOIDANCE_SENSITIVE_KEYWORDS = ["统计"]
    assert sensitive_work("区统计局", "局长") == "统计"
    assert sensitive_work("区审计局", "局长") is None


# --- 3. avoidance in posts: the cadre files --------------------------------------------------------------


@pytest.fixture
def county(db):
    """区人民政府 with 区审计局 (sensitive) and 区教育局 below it, and 区财政局 on its own, each with posts."""
    government = unit_create(name="区人民政府", kind=Unit.Kind.GOVERNMENT, actor=None)
    audit = unit_create(name="区审计局", kind=Unit.Kind.GOVERNMENT, parent=government, actor=None)
    education = unit_create(name="区教育局", kind=Unit.Kind.GOVERNMENT, parent=government, actor=None)
    finance = unit_create(name="区财政局", kind=Unit.Kind.GOVERNMENT, actor=None)

    def make(unit, title, level, role, **fields):
        return position_create(unit=unit, title=title, level=level, role=role, actor=None, **fields)

    head, deputy = Position.Role.HEAD, Position.Role.DEPUTY
    return {
        "government": government,
        "finance": finance,
        "mayor": make(government, "区长", Rank.ZHENG_CHU, head),
        "audit_head": make(audit, "局长", Rank.ZHENG_KE, head),
        "education_head": make(education, "局长", Rank.ZHENG_KE, head),
        "finance_head": make(finance, "局长", Rank.ZHENG_KE, head),
        "finance_deputy": make(finance, "副局长", Rank.FU_KE, deputy),
        "finance_clerk": make(finance, "办公室科员", "", Position.Role.OTHER, leading=False),
    }


def candidate(county, *family, name="刘洋", born=date(1982, 3, 9)) -> Cadre:
    cadre = make_cadre(county["finance"], name, born=born, rank=Rank.FU_KE)
    if family:
        cadre_replace_family(cadre=cadre, actor=None, members=list(family))
    return Cadre.objects.get(pk=cadre.pk)


def relative(relation, name, work_and_post="", birth_month=None) -> dict:
    return {"relation": relation, "name": name, "work_and_post": work_and_post, "birth_month": birth_month}


def holder(county, post, name, born, **fields) -> Cadre:
    cadre = make_cadre(county[post].unit, name, born=born, **fields)
    cadre_assign_position(cadre=cadre, position=county[post], start_month=date(2020, 1, 1), actor=None)
    return cadre


def avoidance(cadre, position):
    return check_avoidance(context(cadre, position=position))


def test_a_spouse_working_in_the_unit_fails(county):
    cadre = candidate(county, relative("妻子", "王芳", "区财政局会计"))
    result = avoidance(cadre, county["finance_deputy"])
    assert (result.code, result.label, result.outcome) == ("avoidance", "任职回避", FAIL)
    assert result.reason == f"妻子王芳（配偶）工作单位及职务为“区财政局会计”，与拟任职务同在区财政局（{SAME_UNIT}）"


def test_a_unit_of_the_same_name_elsewhere_is_a_warning(county):
    cadre = candidate(county, relative("哥哥", "刘海", "杭州市西湖区财政局科员"))
    result = avoidance(cadre, county["finance_deputy"])
    assert result.outcome == WARNING
    assert result.reason == (
        "哥哥刘海（三代以内旁系血亲）工作单位及职务为“杭州市西湖区财政局科员”，可能与拟任职务同在区财政局，"
        "请核实是否为同一单位"
    )


@pytest.mark.parametrize(
    "member",
    [
        relative("父亲", "刘建国", "区财政局退休"),  # no longer working there
        relative("同学", "陈晨", "区财政局科员"),  # not a relation the rules name
        relative("妻子", "王芳", "区人民医院医生"),  # another unit
    ],
)
def test_no_avoidance_case_passes(county, member):
    result = avoidance(candidate(county, member), county["finance_deputy"])
    assert (result.outcome, result.reason) == (PASS, "未发现与拟任副局长有关的需要回避的亲属关系")


def test_an_empty_family_section_is_a_warning(county):
    result = avoidance(candidate(county), county["finance_deputy"])
    assert (result.outcome, result.reason) == (WARNING, "未填写家庭主要成员及重要社会关系，无法核对任职回避")


@pytest.mark.parametrize(
    ("birth_month", "outcome"),
    [(date(1978, 4, 1), FAIL), (None, WARNING), (date(1978, 5, 1), PASS)],
)
def test_a_relative_holding_a_post_in_the_unit_is_found_by_name_and_birth_month(county, birth_month, outcome):
    holder(county, "finance_head", "刘伟", date(1978, 4, 20))
    cadre = candidate(county, relative("哥哥", "刘伟", "", birth_month))
    result = avoidance(cadre, county["finance_deputy"])
    assert result.outcome == outcome
    if outcome == FAIL:
        assert result.reason == f"哥哥刘伟（三代以内旁系血亲），现任区财政局局长，与拟任职务同在区财政局（{SAME_UNIT}）"
    if outcome == WARNING:
        assert result.reason == (
            "哥哥刘伟（三代以内旁系血亲）可能即同名干部刘伟（仅姓名相同，未能核对出生年月），现任区财政局局长，"
            f"与拟任职务同在区财政局（{SAME_UNIT}）"
        )


def test_a_relative_found_twice_is_said_once(county):
    holder(county, "finance_head", "刘伟", date(1978, 4, 20))
    cadre = candidate(county, relative("哥哥", "刘伟", "区财政局局长", date(1978, 4, 1)))
    result = avoidance(cadre, county["finance_deputy"])
    assert result.outcome == FAIL
    assert result.reason.count("刘伟") == 1


def test_a_cadre_named_in_another_file_in_the_unit_fails(county):
    # 孙强's own file lists 李红, born 1983.07, as his wife; she is proposed for his bureau
    husband = holder(county, "finance_head", "孙强", date(1979, 2, 2))
    cadre_replace_family(
        cadre=husband, actor=None, members=[relative("妻子", "李红", "区教育局教师", date(1983, 7, 1))]
    )
    cadre = candidate(county, name="李红", born=date(1983, 7, 15))
    result = avoidance(cadre, county["finance_deputy"])
    assert result.outcome == FAIL
    assert result.reason == (
        f"孙强（其家庭成员栏将李红列为妻子，属配偶），现任区财政局局长，与拟任职务同在区财政局（{SAME_UNIT}）"
    )


def test_a_couple_listing_each_other_is_told_once(county):
    husband = holder(county, "finance_head", "孙强", date(1979, 2, 2))
    cadre_replace_family(cadre=husband, actor=None, members=[relative("妻子", "李红", "", date(1983, 7, 1))])
    cadre = candidate(county, relative("丈夫", "孙强", "", date(1979, 2, 1)), name="李红", born=date(1983, 7, 15))
    result = avoidance(cadre, county["finance_deputy"])
    assert result.outcome == FAIL
    assert result.reason == f"丈夫孙强（配偶），现任区财政局局长，与拟任职务同在区财政局（{SAME_UNIT}）"


def test_sensitive_work_in_a_body_a_relative_leads_fails(county):
    # the 区长 leads 区人民政府; 区审计局 is under it and audits: his daughter may not head it
    holder(county, "mayor", "周明", date(1966, 8, 8))
    cadre = candidate(county, relative("父亲", "周明", "区人民政府区长", date(1966, 8, 1)), name="周婷")
    result = avoidance(cadre, county["audit_head"])
    assert result.outcome == FAIL
    assert f"父亲周明（直系血亲），现任区人民政府区长，拟任职务属于其领导的区人民政府的审计工作岗位（{SENSITIVE}）" in (
        result.reason
    )


def test_a_relative_leading_the_body_above_is_a_warning(county):
    # 区教育局 is not sensitive work: the line above is for the department to look at
    holder(county, "mayor", "周明", date(1966, 8, 8))
    cadre = candidate(county, relative("父亲", "周明", "", date(1966, 8, 1)), name="周婷")
    result = avoidance(cadre, county["education_head"])
    assert result.outcome == WARNING
    assert result.reason == (
        f"父亲周明（直系血亲），现任区人民政府区长，请核实与拟任职务是否有直接上下级领导关系（{DIRECT_LINE}）"
    )


def test_avoidance_reads_in_a_fixed_number_of_queries(county, django_assert_num_queries):
    holder(county, "finance_head", "刘伟", date(1978, 4, 20))
    few = candidate(county, relative("哥哥", "刘伟", "区财政局局长", date(1978, 4, 1)), name="刘洋")
    many = candidate(
        county,
        *[relative("表弟", f"刘{i}", f"区教育局教师{i}") for i in range(8)],
        relative("哥哥", "刘伟", "区财政局局长", date(1978, 4, 1)),
        name="刘江",
        born=date(1985, 1, 1),
    )
    with django_assert_num_queries(4):
        avoidance(few, county["finance_deputy"])
    with django_assert_num_queries(4):
        avoidance(many, county["finance_deputy"])


# --- 4. home-area avoidance ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "title", "level", "head"),
    [
        ("中共云岭区委员会", "区委书记", Rank.ZHENG_CHU, True),
        ("中共云岭区委员会", "区委副书记、区长", Rank.ZHENG_CHU, True),
        ("中共云岭区委员会", "区委副书记", Rank.FU_CHU, False),
        ("中共云岭区委员会", "区委常委、区纪委书记、区监委主任", Rank.FU_CHU, True),
        ("中共云岭区委员会", "区委常委、组织部部长", Rank.FU_CHU, True),
        ("中共云岭区委员会", "区委常委、宣传部部长", Rank.FU_CHU, False),
        ("中共云岭区委员会", "区委常委、常务副区长", Rank.FU_CHU, False),
        ("中共云岭区委员会", "区委常委、政法委书记", Rank.FU_CHU, False),
        ("中共云岭区委员会", "区委常委、区委办公室主任", Rank.FU_CHU, False),
        ("区人民政府", "区长助理", Rank.FU_CHU, False),
        ("区纪委监委", "书记", Rank.FU_CHU, True),
        ("区纪委监委", "副书记", Rank.FU_CHU, False),
        ("区人民法院", "院长", Rank.FU_CHU, True),
        ("区人民法院", "副院长", Rank.FU_CHU, False),
        ("区人民检察院", "检察长", Rank.FU_CHU, True),
        ("区人民检察院", "副检察长", Rank.FU_CHU, False),
        ("区公安分局", "局长", Rank.FU_CHU, True),
        ("区公安分局", "政委", Rank.FU_CHU, False),
        ("西山镇", "西山镇党委书记", Rank.ZHENG_KE, False),  # a township's head is not the county's
        ("区委组织部", "部长", Rank.ZHENG_KE, False),  # the rule of thumb is for 县处级 posts only
    ],
)
def test_home_area_heads_by_rule_of_thumb(unit, title, level, head):
    assert home_area_head(post(unit, title, level)) is head


def test_a_post_marked_for_home_area_avoidance_is_a_head_whatever_its_title(settings):
    settings.ORGDEPT_HOME_AREA_HEAD_PATTERNS = []
    assert not home_area_head(post("中共云岭区委员会", "区委书记"))
    assert home_area_head(post("区委组织部", "部长", Rank.ZHENG_KE, home_area_avoidance=True))


def test_the_home_area_mark_is_kept_on_the_position(db):
    unit = make_unit("区公安分局")
    position = position_create(unit=unit, title="局长", level=Rank.ZHENG_KE, role=Position.Role.HEAD, actor=None)
    assert position.home_area_avoidance is False
    position_update(position=position, home_area_avoidance=True, actor=None)
    assert Position.objects.get(pk=position.pk).home_area_avoidance is True


def test_home_area_mention():
    assert home_area_mention("浙江云岭区", ["云岭区"]) == ("云岭区", True)
    assert home_area_mention("浙江云岭", ["云岭区"]) == ("云岭区", False)
    assert home_area_mention("浙江杭州", ["云岭区"]) is None
    assert home_area_mention("青山", ["云岭区", "青山县"]) == ("青山县", False)


SECRETARY = post("中共云岭区委员会", "区委书记")
HOME_RULE = "拟任区委书记属于实行地域回避的正职，不得在本人成长地（云岭区）任职"


@pytest.mark.parametrize(
    ("native", "born_in", "outcome", "reason"),
    [
        ("浙江云岭区", "浙江杭州", FAIL, f"籍贯为浙江云岭区；{HOME_RULE}"),
        ("浙江杭州", "云岭区城关街道", FAIL, f"出生地为云岭区城关街道；{HOME_RULE}"),
        ("浙江云岭", "", WARNING, f"籍贯为浙江云岭，请核实是否在本地成长；{HOME_RULE}"),
        ("浙江杭州", "浙江杭州", PASS, "籍贯为浙江杭州，出生地为浙江杭州，不在本地（云岭区）"),
        ("", "", WARNING, f"未填写籍贯和出生地，无法核对地域回避；{HOME_RULE}"),
    ],
)
def test_home_area_avoidance(native, born_in, outcome, reason):
    result = check_home_area(context(file(native_place=native, birthplace=born_in), position=SECRETARY))
    assert (result.code, result.label, result.outcome, result.reason) == ("home_area", "地域回避", outcome, reason)


def test_home_area_avoidance_does_not_judge_other_posts():
    cadre = file(native_place="浙江云岭区")
    assert check_home_area(context(cadre, position=post("中共云岭区委员会", "区委常委、宣传部部长"))) is None
    assert check_home_area(context(cadre)) is None


def test_the_district_s_names_are_a_setting(settings):
    settings.ORGDEPT_HOME_AREA_NAMES = ["云岭区", "云岭县"]
    result = check_home_area(context(file(native_place="浙江云岭县"), position=SECRETARY))
    assert result.outcome == FAIL
    assert result.reason.endswith("不得在本人成长地（云岭区、云岭县）任职")


# --- 5. rotation -------------------------------------------------------------------------------------------


@pytest.fixture
def bureau_posts(db):
    bureau = make_unit("区住房和城乡建设局")
    leader = Position.RotationKind.LEADER

    def make(title, level, role, unit=bureau, kind=leader):
        return position_create(unit=unit, title=title, level=level, role=role, rotation_kind=kind, actor=None)

    other = make_unit("区交通运输局")
    return {
        "deputy": make("副局长", Rank.FU_KE, Position.Role.DEPUTY),
        "head": make("局长", Rank.ZHENG_KE, Position.Role.HEAD),
        "researcher": make("四级调研员", Rank.DIAOYANYUAN_4, Position.Role.OTHER, kind=Position.RotationKind.NONE),
        "elsewhere": make("局长", Rank.ZHENG_KE, Position.Role.HEAD, unit=other),
    }


def deputy_since(bureau_posts, since: date) -> Cadre:
    cadre = make_cadre(bureau_posts["deputy"].unit, "黄磊", rank=Rank.FU_KE)
    cadre_assign_position(cadre=cadre, position=bureau_posts["deputy"], start_month=since, actor=None)
    return Cadre.objects.get(pk=cadre.pk)


@pytest.mark.parametrize(
    ("since", "outcome", "reason"),
    [
        (
            date(2016, 6, 1),
            WARNING,
            "2016.06起任区住房和城乡建设局副局长，至今10年，在同一职位任职已满10年，应当交流；"
            "拟任局长仍在区住房和城乡建设局同类岗位，未实现交流，请一并研究交流安排或说明暂不交流的理由",
        ),
        (date(2016, 7, 1), PASS, "2016.07起任区住房和城乡建设局副局长，至今9年11个月，未满10年"),
    ],
)
def test_ten_years_in_a_post_warn_when_the_cadre_would_stay(bureau_posts, since, outcome, reason):
    cadre = deputy_since(bureau_posts, since)
    result = check_rotation(context(cadre, position=bureau_posts["head"]))
    assert (result.code, result.label, result.outcome, result.reason) == ("rotation", "交流", outcome, reason)


def test_a_post_elsewhere_or_of_another_kind_is_the_exchange(bureau_posts):
    cadre = deputy_since(bureau_posts, date(2010, 1, 1))
    assert check_rotation(context(cadre, position=bureau_posts["elsewhere"])) is None
    assert check_rotation(context(cadre, position=bureau_posts["researcher"])) is None


def test_rotation_years_are_the_rotation_watch_setting(bureau_posts, settings):
    settings.ORGDEPT_ROTATION_YEARS = {"leader": 8, "key": 5, "staff": 3}
    cadre = deputy_since(bureau_posts, date(2018, 6, 1))
    result = check_rotation(context(cadre, position=bureau_posts["head"]))
    assert result.outcome == WARNING
    assert "在同一职位任职已满8年，应当交流" in result.reason


# --- a failed check holds the proposal back from the committee ---------------------------------------------


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def staff(make_user):
    from orgdept.core import roles

    return make_user(roles.CADRE_SECTION, username="ganbu")


@pytest.fixture
def deputy_mayor(db):
    government = make_unit("区人民政府")
    quota_set(unit=government, level=Rank.FU_CHU, approved=6, actor=None)
    return position_create(unit=government, title="副区长", level=Rank.FU_CHU, role=Position.Role.DEPUTY, actor=None)


def proposal_before_the_committee(position, cadre, staff) -> AppointmentProposal:
    """A 正科 → 副处 promotion through 动议, recommendation, inspection and the four checks."""
    proposal = svc.proposal_create(
        proposal_round=svc.round_create(title="2026年第5批干部任免", actor=staff),
        cadre=cadre,
        action=AppointmentProposal.Action.APPOINT,
        target_position=position,
        initiated_on=date(2026, 3, 2),
        initiated_by="区委常委会",
        reason="工作需要",
        actor=staff,
    )
    recommendation = svc.recommendation_record(
        position=position,
        kind=Recommendation.Kind.INTERVIEW,
        held_on=date(2026, 3, 10),
        participants=45,
        candidates=[(cadre, 40)],
        actor=staff,
    )
    svc.proposal_recommend(proposal=proposal, recommendation=recommendation, actor=staff)
    svc.inspection_record(
        proposal=proposal,
        team="区委组织部考察组",
        started_on=date(2026, 3, 20),
        ended_on=date(2026, 3, 25),
        report="该同志政治坚定，工作实绩突出。",
        conclusion="符合提拔任职条件",
        actor=staff,
    )
    for kind in MandatoryCheck.Kind.values:
        svc.mandatory_check_record(
            proposal=proposal, kind=kind, done_on=date(2026, 3, 26), done_by="干部科", result="未发现问题", actor=staff
        )
    return AppointmentProposal.objects.get(pk=proposal.pk)


def county_candidate(unit, grassroots_months) -> Cadre:
    return make_cadre(
        unit,
        "钱进",
        rank=Rank.ZHENG_KE,
        rank_since_month=date(2022, 1, 1),
        work_started_month=date(2005, 7, 1),
        education="大学",
        native_place="浙江杭州",
        grassroots_months=grassroots_months,
    )


@pytest.mark.parametrize(("months", "blocked"), [(23, True), (24, False), (None, False)])
def test_a_failed_check_blocks_the_decision(frozen, deputy_mayor, staff, months, blocked):
    cadre = county_candidate(make_unit("区发展和改革局"), months)
    proposal = proposal_before_the_committee(deputy_mayor, cadre, staff)
    gate = svc.decision_gate(proposal, TODAY)
    results = {r.code: r.outcome for r in svc.qualification_results(proposal, TODAY)}
    assert results["level_years"] == PASS  # 正科 since 2022.01: 4 years 5 months
    if not blocked:
        # a missing grassroots record is only a warning: it does not hold the proposal back
        assert results["grassroots"] == (PASS if months else WARNING)
        assert gate.open
        assert svc.proposal_submit(proposal=proposal, actor=staff).status == AppointmentProposal.Status.SUBMITTED
        return
    assert [r.code for r in gate.failed_checks] == ["grassroots"]
    with pytest.raises(ApplicationError) as refused:
        svc.proposal_submit(proposal=proposal, actor=staff)
    assert refused.value.message.startswith(
        "任职资格条件不符合：基层工作经历：基层工作经历1年11个月，不足2年（提拔担任县处级领导职务应当具有2年以上基层工作经历）"
    )
    assert AppointmentProposal.objects.get(pk=proposal.pk).status == AppointmentProposal.Status.INSPECTED


def test_a_relative_in_the_unit_blocks_the_decision(frozen, deputy_mayor, staff):
    cadre = county_candidate(make_unit("区发展和改革局"), 36)
    cadre_replace_family(cadre=cadre, actor=None, members=[relative("妻子", "吴丽", "区人民政府办公室科员")])
    proposal = proposal_before_the_committee(deputy_mayor, cadre, staff)
    with pytest.raises(ApplicationError, match=r"任职资格条件不符合：任职回避：妻子吴丽（配偶）工作单位及职务为"):
        svc.proposal_submit(proposal=proposal, actor=staff)
    assert [r.code for r in svc.decision_gate(proposal, TODAY).failed_checks] == ["avoidance"]

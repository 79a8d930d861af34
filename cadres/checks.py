"""The qualification checks the cadre file and the position history can answer for an appointment.

Work experience, grassroots experience and education follow 党政领导干部选拔任用工作条例 (basic qualifications,
县处级) and the local settings for 乡科级, for promotions only; the age check, for every appointment, uses the
statutory retirement age under the gradual rules in force from 2025; the time at the lower level follows the 条例
for 县处级 and local settings for 乡科级; rotation warns when the cadre would stay where the exchange rule says they
should leave. Registered in the qualification-check registry (cadres.extensions) by the app's ready(); avoidance
is in checks_avoidance; training, appraisal and the appointment workflow register their own checks there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings

from orgdept.core.yearmonth import format_year_month

from .extensions import (
    CheckOutcome,
    CheckResult,
    QualificationCheck,
    QualificationContext,
    register_qualification_check,
)
from .models import Cadre, EducationLevel, PositionTenure, Rank
from .selectors import rotation_years
from .structure import add_months, format_months, months_between, years_before

# promotion to these levels is what the checks below judge with the 条例's central numbers
COUNTY_LEADING_LEVELS = (Rank.ZHENG_CHU, Rank.FU_CHU)
SECTION_LEADING_LEVELS = (Rank.ZHENG_KE, Rank.FU_KE)
MIN_WORK_MONTHS = 5 * 12  # central: at least 5 years of work
MIN_GRASSROOTS_MONTHS = 2 * 12  # central: at least 2 years of grassroots experience
# in their order, highest first: "大专 or above" accepts the first three
EDUCATION_ORDER = list(EducationLevel.values)
ACCEPTED_EDUCATION = tuple(EDUCATION_ORDER[: EDUCATION_ORDER.index(EducationLevel.COLLEGE) + 1])


@dataclass(frozen=True)
class BasicRules:
    """The numbers of the basic qualifications for a promotion to one group of levels; 0 or "" turns one off."""

    words: str  # how the reason names the level: 县处级, or 乡科级 with "按本地规定"
    work_months: int
    grassroots_months: int
    education: str  # the lowest accepted EducationLevel


def basic_rules(context: QualificationContext) -> BasicRules | None:
    """Central numbers for 县处级 posts, the local settings (ORGDEPT_SECTION_LEVEL_RULES) for 乡科级 ones; none for a
    move that is not a promotion: the experience a cadre brings to a post at their own level was judged before."""
    if context.promotion is False:
        return None
    if context.target_level in COUNTY_LEADING_LEVELS:
        return BasicRules("县处级", MIN_WORK_MONTHS, MIN_GRASSROOTS_MONTHS, EducationLevel.COLLEGE)
    if context.target_level in SECTION_LEADING_LEVELS:
        local = settings.ORGDEPT_SECTION_LEVEL_RULES
        return BasicRules(
            "乡科级（本地规定）",
            int(local.get("work_months", 0)),
            int(local.get("grassroots_months", 0)),
            str(local.get("education", "")),
        )
    return None


# --- statutory retirement age ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RetirementRule:
    """A statutory retirement age raised by one month for every `step_months` months of birth, up to a cap."""

    base_age: int  # years, for those born before `first_birth_month`
    first_birth_month: date  # the first birth month whose age is raised
    step_months: int
    max_delay_months: int


# 全国人大常委会关于实施渐进式延迟法定退休年龄的决定 (2024-09-13, from 2025-01-01): men 60 → 63,
# women cadres 55 → 58; one month later for every four months of birth from the first cohort on.
RETIREMENT_RULES = {
    Cadre.Gender.MALE: RetirementRule(
        base_age=60, first_birth_month=date(1965, 1, 1), step_months=4, max_delay_months=36
    ),
    Cadre.Gender.FEMALE: RetirementRule(
        base_age=55, first_birth_month=date(1970, 1, 1), step_months=4, max_delay_months=36
    ),
}


def retirement_age_months(birth_month: date, gender: str) -> int:
    """The statutory retirement age, in months, of a cadre born in `birth_month`."""
    rule = RETIREMENT_RULES[gender]
    cohort = months_between(rule.first_birth_month, birth_month.replace(day=1))
    delay = min(cohort // rule.step_months + 1, rule.max_delay_months) if cohort >= 0 else 0
    return rule.base_age * 12 + delay


def retirement_month(birth_month: date, gender: str) -> date:
    """The month in which a cadre born in `birth_month` reaches the statutory retirement age."""
    return add_months(birth_month, retirement_age_months(birth_month, gender))


def format_age(months: int) -> str:
    years, rest = divmod(months, 12)
    return f"{years}岁{rest}个月" if rest else f"{years}岁"


# --- the checks ------------------------------------------------------------------------------------------


def check_work_years(context: QualificationContext) -> CheckResult | None:
    rules = basic_rules(context)
    if rules is None or not rules.work_months:
        return None
    code, label = "work_years", "工作年限"
    needed = format_months(rules.work_months)
    started = context.cadre.work_started_month
    if not started:
        return CheckResult(code, label, CheckOutcome.WARNING, "未填写参加工作时间，无法核对工作年限")
    months = months_between(started, context.on_date)
    worked = f"{format_year_month(started)}参加工作，至今{format_months(months)}"
    if months >= rules.work_months:
        return CheckResult(code, label, CheckOutcome.PASS, f"{worked}，具有{needed}以上工作经历")
    return CheckResult(
        code,
        label,
        CheckOutcome.FAIL,
        f"{worked}，不足{needed}（提拔担任{rules.words}领导职务应当具有{needed}以上工作经历）",
    )


def check_education(context: QualificationContext) -> CheckResult | None:
    rules = basic_rules(context)
    if rules is None or rules.education not in EDUCATION_ORDER:
        return None
    code, label = "education", "文化程度"
    education = context.cadre.education
    if not education:
        return CheckResult(code, label, CheckOutcome.WARNING, "未填写学历，无法核对文化程度")
    floor = EDUCATION_ORDER.index(rules.education)
    wanted = "大学专科" if rules.education == EducationLevel.COLLEGE else rules.education
    if education in EDUCATION_ORDER and EDUCATION_ORDER.index(education) <= floor:
        return CheckResult(code, label, CheckOutcome.PASS, f"学历为{education}，具有{wanted}以上文化程度")
    return CheckResult(
        code,
        label,
        CheckOutcome.FAIL,
        f"学历为{education}，提拔担任{rules.words}领导职务一般应当具有{wanted}以上文化程度",
    )


def check_retirement_age(context: QualificationContext) -> CheckResult | None:
    """Every appointment, at any level: nobody takes a post at or past the statutory retirement age."""
    code, label = "retirement_age", "年龄"
    cadre = context.cadre
    if not cadre.birth_month or cadre.gender not in RETIREMENT_RULES:
        return CheckResult(code, label, CheckOutcome.WARNING, "出生年月或性别未填写，无法核对法定退休年龄")
    age = format_age(retirement_age_months(cadre.birth_month, cadre.gender))
    retires = retirement_month(cadre.birth_month, cadre.gender)
    when = f"法定退休年龄{age}（{format_year_month(retires)}）"
    if context.on_date >= retires:
        return CheckResult(code, label, CheckOutcome.FAIL, f"已达到{when}")
    left = months_between(context.on_date, retires)
    warning_months = settings.ORGDEPT_RETIREMENT_WARNING_MONTHS
    if left < warning_months:
        return CheckResult(
            code,
            label,
            CheckOutcome.WARNING,
            f"距{when}仅剩{format_months(left)}，不足{format_months(warning_months)}",
        )
    return CheckResult(code, label, CheckOutcome.PASS, f"距{when}还有{format_months(left)}")


def check_grassroots(context: QualificationContext) -> CheckResult | None:
    rules = basic_rules(context)
    if rules is None or not rules.grassroots_months:
        return None
    code, label = "grassroots", "基层工作经历"
    needed = format_months(rules.grassroots_months)
    rule = f"提拔担任{rules.words}领导职务应当具有{needed}以上基层工作经历"
    months = context.cadre.grassroots_months
    if months is None:
        return CheckResult(code, label, CheckOutcome.WARNING, f"未填写基层工作经历，请在干部档案中补充（{rule}）")
    had = f"基层工作经历{format_months(months)}" if months else "无基层工作经历"
    if months >= rules.grassroots_months:
        return CheckResult(code, label, CheckOutcome.PASS, f"{had}，具有{needed}以上基层工作经历")
    return CheckResult(code, label, CheckOutcome.FAIL, f"{had}，不足{needed}（{rule}）")


# --- time at the lower level -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelStep:
    """One of the two moves the 条例 times: deputy to head of the same level, or head to deputy one level up."""

    rule: str  # the rule in the 条例's words, for the reason
    months: int
    local: bool  # a 乡科级 number from the settings rather than the central one


# (deputy, head) of each leading level, lowest first
LEVEL_PAIRS = ((Rank.FU_KE, Rank.ZHENG_KE), (Rank.FU_CHU, Rank.ZHENG_CHU))
DEPUTY_TO_HEAD_MONTHS = 2 * 12  # central, 副处 → 正处
LOWER_HEAD_TO_DEPUTY_MONTHS = 3 * 12  # central, 正科 → 副处
DEPUTY_TO_HEAD = "由副职提任正职的，应当在副职岗位工作2年以上"
LOWER_HEAD_TO_DEPUTY = "由下级正职提任上级副职的，应当在下级正职岗位工作3年以上"


def level_step(rank: str, target_level: str) -> LevelStep | None:
    """The timed move from the cadre's level `rank` to `target_level`, or None when it is neither of the two (a
    lateral move, a level skipped — that is 破格 — or an official rank (职级) rather than a leading level)."""
    for i, (deputy, head) in enumerate(LEVEL_PAIRS):
        if (rank, target_level) == (deputy, head):
            if head in COUNTY_LEADING_LEVELS:
                return LevelStep(DEPUTY_TO_HEAD, DEPUTY_TO_HEAD_MONTHS, local=False)
            months = int(settings.ORGDEPT_SECTION_LEVEL_RULES.get("deputy_to_head_months", 0))
            words = f"由副职提任正职的，应当在副职岗位工作{format_months(months)}以上"
            return LevelStep(words, months, local=True) if months > 0 else None
        if i and (rank, target_level) == (LEVEL_PAIRS[i - 1][1], deputy):
            return LevelStep(LOWER_HEAD_TO_DEPUTY, LOWER_HEAD_TO_DEPUTY_MONTHS, local=False)
    return None


def check_level_years(context: QualificationContext) -> CheckResult | None:
    """Time at the cadre's present level, from the file's 任现职级时间 (rank_since_month): the rules count time at
    the level whatever posts of that level were held, which the position history of one post does not give, and
    the appointment service keeps the date when it promotes."""
    cadre = context.cadre
    step = level_step(cadre.rank, context.target_level) if context.promotion is not False else None
    if step is None:
        return None
    code, label = "level_years", "任职年限"
    rule = f"乡科级按本地规定：{step.rule}" if step.local else step.rule
    since = cadre.rank_since_month
    if since is None:
        return CheckResult(
            code, label, CheckOutcome.WARNING, f"未填写任现职级时间，无法核对任{cadre.rank}的年限（{rule}）"
        )
    months = months_between(since, context.on_date)
    held = f"{format_year_month(since)}任{cadre.rank}，至今{format_months(months)}"
    if months >= step.months:
        return CheckResult(code, label, CheckOutcome.PASS, f"{held}，满{format_months(step.months)}")
    return CheckResult(code, label, CheckOutcome.FAIL, f"{held}，不足{format_months(step.months)}（{rule}）")


# --- rotation (交流) -----------------------------------------------------------------------------------------


def check_rotation(context: QualificationContext) -> CheckResult | None:
    """A cadre due for exchange (the years of ORGDEPT_ROTATION_YEARS in a post of the kind watched) who is proposed
    for a post of the same kind in the same unit stays where the rule says they should leave. That is a warning,
    not a failure: the rule obliges the department to arrange an exchange, which is a decision of its own, and it
    does not make the cadre unfit for the post (the 交流 rules also allow exceptions to be approved)."""
    target = context.target_position
    if target is None:
        return None
    years = rotation_years().get(target.rotation_kind)
    if not years:
        return None
    held = list(
        PositionTenure.objects.filter(
            cadre=context.cadre,
            is_current=True,
            position__unit_id=target.unit_id,
            position__rotation_kind=target.rotation_kind,
        )
        .exclude(position=target)
        .select_related("position__unit")
    )
    if not held:
        return None
    code, label = "rotation", "交流"
    # a tenure without a start counts from the file's 任现职时间, as on the rotation watch
    dated = sorted(
        ((t.start_month or context.cadre.post_since_month, t.pk, t) for t in held),
        key=lambda row: (row[0] is None, row[0] or context.on_date, row[1]),
    )
    since, _pk, tenure = dated[0]
    if since is None:
        return CheckResult(code, label, CheckOutcome.WARNING, f"未填写任{tenure.position}的起始时间，无法核对交流年限")
    served = (
        f"{format_year_month(since)}起任{tenure.position}，至今{format_months(months_between(since, context.on_date))}"
    )
    if since > years_before(context.on_date, years):
        return CheckResult(code, label, CheckOutcome.PASS, f"{served}，未满{years}年")
    return CheckResult(
        code,
        label,
        CheckOutcome.WARNING,
        f"{served}，在同一职位任职已满{years}年，应当交流；拟任{target.title}仍在{target.unit.name}同类岗位，"
        "未实现交流，请一并研究交流安排或说明暂不交流的理由",
    )


BUILT_IN_CHECKS = (
    QualificationCheck("work_years", "工作年限", check_work_years, order=10),
    QualificationCheck("education", "文化程度", check_education, order=20),
    QualificationCheck("retirement_age", "年龄", check_retirement_age, order=30),
)
# the rest of the basic qualifications and the exchange rule; avoidance is in checks_avoidance
APPOINTMENT_CHECKS = (
    QualificationCheck("grassroots", "基层工作经历", check_grassroots, order=12),
    QualificationCheck("level_years", "任职年限", check_level_years, order=14),
    QualificationCheck("rotation", "交流", check_rotation, order=60),
)


def register_checks() -> None:
    for check in BUILT_IN_CHECKS:
        register_qualification_check(check)


def register_appointment_checks() -> None:
    for check in APPOINTMENT_CHECKS:
        register_qualification_check(check)

"""The qualification checks the cadre file alone can answer, for promotion to a 县处级 leading level.

Work experience and education follow 党政领导干部选拔任用工作条例 (basic qualifications); the age check
uses the statutory retirement age under the gradual rules in force from 2025. Registered in the
qualification-check registry (cadres.extensions) by the app's ready(); training, appraisal and the
appointment workflow register their own checks there.
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
from .models import Cadre, EducationLevel, Rank
from .structure import add_months, format_months, months_between

# promotion to these levels is what the checks below judge
COUNTY_LEADING_LEVELS = (Rank.ZHENG_CHU, Rank.FU_CHU)
MIN_WORK_MONTHS = 5 * 12  # central: at least 5 years of work
ACCEPTED_EDUCATION = (EducationLevel.POSTGRADUATE, EducationLevel.UNIVERSITY, EducationLevel.COLLEGE)


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


def _applies(context: QualificationContext) -> bool:
    return context.target_level in COUNTY_LEADING_LEVELS


def check_work_years(context: QualificationContext) -> CheckResult | None:
    if not _applies(context):
        return None
    code, label = "work_years", "工作年限"
    started = context.cadre.work_started_month
    if not started:
        return CheckResult(code, label, CheckOutcome.WARNING, "未填写参加工作时间，无法核对工作年限")
    months = months_between(started, context.on_date)
    worked = f"{format_year_month(started)}参加工作，至今{format_months(months)}"
    if months >= MIN_WORK_MONTHS:
        return CheckResult(code, label, CheckOutcome.PASS, f"{worked}，具有5年以上工作经历")
    return CheckResult(
        code, label, CheckOutcome.FAIL, f"{worked}，不足5年（提拔担任县处级领导职务应当具有5年以上工作经历）"
    )


def check_education(context: QualificationContext) -> CheckResult | None:
    if not _applies(context):
        return None
    code, label = "education", "文化程度"
    education = context.cadre.education
    if not education:
        return CheckResult(code, label, CheckOutcome.WARNING, "未填写学历，无法核对文化程度")
    if education in ACCEPTED_EDUCATION:
        return CheckResult(code, label, CheckOutcome.PASS, f"学历为{education}，具有大学专科以上文化程度")
    return CheckResult(
        code,
        label,
        CheckOutcome.FAIL,
        f"学历为{education}，提拔担任县处级领导职务一般应当具有大学专科以上文化程度",
    )


def check_retirement_age(context: QualificationContext) -> CheckResult | None:
    if not _applies(context):
        return None
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


BUILT_IN_CHECKS = (
    QualificationCheck("work_years", "工作年限", check_work_years, order=10),
    QualificationCheck("education", "文化程度", check_education, order=20),
    QualificationCheck("retirement_age", "年龄", check_retirement_age, order=30),
)


def register_checks() -> None:
    for check in BUILT_IN_CHECKS:
        register_qualification_check(check)

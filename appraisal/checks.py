"""The appraisal qualification check (年度考核) registered in the cadres registry, and the 年度考核结果 line of the
任免审批表.

The last year published by the date of the check decides: 不称职 → FAIL (a cadre rated incompetent is not
promoted), 基本称职 → WARNING, anything else → PASS naming the years known; nothing is said when no year is known,
and a warning when the last year known is older than the year before last.
"""

from __future__ import annotations

from cadres.extensions import CheckOutcome, CheckResult, QualificationCheck, QualificationContext

from .models import Rating
from .selectors import RATING_WORDS, appraisal_summary, rating_history

CODE, LABEL = "appraisal", "年度考核"


def check_appraisal(context: QualificationContext) -> CheckResult | None:
    history = rating_history(context.cadre, on_date=context.on_date)
    if not history:
        return None
    last = max(history)
    rating = history[last]
    # the last year is last calendar year's appraisal, or the one before while it is not yet published (Jan–Feb);
    # an older result says nothing of the last year: a warning that it is missing, not a refusal
    if last < context.on_date.year - 2:
        return CheckResult(
            CODE, LABEL, CheckOutcome.WARNING, f"最近的年度考核结果为{last}年度{RATING_WORDS[rating]}，缺少近年考核结果"
        )
    if rating == Rating.INCOMPETENT:
        return CheckResult(CODE, LABEL, CheckOutcome.FAIL, f"{last}年度考核为不称职")
    if rating == Rating.BASIC:
        return CheckResult(CODE, LABEL, CheckOutcome.WARNING, f"{last}年度考核为基本称职")
    return CheckResult(CODE, LABEL, CheckOutcome.PASS, appraisal_summary(context.cadre, context.on_date))


APPRAISAL_CHECK = QualificationCheck(CODE, LABEL, check_appraisal, order=50)

"""The training qualification check (教育培训) registered in the cadres registry: promotion needs the required
training done, or done within one year after the promotion (党政领导干部选拔任用工作条例, basic qualifications).

The cadre's own requirement on the date of the check decides: met → PASS with the figures; short → WARNING (not
FAIL: the rule allows making it up within a year of taking up the post) with the shortfall and that deadline. It
applies to a promotion at any level (and, as the other checks, to a move not known to be one); a cadre without a rank
on file has no requirement, so nothing is said.
"""

from __future__ import annotations

from cadres.extensions import CheckOutcome, CheckResult, QualificationCheck, QualificationContext
from cadres.structure import same_day_months_later

from .selectors import requirement_status
from .services.common import format_hours

CODE, LABEL = "training", "教育培训"


def check_training(context: QualificationContext) -> CheckResult | None:
    cadre = context.cadre
    # a move known not to raise the cadre's level is no promotion: the rule is not asked (unknown counts as one)
    if getattr(context, "promotion", None) is False or not getattr(cadre, "rank", ""):
        return None
    status = requirement_status(cadre, context.on_date)
    if status is None:
        return None
    if status.met:
        return CheckResult(CODE, LABEL, CheckOutcome.PASS, f"{status.figures}，达到{status.label}的要求")
    deadline = same_day_months_later(context.on_date, 12)
    return CheckResult(
        CODE,
        LABEL,
        CheckOutcome.WARNING,
        f"{status.figures}，尚差{format_hours(status.shortfall)}学时（{status.label}）；"
        f"须在任职后一年内（{deadline.isoformat()}前）补足",
    )


TRAINING_CHECK = QualificationCheck(CODE, LABEL, check_training, order=40)

"""Extension points of the cadres app: higher apps (training, appraisal, meetings) register here in ready().

Lower apps define, higher apps register, so cadres never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class CheckOutcome(StrEnum):
    PASS = "pass"  # noqa: S105  (an outcome, not a password)
    WARNING = "warning"
    FAIL = "fail"


@dataclass(frozen=True)
class CheckResult:
    code: str
    label: str
    outcome: CheckOutcome
    reason: str  # Chinese, shown to the user as is

    @property
    def passed(self) -> bool:
        return self.outcome != CheckOutcome.FAIL


@dataclass(frozen=True)
class QualificationContext:
    """What a check looks at: the cadre, the level and post proposed, the date the rule is applied on."""

    cadre: object
    target_level: str
    on_date: date
    target_position: object | None = None
    # whether the appointment raises the cadre's level; None when not known (the checks then judge it as one)
    promotion: bool | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class QualificationCheck:
    code: str
    label: str
    # (context) -> CheckResult, or None when the rule does not apply to this case
    run: Callable[[QualificationContext], CheckResult | None]
    order: int = 100


_checks: dict[str, QualificationCheck] = {}


def register_qualification_check(check: QualificationCheck) -> None:
    """Registers (or replaces, by code) a check; call from AppConfig.ready()."""
    _checks[check.code] = check


def qualification_checks() -> list[QualificationCheck]:
    return sorted(_checks.values(), key=lambda c: (c.order, c.code))


def qualification_checks_run(context: QualificationContext) -> list[CheckResult]:
    """Every registered check that applies, in order."""
    results = []
    for check in qualification_checks():
        result = check.run(context)
        if result is not None:
            results.append(result)
    return results


# The 年度考核结果 line of the 任免审批表 comes from the appraisal app: (cadre, on_date) -> text, and optionally the
# same for many cadres at once, (cadres, on_date) -> {cadre pk: text}, for a batch of forms.
_appraisal_summary: Callable[[object, date], str] | None = None
_appraisal_summaries: Callable[[list, date], dict[int, str]] | None = None


def register_appraisal_summary(
    provider: Callable[[object, date], str], *, many: Callable[[list, date], dict[int, str]] | None = None
) -> None:
    global _appraisal_summary, _appraisal_summaries  # one provider, set once at start-up
    _appraisal_summary, _appraisal_summaries = provider, many


def appraisal_summary(cadre, on_date: date) -> str:
    """The form's 年度考核结果 text; blank until an app provides it."""
    return _appraisal_summary(cadre, on_date) if _appraisal_summary else ""


def appraisal_summaries(cadres: list, on_date: date) -> dict[int, str]:
    """{cadre pk: 年度考核结果 text} for many forms: in one go when the provider can, else one by one."""
    if _appraisal_summaries is not None:
        return _appraisal_summaries(cadres, on_date)
    return {cadre.pk: appraisal_summary(cadre, on_date) for cadre in cadres}


# Whether cadres' items may be put to the committee: the appointment procedure (proposals) registers what it
# checks before 讨论决定; the meetings app asks, for all the cadres of a topic at once, before it goes on an agenda.
# (cadres, on_date) -> {cadre pk: results}.
_decision_readiness: list[Callable[[list, date], dict[int, list[CheckResult]]]] = []


def register_decision_readiness(provider: Callable[[list, date], dict[int, list[CheckResult]]]) -> None:
    if provider not in _decision_readiness:
        _decision_readiness.append(provider)


def decision_readiness(cadres: list, on_date: date) -> dict[int, list[CheckResult]]:
    """Every registered provider's results for each of the cadres, by pk; empty lists while none is registered."""
    results: dict[int, list[CheckResult]] = {cadre.pk: [] for cadre in cadres}
    for provider in _decision_readiness:
        for pk, found in provider(cadres, on_date).items():
            results.setdefault(pk, []).extend(found)
    return results


# Links from a cadre's file page to what higher apps keep about the cadre (the training transcript …): each app
# registers the label, the URL name (which takes the cadre's pk) and the permission that shows the link.
@dataclass(frozen=True)
class CadreLink:
    label: str  # translated lazily by the caller
    url_name: str
    perm: str = ""


_cadre_links: list[CadreLink] = []


def register_cadre_link(label, url_name: str, perm: str = "") -> None:
    link = CadreLink(label, url_name, perm)
    if link not in _cadre_links:
        _cadre_links.append(link)


def cadre_links(user, cadre) -> list[tuple[str, str]]:
    """(label, url) of each registered link `user` may follow from `cadre`'s file, in the order registered."""
    from django.urls import reverse

    return [
        (link.label, reverse(link.url_name, args=[cadre.pk]))
        for link in _cadre_links
        if not link.perm or user.has_perm(link.perm)
    ]

"""竞争上岗 (seed 003): a selection for a post, its applicants and their three scores, the weighted ranking, and the
closing that fixes the winners. Applicants must outnumber the posts; a tie for the last place is left to the
leadership to decide, never broken by the software."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from ..models import Cadre, CompetitiveSelection, Position, PositionTenure, SelectionApplicant

# closing is kept on the selection and its applicants, and audited with the whole ranking
CLOSED = "selection.closed"

CENT = Decimal("0.01")
SCORES = (("speech", "竞职演讲"), ("written", "笔试"), ("evaluation", "民主测评"))
WEIGHTS = (("weight_speech", "竞职演讲"), ("weight_written", "笔试"), ("weight_evaluation", "民主测评"))


# --- reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Closing:
    """How a selection was closed: when, by whom, the winning applicants in rank order, and the reason the
    leadership gave when it chose among applicants tied for the last place."""

    at: datetime
    by: str
    winner_ids: tuple[int, ...]
    tie_reason: str


@dataclass(frozen=True)
class ResultLine:
    applicant: SelectionApplicant
    total: Decimal | None  # None while a score is missing
    rank: int | None  # shared by equal totals (1, 2, 2, 4); None while incomplete
    selected: bool  # among the winners fixed at closing

    @property
    def cadre(self) -> Cadre:
        return self.applicant.cadre

    @property
    def complete(self) -> bool:
        return self.total is not None


def weighted_total(applicant: SelectionApplicant, selection: CompetitiveSelection) -> Decimal | None:
    """(speech×w1 + written×w2 + evaluation×w3) / 100 to two decimals, halves rounded up; None while a score is
    missing. Scores have two decimals and weights are whole percentages, so the sum is exact before rounding."""
    scores = (applicant.speech, applicant.written, applicant.evaluation)
    if any(score is None for score in scores):
        return None
    weights = (selection.weight_speech, selection.weight_written, selection.weight_evaluation)
    exact = sum(Decimal(score) * weight for score, weight in zip(scores, weights, strict=True)) / 100
    return exact.quantize(CENT, rounding=ROUND_HALF_UP)


def selection_closing(selection: CompetitiveSelection) -> Closing | None:
    """How the selection was closed, read from the database (the caller's copy may predate the closing)."""
    row = (
        CompetitiveSelection.objects.filter(pk=selection.pk)
        .values("closed_at", "closed_by__username", "tie_reason")
        .first()
    )
    if row is None or row["closed_at"] is None:
        return None
    winners = selection.applicants.filter(selected=True).order_by("pk").values_list("pk", flat=True)
    return Closing(
        at=row["closed_at"],
        by=row["closed_by__username"] or "",
        winner_ids=tuple(winners),
        tie_reason=row["tie_reason"],
    )


def _results(selection: CompetitiveSelection) -> list[ResultLine]:
    applicants = list(selection.applicants.select_related("cadre__unit").order_by("pk"))
    totals = {a.pk: weighted_total(a, selection) for a in applicants}
    complete = sorted((a for a in applicants if totals[a.pk] is not None), key=lambda a: (-totals[a.pk], a.pk))
    winners = {a.pk for a in applicants if a.selected}
    lines = []
    for a in complete:
        # competition ranking on the published (rounded) total: everyone above plus one
        rank = 1 + sum(1 for other in complete if totals[other.pk] > totals[a.pk])
        lines.append(ResultLine(a, totals[a.pk], rank, a.pk in winners))
    lines += [ResultLine(a, None, None, False) for a in applicants if totals[a.pk] is None]
    return lines


def selection_results(selection: CompetitiveSelection) -> list[ResultLine]:
    """Every applicant with the weighted total, ranked (equal totals share a rank); applicants still missing a
    score follow, unranked. Two queries whatever the number of applicants."""
    return _results(selection)


def selection_winners(selection: CompetitiveSelection) -> list[SelectionApplicant]:
    """The applicants chosen when the selection was closed, best first (with their cadre); empty until then.
    Proposals for the post start from these."""
    return [line.applicant for line in selection_results(selection) if line.selected]


# --- checking input -------------------------------------------------------------------------------------------


def _weight(value, label: str, field: str) -> int:
    if isinstance(value, bool) or value is None:
        raise ApplicationError(f"请填写{label}的权重", field=field)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ApplicationError(f"{label}的权重应为整数百分比", field=field) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ApplicationError(f"{label}的权重应为整数百分比", field=field)
    # seed 003 weighs all three parts; a part with no weight would be a different procedure
    if not 1 <= number <= 100:
        raise ApplicationError(f"{label}的权重应在1%到100%之间", field=field)
    return int(number)


def _score(value, label: str, field: str) -> Decimal | None:
    """A score out of 100 with at most two decimals; None means not yet given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ApplicationError(f"{label}成绩应为0到100之间的数", field=field)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ApplicationError(f"{label}成绩应为0到100之间的数", field=field) from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise ApplicationError(f"{label}成绩应为0到100之间的数", field=field)
    if number != number.quantize(CENT):
        raise ApplicationError(f"{label}成绩最多保留两位小数", field=field)
    return number.quantize(CENT)


def _lock(selection: CompetitiveSelection) -> CompetitiveSelection:
    """Every change to a selection locks its row first, so that closing and a late change cannot interleave."""
    return CompetitiveSelection.objects.select_for_update().select_related("position__unit").get(pk=selection.pk)


def _refuse_closed(selection: CompetitiveSelection) -> None:
    closing = selection_closing(selection)
    if closing is not None:
        raise ApplicationError(
            f"“{selection.title}”已于{timezone.localtime(closing.at):%Y年%m月%d日}确定人选，不能再修改"
        )


# --- writing ----------------------------------------------------------------------------------------------------


@transaction.atomic
def selection_create(
    *,
    title: str,
    position: Position,
    posts: int,
    held_on: date,
    weight_speech: int,
    weight_written: int,
    weight_evaluation: int,
    actor,
) -> CompetitiveSelection:
    """A competitive selection for `posts` posts of `position`, with the weights (whole percentages adding up
    to 100) of the speech, the written test and the democratic evaluation."""
    title = (title or "").strip()
    if not title:
        raise ApplicationError("请填写竞争上岗的名称", field="title")
    if len(title) > 200:
        raise ApplicationError("竞争上岗的名称不能超过200个字", field="title")
    if position is None:
        raise ApplicationError("请选择竞争的职位", field="position")
    if held_on is None:
        raise ApplicationError("请填写竞争上岗的时间", field="held_on")
    if isinstance(posts, bool) or not isinstance(posts, int) or posts < 1:
        raise ApplicationError("职位数至少为1", field="posts")
    weights = {
        field: _weight(value, label, field)
        for (field, label), value in zip(WEIGHTS, (weight_speech, weight_written, weight_evaluation), strict=True)
    }
    total = sum(weights.values())
    if total != 100:
        parts = "、".join(f"{label}{weights[field]}%" for field, label in WEIGHTS)
        raise ApplicationError(f"三项权重之和应为100%，现为{total}%（{parts}）")
    selection = CompetitiveSelection.objects.create(
        title=title, position=position, posts=posts, held_on=held_on, **weights
    )
    audit_log(
        actor=actor,
        action="selection.created",
        obj=selection,
        details={"position": str(position), "posts": posts, "held_on": held_on.isoformat(), **weights},
    )
    return selection


@transaction.atomic
def applicant_add(*, selection: CompetitiveSelection, cadre: Cadre, actor) -> SelectionApplicant:
    selection = _lock(selection)
    _refuse_closed(selection)
    if selection.applicants.filter(cadre=cadre).exists():
        raise ApplicationError(f"{cadre.name}已经报名", field="cadre")
    if PositionTenure.objects.filter(cadre=cadre, position=selection.position, is_current=True).exists():
        raise ApplicationError(f"{cadre.name}已担任{selection.position}", field="cadre")
    applicant = SelectionApplicant.objects.create(selection=selection, cadre=cadre)
    audit_log(
        actor=actor,
        action="selection.applicant_added",
        obj=selection,
        details={"applicant": applicant.pk, "cadre": cadre.pk, "name": cadre.name},
    )
    return applicant


@transaction.atomic
def applicant_remove(*, applicant: SelectionApplicant, actor) -> None:
    """Takes an applicant off a selection still open; the audit event keeps the scores the row had."""
    selection = _lock(applicant.selection)
    _refuse_closed(selection)
    applicant = SelectionApplicant.objects.select_related("cadre").filter(pk=applicant.pk).first()
    if applicant is None:
        return
    details = {"applicant": applicant.pk, "cadre": applicant.cadre_id, "name": applicant.cadre.name}
    details.update({f: str(getattr(applicant, f)) for f, _ in SCORES if getattr(applicant, f) is not None})
    applicant.delete()
    audit_log(actor=actor, action="selection.applicant_removed", obj=selection, details=details)


@transaction.atomic
def scores_record(
    *,
    applicant: SelectionApplicant,
    speech: Decimal | int | str | None,
    written: Decimal | int | str | None,
    evaluation: Decimal | int | str | None,
    actor,
) -> SelectionApplicant:
    """The applicant's speech, written test and democratic evaluation scores (0–100, two decimals); a score not
    known yet is None. Recorded once the selection has been held and until it is closed; a correction is audited
    with the former scores."""
    selection = _lock(applicant.selection)
    _refuse_closed(selection)
    if timezone.localdate() < selection.held_on:
        raise ApplicationError(f"竞争上岗定于{selection.held_on:%Y年%m月%d日}举行，举行后才能登记成绩")
    values = {
        field: _score(value, label, field)
        for (field, label), value in zip(SCORES, (speech, written, evaluation), strict=True)
    }
    applicant = SelectionApplicant.objects.select_for_update().select_related("cadre").get(pk=applicant.pk)
    changes = {
        field: [_text(getattr(applicant, field)), _text(value)]
        for field, value in values.items()
        if getattr(applicant, field) != value
    }
    if not changes:
        return applicant
    for field, value in values.items():
        setattr(applicant, field, value)
    applicant.save(update_fields=list(changes))
    audit_log(
        actor=actor,
        action="selection.scores_recorded",
        obj=selection,
        details={"applicant": applicant.pk, "name": applicant.cadre.name, "changes": changes},
    )
    return applicant


@transaction.atomic
def scores_record_many(*, selection: CompetitiveSelection, scores: dict[int, dict], actor) -> list[SelectionApplicant]:
    """Several applicants' scores at once ({applicant pk: {"speech", "written", "evaluation"}}), all saved or none.
    A refusal of the whole selection (not held yet, closed) is raised as it is; otherwise every row's refusals are
    gathered and raised together, with extra={"rows": {applicant pk: ApplicationError}}, and nothing is saved."""
    applicants = {a.pk: a for a in SelectionApplicant.objects.filter(selection=selection, pk__in=list(scores))}
    saved, refused = [], {}
    for pk, values in scores.items():
        if pk not in applicants:
            raise ApplicationError("报名人员不属于该竞争上岗")
        try:
            with transaction.atomic():
                saved.append(scores_record(applicant=applicants[pk], actor=actor, **values))
        except ApplicationError as exc:
            if exc.field_errors.keys() <= {None}:
                raise
            refused[pk] = exc
    if refused:
        raise ApplicationError("成绩有误，均未保存；请改正标出的成绩", extra={"rows": refused})
    return saved


def _text(score: Decimal | None) -> str | None:
    return None if score is None else str(score)


@transaction.atomic
def selection_close(
    *,
    selection: CompetitiveSelection,
    actor,
    tie_winners: list[SelectionApplicant] | None = None,
    tie_reason: str = "",
) -> list[SelectionApplicant]:
    """Fixes the winners: the best `posts` applicants by weighted total. Refused unless applicants outnumber the
    posts and every one has all three scores. Applicants tied across the last place are not separated here: the
    closing is refused naming them, and once the leadership has chosen, `tie_winners` (from the tied applicants,
    as many as places remain) with `tie_reason` (who decided and how) completes it."""
    selection = _lock(selection)
    if selection_closing(selection) is not None:
        return selection_winners(selection)
    lines = _results(selection)
    if len(lines) <= selection.posts:
        raise ApplicationError(
            f"竞争上岗的人选应当多于职位数：现有{len(lines)}人报名，职位{selection.posts}个", field="applicants"
        )
    incomplete = [line.cadre.name for line in lines if not line.complete]
    if incomplete:
        raise ApplicationError(f"以下人员成绩尚未登记齐全：{'、'.join(incomplete)}", field="applicants")
    posts = selection.posts
    cutoff = lines[posts - 1].total
    tied = [line for line in lines if line.total == cutoff]
    sure = [line for line in lines if line.total > cutoff]
    places = posts - len(sure)
    tie_reason = (tie_reason or "").strip()
    if len(sure) + len(tied) <= posts:
        if tie_winners:
            raise ApplicationError("末位没有并列，不需要研究确定人选", field="tie_winners")
        winners = sure + tied
        tie = None
    else:
        names = "、".join(line.cadre.name for line in tied)
        if not tie_winners:
            raise ApplicationError(
                f"第{tied[0].rank}名{len(tied)}人并列（{names}，均为{cutoff}分），"
                f"只余{places}个职位，须经集体研究确定人选",
                field="tie_winners",
            )
        by_id = {line.applicant.pk: line for line in tied}
        chosen_ids = [a.pk for a in tie_winners]
        if len(set(chosen_ids)) != len(chosen_ids) or any(pk not in by_id for pk in chosen_ids):
            raise ApplicationError(f"只能从并列人员（{names}）中确定人选", field="tie_winners")
        if len(chosen_ids) != places:
            raise ApplicationError(f"须从并列人员（{names}）中确定{places}人", field="tie_winners")
        if not tie_reason:
            raise ApplicationError("请写明研究确定并列人选的会议和理由", field="tie_reason")
        winners = sure + [line for line in tied if line.applicant.pk in chosen_ids]
        tie = {"names": [line.cadre.name for line in tied], "total": str(cutoff), "reason": tie_reason[:500]}
    details = {
        "posts": posts,
        "weights": [selection.weight_speech, selection.weight_written, selection.weight_evaluation],
        "winners": [_entry(line) for line in winners],
        "ranking": [_entry(line) for line in lines],
    }
    if tie:
        details["tie"] = tie
    selection.closed_at = timezone.now()
    selection.closed_by = actor if getattr(actor, "pk", None) else None
    selection.tie_reason = tie["reason"] if tie else ""
    selection.save(update_fields=["closed_at", "closed_by", "tie_reason", "updated_at"])
    SelectionApplicant.objects.filter(pk__in=[line.applicant.pk for line in winners]).update(selected=True)
    audit_log(actor=actor, action=CLOSED, obj=selection, details=details)
    return [line.applicant for line in winners]


def _entry(line: ResultLine) -> dict:
    return {
        "applicant": line.applicant.pk,
        "cadre": line.cadre.pk,
        "name": line.cadre.name,
        "total": str(line.total),
        "rank": line.rank,
    }

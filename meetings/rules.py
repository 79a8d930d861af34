"""The arithmetic of the rules of procedure: quorum, passing, 差额票决, reconsideration.

Pure functions over counts, in whole numbers: "more than half of 40" is 21, "at least 2/3 of 40" is 27.
Each result carries the rule it applied, in Chinese, as minutes state it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def more_than(part: int, whole: int, num: int, den: int) -> bool:
    """part > whole × num/den, without fractions."""
    return part * den > whole * num


def at_least(part: int, whole: int, num: int, den: int) -> bool:
    """part ≥ whole × num/den, without fractions."""
    return part * den >= whole * num


def fewest_more_than(whole: int, num: int, den: int) -> int:
    """The smallest count that is more than whole × num/den."""
    return whole * num // den + 1


def fewest_at_least(whole: int, num: int, den: int) -> int:
    """The smallest count that is at least whole × num/den."""
    return -(-whole * num // den)


DIGITS = "零一二三四五六七八九十"


def fraction_words(num: int, den: int) -> str:
    """半数, 三分之二 … as rules are written; other fractions as 5分之3."""
    if 2 * num == den:
        return "半数"
    if den <= 10:
        return f"{DIGITS[den]}分之{DIGITS[num]}"
    return f"{den}分之{num}"


@dataclass(frozen=True)
class QuorumResult:
    expected: int  # 应到会
    present: int  # 实到会
    needed: int
    met: bool
    rule: str


def quorum(meeting_type, *, expected: int, present: int, cadre_item: bool) -> QuorumResult:
    """Whether enough of those who should attend are present: more than half for a meeting, at least 2/3 to
    take a cadre item (the meeting type's fractions)."""
    if cadre_item:
        num, den = meeting_type.cadre_quorum_num, meeting_type.cadre_quorum_den
        needed = fewest_at_least(expected, num, den)
        rule = f"讨论决定干部任免事项，应到会成员{expected}人，须有{fraction_words(num, den)}以上即至少{needed}人到会"
    else:
        num, den = meeting_type.quorum_num, meeting_type.quorum_den
        needed = fewest_more_than(expected, num, den)
        rule = f"应到会成员{expected}人，须有超过{fraction_words(num, den)}即至少{needed}人到会方能召开"
    return QuorumResult(expected=expected, present=present, needed=needed, met=present >= needed, rule=rule)


@dataclass(frozen=True)
class PassResult:
    expected: int
    votes_for: int
    needed: int
    passed: bool
    rule: str


def passing(meeting_type, *, expected: int, votes_for: int) -> PassResult:
    """A decision passes with votes in favour from more than half of those who should attend (应到会), not of
    those present."""
    num, den = meeting_type.pass_num, meeting_type.pass_den
    needed = fewest_more_than(expected, num, den)
    rule = f"赞成票超过应到会成员{expected}人的{fraction_words(num, den)}，即至少{needed}票为通过"
    return PassResult(expected=expected, votes_for=votes_for, needed=needed, passed=votes_for >= needed, rule=rule)


def reconsideration(meeting_type, *, all_members: int, votes_for: int) -> PassResult:
    """Reconsidering a decision needs more than half of all members, present or not."""
    num, den = meeting_type.pass_num, meeting_type.pass_den
    needed = fewest_more_than(all_members, num, den)
    rule = f"复议须经全体成员{all_members}人的{fraction_words(num, den)}以上同意，即至少{needed}票"
    return PassResult(expected=all_members, votes_for=votes_for, needed=needed, passed=votes_for >= needed, rule=rule)


@dataclass
class CompetitiveResult:
    """差额票决: `posts` posts, more candidates; each ballot approves at most `posts` of them."""

    posts: int
    needed: int
    # candidate -> votes in favour, in ranking order
    ranking: list[tuple[object, int]]
    winners: list[object] = field(default_factory=list)
    # candidates tied for the last post(s) left: another ballot among them decides
    tied: list[object] = field(default_factory=list)
    rule: str = ""

    @property
    def complete(self) -> bool:
        return not self.tied

    @property
    def open_posts(self) -> int:
        """Posts no candidate won: for lack of votes, or tied for another ballot."""
        return self.posts - len(self.winners)


def competitive_vote(meeting_type, *, expected: int, posts: int, votes: dict) -> CompetitiveResult:
    """The winners of a 差额票决: ranked by votes in favour, the top `posts` among the candidates who reach the
    passing threshold. Candidates tied for the last post(s) win only if all of them fit; otherwise they are
    listed as tied and the post(s) left stay open for another ballot. Fewer winners than posts when too few
    reach the threshold."""
    if posts < 1:
        raise ValueError("posts must be positive")
    if len(votes) <= posts:
        raise ValueError("差额票决的候选人须多于职位数")
    needed = passing(meeting_type, expected=expected, votes_for=0).needed
    ranking = sorted(votes.items(), key=lambda item: -item[1])
    qualified = [(candidate, n) for candidate, n in ranking if n >= needed]
    winners: list = []
    tied: list = []
    i = 0
    while i < len(qualified) and len(winners) < posts:
        level = qualified[i][1]
        group = [candidate for candidate, n in qualified[i:] if n == level]
        if len(winners) + len(group) <= posts:
            winners.extend(group)
        else:
            tied = group
            break
        i += len(group)
    rule = (
        f"{posts}个职位，{len(votes)}名候选人差额票决；赞成票须超过应到会成员{expected}人的半数即至少{needed}票，"
        f"按得票多少确定"
    )
    return CompetitiveResult(posts=posts, needed=needed, ranking=ranking, winners=winners, tied=tied, rule=rule)

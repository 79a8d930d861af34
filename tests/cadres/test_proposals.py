"""The appointment procedure with the statutory numbers: the quota at 动议, the recommendation's year and post, the
shortlist at a recommendation meeting, the four mandatory checks before the decision, qualifications and 破格, the
notice over a holiday with its make-up workday, the appointment's quota and position history, probation."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
import time_machine
from django.db import connection

from cadres.models import (
    AppointmentProposal,
    MandatoryCheck,
    Position,
    PositionTenure,
    ProposalTransition,
    Rank,
    Recommendation,
)
from cadres.services import cadre_assign_position, occupancy, position_create, quota_set
from cadres.services import proposals as svc
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.platform.tally import tally

S = AppointmentProposal.Status
SPECIAL_POST = AppointmentProposal.NoticeExemption.SPECIAL_POST
ELECTION = AppointmentProposal.NoticeExemption.ELECTION
A = AppointmentProposal.Action
TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def bureau(db):
    return make_unit("区财政局", order=1)


@pytest.fixture
def posts(bureau):
    def post(title, level, **fields):
        return position_create(unit=bureau, title=title, level=level, actor=None, **fields)

    return {
        "head": post("局长", Rank.ZHENG_KE, role=Position.Role.HEAD),
        "deputy": post("副局长", Rank.FU_KE, role=Position.Role.DEPUTY),
        "deputy2": post("副局长（分管预算）", Rank.FU_KE, role=Position.Role.DEPUTY),
        "office": post("办公室科员", "", leading=False),
    }


@pytest.fixture
def quotas(bureau):
    quota_set(unit=bureau, level=Rank.ZHENG_KE, approved=1, actor=None)
    quota_set(unit=bureau, level=Rank.FU_KE, approved=2, actor=None)


def deputy_cadre(bureau, posts, name="李明", since=date(2020, 1, 1)):
    """A 副科 deputy head since `since`, with 20 years of work and a university degree."""
    cadre = make_cadre(
        bureau,
        name,
        rank=Rank.FU_KE,
        rank_since_month=since,
        work_started_month=date(2005, 7, 1),
        education="大学",
    )
    cadre_assign_position(cadre=cadre, position=posts["deputy"], start_month=since, actor=None)
    cadre.refresh_from_db()
    return cadre


@pytest.fixture
def staff(make_user):
    from orgdept.core import roles

    return make_user(roles.CADRE_SECTION, username="ganbu")


@pytest.fixture
def proposal_round(staff):
    return svc.round_create(title="2026年第3批干部任免", actor=staff)


def promote(proposal_round, cadre, posts, staff, **kwargs) -> AppointmentProposal:
    return svc.proposal_create(
        proposal_round=proposal_round,
        cadre=cadre,
        action=A.APPOINT_REMOVE,
        target_position=posts["head"],
        current_position=posts["deputy"],
        initiated_on=kwargs.pop("initiated_on", date(2026, 3, 2)),
        initiated_by="区委书记",
        reason="原局长到龄退休，岗位空缺",
        actor=staff,
        **kwargs,
    )


def recommend(position, cadres, staff, *, held_on=date(2026, 3, 10), kind=Recommendation.Kind.INTERVIEW, posts=1):
    return svc.recommendation_record(
        position=position,
        kind=kind,
        held_on=held_on,
        participants=45,
        candidates=[(c, 40 - i) for i, c in enumerate(cadres)],
        posts=posts,
        actor=staff,
    )


def inspect(proposal, staff, *, started_on=date(2026, 3, 20), ended_on=date(2026, 3, 25)):
    return svc.inspection_record(
        proposal=proposal,
        team="区委组织部考察组（组长：王组织）",
        started_on=started_on,
        ended_on=ended_on,
        report="该同志政治坚定，工作实绩突出。",
        conclusion="符合提拔任职条件",
        actor=staff,
    )


def four_checks(proposal, staff, kinds=None):
    for kind in kinds or MandatoryCheck.Kind.values:
        svc.mandatory_check_record(
            proposal=proposal, kind=kind, done_on=date(2026, 3, 26), done_by="干部科", result="未发现问题", actor=staff
        )


def ready(proposal_round, cadre, posts, staff) -> AppointmentProposal:
    """A promotion taken through recommendation, inspection and the four checks."""
    proposal = promote(proposal_round, cadre, posts, staff)
    svc.proposal_recommend(proposal=proposal, recommendation=recommend(posts["head"], [cadre], staff), actor=staff)
    inspect(proposal, staff)
    four_checks(proposal, staff)
    return AppointmentProposal.objects.get(pk=proposal.pk)


def decided(proposal_round, cadre, posts, staff, on=date(2026, 9, 28)) -> AppointmentProposal:
    """Ready and submitted today (2026-06-01), decided by the 常委会 `on`."""
    proposal = svc.proposal_submit(proposal=ready(proposal_round, cadre, posts, staff), actor=staff)
    with time_machine.travel(on, tick=False):
        return svc.proposal_record_decision(
            proposal=proposal,
            outcome=svc.DecisionOutcome.PASSED,
            decided_on=on,
            decided_by="区委第5次常委会",
            actor=staff,
        )


# --- 动议 and the quota --------------------------------------------------------------------------------------


def test_initiation_records_who_why_and_a_promotion(bureau, posts, quotas, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    proposal = promote(proposal_round, cadre, posts, staff)
    assert (proposal.status, proposal.promotion, proposal.former_level) == (S.INITIATED, True, Rank.FU_KE)
    assert svc.required_steps(proposal) == ("recommendation", "inspection", "checks", "notice", "probation")
    (row,) = proposal.transitions.all()
    assert (row.from_status, row.to_status, row.actor) == ("", S.INITIATED, staff)
    assert AuditEvent.objects.filter(action="proposal.initiated", object_id=str(proposal.pk)).exists()


def test_initiation_beyond_the_quota_is_refused_citing_it(bureau, posts, quotas, proposal_round, staff):
    # 正科 quota 1: the head's post is empty, one proposal may head for it, a second may not
    first = deputy_cadre(bureau, posts, "李明")
    promote(proposal_round, first, posts, staff)
    second = make_cadre(bureau, "赵强", rank=Rank.FU_KE)
    cadre_assign_position(cadre=second, position=posts["deputy2"], start_month=date(2021, 1, 1), actor=None)
    with pytest.raises(ApplicationError) as refused:
        svc.proposal_create(
            proposal_round=proposal_round,
            cadre=second,
            action=A.APPOINT_REMOVE,
            target_position=posts["head"],
            current_position=posts["deputy2"],
            initiated_on=date(2026, 3, 2),
            initiated_by="区委书记",
            reason="拟任局长",
            actor=staff,
        )
    assert refused.value.field == "target_position"
    assert refused.value.message.startswith("超职数配备：区财政局正科级领导职数核定1名，已配备0名")
    assert "另有1件在办的任免事项拟配备该职级" in refused.value.message
    assert AppointmentProposal.objects.count() == 1


def test_initiation_with_no_quota_for_the_level_is_refused(bureau, posts, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    with pytest.raises(ApplicationError, match="区财政局未核定正科级领导职数，不能配备（超职数配备）"):
        promote(proposal_round, cadre, posts, staff)


def test_a_removal_needs_the_post_held(bureau, posts, quotas, proposal_round, staff):
    cadre = make_cadre(bureau, "周平", rank=Rank.FU_KE)
    with pytest.raises(ApplicationError, match="周平现未担任区财政局副局长"):
        svc.proposal_create(
            proposal_round=proposal_round,
            cadre=cadre,
            action=A.REMOVE,
            current_position=posts["deputy"],
            initiated_on=date(2026, 3, 2),
            initiated_by="区委书记",
            reason="到龄退休",
            actor=staff,
        )


# --- 民主推荐 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("candidates", "posts_to_fill", "allowed"), [(2, 2, False), (3, 2, True), (1, 1, False)])
def test_a_recommendation_meeting_needs_more_candidates_than_posts(
    bureau, posts, staff, candidates, posts_to_fill, allowed
):
    cadres = [make_cadre(bureau, f"候选人{i}") for i in range(candidates)]
    record = lambda: recommend(  # noqa: E731
        posts["head"], cadres, staff, kind=Recommendation.Kind.MEETING, posts=posts_to_fill
    )
    if allowed:
        assert record().candidates.count() == candidates
    else:
        with pytest.raises(ApplicationError) as refused:
            record()
        assert refused.value.message == (f"会议推荐的候选人（{candidates}人）应当多于拟任职位数（{posts_to_fill}个）")
        assert not Recommendation.objects.exists()


def test_an_interview_recommendation_may_name_one(bureau, posts, staff):
    assert recommend(posts["head"], [make_cadre(bureau, "李明")], staff).candidates.count() == 1


@pytest.mark.parametrize(("on", "valid"), [(date(2026, 3, 10), True), (date(2026, 3, 11), False)])
def test_a_recommendation_is_valid_for_one_year(bureau, posts, quotas, proposal_round, staff, on, valid):
    cadre = deputy_cadre(bureau, posts)
    proposal = promote(proposal_round, cadre, posts, staff, initiated_on=date(2025, 3, 1))
    recommendation = recommend(posts["head"], [cadre], staff, held_on=date(2025, 3, 10))
    assert svc.recommendation_expires_on(recommendation) == date(2026, 3, 10)
    if valid:
        assert svc.proposal_recommend(proposal=proposal, recommendation=recommendation, actor=staff, on=on).status == (
            S.RECOMMENDED
        )
    else:
        with pytest.raises(ApplicationError, match="有效期一年，已于2026年03月10日到期"):
            svc.proposal_recommend(proposal=proposal, recommendation=recommendation, actor=staff, on=on)


def test_an_expired_recommendation_blocks_the_inspection(bureau, posts, quotas, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    proposal = promote(proposal_round, cadre, posts, staff, initiated_on=date(2025, 5, 1))
    recommendation = recommend(posts["head"], [cadre], staff, held_on=date(2025, 5, 20))
    svc.proposal_recommend(proposal=proposal, recommendation=recommendation, actor=staff, on=date(2025, 5, 25))
    with pytest.raises(ApplicationError, match="已于2026年05月20日到期") as refused:
        svc.inspection_record(
            proposal=proposal,
            team="考察组",
            started_on=date(2026, 5, 21),
            ended_on=date(2026, 5, 25),
            report="报告",
            conclusion="符合条件",
            actor=staff,
        )
    assert refused.value.field == "started_on"
    assert AppointmentProposal.objects.get(pk=proposal.pk).status == S.RECOMMENDED


def test_a_recommendation_counts_only_for_its_post_and_its_candidates(bureau, posts, quotas, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    proposal = promote(proposal_round, cadre, posts, staff)
    other_post = recommend(posts["deputy2"], [cadre], staff)
    with pytest.raises(ApplicationError, match="民主推荐是针对区财政局副局长（分管预算）的，只能用于该职位"):
        svc.proposal_recommend(proposal=proposal, recommendation=other_post, actor=staff)
    someone_else = recommend(posts["head"], [make_cadre(bureau, "孙丽")], staff)
    with pytest.raises(ApplicationError, match="李明不在该次推荐的人选之中"):
        svc.proposal_recommend(proposal=proposal, recommendation=someone_else, actor=staff)


def test_no_step_is_skipped(bureau, posts, quotas, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    proposal = promote(proposal_round, cadre, posts, staff)
    with pytest.raises(ApplicationError, match="“已动议”阶段，不能记录考察"):
        inspect(proposal, staff)
    with pytest.raises(ApplicationError, match="须先完成考察，才能提交讨论决定"):
        svc.proposal_submit(proposal=proposal, actor=staff)
    with pytest.raises(ApplicationError, match="不能开始任前公示"):
        svc.notice_start(proposal=proposal, starts_on=date(2026, 5, 1), actor=staff)


# --- 凡提四必 and the decision gate ------------------------------------------------------------------------


def test_the_decision_waits_for_all_four_checks(bureau, posts, quotas, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    proposal = promote(proposal_round, cadre, posts, staff)
    svc.proposal_recommend(proposal=proposal, recommendation=recommend(posts["head"], [cadre], staff), actor=staff)
    inspect(proposal, staff)
    four_checks(proposal, staff, kinds=["archive", "personal_matters", "discipline"])
    with pytest.raises(ApplicationError) as refused:
        svc.proposal_submit(proposal=proposal, actor=staff)
    assert refused.value.message == "凡提四必尚未完成：线索具体的信访举报必查"
    four_checks(proposal, staff, kinds=["petitions"])
    assert svc.proposal_submit(proposal=proposal, actor=staff).status == S.SUBMITTED


def test_a_check_is_recorded_once(bureau, posts, quotas, proposal_round, staff):
    proposal = promote(proposal_round, deputy_cadre(bureau, posts), posts, staff)
    four_checks(proposal, staff, kinds=["archive"])
    with pytest.raises(ApplicationError, match="“干部档案必审”已经记录"):
        four_checks(proposal, staff, kinds=["archive"])


def test_a_check_that_found_a_problem_blocks_until_followed_up(bureau, posts, quotas, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    proposal = promote(proposal_round, cadre, posts, staff)
    svc.proposal_recommend(proposal=proposal, recommendation=recommend(posts["head"], [cadre], staff), actor=staff)
    inspect(proposal, staff)
    four_checks(proposal, staff, kinds=["archive", "personal_matters", "petitions"])
    svc.mandatory_check_record(
        proposal=proposal,
        kind="discipline",
        done_on=date(2026, 3, 26),
        done_by="区纪委监委",
        result="有一件问题线索正在核查",
        clear=False,
        actor=staff,
    )
    with pytest.raises(ApplicationError) as refused:
        svc.proposal_submit(proposal=proposal, actor=staff)
    assert refused.value.message == "凡提四必发现问题（纪检监察机关意见必听：有一件问题线索正在核查），须查清后重新记录"
    with pytest.raises(ApplicationError, match="复核时间不能早于原核查时间"):
        svc.mandatory_check_record(
            proposal=proposal,
            kind="discipline",
            done_on=date(2026, 3, 25),
            done_by="区纪委监委",
            result="已了结",
            actor=staff,
        )
    svc.mandatory_check_record(
        proposal=proposal,
        kind="discipline",
        done_on=date(2026, 4, 10),
        done_by="区纪委监委",
        result="问题线索经核查予以了结，不影响使用",
        actor=staff,
    )
    assert svc.proposal_submit(proposal=proposal, actor=staff).status == S.SUBMITTED
    assert proposal.mandatory_checks.count() == 4
    rerecorded = AuditEvent.objects.get(action="proposal.check_rerecorded")
    assert rerecorded.details["earlier"] == {"done_on": "2026-03-26", "result": "有一件问题线索正在核查"}


# --- qualifications and 破格 -------------------------------------------------------------------------------


@pytest.fixture
def county(db):
    government = make_unit("区人民政府", order=0)
    quota_set(unit=government, level=Rank.FU_CHU, approved=6, actor=None)
    quota_set(unit=government, level=Rank.ZHENG_CHU, approved=1, actor=None)
    return {
        "unit": government,
        "deputy_mayor": position_create(
            unit=government, title="副区长", level=Rank.FU_CHU, role=Position.Role.DEPUTY, actor=None
        ),
        "mayor": position_create(
            unit=government, title="区长", level=Rank.ZHENG_CHU, role=Position.Role.HEAD, actor=None
        ),
    }


def county_proposal(county, proposal_round, staff, cadre, post="deputy_mayor"):
    return svc.proposal_create(
        proposal_round=proposal_round,
        cadre=cadre,
        action=A.APPOINT,
        target_position=county[post],
        initiated_on=date(2026, 3, 2),
        initiated_by="区委常委会",
        reason="工作需要",
        actor=staff,
    )


def through_checks(proposal, position, staff):
    svc.proposal_recommend(proposal=proposal, recommendation=recommend(position, [proposal.cadre], staff), actor=staff)
    inspect(proposal, staff)
    four_checks(proposal, staff)


@pytest.mark.parametrize(("started", "passes"), [(date(2021, 6, 1), True), (date(2021, 7, 1), False)])
def test_a_failed_qualification_blocks_the_decision_unless_exceptional_and_approved(
    bureau, county, proposal_round, staff, started, passes
):
    # at least 5 years of work for a 县处级 post: started 2021-06 passes on 2026-06-01, 2021-07 does not
    cadre = make_cadre(
        bureau,
        "钱进",
        rank=Rank.ZHENG_KE,
        rank_since_month=date(2022, 1, 1),
        work_started_month=started,
        education="大学",
    )
    proposal = county_proposal(county, proposal_round, staff, cadre)
    through_checks(proposal, county["deputy_mayor"], staff)
    if passes:
        assert svc.proposal_submit(proposal=proposal, actor=staff).status == S.SUBMITTED
        return
    with pytest.raises(
        ApplicationError, match=r"任职资格条件不符合：工作年限：2021\.07参加工作，至今4年11个月，不足5年"
    ):
        svc.proposal_submit(proposal=proposal, actor=staff)
    svc.proposal_mark_exceptional(proposal=proposal, reason="急需紧缺专业人才", actor=staff)
    with pytest.raises(ApplicationError, match="任职资格条件不符合"):  # flagged, but not yet approved above
        svc.proposal_submit(proposal=proposal, actor=staff)
    svc.proposal_mark_exceptional(
        proposal=proposal,
        reason="急需紧缺专业人才",
        approved_on=date(2026, 5, 20),
        approval_ref="市委组织部干函〔2026〕12号",
        actor=staff,
    )
    assert svc.proposal_submit(proposal=proposal, actor=staff).status == S.SUBMITTED


def test_exceptional_promotion_never_skips_two_levels(bureau, county, proposal_round, staff):
    # 副科 → 正处 passes over 正科 and 副处
    cadre = make_cadre(bureau, "吴敏", rank=Rank.FU_KE, rank_since_month=date(2020, 1, 1))
    proposal = county_proposal(county, proposal_round, staff, cadre, post="mayor")
    assert svc.levels_skipped(proposal) == 2
    with pytest.raises(ApplicationError, match="破格提拔不得越两级"):
        svc.proposal_mark_exceptional(proposal=proposal, reason="特殊需要", actor=staff)


def test_skipping_one_level_is_exceptional(bureau, county, proposal_round, staff):
    # 副科 → 副处 passes over 正科: 越级, allowed only as an approved exception
    cadre = make_cadre(
        bureau,
        "郑华",
        rank=Rank.FU_KE,
        rank_since_month=date(2020, 1, 1),
        work_started_month=date(2005, 1, 1),
        education="研究生",
    )
    proposal = county_proposal(county, proposal_round, staff, cadre)
    through_checks(proposal, county["deputy_mayor"], staff)
    with pytest.raises(ApplicationError, match="越级提拔属于破格提拔"):
        svc.proposal_submit(proposal=proposal, actor=staff)
    svc.proposal_mark_exceptional(
        proposal=proposal,
        reason="实绩特别突出",
        approved_on=date(2026, 5, 1),
        approval_ref="市组干〔2026〕3号",
        actor=staff,
    )
    assert svc.proposal_submit(proposal=proposal, actor=staff).status == S.SUBMITTED


@pytest.mark.parametrize(("since", "allowed"), [(date(2025, 6, 1), True), (date(2025, 7, 1), False)])
def test_no_exception_within_a_year_of_the_last_promotion(bureau, county, proposal_round, staff, since, allowed):
    cadre = make_cadre(bureau, "冯涛", rank=Rank.ZHENG_KE, rank_since_month=since)
    proposal = county_proposal(county, proposal_round, staff, cadre)
    mark = lambda: svc.proposal_mark_exceptional(proposal=proposal, reason="特殊需要", actor=staff)  # noqa: E731
    if allowed:
        assert mark().exceptional
    else:
        with pytest.raises(ApplicationError, match=r"冯涛任现职级（2025\.07）未满一年，不得破格提拔"):
            mark()


def test_no_exception_during_probation(bureau, posts, quotas, county, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    first = decided(proposal_round, cadre, posts, staff, on=TODAY)
    svc.notice_exempt(proposal=first, ground=SPECIAL_POST, reason="涉密岗位", actor=staff)
    svc.proposal_appoint(proposal=first, appointed_on=TODAY, actor=staff)
    cadre.refresh_from_db()
    cadre.rank_since_month = date(2024, 1, 1)  # even with the level held long enough
    cadre.save(update_fields=["rank_since_month"])
    proposal = county_proposal(county, proposal_round, staff, cadre)
    with pytest.raises(ApplicationError, match="李明尚在试用期内，不得破格提拔"):
        svc.proposal_mark_exceptional(proposal=proposal, reason="特殊需要", actor=staff)


def test_the_exception_limits_are_checked_again_at_the_decision(bureau, posts, quotas, county, proposal_round, staff):
    """Marked and approved while allowed; appointed to another post meanwhile, the cadre is on probation when the
    proposal would go before the committee: refused."""
    cadre = make_cadre(
        bureau,
        "郑华",
        rank=Rank.FU_KE,
        rank_since_month=date(2020, 1, 1),
        work_started_month=date(2005, 1, 1),
        education="研究生",
    )
    exceptional = county_proposal(county, proposal_round, staff, cadre)
    through_checks(exceptional, county["deputy_mayor"], staff)
    svc.proposal_mark_exceptional(
        proposal=exceptional,
        reason="实绩特别突出",
        approved_on=date(2026, 5, 1),
        approval_ref="市组干〔2026〕3号",
        actor=staff,
    )
    # meanwhile promoted to 局长 (正科) and on probation from today
    other = svc.proposal_create(
        proposal_round=proposal_round,
        cadre=cadre,
        action=A.APPOINT,
        target_position=posts["head"],
        initiated_on=date(2026, 3, 2),
        initiated_by="区委书记",
        reason="工作需要",
        actor=staff,
    )
    through_checks(other, posts["head"], staff)
    svc.proposal_submit(proposal=other, actor=staff)
    svc.proposal_record_decision(
        proposal=other, outcome=svc.DecisionOutcome.PASSED, decided_on=TODAY, decided_by="区委第5次常委会", actor=staff
    )
    svc.notice_exempt(proposal=other, ground=SPECIAL_POST, reason="涉密岗位", actor=staff)
    svc.proposal_appoint(proposal=other, appointed_on=TODAY, actor=staff)
    with pytest.raises(ApplicationError, match="郑华尚在试用期内，不得破格提拔"):
        svc.proposal_submit(proposal=exceptional, actor=staff)


# --- 讨论决定, 任前公示, 任职 ---------------------------------------------------------------------------------


def test_the_committee_s_vote_moves_the_proposal(bureau, posts, quotas, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    proposal = svc.proposal_submit(proposal=ready(proposal_round, cadre, posts, staff), actor=staff)
    with pytest.raises(ApplicationError, match="讨论决定的时间不能早于提交讨论决定的时间（2026年06月01日）"):
        svc.proposal_record_decision(
            proposal=proposal,
            outcome=svc.DecisionOutcome.PASSED,
            decided_on=date(2026, 5, 31),
            decided_by="常委会",
            actor=staff,
        )
    deferred = svc.proposal_record_decision(
        proposal=proposal, outcome=svc.DecisionOutcome.DEFERRED, decided_on=TODAY, decided_by="常委会", actor=staff
    )
    assert deferred.status == S.DEFERRED and deferred.decided_on is None
    with time_machine.travel(date(2026, 6, 15), tick=False):
        svc.proposal_submit(proposal=deferred, actor=staff)
        passed = svc.proposal_record_decision(
            proposal=proposal,
            outcome=svc.DecisionOutcome.PASSED,
            decided_on=date(2026, 6, 15),
            decided_by="常委会",
            actor=staff,
        )
    assert (passed.status, passed.decided_on) == (S.DECIDED, date(2026, 6, 15))
    assert [t.to_status for t in passed.transitions.all()] == [
        S.INITIATED,
        S.RECOMMENDED,
        S.INSPECTED,
        S.SUBMITTED,
        S.DEFERRED,
        S.SUBMITTED,
        S.DECIDED,
    ]


def test_the_notice_runs_five_working_days_over_a_holiday_with_a_make_up_workday(
    bureau, posts, quotas, proposal_round, staff
):
    proposal = decided(proposal_round, deputy_cadre(bureau, posts), posts, staff)
    # from Tuesday 2026-09-29: 9-29, 9-30, (10-01..10-07 National Day), 10-08, 10-09 and Saturday 10-10, worked
    with time_machine.travel(date(2026, 9, 29), tick=False):
        noticed = svc.notice_start(proposal=proposal, starts_on=date(2026, 9, 29), actor=staff)
    assert (noticed.notice_starts_on, noticed.notice_ends_on) == (date(2026, 9, 29), date(2026, 10, 10))
    assert svc.notice_end(date(2026, 10, 3)) == date(2026, 10, 13)  # started on a holiday: counting from 10-08
    with (
        time_machine.travel(date(2026, 10, 10), tick=False),
        pytest.raises(ApplicationError, match="任前公示至2026年10月10日，公示期满后才能任职"),
    ):
        svc.proposal_appoint(proposal=noticed, appointed_on=date(2026, 10, 10), actor=staff)


def test_objections_are_resolved_before_the_appointment(bureau, posts, quotas, proposal_round, staff):
    proposal = decided(proposal_round, deputy_cadre(bureau, posts), posts, staff)
    with time_machine.travel(date(2026, 10, 12), tick=False):
        svc.notice_start(proposal=proposal, starts_on=date(2026, 9, 29), actor=staff)
        objection = svc.objection_record(
            proposal=proposal, received_on=date(2026, 9, 30), content="反映其分管工作中存在问题", actor=staff
        )
        with pytest.raises(ApplicationError, match="公示期间有1件反映尚未核查办结"):
            svc.proposal_appoint(proposal=proposal, appointed_on=date(2026, 10, 12), actor=staff)
        svc.objection_resolve(
            objection=objection,
            resolved_on=date(2026, 10, 9),
            resolution="经核查，反映问题不属实",
            upheld=False,
            actor=staff,
        )
        appointed = svc.proposal_appoint(proposal=proposal, appointed_on=date(2026, 10, 12), actor=staff)
    assert appointed.status == S.APPOINTED


def test_an_objection_upheld_stops_the_appointment(bureau, posts, quotas, proposal_round, staff):
    proposal = decided(proposal_round, deputy_cadre(bureau, posts), posts, staff)
    with time_machine.travel(date(2026, 10, 9), tick=False):
        svc.notice_start(proposal=proposal, starts_on=date(2026, 9, 29), actor=staff)
        objection = svc.objection_record(proposal=proposal, received_on=date(2026, 9, 30), content="反映", actor=staff)
        svc.objection_resolve(
            objection=objection, resolved_on=date(2026, 10, 9), resolution="经核查属实", upheld=True, actor=staff
        )
    assert AppointmentProposal.objects.get(pk=proposal.pk).status == S.WITHDRAWN


def test_the_appointment_moves_post_level_and_quota_together(bureau, posts, quotas, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    proposal = decided(proposal_round, cadre, posts, staff)
    with time_machine.travel(date(2026, 10, 12), tick=False):
        svc.notice_start(proposal=proposal, starts_on=date(2026, 9, 29), actor=staff)
        assert occupancy([bureau]) == {(bureau.pk, Rank.FU_KE): 1}
        appointed = svc.proposal_appoint(proposal=proposal, appointed_on=date(2026, 10, 12), actor=staff)
    cadre.refresh_from_db()
    assert (cadre.current_post, cadre.rank, cadre.rank_since_month) == ("局长", Rank.ZHENG_KE, date(2026, 10, 1))
    assert occupancy([bureau]) == {(bureau.pk, Rank.ZHENG_KE): 1}
    held = PositionTenure.objects.filter(cadre=cadre).order_by("pk")
    assert [(t.position.title, t.is_current, t.end_month) for t in held] == [
        ("副局长", False, date(2026, 10, 1)),
        ("局长", True, None),
    ]
    # a promotion into a leading post: one year's probation, the reminder 30 days before it ends
    assert appointed.probation_ends_on == date(2027, 10, 12)
    assert svc.probation_reminder_on(appointed) == date(2027, 9, 12)


def test_an_appointment_over_the_quota_changes_nothing(bureau, posts, quotas, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    proposal = decided(proposal_round, cadre, posts, staff)
    svc.notice_exempt(proposal=proposal, ground=ELECTION, reason="换届提名人选，2026年4月已在全区公示", actor=staff)
    # meanwhile someone else was put into the only 正科 post outside the procedure
    other = make_cadre(bureau, "外来人", rank=Rank.ZHENG_KE)
    cadre_assign_position(cadre=other, position=posts["head"], start_month=date(2026, 9, 1), actor=None)
    with (
        time_machine.travel(date(2026, 10, 12), tick=False),
        pytest.raises(ApplicationError, match="超职数配备：区财政局正科级领导职数核定1名，已配备1名"),
    ):
        svc.proposal_appoint(proposal=proposal, appointed_on=date(2026, 10, 12), actor=staff)
    cadre.refresh_from_db()
    assert (cadre.current_post, cadre.rank) == ("副局长", Rank.FU_KE)
    assert AppointmentProposal.objects.get(pk=proposal.pk).status == S.DECIDED
    assert PositionTenure.objects.filter(cadre=cadre, is_current=True).get().position == posts["deputy"]


def test_a_promotion_cannot_skip_the_notice(bureau, posts, quotas, proposal_round, staff):
    proposal = decided(proposal_round, deputy_cadre(bureau, posts), posts, staff)
    with (
        time_machine.travel(date(2026, 10, 12), tick=False),
        pytest.raises(ApplicationError, match="须经任前公示（或记录免予公示的理由）后才能任职"),
    ):
        svc.proposal_appoint(proposal=proposal, appointed_on=date(2026, 10, 12), actor=staff)
    with pytest.raises(ApplicationError, match="任职时间不能晚于今天"):
        svc.proposal_appoint(proposal=proposal, appointed_on=date(2026, 6, 2), actor=staff)


def test_probation_ends_in_confirmation_or_a_return_to_the_former_level(bureau, posts, quotas, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    proposal = decided(proposal_round, cadre, posts, staff, on=TODAY)
    svc.notice_exempt(proposal=proposal, ground=SPECIAL_POST, reason="涉密岗位", actor=staff)
    appointed = svc.proposal_appoint(proposal=proposal, appointed_on=date(2026, 6, 1), actor=staff)
    assert appointed.probation_ends_on == date(2027, 6, 1)
    with time_machine.travel(date(2027, 6, 1), tick=False):
        with pytest.raises(ApplicationError, match="试用期至2027年06月01日，期满后才能办理"):
            svc.probation_close(
                proposal=appointed, confirmed=False, closed_on=date(2027, 5, 31), reason="考核不称职", actor=staff
            )
        returned = svc.probation_close(
            proposal=appointed, confirmed=False, closed_on=date(2027, 6, 1), reason="试用期考核不称职", actor=staff
        )
    cadre.refresh_from_db()
    # back to 副科级, held since 2020-01 as before the promotion
    assert (returned.status, cadre.rank, cadre.rank_since_month) == (S.RETURNED, Rank.FU_KE, date(2020, 1, 1))
    assert AuditEvent.objects.filter(action="cadre.updated", object_id=str(cadre.pk)).count() == 2


# --- concurrency ----------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_threads_moving_one_proposal_make_one_transition(bureau, posts, quotas, proposal_round, staff):
    proposal = ready(proposal_round, deputy_cadre(bureau, posts), posts, staff)
    start = threading.Barrier(16)
    outcomes: list[str] = []

    def submit():
        try:
            start.wait()
            moved = svc.proposal_submit(proposal=AppointmentProposal.objects.get(pk=proposal.pk), actor=staff)
            outcomes.append(moved.status)
        except Exception as exc:  # every outcome is recorded and asserted below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == [S.SUBMITTED] * 16
    assert ProposalTransition.objects.filter(proposal=proposal, to_status=S.SUBMITTED).count() == 1
    assert AuditEvent.objects.filter(action="proposal.submitted", object_id=str(proposal.pk)).count() == 1
    tally("concurrent")


def test_a_confirmation_keeps_the_post_and_ends_the_probation(bureau, posts, quotas, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    confirm = {
        "proposal_round": proposal_round,
        "cadre": cadre,
        "action": A.CONFIRM,
        "initiated_by": "区委组织部",
        "reason": "试用期满，考核称职",
        "actor": staff,
    }
    with pytest.raises(ApplicationError, match="李明任区财政局副局长不在试用期，无须转正"):
        svc.proposal_create(current_position=posts["deputy"], initiated_on=date(2026, 3, 2), **confirm)
    appointment = decided(proposal_round, cadre, posts, staff, on=TODAY)
    svc.notice_exempt(proposal=appointment, ground=SPECIAL_POST, reason="涉密岗位", actor=staff)
    appointment = svc.proposal_appoint(proposal=appointment, appointed_on=TODAY, actor=staff)
    with time_machine.travel(datetime(2027, 6, 1, 9, 0), tick=False):
        proposal = svc.proposal_create(current_position=posts["head"], initiated_on=date(2027, 5, 20), **confirm)
        assert (proposal.confirms, svc.required_steps(proposal)) == (appointment, ("inspection",))
        with pytest.raises(ApplicationError, match="李明的转正事项已在办理中"):
            svc.proposal_create(current_position=posts["head"], initiated_on=date(2027, 5, 20), **confirm)
        # one path only: the probation is closed by the committee's decision, not directly as well
        with pytest.raises(ApplicationError, match="转正已作为任免事项提请讨论决定"):
            svc.probation_close(
                proposal=appointment, confirmed=True, closed_on=date(2027, 6, 1), reason="称职", actor=staff
            )
        inspect(proposal, staff, started_on=date(2027, 5, 21), ended_on=date(2027, 5, 25))
        svc.proposal_submit(proposal=proposal, actor=staff)
        svc.proposal_record_decision(
            proposal=proposal,
            outcome=svc.DecisionOutcome.PASSED,
            decided_on=date(2027, 6, 1),
            decided_by="区委第9次常委会",
            actor=staff,
        )
        confirmed = svc.proposal_appoint(proposal=proposal, appointed_on=date(2027, 6, 1), actor=staff)
    cadre.refresh_from_db()
    appointment.refresh_from_db()
    assert (confirmed.status, confirmed.closed_on, confirmed.probation_ends_on) == (S.CONFIRMED, date(2027, 6, 1), None)
    assert (appointment.status, appointment.closed_on) == (S.CONFIRMED, date(2027, 6, 1))
    assert appointment.transitions.last().reason == "经区委第9次常委会讨论决定转正"
    assert (cadre.current_post, cadre.rank) == ("局长", Rank.ZHENG_KE)


def test_a_confirmation_before_the_probation_ends_is_refused(bureau, posts, quotas, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    appointment = decided(proposal_round, cadre, posts, staff, on=TODAY)
    svc.notice_exempt(proposal=appointment, ground=SPECIAL_POST, reason="涉密岗位", actor=staff)
    svc.proposal_appoint(proposal=appointment, appointed_on=TODAY, actor=staff)
    with time_machine.travel(datetime(2027, 5, 31, 9, 0), tick=False):
        proposal = svc.proposal_create(
            proposal_round=proposal_round,
            cadre=cadre,
            action=A.CONFIRM,
            current_position=posts["head"],
            initiated_on=date(2027, 5, 20),
            initiated_by="区委组织部",
            reason="试用期将满",
            actor=staff,
        )
        inspect(proposal, staff, started_on=date(2027, 5, 21), ended_on=date(2027, 5, 25))
        svc.proposal_submit(proposal=proposal, actor=staff)
        svc.proposal_record_decision(
            proposal=proposal,
            outcome=svc.DecisionOutcome.PASSED,
            decided_on=date(2027, 5, 31),
            decided_by="区委第9次常委会",
            actor=staff,
        )
        with pytest.raises(ApplicationError, match="试用期至2027年06月01日，期满后才能转正"):
            svc.proposal_appoint(proposal=proposal, appointed_on=date(2027, 5, 31), actor=staff)


def test_an_elected_post_has_no_probation(bureau, posts, quotas, proposal_round, staff):
    head = posts["head"]
    head.elected = True
    head.save(update_fields=["elected"])
    proposal = decided(proposal_round, deputy_cadre(bureau, posts), posts, staff, on=TODAY)
    assert svc.required_steps(proposal) == ("recommendation", "inspection", "checks", "notice")
    svc.notice_exempt(proposal=proposal, ground=SPECIAL_POST, reason="涉密岗位", actor=staff)
    appointed = svc.proposal_appoint(proposal=proposal, appointed_on=TODAY, actor=staff)
    assert (appointed.status, appointed.probation_ends_on) == (S.APPOINTED, None)


def test_a_notice_exemption_names_a_ground_the_regulations_allow(bureau, posts, quotas, proposal_round, staff):
    proposal = decided(proposal_round, deputy_cadre(bureau, posts), posts, staff, on=TODAY)
    with pytest.raises(ApplicationError, match="请选择免予公示的情形"):
        svc.notice_exempt(proposal=proposal, ground="urgent", reason="工作急需", actor=staff)
    with pytest.raises(ApplicationError, match="请填写换届考察公示的时间和范围"):
        svc.notice_exempt(proposal=proposal, ground=ELECTION, reason=" ", actor=staff)
    exempted = svc.notice_exempt(proposal=proposal, ground=ELECTION, reason="2026年4月在全区公示", actor=staff)
    assert exempted.notice_exemption == "换届考察时已进行过公示（2026年4月在全区公示）"


def test_an_exchange_into_a_higher_post_is_a_promotion(bureau, posts, quotas, proposal_round, staff):
    cadre = deputy_cadre(bureau, posts)
    proposal = svc.proposal_create(
        proposal_round=proposal_round,
        cadre=cadre,
        action=A.EXCHANGE,
        target_position=posts["head"],
        current_position=posts["deputy"],
        initiated_on=date(2026, 3, 2),
        initiated_by="区委书记",
        reason="交流任职",
        actor=staff,
    )
    assert proposal.promotion
    assert svc.required_steps(proposal) == ("recommendation", "inspection", "checks", "notice", "probation")


def test_a_cadre_without_a_level_on_file_cannot_be_proposed_for_a_post_with_one(
    bureau, posts, quotas, proposal_round, staff
):
    cadre = make_cadre(bureau, "无职级")
    with pytest.raises(ApplicationError, match="请先在无职级的干部档案中填写现职级") as refused:
        svc.proposal_create(
            proposal_round=proposal_round,
            cadre=cadre,
            action=A.APPOINT,
            target_position=posts["deputy2"],
            initiated_on=date(2026, 3, 2),
            initiated_by="区委书记",
            reason="工作需要",
            actor=staff,
        )
    assert refused.value.field == "cadre"


def test_an_approved_exception_does_not_set_aside_avoidance(bureau, county, proposal_round, staff):
    # 钱进 has 4 years 11 months of work (an exception may allow it) and his wife works in the 区人民政府 (it may not)
    from cadres.services import cadre_replace_family

    cadre = make_cadre(
        bureau,
        "钱进",
        rank=Rank.ZHENG_KE,
        rank_since_month=date(2022, 1, 1),
        work_started_month=date(2021, 7, 1),
        education="大学",
        grassroots_months=36,
    )
    cadre_replace_family(
        cadre=cadre,
        members=[{"relation": "妻子", "name": "孙梅", "work_and_post": "区人民政府办公室科员"}],
        actor=None,
    )
    proposal = county_proposal(county, proposal_round, staff, cadre)
    through_checks(proposal, county["deputy_mayor"], staff)
    svc.proposal_mark_exceptional(
        proposal=proposal,
        reason="急需紧缺专业人才",
        approved_on=date(2026, 5, 20),
        approval_ref="市组干〔2026〕9号",
        actor=staff,
    )
    gate = svc.decision_gate(AppointmentProposal.objects.get(pk=proposal.pk), TODAY)
    (problem,) = gate.problems
    assert problem.startswith("任职资格条件不符合：任职回避：") and "孙梅" in problem
    assert "工作年限" not in problem and "破格" not in problem

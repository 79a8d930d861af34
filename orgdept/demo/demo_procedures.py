"""The demo's appointment procedure (two rounds with a proposal at each stage, reserve cadres, a competitive
selection) and its training (last year's and this year's plans; classes closed, running and to come; credit hours).

The procedure's services stamp every step with the current time, and refuse a step dated after today or before the
step it follows; the training services refuse attendance for a session still to come and closing a class before it
ends. So the demo replays each step on the working day the department would have entered it, with the clock set to
that day. Everything goes through the services; nothing is added once a round (or a training plan) exists.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from cadres.models import (
    AppointmentProposal,
    Cadre,
    MandatoryCheck,
    Position,
    PositionQuota,
    PositionTenure,
    ProposalRound,
    Rank,
    Recommendation,
    ReserveCadre,
)
from cadres.services import proposals as procedure
from cadres.services import quota_set
from cadres.services.reserve import reserve_add, reserve_remove
from cadres.services.selection import applicant_add, scores_record_many, selection_close, selection_create
from orgdept.core.workdays import ScheduleMissing, WorkCalendar
from training.models import TrainingClass, TrainingPlan
from training.services import attendance, classes, credits, enrolment, plans

Action = AppointmentProposal.Action
Status = AppointmentProposal.Status

# --- days and the clock -----------------------------------------------------------------------------------------


class Days:
    """Working days counted from today on the official calendar; a year whose schedule is not known yet counts
    Monday to Friday, so the demo still loads (the services that need the schedule say so themselves)."""

    def __init__(self, today: date):
        self.today = today
        self.calendar = WorkCalendar()

    def is_workday(self, day: date) -> bool:
        try:
            return self.calendar.is_workday(day)
        except ScheduleMissing:
            return day.weekday() < 5

    def on_or_before(self, day: date) -> date:
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day

    def on_or_after(self, day: date) -> date:
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def step(self, day: date, n: int) -> date:
        """`n` working days after `day` (before it when negative)."""
        delta = timedelta(days=1 if n >= 0 else -1)
        for _ in range(abs(n)):
            day += delta
            while not self.is_workday(day):
                day += delta
        return day

    def back(self, n: int) -> date:
        """The working day `n` working days before today (0: today, or the last working day before it)."""
        return self.step(self.on_or_before(self.today), -n)

    def ahead(self, n: int) -> date:
        return self.step(self.on_or_after(self.today + timedelta(days=1)), n - 1)

    def unbroken(self, start: date, n: int) -> date:
        """The first day, on or before `start`, of `n` working days not broken by a holiday (a weekend may fall
        among them): classes are not held across the Spring Festival or National Day."""
        start = self.on_or_before(start)
        while (self.step(start, n - 1) - start).days > n + 1:
            start = self.step(start, -1)
        return start

    def recent(self, n: int) -> date:
        """Up to `n` working days before today, not reaching back over a holiday: the start of a class running."""
        start = self.on_or_before(self.today)
        for _ in range(n):
            before = self.step(start, -1)
            if (start - before).days > 3:
                break
            start = before
        return start

    def between(self, start: date, end: date) -> list[date]:
        days, day = [], start
        while day <= end:
            if self.is_workday(day):
                days.append(day)
            day += timedelta(days=1)
        return days


def on_day(day: date, hour: int = 10):
    """The clock set to `hour` o'clock on `day`; today and later run on the real clock."""
    if day >= timezone.localdate():
        return contextlib.nullcontext()
    moment = timezone.make_aware(datetime.combine(day, time(hour, 0)))
    return time_machine.travel(moment, tick=False)


def demo_user(username: str):
    return get_user_model().objects.get(username=username)


def held_post(cadre: Cadre) -> Position:
    return PositionTenure.objects.filter(cadre=cadre, is_current=True).select_related("position").first().position


def deputy_post(unit_name: str) -> Position:
    return Position.objects.get(unit__name=unit_name, role=Position.Role.DEPUTY, leading=True)


def staff_of(unit_name: str, rank: str | None = None) -> list[Cadre]:
    """A unit's cadres outside its leading posts (and outside the committee), the youngest first."""
    found = Cadre.objects.filter(unit__name=unit_name, memberships__isnull=True).exclude(
        rank__in=(Rank.ZHENG_KE, Rank.FU_KE)
    )
    if rank:
        found = found.filter(rank=rank)
    return list(found.order_by("-birth_month", "pk"))


def deputies_of(unit_name: str) -> list[Cadre]:
    """A unit's deputies who hold no seat in the committee, in the order they were entered."""
    return list(Cadre.objects.filter(unit__name=unit_name, rank=Rank.FU_KE, memberships__isnull=True).order_by("pk"))


# --- the appointment procedure ----------------------------------------------------------------------------------

ROUND_EARLIER, ROUND_CURRENT = "第5批干部任免", "第6批干部任免"
INITIATED_BY = "区委组织部部务会"
TEAM = "区委组织部考察组（组长：干部科科长）"
CHECKS = {
    MandatoryCheck.Kind.ARCHIVE: ("区委组织部干部科", "干部人事档案经专项审核，“三龄二历一身份”认定无误"),
    MandatoryCheck.Kind.PERSONAL_MATTERS: ("区委组织部干部监督科", "个人有关事项报告经查核，填报一致"),
    MandatoryCheck.Kind.DISCIPLINE: ("区纪委监委", "未发现违纪违法问题，廉政意见为同意"),
    MandatoryCheck.Kind.PETITIONS: ("区委组织部干部监督科", "近三年未收到反映该同志问题的信访举报"),
}
# the units whose deputies' posts the current round fills: 区委编委 approved a fourth deputy post in each this
# year, so each has one vacancy for a proposal to head for
NEW_DEPUTY_POSTS = ("区应急管理局", "区市场监督管理局", "区信访局", "区文化和旅游局", "区住房和城乡建设局")
# (unit, stage the proposal has reached) of the current round's promotions into a deputy post
CURRENT_ROUND = (
    ("区应急管理局", Status.NOTICE),
    ("区市场监督管理局", Status.SUBMITTED),
    ("区信访局", Status.INSPECTED),
    ("区文化和旅游局", Status.RECOMMENDED),
)
SELECTION_UNIT = "区住房和城乡建设局"
EARLIER_UNIT = "区统计局"  # a deputy leaves, a young 一级科员 is promoted into the post and is on probation


@dataclass
class Schedule:
    """The working days of a promotion's steps; a step without a day is not taken."""

    initiated: date
    recommended: date | None = None
    inspection: tuple[date, date] | None = None
    checked: date | None = None
    submitted: date | None = None
    decided: date | None = None
    notice: date | None = None


# working days from 动议 to each later step: 推荐, 考察 (start, end), 凡提四必, 提交, 讨论决定, 任前公示
STEP_DAYS = (0, 6, 10, 14, 15, 16, 22, 23)
STEPS_TAKEN = {
    Status.INITIATED: 1,
    Status.RECOMMENDED: 2,
    Status.INSPECTED: 4,
    Status.SUBMITTED: 6,
    Status.DECIDED: 7,
    Status.NOTICE: 8,
}


def schedule_for(days: Days, stage: str, end: int) -> Schedule:
    """The steps up to `stage`, the last of them taken `end` working days ago."""
    taken = STEP_DAYS[: STEPS_TAKEN[stage]]
    day = [days.back(end + taken[-1] - offset) for offset in taken]
    day += [None] * (len(STEP_DAYS) - len(day))
    return Schedule(
        initiated=day[0],
        recommended=day[1],
        inspection=(day[2], day[3]) if day[3] else None,
        checked=day[4],
        submitted=day[5],
        decided=day[6],
        notice=day[7],
    )


class ProcedureDemo:
    def __init__(self, *, rng: random.Random, today: date):
        self.rng = rng
        self.days = Days(today)
        self.staff = demo_user("ganbu")
        self.notes: list[str] = []  # what could not be shown, for the command to print

    def load(self) -> bool:
        if ProposalRound.objects.exists():
            return False
        days = self.days
        reserve = self.load_reserve()
        promoted = self.load_earlier_round()
        if promoted.appointed_on is not None:
            with on_day(promoted.appointed_on):
                reserve_remove(
                    entry=reserve,
                    removed_on=promoted.appointed_on,
                    reason=f"已提拔任{promoted.target_position}",
                    actor=self.staff,
                )
        with on_day(days.back(31)):
            for unit in NEW_DEPUTY_POSTS:
                line = PositionQuota.objects.get(unit__name=unit, level=Rank.FU_KE)
                quota_set(unit=line.unit, level=Rank.FU_KE, approved=line.approved + 1, actor=None)
        self.load_current_round()
        return True

    def new_round(self, title: str, day: date, note: str) -> ProposalRound:
        with on_day(day, 9):
            return procedure.round_create(title=f"{day.year}年{title}", note=note, actor=self.staff)

    @staticmethod
    def decided_by(day: date) -> str:
        return f"区委常委会会议（{day.year}年{day.month}月{day.day}日）"

    def load_earlier_round(self) -> AppointmentProposal:
        """Three months ago: a deputy of 区统计局 is removed at her own request, and a young 一级科员 of the bureau is
        promoted into the post through the whole procedure and is now on probation."""
        days = self.days
        leaving = deputies_of(EARLIER_UNIT)[-1]
        post = deputy_post(EARLIER_UNIT)
        proposal_round = self.new_round(ROUND_EARLIER, days.back(66), "区统计局副局长调整及相关人选")
        with on_day(days.back(66)):
            removal = procedure.proposal_create(
                proposal_round=proposal_round,
                cadre=leaving,
                action=Action.REMOVE,
                current_position=post,
                initiated_on=days.back(66),
                initiated_by=INITIATED_BY,
                reason="本人因身体原因申请辞去领导职务，经研究同意",
                actor=self.staff,
            )
            procedure.proposal_submit(proposal=removal, actor=self.staff)
        decided = days.back(62)
        with on_day(decided, 16):
            procedure.proposal_record_decision(
                proposal=removal,
                outcome=procedure.DecisionOutcome.PASSED,
                decided_on=decided,
                decided_by=self.decided_by(decided),
                actor=self.staff,
            )
        with on_day(days.back(60)):
            procedure.proposal_appoint(proposal=removal, appointed_on=days.back(60), actor=self.staff)

        young = staff_of(EARLIER_UNIT, Rank.KEYUAN_1)
        others = [c for c in staff_of(EARLIER_UNIT) if c not in young[:1]][:2]
        # 动议 after the removal has freed the post; 公示 ended, then the appointment
        schedule = schedule_for(days, Status.NOTICE, 35)
        proposal = self.promote(
            proposal_round,
            young[0],
            post,
            schedule,
            reason="区统计局副局长空缺1名，拟从本单位优秀年轻干部中选配",
            others=others,
            kind=Recommendation.Kind.MEETING,
        )
        if proposal.notice_ends_on is None:
            return proposal  # no holiday schedule for the notice: it waits, decided (noted above)
        appointed = days.step(proposal.notice_ends_on, 2)
        with on_day(appointed):
            return procedure.proposal_appoint(proposal=proposal, appointed_on=appointed, actor=self.staff)

    def load_current_round(self) -> None:
        """Under way: promotions into the new deputy posts at each stage, and the winner of a 竞争上岗 initiated."""
        days = self.days
        proposal_round = self.new_round(ROUND_CURRENT, days.back(30), "区直部门副职配备")
        # the last step of each is the more recent the further it has gone: the round moves together
        ends = {Status.NOTICE: 1, Status.SUBMITTED: 4, Status.INSPECTED: 6, Status.RECOMMENDED: 8}
        for unit, stage in CURRENT_ROUND:
            candidates = staff_of(unit, Rank.KEYUAN_1)
            others = [c for c in staff_of(unit) if c != candidates[0]][:2]
            schedule = schedule_for(days, stage, ends[stage])
            self.promote(
                proposal_round,
                candidates[0],
                deputy_post(unit),
                schedule,
                reason=f"{unit}新增副职职数1名，拟从本单位优秀年轻干部中选配",
                others=others,
                # the 会议推荐 puts more names on the shortlist than there are posts
                kind=Recommendation.Kind.MEETING if stage == Status.RECOMMENDED else Recommendation.Kind.INTERVIEW,
            )
        winner = self.load_selection()
        with on_day(days.back(2)):
            procedure.proposal_create(
                proposal_round=proposal_round,
                cadre=winner,
                action=Action.APPOINT_REMOVE,
                target_position=deputy_post(SELECTION_UNIT),
                current_position=held_post(winner),
                initiated_on=days.back(2),
                initiated_by=INITIATED_BY,
                reason=f"{SELECTION_UNIT}副局长竞争上岗综合成绩第一名",
                actor=self.staff,
            )

    def promote(
        self,
        proposal_round: ProposalRound,
        cadre: Cadre,
        post: Position,
        schedule: Schedule,
        *,
        reason: str,
        others: list[Cadre],
        kind: str,
    ) -> AppointmentProposal:
        """A promotion into `post` from the cadre's present post, taken through the steps `schedule` dates."""
        staff = self.staff
        with on_day(schedule.initiated):
            proposal = procedure.proposal_create(
                proposal_round=proposal_round,
                cadre=cadre,
                action=Action.APPOINT_REMOVE,
                target_position=post,
                current_position=held_post(cadre),
                initiated_on=schedule.initiated,
                initiated_by=INITIATED_BY,
                reason=reason,
                actor=staff,
            )
        if schedule.recommended:
            participants = self.rng.randint(32, 48)
            votes = sorted((self.rng.randint(3, participants // 3) for _ in others), reverse=True)
            with on_day(schedule.recommended, 15):
                recommendation = procedure.recommendation_record(
                    position=post,
                    kind=kind,
                    held_on=schedule.recommended,
                    participants=participants,
                    candidates=[(cadre, participants - self.rng.randint(2, 6)), *zip(others, votes, strict=True)],
                    note=f"{post.unit.name}班子成员、中层干部和干部职工代表参加",
                    actor=staff,
                )
                proposal = procedure.proposal_recommend(proposal=proposal, recommendation=recommendation, actor=staff)
        if schedule.inspection:
            started, ended = schedule.inspection
            with on_day(ended, 17):
                procedure.inspection_record(
                    proposal=proposal,
                    team=TEAM,
                    started_on=started,
                    ended_on=ended,
                    report=(
                        f"考察组通过个别谈话、民主测评、查阅档案等方式对{cadre.name}同志进行了考察。该同志政治立场坚定，"
                        "业务能力较强，工作实绩突出，群众公认度较高。"
                    ),
                    conclusion="符合提拔任职条件",
                    actor=staff,
                )
        if schedule.checked:
            with on_day(schedule.checked, 15):
                for kind_, (done_by, result) in CHECKS.items():
                    procedure.mandatory_check_record(
                        proposal=proposal,
                        kind=kind_,
                        done_on=schedule.checked,
                        done_by=done_by,
                        result=result,
                        actor=staff,
                    )
        if schedule.submitted:
            with on_day(schedule.submitted, 11):
                proposal = procedure.proposal_submit(proposal=proposal, actor=staff)
        if schedule.decided:
            with on_day(schedule.decided, 16):
                proposal = procedure.proposal_record_decision(
                    proposal=proposal,
                    outcome=procedure.DecisionOutcome.PASSED,
                    decided_on=schedule.decided,
                    decided_by=self.decided_by(schedule.decided),
                    actor=staff,
                )
        if schedule.notice:
            try:
                with on_day(schedule.notice, 9):
                    proposal = procedure.notice_start(proposal=proposal, starts_on=schedule.notice, actor=staff)
            except ScheduleMissing as missing:
                # the notice lasts working days; without the year's holiday schedule the proposal waits, decided
                self.notes.append(f"{cadre.name}的任免事项停在“已决定”：{missing.message}")
        proposal.refresh_from_db()
        return proposal

    def load_selection(self) -> Cadre:
        """A 竞争上岗 for a deputy's post, held three weeks ago with four applicants, scored and closed."""
        days = self.days
        staff = self.staff
        post = deputy_post(SELECTION_UNIT)
        held = days.back(14)
        with on_day(days.back(24)):
            selection = selection_create(
                title=f"{held.year}年{SELECTION_UNIT}副局长竞争上岗",
                position=post,
                posts=1,
                held_on=held,
                weight_speech=30,
                weight_written=40,
                weight_evaluation=30,
                actor=staff,
            )
            applicants = [
                applicant_add(selection=selection, cadre=cadre, actor=staff) for cadre in staff_of(SELECTION_UNIT)[:4]
            ]
        with on_day(held, 17):
            # the three scores of every applicant, entered together after the selection as the page does
            scores_record_many(
                selection=selection,
                scores={
                    applicant.pk: {
                        "speech": Decimal(self.rng.randint(7000, 9500)) / 100,
                        "written": Decimal(self.rng.randint(6000, 9300)) / 100,
                        "evaluation": Decimal(self.rng.randint(7500, 9800)) / 100,
                    }
                    for applicant in applicants
                },
                actor=staff,
            )
        with on_day(days.back(12)):
            (winner,) = selection_close(selection=selection, actor=staff)
        return winner.cadre

    def load_reserve(self) -> ReserveCadre:
        """The reserve pool: deputies for a head's post, young staff for a deputy's, among
        them the 一级科员 promoted in the earlier round (whose entry is returned, to be closed on appointment)."""
        days = self.days
        added = days.back(150)  # the yearly survey of candidates, half a year before the earlier round
        with on_day(added):
            entry = reserve_add(
                cadre=staff_of(EARLIER_UNIT, Rank.KEYUAN_1)[0],
                target_level=Rank.FU_KE,
                added_on=added,
                reason="年度干部调研推荐，列为副科级后备干部",
                actor=self.staff,
            )
            pool = [
                (deputies_of("区商务局")[0], Rank.ZHENG_KE, "年度干部调研推荐，分管工作成效明显"),
                (deputies_of("区自然资源局")[0], Rank.ZHENG_KE, "年度干部调研推荐，综合素质好"),
                (deputies_of("北岭乡")[0], Rank.ZHENG_KE, "年度干部调研推荐，基层工作经验丰富"),
                (staff_of("区商务局", Rank.KEYUAN_1)[0], Rank.FU_KE, "优秀年轻干部调研推荐"),
                (staff_of("区自然资源局", Rank.KEYUAN_1)[0], Rank.FU_KE, "优秀年轻干部调研推荐，专业能力较强"),
            ]
            for cadre, level, reason in pool:
                reserve_add(
                    cadre=cadre,
                    target_level=level,
                    added_on=added,
                    reason=reason,
                    actor=self.staff,
                )
        return entry


# --- training ---------------------------------------------------------------------------------------------------


@dataclass
class ClassPlan:
    name: str
    category: str
    organiser: str
    place: str
    start: date
    end: date
    capacity: int
    target_ranks: tuple[str, ...]
    topics: tuple[str, ...]
    hours: Decimal  # each session's (two a day)


TOPICS = (
    "习近平新时代中国特色社会主义思想专题辅导",
    "党的二十届三中全会精神解读",
    "全面从严治党与廉洁自律",
    "推动高质量发展的实践与思考",
    "基层治理现代化案例教学",
    "突发事件应对与舆情处置",
    "调查研究方法与公文写作",
    "现场教学：乡村振兴示范点",
    "结业座谈与学习交流",
    "法治政府建设专题",
)
COUNTY_RANKS = (Rank.ZHENG_CHU, Rank.FU_CHU)
SECTION_LEADERS = (Rank.ZHENG_KE, Rank.FU_KE)
YOUNG_RANKS = (Rank.FU_KE, Rank.KEYUAN_1, Rank.ZHUREN_KEYUAN_3, Rank.ZHUREN_KEYUAN_4)


class TrainingDemo:
    def __init__(self, *, rng: random.Random, today: date):
        self.rng = rng
        self.days = Days(today)
        self.staff = demo_user("peixun")
        # the 部领导 who approves plans: the demo account with that role
        self.leader = demo_user("buzhang")
        self.plans: dict[int, TrainingPlan] = {}

    def load(self) -> bool:
        if TrainingPlan.objects.exists():
            return False
        days, today = self.days, self.days.today
        county = list(Cadre.objects.filter(rank__in=COUNTY_RANKS).order_by("pk"))
        ranked = Cadre.objects.exclude(rank="").select_related("unit").order_by("pk")
        section = list(ranked.exclude(rank__in=COUNTY_RANKS))
        young = [c for c in section if c.rank in YOUNG_RANKS]
        townships = [c for c in section if c.unit.kind == "township" and c.rank in SECTION_LEADERS]
        leaders = [c for c in section if c.rank in SECTION_LEADERS and c.unit.kind != "township"]

        last_year = days.unbroken(days.on_or_after(date(today.year - 1, 9, 14)), 5)
        seminar = self.add_class(
            ClassPlan(
                name=f"{last_year.year}年县处级领导干部专题研讨班",
                category=TrainingClass.Category.PARTY_SCHOOL,
                organiser="区委组织部、区委党校",
                place="区委党校报告厅",
                start=last_year,
                end=days.step(last_year, 4),
                capacity=15,
                target_ranks=COUNTY_RANKS,
                topics=TOPICS,
                hours=Decimal("4"),
            )
        )
        finished_start = days.unbroken(days.back(34), 4)
        finished = self.add_class(
            ClassPlan(
                name=f"{finished_start.year}年中青年干部培训班",
                category=TrainingClass.Category.PARTY_SCHOOL,
                organiser="区委组织部、区委党校",
                place="区委党校2号教室",
                start=finished_start,
                end=days.step(finished_start, 3),
                capacity=30,
                target_ranks=YOUNG_RANKS,
                topics=TOPICS[:8],
                hours=Decimal("4"),
            )
        )
        running_start = days.recent(2)
        running = self.add_class(
            ClassPlan(
                name=f"{running_start.year}年乡镇（街道）领导干部履职能力提升专题培训班",
                category=TrainingClass.Category.THEMATIC,
                organiser="区委组织部",
                place="浙江大学继续教育学院",
                start=running_start,
                end=days.step(running_start, 4),
                capacity=25,
                target_ranks=SECTION_LEADERS,
                topics=TOPICS,
                hours=Decimal("3.5"),
            )
        )
        upcoming_start = days.ahead(8)
        upcoming = self.add_class(
            ClassPlan(
                name=f"{upcoming_start.year}年区直机关科级领导干部党性教育培训班",
                category=TrainingClass.Category.CADRE_ACADEMY,
                organiser="区委组织部",
                place="井冈山干部学院",
                start=upcoming_start,
                end=days.step(upcoming_start, 2),
                capacity=30,
                target_ranks=SECTION_LEADERS,
                topics=TOPICS[:6],
                hours=Decimal("4"),
            )
        )
        self.approve_plans()

        # who is called up: the committee's leaders last year; young cadres, township leaders and other section
        # leaders this year, each to one class
        class_members = {
            seminar.pk: county,
            finished.pk: self.rng.sample(young, 24),
            running.pk: self.rng.sample(townships, 20),
            upcoming.pk: self.rng.sample(leaders, 26),
        }
        for training_class in (seminar, finished, running, upcoming):
            called = days.step(training_class.start_date, -7)
            with on_day(max(called, self.approved_on(training_class.plan)), 11):
                enrolment.call_up(
                    training_class=training_class, cadres=class_members[training_class.pk], actor=self.staff
                )

        # attendance: in the young cadres' class one missed one session (completes with fewer hours) and one
        # missed three (more than 1/7 of the hours: not completed); in the running class one is on leave today
        finished_people = class_members[finished.pk]
        absences = {finished_people[3].pk: {2}, finished_people[7].pk: {1, 4, 5}}
        running_people = class_members[running.pk]
        self.record_attendance(seminar, {county[4].pk: {6}})
        self.record_attendance(finished, absences)
        self.record_attendance(running, {running_people[5].pk: {1}})
        for training_class in (seminar, finished):
            with on_day(days.step(training_class.end_date, 1), 15):
                attendance.class_close(training_class=training_class, actor=self.staff)

        self.load_credits(county, section)
        return True

    def plan_for(self, year: int) -> TrainingPlan:
        if year not in self.plans:
            with on_day(self.plan_day(year), 10):
                self.plans[year] = plans.plan_create(
                    year=year,
                    title=f"{year}年度干部教育培训计划",
                    notes="依据《干部教育培训工作条例》和全区干部队伍建设规划制定，经部务会研究。",
                    actor=self.staff,
                )
        return self.plans[year]

    def plan_day(self, year: int) -> date:
        """Plans are drawn up in January (or on the first day of the year the demo reaches)."""
        return min(self.days.on_or_after(date(year, 1, 12)), self.days.today)

    def approved_on(self, plan: TrainingPlan) -> date:
        return min(self.days.step(self.plan_day(plan.year), 5), self.days.today)

    def add_class(self, spec: ClassPlan) -> TrainingClass:
        """The class in the plan of the year it starts in, with two sessions on each working day it runs."""
        plan = self.plan_for(spec.start.year)
        with on_day(self.plan_day(plan.year), 14):
            training_class = classes.class_create(
                plan=plan,
                name=spec.name,
                organiser=spec.organiser,
                category=spec.category,
                start_date=spec.start,
                end_date=spec.end,
                place=spec.place,
                capacity=spec.capacity,
                target_ranks=list(spec.target_ranks),
                actor=self.staff,
            )
            topics = iter(spec.topics * 2)
            for day in self.days.between(spec.start, spec.end):
                for _half in ("上午", "下午"):
                    classes.session_add(
                        training_class=training_class, date=day, topic=next(topics), hours=spec.hours, actor=self.staff
                    )
        return training_class

    def approve_plans(self) -> None:
        for plan in self.plans.values():
            with on_day(self.days.step(self.plan_day(plan.year), 2), 10):
                plans.plan_submit(plan=plan, actor=self.staff)
            with on_day(self.approved_on(plan), 16):
                plans.plan_approve(plan=plan, actor=self.leader)

    def record_attendance(self, training_class: TrainingClass, absent: dict[int, set[int]]) -> None:
        """Attendance of every session held so far; `absent` maps a cadre to the sessions (0-based) missed."""
        enrolments = list(training_class.enrolments.filter(status="enrolled").order_by("pk"))
        sessions = list(training_class.sessions.order_by("date", "order", "pk"))
        for index, session in enumerate(sessions):
            if session.date > self.days.today:
                break
            missed = {e.pk for e in enrolments if index in absent.get(e.cadre_id, ())}
            with on_day(session.date, 18):
                attendance.attendance_record(
                    session=session,
                    present={e.pk: e.pk not in missed for e in enrolments},
                    notes=dict.fromkeys(missed, "请假（公务）"),
                    actor=self.staff,
                )

    def load_credits(self, county: list[Cadre], section: list[Cadre]) -> None:
        """Online study (浙江干部网络学院) and other training outside the classes: enough this year for some 乡科级
        cadres and not for others; five years of it for the 县处级, a few of whom have reached 550 hours."""
        days, today = self.days, self.days.today
        start_of_year = days.on_or_after(date(today.year, 1, 5))
        span = max((days.back(1) - start_of_year).days, 0)
        for cadre in section:
            draw = self.rng.random()
            if draw < 0.45:
                hours = self.rng.choice((24, 36, 48, 60, 66, 72))
            elif draw < 0.75:
                hours = self.rng.choice((92, 96, 100, 110))
            else:
                continue
            earned = days.on_or_before(start_of_year + timedelta(days=self.rng.randint(0, span)))
            with on_day(earned, 17):
                credits.credit_record(
                    cadre=cadre,
                    source="online",
                    title=f"浙江干部网络学院{today.year}年度网络专题学习",
                    organiser="浙江干部网络学院",
                    hours=hours,
                    earned_on=earned,
                    actor=self.staff,
                )
        for index, cadre in enumerate(county):
            for back in range(1, 5):
                year = today.year - back
                earned = days.on_or_before(date(year, 11, 28))
                with on_day(earned, 17):
                    credits.credit_record(
                        cadre=cadre,
                        source="online",
                        title=f"浙江干部网络学院{year}年度网络专题学习",
                        organiser="浙江干部网络学院",
                        hours=self.rng.choice((50, 60, 70, 80)),
                        earned_on=earned,
                        actor=self.staff,
                    )
            if index % 3 == 0:  # a third went to the provincial party school's two-month course
                year = today.year - 2
                earned = days.on_or_before(date(year, 6, 28))
                with on_day(earned, 17):
                    credits.credit_record(
                        cadre=cadre,
                        source="external",
                        title=f"省委党校{year}年春季县处级领导干部进修班",
                        organiser="中共浙江省委党校",
                        hours=300,
                        earned_on=earned,
                        note="脱产培训两个月",
                        actor=self.staff,
                    )

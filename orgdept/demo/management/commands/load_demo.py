"""Loads the fictional 云岭区 demo: 31 units, about 300 cadres, the committee's current term, one user per role, its
meetings, the appointment procedure under way and the year's training (the last two in orgdept.demo.demo_procedures).

Idempotent: running it again adds nothing that is already there. All names are invented (Faker zh_CN).
"""

import random
from datetime import date, datetime, time, timedelta
from importlib import import_module

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from faker import Faker

from cadres.models import AppointmentProposal, Cadre, Position, PositionQuota, ProposalRound, Rank, Unit
from cadres.services import (
    EducationEntry,
    cadre_create,
    cadre_replace_family,
    cadre_replace_resume,
    cadre_replace_rewards,
    cadre_update,
    position_update,
    quota_set,
    unit_create,
)
from committees.models import (
    Committee,
    Leave,
    PortfolioPlan,
    QuarterlyReport,
    SubstituteArrangement,
    Term,
    TermMember,
    WorkArea,
)
from committees.services import (
    committee_create,
    leave_record,
    portfolio_assignment_set,
    portfolio_plan_activate,
    portfolio_plan_create,
    quarter_last_day,
    quarter_of,
    quarterly_report_record,
    substitute_designate,
    term_create,
    term_member_add,
    work_area_create,
)
from meetings.models import FollowUp, MeetingType, Topic, TopicCategory
from meetings.services.followups import follow_up_note_add
from meetings.services.meetings import (
    agenda_item_add,
    attendance_take,
    leave_request,
    meeting_adjourn,
    meeting_open,
    meeting_schedule,
    relation_add,
)
from meetings.services.topics import (
    consultation_close,
    consultation_request,
    material_add,
    opinion_submit,
    topic_approve,
    topic_cadre_add,
    topic_create,
    topic_submit,
)
from meetings.services.votes import (
    item_counts,
    item_defer,
    item_discuss,
    tally_enter,
    vote_record,
    voting_close,
    voting_open,
)
from orgdept.core import roles
from orgdept.core.idnumbers import id_number_check_char
from orgdept.core.pdf import html_to_pdf
from orgdept.demo.demo_procedures import ProcedureDemo, TrainingDemo
from training.models import TrainingClass, TrainingPlan

DEMO_PASSWORD = "orgdept-demo-2026"  # noqa: S105  (published demo accounts)
SEED = 20261121

UNITS = [
    ("区委办公室", "party"),
    ("区政府办公室", "government"),
    ("区纪委监委", "party"),
    ("区委组织部", "party"),
    ("区委宣传部", "party"),
    ("区委统战部", "party"),
    ("区委政法委", "party"),
    ("区发展和改革局", "government"),
    ("区教育局", "government"),
    ("区财政局", "government"),
    ("区人力资源和社会保障局", "government"),
    ("区自然资源局", "government"),
    ("区住房和城乡建设局", "government"),
    ("区交通运输局", "government"),
    ("区农业农村局", "government"),
    ("区商务局", "government"),
    ("区文化和旅游局", "government"),
    ("区卫生健康委员会", "government"),
    ("区应急管理局", "government"),
    ("区审计局", "government"),
    ("区市场监督管理局", "government"),
    ("区统计局", "government"),
    ("区信访局", "government"),
    ("城关街道", "township"),
    ("东湖街道", "township"),
    ("西山镇", "township"),
    ("南河镇", "township"),
    ("北岭乡", "township"),
    ("区融媒体中心", "institution"),
    ("区城市建设投资集团", "enterprise"),
]

DEMO_USERS = [
    ("admin", "系统", "管理员", roles.SYSTEM_ADMIN),
    ("buzhang", "部", "领导", roles.DEPARTMENT_LEADER),
    ("ganbu", "干部科", "科员", roles.CADRE_SECTION),
    ("zuzhi", "组织科", "科员", roles.ORGANIZATION_SECTION),
    ("peixun", "培训科", "科员", roles.TRAINING_SECTION),
    ("kaohe", "考核办", "科员", roles.APPRAISAL_OFFICE),
    ("changwei", None, None, roles.STANDING_MEMBER),
    ("weiyuan", None, None, roles.MEMBER),
    ("shuji", None, None, roles.STANDING_MEMBER),  # the secretary: 书记审定 of topics
    ("zuzhi2", "组织科", "复核员", roles.ORGANIZATION_SECTION),  # the second entry of paper-ballot tallies
]

STANDING_POSTS = [
    ("区委书记", Rank.ZHENG_CHU, "secretary", False),
    ("区委副书记、区长", Rank.ZHENG_CHU, "deputy_secretary", False),
    ("区委副书记", Rank.FU_CHU, "deputy_secretary", True),
    ("区委常委、区纪委书记、区监委主任", Rank.FU_CHU, "standing_member", False),
    ("区委常委、组织部部长", Rank.FU_CHU, "standing_member", False),
    ("区委常委、宣传部部长", Rank.FU_CHU, "standing_member", False),
    ("区委常委、统战部部长", Rank.FU_CHU, "standing_member", False),
    ("区委常委、政法委书记", Rank.FU_CHU, "standing_member", False),
    ("区委常委、常务副区长", Rank.FU_CHU, "standing_member", False),
    ("区委常委、区委办公室主任", Rank.FU_CHU, "standing_member", False),
    ("区委常委、人武部政委", Rank.FU_CHU, "standing_member", False),
]

FULL_TIME_EDUCATION = [
    ("研究生", "法学硕士", "浙江大学法学院法学专业"),
    ("大学", "经济学学士", "浙江工商大学经济学院国际贸易专业"),
    ("大学", "管理学学士", "浙江财经大学会计学院会计学专业"),
    ("大学", "工学学士", "浙江工业大学土木工程学院土木工程专业"),
    ("大专", "", "浙江广播电视大学行政管理专业"),
]

OVER_QUOTA_UNIT = "区商务局"
LEADERS_UNIT = "中共云岭区委员会"

# 常委分工 by index into STANDING_POSTS: (areas led, areas assisted). The secretary presides over the whole.
# Version 1 (from 2021-10-15); version 2 (from 2024-03-01) hands 教育 and 卫生 to the office director.
PORTFOLIO_V1 = {
    1: (["经济", "工业和信息化"], ["农业农村"]),
    2: (["群团", "信访", "党校", "人大政协联系"], []),
    3: (["纪检监察"], []),
    4: (["组织", "机构编制"], []),
    5: (["宣传", "文化"], []),
    6: (["统战", "民政和社会保障"], []),
    7: (["政法"], []),
    8: (["城建", "生态环境", "农业农村", "教育", "卫生"], ["经济"]),
    10: (["武装"], []),
}
PORTFOLIO_V2 = {
    **PORTFOLIO_V1,
    8: (["城建", "生态环境", "农业农村"], ["经济"]),
    9: (["教育", "卫生"], []),
}
PLAN_DATES = (date(2021, 10, 15), date(2024, 3, 1))
# 缺位互补: member index -> substitute index
SUBSTITUTES = {0: 2, 1: 8, 2: 4, 3: 7, 4: 2, 5: 6, 6: 5, 7: 3, 8: 1, 9: 2, 10: 7}
# the 政法委书记 is away these days (relative to the day the demo is loaded); the 纪委书记 covers
DEMO_LEAVE = (7, -1, 3, "赴省委党校参加专题培训")

AREA_CODES = ["330102", "330103", "330104", "330105", "330106", "330108", "330109", "330110"]


def make_id_number(rng: random.Random, born: date, male: bool, used: set[str]) -> str:
    while True:
        seq = rng.randint(0, 99) * 10 + rng.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8])
        body = f"{rng.choice(AREA_CODES)}{born:%Y%m%d}{seq:03d}"
        number = body + id_number_check_char(body)
        if number not in used:
            used.add(number)
            return number


class Command(BaseCommand):
    help = "载入演示数据（虚构的云岭区）：单位、干部、区委班子和每个角色的演示账号"

    @transaction.atomic
    def handle(self, *args, **options):
        rng = random.Random(SEED)
        fake = Faker("zh_CN")
        fake.seed_instance(SEED)
        units = self.load_units()
        cadres = self.load_cadres(rng, fake, units)
        self.load_positions(units)
        self.load_committee(rng, cadres)
        self.load_users(cadres)
        self.load_portfolios()
        self.load_meetings()
        today = timezone.localdate()
        # their own random stream, so that what they draw leaves the draws above as they were
        procedures = ProcedureDemo(rng=random.Random(SEED + 1), today=today)
        procedures.load()
        TrainingDemo(rng=random.Random(SEED + 2), today=today).load()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据就绪：{Unit.objects.count()} 个单位，{Cadre.objects.count()} 名干部，"
                f"{TermMember.objects.filter(left_on__isnull=True).count()} 名区委委员和候补委员。"
            )
        )
        self.stdout.write(
            f"干部任免：{ProposalRound.objects.count()} 个批次，{AppointmentProposal.objects.count()} 件任免事项；"
            f"教育培训：{TrainingPlan.objects.count()} 个年度计划，{TrainingClass.objects.count()} 个培训班。"
        )
        for note in procedures.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, _first, _last, role in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role}")

    def load_units(self) -> list[Unit]:
        """The units with cadres in them; the district's leaders (县处级) belong to the committee itself."""
        self.leaders_unit = Unit.objects.filter(name=LEADERS_UNIT).first() or unit_create(
            name=LEADERS_UNIT, kind=Unit.Kind.PARTY, short_name="区委", order=0, actor=None
        )
        units = []
        for order, (name, kind) in enumerate(UNITS, start=1):
            unit = Unit.objects.filter(name=name).first() or unit_create(
                name=name, kind=kind, short_name=name.removeprefix("区"), order=order, actor=None
            )
            units.append(unit)
        return units

    def load_cadres(self, rng, fake, units) -> list[Cadre]:
        used_in_run: set[str] = set()
        cadres: list[Cadre] = []
        plan = []
        # Standing members first; then each unit gets a head, deputies and staff.
        for post, rank, _role, _full in STANDING_POSTS:
            plan.append((self.leaders_unit, post, rank, (1966, 1978)))
        for unit in units:
            head = (
                "党委书记"
                if unit.kind == "township"
                else ("主任" if "委员会" in unit.name or "办公室" in unit.name else "局长")
            )
            if unit.kind == "township":
                head = "党工委书记" if unit.name.endswith("街道") else "党委书记"
            plan.append((unit, f"{unit.name}{head}", Rank.ZHENG_KE, (1968, 1982)))
            deputy = head.replace("书记", "副书记") if "书记" in head else f"副{head}"
            # one unit is given more deputies than its quota, to show how an over-quota unit looks
            for _ in range(4 if unit.name == OVER_QUOTA_UNIT else 3):
                plan.append((unit, f"{unit.name}{deputy}", Rank.FU_KE, (1972, 1988)))
            for _ in range(6):
                rank = rng.choice(
                    [
                        Rank.ZHUREN_KEYUAN_1,
                        Rank.ZHUREN_KEYUAN_2,
                        Rank.ZHUREN_KEYUAN_3,
                        Rank.ZHUREN_KEYUAN_4,
                        Rank.KEYUAN_1,
                    ]
                )
                plan.append((unit, f"{unit.name}{rank.label}", rank, (1975, 1998)))
        for unit, post, rank, (y0, y1) in plan:
            # Every value is drawn before looking at the database, so a second run draws the same ones.
            male = rng.random() < 0.68
            born = date(rng.randint(y0, y1), rng.randint(1, 12), rng.randint(1, 28))
            id_number = make_id_number(rng, born, male, used_in_run)
            name = fake.name_male() if male else fake.name_female()
            work_year = born.year + rng.randint(21, 24)
            status = Cadre.PoliticalStatus.CPC if rng.random() < 0.93 else Cadre.PoliticalStatus.MASSES
            if unit == self.leaders_unit:
                status = Cadre.PoliticalStatus.CPC  # the committee's leaders are Party members
            joined = date(born.year + rng.randint(19, 30), rng.randint(1, 12), 1)
            fields = dict(  # noqa: C408
                ethnicity=rng.choice(["汉族"] * 9 + ["回族", "满族", "壮族"]),
                native_place=rng.choice(["浙江杭州", "浙江绍兴", "浙江宁波", "江苏苏州", "安徽黄山", "江西上饶"]),
                political_status=status,
                party_joined_month=joined if status == Cadre.PoliticalStatus.CPC else None,
                work_started_month=date(work_year, rng.choice([7, 8, 9]), 1),
                full_time=EducationEntry(*rng.choice(FULL_TIME_EDUCATION)),
                current_post=post,
                rank=rank,
                post_since_month=date(min(2025, work_year + rng.randint(3, 20)), rng.randint(1, 12), 1),
            )
            sections = self.draw_sections(rng, fake, born, male, fields)
            existing = Cadre.objects.filter(id_number=id_number).first()
            if existing is None:
                existing = cadre_create(actor=None, unit=unit, name=name, id_number=id_number, **fields)
                self.fill_sections(existing, sections)
            cadres.append(existing)
        return cadres

    def draw_sections(self, rng, fake, born, male, fields) -> dict:
        """The resume, rewards and family of one cadre, drawn whether or not the cadre already exists."""
        school = fields["full_time"].school_major or "浙江大学"
        study_start = date(born.year + 18, 9, 1)
        work_start = fields["work_started_month"]
        jobs = ["区政府办公室科员", "西山镇党政办副主任", "区发展和改革局综合科科长", "区财政局预算科科长"]
        lines = [{"start_month": study_start, "end_month": work_start, "description": f"{school}学习"}]
        when = work_start
        for job in rng.sample(jobs, rng.randint(1, 3)):
            until = min(date(when.year + rng.randint(2, 6), rng.randint(1, 12), 1), fields["post_since_month"])
            if until <= when:
                break
            lines.append({"start_month": when, "end_month": until, "description": job})
            when = until
        since = max(when, fields["post_since_month"])
        if when < since:  # no gap in a resume: the last job lasts until the current post
            if len(lines) > 1:
                lines[-1]["end_month"] = since
            else:
                lines.append({"start_month": when, "end_month": since, "description": "区直机关工作"})
        lines.append({"start_month": since, "end_month": None, "description": fields["current_post"]})
        rewards = []
        if rng.random() < 0.3:
            rewards.append(
                {
                    "kind": "reward",
                    "month": date(rng.randint(2012, 2024), 12, 1),
                    "description": "年度考核优秀，记三等功",
                }
            )
        spouse_born = date(born.year + rng.randint(-3, 3), rng.randint(1, 12), 1)
        family = [
            {
                "relation": "妻子" if male else "丈夫",
                "name": fake.name_female() if male else fake.name_male(),
                "birth_month": spouse_born,
                "political_status": rng.choice(["中共党员", "群众"]),
                "work_and_post": rng.choice(["区第一小学教师", "区人民医院医生", "云岭农商银行职员", "自由职业"]),
            },
            {
                "relation": rng.choice(["儿子", "女儿"]),
                "name": fake.name(),
                "birth_month": date(min(born.year + rng.randint(25, 33), 2020), rng.randint(1, 12), 1),
                "political_status": "群众",
                "work_and_post": "学生",
            },
        ]
        return {"resume": lines, "rewards": rewards, "family": family, "phone": f"139{rng.randint(10**7, 10**8 - 1)}"}

    def fill_sections(self, cadre, sections) -> None:
        cadre_update(cadre=cadre, actor=None, health="健康", phone=sections["phone"], birthplace=cadre.native_place)
        cadre_replace_resume(cadre=cadre, actor=None, lines=sections["resume"])
        cadre_replace_rewards(cadre=cadre, actor=None, items=sections["rewards"])
        cadre_replace_family(cadre=cadre, actor=None, members=sections["family"])

    def load_positions(self, units) -> None:
        """Quotas for every unit (one head, three deputies) and the rotation rule of each leading post."""
        quotas = [(unit, ((Rank.ZHENG_KE, 1), (Rank.FU_KE, 3))) for unit in units]
        quotas.append((self.leaders_unit, ((Rank.ZHENG_CHU, 2), (Rank.FU_CHU, 9))))
        for unit, levels in quotas:
            for level, approved in levels:
                if not PositionQuota.objects.filter(unit=unit, level=level).exists():
                    quota_set(unit=unit, level=level, approved=approved, actor=None)
        # discipline and organization posts rotate sooner than other leading posts
        key_posts = Position.objects.filter(
            leading=True, unit__name__in=("区委组织部", "区纪委监委"), rotation_kind=Position.RotationKind.LEADER
        )
        for position in key_posts:
            position_update(position=position, actor=None, rotation_kind=Position.RotationKind.KEY)

    def load_committee(self, rng, cadres):
        committee = Committee.objects.filter(name="中共云岭区委员会").first() or committee_create(
            name="中共云岭区委员会", short_name="云岭区委", actor=None
        )
        term = Term.objects.filter(committee=committee, number=13).first() or term_create(
            committee=committee,
            number=13,
            starts_on=date(2021, 9, 28),
            actor=None,
            members_quota=40,
            alternates_quota=10,
            standing_quota=11,
            deputy_secretaries_quota=2,
        )
        standing = cadres[: len(STANDING_POSTS)]
        heads = [c for c in cadres[len(STANDING_POSTS) :] if c.rank == Rank.ZHENG_KE]
        deputies = [c for c in cadres if c.rank == Rank.FU_KE]
        plan = []
        for order, (cadre, (_post, _rank, role, full_time)) in enumerate(zip(standing, STANDING_POSTS, strict=True)):
            plan.append((cadre, role, order, full_time, None))
        for order, cadre in enumerate(heads[:29]):
            plan.append((cadre, TermMember.Role.MEMBER, order, False, None))
        votes = sorted(rng.sample(range(180, 260), 10), reverse=True)
        for order, (cadre, vote) in enumerate(zip(deputies[:10], votes, strict=True)):
            plan.append((cadre, TermMember.Role.ALTERNATE, order, False, vote))
        for cadre, role, order, full_time, vote in plan:
            if TermMember.objects.filter(term=term, cadre=cadre).exists():
                continue
            term_member_add(
                term=term,
                cadre=cadre,
                role=role,
                joined_on=term.starts_on,
                actor=None,
                order=order,
                full_time_deputy=full_time,
                election_votes=vote,
                concurrent_post="区长" if _post_of(cadre) == "区委副书记、区长" else "",
            )

    def load_users(self, cadres):
        User = get_user_model()
        members = TermMember.objects.filter(left_on__isnull=True).select_related("cadre")
        linked = {
            roles.STANDING_MEMBER: members.filter(role=TermMember.Role.STANDING_MEMBER).order_by("order").first(),
            roles.MEMBER: members.filter(role=TermMember.Role.MEMBER).order_by("order").first(),
        }
        seats = {"shuji": members.filter(role=TermMember.Role.SECRETARY).first()}
        for username, first, last, role in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, is_staff=(role == roles.SYSTEM_ADMIN))
                member = seats.get(username) or linked.get(role)
                if member:
                    user.first_name, user.last_name = member.cadre.name[1:], member.cadre.name[:1]
                else:
                    user.first_name, user.last_name = last, first
                user.set_password(DEMO_PASSWORD)
                user.save()
                if member and member.cadre.user_id is None:
                    member.cadre.user = user
                    member.cadre.save(update_fields=["user", "updated_at"])
            user.groups.add(Group.objects.get(name=role))

    def load_portfolios(self):
        """Two versions of the 常委分工 (the second in force), 缺位互补 for every standing member, one leave going
        on, and last quarter's reports."""
        term = Term.objects.get(committee__name=LEADERS_UNIT, number=13)
        standing = list(term.members.filter(role__in=TermMember.STANDING_ROLES))
        standing.sort(key=lambda m: (TermMember.ROLE_ORDER[m.role], m.order))
        if not PortfolioPlan.objects.filter(term=term).exists():
            areas = {a.name: a for a in WorkArea.objects.all()}
            # the catalogue comes with the migrations; a database emptied since gets it back here
            seeded = import_module("committees.migrations.0003_seed_work_areas").AREAS
            for order, (name, description) in enumerate(seeded, start=1):
                if name not in areas:
                    areas[name] = work_area_create(name=name, description=description, order=order * 10, actor=None)
            for version, effective_from in zip((PORTFOLIO_V1, PORTFOLIO_V2), PLAN_DATES, strict=True):
                plan = portfolio_plan_create(term=term, actor=None, title="常委分工")
                for index, (leads, assists) in version.items():
                    for names, kind in ((leads, "lead"), (assists, "assist")):
                        for name in names:
                            portfolio_assignment_set(
                                plan=plan, area=areas[name], member=standing[index], kind=kind, actor=None
                            )
                for assignment in list(plan.assignments.select_related("area", "member")):
                    held = version.get(standing.index(assignment.member), ([], []))
                    if assignment.area.name not in held[0] + held[1]:  # carried over from the previous version
                        portfolio_assignment_set(
                            plan=plan, area=assignment.area, member=assignment.member, kind=None, actor=None
                        )
                portfolio_plan_activate(plan=plan, effective_from=effective_from, actor=None)
        if not SubstituteArrangement.objects.filter(member__term=term).exists():
            for index, substitute in SUBSTITUTES.items():
                substitute_designate(
                    member=standing[index], substitute=standing[substitute], effective_from=PLAN_DATES[0], actor=None
                )
        today = timezone.localdate()
        if not Leave.objects.filter(member__term=term).exists():
            index, start, end, reason = DEMO_LEAVE
            leave_record(
                member=standing[index],
                starts_on=today + timedelta(days=start),
                ends_on=today + timedelta(days=end),
                reason=reason,
                actor=None,
            )
        if not QuarterlyReport.objects.filter(member__term=term).exists():
            year, quarter = quarter_of(today)
            year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
            reported_on = quarter_last_day(year, quarter) - timedelta(days=10)
            for member in standing[1:-1]:  # the secretary hears them; one report is still missing
                quarterly_report_record(
                    member=member,
                    year=year,
                    quarter=quarter,
                    reported_on=reported_on,
                    actor=None,
                    summary="分管领域本季度工作完成情况",
                )

    # -- meetings: topics, past meetings with their votes, the next 常委会 and an open consultation -------------

    def load_meetings(self):
        """Topics in each state; two past 常委会 (attendance with a leave, a cadre item voted per cadre, an item
        with a work area that became a decision followed up, a 缓议), a past 书记办公会, a past 全委会 with a
        差额票决 by secret ballot entered twice, a 常委会 in three days with its materials, and a consultation of the
        standing members due in two days. All through the services; nothing is added on a second run."""
        term = Term.objects.select_related("committee").get(committee__name=LEADERS_UNIT, number=13)
        if Topic.objects.filter(committee=term.committee).exists():
            return
        if not MeetingType.objects.exists():
            # the rules of procedure come with the migrations; a database emptied since gets them back here
            import_module("meetings.migrations.0002_seed_meeting_rules").seed(django_apps, None)
        User = get_user_model()
        users = {name: User.objects.get(username=name) for name in ("zuzhi", "zuzhi2", "ganbu", "shuji")}
        standing = list(
            term.members.filter(role__in=TermMember.STANDING_ROLES, left_on__isnull=True).select_related("cadre__user")
        )
        standing.sort(key=lambda m: (TermMember.ROLE_ORDER[m.role], m.order))
        full = list(
            term.members.filter(role__in=TermMember.FULL_MEMBER_ROLES, left_on__isnull=True).select_related("cadre")
        )
        full.sort(key=lambda m: (TermMember.ROLE_ORDER[m.role], m.order))
        self.demo = {
            "term": term,
            "users": users,
            "standing": standing,
            "types": {t.code: t for t in MeetingType.objects.all()},
            "categories": {c.name: c for c in TopicCategory.objects.all()},
            "units": {u.name: u for u in Unit.objects.all()},
            "areas": {a.name: a for a in WorkArea.objects.all()},
        }
        zuzhi, zuzhi2 = users["zuzhi"], users["zuzhi2"]
        today = timezone.localdate()

        # 常委会 (past): a cadre item voted per cadre, and an item on party building that is followed up
        first_cadres = self.demo_cadres("区教育局", 1) + self.demo_cadres("西山镇", 1)
        cadre_topic = self.demo_topic(
            title=f"关于{'、'.join(c.name for c in first_cadres)}同志职务任免的议题",
            category="区管干部任免、提名和推荐",
            unit="区委组织部",
            cadres=[(first_cadres[0], "拟任区教育局局长"), (first_cadres[1], "拟任西山镇党委书记")],
        )
        party_topic = self.demo_topic(
            title="关于加强基层党组织标准化规范化建设的实施意见",
            category="党的建设重大问题",
            unit="区委组织部",
            area="组织",
        )
        meeting = self.demo_meeting("standing", demo_day(today, -24, 9), [cadre_topic, party_topic])
        cadre_item, party_item = meeting.items.order_by("order")
        self.demo_hold(meeting, {standing[6]: "赴省委统战部参加全省统战工作会议"})
        self.demo_open_vote(cadre_item, dissent={(first_cadres[1].pk, standing[9].pk): "缓议"})
        self.demo_open_vote(
            party_item, decision_text="会议原则同意该实施意见，由区委组织部牵头，年底前完成全区基层党组织达标创建。"
        )
        meeting_adjourn(meeting=meeting, actor=zuzhi)
        follow_up = FollowUp.objects.get(decision__item=party_item)
        follow_up_note_add(
            follow_up=follow_up, text="已召开全区推进会，制定任务分解表，完成首批32个党组织达标验收。", actor=zuzhi
        )

        # 全委会 (past): a 差额票决 of three candidates for one post, by secret ballot entered twice
        candidates = self.demo_cadres("区发展和改革局", 2) + self.demo_cadres("区财政局", 1)
        plenary_topic = self.demo_topic(
            title="公推公选区发展和改革局局长人选的议题",
            category="公推公选重要区管职位人选表决",
            type_code="plenary",
            unit="区委组织部",
            cadres=[(c, "区发展和改革局局长人选") for c in candidates],
            posts=1,
        )
        meeting = self.demo_meeting("plenary", demo_day(today, -20, 9), [plenary_topic])
        item = meeting.items.get()
        self.demo_hold(
            meeting,
            {full[-1]: "在外地参加招商引资活动", full[-2]: "因病住院"},
        )
        voting_open(item=item, actor=zuzhi)
        rows = list(item.topic.cadres.order_by("order"))
        counts = {
            str(row.pk): dict(zip(("同意", "不同意", "弃权"), tally, strict=True))
            for row, tally in zip(rows, ((24, 10, 4), (11, 22, 5), (3, 30, 5)), strict=True)
        }
        for clerk in (zuzhi, zuzhi2):
            tally_enter(
                item=item, actor=clerk, ballots_issued=38, ballots_returned=38, ballots_invalid=0, counts=counts
            )
        winner = rows[0].cadre.name  # the most votes in favour, and more than half of the 40
        voting_close(
            item=item, actor=zuzhi, decision_text=f"确定{winner}为区发展和改革局局长人选，按程序办理任职手续。"
        )
        meeting_adjourn(meeting=meeting, actor=zuzhi)

        # 书记办公会 (past): it prepares the 常委会 and decides nothing; its items are discussed
        agenda_topic = self.demo_topic(
            title="关于第2次常委会议题安排的意见",
            category="常委会议题酝酿和会议安排",
            type_code="secretaries",
            unit="区委办公室",
        )
        coordination_topic = self.demo_topic(
            title="关于近期安全生产和信访维稳工作的协调意见",
            category="区委日常工作中的协调事项",
            type_code="secretaries",
            unit="区委办公室",
        )
        meeting = self.demo_meeting("secretaries", demo_day(today, -13, 15), [agenda_topic, coordination_topic])
        self.demo_hold(meeting, {})
        first, second = meeting.items.order_by("order")
        item_discuss(
            item=first,
            note="同意将区融媒体中心改革方案等2项议题提请常委会研究，会前书面征求有关常委意见。",
            actor=zuzhi,
        )
        item_discuss(
            item=second, note="由区政府分管负责同志牵头，节前开展一次安全生产和信访积案集中排查。", actor=zuzhi
        )
        meeting_adjourn(meeting=meeting, actor=zuzhi)

        # 常委会 (past): an item followed up, and one put off (缓议)
        media_topic = self.demo_topic(
            title="关于深化区融媒体中心改革的方案",
            category="意识形态和宣传思想工作",
            unit="区委宣传部",
            area="宣传",
        )
        structure_topic = self.demo_topic(
            title="关于调整区直部门内设机构的方案", category="机构编制事项", unit="区委办公室"
        )
        meeting = self.demo_meeting("standing", demo_day(today, -10, 9), [media_topic, structure_topic])
        media_item, structure_item = meeting.items.order_by("order")
        self.demo_hold(meeting, {})
        self.demo_open_vote(media_item, dissent={(None, standing[8].pk): "弃权"})
        item_defer(item=structure_item, reason="涉及部门职能调整，需进一步征求区政府和有关部门意见后再议", actor=zuzhi)
        meeting_adjourn(meeting=meeting, actor=zuzhi)

        # the next 常委会, in three days: three approved items with their materials; one member recused, one away
        next_cadre = self.demo_cadres("区卫生健康委员会", 1)[0]
        relation_add(member_cadre=standing[5].cadre, cadre=next_cadre, relation="表兄弟", actor=zuzhi)
        upcoming = [
            self.demo_topic(
                title="关于开展安全生产治本攻坚三年行动的实施方案",
                category="政法维稳和安全生产",
                unit="区应急管理局",
                area="政法",
            ),
            self.demo_topic(
                title="关于加强新时代统一战线工作的实施意见",
                category="统一战线和群团工作",
                unit="区委统战部",
                area="统战",
            ),
            self.demo_topic(
                title=f"关于{next_cadre.name}同志任职的议题",
                category="区管干部任免、提名和推荐",
                unit="区委组织部",
                cadres=[(next_cadre, "拟任区卫生健康委员会主任")],
            ),
        ]
        meeting = self.demo_meeting("standing", demo_day(today, 3, 9), upcoming)
        leave_request(meeting=meeting, member=standing[DEMO_LEAVE[0]], reason=DEMO_LEAVE[3], actor=zuzhi)

        # topics still on their way: a draft, one awaiting 书记审定 (and the standing members' opinions), one approved
        self.demo_topic(
            title="关于推进城乡社区治理现代化的实施意见",
            category="党的建设重大问题",
            unit="区委组织部",
            area="组织",
            status=Topic.Status.DRAFT,
        )
        consulted = self.demo_topic(
            title="关于进一步加强年轻干部培养选拔工作的意见",
            category="党的建设重大问题",
            unit="区委组织部",
            area="组织",
            status=Topic.Status.SUBMITTED,
        )
        consultation = consultation_request(
            topic=consulted,
            deadline=timezone.now() + timedelta(days=2),
            question="请对意见稿提出修改意见，于截止时间前在系统中反馈。",
            actor=zuzhi,
        )
        opinion_submit(
            consultation=consultation,
            member=standing[1],
            text="建议增加年轻干部到基层一线和吃劲岗位历练的具体措施。",
            actor=standing[1].cadre.user or zuzhi,
        )
        self.demo_topic(
            title="关于加强网络意识形态阵地建设的实施方案",
            category="意识形态和宣传思想工作",
            unit="区委宣传部",
            area="宣传",
        )

    def demo_cadres(self, unit_name: str, count: int) -> list[Cadre]:
        """Deputies of a unit who hold no seat in the committee: the subjects of the demo's cadre items."""
        return list(
            Cadre.objects.filter(unit__name=unit_name, rank=Rank.FU_KE, memberships__isnull=True).order_by("pk")[:count]
        )

    def demo_topic(
        self,
        *,
        title: str,
        category: str,
        unit: str,
        type_code: str = "standing",
        area: str | None = None,
        cadres=(),
        posts: int | None = None,
        status: str = Topic.Status.APPROVED,
    ) -> Topic:
        """A topic entered by 干部科 (cadre items) or 组织科, with a material, taken as far as `status`: submitted,
        consulted where its category requires it, approved by the secretary."""
        demo = self.demo
        category_obj = demo["categories"][category]
        actor = demo["users"]["ganbu"] if category_obj.cadre_item else demo["users"]["zuzhi"]
        unit_obj = demo["units"][unit]
        topic = topic_create(
            committee=demo["term"].committee,
            title=title,
            summary=f"{unit_obj.name}提请{demo['types'][type_code].name}研究。",
            category=category_obj,
            requested_type=demo["types"][type_code],
            unit=unit_obj,
            work_area=demo["areas"][area] if area else None,
            posts=posts,
            actor=actor,
        )
        for cadre, proposal in cadres:
            topic_cadre_add(topic=topic, cadre=cadre, proposal=proposal, actor=actor)
        material_add(topic=topic, upload=demo_material(title, topic_paragraphs(unit_obj.name, title)), actor=actor)
        for cadre, proposal in cadres:
            name = f"{cadre.name}同志考察材料"
            material_add(topic=topic, upload=demo_material(name, inspection_paragraphs(cadre, proposal)), actor=actor)
        if status == Topic.Status.DRAFT:
            return topic
        topic_submit(topic=topic, actor=actor)
        if status == Topic.Status.SUBMITTED:
            return topic
        if category_obj.consultation_required:
            members = demo["standing"]
            consultation = consultation_request(
                topic=topic, deadline=timezone.now() + timedelta(days=1), members=members, actor=actor
            )
            for member in members:
                opinion_submit(
                    consultation=consultation,
                    member=member,
                    text="同意提请会议研究。",
                    actor=member.cadre.user or actor,
                )
            consultation_close(consultation=consultation, actor=actor)
        topic_approve(topic=topic, actor=demo["users"]["shuji"])
        topic.refresh_from_db()
        return topic

    def demo_meeting(self, type_code: str, when, topics):
        demo = self.demo
        meeting = meeting_schedule(
            term=demo["term"],
            meeting_type=demo["types"][type_code],
            starts_at=when,
            place="区委常委会议室" if type_code != "plenary" else "区行政中心一号会议室",
            presided_by=demo["standing"][0],
            actor=demo["users"]["zuzhi"],
        )
        for topic in topics:
            agenda_item_add(meeting=meeting, topic=topic, actor=demo["users"]["zuzhi"])
        return meeting

    def demo_hold(self, meeting, away: dict) -> None:
        """Leave asked by those `away` (member -> reason), everyone else present, the meeting opened."""
        zuzhi = self.demo["users"]["zuzhi"]
        for member, reason in away.items():
            leave_request(meeting=meeting, member=member, reason=reason, actor=zuzhi)
        away_ids = {m.pk for m in away}
        present = set(meeting.attendances.exclude(member_id__in=away_ids).values_list("member_id", flat=True))
        attendance_take(meeting=meeting, present=present, reasons={}, actor=zuzhi)
        meeting_open(meeting=meeting, actor=zuzhi)

    def demo_open_vote(self, item, *, dissent: dict | None = None, decision_text: str = "") -> None:
        """An open vote (常委会): each member says 同意 unless `dissent` says otherwise for (cadre pk or None,
        member pk); per cadre on a cadre item; the secretary speaks last."""
        zuzhi = self.demo["users"]["zuzhi"]
        voting_open(item=item, actor=zuzhi)
        item.refresh_from_db()
        voters = list(TermMember.objects.filter(pk__in=item_counts(item).voters).select_related("cadre"))
        voters.sort(key=lambda m: (m.role == TermMember.Role.SECRETARY, TermMember.ROLE_ORDER[m.role], m.order))
        rows = list(item.topic.cadres.select_related("cadre")) or [None]
        for row in rows:
            for member in voters:
                choice = (dissent or {}).get((row.cadre_id if row else None, member.pk), "同意")
                vote_record(item=item, member=member, choice=choice, candidate=row, actor=zuzhi)
        voting_close(item=item, actor=zuzhi, decision_text=decision_text)


def demo_day(today: date, days: int, hour: int) -> datetime:
    """`days` from today at `hour`; a past meeting falls on the working day before a weekend."""
    day = today + timedelta(days=days)
    while days < 0 and day.weekday() >= 5:
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def topic_paragraphs(unit: str, title: str) -> list[str]:
    return [
        f"{unit}：",
        f"现将《{title}》提请会议研究。",
        "一、基本情况。根据上级部署要求，结合我区实际，经深入调研、广泛征求意见，形成了本文稿。",
        "二、主要内容。文稿明确了目标任务、工作措施、责任分工和时间安排，突出问题导向和可操作性。",
        "三、需会议研究的事项。建议会议审议通过，由牵头单位抓好组织实施，定期报告进展情况。",
    ]


def inspection_paragraphs(cadre: Cadre, proposal: str) -> list[str]:
    return [
        f"{cadre.name}，{cadre.get_gender_display()}，{cadre.birth_month:%Y年%m月}生，现任{cadre.current_post}，{proposal}。",
        "考察组通过个别谈话、民主测评、查阅档案和听取纪检监察机关意见等方式进行了考察。",
        "该同志政治立场坚定，工作思路清晰，敢于担当，群众基础较好，廉洁自律方面未发现问题。",
        "考察组认为该同志符合拟任职务的资格条件，建议按程序提请会议讨论决定。",
    ]


def demo_material(title: str, paragraphs: list[str]) -> SimpleUploadedFile:
    """A small PDF material rendered with WeasyPrint."""
    families = ", ".join(f'"{f}"' for f in settings.ORGDEPT_PDF_FONT_FAMILIES)
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    html = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>'
        "@page { size: A4; margin: 25mm 22mm; }"
        f"body {{ font-family: {families}, serif; font-size: 12pt; line-height: 1.8; }}"
        "h1 { text-align: center; font-size: 18pt; margin-bottom: 8mm; } p { text-indent: 2em; margin: 0 0 2mm; }"
        f"</style></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return SimpleUploadedFile(f"{title}.pdf", html_to_pdf(html), content_type="application/pdf")


def _post_of(cadre: Cadre) -> str:
    return cadre.current_post

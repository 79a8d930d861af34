"""Loads the fictional 云岭区 demo: 31 units, about 300 cadres, the committee's current term and one user per role.

Idempotent: running it again adds nothing that is already there. All names are invented (Faker zh_CN).
"""

import random
from datetime import date, timedelta
from importlib import import_module

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from faker import Faker

from cadres.models import Cadre, Position, PositionQuota, Rank, Unit
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
from orgdept.core import roles
from orgdept.core.idnumbers import id_number_check_char

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
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据就绪：{Unit.objects.count()} 个单位，{Cadre.objects.count()} 名干部，"
                f"{TermMember.objects.filter(left_on__isnull=True).count()} 名区委委员和候补委员。"
            )
        )
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
        for username, first, last, role in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, is_staff=(role == roles.SYSTEM_ADMIN))
                member = linked.get(role)
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


def _post_of(cadre: Cadre) -> str:
    return cadre.current_post

"""Seeds the four meeting types with the central and local default rules, and the matters each may decide
(seed 000: 书记办公会 5, 常委会 13, 全委会 7)."""

from django.db import migrations

STANDING = ["secretary", "deputy_secretary", "standing_member"]
FULL = [*STANDING, "member"]

TYPES = [
    # code, name, decides, voting, nonvoting, observers, cadence (count, period, gap days), secret ballot
    ("secretaries", "书记办公会", False, [], ["secretary", "deputy_secretary"], "", (0, "", None), False),
    ("standing", "常委会", True, STANDING, [], "区人大常委会、区政协主要负责同志，区政府副区长（根据议题）",
     (2, "month", 15), False),
    ("plenary", "全委会", True, FULL, ["alternate"], "区纪委委员，有关负责同志", (4, "year", None), True),
    ("joint", "党政联席会", True, STANDING, [], "区政府副区长，有关部门主要负责同志", (1, "month", 31), False),
]

CATEGORIES = [
    # name, decided by, cadre item, plenary only, consultation required
    ("常委会议题酝酿和会议安排", ["secretaries"], False, False, False),
    ("重要工作部署的沟通协调", ["secretaries"], False, False, False),
    ("提交常委会的重要事项准备", ["secretaries"], False, False, False),
    ("重大突发事件情况通报", ["secretaries"], False, False, False),
    ("区委日常工作中的协调事项", ["secretaries"], False, False, False),
    ("贯彻落实上级重大决策部署", ["standing"], False, False, False),
    ("经济社会发展重大问题", ["standing", "plenary"], False, False, True),
    ("党的建设重大问题", ["standing", "plenary"], False, False, False),
    ("区管干部任免、提名和推荐", ["standing"], True, False, True),
    ("干部奖惩", ["standing"], True, False, False),
    ("重要人事安排建议", ["standing"], True, False, True),
    ("机构编制事项", ["standing"], False, False, False),
    ("重大项目和大额资金使用", ["standing", "joint"], False, False, True),
    ("意识形态和宣传思想工作", ["standing"], False, False, False),
    ("政法维稳和安全生产", ["standing", "joint"], False, False, False),
    ("统一战线和群团工作", ["standing"], False, False, False),
    ("党风廉政建设和反腐败工作", ["standing"], False, False, False),
    ("全委会筹备及提请全委会决定的事项", ["standing"], False, False, False),
    ("常委会工作报告", ["plenary"], False, True, False),
    ("区管中层正职领导干部任免", ["plenary"], True, True, True),
    ("市管后备干部推荐", ["plenary"], True, True, True),
    ("公推公选重要区管职位人选表决", ["plenary"], True, True, True),
    ("常委会提请决定的重要事项", ["plenary"], False, False, False),
    ("跨部门重点工作协调", ["joint"], False, False, False),
]

CADRE_OPTIONS = {
    "standing": ["同意", "不同意", "缓议"],
    "plenary": ["同意", "不同意", "弃权"],
}


def seed(apps, schema_editor):
    MeetingType = apps.get_model("meetings", "MeetingType")
    TopicCategory = apps.get_model("meetings", "TopicCategory")
    types = {}
    for order, (code, name, decides, voting, nonvoting, observers, cadence, secret) in enumerate(TYPES, start=1):
        count, period, gap = cadence
        types[code], _created = MeetingType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "decides": decides,
                "voting_roles": voting,
                "nonvoting_roles": nonvoting,
                "observers": observers,
                "cadence_count": count,
                "cadence_period": period,
                "cadence_gap_days": gap,
                "secret_ballot": secret,
                "cadre_vote_options": CADRE_OPTIONS.get(code, []),
                "vote_options": ["同意", "不同意", "弃权"] if decides else [],
                "order": order * 10,
            },
        )
    for order, (name, decided_by, cadre, plenary_only, consult) in enumerate(CATEGORIES, start=1):
        category, created = TopicCategory.objects.get_or_create(
            name=name,
            defaults={
                "cadre_item": cadre,
                "plenary_only": plenary_only,
                "consultation_required": consult,
                "order": order * 10,
            },
        )
        if created:
            category.meeting_types.set([types[code] for code in decided_by])


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_meeting_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

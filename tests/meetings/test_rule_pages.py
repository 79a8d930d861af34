"""The rules of procedure pages: everyone in the committee's business reads them as the rules are written; only
the 系统管理员 changes them, each refusal in Chinese next to its field, each change audited old → new."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from meetings.models import MeetingType, TopicCategory
from meetings.services.rules import meeting_type_update, topic_category_create, topic_category_update
from orgdept.core import roles
from orgdept.core.audit_actions import audit_action_label
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent

RULES = reverse("meetings:rule_list")
NEW_CATEGORY = reverse("meetings:category_create")
STANDING_QUORUM = "出席：过半数应到会成员；干部任免事项：三分之二以上；通过：赞成票超过应到会成员半数"
READERS = [roles.CADRE_SECTION, roles.ORGANIZATION_SECTION, roles.DEPARTMENT_LEADER, roles.MEMBER]


def edit_url(code: str) -> str:
    return reverse("meetings:meeting_type_edit", args=[MeetingType.objects.get(code=code).pk])


def category_url(name: str) -> str:
    return reverse("meetings:category_edit", args=[TopicCategory.objects.get(name=name).pk])


def field_block(page: str, name: str) -> str:
    """The HTML of the form field `name`: its label, input and the errors shown next to it."""
    blocks = re.findall(r'<div class="field[^"]*">.*?(?=<div class="field[ "]|</fieldset>|<button)', page, re.S)
    matching = [b for b in blocks if f'name="{name}"' in b]
    assert len(matching) == 1, f"no single field {name}"
    return matching[0]


def field_errors(page: str, name: str) -> list[str]:
    return re.findall(r'<div class="field-error" role="alert">(.*?)</div>', field_block(page, name))


def type_post(code: str, **changes) -> dict:
    """The form as the page fills it for the type `code`, with `changes`."""
    t = MeetingType.objects.get(code=code)
    data = {
        "name": t.name,
        "decides": "on" if t.decides else "",
        "voting_roles": t.voting_roles,
        "nonvoting_roles": t.nonvoting_roles,
        "observers": t.observers,
        "quorum_num": t.quorum_num,
        "quorum_den": t.quorum_den,
        "cadre_quorum_num": t.cadre_quorum_num,
        "cadre_quorum_den": t.cadre_quorum_den,
        "pass_num": t.pass_num,
        "pass_den": t.pass_den,
        "vote_options": "\n".join(t.vote_options),
        "cadre_vote_options": "\n".join(t.cadre_vote_options),
        "secret_ballot": "on" if t.secret_ballot else "",
        "recused_count_as_expected": "on" if t.recused_count_as_expected else "",
        "cadence_count": t.cadence_count,
        "cadence_period": t.cadence_period,
        "cadence_gap_days": t.cadence_gap_days if t.cadence_gap_days is not None else "",
        "order": t.order,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def types(*codes: str) -> list[int]:
    return [MeetingType.objects.get(code=c).pk for c in codes]


@pytest.fixture
def admin(make_user):
    return make_user(roles.SYSTEM_ADMIN, username="admin")


@pytest.fixture
def member(make_user):
    return make_user(roles.STANDING_MEMBER, username="changwei")


# --- reading the rules -----------------------------------------------------------------------------------------


def test_the_rules_read_as_they_are_written(client, member):
    client.force_login(member)
    response = client.get(RULES)
    assert response.status_code == 200
    page = response.content.decode()
    by_code = {r.meeting_type.code: r for r in response.context["types"]}
    assert (
        by_code["standing"].quorum
        == "出席：过半数应到会成员；干部任免事项：三分之二以上；通过：赞成票超过应到会成员半数"
    )
    assert by_code["secretaries"].quorum == "出席：过半数应到会成员；干部任免事项：三分之二以上；不作决定"
    assert (by_code["plenary"].voting, by_code["plenary"].nonvoting) == ("书记、副书记、常委、委员", "候补委员")
    assert (by_code["secretaries"].voting, by_code["secretaries"].nonvoting) == ("", "书记、副书记")
    assert by_code["standing"].cadence == "每月至少2次；超过15天未召开即提醒"
    assert by_code["plenary"].cadence == "每年至少4次"
    assert by_code["secretaries"].cadence == "根据需要召开"
    assert by_code["plenary"].ballot == "干部任免事项无记名投票"
    assert STANDING_QUORUM in page
    assert "同意 / 不同意 / 缓议" in page  # the standing committee's cadre vote
    assert "同意 / 不同意 / 弃权" in page
    # the matrix: 5, 13, 7 (seed 000) and the joint meeting's 3
    assert response.context["counts"] == [5, 13, 7, 3]
    counts = re.search(r'data-testid="scope-counts">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="tick num">(\d+)</td>', counts) == ["5", "13", "7", "3"]
    rows = {row.category.name: row.ticks for row in response.context["rows"]}
    assert len(rows) == 24
    assert rows["重大项目和大额资金使用"] == [False, True, False, True]
    assert rows["公推公选重要区管职位人选表决"] == [False, False, True, False]
    # a member reads; the edit links are not there
    assert "meeting_type_edit" not in page and edit_url("standing") not in page
    assert NEW_CATEGORY not in page and category_url("干部奖惩") not in page


@pytest.mark.parametrize(
    "role", [roles.CADRE_SECTION, roles.ORGANIZATION_SECTION, roles.DEPARTMENT_LEADER, roles.MEMBER]
)
def test_the_committee_s_business_reads_the_rules_and_may_not_change_them(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(RULES).status_code == 200
    assert client.get(edit_url("standing")).status_code == 403
    assert client.post(edit_url("standing"), type_post("standing", quorum_num=2, quorum_den=3)).status_code == 403
    assert client.get(NEW_CATEGORY).status_code == 403
    assert client.get(category_url("干部奖惩")).status_code == 403
    assert MeetingType.objects.get(code="standing").quorum_num == 1


def test_others_do_not_read_them(client, make_user):
    client.force_login(make_user(roles.TRAINING_SECTION))
    assert client.get(RULES).status_code == 403
    client.logout()
    assert client.get(RULES).status_code == 302  # to the sign-in page


def test_the_administrator_sees_the_edit_links(client, admin):
    client.force_login(admin)
    page = client.get(RULES).content.decode()
    for code in ("secretaries", "standing", "plenary", "joint"):
        assert edit_url(code) in page
    assert NEW_CATEGORY in page
    assert category_url("干部奖惩") in page


# --- changing a type's rules -----------------------------------------------------------------------------------


def test_the_administrator_changes_a_type_s_rules_and_the_change_is_audited(client, admin):
    client.force_login(admin)
    page = client.get(edit_url("standing")).content.decode()
    checked = re.findall(r'value="(\w+)"[^>]*checked', field_block(page, "voting_roles"))
    assert checked == ["secretary", "deputy_secretary", "standing_member"]
    response = client.post(
        edit_url("standing"),
        type_post(
            "standing",
            cadre_quorum_num=3,
            cadre_quorum_den=4,
            cadence_gap_days=20,
            cadre_vote_options="同意\n不同意\n缓议\n弃权",
        ),
    )
    assert response.status_code == 302
    assert response.url == RULES
    standing = MeetingType.objects.get(code="standing")
    assert (standing.cadre_quorum_num, standing.cadre_quorum_den, standing.cadence_gap_days) == (3, 4, 20)
    assert standing.cadre_vote_options == ["同意", "不同意", "缓议", "弃权"]
    event = AuditEvent.objects.get(action="meeting_type.updated")
    assert event.actor == admin
    assert event.object_repr == "常委会"
    assert event.details["changes"] == {
        "cadre_quorum_num": [2, 3],
        "cadre_quorum_den": [3, 4],
        "cadence_gap_days": [15, 20],
        "cadre_vote_options": [["同意", "不同意", "缓议"], ["同意", "不同意", "缓议", "弃权"]],
    }
    assert audit_action_label("meeting_type.updated") == "修改议事规则"
    page = client.get(RULES).content.decode()
    assert "出席：过半数应到会成员；干部任免事项：四分之三以上；通过：赞成票超过应到会成员半数" in page
    assert "每月至少2次；超过20天未召开即提醒" in page
    # saving unchanged writes nothing
    client.post(edit_url("standing"), type_post("standing"))
    assert AuditEvent.objects.filter(action="meeting_type.updated").count() == 1


def test_roles_are_audited_by_their_chinese_names(admin):
    joint = MeetingType.objects.get(code="joint")
    meeting_type_update(meeting_type=joint, actor=admin, nonvoting_roles=["member"])
    event = AuditEvent.objects.get(action="meeting_type.updated")
    assert event.details["changes"] == {"nonvoting_roles": [[], ["委员"]]}


CADRE_SCOPE = "区管干部任免、提名和推荐、干部奖惩、重要人事安排建议"
PLENARY_SCOPE = "常委会工作报告、区管中层正职领导干部任免、市管后备干部推荐、公推公选重要区管职位人选表决"
TYPE_REFUSALS = [
    (
        "standing",
        {"quorum_num": 2, "quorum_den": 2},
        "quorum_num",
        "到会人数比例须小于全体（分子须小于分母），现为全体",
    ),
    ("standing", {"quorum_num": 0}, "quorum_num", "到会人数比例的分子须大于0"),
    ("standing", {"quorum_den": 0}, "quorum_den", "到会人数比例的分母须大于0"),
    (
        "plenary",
        {"cadre_quorum_num": 4, "cadre_quorum_den": 3},
        "cadre_quorum_num",
        "干部议题到会比例不能超过全体（分子不能大于分母）",
    ),
    ("plenary", {"pass_num": 3, "pass_den": 3}, "pass_num", "通过比例须小于全体（分子须小于分母），现为全体"),
    ("standing", {"vote_options": ""}, "vote_options", "决策机构须设表决选项（每行一项，第一项为赞成）"),
    (
        "standing",
        {"cadre_vote_options": ""},
        "cadre_vote_options",
        f"本会议决定干部任免事项（{CADRE_SCOPE}），须设干部议题表决选项",
    ),
    ("standing", {"vote_options": "同意\n同意"}, "vote_options", "表决选项“同意”重复"),
    (
        "standing",
        {"vote_options": "同意\n非常非常非常非常不同意"},
        "vote_options",
        "表决选项“非常非常非常非常不同意”过长，每项不超过10个字",
    ),
    (
        "plenary",
        {"decides": ""},
        "decides",
        f"本会议的议事范围含须由全委会决定的事项（{PLENARY_SCOPE}），不能设为非决策机构",
    ),
    ("standing", {"voting_roles": []}, "voting_roles", "决策机构须有有表决权的出席身份"),
    (
        "plenary",
        {"nonvoting_roles": ["member", "alternate"]},
        "nonvoting_roles",
        "委员不能既有表决权又无表决权，请只选一处",
    ),
    ("joint", {"cadence_period": ""}, "cadence_period", "规定了至少召开次数，请选择周期（每月或每年）"),
    ("secretaries", {"cadence_period": "month"}, "cadence_count", "已选择周期“每月”，请填写至少召开次数"),
    ("standing", {"cadence_gap_days": 0}, "cadence_gap_days", "提醒天数须大于0，不需要提醒时请留空"),
    ("standing", {"name": "全委会"}, "name", "已有名为“全委会”的会议类型"),
]


@pytest.mark.parametrize(("code", "changes", "field", "message"), TYPE_REFUSALS)
def test_each_refusal_is_shown_next_to_its_field(client, admin, code, changes, field, message):
    client.force_login(admin)
    before = MeetingType.objects.get(code=code)
    response = client.post(edit_url(code), type_post(code, **changes))
    assert response.status_code == 400
    assert field_errors(response.content.decode(), field) == [message]
    after = MeetingType.objects.get(code=code)
    assert [getattr(after, f) for f in ("quorum_num", "decides", "vote_options", "cadence_period", "name")] == [
        getattr(before, f) for f in ("quorum_num", "decides", "vote_options", "cadence_period", "name")
    ]
    assert not AuditEvent.objects.filter(action="meeting_type.updated").exists()


def test_several_refusals_each_go_next_to_their_field(client, admin):
    client.force_login(admin)
    response = client.post(
        edit_url("standing"), type_post("standing", quorum_num=3, quorum_den=2, pass_den=0, vote_options="")
    )
    page = response.content.decode()
    assert field_errors(page, "quorum_num") == ["到会人数比例须小于全体（分子须小于分母），现为二分之三"]
    assert field_errors(page, "pass_den") == ["通过比例的分母须大于0"]
    assert field_errors(page, "vote_options") == ["决策机构须设表决选项（每行一项，第一项为赞成）"]
    assert field_errors(page, "cadre_quorum_num") == []


def test_a_form_error_is_in_chinese_next_to_the_field(client, admin):
    client.force_login(admin)
    response = client.post(edit_url("standing"), type_post("standing", quorum_num="一"))
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "quorum_num") == ["输入整数。"]


def test_unknown_roles_are_refused(admin):
    with pytest.raises(ApplicationError) as excinfo:
        meeting_type_update(
            meeting_type=MeetingType.objects.get(code="joint"), actor=admin, voting_roles=["secretary", "mayor"]
        )
    assert excinfo.value.field_errors == {"voting_roles": "未知的身份：mayor"}


def test_a_body_that_does_not_decide_may_keep_no_vote_options(admin):
    secretaries = MeetingType.objects.get(code="secretaries")
    meeting_type_update(meeting_type=secretaries, actor=admin, observers="区委办公室主任")
    assert MeetingType.objects.get(code="secretaries").observers == "区委办公室主任"


# --- categories ------------------------------------------------------------------------------------------------


def category_post(**values) -> dict:
    """The category form; `meeting_types` by their codes."""
    data = {"name": "乡村振兴重大事项", "description": "", "meeting_types": ("standing", "joint"), "order": ""}
    data.update(values)
    data["meeting_types"] = types(*data["meeting_types"])
    return {k: v for k, v in data.items() if v not in ("", None)}


def test_the_administrator_adds_a_category_and_the_matrix_counts_it(client, admin):
    client.force_login(admin)
    assert client.get(NEW_CATEGORY).status_code == 200
    response = client.post(NEW_CATEGORY, category_post(consultation_required="on"))
    assert response.status_code == 302
    category = TopicCategory.objects.get(name="乡村振兴重大事项")
    assert sorted(category.meeting_types.values_list("code", flat=True)) == ["joint", "standing"]
    assert category.consultation_required and not category.cadre_item
    assert category.order == 250  # after the 24 seeded ones
    event = AuditEvent.objects.get(action="topic_category.created")
    assert event.details == {
        "name": "乡村振兴重大事项",
        "description": "",
        "cadre_item": False,
        "plenary_only": False,
        "consultation_required": True,
        "order": 250,
        "meeting_types": ["常委会", "党政联席会"],
    }
    assert client.get(RULES).context["counts"] == [5, 14, 7, 4]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"meeting_types": ()}, "meeting_types", "每类事项须至少由一种会议决定"),
        ({"plenary_only": "on"}, "meeting_types", "须由全委会决定的事项，决定机构中须有全委会"),
        (
            {"plenary_only": "on", "meeting_types": ("secretaries", "plenary")},
            "meeting_types",
            "书记办公会不是决策机构，不能决定须由全委会决定的事项",
        ),
        ({"cadre_item": "on"}, "meeting_types", "党政联席会未设干部议题表决选项，不能决定干部任免事项"),
        ({"name": "干部奖惩"}, "name", "已有名为“干部奖惩”的议题类别"),
        ({"name": "  "}, "name", "这个字段是必填项。"),
    ],
)
def test_a_category_s_refusals_are_shown_next_to_the_field(client, admin, values, field, message):
    client.force_login(admin)
    response = client.post(NEW_CATEGORY, category_post(**values))
    assert response.status_code == 400
    assert field_errors(response.content.decode(), field) == [message]
    assert TopicCategory.objects.count() == 24


def test_a_plenary_only_category_may_also_be_decided_by_the_standing_committee(admin):
    category = topic_category_create(
        actor=admin,
        name="紧急人事事项",
        cadre_item=True,
        plenary_only=True,
        meeting_types=MeetingType.objects.filter(code__in=["standing", "plenary"]),
    )
    assert category.plenary_only


def test_changing_a_category_is_audited_with_its_meeting_types(client, admin):
    client.force_login(admin)
    url = category_url("跨部门重点工作协调")
    page = client.get(url).content.decode()
    assert 'value="跨部门重点工作协调"' in page
    response = client.post(
        url, category_post(name="跨部门重点工作协调", meeting_types=("standing", "joint"), order=240)
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="topic_category.updated")
    assert event.details["changes"] == {"meeting_types": [["党政联席会"], ["常委会", "党政联席会"]]}
    assert client.get(RULES).context["counts"] == [5, 14, 7, 3]
    assert audit_action_label("topic_category.updated") == "修改议题类别"
    # the order left empty keeps the category's place
    client.post(url, category_post(name="跨部门重点工作协调", meeting_types=("standing", "joint"), order=""))
    assert TopicCategory.objects.get(name="跨部门重点工作协调").order == 240


def test_a_type_that_no_longer_decides_cannot_keep_a_plenary_only_category(admin):
    plenary = MeetingType.objects.get(code="plenary")
    with pytest.raises(ApplicationError) as excinfo:
        topic_category_update(
            category=TopicCategory.objects.get(name="市管后备干部推荐"),
            actor=admin,
            meeting_types=[MeetingType.objects.get(code="secretaries")],
        )
    assert excinfo.value.field_errors == {"meeting_types": "须由全委会决定的事项，决定机构中须有全委会"}
    assert list(TopicCategory.objects.get(name="市管后备干部推荐").meeting_types.all()) == [plenary]


def test_the_joint_meeting_decides_a_cadre_item_once_it_has_cadre_vote_options(admin):
    joint = MeetingType.objects.get(code="joint")
    category = TopicCategory.objects.get(name="跨部门重点工作协调")
    with pytest.raises(ApplicationError):
        topic_category_update(category=category, actor=admin, cadre_item=True)
    meeting_type_update(meeting_type=joint, actor=admin, cadre_vote_options=["同意", "不同意"])
    topic_category_update(category=category, actor=admin, cadre_item=True)
    # and then it cannot drop them
    with pytest.raises(ApplicationError) as excinfo:
        meeting_type_update(meeting_type=joint, actor=admin, cadre_vote_options=[])
    assert excinfo.value.field_errors == {
        "cadre_vote_options": "本会议决定干部任免事项（跨部门重点工作协调），须设干部议题表决选项"
    }


def test_the_rules_page_s_queries_do_not_grow_with_the_categories(client, admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(admin)
    client.get(RULES)
    with CaptureQueriesContext(connection) as before:
        client.get(RULES)
    for i in range(5):
        topic_category_create(
            actor=admin, name=f"新增事项{i}", meeting_types=MeetingType.objects.filter(code="standing")
        )
    with CaptureQueriesContext(connection) as after:
        client.get(RULES)
    assert len(after) == len(before)

"""The appraisal documents besides the group summary: a person's result sheet, the unit report, the blank paper
ballot of a voter group and a voter's own ballots — who may download each (404 to anyone else), the figures each
holds worked out by hand (and nobody else's), an audit event per download, never cached."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from appraisal.models import AppraisalGroup, AppraisalResult, Rating, TeamRating
from appraisal.services import ballots, cycles, ratings
from appraisal.services.scores import score_enter
from orgdept.core import roles
from orgdept.core.models import AuditEvent
from tests.appraisal.factories import (
    add_voter,
    indicator_only_cycle,
    make_cycle,
    make_group,
    make_people,
    result_of,
)
from tests.cadres.factories import make_cadre, make_unit

pytestmark = pytest.mark.usefixtures("frozen")
OTHERS = ("对象2", "对象3", "对象4", "对象5")


def url(name, *args):
    return reverse(f"appraisal:{name}", args=args)


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store, private"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def audits(action: str, actor) -> int:
    return AuditEvent.objects.filter(action=action, actor=actor).count()


@pytest.fixture
def scene(office, unit, make_user):
    """A cycle (indicators 60%, evaluation 40%) in rating, not yet published.

    正职: 对象1 (局长) and 对象2 of 区发改局, 对象3–5 of 区财政局; 班子: 区发改局's leadership team. Indicators of
    正职 指标1 60 and 指标2 40; elements 工作实绩 50 and 政治素质 30 marked 0–10, 廉洁自律 20 marked 0–100; voter
    groups A 40, B 30, C 30. Voters 甲一 (A, online, 正职 and 班子), 乙一 (B, online, 正职), 丙一 and 丙二 (C, paper;
    丙一 正职 and 班子, 丙二 正职).

    对象1: indicators 90 and 80 → 54 + 32 = 86. Ballots 甲一 (9, 8, 90) = 45 + 24 + 18 = 87, 乙一 (8, 8, 80) = 80,
    丙一 (10, 9, 100) = 97, 丙二 (6, 7, 70) = 65 → C average 81; evaluation 87 × 40% + 80 × 30% + 81 × 30% = 83.1;
    final 86 × 60% + 83.1 × 40% = 84.84, second of five. Per element (voter groups weighted): 工作实绩 8.4 → 42,
    政治素质 8 → 24, 廉洁自律 85.5 → 17.1; 42 + 24 + 17.1 = 83.1.
    The others: one ballot each from 甲一 (m, m, 10m) = 10m, both indicators s: 对象2 s 95 m 9 → 93 (first, 优秀);
    对象3 70/7 → 70; 对象4 75/6 → 69 (set to 基本称职); 对象5 60/5 → 56 (称职, lowest in the evaluation).
    The team: 班子建设 88, 甲一 (8, 8, 80) = 80 → 84.8, rated 好."""
    finance = make_unit("区财政局", order=2)
    people = [
        make_cadre(unit, "对象1", current_post="区发改局局长"),
        make_cadre(unit, "对象2", current_post="区发改局副局长"),
        *[make_cadre(finance, f"对象{i}") for i in (3, 4, 5)],
    ]
    me = make_user(username="me")
    people[0].user = me
    people[0].save(update_fields=["user"])
    cycle = make_cycle(office, scope="全区科级领导干部")
    chiefs = make_group(cycle, office, people, name="正职")
    teams = cycles.group_create(cycle=cycle, name="班子", kind=AppraisalGroup.Kind.TEAM, actor=office)
    cycles.members_add(group=teams, units=[unit], actor=office)
    cycles.indicator_add(group=teams, name="班子建设", kind="qualitative", weight=100, actor=office)
    vg = {
        code: cycles.voter_group_add(cycle=cycle, code=code, name=name, weight=weight, actor=office)
        for code, name, weight in (("A", "领导", 40), ("B", "同级", 30), ("C", "工作人员", 30))
    }
    elements = [
        cycles.element_add(cycle=cycle, name="工作实绩", weight=50, scale_max=10, actor=office),
        cycles.element_add(cycle=cycle, name="政治素质", weight=30, scale_max=10, actor=office),
        cycles.element_add(cycle=cycle, name="廉洁自律", weight=20, scale_max=100, actor=office),
    ]
    users = {"a1": make_user(username="a1"), "b1": make_user(username="b1")}
    voters = {
        "a1": add_voter(vg["A"], office, [chiefs, teams], user=users["a1"], name="甲一"),
        "b1": add_voter(vg["B"], office, [chiefs], user=users["b1"], name="乙一"),
        "c1": add_voter(vg["C"], office, [chiefs, teams], name="丙一"),
        "c2": add_voter(vg["C"], office, [chiefs], name="丙二"),
    }
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    members = {m.label: m for m in cycle.groups.get(name="正职").members.select_related("cadre")}
    team = teams.members.get()

    def vote(voter, member, marks):
        scores = dict(zip(elements, marks, strict=True))
        v = voters[voter]
        if v.user_id:
            return ballots.ballot_submit(voter=v, member=member, scores=scores, actor=users[voter])
        return ballots.ballot_enter_paper(voter=v, member=member, scores=scores, actor=office)

    first = members["对象1"]
    for voter, marks in (("a1", (9, 8, 90)), ("b1", (8, 8, 80)), ("c1", (10, 9, 100)), ("c2", (6, 7, 70))):
        vote(voter, first, marks)
    for name, s, m in (("对象2", 95, 9), ("对象3", 70, 7), ("对象4", 75, 6), ("对象5", 60, 5)):
        vote("a1", members[name], (m, m, 10 * m))
        for indicator in chiefs.indicators.all():
            score_enter(indicator=indicator, member=members[name], score=s, actor=office)
    first_scores = dict(zip(chiefs.indicators.all(), (90, 80), strict=True))
    for indicator, score in first_scores.items():
        score_enter(indicator=indicator, member=first, score=score, actor=office)
    vote("a1", team, (8, 8, 80))
    score_enter(indicator=teams.indicators.get(), member=team, score=88, actor=office)
    cycles.cycle_close_evaluation(cycle=cycle, actor=office)
    ratings.cycle_start_rating(cycle=cycle, actor=office)
    ratings.ratings_accept_proposed(cycle=cycle, actor=office)
    ratings.rating_set(result=result_of(chiefs, people[3]), rating=Rating.BASIC, actor=office)
    team_result = AppraisalResult.objects.get(member=team)
    ratings.team_rating_set(result=team_result, team_rating=TeamRating.GOOD, actor=office)
    cycle.refresh_from_db()
    return {
        "cycle": cycle,
        "chiefs": chiefs,
        "people": people,
        "me": me,
        "users": users,
        "voters": voters,
        "vg": vg,
        "units": (unit, finance),
        "team": team_result,
    }


def test_the_figures_are_those_worked_out_by_hand(scene):
    chiefs, people = scene["chiefs"], scene["people"]
    got = {p.name: result_of(chiefs, p) for p in people}
    assert [(n, r.indicator_score, r.evaluation_score, r.final_score, r.rank) for n, r in got.items()] == [
        ("对象1", 86, Decimal("83.1"), Decimal("84.84"), 2),
        ("对象2", 95, 90, 93, 1),
        ("对象3", 70, 70, 70, 3),
        ("对象4", 75, 60, 69, 4),
        ("对象5", 60, 50, 56, 5),
    ]
    assert [got[n].rating for n in got] == ["competent", "excellent", "competent", "basic", "competent"]
    assert scene["team"].final_score == Decimal("84.8")


def test_the_result_sheet_holds_the_persons_own_figures_only(client, office, scene):
    sheet = url("result_sheet", result_of(scene["chiefs"], scene["people"][0]).pk)
    client.force_login(office)
    text = pdf_text(client.get(sheet))
    lines = text.splitlines()
    for expected in (
        "年度考核结果反馈表",
        "2026年度全区科级领导干部",
        "考核结果尚未公布，本表仅供考核工作使用",
        "姓　名 对象1 考核组 正职",
        "单　位 区发改局 职　务 区发改局局长",
        # indicators: 90 / 100 × 60 and 80 / 100 × 40, their sum
        "指标1 定量 60 100 90 54",
        "指标2 定性 40 100 80 32",
        "指标得分（得分 ÷ 满分 × 权重，合计） 86",
        # per voter group: A one ballot (87), B one (80), C two (97 and 65): too few each for an average to be
        # printed, which would tell the person how a known voter marked them; the weighted score in all
        "A 领导 40 40 1 不列示",
        "B 同级 30 30 1 不列示",
        "C 工作人员 30 30 2 不列示",
        "测评实行实名制，票数不足3张的类别不列示平均得分，要素平均评分在总票数不足3张时亦不列示。",
        "民主测评得分（各类别平均得分按计入权重加权） 83.1",
        # per element, the voter groups weighted: 8.4 → 42, 8 → 24, 85.5 → 17.1
        "工作实绩 50 0—10 8.4 42",
        "政治素质 30 0—10 8 24",
        "廉洁自律 20 0—100 85.5 17.1",
        "综合得分 84.84　（86 × 60% + 83.1 × 40% = 84.84）",
        "组内名次 第2名（共5人）",
        "民主测评名次 第2名（共5人）",
        "考核等次 称职",
    ):
        assert expected in lines, expected
    for name in OTHERS:
        assert name not in text, name
    for other in ("93", "97", "65"):  # 对象2's final score, 丙一's and 丙二's own ballots
        assert other not in text, other
    assert "结果运用" not in text  # decided once published
    assert audits("appraisal_results.sheet_printed", office) == 1
    event = AuditEvent.objects.get(action="appraisal_results.sheet_printed")
    assert (event.object_repr, event.details["cycle"]) == ("对象1", scene["cycle"].pk)


def test_the_cadre_gets_their_own_sheet_only_once_published(client, office, leader, make_user, scene):
    chiefs, people, me = scene["chiefs"], scene["people"], scene["me"]
    own = url("result_sheet", result_of(chiefs, people[0]).pk)
    other = url("result_sheet", result_of(chiefs, people[1]).pk)
    client.force_login(me)
    assert client.get(own).status_code == 404  # before publication
    ratings.cycle_publish(cycle=scene["cycle"], actor=office)
    lines = pdf_text(client.get(own)).splitlines()
    assert {"组内名次 第2名（共5人）", "考核等次 称职", "结果运用 无"} <= set(lines)
    assert "考核结果尚未公布，本表仅供考核工作使用" not in lines
    assert client.get(other).status_code == 404
    assert audits("appraisal_results.sheet_printed", me) == 1
    # nobody else: another user, a section without the result right; 部领导 see any
    client.force_login(make_user(username="someone"))
    assert client.get(own).status_code == 404
    client.force_login(make_user(roles.CADRE_SECTION))
    assert client.get(own).status_code == 404
    client.force_login(leader)
    text = pdf_text(client.get(other))
    assert {"姓　名 对象2 考核组 正职", "组内名次 第1名（共5人）", "考核等次 优秀"} <= set(text.splitlines())
    assert "综合得分 93　（95 × 60% + 90 × 40% = 93）" in text.splitlines()
    assert "对象1" not in text and "84.84" not in text


def test_the_sheet_names_the_consequence_once_published(client, office, scene):
    ratings.cycle_publish(cycle=scene["cycle"], actor=office)
    client.force_login(office)
    chiefs, people = scene["chiefs"], scene["people"]
    basic = pdf_text(client.get(url("result_sheet", result_of(chiefs, people[3]).pk))).replace("\n", "")
    assert "诫勉谈话（2026年度考核为基本称职）" in basic
    assert "第4名（共5人）" in basic
    lowest = pdf_text(client.get(url("result_sheet", result_of(chiefs, people[4]).pk))).replace("\n", "")
    assert "提醒谈话" in lowest and "第5名（共5人）" in lowest
    team = pdf_text(client.get(url("result_sheet", scene["team"].pk))).splitlines()
    for expected in (
        "考核对象 区发改局领导班子 考核组 班子",
        "班子建设 定性 100 100 88 88",
        # only A voted on the team: its weight counts as 100, B and C left out
        "A 领导 40 100 1 不列示",
        "B 同级 30 不计入 0 —",
        "综合得分 84.8　（88 × 60% + 80 × 40% = 84.8）",
        "考核等次 好",
    ):
        assert expected in team, expected


def test_the_unit_report_has_a_section_per_unit(client, office, leader, make_user, scene):
    cycle = scene["cycle"]
    finance = scene["units"][1]
    client.force_login(leader)
    text = pdf_text(client.get(url("unit_report", cycle.pk)))
    lines = text.splitlines()
    for expected in (
        "2026年度全区科级领导干部单位考核情况报告",
        # per unit: people, 优秀, 称职, 基本称职, 不称职, not rated, the 优秀 share, the team's rating
        "区发改局 2 1 1 0 0 0 50% 好",
        "区财政局 3 0 2 1 0 0 0% —",
        # 区发改局: 对象2 优秀 (93, 1/5), 对象1 称职 (84.84, 2/5); 1 of 2 优秀 = 50%, over its 0 places
        "正职 对象2 区发改局副局长 95 90 93 1/5 优秀",
        "正职 对象1 区发改局局长 86 83.1 84.84 2/5 称职",
        "正职 对象4 — 75 60 69 4/5 基本称职",
    ):
        assert expected in lines, expected
    text = text.replace("\n", "").replace(" ", "")
    for expected in (
        "考核2人：优秀1人，称职1人，基本称职0人，不称职0人。",
        "优秀占50%；按20%计，本单位2人的优秀名额为0人，超出。",
        "领导班子：好（班子，综合得分84.8，名次1/1）",
        # 区财政局: 对象3 称职, 对象4 基本称职, 对象5 称职; no 优秀; no team appraised
        "考核3人：优秀0人，称职2人，基本称职1人，不称职0人。",
        "优秀占0%；按20%计，本单位3人的优秀名额为0人，未超出。",
        "领导班子：未参加本次班子考核。",
    ):
        assert expected in text, expected
    # the sections in the units' order, after the overview
    assert text.index("各单位考核情况一览") < text.index("考核2人") < text.index("考核3人")
    assert audits("appraisal_results.unit_report_printed", leader) == 1
    # one unit only
    client.force_login(office)
    one = pdf_text(client.get(url("unit_report", cycle.pk) + f"?unit={finance.pk}")).replace("\n", "")
    assert "对象4" in one and "基本称职" in one
    assert "对象1" not in one and "对象2" not in one and "各单位考核情况一览" not in one
    outside = make_unit("区教育局")
    assert client.get(url("unit_report", cycle.pk) + f"?unit={outside.pk}").status_code == 404
    assert client.get(url("unit_report", cycle.pk) + "?unit=x").status_code == 404
    # an appraised cadre, even once published, and other sections: 404
    ratings.cycle_publish(cycle=cycle, actor=office)
    client.force_login(scene["me"])
    assert client.get(url("unit_report", cycle.pk)).status_code == 404
    client.force_login(make_user(roles.TRAINING_SECTION))
    assert client.get(url("unit_report", cycle.pk)).status_code == 404


def test_the_blank_ballot_of_a_voter_group_and_of_a_named_paper_voter(client, office, leader, make_user, scene):
    cycle, vg, voters = scene["cycle"], scene["vg"], scene["voters"]
    blank = url("blank_ballot", cycle.pk, vg["C"].pk)
    client.force_login(office)
    text = pdf_text(client.get(blank))
    lines = text.splitlines()
    for expected in (
        "2026年度全区科级领导干部民主测评表",
        "C类：工作人员",
        "测评人： 　　测评范围：正职、班子",
        "1．对象1 （正职　区发改局　区发改局局长）",
        "5．对象5 （正职　区财政局）",
    ):
        assert expected in lines, expected
    # 丙一 evaluates the teams, so the voter group's ballot lists 区发改局's team (at the top of page 2)
    assert "6．区发改局领导班子 （班子　区发改局）" in text
    assert "测评人（签名）" in text
    # each person: the 0–10 scales as tick boxes from 10 down to 0, the 0–100 one a box to write in
    assert lines.count("工作实绩 50 10 9 8 7 6 5 4 3 2 1 0") == 6
    assert lines.count("政治素质 30 10 9 8 7 6 5 4 3 2 1 0") == 6
    assert lines.count("廉洁自律 20 （0—100分）") == 6
    # 丙二's own ballot: named, 正职 only
    named = pdf_text(client.get(blank + f"?voter={voters['c2'].pk}")).splitlines()
    assert "测评人：丙二　　测评范围：正职" in named
    assert named.count("工作实绩 50 10 9 8 7 6 5 4 3 2 1 0") == 5
    assert not any("领导班子" in line for line in named)
    assert client.get(blank + f"?voter={voters['a1'].pk}").status_code == 404  # not of voter group C
    assert audits("appraisal_ballots.blank_printed", office) == 2
    # printed by the office only: 部领导 403, a voter and other sections 404
    client.force_login(leader)
    assert client.get(blank).status_code == 403
    client.force_login(scene["users"]["a1"])
    assert client.get(blank).status_code == 404
    client.force_login(make_user(roles.CADRE_SECTION))
    assert client.get(blank).status_code == 404
    other = make_cycle(office)
    client.force_login(office)
    assert client.get(url("blank_ballot", other.pk, vg["C"].pk)).status_code == 404


def test_a_voter_prints_their_own_ballots_only(client, office, scene):
    voters, users = scene["voters"], scene["users"]
    client.force_login(users["b1"])
    text = pdf_text(client.get(url("own_ballots", voters["b1"].pk)))
    lines = text.splitlines()
    assert "测评人：乙一　　类别：B类 同级" in lines
    # 乙一's one ballot: 8, 8, 80 → 40 + 24 + 16 = 80, cast online today
    assert "1 对象1 正职 区发改局 8 8 80 80 网上 2026.11.22" in lines
    assert "共投票1张；尚未测评：对象2、对象3、对象4、对象5。" in text.replace("\n", "")
    for figure in ("87", "97", "65"):  # the other voters' ballots on 对象1
        assert figure not in text, figure
    client.force_login(users["a1"])
    own = pdf_text(client.get(url("own_ballots", voters["a1"].pk)))
    for expected in (
        "测评人：甲一　　类别：A类 领导",
        "1 对象1 正职 区发改局 9 8 90 87 网上 2026.11.22",
        "2 对象2 正职 区发改局 9 9 90 90 网上 2026.11.22",
        "6 区发改局领导班子 班子 区发改局 8 8 80 80 网上 2026.11.22",
    ):
        assert expected in own.splitlines(), expected
    assert "共投票6张" in own
    assert "乙一" not in own and "丙一" not in own
    assert audits("appraisal_ballots.own_printed", users["a1"]) == 1
    # someone else's ballots never: another voter's record, a paper voter's, even for the office
    assert client.get(url("own_ballots", voters["b1"].pk)).status_code == 404
    assert client.get(url("own_ballots", voters["c1"].pk)).status_code == 404
    client.force_login(office)
    assert client.get(url("own_ballots", voters["a1"].pk)).status_code == 404


def test_the_pages_link_the_documents(client, office, scene):
    cycle, chiefs, people = scene["cycle"], scene["chiefs"], scene["people"]
    mine = url("result_sheet", result_of(chiefs, people[0]).pk)
    client.force_login(office)
    results = client.get(url("results", cycle.pk)).content.decode()
    assert mine in results and url("unit_report", cycle.pk) in results
    cycles.cycle_step_back(cycle=cycle, reason="补录", actor=office)  # rating → scoring
    cycles.cycle_step_back(cycle=cycle, reason="补录", actor=office)  # scoring → evaluation
    assert (
        url("blank_ballot", cycle.pk, scene["vg"]["C"].pk)
        in client.get(url("paper_ballots", cycle.pk)).content.decode()
    )
    assert url("blank_ballot", cycle.pk, scene["vg"]["A"].pk) in client.get(url("cycle", cycle.pk)).content.decode()
    client.force_login(scene["users"]["a1"])
    assert url("own_ballots", scene["voters"]["a1"].pk) in client.get(url("my_ballots")).content.decode()
    client.force_login(office)
    cycles.cycle_close_evaluation(cycle=cycle, actor=office)
    ratings.cycle_start_rating(cycle=cycle, actor=office)
    ratings.ratings_accept_proposed(cycle=cycle, actor=office)
    team = AppraisalResult.objects.get(member__unit__isnull=False, member__cycle=cycle)
    ratings.team_rating_set(result=team, team_rating=TeamRating.GOOD, actor=office)
    ratings.cycle_publish(cycle=cycle, actor=office)
    client.force_login(scene["me"])
    assert mine in client.get(url("my_results")).content.decode()


def test_without_democratic_evaluation_and_before_any_result(client, office, unit):
    """A cycle counting indicators only: the sheet has no evaluation part; a cycle not computed yet: the unit report
    lists its people with no figures, nobody rated."""
    people = make_people(unit, 5)
    _cycle, group = indicator_only_cycle(office, people)
    client.force_login(office)
    lines = pdf_text(client.get(url("result_sheet", result_of(group, people[0]).pk))).splitlines()
    assert {"综合得分 99　（99 × 100% = 99）", "组内名次 第1名（共5人）", "考核等次 尚未评定（建议等次：优秀）"} <= set(
        lines
    )
    assert not any("民主测评" in line for line in lines)
    waiting = make_cycle(office, indicator_weight=100, evaluation_weight=0)
    make_group(waiting, office, [make_cadre(unit, "待考核")], name="正职")
    text = pdf_text(client.get(url("unit_report", waiting.pk)))
    assert "区发改局 1 0 0 0 0 1 0% —" in text.splitlines()
    assert "正职 待考核 — — — — — 尚未计算" in text.splitlines()

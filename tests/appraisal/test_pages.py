"""The appraisal pages: cycles with their set-up and state buttons, a voter's own ballots and the office's paper
ballots, for 考核办 (everything), 部领导 (read, publish), voters (only their ballots), other roles (403 on lists,
404 on objects) and anonymous users (sign in); each form's refusal next to its field, then the valid form."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from appraisal.models import (
    AppraisalCycle,
    AppraisalGroup,
    AppraisalResult,
    Ballot,
    Indicator,
    IndicatorScore,
    Rating,
    Talk,
    Voter,
)
from appraisal.services import ballots, cycles, ratings
from orgdept.core import roles
from orgdept.core.models import AuditEvent
from tests.appraisal.factories import (
    add_voter,
    indicator_only_cycle,
    make_cycle,
    make_evaluation,
    make_group,
    make_people,
    publish_year,
)

pytestmark = pytest.mark.usefixtures("frozen")
REQUIRED = "这个字段是必填项。"


def url(name, *args):
    return reverse(f"appraisal:{name}", args=args)


@pytest.fixture
def scene(office, unit, make_user):
    """A cycle in evaluation: group 正职 (对象1, 对象2, 对象3) and group 副职 (对象4); voter 甲一 (online, 正职),
    乙一 (online, 副职) and 丙一 (paper, both groups)."""
    cycle = make_cycle(office, scope="全区科级领导干部")
    people = make_people(unit, 4, prefix="对象")
    chiefs = make_group(cycle, office, people[:3], name="正职")
    deputies = make_group(cycle, office, people[3:], name="副职")
    voter_groups, elements = make_evaluation(cycle, office)
    users = {"a1": make_user(username="a1"), "b1": make_user(username="b1")}
    voters = {
        "a1": add_voter(voter_groups["A"], office, [chiefs], user=users["a1"], name="甲一"),
        "b1": add_voter(voter_groups["B"], office, [deputies], user=users["b1"], name="乙一"),
        "c1": add_voter(voter_groups["C"], office, [chiefs, deputies], name="丙一"),
    }
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    return {
        "cycle": cycle,
        "chiefs": chiefs,
        "deputies": deputies,
        "elements": elements,
        "users": users,
        "voters": voters,
    }


def test_the_office_sees_the_list_and_the_cycle_with_its_set_up(client, office, scene):
    client.force_login(office)
    listing = client.get(url("index"))
    assert listing.status_code == 200
    assert "全区科级领导干部" in listing.content.decode()
    page = client.get(url("cycle", scene["cycle"].pk)).content.decode()
    for text in (
        "正职",
        "对象1",
        "对象4",
        "甲一",
        "丙一",
        "工作实绩",
        'data-testid="close-evaluation"',
        "paper-ballots",
    ):
        assert text in page, text
    assert client.get(url("paper_ballots", scene["cycle"].pk)).status_code == 200


def test_the_leader_reads_without_set_up_forms(client, leader, scene):
    client.force_login(leader)
    assert client.get(url("index")).status_code == 200
    page = client.get(url("cycle", scene["cycle"].pk)).content.decode()
    assert "close-evaluation" not in page
    assert 'data-testid="publish"' not in page  # only once the cycle is in rating
    assert client.post(url("cycle_move", scene["cycle"].pk, "close")).status_code == 403
    assert client.get(url("paper_ballots", scene["cycle"].pk)).status_code == 403
    assert client.get(url("cycle_new")).status_code == 403


@pytest.mark.parametrize("role", [roles.CADRE_SECTION, roles.TRAINING_SECTION])
def test_other_roles_get_403_on_lists_and_404_on_objects(client, make_user, scene, role):
    client.force_login(make_user(role))
    assert client.get(url("index")).status_code == 403
    assert client.get(url("cycle_new")).status_code == 403
    assert client.get(url("my_ballots")).status_code == 403
    assert client.get(url("cycle", scene["cycle"].pk)).status_code == 404
    assert client.get(url("paper_ballots", scene["cycle"].pk)).status_code == 404
    assert client.post(url("cycle_move", scene["cycle"].pk, "close")).status_code == 404
    assert AppraisalCycle.objects.get(pk=scene["cycle"].pk).status == AppraisalCycle.Status.EVALUATION


def test_anonymous_users_are_sent_to_sign_in(client, scene):
    pk = scene["cycle"].pk
    for page in (url("index"), url("cycle_new"), url("cycle", pk), url("my_ballots"), url("paper_ballots", pk)):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("login") + "?next="), page


def test_a_cycle_is_created_with_its_errors_next_to_the_fields(client, office):
    client.force_login(office)
    assert client.get(url("cycle_new")).status_code == 200
    data = {"year": "2026", "scope": "", "indicator_weight": "60", "evaluation_weight": "40"}
    response = client.post(url("cycle_new"), data)
    assert response.status_code == 400
    assert response.context["form"].errors == {"scope": [REQUIRED]}
    response = client.post(url("cycle_new"), {**data, "scope": "全区科级领导干部", "evaluation_weight": "30"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"indicator_weight": ["指标得分与民主测评的权重合计为90，应为100"]}
    response = client.post(url("cycle_new"), {**data, "scope": "全区科级领导干部", "year": "2027"})
    assert response.context["form"].errors == {"year": ["考核年度应在2000年至2026年之间"]}
    response = client.post(url("cycle_new"), {**data, "scope": "全区科级领导干部"})
    cycle = AppraisalCycle.objects.get(scope="全区科级领导干部")
    assert response.status_code == 302
    assert response["Location"] == url("cycle", cycle.pk)
    assert (cycle.year, cycle.indicator_weight, cycle.evaluation_weight) == (2026, 60, 40)


def test_the_set_up_in_the_cycles_page_with_the_weights_summed(client, office, unit, make_user):
    client.force_login(office)
    cycle = make_cycle(office)
    people = make_people(unit, 2)
    page = url("cycle", cycle.pk)
    assert client.post(url("group_add", cycle.pk), {"g-name": "", "g-kind": "individual"}).context[
        "group_form"
    ].errors == {"name": [REQUIRED]}
    assert client.post(url("group_add", cycle.pk), {"g-name": "正职", "g-kind": "individual"}).status_code == 302
    group = AppraisalGroup.objects.get(cycle=cycle, name="正职")
    response = client.post(url("members_add", cycle.pk, group.pk), {f"m{group.pk}-cadres": [p.pk for p in people]})
    assert response.status_code == 302
    assert group.members.count() == 2
    i = f"i{group.pk}"
    indicator = {f"{i}-name": "工作实绩", f"{i}-kind": "quantitative", f"{i}-weight": "101", f"{i}-max_score": "100"}
    response = client.post(url("indicator_add", cycle.pk, group.pk), indicator)
    assert response.status_code == 400
    assert response.context["groups"][0]["indicator_form"].errors == {"weight": ["权重不能超过100"]}
    assert client.post(url("indicator_add", cycle.pk, group.pk), {**indicator, f"{i}-weight": "60"}).status_code == 302
    body = client.get(page).content.decode()
    assert 'data-testid="weight-sum">60<' in body
    assert 'data-testid="weight-note"' in body
    # leaving set-up with the indicators summing to 60 is refused above the buttons
    response = client.post(url("cycle_move", cycle.pk, "open"))
    assert response.status_code == 400
    assert list(response.context["state_errors"]) == ["考核组“正职”的考核指标的权重合计为60，应为100"]
    indicator2 = {**indicator, f"{i}-name": "德才表现", f"{i}-kind": "qualitative", f"{i}-weight": "40"}
    assert client.post(url("indicator_add", cycle.pk, group.pk), indicator2).status_code == 302
    assert 'data-testid="weight-sum">100<' in client.get(page).content.decode()
    assert Indicator.objects.filter(group=group).count() == 2
    for code, name, weight in (("A", "领导", "50"), ("B", "同级", "50")):
        data = {"vg-code": code, "vg-name": name, "vg-weight": weight}
        assert client.post(url("voter_group_add", cycle.pk), data).status_code == 302
    element = {"e-name": "工作实绩", "e-weight": "0", "e-scale_max": "10"}
    response = client.post(url("element_add", cycle.pk), element)
    assert response.context["element_form"].errors == {"weight": ["权重应大于0"]}
    assert client.post(url("element_add", cycle.pk), {**element, "e-weight": "100"}).status_code == 302
    voter_user = make_user(username="toupiao")
    vg = cycle.voter_groups.get(code="A")
    response = client.post(url("voter_add", cycle.pk), {"v-voter_group": vg.pk, "v-user": voter_user.pk})
    assert response.context["voter_form"].errors == {"groups": [REQUIRED]}
    data = {"v-voter_group": vg.pk, "v-user": voter_user.pk, "v-groups": [group.pk]}
    assert client.post(url("voter_add", cycle.pk), data).status_code == 302
    assert client.post(url("cycle_move", cycle.pk, "open")).status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == AppraisalCycle.Status.EVALUATION
    assert Voter.objects.get(cycle=cycle).name == "toupiao"


def test_a_voter_sees_and_fills_only_their_own_ballots(client, scene):
    a1 = scene["users"]["a1"]
    client.force_login(a1)
    assert client.get(url("index")).status_code == 403
    page = client.get(url("my_ballots"))
    assert page.status_code == 200
    body = page.content.decode()
    assert [row["member"].label for row in page.context["sheets"][0]["rows"]] == ["对象1", "对象2", "对象3"]
    assert "对象4" not in body
    chiefs = scene["chiefs"]
    member = chiefs.members.get(cadre__name="对象1")
    voter = scene["voters"]["a1"]
    work, politics = scene["elements"]
    fields = {f"b{member.pk}-element_{work.pk}": "90", f"b{member.pk}-element_{politics.pk}": ""}
    response = client.post(url("ballot_submit", voter.pk, member.pk), fields)
    assert response.status_code == 400
    form = response.context["sheets"][0]["rows"][0]["form"]
    assert form.errors == {f"element_{politics.pk}": [REQUIRED]}
    fields[f"b{member.pk}-element_{politics.pk}"] = "80"
    assert client.post(url("ballot_submit", voter.pk, member.pk), fields).status_code == 302
    ballot = Ballot.objects.get(voter=voter, member=member)
    assert ballot.total == 86  # 90 × 60% + 80 × 40%
    # a second ballot on the same person is refused in Chinese
    response = client.post(url("ballot_submit", voter.pk, member.pk), fields)
    assert response.status_code == 400
    assert "甲一已对对象1投过测评票，每人只能投一票" in response.content.decode()
    assert Ballot.objects.filter(voter=voter, member=member).count() == 1
    # someone else's voter record is not there for a1
    other = scene["voters"]["b1"]
    deputy = scene["deputies"].members.get()
    assert client.post(url("ballot_submit", other.pk, deputy.pk), {}).status_code == 404
    client.force_login(scene["users"]["b1"])
    rows = client.get(url("my_ballots")).context["sheets"][0]["rows"]
    assert [(r["member"].label, r["ballot"]) for r in rows] == [("对象4", None)]


def test_the_office_enters_a_paper_ballot_for_a_named_voter(client, office, scene):
    client.force_login(office)
    cycle = scene["cycle"]
    work, politics = scene["elements"]
    member = scene["deputies"].members.get()
    paper = scene["voters"]["c1"]
    form = client.get(url("paper_ballots", cycle.pk)).context["form"]
    assert [v.name for v in form.fields["voter"].queryset] == ["丙一"]
    data = {"voter": paper.pk, "member": member.pk, f"element_{work.pk}": "101", f"element_{politics.pk}": "70"}
    response = client.post(url("paper_ballots", cycle.pk), data)
    assert response.status_code == 400
    assert response.context["form"].errors[f"element_{work.pk}"][0].startswith("选择一个有效的选项")
    data[f"element_{work.pk}"] = "100"
    assert client.post(url("paper_ballots", cycle.pk), data).status_code == 302
    ballot = Ballot.objects.get(voter=paper, member=member)
    assert (ballot.paper, ballot.total, ballot.entered_by) == (True, 88, office)  # 60 + 28
    response = client.post(url("paper_ballots", cycle.pk), data)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["丙一已对对象4投过测评票，每人只能投一票"]


def _queries(client, page) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page).status_code == 200
    return len(queries)


def test_the_cycle_page_and_the_ballots_page_do_not_grow_with_people(client, office, unit, scene):
    client.force_login(office)
    cycle = scene["cycle"]
    cycles.cycle_step_back(cycle=cycle, reason="补充考核对象", actor=office)
    before = _queries(client, url("cycle", cycle.pk))
    cycles.members_add(group=scene["chiefs"], cadres=make_people(unit, 5, prefix="新增"), actor=office)
    assert _queries(client, url("cycle", cycle.pk)) == before


@pytest.fixture
def scored(office, unit, make_user):
    """A cycle counting indicators only, group 正职 of five cadres (干部2 linked to the user "me"), in evaluation."""
    cycle = make_cycle(office, scope="全区科级正职", indicator_weight=100, evaluation_weight=0)
    people = make_people(unit, 5)
    people[1].user = make_user(username="me")
    people[1].save(update_fields=["user"])
    group = make_group(cycle, office, people, name="正职")
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    return {"cycle": cycle, "group": group, "people": people, "me": people[1].user}


def test_scores_are_entered_as_a_table_then_computed_rated_and_published(client, office, leader, scored):
    cycle, group, people = scored["cycle"], scored["group"], scored["people"]
    client.force_login(office)
    page = url("scores", cycle.pk, group.pk)
    form = client.get(page).context["form"]
    first, second = group.indicators.all()
    members = list(group.members.order_by("id"))
    data = {f"s_{m.pk}_{first.pk}": str(99 - i) for i, m in enumerate(members)}
    data |= {f"s_{m.pk}_{second.pk}": str(99 - i) for i, m in enumerate(members)}
    wrong = {**data, f"s_{members[0].pk}_{second.pk}": "100.5"}
    response = client.post(page, wrong)
    assert response.status_code == 400
    assert response.context["form"].errors == {f"s_{members[0].pk}_{second.pk}": ["“指标2”得分不能超过100"]}
    assert IndicatorScore.objects.filter(member__group=group).count() == 0  # all or nothing
    assert len(form.fields) == 10
    assert client.post(page, data).status_code == 302
    assert IndicatorScore.objects.filter(member__group=group).count() == 10
    assert client.post(url("cycle_move", cycle.pk, "close")).status_code == 302
    assert client.post(url("results_compute", cycle.pk)).status_code == 302
    assert client.post(url("cycle_move", cycle.pk, "rate")).status_code == 302
    results = client.get(url("results", cycle.pk))
    rows = results.context["groups"][0]["rows"]
    assert [(r["result"].member.label, r["result"].final_score, r["result"].rank) for r in rows] == [
        ("干部1", 99, 1),
        ("干部2", 98, 2),
        ("干部3", 97, 3),
        ("干部4", 96, 4),
        ("干部5", 95, 5),
    ]
    assert AuditEvent.objects.filter(action="appraisal_results.viewed", actor=office).count() == 1
    # 部领导 may not publish before everybody is rated: the refusal above the buttons
    client.force_login(leader)
    response = client.post(url("cycle_move", cycle.pk, "publish"))
    assert response.status_code == 400
    assert list(response.context["state_errors"]) == ["干部1还没有评定等次"]
    assert client.post(url("ratings_accept", cycle.pk)).status_code == 403
    client.force_login(office)
    assert client.post(url("ratings_accept", cycle.pk)).status_code == 302
    second_result = AppraisalResult.objects.get(member__cadre=people[1])
    response = client.post(url("rating_set", second_result.pk), {f"r{second_result.pk}-rating": "excellent"})
    assert response.status_code == 400
    assert "“正职”共5人，优秀最多1人（20%，向下取整），已有1人评为优秀" in response.content.decode()
    assert client.post(url("rating_set", second_result.pk), {f"r{second_result.pk}-rating": "basic"}).status_code == 302
    # the cadre sees nothing before publication
    client.force_login(scored["me"])
    assert client.get(url("my_results")).context["rows"] == []
    assert client.get(url("results", cycle.pk)).status_code == 404
    client.force_login(leader)
    assert client.post(url("cycle_move", cycle.pk, "publish")).status_code == 302
    client.force_login(scored["me"])
    rows = client.get(url("my_results")).context["rows"]
    assert [(r["result"].final_score, r["result"].rank, r["size"], r["result"].rating) for r in rows] == [
        (98, 2, 5, "basic")
    ]
    assert client.post(url("rating_set", second_result.pk), {}).status_code == 404


def test_the_results_table_does_not_grow_with_people(client, office, unit):
    client.force_login(office)

    def cycle_of(size):
        cycle, _group = indicator_only_cycle(office, make_people(unit, size, prefix=f"组{size}-"), year=2026)
        return url("results", cycle.pk)

    assert _queries(client, cycle_of(3)) == _queries(client, cycle_of(9))


def test_the_summary_pdf_and_the_xlsx_export_are_audited_downloads(client, office, unit, make_user):
    cycle, _group = indicator_only_cycle(office, make_people(unit, 5, prefix="干部"))
    ratings.ratings_accept_proposed(cycle=cycle, actor=office)
    client.force_login(office)
    response = client.get(url("summary_pdf", cycle.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store, private"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (f"{cycle}考核结果汇总表", "正职（5人）", "干部1", "99", "优秀", "干部5", "95", "称职"):
        assert expected in text, expected
    export = client.get(url("results_export", cycle.pk))
    assert export["Content-Disposition"].startswith("attachment;")
    assert export["Cache-Control"] == "no-store, private"
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("考核组", "名次", "姓名")
    assert rows[1][:3] + rows[1][6:9] == ("正职", 1, "干部1", "99", "优秀", "优秀")
    assert len(rows) == 6
    actions = set(AuditEvent.objects.filter(actor=office).values_list("action", flat=True))
    assert {"appraisal_results.summary_printed", "appraisal_results.exported"} <= actions
    client.force_login(make_user(roles.TRAINING_SECTION))
    assert client.get(url("summary_pdf", cycle.pk)).status_code == 404
    assert client.get(url("results_export", cycle.pk)).status_code == 404


def test_the_consequences_list_with_its_rule_and_the_talk_recorded(client, office, leader, unit, make_user):
    people = make_people(unit, 5)
    basic, filler = people[0], people[1:]
    publish_year(office, 2025, {basic: Rating.BASIC}, filler)
    client.force_login(office)
    page = client.get(url("consequences"), {"year": "2025"})
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [(r["item"].cadre.name, r["item"].action, r["item"].rule) for r in rows] == [
        ("干部1", "诫勉谈话", "2025年度考核为基本称职")
    ]
    talk = url("talk_new", basic.pk, "admonishment") + "?year=2025"
    prefix = f"t{basic.pk}-admonishment"
    data = {f"{prefix}-kind": "admonishment", f"{prefix}-held_on": "2026-11-23", f"{prefix}-held_by": "张部长"}
    response = client.post(talk, data)
    assert response.status_code == 400
    assert response.context["rows"][0]["form"].errors == {"held_on": ["谈话日期2026-11-23晚于今天"]}
    response = client.post(talk, {**data, f"{prefix}-held_on": "2026-11-22"})
    assert response.status_code == 302
    assert response["Location"] == url("consequences") + "?year=2025"
    recorded = Talk.objects.get(cadre=basic)
    assert (recorded.kind, recorded.held_on.isoformat(), recorded.cycle.year) == ("admonishment", "2026-11-22", 2025)
    client.force_login(leader)
    assert client.get(url("consequences"), {"year": "2025"}).status_code == 200
    assert client.post(talk, data).status_code == 403
    client.force_login(make_user(roles.CADRE_SECTION))
    assert client.get(url("consequences")).status_code == 403


def _score_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["身份证号", "姓名", "考核指标", "得分"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_score_import_previews_then_commits(client, office, leader, scored):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cycle, people = scored["cycle"], scored["people"]
    client.force_login(office)
    page = url("score_import", cycle.pk)
    assert client.get(page).status_code == 200
    a = people[0]
    content = _score_xlsx([(a.id_number, a.name, "指标1", 90), (a.id_number, a.name, "指标2", "85.5")])
    upload = SimpleUploadedFile("得分.xlsx", content)
    response = client.post(page, {"file": upload})
    assert response.status_code == 302
    batch_page = response["Location"]
    assert client.get(batch_page).status_code == 200
    assert IndicatorScore.objects.filter(member__cycle=cycle).count() == 0  # nothing before the confirmation
    batch_pk = int(batch_page.rstrip("/").split("/")[-1])
    assert client.post(url("score_commit", batch_pk)).status_code == 302
    scores = IndicatorScore.objects.filter(member__cadre=a).order_by("indicator__order")
    assert [s.score for s in scores] == [90, Decimal("85.5")]
    client.force_login(leader)
    assert client.get(page).status_code == 403


def test_a_voters_page_holds_none_of_the_other_ballots_on_the_same_person(client, office, scene):
    """Two ballots on 对象1 — 丙一's on paper and 甲一's online: 甲一's page shows theirs and nothing of the other."""
    member = scene["chiefs"].members.get(cadre__name="对象1")
    marks = dict(zip(scene["elements"], (50, 60), strict=True))
    paper = ballots.ballot_enter_paper(voter=scene["voters"]["c1"], member=member, scores=marks, actor=office)
    a1 = scene["users"]["a1"]
    own = ballots.ballot_submit(
        voter=scene["voters"]["a1"], member=member, scores=dict(zip(scene["elements"], (90, 80), strict=True)), actor=a1
    )
    client.force_login(a1)
    page = client.get(url("my_ballots"))
    shown = [row["ballot"] for sheet in page.context["sheets"] for row in sheet["rows"] if row["ballot"]]
    assert shown == [own]
    body = page.content.decode()
    # totals as the page prints them: 86 and 54 (50 × 60% + 60 × 40%)
    assert (own.total, paper.total) == (86, 54)
    assert "丙一" not in body and " 54）" not in body and " 86）" in body

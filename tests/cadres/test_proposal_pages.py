"""The appointment procedure's pages for each role: the work queue with its stages, deadlines, stalled filter and
search; rounds and 动议 with the quota; the proposal page with its procedure strip and the form of each step (an
error next to the field first, then the step done); the gate's problems before submitting; step documents; the
audit of every view of a proposal; query counts that do not grow with the rows."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext
from pypdf import PdfWriter

from cadres.models import (
    AppointmentProposal,
    MandatoryCheck,
    Position,
    PositionTenure,
    ProposalDocument,
    Rank,
    Recommendation,
)
from cadres.selectors_proposals import stalled_since
from cadres.services import cadre_assign_position, position_create, quota_set
from cadres.services import proposals as svc
from cadres.services.proposal_documents import proposal_document_add
from orgdept.core import roles
from orgdept.core.models import AuditEvent
from orgdept.core.workdays import WorkCalendar
from tests.cadres.factories import make_cadre, make_unit
from tests.cadres.test_proposals import four_checks, inspect, recommend

S = AppointmentProposal.Status
A = AppointmentProposal.Action
LIST_URL = reverse("cadres:proposal_list")
ROUNDS_URL = reverse("cadres:round_list")
RECOMMENDATIONS_URL = reverse("cadres:recommendation_list")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 6, 1, 9, 0), tick=False):
        yield


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu", last_name="王", first_name="干部")


@pytest.fixture
def leader(make_user):
    return make_user(roles.DEPARTMENT_LEADER, username="buzhang")


@pytest.fixture
def trainer(make_user):
    return make_user(roles.TRAINING_SECTION, username="peixun")


@pytest.fixture
def standing(make_user):
    return make_user(roles.STANDING_MEMBER, username="changwei")


@pytest.fixture
def bureau(db):
    unit = make_unit("区财政局", order=1)
    quota_set(unit=unit, level=Rank.ZHENG_KE, approved=1, actor=None)
    quota_set(unit=unit, level=Rank.FU_KE, approved=3, actor=None)
    return unit


@pytest.fixture
def posts(bureau):
    def post(title, level, role):
        return position_create(unit=bureau, title=title, level=level, role=role, actor=None)

    return {
        "head": post("局长", Rank.ZHENG_KE, Position.Role.HEAD),
        "deputy": post("副局长", Rank.FU_KE, Position.Role.DEPUTY),
        "deputy2": post("副局长（分管预算）", Rank.FU_KE, Position.Role.DEPUTY),
    }


@pytest.fixture
def proposal_round(staff):
    return svc.round_create(title="2026年第3批干部任免", actor=staff)


def deputy(bureau, posts, name="李明", post="deputy"):
    cadre = make_cadre(
        bureau,
        name,
        rank=Rank.FU_KE,
        rank_since_month=date(2020, 1, 1),
        work_started_month=date(2005, 7, 1),
        education="大学",
    )
    cadre_assign_position(cadre=cadre, position=posts[post], start_month=date(2020, 1, 1), actor=None)
    cadre.refresh_from_db()
    return cadre


def promote(proposal_round, cadre, posts, staff, target="head", current="deputy"):
    return svc.proposal_create(
        proposal_round=proposal_round,
        cadre=cadre,
        action=A.APPOINT_REMOVE,
        target_position=posts[target],
        current_position=posts[current],
        initiated_on=date(2026, 3, 2),
        initiated_by="区委书记",
        reason="原局长到龄退休，岗位空缺",
        actor=staff,
    )


@pytest.fixture
def proposal(bureau, posts, proposal_round, staff):
    return promote(proposal_round, deputy(bureau, posts), posts, staff)


def recommended(proposal, posts, staff):
    rec = recommend(posts["head"], [proposal.cadre], staff)
    return svc.proposal_recommend(proposal=proposal, recommendation=rec, actor=staff)


def inspected(proposal, posts, staff):
    proposal = recommended(proposal, posts, staff)
    inspect(proposal, staff)
    return AppointmentProposal.objects.get(pk=proposal.pk)


def submitted(proposal, posts, staff):
    proposal = inspected(proposal, posts, staff)
    four_checks(proposal, staff)
    return svc.proposal_submit(proposal=proposal, actor=staff)


def decided(proposal, posts, staff, on=date(2026, 6, 2)):
    proposal = submitted(proposal, posts, staff)
    with time_machine.travel(datetime(on.year, on.month, on.day, 9, 0), tick=False):
        return svc.proposal_record_decision(
            proposal=proposal,
            outcome=svc.DecisionOutcome.PASSED,
            decided_on=on,
            decided_by="区委第5次常委会",
            actor=staff,
        )


def detail_url(proposal) -> str:
    return reverse("cadres:proposal_detail", args=[proposal.pk])


def step_url(proposal, action) -> str:
    return reverse("cadres:proposal_step", args=[proposal.pk, action])


def field_errors(html: str, name: str) -> list[str]:
    """The errors shown inside the field block (partials/field.html) of the input named `name`."""
    for chunk in re.split(r'<div class="field[ "]', html)[1:]:
        chunk = re.split(r"<button|<div class=\"field[ \"]", chunk)[0]
        if f'name="{name}"' in chunk:
            return re.findall(r'<div class="field-error" role="alert">(.*?)</div>', chunk, re.S)
    raise AssertionError(f"no field {name}")


def form_block(html: str, testid: str) -> str:
    match = re.search(rf'<form[^>]*data-testid="{testid}".*?</form>', html, re.S)
    assert match, f"no form {testid}"
    return match.group(0)


def chinese_error(response, name: str) -> str:
    assert response.status_code == 400
    (error,) = field_errors(response.content.decode(), name)
    assert CHINESE.search(error), error
    return error


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- access for each role -------------------------------------------------------------------------------------


def page_urls(proposal):
    return {
        "list": LIST_URL,
        "rounds": ROUNDS_URL,
        "round": reverse("cadres:round_detail", args=[proposal.round_id]),
        "detail": detail_url(proposal),
        "recommendations": RECOMMENDATIONS_URL,
    }


def test_staff_see_every_page_with_its_forms(client, staff, proposal):
    client.force_login(staff)
    urls = page_urls(proposal)
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert 'data-testid="appointments-nav"' in response.content.decode()
    round_html = client.get(urls["round"]).content.decode()
    assert 'data-testid="proposal-form"' in round_html
    detail = client.get(urls["detail"]).content.decode()
    assert 'data-testid="withdraw-form"' in detail
    assert 'data-testid="recommendation-new"' in detail
    assert 'data-testid="document-form"' in detail
    assert client.get(reverse("cadres:round_new")).status_code == 200
    assert client.get(reverse("cadres:recommendation_new")).status_code == 200


def test_leaders_read_every_page_without_forms(client, leader, proposal):
    client.force_login(leader)
    for name, url in page_urls(proposal).items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert '<form method="post"' not in html.split('<main id="main"')[1], name
    assert client.get(reverse("cadres:round_new")).status_code == 403
    assert client.get(reverse("cadres:recommendation_new")).status_code == 403
    assert client.post(step_url(proposal, "withdraw"), {"withdraw-reason": "不再需要"}).status_code == 403
    assert AppointmentProposal.objects.get(pk=proposal.pk).status == S.INITIATED


@pytest.mark.parametrize("who", ["trainer", "standing"])
def test_others_get_403_on_lists_and_404_on_objects(client, request, who, proposal):
    client.force_login(request.getfixturevalue(who))
    for url in (LIST_URL, ROUNDS_URL, RECOMMENDATIONS_URL, reverse("cadres:round_new")):
        assert client.get(url).status_code == 403, url
    for url in (
        detail_url(proposal),
        reverse("cadres:round_detail", args=[proposal.round_id]),
        step_url(proposal, "withdraw"),
    ):
        assert client.get(url).status_code in (404, 405), url
    assert client.post(step_url(proposal, "withdraw"), {"withdraw-reason": "x"}).status_code == 404
    assert not AuditEvent.objects.filter(action="proposal.viewed").exists()


def test_the_anonymous_are_sent_to_sign_in(client, proposal):
    for url in page_urls(proposal).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_main_menu_offers_appointments_to_who_may_see_them(client, staff, trainer, proposal):
    client.force_login(staff)
    html = client.get(reverse("core:home")).content.decode()
    assert f'href="{LIST_URL}"' in html
    client.force_login(trainer)
    assert f'href="{LIST_URL}"' not in client.get(reverse("core:home")).content.decode()


def test_team_structure_and_rotation_moved_from_the_main_menu_to_the_cadre_section(client, staff):
    client.force_login(staff)
    structure, rotation = reverse("cadres:structure"), reverse("cadres:rotation")
    for url in (reverse("cadres:cadre_list"), structure, rotation):
        html = client.get(url).content.decode()
        menu = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
        section = re.search(r'<nav class="subnav"[^>]*data-testid="cadres-nav".*?</nav>', html, re.S).group(0)
        assert structure not in menu and rotation not in menu
        assert f'href="{structure}"' in section and f'href="{rotation}"' in section, url


def test_every_view_of_a_proposal_is_audited(client, staff, leader, proposal):
    client.force_login(leader)
    client.get(detail_url(proposal))
    client.force_login(staff)
    client.get(detail_url(proposal))
    events = AuditEvent.objects.filter(action="proposal.viewed", object_id=str(proposal.pk)).order_by("pk")
    assert [e.actor_username for e in events] == ["buzhang", "ganbu"]
    assert events[0].object_type == "cadres.appointmentproposal"
    assert events[0].details == {"cadre": "李明", "status": "initiated"}


# --- the work queue ------------------------------------------------------------------------------------------


def test_the_queue_shows_stage_days_and_the_recommendation_deadline(client, staff, proposal, posts):
    recommended(proposal, posts, staff)  # held 2026-03-10: valid until 2027-03-10
    client.force_login(staff)
    response = client.get(LIST_URL)
    (row,) = response.context["rows"]
    assert row.proposal.pk == proposal.pk
    assert (row.deadline.on, row.deadline.level, row.workdays, row.stalled) == (date(2027, 3, 10), "", 0, False)
    html = response.content.decode()
    assert "2027-03-10" in html and "区财政局局长" in html and "2026年第3批干部任免" in html


def test_the_tabs_count_each_stage(client, staff, bureau, posts, proposal_round, proposal):
    other = deputy(bureau, posts, "赵强", post="deputy2")
    second = svc.proposal_create(
        proposal_round=proposal_round,
        cadre=other,
        action=A.REMOVE,
        current_position=posts["deputy2"],
        initiated_on=date(2026, 5, 6),
        initiated_by="区委组织部",
        reason="到龄退休",
        actor=staff,
    )
    svc.proposal_withdraw(proposal=second, reason="本人已辞职", actor=staff)
    client.force_login(staff)
    response = client.get(LIST_URL)
    tabs = {key: n for key, _label, n, _url, _current in response.context["tabs"]}
    assert tabs == {"": 1, "all": 2, S.INITIATED: 1, S.WITHDRAWN: 1}
    assert [r.proposal.pk for r in response.context["rows"]] == [proposal.pk]
    withdrawn = client.get(LIST_URL, {"stage": S.WITHDRAWN})
    assert [r.proposal.pk for r in withdrawn.context["rows"]] == [second.pk]


def test_search_by_name_or_pinyin_initials_and_filter_by_unit(client, staff, proposal):
    client.force_login(staff)
    assert len(client.get(LIST_URL, {"q": "lm"}).context["rows"]) == 1
    assert len(client.get(LIST_URL, {"q": "李明"}).context["rows"]) == 1
    assert len(client.get(LIST_URL, {"q": "zq"}).context["rows"]) == 0
    elsewhere = make_unit("区审计局")
    assert len(client.get(LIST_URL, {"unit": proposal.target_position.unit_id}).context["rows"]) == 1
    assert len(client.get(LIST_URL, {"unit": elsewhere.pk}).context["rows"]) == 0


def test_stalled_means_more_than_the_set_working_days_in_one_stage(settings, db):
    # 2026-06-01 is a Monday; the Dragon Boat holiday is 06-19 (Friday) to 06-21
    calendar = WorkCalendar()
    settings.ORGDEPT_PROPOSAL_STALLED_WORKDAYS = 5
    # on Monday 06-08: a stage entered on Sunday 05-31 has six working days (06-01..06-05, 06-08), one entered
    # on Monday 06-01 five
    last = stalled_since(date(2026, 6, 8), 5, calendar)
    assert last == date(2026, 5, 31)
    assert calendar.workdays_between(last, date(2026, 6, 8)) == 6
    assert calendar.workdays_between(date(2026, 6, 1), date(2026, 6, 8)) == 5
    # over the holiday: on 06-23 back to 06-15 is six working days (06-19 is not one), from 06-15 five
    assert stalled_since(date(2026, 6, 23), 5, calendar) == date(2026, 6, 14)


def test_the_stalled_filter_counts_working_days(client, settings, staff, proposal):
    settings.ORGDEPT_PROPOSAL_STALLED_WORKDAYS = 20
    # initiated on 2026-06-01 (the frozen day); 20 working days later it is not stalled yet, 21 later it is
    with time_machine.travel(datetime(2026, 6, 29, 9, 0), tick=False):
        client.force_login(staff)
        response = client.get(LIST_URL, {"stalled": "on"})
        assert response.context["rows"] == []
        (row,) = client.get(LIST_URL).context["rows"]
        assert (row.workdays, row.stalled) == (19, False)
    with time_machine.travel(datetime(2026, 7, 1, 9, 0), tick=False):
        client.force_login(staff)
        (row,) = client.get(LIST_URL, {"stalled": "on"}).context["rows"]
        assert (row.workdays, row.stalled) == (21, True)
        assert 'class="stalled"' in client.get(LIST_URL).content.decode()
    with time_machine.travel(datetime(2026, 6, 30, 9, 0), tick=False):
        client.force_login(staff)
        (row,) = client.get(LIST_URL).context["rows"]
        assert (row.workdays, row.stalled) == (20, False)
        assert client.get(LIST_URL, {"stalled": "on"}).context["rows"] == []


def test_the_queue_query_count_does_not_grow_with_rows(
    client, staff, bureau, proposal_round, django_assert_num_queries
):
    quota_set(unit=bureau, level=Rank.FU_KE, approved=60, actor=None)

    def add(start, n):
        for i in range(start, start + n):
            post = position_create(unit=bureau, title=f"副局长{i}", level=Rank.FU_KE, actor=None)
            cadre = make_cadre(bureau, f"干部{i}", rank=Rank.FU_KE)
            proposal = svc.proposal_create(
                proposal_round=proposal_round,
                cadre=cadre,
                action=A.APPOINT,
                target_position=post,
                initiated_on=date(2026, 5, 4),
                initiated_by="区委组织部",
                reason="工作需要",
                actor=staff,
            )
            if i % 2:
                svc.inspection_record(
                    proposal=proposal,
                    team="考察组",
                    started_on=date(2026, 5, 6),
                    ended_on=date(2026, 5, 8),
                    report="考察报告",
                    conclusion="同意任职",
                    actor=staff,
                )

    add(0, 2)
    client.force_login(staff)
    client.get(LIST_URL)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST_URL, {"per_page": 100})
    add(2, 20)
    with django_assert_num_queries(len(few)):
        response = client.get(LIST_URL, {"per_page": 100})
    assert len(response.context["rows"]) == 22
    round_url = reverse("cadres:round_detail", args=[proposal_round.pk])
    client.get(round_url)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(round_url).context["rows"]) == 22
    add(22, 3)
    with django_assert_num_queries(len(many)):
        client.get(round_url)


def test_the_recommendation_list_query_count_does_not_grow_with_rows(
    client, staff, bureau, posts, django_assert_num_queries
):
    def add(start, n):
        for i in range(start, start + n):
            cadres = [make_cadre(bureau, f"人选{i}-{k}") for k in range(3)]
            recommend(posts["head"], cadres, staff, kind=Recommendation.Kind.MEETING)

    add(0, 2)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as few:
        client.get(RECOMMENDATIONS_URL)
    add(2, 6)
    with django_assert_num_queries(len(few)):
        response = client.get(RECOMMENDATIONS_URL)
    assert len(response.context["object_list"]) == 8
    assert "人选7-0 40、人选7-1 39、人选7-2 38" in response.content.decode()


# --- rounds and 动议 ------------------------------------------------------------------------------------------


def test_a_round_is_created_with_its_title(client, staff):
    client.force_login(staff)
    chinese_error(client.post(reverse("cadres:round_new"), {"title": "  ", "note": ""}), "title")
    response = client.post(reverse("cadres:round_new"), {"title": "2026年第4批干部任免", "note": "12月常委会"})
    assert response.status_code == 302
    (row,) = client.get(ROUNDS_URL).context["object_list"]
    assert (row.title, row.note, row.proposal_count) == ("2026年第4批干部任免", "12月常委会", 0)


def initiation(cadre, posts, **fields):
    data = {
        "cadre_search": cadre.name,
        "action": A.APPOINT_REMOVE,
        "target_unit": posts["head"].unit_id,
        "target_position": posts["head"].pk,
        "current_unit": posts["deputy"].unit_id,
        "current_position": posts["deputy"].pk,
        "initiated_on": "2026-05-20",
        "initiated_by": "区委书记",
        "reason": "原局长到龄退休",
    }
    data.update(fields)
    return data


def test_initiation_shows_refusals_next_to_the_fields_then_creates(client, staff, bureau, posts, proposal_round):
    cadre = deputy(bureau, posts)
    url = reverse("cadres:proposal_new", args=[proposal_round.pk])
    client.force_login(staff)
    assert chinese_error(client.post(url, initiation(cadre, posts, reason="")), "reason")
    # the post left must be held: the service's refusal is shown by the field
    error = chinese_error(
        client.post(url, initiation(cadre, posts, current_position=posts["deputy2"].pk)), "current_position"
    )
    assert error == "李明现未担任区财政局副局长（分管预算）"
    error = chinese_error(client.post(url, initiation(cadre, posts, initiated_on="2026-06-02")), "initiated_on")
    assert error == "动议时间不能晚于今天"
    response = client.post(url, initiation(cadre, posts))
    proposal = AppointmentProposal.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(proposal)
    assert (proposal.cadre, proposal.promotion, proposal.initiated_on) == (cadre, True, date(2026, 5, 20))


def test_initiation_beyond_the_quota_is_refused_next_to_the_post_with_the_quota_line(
    client, staff, bureau, posts, proposal_round, proposal
):
    # 正科 quota 1 in 区财政局, one proposal already heading for it
    other = deputy(bureau, posts, "赵强", post="deputy2")
    url = reverse("cadres:proposal_new", args=[proposal_round.pk])
    client.force_login(staff)
    response = client.post(url, initiation(other, posts, current_position=posts["deputy2"].pk))
    error = chinese_error(response, "target_position")
    assert error.startswith("超职数配备：区财政局正科级领导职数核定1名，已配备0名")
    assert "另有1件在办的任免事项拟配备该职级" in error
    line = response.context["quota"]
    assert (line.approved, line.occupied, line.under_way, line.full) == (1, 0, 1, True)
    assert 'data-testid="quota-line"' in response.content.decode()
    assert AppointmentProposal.objects.count() == 1


def test_the_picker_answers_with_cadres_posts_and_the_quota_line(client, staff, bureau, posts, proposal):
    client.force_login(staff)
    html = client.get(reverse("cadres:proposal_cadre_suggestions"), {"cadre_search": "lm"}).content.decode()
    assert f'value="{proposal.cadre_id}"' in html and "李明" in html
    options = client.get(reverse("cadres:proposal_position_options"), {"from": "target_unit", "target_unit": bureau.pk})
    assert options.content.decode().count("<option") == 4  # the blank one and the unit's three posts
    line = client.get(
        reverse("cadres:proposal_quota_line"), {"from": "target_position", "target_position": posts["head"].pk}
    )
    assert (line.context["quota"].approved, line.context["quota"].under_way) == (1, 1)


def test_the_round_links_to_the_committee_once_a_proposal_is_submitted(client, staff, posts, proposal):
    client.force_login(staff)
    url = reverse("cadres:round_detail", args=[proposal.round_id])
    assert 'data-testid="round-topic-link"' not in client.get(url).content.decode()
    submitted(proposal, posts, staff)
    html = client.get(url).content.decode()
    assert reverse("meetings:round_topic_new", args=[proposal.round_id]) in html
    assert dict(client.get(url).context["rows"])[AppointmentProposal.objects.get()] == gettext(
        "Awaiting the committee's decision"
    )


# --- the proposal page: strip and steps ---------------------------------------------------------------------


def states(response) -> dict:
    return {step.key: step.state for step in response.context["strip"]}


def test_the_strip_shows_done_current_and_to_do_with_dates_and_actors(client, staff, posts, proposal):
    client.force_login(staff)
    response = client.get(detail_url(proposal))
    assert states(response) == {
        "initiation": "done",
        "recommendation": "current",
        "inspection": "todo",
        "checks": "todo",
        "decision": "todo",
        "notice": "todo",
        "appointment": "todo",
        "probation": "todo",
    }
    inspected(proposal, posts, staff)
    response = client.get(detail_url(proposal))
    steps = {step.key: step for step in response.context["strip"]}
    assert (steps["recommendation"].state, steps["recommendation"].when) == ("done", "2026年3月10日")
    assert steps["recommendation"].actor == "王干部"
    assert (steps["inspection"].when, steps["inspection"].lines[1]) == (
        "2026年3月20日—2026年3月25日",
        "符合提拔任职条件",
    )
    assert steps["checks"].state == "current"


def test_recording_a_recommendation_through_its_page_and_picking_it(client, staff, posts, proposal):
    client.force_login(staff)
    new_url = f"{reverse('cadres:recommendation_new')}?position={posts['head'].pk}&proposal={proposal.pk}"
    page = client.get(new_url)
    assert page.context["formset"].initial[0] == {"cadre": "李明"}
    other = make_cadre(proposal.cadre.unit, "赵强")
    data = {
        "kind": Recommendation.Kind.MEETING,
        "unit": posts["head"].unit_id,
        "position": posts["head"].pk,
        "posts": "1",
        "held_on": "2026-05-12",
        "participants": "45",
        "note": "",
        "candidates-TOTAL_FORMS": "3",
        "candidates-INITIAL_FORMS": "0",
        "candidates-0-cadre": "李明",
        "candidates-0-votes": "40",
        "candidates-1-cadre": "",
        "candidates-1-votes": "",
        "candidates-2-cadre": "",
        "candidates-2-votes": "",
    }
    # a meeting recommendation needs more candidates than posts
    response = client.post(new_url, data)
    assert response.status_code == 400
    assert "会议推荐的候选人（1人）应当多于拟任职位数（1个）" in response.content.decode()
    # a vote count with no candidate, and more votes than participants
    response = client.post(new_url, {**data, "candidates-1-votes": "3"})
    assert field_errors(response.content.decode(), "candidates-1-cadre") == [
        gettext("Name the candidate these votes are for.")
    ]
    response = client.post(new_url, {**data, "candidates-1-cadre": other.name, "candidates-1-votes": "46"})
    assert "赵强的得票数须在0到参加人数45之间" in response.content.decode()
    response = client.post(new_url, {**data, "candidates-1-cadre": other.name, "candidates-1-votes": "5"})
    assert response.status_code == 302 and response["Location"] == detail_url(proposal) + "#step-recommendation"
    recommendation = Recommendation.objects.get()
    assert sorted(recommendation.candidates.values_list("cadre__name", "votes")) == [("李明", 40), ("赵强", 5)]

    detail = client.get(detail_url(proposal)).content.decode()
    form = form_block(detail, "recommend-form")
    assert "2026.05.12" in form and "2027.05.12" in form
    response = client.post(step_url(proposal, "recommend"), {"recommend-recommendation": ""})
    chinese_error(response, "recommend-recommendation")
    response = client.post(step_url(proposal, "recommend"), {"recommend-recommendation": recommendation.pk})
    assert response.status_code == 302
    assert AppointmentProposal.objects.get().status == S.RECOMMENDED
    listed = client.get(RECOMMENDATIONS_URL).content.decode()
    assert "李明 40、赵强 5" in listed and detail_url(proposal) in listed


def test_an_expired_recommendation_is_refused_next_to_the_field(client, staff, posts, proposal):
    old = recommend(posts["head"], [proposal.cadre], staff, held_on=date(2025, 5, 31))  # valid until 2026-05-31
    client.force_login(staff)
    response = client.post(step_url(proposal, "recommend"), {"recommend-recommendation": old.pk})
    error = chinese_error(response, "recommend-recommendation")
    assert error == "民主推荐结果（2025年05月31日）有效期一年，已于2026年05月31日到期"
    assert AppointmentProposal.objects.get().status == S.INITIATED
    # held a day later, it is valid until today
    last_day = recommend(posts["head"], [proposal.cadre], staff, held_on=date(2025, 6, 1))
    form = form_block(client.get(detail_url(proposal)).content.decode(), "recommend-form")
    assert "2025.06.01" in form and "2026.06.01" in form
    response = client.post(step_url(proposal, "recommend"), {"recommend-recommendation": last_day.pk})
    assert response.status_code == 302
    assert AppointmentProposal.objects.get().status == S.RECOMMENDED


def test_the_inspection_form(client, staff, posts, proposal):
    recommended(proposal, posts, staff)
    client.force_login(staff)
    data = {
        "inspection-team": "区委组织部考察组",
        "inspection-started_on": "2026-03-25",
        "inspection-ended_on": "2026-03-20",
        "inspection-report": "该同志政治坚定。",
        "inspection-conclusion": "符合提拔任职条件",
    }
    assert chinese_error(client.post(step_url(proposal, "inspection"), data), "inspection-ended_on") == (
        "考察结束时间不能早于开始时间"
    )
    chinese_error(client.post(step_url(proposal, "inspection"), {**data, "inspection-team": ""}), "inspection-team")
    response = client.post(step_url(proposal, "inspection"), {**data, "inspection-ended_on": "2026-03-28"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.inspection.ended_on) == (S.INSPECTED, date(2026, 3, 28))


def test_the_four_checks_one_form_each_with_the_done_ones_listed(client, staff, posts, proposal):
    proposal = inspected(proposal, posts, staff)
    client.force_login(staff)
    url = reverse("cadres:proposal_check", args=[proposal.pk, "archive"])
    data = {
        "check-archive-done_on": "2026-06-02",
        "check-archive-done_by": "干部科",
        "check-archive-result": "档案无问题",
    }
    assert chinese_error(client.post(url, data), "check-archive-done_on") == "核查时间不能晚于今天"
    response = client.post(url, {**data, "check-archive-done_on": "2026-03-27", "check-archive-clear": "on"})
    assert response.status_code == 302
    html = client.get(detail_url(proposal)).content.decode()
    assert 'data-check="archive"' in html
    assert 'data-testid="check-form-archive"' not in html
    assert html.count('data-testid="check-form-') == 3
    check = MandatoryCheck.objects.get()
    assert (check.kind, check.done_on, check.clear, check.recorded_by) == ("archive", date(2026, 3, 27), True, staff)


def test_the_gate_s_problems_are_listed_before_submitting(client, staff, posts, proposal):
    proposal = inspected(proposal, posts, staff)
    four_checks(proposal, staff, kinds=[MandatoryCheck.Kind.ARCHIVE, MandatoryCheck.Kind.PERSONAL_MATTERS])
    client.force_login(staff)
    response = client.get(detail_url(proposal))
    missing = "、".join(str(MandatoryCheck.Kind(k).label) for k in ("discipline", "petitions"))
    assert response.context["submit_problems"] == [f"凡提四必尚未完成：{missing}"]
    block = form_block(response.content.decode(), "submit-form")
    assert "disabled" in block
    assert 'data-testid="gate-problems"' in response.content.decode()
    # pressed anyway, the service refuses with the same words
    response = client.post(step_url(proposal, "submit"), {})
    assert response.status_code == 400
    assert "凡提四必尚未完成" in response.content.decode()
    four_checks(proposal, staff, kinds=[MandatoryCheck.Kind.DISCIPLINE, MandatoryCheck.Kind.PETITIONS])
    response = client.get(detail_url(proposal))
    assert response.context["submit_problems"] == []
    assert 'data-testid="gate-open"' in response.content.decode()
    assert client.post(step_url(proposal, "submit"), {}).status_code == 302
    assert AppointmentProposal.objects.get().status == S.SUBMITTED


def test_the_exceptional_promotion_form(client, staff, posts, proposal):
    client.force_login(staff)
    data = {"exceptional-reason": "", "exceptional-approved_on": "", "exceptional-approval_ref": ""}
    chinese_error(client.post(step_url(proposal, "exceptional"), data), "exceptional-reason")
    data = {**data, "exceptional-reason": "实绩特别突出", "exceptional-approved_on": "2026-05-20"}
    assert chinese_error(client.post(step_url(proposal, "exceptional"), data), "exceptional-approval_ref") == (
        "请填写上级组织部门的批复文号"
    )
    response = client.post(
        step_url(proposal, "exceptional"), {**data, "exceptional-approval_ref": "市组干〔2026〕12号"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.exceptional, proposal.exceptional_approval_ref) == (True, "市组干〔2026〕12号")
    assert 'data-testid="exception-facts"' in client.get(detail_url(proposal)).content.decode()


def test_the_decision_is_shown_as_the_committee_recorded_it(client, staff, leader, posts, proposal):
    proposal = decided(proposal, posts, staff)
    client.force_login(leader)
    response = client.get(detail_url(proposal))
    html = response.content.decode()
    assert 'data-testid="decision-facts"' in html and "区委第5次常委会" in html and "2026年6月2日" in html
    assert 'data-testid="submit-form"' not in html
    assert states(response)["decision"] == "done"


def test_the_decision_links_to_the_committee_topic_the_round_became(client, staff, bureau, posts, proposal):
    from meetings.models import MeetingType, TopicCategory
    from meetings.services.appointments import round_topic_create
    from tests.meetings.factories import make_committee_term

    term, _seats = make_committee_term(standing=7, members=15, alternates=2)
    proposal = submitted(proposal, posts, staff)
    # 局长, the head of a district unit: the 全委会's to decide
    topic = round_topic_create(
        proposal_round=proposal.round,
        committee=term.committee,
        category=TopicCategory.objects.get(name="区管中层正职领导干部任免"),
        requested_type=MeetingType.objects.get(code="plenary"),
        unit=bureau,
        actor=staff,
    )
    client.force_login(staff)
    html = client.get(detail_url(proposal)).content.decode()
    link = re.search(r'<a href="([^"]+)" data-testid="topic-link">([^<]+)</a>', html)
    assert link.groups() == (reverse("meetings:topic_detail", args=[topic.pk]), topic.title)


def test_notice_exemption_then_start_with_its_end_date(client, staff, posts, proposal):
    proposal = decided(proposal, posts, staff)
    client.force_login(staff)
    response = client.get(detail_url(proposal))
    # the date the notice would end is shown before starting it: from today 06-01 five working days to 06-05
    assert response.context["notice_preview"] == {"starts_on": date(2026, 6, 1), "ends_on": date(2026, 6, 5)}
    preview = client.get(reverse("cadres:proposal_notice_end", args=[proposal.pk]), {"notice-starts_on": "2026-06-18"})
    # over the Dragon Boat holiday (06-19): 06-18, 06-22, 06-23, 06-24, 06-25
    assert "2026年6月25日" in preview.content.decode()
    chinese_error(client.post(step_url(proposal, "exempt"), {"exempt-reason": "按规定"}), "exempt-ground")
    chinese_error(client.post(step_url(proposal, "exempt"), {"exempt-ground": "election"}), "exempt-reason")
    exempt = {"exempt-ground": "election", "exempt-reason": "2026年4月换届考察时已在全区范围公示"}
    assert client.post(step_url(proposal, "exempt"), exempt).status_code == 302
    page = client.get(detail_url(proposal)).content.decode()
    assert "换届考察时已进行过公示（2026年4月换届考察时已在全区范围公示）" in page
    with time_machine.travel(datetime(2026, 6, 3, 9, 0), tick=False):
        client.force_login(staff)
        error = chinese_error(
            client.post(step_url(proposal, "notice"), {"notice-starts_on": "2026-06-01"}), "notice-starts_on"
        )
        assert error == "任前公示不能早于讨论决定"
        assert client.post(step_url(proposal, "notice"), {"notice-starts_on": "2026-06-03"}).status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.notice_starts_on, proposal.notice_ends_on) == (
        S.NOTICE,
        date(2026, 6, 3),
        date(2026, 6, 9),
    )


@pytest.fixture
def noticed(posts, proposal, staff):
    proposal = decided(proposal, posts, staff)
    with time_machine.travel(datetime(2026, 6, 3, 9, 0), tick=False):
        return svc.notice_start(proposal=proposal, starts_on=date(2026, 6, 3), actor=staff)


def test_objections_recorded_and_resolved_then_the_appointment(client, staff, noticed, posts):
    with time_machine.travel(datetime(2026, 6, 5, 9, 0), tick=False):
        client.force_login(staff)
        data = {
            "objection-received_on": "2026-06-02",
            "objection-source": "",
            "objection-content": "反映其工作作风问题",
        }
        assert chinese_error(client.post(step_url(noticed, "objection"), data), "objection-received_on") == (
            "反映的时间不能早于公示开始"
        )
        assert (
            client.post(step_url(noticed, "objection"), {**data, "objection-received_on": "2026-06-04"}).status_code
            == 302
        )
        objection = noticed.objections.get()
        response = client.get(detail_url(noticed))
        assert response.context["appointment_problems"] == [
            "任前公示至2026年06月09日，公示期满后才能任职",
            "公示期间有1件反映尚未核查办结",
        ]
        url = reverse("cadres:proposal_objection_resolve", args=[objection.pk])
        prefix = f"objection-{objection.pk}"
        data = {
            f"{prefix}-resolved_on": "2026-06-03",
            f"{prefix}-resolution": "经核查不属实",
            f"{prefix}-outcome": "not_upheld",
        }
        assert chinese_error(client.post(url, data), f"{prefix}-resolved_on") == "办结时间不能早于收到时间"
        assert client.post(url, {**data, f"{prefix}-resolved_on": "2026-06-05"}).status_code == 302
    objection.refresh_from_db()
    assert (objection.resolved_on, objection.upheld) == (date(2026, 6, 5), False)
    with time_machine.travel(datetime(2026, 6, 10, 9, 0), tick=False):
        client.force_login(staff)
        error = chinese_error(
            client.post(step_url(noticed, "appoint"), {"appoint-appointed_on": "2026-06-09"}), "appoint-appointed_on"
        )
        assert error == "任前公示至2026年06月09日，公示期满后才能任职"
        assert client.post(step_url(noticed, "appoint"), {"appoint-appointed_on": "2026-06-10"}).status_code == 302
    noticed.refresh_from_db()
    assert (noticed.status, noticed.appointed_on, noticed.probation_ends_on) == (
        S.APPOINTED,
        date(2026, 6, 10),
        date(2027, 6, 10),
    )
    tenure = PositionTenure.objects.get(cadre=noticed.cadre, is_current=True)
    assert tenure.position == posts["head"]


def test_probation_closes_with_confirmation(client, staff, noticed):
    with time_machine.travel(datetime(2026, 6, 10, 9, 0), tick=False):
        appointed = svc.proposal_appoint(proposal=noticed, appointed_on=date(2026, 6, 10), actor=staff)
    with time_machine.travel(datetime(2027, 6, 10, 9, 0), tick=False):
        client.force_login(staff)
        response = client.get(detail_url(appointed))
        assert response.context["probation_reminder_on"] == date(2027, 5, 11)
        data = {"probation-outcome": "confirmed", "probation-closed_on": "2027-06-09", "probation-reason": "考核称职"}
        assert chinese_error(client.post(step_url(appointed, "probation"), data), "probation-closed_on") == (
            "试用期至2027年06月10日，期满后才能办理"
        )
        chinese_error(
            client.post(step_url(appointed, "probation"), {**data, "probation-outcome": ""}), "probation-outcome"
        )
        response = client.post(step_url(appointed, "probation"), {**data, "probation-closed_on": "2027-06-10"})
        assert response.status_code == 302
        appointed.refresh_from_db()
        assert (appointed.status, appointed.closed_on) == (S.CONFIRMED, date(2027, 6, 10))
        response = client.get(detail_url(appointed))
        assert set(states(response).values()) == {"done"}


def test_withdrawing_needs_a_reason(client, staff, proposal):
    client.force_login(staff)
    chinese_error(client.post(step_url(proposal, "withdraw"), {"withdraw-reason": ""}), "withdraw-reason")
    assert client.post(step_url(proposal, "withdraw"), {"withdraw-reason": "本人另有任用"}).status_code == 302
    response = client.get(detail_url(proposal))
    assert AppointmentProposal.objects.get().status == S.WITHDRAWN
    assert states(response)["recommendation"] == "stopped"
    assert 'data-testid="withdraw-form"' not in response.content.decode()


def test_the_proposal_page_query_count_does_not_grow_with_its_records(
    client, staff, posts, proposal, settings, tmp_path, django_assert_num_queries
):
    settings.MEDIA_ROOT = tmp_path
    others = [make_cadre(proposal.cadre.unit, name) for name in ("赵强", "钱进", "孙立")]
    recommendation = recommend(posts["head"], [proposal.cadre, *others], staff, kind=Recommendation.Kind.MEETING)
    svc.proposal_recommend(proposal=proposal, recommendation=recommendation, actor=staff)
    inspect(proposal, staff)

    def documents(n):
        for i in range(n):
            upload = SimpleUploadedFile(f"考察材料{i}.pdf", pdf_bytes())
            proposal_document_add(proposal=proposal, step="inspection", upload=upload, actor=staff)

    documents(1)
    client.force_login(staff)
    client.get(detail_url(proposal))
    with CaptureQueriesContext(connection) as few:
        client.get(detail_url(proposal))
    documents(5)
    four_checks(proposal, staff, kinds=[MandatoryCheck.Kind.ARCHIVE, MandatoryCheck.Kind.PERSONAL_MATTERS])
    with django_assert_num_queries(len(few)):
        response = client.get(detail_url(proposal))
    assert (len(response.context["documents"]), len(response.context["checks"])) == (6, 2)


# --- step documents --------------------------------------------------------------------------------------------


def test_a_step_document_must_be_a_real_pdf(client, staff, leader, proposal, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff)
    url = reverse("cadres:proposal_document_upload", args=[proposal.pk])
    fake = SimpleUploadedFile("报告.pdf", b"PK\x03\x04 not a pdf at all", content_type="application/pdf")
    error = chinese_error(client.post(url, {"document-step": "initiation", "document-file": fake}), "document-file")
    assert error.startswith("只能上传PDF文件")
    broken = SimpleUploadedFile("报告.pdf", b"%PDF-1.7\n garbage", content_type="application/pdf")
    assert chinese_error(client.post(url, {"document-step": "initiation", "document-file": broken}), "document-file")
    settings.ORGDEPT_MATERIAL_MAX_BYTES = len(pdf_bytes()) - 1
    big = SimpleUploadedFile("报告.pdf", pdf_bytes())
    assert "文件超过" in chinese_error(
        client.post(url, {"document-step": "initiation", "document-file": big}), "document-file"
    )
    settings.ORGDEPT_MATERIAL_MAX_BYTES = 30 * 1024 * 1024
    assert not ProposalDocument.objects.exists()
    good = SimpleUploadedFile("../动议材料.pdf", pdf_bytes())
    assert client.post(url, {"document-step": "initiation", "document-file": good}).status_code == 302
    document = ProposalDocument.objects.get()
    assert (document.name, document.step, document.uploaded_by) == ("动议材料.pdf", "initiation", staff)
    assert AuditEvent.objects.filter(action="proposal.document_added", object_id=str(proposal.pk)).count() == 1
    client.force_login(leader)
    response = client.get(reverse("cadres:proposal_document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    assert response.content == pdf_bytes()
    event = AuditEvent.objects.get(action="proposal.document_downloaded")
    assert (event.actor_username, event.details["document"]) == ("buzhang", document.pk)
    assert (
        client.post(
            url, {"document-step": "initiation", "document-file": SimpleUploadedFile("a.pdf", pdf_bytes())}
        ).status_code
        == 403
    )


def test_others_cannot_download_a_step_document(client, staff, trainer, proposal, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = proposal_document_add(
        proposal=proposal, step="initiation", upload=SimpleUploadedFile("动议.pdf", pdf_bytes()), actor=staff
    )
    client.force_login(trainer)
    assert client.get(reverse("cadres:proposal_document_download", args=[document.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="proposal.document_downloaded").exists()


def test_a_step_document_stored_in_a_transaction_that_rolls_back_is_removed(staff, proposal, settings, tmp_path):
    from django.core.files.storage import default_storage
    from django.db import transaction

    from cadres.services.records import files_removed_on_rollback

    settings.MEDIA_ROOT = tmp_path
    stored = []
    with pytest.raises(RuntimeError), files_removed_on_rollback(), transaction.atomic():
        document = proposal_document_add(
            proposal=proposal, step="initiation", upload=SimpleUploadedFile("动议.pdf", pdf_bytes()), actor=staff
        )
        stored.append(document.file.name)
        assert default_storage.exists(document.file.name)
        raise RuntimeError("a later step of the same transaction failed")
    assert not default_storage.exists(stored[0])
    assert not ProposalDocument.objects.exists()


def test_reading_a_round_is_recorded(client, staff, proposal):
    client.force_login(staff)
    assert client.get(reverse("cadres:round_detail", args=[proposal.round_id])).status_code == 200
    event = AuditEvent.objects.get(action="proposal_round.viewed")
    assert (event.actor_username, event.object_id) == ("ganbu", str(proposal.round_id))


def test_a_proposal_can_be_started_for_a_cadre_picked_elsewhere(client, staff, bureau, proposal):
    """From the reserve list or a selection's winners: the rounds list asks for the round, whose form starts with
    the cadre picked."""
    cadre = make_cadre(bureau, "赵敏")
    client.force_login(staff)
    rounds = client.get(reverse("cadres:round_list"), {"cadre": cadre.pk}).content.decode()
    assert "赵敏" in rounds and f"?cadre={cadre.pk}#proposal-form" in rounds
    page = client.get(reverse("cadres:round_detail", args=[proposal.round_id]), {"cadre": cadre.pk})
    form = page.context["form"]
    assert (form.initial["cadre"], form.initial["cadre_search"]) == (cadre.pk, "赵敏")
    assert re.search(rf'<input type="radio" name="cadre" value="{cadre.pk}"\s+checked>', page.content.decode())

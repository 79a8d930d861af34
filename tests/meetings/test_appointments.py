"""A round of appointment proposals put to the 常委会: one cadre topic with the round's 任免审批表 as its material,
each cadre's vote carried back to their proposal (passed, not passed, deferred), a deferred proposal before the
committee again at the next meeting, and a proposal whose recommendation has expired kept off the agenda."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cadres.models import AppointmentProposal, Position, Rank
from cadres.services import cadre_assign_position, position_create, quota_set
from cadres.services import proposals as procedure
from committees.models import TermMember
from meetings.models import AgendaItem, ItemResult, MeetingType, Topic, TopicCategory
from meetings.services import meetings as services
from meetings.services import votes
from meetings.services.appointments import _cadre_outcome, proposal_wording, round_topic_create
from meetings.services.topics import (
    consultation_close,
    consultation_request,
    opinion_submit,
    topic_gates,
    topic_submit,
    topic_withdraw,
)
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from orgdept.core.templatetags.orgdept import display_name
from tests.cadres.factories import make_cadre, make_unit
from tests.cadres.test_proposals import four_checks, inspect, recommend
from tests.meetings.factories import CADRE_STANDING, make_committee_term, make_meeting, make_ready

S = AppointmentProposal.Status
A = AppointmentProposal.Action
TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 6, 1, 9, 0), tick=False):
        yield


@pytest.fixture
def term_seats(db):
    return make_committee_term(standing=7, members=15, alternates=2)


@pytest.fixture
def staff(make_user):
    return make_user(roles.ORGANIZATION_SECTION, roles.CADRE_SECTION, username="ganbu")


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
        "deputy2": post("副局长（分管税政）", Rank.FU_KE, Position.Role.DEPUTY),
    }


def serving(bureau, name, post, rank=Rank.FU_KE):
    cadre = make_cadre(
        bureau,
        name,
        rank=rank,
        rank_since_month=date(2020, 1, 1),
        work_started_month=date(2004, 7, 1),
        education="大学",
    )
    cadre_assign_position(cadre=cadre, position=post, start_month=date(2020, 1, 1), actor=None)
    cadre.refresh_from_db()
    return cadre


@pytest.fixture
def round_of_two(bureau, posts, staff):
    """A round: 李明 promoted to 局长 (the whole procedure), 王刚 removed from his deputy post (no steps)."""
    proposal_round = procedure.round_create(title="2026年第3批干部任免", actor=staff)
    li = serving(bureau, "李明", posts["deputy"])
    wang = serving(bureau, "王刚", posts["deputy2"])
    promotion = procedure.proposal_create(
        proposal_round=proposal_round,
        cadre=li,
        action=A.APPOINT_REMOVE,
        target_position=posts["head"],
        current_position=posts["deputy"],
        initiated_on=date(2026, 3, 2),
        initiated_by="区委书记",
        reason="原局长到龄退休",
        actor=staff,
    )
    procedure.proposal_recommend(proposal=promotion, recommendation=recommend(posts["head"], [li], staff), actor=staff)
    inspect(promotion, staff)
    four_checks(promotion, staff)
    removal = procedure.proposal_create(
        proposal_round=proposal_round,
        cadre=wang,
        action=A.REMOVE,
        current_position=posts["deputy2"],
        initiated_on=date(2026, 3, 2),
        initiated_by="区委书记",
        reason="到龄退出领导岗位",
        actor=staff,
    )
    for proposal in (promotion, removal):
        procedure.proposal_submit(proposal=proposal, actor=staff)
    return proposal_round, promotion, removal


PLENARY_HEADS = "区管中层正职领导干部任免"
URGENT = "原局长因病去世，预算执行关键期急需主持工作，下次全委会在三个月后"


def put_to_the_committee(term, bureau, proposal_round, staff) -> Topic:
    """To the 常委会 between plenaries: 局长 is a head post, so only as an urgent case, every full member consulted."""
    topic = round_topic_create(
        proposal_round=proposal_round,
        committee=term.committee,
        category=TopicCategory.objects.get(name=CADRE_STANDING),
        requested_type=MeetingType.objects.get(code="standing"),
        unit=bureau,
        actor=staff,
        urgent_reason=URGENT,
    )
    return make_ready(topic, term, actor=staff)


def hold_and_vote(meeting, staff, choices: dict[str, list[str]]):
    """Everyone present; each standing member's choice per cadre, in seat order."""
    attendances = list(meeting.attendances.select_related("member").filter(voting=True))
    services.attendance_take(meeting=meeting, present={a.member_id for a in attendances}, reasons={}, actor=staff)
    services.meeting_open(meeting=meeting, actor=staff)
    item = meeting.items.get()
    votes.voting_open(item=item, actor=staff)
    rows = {row.cadre.name: row for row in item.topic.cadres.select_related("cadre")}
    for i, attendance in enumerate(attendances):
        for name, column in choices.items():
            votes.vote_record(item=item, member=attendance.member, choice=column[i], candidate=rows[name], actor=staff)
    return votes.voting_close(item=item, actor=staff)


def test_a_round_becomes_one_cadre_topic_with_its_approval_forms(term_seats, bureau, round_of_two, staff):
    term, _seats = term_seats
    proposal_round, promotion, removal = round_of_two
    topic = put_to_the_committee(term, bureau, proposal_round, staff)
    assert topic.title == "关于李明、王刚同志任免的议题"
    rows = list(topic.cadres.order_by("order"))
    assert [(r.cadre.name, r.proposal, r.appointment_proposal_id) for r in rows] == [
        ("李明", "拟任区财政局局长，免去区财政局副局长职务", promotion.pk),
        ("王刚", "拟免去区财政局副局长（分管税政）职务", removal.pk),
    ]
    (material,) = topic.materials.all()
    assert material.name == "2026年第3批干部任免干部任免审批表.pdf"
    with material.file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    assert len(reader.pages) == 2
    text = "".join(page.extract_text() for page in reader.pages)
    assert "区财政局局长" in text and "原局长到龄退休" in text
    assert (
        "中共云岭区委组织部" in text and display_name(staff) in text
    )  # 呈报单位, and 填表人 the one who put it forward
    # the same proposals cannot go on a second topic while the first is open
    with pytest.raises(ApplicationError, match="李明的任免事项已在议题《关于李明、王刚同志任免的议题》中"):
        put_to_the_committee(term, bureau, proposal_round, staff)


def test_each_cadre_s_vote_moves_their_proposal_and_a_deferral_comes_back(term_seats, bureau, round_of_two, staff):
    term, _seats = term_seats
    proposal_round, promotion, removal = round_of_two
    topic = put_to_the_committee(term, bureau, proposal_round, staff)
    meeting = make_meeting(term, actor=staff, starts_at=timezone.now() + timedelta(hours=1), topics=[topic])
    # 7 standing members: 李明 5 同意 (passes: more than half of 7 is 4); 王刚 3 同意, 1 不同意, 3 缓议 → deferred
    hold_and_vote(
        meeting,
        staff,
        {"李明": ["同意"] * 5 + ["不同意", "缓议"], "王刚": ["同意"] * 3 + ["不同意"] + ["缓议"] * 3},
    )
    promotion.refresh_from_db()
    removal.refresh_from_db()
    assert (promotion.status, promotion.decided_on, promotion.decided_by) == (S.DECIDED, TODAY, "测试区委第1次常委会")
    assert removal.status == S.DEFERRED
    assert promotion.transitions.last().reason.startswith("赞成票超过应到会成员7人的半数，即至少4票为通过")
    assert AgendaItem.objects.get(meeting=meeting).decision.text == (
        "同意李明同志任区财政局局长，免去区财政局副局长职务。"
    )

    # the deferred cadre goes to the next meeting in a new round topic, and this time passes
    services.meeting_adjourn(meeting=meeting, actor=staff)
    with time_machine.travel(datetime(2026, 6, 15, 9, 0), tick=False):
        procedure.proposal_submit(proposal=removal, actor=staff)
        second = put_to_the_committee(term, bureau, proposal_round, staff)
        assert [r.cadre.name for r in second.cadres.all()] == ["王刚"]
        meeting = make_meeting(term, actor=staff, starts_at=timezone.now() + timedelta(hours=1), topics=[second])
        hold_and_vote(meeting, staff, {"王刚": ["同意"] * 6 + ["不同意"]})
    removal.refresh_from_db()
    assert (removal.status, removal.decided_on) == (S.DECIDED, date(2026, 6, 15))


def test_a_deferred_item_puts_its_proposals_off_and_back_on_the_next_agenda(term_seats, bureau, round_of_two, staff):
    term, _seats = term_seats
    proposal_round, _promotion, _removal = round_of_two
    topic = put_to_the_committee(term, bureau, proposal_round, staff)
    meeting = make_meeting(term, actor=staff, starts_at=timezone.now() + timedelta(hours=1), topics=[topic])
    present = {a.member_id for a in meeting.attendances.filter(voting=True)}
    services.attendance_take(meeting=meeting, present=present, reasons={}, actor=staff)
    services.meeting_open(meeting=meeting, actor=staff)
    votes.item_defer(item=meeting.items.get(), reason="需进一步听取意见", actor=staff)
    assert set(AppointmentProposal.objects.values_list("status", flat=True)) == {S.DEFERRED}
    services.meeting_adjourn(meeting=meeting, actor=staff)

    later = make_meeting(term, actor=staff, starts_at=timezone.now() + timedelta(days=14))
    services.agenda_item_add(meeting=later, topic=Topic.objects.get(pk=topic.pk), actor=staff)
    assert set(AppointmentProposal.objects.values_list("status", flat=True)) == {S.SUBMITTED}


def test_an_expired_recommendation_keeps_the_topic_off_the_agenda(term_seats, bureau, posts, staff):
    term, _seats = term_seats
    proposal_round = procedure.round_create(title="2026年第4批干部任免", actor=staff)
    li = serving(bureau, "李明", posts["deputy"])
    with time_machine.travel(datetime(2025, 6, 10, 9, 0), tick=False):
        promotion = procedure.proposal_create(
            proposal_round=proposal_round,
            cadre=li,
            action=A.APPOINT_REMOVE,
            target_position=posts["head"],
            current_position=posts["deputy"],
            initiated_on=date(2025, 6, 1),
            initiated_by="区委书记",
            reason="工作需要",
            actor=staff,
        )
        held = recommend(posts["head"], [li], staff, held_on=date(2025, 6, 5))
        procedure.proposal_recommend(proposal=promotion, recommendation=held, actor=staff)
        procedure.inspection_record(
            proposal=promotion,
            team="考察组",
            started_on=date(2025, 6, 6),
            ended_on=date(2025, 6, 9),
            report="考察报告",
            conclusion="符合提拔任职条件",
            actor=staff,
        )
    four_checks(promotion, staff)
    with time_machine.travel(datetime(2026, 6, 1, 9, 0), tick=False):
        procedure.proposal_submit(proposal=promotion, actor=staff)
        topic = put_to_the_committee(term, bureau, proposal_round, staff)
        # the meeting falls after 2026-06-05, the last day the recommendation may be used
        meeting = make_meeting(term, actor=staff, starts_at=timezone.make_aware(datetime(2026, 6, 8, 9, 0)))
        with pytest.raises(ApplicationError, match="民主推荐结果（2025年06月05日）有效期一年，已于2026年06月05日到期"):
            services.agenda_item_add(meeting=meeting, topic=topic, actor=staff)


def test_the_wording_of_each_action(bureau, posts, staff):
    proposal_round = procedure.round_create(title="批次", actor=staff)
    li = serving(bureau, "李明", posts["deputy"])
    exchange = AppointmentProposal(
        round=proposal_round,
        cadre=li,
        action=A.EXCHANGE,
        target_position=posts["deputy2"],
        current_position=posts["deputy"],
    )
    assert proposal_wording(exchange) == "拟交流任区财政局副局长（分管税政），免去区财政局副局长职务"
    confirm = AppointmentProposal(round=proposal_round, cadre=li, action=A.CONFIRM, current_position=posts["deputy"])
    assert proposal_wording(confirm) == "拟任区财政局副局长试用期满转正"


def test_the_page_puts_a_round_to_the_committee(client, term_seats, bureau, round_of_two, staff, make_user):
    proposal_round, _promotion, _removal = round_of_two
    url = reverse("meetings:round_topic_new", args=[proposal_round.pk])
    client.force_login(make_user(roles.ORGANIZATION_SECTION))  # runs meetings, not the appointment procedure
    assert client.get(url).status_code == 403
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert "李明：拟任区财政局局长，免去区财政局副局长职务" in page
    assert "王刚：拟免去区财政局副局长（分管税政）职务" in page
    # a head post in the round: the 全委会 and its category for heads of district units are offered first
    plenary, heads = MeetingType.objects.get(code="plenary"), TopicCategory.objects.get(name=PLENARY_HEADS)
    assert f'<option value="{plenary.pk}" selected>' in page and f'<option value="{heads.pk}" selected>' in page
    response = client.post(url, {"title": "", "category": "", "requested_type": "", "unit": ""})
    assert response.status_code == 400
    category = TopicCategory.objects.get(name=CADRE_STANDING)
    standing = MeetingType.objects.get(code="standing")
    data = {"title": "", "category": category.pk, "requested_type": standing.pk, "unit": bureau.pk}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "属区管单位正职任免，须提交全委会决定" in response.context["form"].errors["category"][0]
    assert not Topic.objects.exists()
    response = client.post(url, {**data, "urgent_reason": URGENT})
    topic = Topic.objects.get()
    assert topic.urgent_reason == URGENT
    assert response["Location"] == reverse("meetings:topic_detail", args=[topic.pk])
    assert (topic.status, topic.cadres.count(), topic.materials.count()) == (Topic.Status.DRAFT, 2, 1)


def test_a_proposal_withdrawn_while_on_the_agenda_does_not_stop_the_vote(term_seats, bureau, round_of_two, staff):
    term, _seats = term_seats
    proposal_round, promotion, removal = round_of_two
    topic = put_to_the_committee(term, bureau, proposal_round, staff)
    meeting = make_meeting(term, actor=staff, starts_at=timezone.now() + timedelta(hours=1), topics=[topic])
    procedure.proposal_withdraw(proposal=removal, reason="本人已调离", actor=staff)
    hold_and_vote(meeting, staff, {"李明": ["同意"] * 7, "王刚": ["同意"] * 7})
    promotion.refresh_from_db()
    removal.refresh_from_db()
    assert (promotion.status, removal.status) == (S.DECIDED, S.WITHDRAWN)


def test_heads_of_district_units_are_for_the_plenary(term_seats, bureau, round_of_two, staff):
    """全委会 decides heads of district units; the 常委会 only in an urgent case, after consulting every full member."""
    term, _seats = term_seats
    proposal_round, _promotion, _removal = round_of_two
    standing = MeetingType.objects.get(code="standing")
    common = {"proposal_round": proposal_round, "committee": term.committee, "unit": bureau, "actor": staff}
    with pytest.raises(ApplicationError, match=r"李明（拟任区财政局局长，免去区财政局副局长职务）属区管单位正职任免"):
        round_topic_create(category=TopicCategory.objects.get(name=CADRE_STANDING), requested_type=standing, **common)
    assert not Topic.objects.exists()
    # to the 全委会: no reason asked, none kept
    topic = round_topic_create(
        category=TopicCategory.objects.get(name=PLENARY_HEADS), requested_type=standing, urgent_reason="急", **common
    )
    assert (topic.meeting_type.code, topic.urgent_reason) == ("plenary", "")
    topic_withdraw(topic=topic, reason="改为紧急情况下提请常委会", actor=staff)
    # urgent, to the 常委会: the reason is kept and audited, and the agenda waits for every full member's opinion
    topic = round_topic_create(
        category=TopicCategory.objects.get(name=CADRE_STANDING), requested_type=standing, urgent_reason=URGENT, **common
    )
    assert (topic.meeting_type.code, topic.urgent_reason) == ("standing", URGENT)
    assert AuditEvent.objects.filter(action="topic.urgent_plenary_matter", object_id=str(topic.pk)).count() == 1
    full = term.members.filter(role__in=TermMember.FULL_MEMBER_ROLES).count()
    assert full == 15  # the term's 15 members, the 7 standing among them; alternates are not asked
    assert f"尚有{full}名委员未征求" in " ".join(topic_gates(topic))
    secretary = term.members.get(role=TermMember.Role.SECRETARY)
    topic_submit(topic=topic, actor=staff)
    tomorrow = timezone.now() + timedelta(days=1)
    one = consultation_request(topic=topic, deadline=tomorrow, members=[secretary], actor=staff)
    opinion_submit(consultation=one, member=secretary, text="同意", actor=None)
    consultation_close(consultation=one, actor=staff)
    assert f"尚有{full - 1}名委员未征求" in " ".join(topic_gates(topic))
    everyone = consultation_request(topic=topic, deadline=tomorrow, actor=staff)
    assert everyone.asked.count() == full  # the default for an urgent plenary matter: all full members
    with time_machine.travel(datetime(2026, 6, 2, 9, 1), tick=False):
        consultation_close(consultation=everyone, actor=staff)
    assert not any("委员未征求" in problem for problem in topic_gates(topic))


def test_a_round_of_deputies_goes_to_the_standing_committee(term_seats, bureau, posts, staff):
    term, _seats = term_seats
    proposal_round = procedure.round_create(title="副职调整", actor=staff)
    wang = serving(bureau, "王刚", posts["deputy2"])
    removal = procedure.proposal_create(
        proposal_round=proposal_round,
        cadre=wang,
        action=A.REMOVE,
        current_position=posts["deputy2"],
        initiated_on=date(2026, 3, 2),
        initiated_by="区委书记",
        reason="到龄退出领导岗位",
        actor=staff,
    )
    procedure.proposal_submit(proposal=removal, actor=staff)
    topic = round_topic_create(
        proposal_round=proposal_round,
        committee=term.committee,
        category=TopicCategory.objects.get(name=CADRE_STANDING),
        requested_type=MeetingType.objects.get(code="standing"),
        unit=bureau,
        actor=staff,
    )
    assert (topic.meeting_type.code, topic.urgent_reason) == ("standing", "")
    # putting the round forward renders the cadre's 任免审批表: recorded as a request of the form
    assert AuditEvent.objects.filter(action="cadre.approval_form_requested", object_id=str(wang.pk)).count() == 1


@pytest.mark.parametrize(
    ("counts", "tied", "outcome"),
    [
        ({"同意": 6, "不同意": 0, "缓议": 5}, False, "passed"),
        ({"同意": 5, "不同意": 1, "缓议": 5}, False, "deferred"),
        ({"同意": 5, "不同意": 3, "缓议": 3}, False, "rejected"),  # as many for putting off as against: not passed
        ({"同意": 5, "不同意": 6, "缓议": 0}, False, "rejected"),
        ({"同意": 6, "不同意": 5, "缓议": 0}, True, "deferred"),  # a tie for the last post stays open
    ],
)
def test_a_cadre_not_passed_is_deferred_only_when_more_ask_to_defer_than_vote_against(counts, tied, outcome):
    # 11 members should attend: 6 votes in favour pass
    result = ItemResult(counts=counts, votes_for=counts["同意"], passed=counts["同意"] >= 6 and not tied)
    assert _cadre_outcome(result, tied) == outcome


def test_a_decision_of_the_plenary_is_marked_so(term_seats, bureau, round_of_two, staff, make_user):
    term, _seats = term_seats
    second = make_user(roles.ORGANIZATION_SECTION, username="zuzhi2")
    proposal_round, promotion, _removal = round_of_two
    topic = round_topic_create(
        proposal_round=proposal_round,
        committee=term.committee,
        category=TopicCategory.objects.get(name=PLENARY_HEADS),
        requested_type=MeetingType.objects.get(code="plenary"),
        unit=bureau,
        actor=staff,
    )
    topic = make_ready(topic, term, actor=staff)
    meeting = make_meeting(term, actor=staff, type_code="plenary", topics=[topic])
    item = meeting.items.get()
    with time_machine.travel(datetime(2026, 6, 4, 9, 0), tick=False):
        everyone = {a.member_id for a in meeting.attendances.all()}  # alternates attend the plenary too
        services.attendance_take(meeting=meeting, present=everyone, reasons={}, actor=staff)
        attendances = list(meeting.attendances.filter(voting=True))
        services.meeting_open(meeting=meeting, actor=staff)
        votes.voting_open(item=item, actor=staff)
        present = len(attendances)
        counts = {str(row.pk): {"同意": present} for row in item.topic.cadres.all()}
        ballots = {"ballots_issued": present, "ballots_returned": present, "ballots_invalid": 0, "counts": counts}
        votes.tally_enter(item=item, actor=staff, **ballots)
        votes.tally_enter(item=item, actor=second, **ballots)  # the second entry, by another member of staff
        votes.voting_close(item=item, actor=staff)
    promotion.refresh_from_db()
    assert (promotion.status, promotion.decided_at_plenary) == (S.DECIDED, True)


def test_a_second_proposal_being_prepared_does_not_hold_back_the_one_before_the_committee(
    term_seats, bureau, posts, round_of_two, staff
):
    term, _seats = term_seats
    proposal_round, promotion, _removal = round_of_two
    topic = put_to_the_committee(term, bureau, proposal_round, staff)
    assert topic_gates(topic) == []
    # 李明 is also being considered for another post: that proposal waits for its own steps
    later = procedure.round_create(title="2026年第4批干部任免", actor=staff)
    procedure.proposal_create(
        proposal_round=later,
        cadre=promotion.cadre,
        action=A.APPOINT,
        target_position=posts["deputy2"],
        initiated_on=date(2026, 5, 20),
        initiated_by="区委书记",
        reason="工作需要",
        actor=staff,
    )
    assert topic_gates(topic) == []
    # without a proposal before the committee, one still being prepared keeps the cadre off the agenda
    procedure.proposal_withdraw(proposal=promotion, reason="另行研究", actor=staff)
    assert "李明：任免事项处于“已动议”阶段，尚未提交讨论决定" in topic_gates(topic)

"""Two or more users at the same moment on PostgreSQL, with real threads released together by a barrier: one
transition of a proposal, a topic or a meeting however many press at once; one vote per member; an import and a
manual edit of the same cadre file where the later one is refused in Chinese and the file holds one side in full;
one file when the same person is entered twice at once; the last post of a level taken by one initiation; the
double entry of paper ballots; one result and one decision when several close the vote; meetings and agenda items
numbered without gaps; attendance taken by two staff."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cadres.models import AppointmentProposal, Cadre, Position, ProposalTransition, Rank
from cadres.services import cadre_create, cadre_update, position_create, quota_set, roster_import
from cadres.services import proposals as proposal_services
from meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    ItemResult,
    Meeting,
    MeetingType,
    TallyEntry,
    Topic,
    TopicTransition,
    Vote,
)
from meetings.services import meetings as meeting_services
from meetings.services import topics as topic_services
from meetings.services import votes
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.cadres.test_proposals import deputy_cadre, ready
from tests.meetings.factories import (
    CADRE_PLENARY,
    PARTY_BUILDING,
    full_members_of,
    make_committee_term,
    make_meeting,
    make_topic,
    secretary_user,
)
from tests.platform.tally import tally
from tests.seeds import migration_data_reseed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16
FOR, AGAINST, ABSTAIN = "同意", "不同意", "弃权"


@pytest.fixture(autouse=True)
def seeded(transactional_db):
    """What the migrations seed (roles, calendar, work areas, meeting rules): a transactional test's flush
    removes it for the next one."""
    migration_data_reseed()


# --- running a piece of work in many threads at once ------------------------------------------------------------


@dataclass
class Outcome:
    index: int
    value: object = None
    refusal: str | None = None  # the Chinese message of an ApplicationError
    error: str | None = None  # anything else: always a failure

    @property
    def ok(self) -> bool:
        return self.refusal is None and self.error is None


def race(work, n: int = THREADS) -> list[Outcome]:
    """Runs `work(i)` for i in 0..n-1, each in its own thread and database connection, all released at once."""
    start = threading.Barrier(n)
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        outcome = Outcome(i)
        try:
            start.wait()
            outcome.value = work(i)
        except ApplicationError as exc:
            outcome.refusal = exc.message
        except Exception as exc:  # recorded and asserted on: no other kind of exception may escape
            outcome.error = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == n
    assert [o.error for o in outcomes if o.error] == []
    return sorted(outcomes, key=lambda o: o.index)


def refusals(outcomes: list[Outcome]) -> list[str]:
    return [o.refusal for o in outcomes if o.refusal is not None]


# --- 1. one transition however many press at once -----------------------------------------------------------------

PROPOSAL_DAY = date(2026, 6, 1)


@pytest.fixture
def cadre_staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu")


@pytest.fixture
def submitted_proposal(cadre_staff):
    """A promotion submitted to the committee on 2026-06-01 (as the proposals' own tests build it)."""
    with time_machine.travel(PROPOSAL_DAY, tick=False):
        bureau = make_unit("区财政局", order=1)
        posts = {
            "head": position_create(
                unit=bureau, title="局长", level=Rank.ZHENG_KE, role=Position.Role.HEAD, actor=None
            ),
            "deputy": position_create(
                unit=bureau, title="副局长", level=Rank.FU_KE, role=Position.Role.DEPUTY, actor=None
            ),
        }
        quota_set(unit=bureau, level=Rank.ZHENG_KE, approved=1, actor=None)
        quota_set(unit=bureau, level=Rank.FU_KE, approved=2, actor=None)
        proposal_round = proposal_services.round_create(title="2026年第3批干部任免", actor=cadre_staff)
        proposal = ready(proposal_round, deputy_cadre(bureau, posts), posts, cadre_staff)
        return proposal_services.proposal_submit(proposal=proposal, actor=cadre_staff)


def test_sixteen_decisions_recorded_at_once_on_one_proposal_make_one_transition(submitted_proposal, cadre_staff):
    proposal = submitted_proposal
    S = AppointmentProposal.Status
    before = ProposalTransition.objects.filter(proposal=proposal).count()

    def decide(i: int):
        # each thread records another date, so that none of them is a repeat of the winner's own call
        return proposal_services.proposal_record_decision(
            proposal=AppointmentProposal.objects.get(pk=proposal.pk),
            outcome=proposal_services.DecisionOutcome.PASSED if i % 2 else proposal_services.DecisionOutcome.REJECTED,
            decided_on=PROPOSAL_DAY + timedelta(days=i),
            decided_by=f"区委第{i + 1}次常委会",
            actor=cadre_staff,
        )

    with time_machine.travel(PROPOSAL_DAY + timedelta(days=THREADS + 5), tick=False):
        outcomes = race(decide)

    (winner,) = [o for o in outcomes if o.ok]
    proposal.refresh_from_db()
    assert proposal.status == (S.DECIDED if winner.index % 2 else S.REJECTED)
    assert proposal.status == winner.value.status
    assert ProposalTransition.objects.filter(proposal=proposal).count() == before + 1
    row = ProposalTransition.objects.filter(proposal=proposal).latest("id")
    assert (row.from_status, row.to_status, row.reason) == (
        S.SUBMITTED,
        proposal.status,
        f"区委第{winner.index + 1}次常委会",
    )
    if proposal.status == S.DECIDED:
        assert proposal.decided_on == PROPOSAL_DAY + timedelta(days=winner.index)
    word = proposal_services.STATUS_WORDS[proposal.status]
    assert refusals(outcomes) == [f"李明的任免事项处于“{word}”阶段，不能记录讨论决定结果"] * (THREADS - 1)
    assert AuditEvent.objects.filter(action=f"proposal.{proposal.status}", object_id=str(proposal.pk)).count() == 1
    tally("concurrent")


def test_sixteen_initiations_at_once_for_the_last_post_of_a_level_leave_one_open(cadre_staff):
    with time_machine.travel(PROPOSAL_DAY, tick=False):
        bureau = make_unit("区审计局", order=1)
        head = position_create(unit=bureau, title="局长", level=Rank.ZHENG_KE, role=Position.Role.HEAD, actor=None)
        quota_set(unit=bureau, level=Rank.ZHENG_KE, approved=1, actor=None)
        proposal_round = proposal_services.round_create(title="2026年第4批干部任免", actor=cadre_staff)
        people = [make_cadre(bureau, f"候选{i:02d}", rank=Rank.FU_KE) for i in range(THREADS)]

        outcomes = race(
            lambda i: proposal_services.proposal_create(
                proposal_round=proposal_round,
                cadre=people[i],
                action=AppointmentProposal.Action.APPOINT,
                target_position=head,
                initiated_on=PROPOSAL_DAY,
                initiated_by="区委书记",
                reason="局长岗位空缺",
                actor=cadre_staff,
            )
        )

    (winner,) = [o for o in outcomes if o.ok]
    (proposal,) = AppointmentProposal.objects.filter(target_position=head)
    assert proposal.pk == winner.value.pk
    # the quota of one 正科 post is taken by the one open proposal: every other initiation counts it
    assert refusals(outcomes) == [
        "超职数配备：区审计局正科级领导职数核定1名，已配备0名，再配备2名将达到2名（另有1件在办的任免事项拟配备该职级）"
    ] * (THREADS - 1)
    assert ProposalTransition.objects.filter(to_status=AppointmentProposal.Status.INITIATED).count() == 1
    tally("concurrent")


@pytest.fixture
def org_staff(make_user):
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhi")


@pytest.fixture
def term(db):
    """A small committee: 9 full members, 5 of them on the standing committee, the standing members with users."""
    term, seats = make_committee_term(standing=5, members=9, alternates=0, users=True)
    return term, seats


def test_the_secretary_approving_while_staff_return_the_same_topic_makes_one_transition(term, org_staff):
    term, _ = term
    topic = make_topic(term, actor=org_staff, ready=False)
    topic_services.topic_submit(topic=topic, actor=org_staff)
    secretary = secretary_user(term)
    before = TopicTransition.objects.filter(topic=topic).count()

    def move(i: int):
        fresh = Topic.objects.get(pk=topic.pk)
        if i % 2:
            return topic_services.topic_approve(topic=fresh, actor=secretary)
        return topic_services.topic_return(topic=fresh, actor=org_staff, reason=f"请补充材料（{i}）")

    outcomes = race(move)

    topic.refresh_from_db()
    assert TopicTransition.objects.filter(topic=topic).count() == before + 1
    row = TopicTransition.objects.filter(topic=topic).latest("id")
    assert (row.from_status, row.to_status) == (Topic.Status.SUBMITTED, topic.status)
    approved = topic.status == Topic.Status.APPROVED
    assert topic.status in (Topic.Status.APPROVED, Topic.Status.DRAFT)
    # the same move again is no change (the service returns early); the other move is refused
    assert [o.index % 2 == 1 for o in outcomes if o.ok] == [approved] * (THREADS // 2)
    refused = "议题书记已审定，不能改为“草稿”" if approved else "议题草稿，不能改为“书记已审定”"
    assert refusals(outcomes) == [refused] * (THREADS // 2)
    assert AuditEvent.objects.filter(action=f"topic.{topic.status}", object_id=str(topic.pk)).count() == 1
    tally("concurrent")


def test_opening_and_cancelling_one_meeting_at_once_does_one_of_them(term, org_staff):
    term, seats = term
    meeting = make_meeting(term, actor=org_staff, topics=[make_topic(term, actor=org_staff)])
    meeting_services.attendance_take(
        meeting=meeting, present={m.pk for m in full_members_of(seats)}, reasons={}, actor=org_staff
    )

    def move(i: int):
        fresh = Meeting.objects.get(pk=meeting.pk)
        if i % 2:
            return meeting_services.meeting_open(meeting=fresh, actor=org_staff)
        return meeting_services.meeting_cancel(meeting=fresh, actor=org_staff, reason=f"书记出差（{i}）")

    outcomes = race(move)

    meeting.refresh_from_db()
    opened = meeting.status == Meeting.Status.IN_SESSION
    assert meeting.status in (Meeting.Status.IN_SESSION, Meeting.Status.CANCELLED)
    assert [o.index % 2 == 1 for o in outcomes if o.ok] == [opened] * (THREADS // 2)
    refused = f"{meeting.title}正在进行，不能取消" if opened else f"{meeting.title}已取消，不能开始"
    assert refusals(outcomes) == [refused] * (THREADS // 2)
    events = AuditEvent.objects.filter(action__in=("meeting.opened", "meeting.cancelled"), object_id=str(meeting.pk))
    assert list(events.values_list("action", flat=True)) == ["meeting.opened" if opened else "meeting.cancelled"]
    item = AgendaItem.objects.filter(meeting=meeting).first()
    # a cancelled meeting has taken its topic off the agenda; an opened one still has it
    assert (item is not None) == opened
    tally("concurrent")


# --- 2. one vote per member ---------------------------------------------------------------------------------------


def voting_item(term, seats, staff, *, category=PARTY_BUILDING, cadres=None):
    """An item of a plenary in session with every full member present, its vote open."""
    topic = make_topic(
        term,
        actor=staff,
        category=category,
        type_code="plenary",
        title="关于公推公选区管职位人选的议题" if cadres else "关于加强党的建设的决定",
        cadres=cadres,
    )
    meeting = make_meeting(term, actor=staff, type_code="plenary", topics=[topic])
    members = full_members_of(seats)
    meeting_services.attendance_take(meeting=meeting, present={m.pk for m in members}, reasons={}, actor=staff)
    meeting_services.meeting_open(meeting=meeting, actor=staff)
    item = meeting.items.get()
    votes.voting_open(item=item, actor=staff)
    return item, members


@pytest.mark.parametrize("choices", ["same", "different"])
def test_one_member_voting_sixteen_times_at_once_is_one_vote(term, org_staff, choices):
    term, seats = term
    item, members = voting_item(term, seats, org_staff)
    member = members[3]
    options = [FOR, AGAINST, ABSTAIN]

    def vote(i: int):
        choice = FOR if choices == "same" else options[i % 3]
        return votes.vote_record(item=AgendaItem.objects.get(pk=item.pk), member=member, choice=choice, actor=org_staff)

    outcomes = race(vote)

    (winner,) = [o for o in outcomes if o.ok]
    (stored,) = Vote.objects.filter(item=item)
    assert (stored.pk, stored.member_id, stored.choice) == (winner.value.pk, member.pk, winner.value.choice)
    assert refusals(outcomes) == [f"已记录{member.cadre.name}的表决意见，不能重复表决"] * (THREADS - 1)
    assert AuditEvent.objects.filter(action="vote.recorded").count() == 1
    tally("concurrent")


def test_sixteen_staff_recording_sixteen_members_at_once_lose_no_vote(make_user, org_staff):
    term, seats = make_committee_term(standing=5, members=THREADS, alternates=0)
    item, members = voting_item(term, seats, org_staff)
    assert len(members) == THREADS
    clerks = [make_user(roles.ORGANIZATION_SECTION, username=f"clerk{i}") for i in range(THREADS)]

    outcomes = race(
        lambda i: votes.vote_record(
            item=AgendaItem.objects.get(pk=item.pk),
            member=members[i],
            choice=FOR if i < 9 else AGAINST,
            actor=clerks[i],
        )
    )

    assert all(o.ok for o in outcomes)
    assert sorted(Vote.objects.filter(item=item).values_list("member_id", flat=True)) == sorted(m.pk for m in members)
    item = votes.voting_close(item=item, actor=org_staff)
    result = item.results.get()
    assert result.counts == {FOR: 9, AGAINST: 7, ABSTAIN: 0}
    assert (result.present, result.votes_for, result.passed) == (THREADS, 9, True)
    tally("concurrent")


# --- 3. an import and a manual edit of the same cadre file --------------------------------------------------------


@pytest.fixture
def admin(make_user):
    return make_user(roles.SYSTEM_ADMIN, username="admin1")


@pytest.fixture
def file_cadre(db):
    return make_cadre(make_unit("区财政局", order=1), "张三", born=date(1975, 3, 9), phone="13800000000")


IMPORTED = ("phone", "health", "remarks")


def roster_values(run: int) -> dict[str, str]:
    return {"phone": f"1391111{run:04d}", "health": "良好", "remarks": f"花名册第{run}次导入"}


def edit_values(run: int) -> dict[str, str]:
    return {"phone": f"1382222{run:04d}", "health": "健康", "remarks": f"手工第{run}次修改"}


def roster_bytes(cadre: Cadre, values: dict[str, str]) -> bytes:
    line = ",".join([cadre.name, cadre.id_number, values["phone"], values["health"], values["remarks"]])
    return f"姓名,身份证号,联系电话,健康状况,备注\r\n{line}\r\n".encode()


def held(cadre: Cadre) -> dict[str, str]:
    fresh = Cadre.objects.get(pk=cadre.pk)
    return {field: getattr(fresh, field) for field in IMPORTED}


IMPORT_CONFLICT = "预览之后以下干部的档案已被修改：张三；请重新检查后再导入"


def edited_conflict(version: int) -> str:
    return f"张三的档案已被他人修改（当前为第{version}版），请刷新页面后重新填写"


def test_an_import_committed_after_a_manual_edit_is_refused_and_names_the_file(file_cadre, admin, cadre_staff):
    source = roster_bytes(file_cadre, roster_values(1))
    preview = roster_import(source=source, dry_run=True, actor=admin)
    assert preview.updated == 1
    cadre_update(cadre=file_cadre, actor=cadre_staff, expected_version=1, **edit_values(1))

    report = roster_import(source=source, dry_run=False, actor=admin, preview=preview)

    assert (report.written, report.conflict) == (False, IMPORT_CONFLICT)
    assert held(file_cadre) == edit_values(1)
    assert Cadre.objects.get(pk=file_cadre.pk).version == 2
    tally("concurrent")


def test_a_manual_edit_saved_after_an_import_is_refused_with_the_version(file_cadre, admin, cadre_staff):
    source = roster_bytes(file_cadre, roster_values(1))
    preview = roster_import(source=source, dry_run=True, actor=admin)
    report = roster_import(source=source, dry_run=False, actor=admin, preview=preview)
    assert report.written and report.updated == 1

    with pytest.raises(ApplicationError) as refused:
        cadre_update(cadre=file_cadre, actor=cadre_staff, expected_version=1, **edit_values(1))

    assert refused.value.message == edited_conflict(2)
    assert held(file_cadre) == roster_values(1)
    tally("concurrent")


def test_an_import_and_a_manual_edit_at_the_same_moment_keep_one_side_in_full(file_cadre, admin, cadre_staff):
    runs = 8
    winners = set()
    for run in range(1, runs + 1):
        version = Cadre.objects.get(pk=file_cadre.pk).version
        source = roster_bytes(file_cadre, roster_values(run))
        preview = roster_import(source=source, dry_run=True, actor=admin)
        assert preview.updated == 1

        def act(i: int, source=source, preview=preview, version=version, run=run):
            if i == 0:
                return roster_import(source=source, dry_run=False, actor=admin, preview=preview)
            return cadre_update(
                cadre=Cadre.objects.get(pk=file_cadre.pk),
                actor=cadre_staff,
                expected_version=version,
                **edit_values(run),
            )

        imported, edited = race(act, n=2)

        assert Cadre.objects.get(pk=file_cadre.pk).version == version + 1
        if edited.ok:
            # the edit came first: the import is refused as a whole and says whose file changed
            assert (imported.value.written, imported.value.conflict) == (False, IMPORT_CONFLICT)
            assert held(file_cadre) == edit_values(run)
            winners.add("edit")
        else:
            assert imported.value.written and not imported.value.conflict
            assert edited.refusal == edited_conflict(version + 1)
            assert held(file_cadre) == roster_values(run)
            winners.add("import")
        tally("concurrent")
    assert winners  # which side wins is up to the scheduler; either way one side is whole


def test_sixteen_staff_entering_the_same_person_at_once_make_one_file(make_user):
    unit = make_unit("区财政局", order=1)
    clerks = [make_user(roles.CADRE_SECTION, username=f"ganbu{i}") for i in range(THREADS)]
    number = make_cadre(unit, "临时", born=date(1980, 5, 6)).id_number
    Cadre.objects.filter(id_number=number).delete()

    outcomes = race(lambda i: cadre_create(actor=clerks[i], unit=unit, name="王伟", id_number=number))

    (stored,) = Cadre.objects.filter(id_number=number)
    assert [o.value.pk for o in outcomes if o.ok] == [stored.pk]
    assert refusals(outcomes) == ["身份证号已属于区财政局的王伟"] * (THREADS - 1)
    assert AuditEvent.objects.filter(action="cadre.created", object_id=str(stored.pk)).count() == 1
    tally("concurrent")


def test_an_import_and_a_manual_entry_of_the_same_new_person_at_once_make_one_file(admin, cadre_staff):
    unit = make_unit("区财政局", order=1)
    for run in range(1, 9):
        name = f"王伟{run}"
        number = make_cadre(unit, "临时", born=date(1980, 5, run)).id_number
        Cadre.objects.filter(id_number=number).delete()
        source = f"姓名,身份证号,工作单位,联系电话\r\n{name},{number},区财政局,13933330000\r\n".encode()
        preview = roster_import(source=source, dry_run=True, actor=admin)
        assert preview.new == 1

        def act(i: int, source=source, preview=preview, name=name, number=number):
            if i == 0:
                return roster_import(source=source, dry_run=False, actor=admin, preview=preview)
            return cadre_create(actor=cadre_staff, unit=unit, name=name, id_number=number, phone="13844440000")

        imported, entered = race(act, n=2)

        (stored,) = Cadre.objects.filter(id_number=number)
        if entered.ok:
            # entered by hand first: the import writes nothing and says so
            assert not imported.value.written
            said = imported.value.conflict or "；".join(e["message"] for e in imported.value.errors)
            # seen under the commit's lock (the preview is stale) or only when inserting (the database refuses)
            assert said in (
                f"预览之后以下干部的档案已被修改：{name}；请重新检查后再导入",
                "导入时有人同时修改了干部档案（如刚录入了同一身份证号），本次没有写入任何数据；请重新导入",
            )
            assert stored.phone == "13844440000"
        else:
            assert imported.value.written and imported.value.new == 1
            assert entered.refusal == f"身份证号已属于区财政局的{name}"
            assert stored.phone == "13933330000"
        tally("concurrent")


def test_the_edit_form_refused_after_an_import_keeps_the_input_and_says_why(client, file_cadre, admin, cadre_staff):
    client.force_login(cadre_staff)
    url = reverse("cadres:cadre_edit", args=[file_cadre.pk])
    form = client.get(url).context["form"]
    assert form["version"].value() == 1
    data = {k: form[k].value() or "" for k in form.fields}
    data.update({"unit": file_cadre.unit_id, **edit_values(1)})
    source = roster_bytes(file_cadre, roster_values(1))
    preview = roster_import(source=source, dry_run=True, actor=admin)
    assert roster_import(source=source, dry_run=False, actor=admin, preview=preview).written

    response = client.post(url, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors() == [edited_conflict(2)]
    assert {field: form[field].value() for field in IMPORTED} == edit_values(1)
    html = response.content.decode()
    assert edited_conflict(2) in html and edit_values(1)["remarks"] in html
    assert held(file_cadre) == roster_values(1)
    tally("concurrent")


# --- 4. paper ballots entered twice -----------------------------------------------------------------------------------


@pytest.fixture
def secret_item(term, org_staff):
    """A cadre item of the plenary (secret ballot) with its vote open, every one of the 9 members present."""
    term, seats = term
    cadres = [(make_cadre(make_unit("候选人甲所在单位"), "候选人甲"), "拟任区发展和改革局局长")]
    item, members = voting_item(term, seats, org_staff, category=CADRE_PLENARY, cadres=cadres)
    row = item.topic.cadres.get()
    return item, len(members), row


def counts_for(row, favour: int, present: int) -> dict:
    return {str(row.pk): {FOR: favour, AGAINST: present - favour, ABSTAIN: 0}}


def enter(item, actor, present: int, counts: dict):
    return votes.tally_enter(
        item=AgendaItem.objects.get(pk=item.pk),
        actor=actor,
        ballots_issued=present,
        ballots_returned=present,
        ballots_invalid=0,
        counts=counts,
    )


def test_two_staff_entering_the_count_at_once_make_the_first_and_the_second_entry(secret_item, make_user, org_staff):
    item, present, row = secret_item
    clerks = [org_staff, make_user(roles.ORGANIZATION_SECTION, username="zuzhi2")]

    outcomes = race(lambda i: enter(item, clerks[i], present, counts_for(row, 7, present)), n=2)

    assert all(o.ok for o in outcomes)
    entries = list(TallyEntry.objects.filter(item=item).order_by("seq"))
    assert [e.seq for e in entries] == [1, 2]
    assert {e.entered_by_id for e in entries} == {c.pk for c in clerks}
    item = votes.voting_close(item=item, actor=org_staff)
    (result,) = ItemResult.objects.filter(item=item)
    assert (result.votes_for, result.passed) == (7, True)
    tally("concurrent")


def test_sixteen_staff_entering_at_once_make_exactly_two_entries(secret_item, make_user, org_staff):
    item, present, row = secret_item
    clerks = [make_user(roles.ORGANIZATION_SECTION, username=f"clerk{i}") for i in range(THREADS)]

    outcomes = race(lambda i: enter(item, clerks[i], present, counts_for(row, 7, present)))

    entries = list(TallyEntry.objects.filter(item=item).order_by("seq"))
    assert [e.seq for e in entries] == [1, 2]
    assert entries[0].entered_by_id != entries[1].entered_by_id
    assert sorted(o.value.entered_by_id for o in outcomes if o.ok) == sorted(e.entered_by_id for e in entries)
    assert refusals(outcomes) == ["计票结果已录入两次；如有差错请先清除后重新录入"] * (THREADS - 2)
    assert AuditEvent.objects.filter(action="tally.entered").count() == 2
    tally("concurrent")


def test_one_user_entering_at_once_from_sixteen_windows_is_one_entry_and_not_final(secret_item, org_staff):
    item, present, row = secret_item

    outcomes = race(lambda i: enter(item, org_staff, present, counts_for(row, 7, present)))

    (entry,) = TallyEntry.objects.filter(item=item)
    assert (entry.seq, entry.entered_by_id) == (1, org_staff.pk)
    assert refusals(outcomes) == ["两次录入须由不同的工作人员完成"] * (THREADS - 1)
    with pytest.raises(ApplicationError, match="计票结果须由两名工作人员分别录入并一致后才能确定"):
        votes.voting_close(item=item, actor=org_staff)
    assert not ItemResult.objects.filter(item=item).exists()
    tally("concurrent")


def test_two_entries_that_differ_made_at_once_are_reported_not_accepted(secret_item, make_user, org_staff):
    item, present, row = secret_item
    clerks = [org_staff, make_user(roles.ORGANIZATION_SECTION, username="zuzhi2")]
    favour = [7, 6]

    outcomes = race(lambda i: enter(item, clerks[i], present, counts_for(row, favour[i], present)), n=2)

    assert all(o.ok for o in outcomes)
    first, second = TallyEntry.objects.filter(item=item).order_by("seq")
    a, b = first.counts[str(row.pk)][FOR], second.counts[str(row.pk)][FOR]
    assert {a, b} == {6, 7}
    with pytest.raises(ApplicationError) as refused:
        votes.voting_close(item=item, actor=org_staff)
    assert refused.value.message == (
        "两次录入的计票结果不一致，不能确定结果："
        f"候选人甲{AGAINST}：{present - a}≠{present - b}；候选人甲{FOR}：{a}≠{b}"
    )
    assert not ItemResult.objects.filter(item=item).exists()
    assert AgendaItem.objects.get(pk=item.pk).outcome == AgendaItem.Outcome.VOTING
    tally("concurrent")


# --- 5. closing the vote and taking attendance at once ------------------------------------------------------------


def test_sixteen_staff_closing_one_vote_at_once_make_one_result_and_one_decision(term, make_user, org_staff):
    term, seats = term
    item, members = voting_item(term, seats, org_staff)
    for member in members:
        votes.vote_record(item=item, member=member, choice=FOR, actor=org_staff)
    clerks = [make_user(roles.ORGANIZATION_SECTION, username=f"clerk{i}") for i in range(THREADS)]

    outcomes = race(lambda i: votes.voting_close(item=AgendaItem.objects.get(pk=item.pk), actor=clerks[i]))

    assert len([o for o in outcomes if o.ok]) == 1
    assert len(refusals(outcomes)) == THREADS - 1
    assert all(r.endswith("不能确定表决结果") for r in refusals(outcomes))
    (result,) = ItemResult.objects.filter(item=item)
    assert (result.votes_for, result.passed) == (len(members), True)
    assert Decision.objects.filter(item=item).count() == 1
    assert AuditEvent.objects.filter(action="vote.closed").count() == 1
    topic = Topic.objects.get(pk=item.topic_id)
    assert topic.status == Topic.Status.DECIDED
    assert TopicTransition.objects.filter(topic=topic, to_status=Topic.Status.DECIDED).count() == 1
    tally("concurrent")


def test_sixteen_meetings_scheduled_at_once_are_numbered_without_gaps(term, make_user, org_staff):
    term, _ = term
    clerks = [make_user(roles.ORGANIZATION_SECTION, username=f"clerk{i}") for i in range(THREADS)]
    starts = timezone.now() + timedelta(days=3)
    standing = MeetingType.objects.get(code="standing")

    scheduled = race(
        lambda i: meeting_services.meeting_schedule(
            term=term,
            meeting_type=standing,
            starts_at=starts + timedelta(days=i),
            place="区委常委会议室",
            actor=clerks[i],
        )
    )

    assert all(o.ok for o in scheduled)
    assert sorted(Meeting.objects.filter(term=term).values_list("number", flat=True)) == list(range(1, THREADS + 1))
    tally("concurrent")


def test_sixteen_topics_put_on_one_agenda_at_once_are_numbered_without_gaps(term, make_user, org_staff):
    term, _ = term
    clerks = [make_user(roles.ORGANIZATION_SECTION, username=f"clerk{i}") for i in range(THREADS)]
    meeting = make_meeting(term, actor=org_staff)
    topics = [make_topic(term, actor=org_staff, title=f"关于第{i + 1}项工作的议题") for i in range(THREADS)]

    added = race(
        lambda i: meeting_services.agenda_item_add(
            meeting=Meeting.objects.get(pk=meeting.pk), topic=Topic.objects.get(pk=topics[i].pk), actor=clerks[i]
        )
    )

    assert all(o.ok for o in added)
    orders = sorted(AgendaItem.objects.filter(meeting=meeting).values_list("order", flat=True))
    assert orders == list(range(1, THREADS + 1))
    assert set(Topic.objects.filter(pk__in=[t.pk for t in topics]).values_list("status", flat=True)) == {
        Topic.Status.SCHEDULED
    }
    tally("concurrent")


def test_two_staff_taking_the_same_attendance_at_once_leave_a_true_history(term, make_user, org_staff):
    term, seats = term
    meeting = make_meeting(term, actor=org_staff, topics=[make_topic(term, actor=org_staff)])
    member = full_members_of(seats)[2]
    attendance = Attendance.objects.get(meeting=meeting, member=member)
    clerks = [org_staff, make_user(roles.ORGANIZATION_SECTION, username="zuzhi2")]

    def take(i: int):
        presence = Attendance.Presence.PRESENT if i % 2 else Attendance.Presence.ABSENT
        return meeting_services.attendance_set(
            attendance=Attendance.objects.get(pk=attendance.pk),
            presence=presence,
            reason="" if i % 2 else "出差",
            actor=clerks[i % 2],
        )

    outcomes = race(take)

    assert all(o.ok for o in outcomes)
    attendance.refresh_from_db()
    events = list(
        AuditEvent.objects.filter(action="meeting.attendance_taken", object_id=str(meeting.pk)).order_by("id")
    )
    # each change starts from where the one before it ended: no two writers read the same "before"
    chain = [Attendance.Presence.UNKNOWN] + [e.details["to"] for e in events]
    assert [e.details["from"] for e in events] == chain[:-1]
    assert all(e.details["from"] != e.details["to"] for e in events)
    assert attendance.presence == chain[-1]
    assert (attendance.leave_reason == "出差") == (attendance.presence == Attendance.Presence.ABSENT)
    tally("concurrent")

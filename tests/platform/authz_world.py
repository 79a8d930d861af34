"""One small world for the authorization matrix: a user per role, two cadres with distinctive names, and one object of
each kind the URLs take (built through the services, as the domain tests do)."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from appraisal.imports import COLUMNS as SCORE_COLUMNS
from appraisal.models import AppraisalResult
from appraisal.services import cycles, ratings
from cadres.models import AppointmentProposal, MandatoryCheck, Position, ProposalDocument, Rank, Recommendation
from cadres.services import proposals as proposal_svc
from cadres.services import selection as selection_svc
from cadres.services.positions import position_create, quota_set
from cadres.services.proposal_documents import proposal_document_add
from cadres.services.reserve import reserve_add
from committees.models import WorkArea
from committees.services.absences import leave_record
from committees.services.portfolios import portfolio_assignment_set, portfolio_plan_activate, portfolio_plan_create
from meetings.models import Decision, TopicCadre
from meetings.services.meetings import attendance_take, meeting_adjourn, meeting_open, relation_add
from meetings.services.topics import consultation_request, topic_submit
from meetings.services.votes import vote_record, voting_close, voting_open
from orgdept.core import roles
from orgdept.core.documents import document_render, document_request, document_url
from orgdept.core.imports import import_batch_create
from orgdept.core.models import Notification
from tests.appraisal.factories import add_voter, indicator_only_cycle, make_cycle, make_evaluation, make_group
from tests.cadres.factories import make_cadre, make_unit
from tests.hostile_files import valid_pdf, xlsx
from tests.meetings.factories import CADRE_STANDING, R, make_committee_term, make_meeting, make_topic, user_for
from tests.seeds import migration_data_reseed
from tests.training.factories import approve, call, make_class, make_plan, online
from training.imports import COLUMNS as CREDIT_COLUMNS

# a pk no row has: the URL is still walked, and the view must answer 404 (never 500)
MISSING = 999_999

# names and ID numbers nobody without a role may read anywhere
SECRET_NAMES = ("欧阳明轩", "司马慧琳")


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role name -> user
    norole: object = None
    objects: dict = field(default_factory=dict)  # kind -> object
    secrets: tuple = ()  # strings (names, ID numbers) that must not leak
    peers: dict = field(default_factory=dict)  # role name -> a second user of that role (owns nothing)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def _user(username: str, *role_names: str, **fields):
    user = get_user_model().objects.create_user(username=username, password="correct-horse-battery", **fields)
    for role in role_names:
        user.groups.add(Group.objects.get(name=role))
    return user


def _first_pk(model) -> int:
    row = model.objects.order_by("pk").first()
    return row.pk if row is not None else MISSING


@contextlib.contextmanager
def module_world(django_db_blocker):
    """A module's world: built once, every test running in a savepoint inside it, all rolled back at the end. The
    thousands of expected 403/404 warnings (with tracebacks) are silenced: they would cost more than the requests."""
    logging.disable(logging.WARNING)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)
    finally:
        logging.disable(logging.NOTSET)


def build_world() -> World:
    migration_data_reseed()  # an earlier transactional test may have flushed what the migrations seeded
    w = World()
    o = w.objects
    for i, role in enumerate(roles.ALL_ROLES):
        if role in roles.COMMITTEE_ROLES:
            continue  # members are linked to their seats below
        w.users[role] = _user(f"authz{i}", role)
    w.norole = _user("authz_norole")
    staff = w.users[roles.CADRE_SECTION]
    trainer = w.users[roles.TRAINING_SECTION]
    office = w.users[roles.APPRAISAL_OFFICE]
    leader = w.users[roles.DEPARTMENT_LEADER]
    org = w.users[roles.ORGANIZATION_SECTION]

    # cadres, a unit and a post
    unit = make_unit("区审计局", order=1)
    quota_set(unit=unit, level=Rank.ZHENG_KE, approved=2, actor=None)
    position = position_create(unit=unit, title="局长", level=Rank.ZHENG_KE, role=Position.Role.HEAD, actor=None)
    cadre = make_cadre(unit, SECRET_NAMES[0], rank=Rank.FU_KE, born=date(1978, 4, 9))
    other = make_cadre(unit, SECRET_NAMES[1], rank=Rank.FU_KE, born=date(1981, 10, 2), male=False)
    o.update(unit=unit, position=position, cadre=cadre, other=other)
    w.secrets = (*SECRET_NAMES, cadre.id_number, other.id_number)

    # a proposal round with one proposal, and a reserve entry
    proposal_round = proposal_svc.round_create(title="2026年第9批干部任免", actor=staff)
    proposal = proposal_svc.proposal_create(
        proposal_round=proposal_round,
        cadre=cadre,
        action=AppointmentProposal.Action.APPOINT,
        target_position=position,
        initiated_on=date.today() - timedelta(days=30),
        initiated_by="区委书记",
        reason="岗位空缺",
        actor=staff,
    )
    reserve = reserve_add(
        cadre=other, target_level=Rank.ZHENG_KE, added_on=date.today(), reason="实绩突出", actor=staff
    )
    o.update(round=proposal_round, proposal=proposal, reserve=reserve)

    # a small committee; the secretary is a 常委 with a linked cadre, one ordinary member a 委员
    term, seats = make_committee_term(standing=5, members=7, alternates=1)
    secretary = seats[R.SECRETARY][0]
    member = seats[R.MEMBER][0]
    w.users[roles.STANDING_MEMBER] = secretary.cadre.user
    w.users[roles.MEMBER] = user_for(member)
    o.update(term=term, seat=member, secretary_seat=secretary)

    # a topic through its consultation (asked of the secretary only) and a meeting with it on the agenda
    topic = make_topic(term, actor=org, title="关于加强审计系统党建的意见")
    draft = make_topic(
        term, actor=org, category=CADRE_STANDING, title="关于后备干部的议题", cadres=[(other, "拟提名")], ready=False
    )
    topic_cadre = TopicCadre.objects.get(topic=draft)
    # a cadre topic submitted and put to the secretary for an opinion (the consultation stays open)
    consulted = make_topic(
        term,
        actor=org,
        category=CADRE_STANDING,
        title="关于区审计局局长人选的议题",
        cadres=[(cadre, "拟任局长")],
        ready=False,
    )
    topic_submit(topic=consulted, actor=org)
    consultation = consultation_request(
        topic=consulted, deadline=timezone.now() + timedelta(days=3), members=[secretary], actor=org
    )
    meeting = make_meeting(term, actor=org, topics=[topic])
    o.update(
        topic=topic,
        draft_topic=draft,
        topic_cadre=topic_cadre,
        material=topic.materials.first(),
        consultation=consultation,
        meeting=meeting,
        item=meeting.items.get(),
    )

    # training: an approved plan with a class, one session, the cadre called up, an online credit
    plan = make_plan(trainer)
    training_class = make_class(plan, trainer, start=date.today() + timedelta(days=10), hours=(4,))
    approve(plan, trainer, leader)
    call(training_class, [cadre], trainer)
    credit = online(cadre, trainer, 3, date.today() - timedelta(days=5))
    o.update(
        plan=plan,
        training_class=training_class,
        session=training_class.sessions.get(),
        enrolment=training_class.enrolments.get(),
        credit=credit,
    )

    # appraisal: a published indicator-only cycle rating both cadres (the cadre's account sees their own sheet) …
    cadre.user = _user("authz_appraised")
    cadre.save(update_fields=["user"])
    rated, rated_group = indicator_only_cycle(office, [cadre, other])
    ratings.ratings_accept_proposed(cycle=rated, actor=office)
    ratings.cycle_publish(cycle=rated, actor=office)
    results = {r.member.cadre_id: r for r in AppraisalResult.objects.filter(member__group=rated_group)}
    o.update(rated_cycle=rated, rated_group=rated_group, own_result=results[cadre.pk], other_result=results[other.pk])
    # … and a cycle in democratic evaluation with two online voters
    cycle = make_cycle(office, year=2026)
    group = make_group(cycle, office, [cadre, other], name="正职")
    voter_groups, _elements = make_evaluation(cycle, office)
    voter = add_voter(voter_groups["A"], office, [group], user=_user("authz_voter1"), name="测评人甲")
    other_voter = add_voter(voter_groups["B"], office, [group], user=_user("authz_voter2"), name="测评人乙")
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    o.update(
        cycle=cycle,
        group=group,
        voter_group=voter_groups["A"],
        voter=voter,
        other_voter=other_voter,
        appraisal_member=group.members.get(cadre=cadre),
    )

    _grow_cadres(w, unit, position)
    _grow_committees(w, term, seats)
    _grow_own_objects(w, term, seats)
    return w


def _pdf_upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, valid_pdf(), content_type="application/pdf")


def _grow_cadres(w: World, unit, position) -> None:
    """A proposal document, a proposal in its notice with an objection, and a competitive selection."""
    o = w.objects
    staff = w.users[roles.CADRE_SECTION]
    today = date.today()
    o["proposal_document"] = proposal_document_add(
        proposal=o["proposal"], step=ProposalDocument.Step.values[0], upload=_pdf_upload("考察材料.pdf"), actor=staff
    )
    # a deputy of some years, taken through recommendation, inspection, the four checks, the decision and the notice
    deputy = make_cadre(
        unit,
        "任前公示人",
        rank=Rank.FU_KE,
        rank_since_month=date(2018, 1, 1),
        work_started_month=date(2005, 7, 1),
        education="大学",
    )
    noticed = proposal_svc.proposal_create(
        proposal_round=o["round"],
        cadre=deputy,
        action=AppointmentProposal.Action.APPOINT,
        target_position=position,
        initiated_on=today - timedelta(days=60),
        initiated_by="区委书记",
        reason="岗位空缺",
        actor=staff,
    )
    recommendation = proposal_svc.recommendation_record(
        position=position,
        kind=Recommendation.Kind.INTERVIEW,
        held_on=today - timedelta(days=55),
        participants=45,
        candidates=[(deputy, 40)],
        actor=staff,
    )
    proposal_svc.proposal_recommend(proposal=noticed, recommendation=recommendation, actor=staff)
    proposal_svc.inspection_record(
        proposal=noticed,
        team="区委组织部考察组",
        started_on=today - timedelta(days=50),
        ended_on=today - timedelta(days=45),
        report="该同志政治坚定，工作实绩突出。",
        conclusion="符合提拔任职条件",
        actor=staff,
    )
    for kind in MandatoryCheck.Kind.values:
        proposal_svc.mandatory_check_record(
            proposal=noticed,
            kind=kind,
            done_on=today - timedelta(days=44),
            done_by="干部科",
            result="未发现问题",
            actor=staff,
        )
    # submitted, decided and put to notice today: the decision may not precede the submission's own timestamp
    noticed = proposal_svc.proposal_submit(proposal=AppointmentProposal.objects.get(pk=noticed.pk), actor=staff)
    proposal_svc.proposal_record_decision(
        proposal=noticed,
        outcome=proposal_svc.DecisionOutcome.PASSED,
        decided_on=today,
        decided_by="区委常委会",
        actor=staff,
    )
    proposal_svc.notice_start(proposal=noticed, starts_on=today, actor=staff)
    o["objection"] = proposal_svc.objection_record(
        proposal=noticed, received_on=today, content="反映其分管工作中存在问题", actor=staff
    )
    o["noticed_proposal"] = AppointmentProposal.objects.get(pk=noticed.pk)

    selection = selection_svc.selection_create(
        title="区审计局局长竞争上岗",
        position=position,
        posts=1,
        held_on=today - timedelta(days=3),
        weight_speech=30,
        weight_written=40,
        weight_evaluation=30,
        actor=staff,
    )
    o["selection"] = selection
    o["applicant"] = selection_svc.applicant_add(selection=selection, cadre=o["cadre"], actor=staff)
    selection_svc.applicant_add(selection=selection, cadre=o["other"], actor=staff)


def _grow_committees(w: World, term, seats) -> None:
    """The term's portfolios in force and a draft of the next version, a leave, a member's relation, and a decided
    item of a held meeting with its follow-up."""
    o = w.objects
    org = w.users[roles.ORGANIZATION_SECTION]
    today = date.today()
    standing = [*seats[R.SECRETARY], *seats[R.DEPUTY_SECRETARY], *seats[R.STANDING_MEMBER]]
    areas = list(WorkArea.objects.filter(active=True).order_by("pk"))
    plan = portfolio_plan_create(term=term, actor=org, title="常委分工")
    for i, area in enumerate(areas):
        portfolio_assignment_set(plan=plan, area=area, member=standing[i % len(standing)], kind="lead", actor=org)
    o["portfolio_plan"] = portfolio_plan_activate(plan=plan, effective_from=term.starts_on, actor=org)
    o["draft_plan"] = portfolio_plan_create(term=term, actor=org, title="常委分工（调整）")
    o["area"] = areas[0]

    o["leave"] = leave_record(
        member=seats[R.DEPUTY_SECRETARY][0],
        starts_on=today + timedelta(days=20),
        ends_on=today + timedelta(days=22),
        reason="参加省委党校培训",
        actor=org,
    )
    o["relation"] = relation_add(
        member_cadre=seats[R.SECRETARY][0].cadre,
        cadre=make_cadre(o["unit"], "关系人甲"),
        relation="同学",
        actor=org,
    )

    # a meeting held an hour ago that passed one topic of the first area: a decision followed up
    topic = make_topic(term, actor=org, title="关于加强审计整改工作的意见", work_area=areas[0])
    held = make_meeting(term, actor=org, starts_at=timezone.now() - timedelta(hours=1), topics=[topic])
    attendance_take(meeting=held, present={a.member_id for a in held.attendances.all()}, reasons={}, actor=org)
    meeting_open(meeting=held, actor=org)
    item = held.items.get()
    voting_open(item=item, actor=org)
    for attendance in held.attendances.filter(voting=True).select_related("member"):
        vote_record(item=item, member=attendance.member, choice="同意", actor=org)
    voting_close(item=item, actor=org)
    meeting_adjourn(meeting=held, actor=org)
    decision = Decision.objects.get(item=item)
    o.update(held_meeting=held, decision=decision, follow_up=decision.follow_up)


def _grow_own_objects(w: World, term, seats) -> None:
    """Objects only their owner may open: an import batch of every kind (its uploader), a rendered document and the
    notification it sent (its requester). `w.peers` holds, for each owner's role, a second user of that role."""
    o = w.objects
    cadre, member = o["cadre"], seats[R.MEMBER][0]
    today = date.today()
    owners = {
        "roster": (roles.CADRE_SECTION, [["姓名", "身份证号"], [cadre.name, cadre.id_number]], None),
        "term_members": (
            roles.ORGANIZATION_SECTION,
            [["姓名", "公民身份号码", "身份"], [member.cadre.name, member.cadre.id_number, "委员"]],
            {"term": term.pk},
        ),
        "training_credits": (
            roles.TRAINING_SECTION,
            [
                list(CREDIT_COLUMNS[:5]),
                [cadre.id_number, cadre.name, "数字政府专题", 4, (today - timedelta(days=7)).isoformat()],
            ],
            None,
        ),
        "appraisal_scores": (
            roles.APPRAISAL_OFFICE,
            [list(SCORE_COLUMNS), [cadre.id_number, cadre.name, "指标1", 90]],
            {"cycle": o["cycle"].pk},
        ),
    }
    for kind, (role, rows, params) in owners.items():
        upload = SimpleUploadedFile(f"{kind}.xlsx", xlsx(rows))
        o[f"{kind}_batch"] = import_batch_create(kind=kind, upload=upload, actor=w.users[role], params=params)
    for i, role in enumerate(sorted({role for role, _rows, _params in owners.values()} | {roles.DEPARTMENT_LEADER})):
        w.peers[role] = _user(f"authz_peer{i}", role)

    owner = w.users[roles.DEPARTMENT_LEADER]
    document = document_request(
        kind="calendar_year", params={"year": today.year}, title=f"{today.year}年工作日历", actor=owner
    )
    # rendered here (where the rendering task already ran after a commit, this leaves it as it is)
    o["document"] = document_render(document_id=document.pk)
    o["notification"] = Notification.objects.get(recipient=owner, url=document_url(document))


def first_pk(model) -> int:
    """The pk of some row of `model` the world's services left behind, or MISSING."""
    return _first_pk(model)

"""One small world for the authorization matrix: a user per role, two cadres with distinctive names, and one object of
each kind the URLs take (built through the services, as the domain tests do)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from appraisal.models import AppraisalResult
from appraisal.services import cycles, ratings
from cadres.models import AppointmentProposal, Position, Rank
from cadres.services import proposals as proposal_svc
from cadres.services.positions import position_create, quota_set
from cadres.services.reserve import reserve_add
from meetings.models import TopicCadre
from meetings.services.topics import consultation_request, topic_submit
from orgdept.core import roles
from tests.appraisal.factories import add_voter, indicator_only_cycle, make_cycle, make_evaluation, make_group
from tests.cadres.factories import make_cadre, make_unit
from tests.meetings.factories import CADRE_STANDING, R, make_committee_term, make_meeting, make_topic, user_for
from tests.training.factories import approve, call, make_class, make_plan, online

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


def build_world() -> World:
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
    return w


def first_pk(model) -> int:
    """The pk of some row of `model` the world's services left behind, or MISSING."""
    return _first_pk(model)

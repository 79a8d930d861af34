"""The demo's appointment procedure and training as 干部科 and 培训科 find them after load_demo: proposals of two
rounds at each stage, the promoted cadre on probation in the new post, reserve cadres and a closed competitive
selection; this year's plan approved by 部领导 with a class closed, one running and one to come, credit hours short
for some and not for others, and last year's class behind the 县处级 five-year figures. Loading the demo twice adds
nothing."""

from __future__ import annotations

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cadres.models import (
    AppointmentProposal,
    CompetitiveSelection,
    MandatoryCheck,
    PositionTenure,
    ProposalTransition,
    Rank,
    Recommendation,
    ReserveCadre,
)
from orgdept.core import roles
from orgdept.core.models import AuditEvent
from training.models import Attendance, CreditEntry, Enrolment, TrainingClass, TrainingPlan

S = AppointmentProposal.Status


def load_demo():
    call_command("load_demo", stdout=StringIO())


def signed_in(client, username):
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    return user


def demo_counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            AppointmentProposal,
            ProposalTransition,
            ReserveCadre,
            CompetitiveSelection,
            TrainingPlan,
            TrainingClass,
            Enrolment,
            Attendance,
            CreditEntry,
            AuditEvent,
        )
    }


def test_the_cadre_section_finds_proposals_at_every_stage(db, client):
    load_demo()
    today = timezone.localdate()
    signed_in(client, "ganbu")

    # the work queue offers a tab for each stage reached
    page = client.get(reverse("cadres:proposal_list"), {"stage": "all"})
    assert page.status_code == 200
    stages = {key for key, _label, count, _url, _current in page.context["tabs"] if count and key not in ("", "all")}
    assert {S.INITIATED, S.RECOMMENDED, S.INSPECTED, S.SUBMITTED, S.APPOINTED} <= stages
    # the one decided is in its pre-appointment notice; only when the notice would run into a year whose holidays are
    # not yet known does it wait, decided
    assert S.NOTICE in stages or S.DECIDED in stages
    rounds = client.get(reverse("cadres:round_list")).content.decode()
    assert "第5批干部任免" in rounds and "第6批干部任免" in rounds

    # a recommendation meeting put more candidates forward than there are posts
    recommended = AppointmentProposal.objects.get(status=S.RECOMMENDED)
    recommendation = recommended.recommendation
    assert recommendation.kind == Recommendation.Kind.MEETING
    assert recommendation.candidates.count() > recommendation.posts
    # the proposal before the committee has its four checks, all clear, for a deputy's post
    submitted = AppointmentProposal.objects.get(status=S.SUBMITTED)
    assert set(submitted.mandatory_checks.filter(clear=True).values_list("kind", flat=True)) == set(
        MandatoryCheck.Kind.values
    )
    assert submitted.target_position.role == "deputy"
    # the notice has not ended
    noticed = AppointmentProposal.objects.get(status__in=(S.NOTICE, S.DECIDED))
    if noticed.status == S.NOTICE:
        assert noticed.decided_on <= noticed.notice_starts_on <= today <= noticed.notice_ends_on
    page = client.get(reverse("cadres:proposal_detail", args=[noticed.pk]))
    assert page.status_code == 200 and noticed.cadre.name in page.content.decode()

    # the promotion appointed: on probation, and the cadre's file shows the new post and level
    appointed = AppointmentProposal.objects.get(status=S.APPOINTED, promotion=True)
    assert appointed.appointed_on <= today < appointed.probation_ends_on
    cadre = appointed.cadre
    cadre.refresh_from_db()
    assert (cadre.current_post, cadre.rank) == (appointed.target_position.title, Rank.FU_KE)
    assert PositionTenure.objects.filter(cadre=cadre, position=appointed.target_position, is_current=True).exists()
    file_page = client.get(reverse("cadres:cadre_detail", args=[cadre.pk])).content.decode()
    assert appointed.target_position.title in file_page
    # the deputy removed before it no longer holds the post
    removal = AppointmentProposal.objects.get(action=AppointmentProposal.Action.REMOVE)
    assert removal.status == S.APPOINTED
    assert not PositionTenure.objects.filter(cadre=removal.cadre, is_current=True, position__leading=True).exists()

    # the promoted cadre left the reserve pool on appointment; others are in it
    left = ReserveCadre.objects.get(cadre=cadre)
    assert left.removed_on == appointed.appointed_on and appointed.target_position.title in left.removal_reason
    assert ReserveCadre.objects.filter(removed_on__isnull=True).count() >= 3
    # the competitive selection is closed: every applicant scored, one winner, whose proposal has been initiated
    selection = CompetitiveSelection.objects.get()
    applicants = list(selection.applicants.all())
    assert selection.closed_at is not None and len(applicants) > selection.posts
    assert all(None not in (a.speech, a.written, a.evaluation) for a in applicants)
    (winner,) = [a for a in applicants if a.selected]
    assert AppointmentProposal.objects.get(cadre=winner.cadre).status == S.INITIATED
    selection_page = client.get(reverse("cadres:selection_detail", args=[selection.pk]))
    assert selection_page.status_code == 200 and winner.cadre.name in selection_page.content.decode()


def test_the_training_section_finds_the_years_training(db, client):
    load_demo()
    today = timezone.localdate()
    User = get_user_model()
    leader = User.objects.get(username="buzhang")
    assert leader.groups.filter(name=roles.DEPARTMENT_LEADER).exists()
    signed_in(client, "peixun")

    # this year's and last year's plans, approved by the 部领导
    plans = {plan.year: plan for plan in TrainingPlan.objects.all()}
    assert {today.year - 1, today.year} <= set(plans)
    assert all(p.status == TrainingPlan.Status.APPROVED and p.approved_by == leader for p in plans.values())
    plan_page = client.get(reverse("training:plan_detail", args=[plans[today.year].pk]))
    assert plan_page.status_code == 200

    # a class closed: one cadre absent more than 1/7 of the hours did not complete it and earned nothing; the
    # others earned the hours they attended
    closed = TrainingClass.objects.get(closed_at__isnull=False, enrolments__status=Enrolment.Status.NOT_COMPLETED)
    failed = closed.enrolments.get(status=Enrolment.Status.NOT_COMPLETED)
    assert not CreditEntry.objects.filter(enrolment=failed).exists()
    total = sum(s.hours for s in closed.sessions.all())
    completed = list(closed.enrolments.filter(status=Enrolment.Status.COMPLETED))
    assert completed and all(e.credit.hours == total - e.absent_hours for e in completed)
    assert any(e.absent_hours for e in completed)  # one missed a session and still completed
    assert failed.absent_hours * 7 > total
    transcript = client.get(reverse("training:transcript", args=[failed.cadre_id]))
    assert [row["training_class"] for row in transcript.context["not_completed"]] == [closed]
    assert closed not in [row["training_class"] for row in transcript.context["lines"]]
    class_page = client.get(reverse("training:class_detail", args=[closed.pk]))
    assert class_page.status_code == 200 and failed.cadre.name in class_page.content.decode()

    # one class is running, its sessions so far taken; one is to come, with its cadres called up
    running = TrainingClass.objects.get(closed_at__isnull=True, start_date__lte=today, end_date__gte=today)
    held = running.sessions.filter(date__lte=today)
    assert held.exists() and all(s.attendance.count() == running.enrolments.count() for s in held)
    assert not Attendance.objects.filter(session__training_class=running, session__date__gt=today).exists()
    upcoming = TrainingClass.objects.get(start_date__gt=today)
    assert upcoming.enrolments.filter(status=Enrolment.Status.ENROLLED).count() >= 10

    # the shortfalls: some cadres have met the year's hours and some have not
    totals = client.get(reverse("training:shortfalls")).context["totals"]
    assert 0 < totals["short"] < totals["counted"]
    # last year's class of the 县处级 leaders counts in their five years
    seminar = TrainingClass.objects.filter(plan__year=today.year - 1).order_by("start_date").first()
    assert seminar.closed_at is not None
    county = seminar.enrolments.filter(cadre__rank__in=(Rank.ZHENG_CHU, Rank.FU_CHU))
    assert county.count() == seminar.enrolments.count() and county.filter(status=Enrolment.Status.COMPLETED).exists()


def test_loading_the_demo_twice_adds_no_proposals_and_no_training(db):
    load_demo()
    first = demo_counts()
    assert first["AppointmentProposal"] and first["CreditEntry"]
    load_demo()
    assert demo_counts() == first


def test_the_demo_loads_without_a_holiday_schedule(db):
    """A database whose holiday calendar is empty (never imported, or emptied): the notices that count working
    days wait, decided, and everything else loads."""
    from orgdept.core.models import CalendarDay, CalendarYear

    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    load_demo()
    assert AppointmentProposal.objects.filter(status=S.DECIDED).exists()
    assert not AppointmentProposal.objects.filter(status=S.NOTICE).exists()
    assert TrainingPlan.objects.filter(status=TrainingPlan.Status.APPROVED).exists()

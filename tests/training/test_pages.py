"""The training pages: plans, classes, call-ups, attendance, transcripts, shortfalls and the credit import, for
培训科 (everything), 部领导 (read and approve), other roles (403 on lists, 404 on objects), anonymous users (login)
and a cadre reading their own transcript; each form's refusal next to its field, the overlap override, query
counts that do not grow with rows, and the audit of transcript views and exports."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from cadres.models import Rank
from orgdept.core import roles
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.training.factories import (
    approve,
    approved_class,
    call,
    credit_xlsx,
    make_class,
    make_plan,
    online,
    record_all,
)
from training.forms import CallUpForm
from training.models import CreditEntry, Enrolment, TrainingClass, TrainingPlan
from training.services import plans as plan_services
from training.views.classes import close_message

TODAY = date(2026, 6, 15)
HTMX = {"HTTP_HX_REQUEST": "true"}
REQUIRED = "这个字段是必填项。"


pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def people(people, make_user):
    return {
        **people,
        "cadre_section": make_user(roles.CADRE_SECTION, username="ganbu"),
        "standing": make_user(roles.STANDING_MEMBER, username="changwei"),
    }


@pytest.fixture
def bureau(db):
    return make_unit("区财政局", order=1)


@pytest.fixture
def township(db):
    return make_unit("城关镇", order=2)


@pytest.fixture
def cadres(bureau, township):
    """李明 and 王芳 (区财政局, 副科级 and 正科级), 赵刚 (城关镇, 副处级), 陈静 (城关镇, 一级科员)."""
    return {
        "li": make_cadre(bureau, "李明", rank=Rank.FU_KE, current_post="区财政局副局长"),
        "wang": make_cadre(bureau, "王芳", rank=Rank.ZHENG_KE, current_post="区财政局局长"),
        "zhao": make_cadre(township, "赵刚", rank=Rank.FU_CHU, current_post="城关镇党委书记"),
        "chen": make_cadre(township, "陈静", rank=Rank.KEYUAN_1, current_post="城关镇科员"),
    }


@pytest.fixture
def finished(staff, leader, cadres):
    """An approved class of 1–3 June (sessions of 4, 3 and 7 hours: 14) with 李明 and 王芳 called up."""
    training_class = approved_class(
        staff, leader, start=date(2026, 6, 1), end=date(2026, 6, 3), hours=("4", "3", "7"), name="中青年干部培训班"
    )
    call(training_class, [cadres["li"], cadres["wang"]], staff)
    return training_class


def url(name, *args):
    return reverse(f"training:{name}", args=args)


def errors_of(response, form_key: str, field: str) -> list[str]:
    return list(response.context[form_key].errors.get(field, []))


# --- who sees what ------------------------------------------------------------------------------------------------


@pytest.fixture
def scene(staff, leader, finished, cadres):
    """A draft plan, a submitted one with a class, the finished class's plan approved."""
    draft = make_plan(staff, title="2026年度专题培训计划")
    submitted = make_plan(staff, title="2026年度网络培训计划")
    make_class(submitted, staff, start=date(2026, 9, 1), hours=("6",), name="网络专题班")
    plan_services.plan_submit(plan=submitted, actor=staff)
    session = finished.sessions.first()
    enrolment = finished.enrolments.get(cadre=cadres["li"])
    return {
        "draft": draft,
        "submitted": submitted,
        "class": finished,
        "session": session,
        "enrolment": enrolment,
        "cadre": cadres["li"],
    }


LIST_PAGES = ("index", "class_list", "shortfalls", "shortfalls_export")


def object_pages(scene):
    return [
        url("plan_detail", scene["submitted"].pk),
        url("plan_edit", scene["draft"].pk),
        url("class_new", scene["draft"].pk),
        url("class_detail", scene["class"].pk),
        url("class_edit", scene["class"].pk),
        url("session_attendance", scene["session"].pk),
        url("enrolment_withdraw", scene["enrolment"].pk),
        url("transcript", scene["cadre"].pk),
        url("transcript_pdf", scene["cadre"].pk),
    ]


def test_the_training_section_has_every_page_with_its_forms(client, staff, scene):
    client.force_login(staff)
    page = client.get(url("index"))
    assert page.status_code == 200
    assert b'data-testid="plan-new"' in page.content
    assert b'data-testid="training-nav"' in page.content
    assert {p.title for p in page.context["object_list"]} == {
        "2026年度专题培训计划",
        "2026年度网络培训计划",
        scene["class"].plan.title,
    }
    draft = client.get(url("plan_detail", scene["draft"].pk))
    assert b'data-testid="plan-submit"' in draft.content and b'data-testid="class-new"' in draft.content
    assert b'data-testid="plan-approve"' not in draft.content
    detail = client.get(url("class_detail", scene["class"].pk))
    content = detail.content.decode()
    for testid in ("session-form", "callup-form", "candidate-filter", "class-close", "attendance-link"):
        assert f'data-testid="{testid}"' in content, testid
    assert detail.context["used"] == 2
    transcript = client.get(url("transcript", scene["cadre"].pk))
    assert b'data-testid="credit-form"' in transcript.content
    for name in ("class_list", "shortfalls", "credit_import"):
        assert client.get(url(name)).status_code == 200
    assert client.get(url("plan_new")).status_code == 200
    assert client.get(url("session_attendance", scene["session"].pk)).status_code == 200
    assert client.get(url("enrolment_withdraw", scene["enrolment"].pk)).status_code == 200


def test_the_department_leader_reads_and_approves_without_forms(client, leader, scene):
    client.force_login(leader)
    page = client.get(url("index"))
    assert page.status_code == 200
    assert b'data-testid="plan-new"' not in page.content
    submitted = client.get(url("plan_detail", scene["submitted"].pk))
    assert submitted.status_code == 200
    assert b'data-testid="plan-approve"' in submitted.content and b'data-testid="plan-return"' in submitted.content
    assert b'data-testid="plan-submit"' not in submitted.content and b'data-testid="class-new"' not in submitted.content
    detail = client.get(url("class_detail", scene["class"].pk))
    assert detail.status_code == 200
    for testid in ("session-form", "callup-form", "class-close", "attendance-link", "class-actions"):
        assert f'data-testid="{testid}"'.encode() not in detail.content, testid
    transcript = client.get(url("transcript", scene["cadre"].pk))
    assert transcript.status_code == 200 and b'data-testid="credit-form"' not in transcript.content
    assert client.get(url("shortfalls")).status_code == 200
    assert client.get(url("class_list")).status_code == 200
    # nothing to write: the forms' pages answer 403
    for forbidden in (
        url("plan_new"),
        url("plan_edit", scene["draft"].pk),
        url("class_new", scene["draft"].pk),
        url("class_edit", scene["class"].pk),
        url("session_attendance", scene["session"].pk),
        url("enrolment_withdraw", scene["enrolment"].pk),
        url("credit_import"),
    ):
        assert client.get(forbidden).status_code == 403, forbidden


@pytest.mark.parametrize("who", ["cadre_section", "standing"])
def test_other_roles_get_403_on_lists_and_404_on_objects(client, people, scene, who):
    client.force_login(people[who])
    for name in LIST_PAGES:
        assert client.get(url(name)).status_code == 403, name
    assert client.get(url("credit_import")).status_code == 403
    for page in object_pages(scene):
        assert client.get(page).status_code == 404, page
    assert client.post(url("plan_approve", scene["submitted"].pk)).status_code == 404
    assert client.post(url("class_call_up", scene["class"].pk), {"cadres": [scene["cadre"].pk]}).status_code == 404
    assert TrainingPlan.objects.get(pk=scene["submitted"].pk).status == TrainingPlan.Status.SUBMITTED


def test_anonymous_users_are_sent_to_sign_in(client, scene):
    for page in [*(url(name) for name in LIST_PAGES), url("credit_import"), *object_pages(scene)]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("login") + "?next="), page


def test_the_cadre_file_links_to_the_transcript_for_who_may_read_it(client, people, cadres):
    cadre = cadres["li"]
    link = f'href="{url("transcript", cadre.pk)}"'
    client.force_login(people["staff"])
    assert link in client.get(reverse("cadres:cadre_detail", args=[cadre.pk])).content.decode()
    client.force_login(people["cadre_section"])  # sees cadre files, not the training records
    page = client.get(reverse("cadres:cadre_detail", args=[cadre.pk]))
    assert page.status_code == 200 and link not in page.content.decode()


# --- a cadre's own transcript ---------------------------------------------------------------------------------


def test_a_cadre_reads_their_own_transcript_and_no_one_elses(client, staff, finished, cadres):
    li = cadres["li"]
    user = get_user_model().objects.create_user(username="liming", password="x", last_name="李明")
    li.user = user
    li.save(update_fields=["user"])  # linking accounts has no service yet: as the committee tests do
    online(li, staff, "12", date(2026, 3, 2), title="学习贯彻党的二十届四中全会精神")
    client.force_login(user)
    assert client.get(reverse("training:my_transcript"))["Location"] == url("transcript", li.pk)
    page = client.get(url("transcript", li.pk))
    assert page.status_code == 200
    assert [line["title"] for line in page.context["lines"]] == ["学习贯彻党的二十届四中全会精神"]
    assert b'data-testid="credit-form"' not in page.content and b'data-testid="training-nav"' not in page.content
    assert client.get(url("transcript_pdf", li.pk)).status_code == 200
    for other in (cadres["wang"], cadres["zhao"]):
        assert client.get(url("transcript", other.pk)).status_code == 404
        assert client.get(url("transcript_pdf", other.pk)).status_code == 404
    assert client.get(url("index")).status_code == 403
    assert client.get(url("class_detail", finished.pk)).status_code == 404
    viewed = AuditEvent.objects.filter(action="training.transcript_viewed", object_id=str(li.pk)).get()
    assert viewed.actor == user and viewed.details["own"] is True


def test_a_user_without_a_cadre_file_has_no_own_transcript(client, staff):
    client.force_login(staff)
    assert client.get(reverse("training:my_transcript")).status_code == 404


# --- plans --------------------------------------------------------------------------------------------------------


def test_a_plan_is_created_with_its_errors_next_to_the_fields(client, staff):
    client.force_login(staff)
    response = client.post(url("plan_new"), {"year": "2026", "title": "", "notes": ""})
    assert response.status_code == 400
    assert errors_of(response, "form", "title") == [REQUIRED]
    make_plan(staff, title="2026年度干部教育培训计划")
    response = client.post(url("plan_new"), {"year": "2026", "title": "2026年度干部教育培训计划", "notes": ""})
    assert response.status_code == 400
    assert errors_of(response, "form", "title") == ["2026年度已有名为“2026年度干部教育培训计划”的培训计划"]
    assert '<div class="field-error" role="alert">2026年度已有名为' in response.content.decode()
    response = client.post(url("plan_new"), {"year": "2026", "title": "2026年度专题培训计划", "notes": "三期"})
    plan = TrainingPlan.objects.get(title="2026年度专题培训计划")
    assert response.status_code == 302 and response["Location"] == url("plan_detail", plan.pk)
    assert (plan.year, plan.notes, plan.status, plan.created_by) == (2026, "三期", "draft", staff)


def test_a_draft_is_edited_and_a_plan_without_classes_is_not_submitted(client, staff):
    plan = make_plan(staff, title="2026年度专题培训计划")
    client.force_login(staff)
    response = client.post(url("plan_edit", plan.pk), {"title": "", "notes": ""})
    assert response.status_code == 400 and errors_of(response, "form", "title") == [REQUIRED]
    response = client.post(url("plan_edit", plan.pk), {"title": "2026年度专题培训计划（修订）", "notes": "四期"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.notes) == ("2026年度专题培训计划（修订）", "四期")
    response = client.post(url("plan_submit", plan.pk))
    assert response.status_code == 400
    assert list(response.context["submit_errors"]) == ["培训计划中还没有培训班，不能报送审批"]
    assert b'data-testid="submit-error"' in response.content
    assert TrainingPlan.objects.get(pk=plan.pk).status == "draft"


def test_submit_approve_and_return_in_the_plans_history(client, staff, leader):
    plan = make_plan(staff, title="2026年度专题培训计划")
    make_class(plan, staff, start=date(2026, 9, 1), hours=("6",))
    client.force_login(staff)
    assert client.post(url("plan_submit", plan.pk)).status_code == 302
    assert client.post(url("plan_approve", plan.pk)).status_code == 403  # 培训科 do not approve
    client.force_login(leader)
    response = client.post(url("plan_return", plan.pk), {"return-reason": ""})
    assert response.status_code == 400
    assert errors_of(response, "return_form", "reason") == [REQUIRED]
    response = client.post(url("plan_return", plan.pk), {"return-reason": "请补充网络培训班次"})
    assert response.status_code == 302
    assert TrainingPlan.objects.get(pk=plan.pk).status == "draft"
    client.force_login(staff)
    client.post(url("plan_submit", plan.pk))
    client.force_login(leader)
    response = client.post(url("plan_approve", plan.pk))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by) == ("approved", leader)
    page = client.get(url("plan_detail", plan.pk))
    history = [(e.action, e.actor, e.details.get("reason", "")) for e in page.context["history"]]
    assert history == [
        ("training_plan.created", staff, ""),
        ("training_plan.submitted", staff, ""),
        ("training_plan.returned", leader, "请补充网络培训班次"),
        ("training_plan.submitted", staff, ""),
        ("training_plan.approved", leader, ""),
    ]
    assert b'data-testid="approved"' in page.content and b'data-testid="plan-approve"' not in page.content


def test_the_plan_list_filters_by_year_and_status_and_pages(client, staff, leader):
    for i in range(27):
        make_plan(staff, year=2026, title=f"2026年度计划{i:02d}")
    old = make_plan(staff, year=2025, title="2025年度干部教育培训计划")
    make_class(old, staff, start=date(2025, 5, 6), hours=("4",))
    approve(old, staff, leader)
    client.force_login(staff)
    page = client.get(url("index"))
    assert page.context["paginator"].count == 28 and len(page.context["object_list"]) == 25
    assert [p.title for p in client.get(url("index"), {"year": "2025"}).context["object_list"]] == [old.title]
    approved = client.get(url("index"), {"status": "approved"}).context["object_list"]
    assert [(p.title, p.class_count) for p in approved] == [(old.title, 1)]
    assert client.get(url("index"), {"page": "2"}).context["page_obj"].number == 2
    partial = client.get(url("index"), {"q": "计划0"}, **HTMX)
    assert next(t.name for t in partial.templates) == "training/plan_list_results.html"
    assert len(partial.context["object_list"]) == 10


# --- classes and sessions -------------------------------------------------------------------------------------


def class_data(**overrides):
    data = {
        "name": "中青年干部培训班",
        "category": TrainingClass.Category.PARTY_SCHOOL,
        "organiser": "区委党校",
        "start_date": "2026-09-07",
        "end_date": "2026-09-11",
        "place": "区委党校101教室",
        "capacity": "40",
        "target_ranks": [Rank.ZHENG_KE, Rank.FU_KE],
    }
    data.update(overrides)
    return data


def test_a_class_is_created_within_its_plan(client, staff):
    plan = make_plan(staff, title="2026年度干部教育培训计划")
    client.force_login(staff)
    response = client.post(url("class_new", plan.pk), class_data(start_date="2025-12-28"))
    assert response.status_code == 400
    assert errors_of(response, "form", "start_date") == [
        "培训班须在计划年度（2026年）内开班；可以跨年结束，但不能在其他年度开班"
    ]
    response = client.post(url("class_new", plan.pk), class_data(name="", capacity="0"))
    assert errors_of(response, "form", "name") == [REQUIRED]
    assert errors_of(response, "form", "capacity") == ["确保该值大于或等于1。"]
    response = client.post(url("class_new", plan.pk), class_data())
    training_class = TrainingClass.objects.get()
    assert response.status_code == 302 and response["Location"] == url("class_detail", training_class.pk)
    assert (training_class.plan, training_class.capacity, training_class.target_ranks) == (
        plan,
        40,
        [Rank.ZHENG_KE, Rank.FU_KE],
    )
    assert (training_class.start_date, training_class.end_date) == (date(2026, 9, 7), date(2026, 9, 11))


def test_a_class_is_changed_but_not_below_those_called_up(client, staff, finished):
    client.force_login(staff)
    edit = client.get(url("class_edit", finished.pk))
    assert edit.context["form"].initial["capacity"] == 30
    data = class_data(
        name="中青年干部培训班",
        start_date="2026-06-01",
        end_date="2026-06-03",
        capacity="1",
        target_ranks=[],
    )
    response = client.post(url("class_edit", finished.pk), data)
    assert response.status_code == 400
    assert errors_of(response, "form", "capacity") == ["本班已调训2人，容量不能少于2人"]
    response = client.post(url("class_edit", finished.pk), {**data, "capacity": "2", "place": "区委党校礼堂"})
    assert response.status_code == 302
    finished.refresh_from_db()
    assert (finished.capacity, finished.place, finished.target_ranks) == (2, "区委党校礼堂", [])


def test_sessions_are_added_within_the_class_dates_and_removed_until_attendance(client, staff, finished):
    client.force_login(staff)
    add = url("session_add", finished.pk)
    response = client.post(add, {"session-date": "2026-06-04", "session-topic": "基层治理", "session-hours": "3"})
    assert response.status_code == 400
    assert errors_of(response, "session_form", "date") == ["课次日期须在培训班日期（2026-06-01至2026-06-03）之内"]
    response = client.post(add, {"session-date": "2026-06-03", "session-topic": "", "session-hours": "-1"})
    assert errors_of(response, "session_form", "topic") == [REQUIRED]
    assert errors_of(response, "session_form", "hours") == ["确保该值大于或等于0.1。"]
    response = client.post(add, {"session-date": "2026-06-03", "session-topic": "基层治理", "session-hours": "3.5"})
    assert response.status_code == 302 and response["Location"].endswith("#sessions")
    page = client.get(url("class_detail", finished.pk))
    assert page.context["total_hours"] == Decimal("17.5")
    added = finished.sessions.get(topic="基层治理")
    first = finished.sessions.order_by("date", "order").first()
    enrolments = finished.enrolments.all()
    client.post(url("session_attendance", first.pk), {f"present_{e.pk}": "1" for e in enrolments})
    response = client.post(url("session_remove", first.pk))
    assert response.status_code == 400
    assert list(response.context["remove_errors"]) == ["2026-06-01的课次已记录考勤，不能删除"]
    assert client.post(url("session_remove", added.pk)).status_code == 302
    assert finished.sessions.count() == 3


def test_the_class_list_filters_by_year_category_state_and_name(client, staff, leader, finished):
    plan = make_plan(staff, title="2026年度下半年计划")
    make_class(plan, staff, start=date(2026, 6, 10), end=date(2026, 6, 20), name="乡镇党委书记专题班")
    make_class(plan, staff, start=date(2026, 10, 12), name="网络培训专题班", category=TrainingClass.Category.ONLINE)
    old = make_plan(staff, year=2025, title="2025年度计划")
    make_class(old, staff, start=date(2025, 5, 6), name="2025年春季班")
    client.force_login(staff)

    def names(**params):
        return [c.name for c in client.get(url("class_list"), params).context["object_list"]]

    assert names() == ["网络培训专题班", "乡镇党委书记专题班", "中青年干部培训班", "2025年春季班"]
    assert names(year="2025") == ["2025年春季班"]
    assert names(category="online") == ["网络培训专题班"]
    assert names(state="upcoming") == ["网络培训专题班"]
    assert names(state="running") == ["乡镇党委书记专题班"]
    assert names(state="ended") == ["中青年干部培训班", "2025年春季班"]
    assert names(q="书记") == ["乡镇党委书记专题班"]
    row = client.get(url("class_list"), {"q": "中青年"}).context["object_list"][0]
    assert (row.enrolled, row.session_count, row.total_hours) == (2, 3, Decimal("14"))


# --- call-up -----------------------------------------------------------------------------------------------------


def test_the_call_up_list_finds_cadres_by_name_initials_unit_and_rank_with_their_load(
    client, staff, leader, finished, cadres
):
    online(cadres["zhao"], staff, "8", date(2026, 2, 1))
    later = approved_class(staff, leader, start=date(2026, 7, 6), end=date(2026, 7, 8), hours=("6",), name="秋季班")
    client.force_login(staff)
    page = client.get(url("class_detail", later.pk))
    assert page.context["candidates"] == []  # nothing asked yet
    partial = client.get(url("class_detail", later.pk), {"candidates": "1", "unit": cadres["li"].unit_id}, **HTMX)
    assert next(t.name for t in partial.templates) == "training/candidate_rows.html"
    rows = {r["cadre"].name: r for r in partial.context["candidates"]}
    assert sorted(rows) == ["李明", "王芳"]
    assert rows["李明"]["load"].class_count == 1 and rows["李明"]["load"].hours == Decimal("0")
    assert [e.training_class.name for e in rows["李明"]["load"].enrolments] == ["中青年干部培训班"]
    assert "中青年干部培训班" in partial.content.decode()
    by_initials = client.get(url("class_detail", later.pk), {"candidates": "1", "q": "zg"}, **HTMX)
    [zhao] = by_initials.context["candidates"]
    assert (zhao["cadre"], zhao["load"].hours, zhao["load"].class_count) == (cadres["zhao"], Decimal("8"), 0)
    by_rank = client.get(url("class_detail", later.pk), {"candidates": "1", "rank": Rank.KEYUAN_1}, **HTMX)
    assert [r["cadre"].name for r in by_rank.context["candidates"]] == ["陈静"]
    already = client.get(url("class_detail", finished.pk), {"candidates": "1", "unit": cadres["li"].unit_id})
    assert all(r["enrolled"] for r in already.context["candidates"])


def test_an_overlap_is_refused_naming_the_other_class_then_called_up_with_a_reason(
    client, staff, leader, finished, cadres
):
    # 3–5 June shares 3 June with the finished class of 李明 and 王芳
    other = approved_class(staff, leader, start=date(2026, 6, 3), end=date(2026, 6, 5), hours=("6",), name="专题班")
    client.force_login(staff)
    target = url("class_call_up", other.pk)
    response = client.post(target, {"cadres": [], "unit": cadres["li"].unit_id})
    assert errors_of(response, "callup_form", "cadres") == [
        str(CallUpForm.base_fields["cadres"].error_messages["required"])
    ]
    response = client.post(target, {"cadres": [cadres["li"].pk, cadres["zhao"].pk], "unit": cadres["li"].unit_id})
    assert response.status_code == 400
    refusal = "李明已参加「中青年干部培训班」（2026-06-01至2026-06-03），日期重叠。如确需调训，请说明理由"
    assert errors_of(response, "callup_form", "overlap_reason") == [refusal]
    content = response.content.decode()
    assert 'data-testid="overlap-reason"' in content and f'data-testid="overlap-error">{refusal}' in content
    ticked = {r["cadre"].name for r in response.context["candidates"] if r["ticked"]}
    assert ticked == {"李明", "赵刚"}  # the cadres ticked come back ticked
    assert not other.enrolments.exists()
    reason = "两班均为必训班次，经部领导同意交叉参训"
    response = client.post(
        target, {"cadres": [cadres["li"].pk, cadres["zhao"].pk], "overlap_reason": reason, "unit": ""}
    )
    assert response.status_code == 302 and response["Location"].endswith("#enrolments")
    enrolments = {e.cadre.name: e.overlap_reason for e in other.enrolments.select_related("cadre")}
    assert enrolments == {"李明": reason, "赵刚": ""}
    override = AuditEvent.objects.get(action="enrolment.called_up_overlapping")
    assert override.details["overlap_override"]["reason"] == reason
    assert [c["name"] for c in override.details["overlap_override"]["classes"]] == ["中青年干部培训班"]
    page = client.get(url("class_detail", other.pk))
    assert page.context["used"] == 2 and b"2/30" in page.content


def test_call_up_is_refused_before_approval_and_beyond_capacity(client, staff, leader, cadres):
    plan = make_plan(staff, title="2026年度专题培训计划")
    small = make_class(plan, staff, start=date(2026, 9, 1), hours=("6",), capacity=1, name="小班")
    client.force_login(staff)
    page = client.get(url("class_detail", small.pk))
    assert b'data-testid="plan-not-approved"' in page.content
    response = client.post(url("class_call_up", small.pk), {"cadres": [cadres["li"].pk]})
    assert response.status_code == 400
    assert list(response.context["callup_form"].non_field_errors()) == ["培训计划尚未审批，不能调训"]
    approve(plan, staff, leader)
    response = client.post(url("class_call_up", small.pk), {"cadres": [cadres["li"].pk, cadres["wang"].pk]})
    assert errors_of(response, "callup_form", "cadres") == ["培训班容量为1人，已调训0人，本次调训2人将超出容量"]
    assert client.post(url("class_call_up", small.pk), {"cadres": [cadres["li"].pk]}).status_code == 302
    assert b"1/1" in client.get(url("class_detail", small.pk)).content


def test_a_cadre_is_withdrawn_with_a_reason(client, staff, finished, cadres):
    enrolment = finished.enrolments.get(cadre=cadres["wang"])
    client.force_login(staff)
    response = client.post(url("enrolment_withdraw", enrolment.pk), {"reason": ""})
    assert response.status_code == 400 and errors_of(response, "form", "reason") == [REQUIRED]
    response = client.post(url("enrolment_withdraw", enrolment.pk), {"reason": "因公务不能参训"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.withdrawal_reason) == ("withdrawn", "因公务不能参训")
    assert client.get(url("class_detail", finished.pk)).context["used"] == 1


# --- attendance and closing -----------------------------------------------------------------------------------


def test_attendance_defaults_to_present_and_is_saved_per_session(client, staff, finished, cadres):
    first, *_later = finished.sessions.order_by("date", "order")
    li, wang = (finished.enrolments.get(cadre=cadres[k]) for k in ("li", "wang"))
    client.force_login(staff)
    sheet = client.get(url("session_attendance", first.pk))
    form = sheet.context["form"]
    assert [e.cadre.name for e, _p, _n in form.rows()] == ["李明", "王芳"]
    assert {form[f"present_{e.pk}"].value() for e in (li, wang)} == {"1"}
    response = client.post(url("session_attendance", first.pk), {f"present_{li.pk}": "0", f"present_{wang.pk}": ""})
    assert response.status_code == 400
    assert errors_of(response, "form", f"present_{wang.pk}") == [REQUIRED]
    response = client.post(
        url("session_attendance", first.pk),
        {f"present_{li.pk}": "0", f"note_{li.pk}": "请假", f"present_{wang.pk}": "1"},
    )
    assert response.status_code == 302
    marks = {(a.enrolment.cadre.name, a.present, a.note) for a in first.attendance.select_related("enrolment__cadre")}
    assert marks == {("李明", False, "请假"), ("王芳", True, "")}
    again = client.get(url("session_attendance", first.pk)).context["form"]
    assert again[f"present_{li.pk}"].value() == "0" and again[f"note_{li.pk}"].value() == "请假"
    page = client.get(url("class_detail", finished.pk))
    assert [s.complete for s in page.context["sessions"]] == [True, False, False]
    assert [s.absent for s in page.context["sessions"]] == [1, 0, 0]


def test_attendance_of_a_session_still_to_come_is_refused(client, staff, leader, cadres):
    later = approved_class(staff, leader, start=date(2026, 6, 15), end=date(2026, 6, 16), hours=("4", "4"))
    call(later, [cadres["li"]], staff)
    enrolment = later.enrolments.get()
    tomorrow = later.sessions.get(date=date(2026, 6, 16))
    client.force_login(staff)
    response = client.post(url("session_attendance", tomorrow.pk), {f"present_{enrolment.pk}": "1"})
    assert response.status_code == 400
    assert list(response.context["form"].non_field_errors()) == ["2026-06-16的课次还没有开始，不能记录考勤"]


def test_closing_shows_who_completed_and_their_credit(client, staff, finished, cadres):
    client.force_login(staff)
    response = client.post(url("class_close", finished.pk))
    assert response.status_code == 400
    [error] = response.context["close_errors"]
    assert error.startswith("考勤尚未记录完整，不能结业：2026-06-01（第1讲）")
    # 李明 misses the 4-hour session: 4 × 7 = 28 > 14, not completed; 王芳 attends all
    record_all(finished, staff, absent={cadres["li"].pk: (0,)})
    response = client.post(url("class_close", finished.pk), follow=True)
    assert response.redirect_chain[-1][0].endswith("#enrolments")
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [close_message({"completed": 1, "not_completed": 1})]
    rows = {
        e.cadre.name: (e.status, e.absent_hours, e.credit.hours if e.status == "completed" else None)
        for e in response.context["enrolments"]
    }
    assert rows == {"李明": ("not_completed", Decimal("4"), None), "王芳": ("completed", Decimal("0"), Decimal("14"))}
    content = response.content.decode()
    assert 'data-testid="closed"' in content and 'data-testid="class-close"' not in content
    assert 'data-testid="callup-form"' not in content and 'data-testid="session-form"' not in content
    again = client.post(url("class_close", finished.pk))
    assert again.status_code == 400 and "不能重复结业" in again.context["close_errors"][0]
    assert CreditEntry.objects.filter(source="class").count() == 1


# --- transcripts ----------------------------------------------------------------------------------------------


def closed_scene(finished, staff, cadres):
    record_all(finished, staff, absent={cadres["li"].pk: (0,)})
    from training.services.attendance import class_close

    class_close(training_class=finished, actor=staff)


def test_the_transcript_shows_the_requirement_ledger_and_classes_not_completed(client, staff, finished, cadres):
    closed_scene(finished, staff, cadres)
    online(cadres["wang"], staff, "20.5", date(2026, 3, 2), title="网络学院专题课程")
    client.force_login(staff)
    wang = client.get(url("transcript", cadres["wang"].pk))
    status = wang.context["status"]
    # 正科级: 90 hours in 2026; 14 + 20.5 earned
    assert (status.required, status.earned, status.shortfall, status.due_date) == (
        Decimal("90"),
        Decimal("34.5"),
        Decimal("55.5"),
        date(2026, 12, 31),
    )
    assert [(line["title"], line["hours"]) for line in wang.context["lines"]] == [
        ("中青年干部培训班", Decimal("14")),
        ("网络学院专题课程", Decimal("20.5")),
    ]
    content = wang.content.decode()
    assert '<div class="value" data-testid="earned">34.5</div>' in content
    assert '<div class="value" data-testid="shortfall">55.5</div>' in content
    li = client.get(url("transcript", cadres["li"].pk))
    assert li.context["lines"] == [] and b'data-testid="no-credit"' in li.content
    assert [(r["training_class"].name, r["absent_hours"]) for r in li.context["not_completed"]] == [
        ("中青年干部培训班", Decimal("4"))
    ]


def pdf_file(name="证书.pdf") -> SimpleUploadedFile:
    from orgdept.core.pdf import html_to_pdf

    return SimpleUploadedFile(name, html_to_pdf("<p>结业证书</p>"), content_type="application/pdf")


def credit_data(**overrides):
    data = {
        "credit-source": "online",
        "credit-title": "学习贯彻党的二十届四中全会精神",
        "credit-organiser": "干部网络学院",
        "credit-hours": "12",
        "credit-earned_on": "2026-06-10",
        "credit-note": "",
    }
    data.update(overrides)
    return data


def test_online_hours_are_recorded_with_evidence(client, staff, cadres):
    li = cadres["li"]
    target = url("credit_new", li.pk)
    client.force_login(staff)
    response = client.post(target, credit_data(**{"credit-hours": "", "credit-earned_on": "2026-06-16"}))
    assert response.status_code == 400
    assert errors_of(response, "credit_form", "hours") == [REQUIRED]
    response = client.post(target, credit_data(**{"credit-earned_on": "2026-06-16"}))
    assert errors_of(response, "credit_form", "earned_on") == ["学时的取得日期不能晚于今天"]
    fake = SimpleUploadedFile("证书.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(target, {**credit_data(), "credit-evidence": fake})
    assert response.status_code == 400 and len(errors_of(response, "credit_form", "evidence")) == 1
    response = client.post(target, {**credit_data(), "credit-evidence": pdf_file()})
    assert response.status_code == 302 and response["Location"].endswith("#ledger")
    entry = CreditEntry.objects.get(cadre=li)
    assert (entry.source, entry.hours, entry.earned_on, entry.organiser) == (
        "online",
        Decimal("12"),
        date(2026, 6, 10),
        "干部网络学院",
    )
    assert entry.evidence.name.endswith(".pdf")
    download = client.get(url("evidence", entry.pk))
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    assert download["Content-Disposition"].startswith("attachment")
    response = client.post(target, credit_data())
    assert errors_of(response, "credit_form", "title") == [
        "李明已有2026-06-10「学习贯彻党的二十届四中全会精神」的学时记录，不能重复登记"
    ]


def test_evidence_over_the_size_limit_is_refused(client, staff, cadres, settings):
    settings.ORGDEPT_MATERIAL_MAX_BYTES = 1000
    client.force_login(staff)
    big = SimpleUploadedFile("证书.pdf", b"%PDF-1.4\n" + b"0" * 1200, content_type="application/pdf")
    response = client.post(url("credit_new", cadres["li"].pk), {**credit_data(), "credit-evidence": big})
    assert response.status_code == 400 and len(errors_of(response, "credit_form", "evidence")) == 1
    assert not CreditEntry.objects.exists()


def test_transcript_views_and_pdf_downloads_are_audited(client, staff, leader, finished, cadres):
    closed_scene(finished, staff, cadres)
    wang = cadres["wang"]
    client.force_login(leader)
    assert client.get(url("transcript", wang.pk)).status_code == 200
    client.get(url("transcript", wang.pk))
    viewed = AuditEvent.objects.filter(action="training.transcript_viewed", object_id=str(wang.pk))
    assert viewed.count() == 2 and {e.actor for e in viewed} == {leader}
    assert viewed.first().object_type == "cadres.cadre"
    response = client.get(url("transcript_pdf", wang.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = "".join(text.split())
    assert "干部教育培训学时证明" in flat and "王芳" in flat and "中青年干部培训班" in flat
    assert "应修90学时，已修14学时，尚差76学时" in flat and "生成日期：2026年6月15日" in flat
    exported = AuditEvent.objects.get(action="training.transcript_exported")
    assert (exported.actor, exported.object_id, exported.details["on"]) == (leader, str(wang.pk), "2026-06-15")


# --- the shortfall dashboard ----------------------------------------------------------------------------------


def test_the_dashboard_counts_cadres_short_per_unit_and_drills_down(client, staff, leader, cadres, bureau):
    online(cadres["wang"], staff, "90", date(2026, 1, 5))  # 正科级: met
    online(cadres["li"], staff, "30", date(2026, 2, 5))  # 副科级: 60 short
    online(cadres["zhao"], staff, "500", date(2021, 6, 16))  # 副处级: counted from 2021-06-16, 50 short
    make_cadre(bureau, "无职级")  # no rank: not counted
    client.force_login(leader)
    page = client.get(url("shortfalls"))
    lines = {line.unit.name: (line.counted, line.short, line.total_shortfall) for line in page.context["lines"]}
    assert lines == {"区财政局": (2, 1, Decimal("60")), "城关镇": (2, 2, Decimal("140"))}  # 陈静 90 short
    assert page.context["totals"] == {"counted": 4, "short": 3, "total_shortfall": Decimal("200")}
    # a day later the 2021-06-16 hours leave 赵刚's window
    later = client.get(url("shortfalls"), {"on": "2026-06-16"})
    assert {ln.unit.name: ln.total_shortfall for ln in later.context["lines"]}["城关镇"] == Decimal("640")
    county = client.get(url("shortfalls"), {"group": "county"})
    assert [(ln.unit.name, ln.counted, ln.short) for ln in county.context["lines"]] == [("城关镇", 1, 1)]
    township = client.get(url("shortfalls_unit", cadres["zhao"].unit_id), {"group": "township"})
    [item] = township.context["line"].cadres_short
    assert (item.cadre.name, item.status.earned, item.status.shortfall) == ("陈静", Decimal("0"), Decimal("90"))
    drill = client.get(url("shortfalls_unit", cadres["zhao"].unit_id))
    assert [(i.cadre.name, i.status.shortfall) for i in drill.context["line"].cadres_short] == [
        ("陈静", Decimal("90")),
        ("赵刚", Decimal("50")),
    ]
    assert f'href="{url("transcript", cadres["zhao"].pk)}"' in drill.content.decode()


def test_the_shortfall_export_is_a_spreadsheet_and_audited(client, staff, cadres):
    online(cadres["li"], staff, "30", date(2026, 2, 5))
    client.force_login(staff)
    response = client.get(url("shortfalls_export"), {"group": "township"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(response.content))
    detail = [list(row) for row in workbook["未达标干部"].iter_rows(values_only=True)]
    assert detail[0][:4] == ["单位", "姓名", "现任职务", "职级"]
    assert sorted((row[1], row[9]) for row in detail[1:]) == [("李明", 60), ("王芳", 90), ("陈静", 90)]
    event = AuditEvent.objects.get(action="training.shortfalls_exported")
    assert (event.actor, event.details["group"], event.details["cadres_short"]) == (staff, "township", 3)


# --- the credit import ----------------------------------------------------------------------------------------


def sheet(rows) -> SimpleUploadedFile:
    return SimpleUploadedFile("学时.xlsx", credit_xlsx(rows))


def test_credit_hours_are_imported_after_a_preview(client, staff, cadres):
    li, wang = cadres["li"], cadres["wang"]
    client.force_login(staff)
    template = client.get(url("credit_template"))
    assert template.status_code == 200 and template["Content-Disposition"].startswith("attachment")
    bad = sheet([[li.id_number, "李四", "党史学习", "6", "2026-05-03", "干部网络学院", "网络培训"]])
    response = client.post(url("credit_import"), {"file": bad})
    assert response.status_code == 302
    batch_url = response["Location"]
    preview = client.get(batch_url)
    assert preview.status_code == 200
    [error] = preview.context["report"].errors
    assert (error["row"], error["column"]) == (2, "姓名")
    assert b'data-testid="confirm-import"' not in preview.content
    good = sheet(
        [
            [li.id_number, "李明", "党史学习", "6", "2026-05-03", "干部网络学院", "网络培训"],
            [wang.id_number, "王芳", "财政业务培训", "16", "2026/5/8", "市财政局", ""],
        ]
    )
    batch_url = client.post(url("credit_import"), {"file": good})["Location"]
    preview = client.get(batch_url)
    assert preview.context["report"].new == 2 and b'data-testid="confirm-import"' in preview.content
    assert not CreditEntry.objects.exists()
    commit = preview.context["commit_url"]
    assert client.post(commit).status_code == 302
    entries = {(e.cadre.name, e.source, e.hours, e.earned_on) for e in CreditEntry.objects.select_related("cadre")}
    assert entries == {
        ("李明", "online", Decimal("6"), date(2026, 5, 3)),
        ("王芳", "imported", Decimal("16"), date(2026, 5, 8)),
    }
    assert client.get(url("credit_import")).context["batches"][0].status == "committed"


def test_the_leader_cannot_import(client, leader):
    client.force_login(leader)
    assert client.post(url("credit_import"), {"file": sheet([])}).status_code == 403
    assert client.get(url("credit_template")).status_code == 403


# --- query counts ---------------------------------------------------------------------------------------------


def test_the_class_list_query_count_does_not_grow(client, staff, django_assert_num_queries):
    plan = make_plan(staff, title="2026年度计划")

    def fill(start, n):
        for i in range(start, start + n):
            make_class(plan, staff, start=date(2026, 3, 1) + timedelta(days=i), hours=("4", "2"), name=f"班{i:02d}")

    fill(0, 2)
    client.force_login(staff)
    client.get(url("class_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(url("class_list"), {"per_page": 100})
    fill(2, 30)
    with django_assert_num_queries(len(few)):
        response = client.get(url("class_list"), {"per_page": 100})
    assert len(response.context["object_list"]) == 32


def test_the_class_page_query_count_does_not_grow(client, staff, leader, bureau, django_assert_num_queries):
    training_class = approved_class(staff, leader, start=date(2026, 6, 1), end=date(2026, 6, 5), capacity=60)
    people = [make_cadre(bureau, f"干部{i:02d}", rank=Rank.FU_KE) for i in range(40)]
    from training.services.classes import session_add

    def fill(cadres, sessions):
        call(training_class, cadres, staff)
        for day in sessions:
            session_add(training_class=training_class, date=day, topic="专题", hours="3", actor=staff)
        record_all(training_class, staff)

    fill(people[:2], [date(2026, 6, 1)])
    client.force_login(staff)
    params = {"unit": bureau.pk}
    client.get(url("class_detail", training_class.pk), params)
    with CaptureQueriesContext(connection) as few:
        client.get(url("class_detail", training_class.pk), params)
    fill(people[2:30], [date(2026, 6, 2), date(2026, 6, 3), date(2026, 6, 4)])
    with django_assert_num_queries(len(few)):
        response = client.get(url("class_detail", training_class.pk), params)
    assert len(response.context["enrolments"]) == 30 and len(response.context["sessions"]) == 4
    assert len(response.context["candidates"]) == 40


def test_the_shortfall_dashboard_query_count_does_not_grow(client, staff, django_assert_num_queries):
    def fill(start, n):
        for i in range(start, start + n):
            unit = make_unit(f"单位{i:02d}", order=i)
            for j in range(3):
                cadre = make_cadre(unit, f"干部{i:02d}{j}", rank=Rank.FU_KE if j else Rank.FU_CHU)
                online(cadre, staff, "10", date(2026, 1, 2))

    fill(0, 2)
    client.force_login(staff)
    client.get(url("shortfalls"))
    with CaptureQueriesContext(connection) as few:
        client.get(url("shortfalls"))
    fill(2, 12)
    with django_assert_num_queries(len(few)):
        response = client.get(url("shortfalls"))
    assert len(response.context["lines"]) == 14 and response.context["totals"]["short"] == 42


def test_enrolments_are_listed_with_the_withdrawn_last(client, staff, finished, cadres):
    call(finished, [cadres["chen"]], staff)
    enrolment = finished.enrolments.get(cadre=cadres["li"])
    from training.services.enrolment import enrolment_withdraw

    enrolment_withdraw(enrolment=enrolment, reason="因病", actor=staff)
    client.force_login(staff)
    rows = client.get(url("class_detail", finished.pk)).context["enrolments"]
    assert [(e.cadre.name, e.status) for e in rows] == [
        ("王芳", Enrolment.Status.ENROLLED),
        ("陈静", Enrolment.Status.ENROLLED),
        ("李明", Enrolment.Status.WITHDRAWN),
    ]

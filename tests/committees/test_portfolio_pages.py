"""The work-area and portfolio plan pages: who may read and who may change, the coverage matrix with its gaps and
overlaps, cells set with htmx or a plain form, activation refused on the page, and a pinned query count."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.models import PortfolioAssignment, PortfolioPlan, TermMember, WorkArea
from committees.services import (
    portfolio_assignment_set,
    portfolio_plan_activate,
    portfolio_plan_create,
    term_member_add,
    work_area_create,
)
from orgdept.core import roles
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.committees.test_portfolios import AREAS, STARTS, V1_FROM, draft_plan, make_standing_term, use_areas

R = TermMember.Role
LEAD, ASSIST = PortfolioAssignment.Kind.LEAD, PortfolioAssignment.Kind.ASSIST
HTMX = {"HX-Request": "true"}


@pytest.fixture
def organizer(make_user):
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhi")


@pytest.fixture
def standing_reader(make_user):
    return make_user(roles.STANDING_MEMBER, username="changwei")


@pytest.fixture
def outsider(make_user):
    return make_user(roles.TRAINING_SECTION, username="peixun")


@pytest.fixture
def setup(db):
    term, m = make_standing_term()
    areas = use_areas(*AREAS)
    return term, m, areas


@pytest.fixture
def term(setup):
    return setup[0]


@pytest.fixture
def m(setup):
    return setup[1]


@pytest.fixture
def areas(setup):
    return setup[2]


@pytest.fixture
def in_force(term, m, areas):
    plan = draft_plan(
        term,
        leads=[(areas["组织"], m["王组织"]), (areas["宣传"], m["赵宣传"]), (areas["经济"], m["钱经济"])],
        assists=[(areas["经济"], m["李区长"])],
    )
    return portfolio_plan_activate(plan=plan, effective_from=V1_FROM, actor=None)


@pytest.fixture
def faulty_draft(term, m, areas, in_force):
    """Version 2: 宣传 has no lead (a gap), 组织 has two (an overlap)."""
    plan = portfolio_plan_create(term=term, actor=None)
    portfolio_assignment_set(plan=plan, area=areas["宣传"], member=m["赵宣传"], kind=None, actor=None)
    portfolio_assignment_set(plan=plan, area=areas["组织"], member=m["赵宣传"], kind=LEAD, actor=None)
    return plan


def url(name, *args):
    return reverse(f"committees:{name}", args=args)


def cell(plan, area, member):
    return plan.assignments.filter(area=area, member=member).values_list("kind", flat=True).first()


# --- the entry point ------------------------------------------------------------------------------------------


def test_portfolio_opens_the_draft_for_the_organization_section_and_the_plan_in_force_for_readers(
    client, organizer, standing_reader, in_force, faulty_draft
):
    client.force_login(organizer)
    assert client.get(url("portfolio"))["Location"] == url("plan_detail", faulty_draft.pk)
    client.force_login(standing_reader)
    assert client.get(url("portfolio"))["Location"] == url("plan_detail", in_force.pk)


def test_portfolio_without_a_plan_in_force_lists_the_versions(client, standing_reader, term):
    client.force_login(standing_reader)
    assert client.get(url("portfolio"))["Location"] == url("plan_list", term.pk)


def test_portfolio_without_a_term_says_so(client, standing_reader, db):
    client.force_login(standing_reader)
    response = client.get(url("portfolio"))
    assert response.status_code == 200
    assert response.templates[0].name == "committees/plan_none.html"


def test_pages_need_a_committee_role(client, outsider, in_force, term, areas):
    client.force_login(outsider)
    for page in (
        url("portfolio"),
        url("work_area_list"),
        url("work_area_create"),
        url("work_area_edit", areas["组织"].pk),
        url("plan_list", term.pk),
        url("plan_detail", in_force.pk),
    ):
        assert client.get(page).status_code == 403, page
    assert client.post(url("plan_pdf", in_force.pk)).status_code == 403


def test_pages_need_a_sign_in(client, in_force):
    response = client.get(url("plan_detail", in_force.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the work-area catalogue ----------------------------------------------------------------------------------


def test_the_catalogue_searches_and_filters_and_shows_the_lead_in_force(client, standing_reader, in_force):
    client.force_login(standing_reader)
    response = client.get(url("work_area_list"), {"active": "1"})
    rows = response.context["rows"]
    assert [r["area"].name for r in rows] == list(AREAS)
    assert [[x.cadre.name for x in r["leads"]] for r in rows] == [["王组织"], ["赵宣传"], ["钱经济"]]
    assert not response.context["can_add"]
    assert url("work_area_create") not in response.content.decode()

    response = client.get(url("work_area_list"), {"q": "纪检"})
    assert [r["area"].name for r in response.context["rows"]] == ["纪检监察"]
    response = client.get(url("work_area_list"), {"active": "0", "per_page": 100}, headers=HTMX)
    names = [r["area"].name for r in response.context["rows"]]
    assert "纪检监察" in names and "组织" not in names
    assert response.templates[0].name == "committees/work_area_list_results.html"


def test_the_organization_section_adds_and_changes_areas(client, organizer):
    client.force_login(organizer)
    assert url("work_area_create") in client.get(url("work_area_list")).content.decode()

    response = client.post(url("work_area_create"), {"name": " 审计 ", "description": "审计、统计", "active": "on"})
    assert response.status_code == 302
    area = WorkArea.objects.get(name="审计")
    assert (area.description, area.active) == ("审计、统计", True)

    response = client.post(url("work_area_create"), {"name": "审计"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["已有名为“审计”的领域"]

    response = client.post(url("work_area_edit", area.pk), {"name": "审计统计", "description": "", "order": 5})
    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.name, area.order, area.active) == ("审计统计", 5, False)
    assert AuditEvent.objects.filter(action="work_area.updated", object_id=str(area.pk), actor=organizer).exists()

    response = client.post(url("work_area_edit", area.pk), {"name": "", "order": ""})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "order"}


def test_readers_cannot_change_areas(client, standing_reader, areas):
    client.force_login(standing_reader)
    assert client.get(url("work_area_create")).status_code == 403
    assert client.post(url("work_area_create"), {"name": "审计"}).status_code == 403
    assert client.post(url("work_area_edit", areas["组织"].pk), {"name": "x", "order": 1}).status_code == 403
    assert not WorkArea.objects.filter(name__in=["审计", "x"]).exists()


# --- a term's versions ----------------------------------------------------------------------------------------


def test_the_versions_list_and_drafting_a_new_one(client, organizer, term, in_force):
    client.force_login(organizer)
    response = client.get(url("plan_list", term.pk))
    assert [p.version for p in response.context["object_list"]] == [1]
    assert response.context["can_draft"]
    assert url("plan_create", term.pk) in response.content.decode()

    response = client.post(url("plan_create", term.pk), follow=True)
    draft = PortfolioPlan.objects.get(status="draft")
    assert response.redirect_chain == [(url("plan_detail", draft.pk), 302)]
    assert (draft.version, draft.based_on, draft.created_by) == (2, in_force, organizer)
    assert draft.assignments.count() == 4

    # a second draft is refused with the service's words
    response = client.post(url("plan_create", term.pk), follow=True)
    assert [str(msg) for msg in response.context["messages"]] == ["已有未生效的草稿（第2版），请先完成或废弃它"]
    response = client.get(url("plan_list", term.pk), {"status": "draft"})
    assert [p.version for p in response.context["object_list"]] == [2]


def test_readers_see_the_versions_but_cannot_draft(client, standing_reader, term, in_force):
    client.force_login(standing_reader)
    response = client.get(url("plan_list", term.pk))
    assert response.status_code == 200
    assert url("plan_create", term.pk) not in response.content.decode()
    assert client.post(url("plan_create", term.pk)).status_code == 403
    assert not PortfolioPlan.objects.filter(status="draft").exists()


# --- the matrix -----------------------------------------------------------------------------------------------


def test_the_matrix_marks_gaps_and_overlaps_and_lists_them(client, organizer, faulty_draft, m, areas):
    client.force_login(organizer)
    response = client.get(url("plan_detail", faulty_draft.pk))
    html = response.content.decode()

    rows = {r.area.name: r for r in response.context["rows"]}
    assert "row-gap" in rows["宣传"].css and "row-overlap" in rows["组织"].css
    assert rows["经济"].css == ""
    assert response.context["problems"] == ["空挡（没有牵头常委）：宣传", "重叠：组织有2名牵头常委（王组织、赵宣传）"]
    for problem in response.context["problems"]:
        assert problem in html
    assert html.count('data-testid="gap-marker"') == 1 and html.count('data-testid="overlap-marker"') == 1
    # columns: standing members in statutory order; a cell per area and member
    members = response.context["coverage"].members
    assert [x.cadre.name for x in members] == ["陈书记", "李区长", "王组织", "赵宣传", "钱经济"]
    assert [(c.member.cadre.name, c.kind) for c in rows["组织"].cells if c.kind] == [
        ("王组织", "lead"),
        ("赵宣传", "lead"),
    ]
    assert [x.cadre.name for x in response.context["idle_members"]] == ["陈书记"]
    # editable: one form per cell, naming area, member and state for screen readers
    assert html.count(f'action="{url("plan_cell", faulty_draft.pk)}"') == 3 * 5
    assert f'id="cell-{areas["组织"].pk}-{m["赵宣传"].pk}"' in html
    assert url("plan_activate", faulty_draft.pk) in html and url("plan_discard", faulty_draft.pk) in html


def test_a_reader_sees_a_draft_read_only(client, standing_reader, faulty_draft):
    client.force_login(standing_reader)
    html = client.get(url("plan_detail", faulty_draft.pk)).content.decode()
    assert url("plan_cell", faulty_draft.pk) not in html
    assert url("plan_activate", faulty_draft.pk) not in html
    assert url("plan_discard", faulty_draft.pk) not in html


def test_a_plan_in_force_is_read_only_even_for_the_organization_section(client, organizer, in_force):
    client.force_login(organizer)
    response = client.get(url("plan_detail", in_force.pk))
    html = response.content.decode()
    assert not response.context["editable"]
    assert url("plan_cell", in_force.pk) not in html and url("plan_activate", in_force.pk) not in html
    assert response.context["problems"] == []
    assert "2021年10月15日" in html
    assert url("plan_create", in_force.term_id) in html  # the way to change it: a new version


def test_the_draft_shows_which_leads_changed(client, organizer, faulty_draft):
    client.force_login(organizer)
    response = client.get(url("plan_detail", faulty_draft.pk))
    changes = [(c.area.name, [x.cadre.name for x in c.after]) for c in response.context["lead_changes"]]
    assert changes == [("组织", ["王组织", "赵宣传"]), ("宣传", [])]


def test_a_cell_set_with_htmx_returns_the_matrix(client, organizer, faulty_draft, m, areas):
    client.force_login(organizer)
    data = {"area": areas["宣传"].pk, "member": m["王组织"].pk, "kind": "lead"}

    response = client.post(url("plan_cell", faulty_draft.pk), data, headers=HTMX)

    assert response.status_code == 200
    assert response.templates[0].name == "committees/plan_matrix.html"
    assert cell(faulty_draft, areas["宣传"], m["王组织"]) == "lead"
    assert response.context["problems"] == ["重叠：组织有2名牵头常委（王组织、赵宣传）"]
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="plan-matrix"') and "<html" not in html

    client.post(url("plan_cell", faulty_draft.pk), {**data, "kind": "none"}, headers=HTMX)
    assert cell(faulty_draft, areas["宣传"], m["王组织"]) is None
    event = AuditEvent.objects.filter(action="portfolio_assignment.set").latest("pk")
    assert (event.actor, event.details["from"], event.details["to"]) == (organizer, "lead", None)


def test_a_cell_set_without_javascript_redirects_back_to_the_row(client, organizer, faulty_draft, m, areas):
    client.force_login(organizer)
    data = {"area": areas["组织"].pk, "member": m["赵宣传"].pk, "kind": "assist"}
    response = client.post(url("plan_cell", faulty_draft.pk), data)
    assert response["Location"] == url("plan_detail", faulty_draft.pk) + f"#area-{areas['组织'].pk}"
    assert cell(faulty_draft, areas["组织"], m["赵宣传"]) == "assist"


def test_a_refused_cell_shows_the_reason(client, organizer, faulty_draft, term, areas):
    ordinary = term_member_add(
        term=term, cadre=make_cadre(make_unit(), "孙委员"), role=R.MEMBER, joined_on=STARTS, actor=None
    )
    client.force_login(organizer)
    data = {"area": areas["宣传"].pk, "member": ordinary.pk, "kind": "lead"}
    response = client.post(url("plan_cell", faulty_draft.pk), data, headers=HTMX)
    assert response.context["cell_error"] == "孙委员不是常委，不能分管领域"
    assert 'data-testid="cell-error"' in response.content.decode()

    response = client.post(url("plan_cell", faulty_draft.pk), data, follow=True)
    assert [str(msg) for msg in response.context["messages"]] == ["孙委员不是常委，不能分管领域"]


def test_cells_of_a_plan_in_force_cannot_be_set(client, organizer, in_force, m, areas):
    client.force_login(organizer)
    data = {"area": areas["组织"].pk, "member": m["赵宣传"].pk, "kind": "lead"}
    response = client.post(url("plan_cell", in_force.pk), data, headers=HTMX)
    assert response.context["cell_error"] == "测试区委第1届常委分工（第1版）已生效，不能再修改；请在其基础上起草新版本"
    assert not response.context["editable"]
    assert cell(in_force, areas["组织"], m["赵宣传"]) is None


def test_readers_get_403_on_every_write(client, standing_reader, faulty_draft, m, areas):
    client.force_login(standing_reader)
    plan = faulty_draft
    data = {"area": areas["宣传"].pk, "member": m["王组织"].pk, "kind": "lead"}
    assert client.post(url("plan_cell", plan.pk), data, headers=HTMX).status_code == 403
    assert client.post(url("plan_activate", plan.pk), {"effective_from": "2024-03-01"}).status_code == 403
    assert client.post(url("plan_discard", plan.pk)).status_code == 403
    assert client.post(url("plan_detail", plan.pk), {"title": "改", "note": ""}).status_code == 403
    plan.refresh_from_db()
    assert (plan.status, plan.title, cell(plan, areas["宣传"], m["王组织"])) == ("draft", "", None)


# --- activation, title and discarding on the page ---------------------------------------------------------------


def test_activation_refused_on_the_page_names_the_gap_and_the_overlap(client, organizer, faulty_draft):
    client.force_login(organizer)
    response = client.post(url("plan_activate", faulty_draft.pk), {"effective_from": "2024-03-01"})
    assert response.status_code == 400
    assert response.context["activate_form"].errors["effective_from"] == [
        "分工不能生效：空挡（没有牵头常委）：宣传；重叠：组织有2名牵头常委（王组织、赵宣传）"
    ]
    faulty_draft.refresh_from_db()
    assert faulty_draft.status == "draft"


def test_activation_on_the_page(client, organizer, faulty_draft, in_force, m, areas):
    client.force_login(organizer)
    for area, member, kind in ((areas["组织"], m["赵宣传"], "none"), (areas["宣传"], m["赵宣传"], "lead")):
        client.post(url("plan_cell", faulty_draft.pk), {"area": area.pk, "member": member.pk, "kind": kind})

    response = client.post(url("plan_activate", faulty_draft.pk), {"effective_from": "2024-03-01"})

    assert response["Location"] == url("plan_detail", faulty_draft.pk)
    faulty_draft.refresh_from_db()
    in_force.refresh_from_db()
    assert (faulty_draft.status, faulty_draft.effective_from, faulty_draft.activated_by) == (
        "active",
        date(2024, 3, 1),
        organizer,
    )
    assert (in_force.status, in_force.superseded_on) == ("superseded", date(2024, 3, 1))


def test_a_bad_activation_date_is_an_error_next_to_the_field(client, organizer, faulty_draft):
    client.force_login(organizer)
    response = client.post(url("plan_activate", faulty_draft.pk), {"effective_from": "2024-02-30"})
    assert response.status_code == 400
    assert list(response.context["activate_form"].errors) == ["effective_from"]


def test_the_title_and_note_of_a_draft(client, organizer, faulty_draft):
    client.force_login(organizer)
    response = client.post(url("plan_detail", faulty_draft.pk), {"title": " 因人事变动调整 ", "note": "经常委会研究"})
    assert response.status_code == 302
    faulty_draft.refresh_from_db()
    assert (faulty_draft.title, faulty_draft.note) == ("因人事变动调整", "经常委会研究")


def test_discarding_a_draft_on_the_page(client, organizer, faulty_draft, term):
    client.force_login(organizer)
    response = client.post(url("plan_discard", faulty_draft.pk))
    assert response["Location"] == url("plan_list", term.pk)
    assert not PortfolioPlan.objects.filter(pk=faulty_draft.pk).exists()
    assert AuditEvent.objects.filter(action="portfolio_plan.discarded", actor=organizer).exists()


def test_a_plan_in_force_cannot_be_discarded_on_the_page(client, organizer, in_force):
    client.force_login(organizer)
    response = client.post(url("plan_discard", in_force.pk), follow=True)
    assert [str(msg) for msg in response.context["messages"]] == [
        "测试区委第1届常委分工（第1版）已生效，不能再修改；请在其基础上起草新版本"
    ]
    assert PortfolioPlan.objects.filter(pk=in_force.pk, status="active").exists()


# --- query count ----------------------------------------------------------------------------------------------


def test_the_matrix_query_count_does_not_grow_with_areas_or_members(
    client, organizer, faulty_draft, term, django_assert_num_queries
):
    client.force_login(organizer)
    page = url("plan_detail", faulty_draft.pk)
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        client.get(page)
    unit = make_unit("区政府")
    for i in range(3):
        member = term_member_add(
            term=term,
            cadre=make_cadre(unit, f"新常委{i}", current_post="区委常委"),
            role=R.STANDING_MEMBER,
            joined_on=STARTS,
            actor=None,
        )
        for j in range(2):
            area = work_area_create(name=f"新领域{i}{j}", actor=None)
            portfolio_assignment_set(plan=faulty_draft, area=area, member=member, kind=LEAD, actor=None)

    with django_assert_num_queries(len(few)):
        response = client.get(page)
    assert len(response.context["rows"]) == 3 + 6
    assert len(response.context["coverage"].members) == 5 + 3

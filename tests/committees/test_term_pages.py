"""The committee's pages: structure at a glance with its rule checks, terms, 换届, members, alternates' succession;
who may see and who may change them; Chinese errors next to the fields; query counts that do not grow."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.models import Term, TermMember, WorkArea
from committees.selectors import term_rule_checks, term_structure
from committees.services import (
    portfolio_assignment_set,
    portfolio_plan_activate,
    portfolio_plan_create,
    substitute_designate,
    term_change,
    term_member_add,
    term_member_change_role,
    term_member_leave,
    term_member_update,
    work_area_create,
)
from orgdept.core import roles
from orgdept.core.models import AuditEvent
from tests.committees.test_members import STARTS, build_term, make_person

R = TermMember.Role
OVERVIEW = reverse("committees:term_overview")

pytestmark = pytest.mark.django_db


@pytest.fixture
def zuzhi(make_user):
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhi")


@pytest.fixture
def committee_term(db):
    return build_term()


def field_errors(html: str, name: str) -> list[str]:
    """The errors shown inside the field block (partials/field.html) of the input named `name`."""
    for chunk in re.split(r'<div class="field[ "]', html)[1:]:
        chunk = chunk.split("<button")[0]
        if f'name="{name}"' in chunk:
            return re.findall(r'<div class="field-error" role="alert">(.*?)</div>', chunk, re.S)
    raise AssertionError(f"no field {name}")


def checks_by_code(term, **kwargs) -> dict[str, tuple[bool, str]]:
    return {c.code: (c.ok, c.detail) for c in term_rule_checks(term, **kwargs)}


def complete_plan(term, lead, on=STARTS):
    plan = portfolio_plan_create(term=term, actor=None)
    for area in WorkArea.objects.filter(active=True):
        portfolio_assignment_set(plan=plan, area=area, member=lead, kind="lead", actor=None)
    return portfolio_plan_activate(plan=plan, effective_from=on, actor=None)


def substitutes_for_all(members):
    standing = [m for m in members.values() if m.role in TermMember.STANDING_ROLES]
    for member, substitute in zip(standing, standing[1:] + standing[:1], strict=True):
        substitute_designate(member=member, substitute=substitute, effective_from=STARTS, actor=None)


# --- who may see and who may change -------------------------------------------------------------------------------


def page_urls(term, member, alternate) -> tuple[list[str], list[str]]:
    reads = [OVERVIEW, reverse("committees:term_list"), reverse("committees:term_detail", args=[term.pk])]
    writes = [
        reverse("committees:term_edit", args=[term.pk]),
        reverse("committees:term_change"),
        reverse("committees:member_add", args=[term.pk]),
        reverse("committees:member_import", args=[term.pk]),
        reverse("committees:member_edit", args=[member.pk]),
        reverse("committees:member_role", args=[member.pk]),
        reverse("committees:member_leave", args=[member.pk]),
    ]
    return reads, writes


def test_the_organization_section_reads_and_changes(client, committee_term, zuzhi):
    term, m = committee_term
    reads, writes = page_urls(term, m["周委员"], m["陈候补"])
    client.force_login(zuzhi)
    for url in reads + writes:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("committees:term_create")).status_code == 302  # a current term exists: 换届 instead


def test_a_standing_member_reads_but_changes_nothing(client, committee_term, make_user):
    term, m = committee_term
    reads, writes = page_urls(term, m["周委员"], m["陈候补"])
    client.force_login(make_user(roles.STANDING_MEMBER))
    for url in reads:
        assert client.get(url).status_code == 200, url
    for url in [*writes, reverse("committees:term_create")]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    promote = reverse("committees:alternate_promote", args=[m["陈候补"].pk])
    assert client.post(promote, {"on": "2024-03-01"}).status_code == 403
    page = client.get(reverse("committees:term_detail", args=[term.pk])).content.decode()
    assert reverse("committees:member_add", args=[term.pk]) not in page
    assert reverse("committees:member_edit", args=[m["周委员"].pk]) not in page
    assert 'data-testid="term-actions"' not in page


def test_the_training_section_sees_nothing(client, committee_term, make_user):
    term, m = committee_term
    reads, writes = page_urls(term, m["周委员"], m["陈候补"])
    client.force_login(make_user(roles.TRAINING_SECTION))
    for url in [*reads, *writes, reverse("committees:term_create")]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("committees:alternate_promote", args=[m["陈候补"].pk])).status_code == 403


def test_the_anonymous_are_sent_to_sign_in(client, committee_term):
    response = client.get(OVERVIEW)
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- the structure at a glance --------------------------------------------------------------------------------------


def test_without_a_term_the_section_may_create_the_first_and_others_see_an_empty_state(client, make_user, zuzhi):
    client.force_login(zuzhi)
    page = client.get(OVERVIEW).content.decode()
    assert 'data-testid="term-create"' in page and reverse("committees:term_create") in page
    client.force_login(make_user(roles.STANDING_MEMBER))
    page = client.get(OVERVIEW).content.decode()
    assert 'data-testid="no-term"' in page and 'data-testid="term-create"' not in page


def test_the_overview_shows_members_by_role_with_age_gender_and_posts(client, committee_term, zuzhi):
    _term, _m = committee_term
    client.force_login(zuzhi)
    response = client.get(OVERVIEW)
    page = response.content.decode()
    structure = response.context["structure"]
    order = [member.cadre.name for group in structure.groups for member in group.members]
    # within a role by order (郑候补 and 陈候补 share order 1), not by votes: succession has its own list
    assert order == ["王书记", "李区长", "赵专职", "钱常委", "孙常委", "周委员", "吴委员", "郑候补", "陈候补", "冯候补"]
    # statutory order in the page too: the secretary's row comes before the deputies', the alternates' last
    assert (
        page.index("王书记") < page.index("李区长") < page.index("钱常委") < page.index("周委员") < page.index("郑候补")
    )
    wang = structure.groups[0].members[0]
    assert wang.age == date.today().year - 1966 - ((date.today().month, date.today().day) < (3, 1))
    assert "区长" in page and "常务副区长" in page and "王书记职务" in page
    seats = {s.key: (s.used, s.quota) for s in structure.seats}
    assert seats == {"members": (7, 9), "alternates": (3, 3), "standing": (5, 5), "deputies": (2, 2)}


def test_the_figures_of_each_group(committee_term):
    term, _m = committee_term
    on = date(2026, 3, 1)
    figures = {f.key: f for f in term_structure(term, on=on).figures}
    # born 1966, 1968, … 1984 (1 March): aged 60, 58, 56, 54, 52 (standing), 50, 48 (members), 46, 44, 42
    standing = figures["standing"]
    assert (standing.count, standing.average_age, standing.women, standing.young, standing.concurrent) == (
        5,
        56.0,
        2,
        0,
        2,
    )
    full = figures["full"]
    assert (full.count, full.average_age, full.women, full.young, full.concurrent) == (7, 54.0, 3, 0, 2)
    alternates = figures["alternates"]
    assert (alternates.count, alternates.average_age, alternates.women, alternates.young) == (3, 44.0, 1, 2)


def test_every_rule_passes_on_a_well_kept_term(committee_term):
    term, m = committee_term
    substitutes_for_all(m)
    complete_plan(term, m["王书记"])
    checks = term_rule_checks(term)
    assert [c.code for c in checks] == [
        "members_quota",
        "alternates_quota",
        "standing_quota",
        "deputies_quota",
        "one_secretary",
        "one_full_time_deputy",
        "substitutes",
        "portfolio",
    ]
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert checks_by_code(term)["portfolio"][1] == "第1版分工自2021年9月28日起生效，每个领域都有且只有一名牵头常委"


@pytest.mark.parametrize(
    ("field", "quota", "code", "detail"),
    [
        ("members_quota", 6, "members_quota", "委员（含常委）7名，名额6名，超出1名"),
        ("alternates_quota", 2, "alternates_quota", "候补委员3名，名额2名，超出1名"),
        ("standing_quota", 4, "standing_quota", "常委（含书记、副书记）5名，名额4名，超出1名"),
        ("deputy_secretaries_quota", 1, "deputies_quota", "副书记2名，名额1名，超出1名"),
    ],
)
def test_a_quota_exceeded_fails_its_check(committee_term, field, quota, code, detail):
    term, _m = committee_term
    # the services refuse this; the admin site or old data may not: the check still catches it
    Term.objects.filter(pk=term.pk).update(**{field: quota})
    term.refresh_from_db()
    checks = checks_by_code(term)
    assert checks[code] == (False, detail)
    assert [c for c, (ok, _d) in checks.items() if not ok and c.endswith("quota")] == [code]


def test_a_term_without_a_secretary_fails(committee_term):
    term, m = committee_term
    term_member_leave(member=m["王书记"], left_on=date(2024, 1, 1), reason="调离", actor=None)
    assert checks_by_code(term)["one_secretary"] == (False, "没有书记")


def test_two_full_time_deputies_fail(committee_term):
    term, m = committee_term
    assert checks_by_code(term)["one_full_time_deputy"] == (True, "专职副书记：赵专职")
    term_member_update(member=m["李区长"], full_time_deputy=True, actor=None)
    assert checks_by_code(term)["one_full_time_deputy"] == (False, "有2名专职副书记：李区长、赵专职")


def test_a_standing_member_without_a_substitute_fails(committee_term):
    term, m = committee_term
    substitutes_for_all(m)
    assert checks_by_code(term)["substitutes"] == (True, "5名常委都已安排补位人")
    term_member_leave(member=m["孙常委"], left_on=date(2024, 1, 1), reason="调离", actor=None)
    # 孙常委 covered for 钱常委: that arrangement ended with the leaving
    term_member_change_role(member=m["周委员"], role=R.STANDING_MEMBER, changed_on=date(2024, 1, 2), actor=None)
    assert checks_by_code(term)["substitutes"] == (False, "未安排补位人：钱常委、周委员")


def test_the_portfolio_check_needs_a_plan_in_force_without_gaps_or_overlaps(committee_term):
    term, m = committee_term
    assert checks_by_code(term)["portfolio"] == (False, "没有生效的常委分工")
    complete_plan(term, m["王书记"])
    assert checks_by_code(term)["portfolio"][0] is True
    work_area_create(name="数字经济", actor=None)  # a new area in use that nobody leads yet
    assert checks_by_code(term)["portfolio"] == (False, "空挡（没有牵头常委）：数字经济")


def test_the_overview_lists_the_checks_as_pass_and_fail_lines(client, committee_term, zuzhi):
    _term, _m = committee_term
    client.force_login(zuzhi)
    page = client.get(OVERVIEW).content.decode()
    assert 'data-check="members_quota"' in page
    assert re.search(r'<li class="fail" data-check="portfolio">.*?没有生效的常委分工', page, re.S)
    assert re.search(r'<li class="pass" data-check="one_secretary">.*?书记：王书记', page, re.S)
    assert reverse("committees:portfolio") in page


def test_the_overview_query_count_does_not_grow_with_members(client, zuzhi, django_assert_num_queries):
    term, m = build_term()
    substitutes_for_all(m)
    complete_plan(term, m["王书记"])
    client.force_login(zuzhi)
    client.get(OVERVIEW)  # warm the per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(OVERVIEW).status_code == 200
    Term.objects.filter(pk=term.pk).update(members_quota=30, alternates_quota=10)
    term.refresh_from_db()
    for i in range(12):
        role = R.ALTERNATE if i % 2 else R.MEMBER
        votes = {"election_votes": 100 + i} if role == R.ALTERNATE else {}
        term_member_add(term=term, cadre=make_person(f"加{i}"), role=role, joined_on=STARTS, actor=None, **votes)
    with django_assert_num_queries(len(small)):
        assert client.get(OVERVIEW).status_code == 200


def test_the_term_page_query_count_does_not_grow_with_members(client, zuzhi, django_assert_num_queries):
    term, m = build_term()
    url = reverse("committees:term_detail", args=[term.pk])
    client.force_login(zuzhi)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    Term.objects.filter(pk=term.pk).update(members_quota=30, alternates_quota=10)
    term.refresh_from_db()
    for i in range(8):
        member = term_member_add(term=term, cadre=make_person(f"加{i}"), role=R.MEMBER, joined_on=STARTS, actor=None)
        if i % 2:
            term_member_leave(member=member, left_on=date(2024, 1, 1), reason="调离", actor=None)
    term_member_change_role(member=m["孙常委"], role=R.MEMBER, changed_on=date(2024, 2, 1), actor=None)
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200


# --- terms and 换届 ----------------------------------------------------------------------------------------------


def test_creating_the_first_term(client, zuzhi):
    client.force_login(zuzhi)
    url = reverse("committees:term_create")
    page = client.get(url).content.decode()
    assert 'value="40"' in page  # the model's default quotas are offered
    data = {
        "committee_name": "中共新区委员会",
        "committee_short_name": "新区委",
        "number": "3",
        "starts_on": "2021-09-28",
        "members_quota": "40",
        "alternates_quota": "10",
        "standing_quota": "11",
        "deputy_secretaries_quota": "2",
    }
    response = client.post(url, {**data, "standing_quota": "50"})
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "standing_quota") == ["常委名额不能多于委员名额（常委也是委员）"]
    assert not Term.objects.exists()
    assert not AuditEvent.objects.filter(action="committee.created").exists()  # nothing is left behind
    response = client.post(url, data)
    term = Term.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("committees:term_detail", args=[term.pk])
    assert (str(term), term.starts_on, term.members_quota) == ("新区委第3届", date(2021, 9, 28), 40)


def test_editing_a_term_shows_the_services_refusal_next_to_the_field(client, committee_term, zuzhi):
    term, _m = committee_term
    client.force_login(zuzhi)
    url = reverse("committees:term_edit", args=[term.pk])
    data = {
        "starts_on": "2021-09-28",
        "members_quota": "6",
        "alternates_quota": "3",
        "standing_quota": "5",
        "deputy_secretaries_quota": "2",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "members_quota") == ["现有委员7名，名额不能少于7"]
    response = client.post(url, {**data, "members_quota": "12"})
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.members_quota == 12


def test_the_term_change_page_prefills_and_explains(client, committee_term, zuzhi):
    _term, _m = committee_term
    client.force_login(zuzhi)
    url = reverse("committees:term_change")
    response = client.get(url)
    form = response.context["form"]
    assert form.initial["starts_on"] == date(2026, 9, 28)  # five years on
    assert (form.initial["members_quota"], form.initial["alternates_quota"]) == (9, 3)
    assert 'data-testid="term-change-explained"' in response.content.decode()
    data = {
        "starts_on": "2026-09-28",
        "members_quota": "9",
        "alternates_quota": "4",
        "standing_quota": "5",
        "deputy_secretaries_quota": "2",
    }
    response = client.post(url, data)  # not confirmed
    assert response.status_code == 400 and field_errors(response.content.decode(), "confirm")
    assert Term.objects.count() == 1
    response = client.post(url, {**data, "starts_on": "2020-01-01", "confirm": "on"})
    assert field_errors(response.content.decode(), "starts_on") == [
        "新一届的起始日期须晚于测试区委第1届的起始日期2021-09-28"
    ]
    response = client.post(url, {**data, "confirm": "on"})
    new = Term.objects.get(ends_on__isnull=True)
    assert response["Location"] == reverse("committees:term_detail", args=[new.pk])
    assert (new.number, new.alternates_quota) == (2, 4)


def test_terms_are_listed_current_first_and_old_ones_stay_readable(client, committee_term, zuzhi):
    term, _m = committee_term
    new = term_change(committee=term.committee, starts_on=date(2026, 9, 28), actor=None)
    client.force_login(zuzhi)
    response = client.get(reverse("committees:term_list"))
    assert [t.pk for t in response.context["object_list"]] == [new.pk, term.pk]
    assert [t.pk for t in client.get(reverse("committees:term_list"), {"status": "past"}).context["object_list"]] == [
        term.pk
    ]
    assert [t.pk for t in client.get(reverse("committees:term_list"), {"q": "第1届"}).context["object_list"]] == [
        term.pk
    ]
    page = client.get(reverse("committees:term_detail", args=[term.pk])).content.decode()
    assert "王书记" in page and "陈候补" in page
    assert 'data-testid="term-actions"' not in page  # nothing to change on an old term
    response = client.get(reverse("committees:member_edit", args=[_m["周委员"].pk]))
    assert response.status_code == 302 and response["Location"] == reverse("committees:term_detail", args=[term.pk])


def test_the_term_page_shows_who_left_and_the_role_changes(client, committee_term, zuzhi):
    term, m = committee_term
    term_member_leave(member=m["吴委员"], left_on=date(2024, 1, 1), reason="退休", actor=zuzhi)
    term_member_change_role(
        member=m["孙常委"], role=R.MEMBER, changed_on=date(2024, 2, 1), reason="不再担任常委", actor=zuzhi
    )
    client.force_login(zuzhi)
    page = client.get(reverse("committees:term_detail", args=[term.pk])).content.decode()
    departed = page[page.index('data-testid="departed"') : page.index('data-testid="role-changes"')]
    assert "吴委员" in departed and "2024-01-01" in departed and "退休" in departed
    changes = page[page.index('data-testid="role-changes"') :]
    assert "孙常委" in changes and "不再担任常委" in changes and "zuzhi" in changes


# --- members ------------------------------------------------------------------------------------------------------


def test_cadres_are_suggested_by_name_or_pinyin_initials(client, committee_term, zuzhi):
    term, _m = committee_term
    cadre = make_person("欧阳明")
    client.force_login(zuzhi)
    url = reverse("committees:member_add", args=[term.pk])
    for text in ("欧阳", cadre.name_initials, cadre.id_number):
        response = client.get(url, {"cadre_search": text}, headers={"HX-Request": "true"})
        page = response.content.decode()
        assert f'name="cadre" value="{cadre.pk}"' in page, text
        assert "<html" not in page  # only the suggestions
    page = client.get(url, {"cadre_search": "王书记"}, headers={"HX-Request": "true"}).content.decode()
    assert "disabled" in page  # already in the term


def test_adding_a_member_by_id_number_or_pick(client, committee_term, zuzhi):
    term, _m = committee_term
    Term.objects.filter(pk=term.pk).update(members_quota=12)
    first, second = make_person("新甲"), make_person("新乙")
    client.force_login(zuzhi)
    url = reverse("committees:member_add", args=[term.pk])
    data = {"role": "member", "joined_on": "2021-09-28", "concurrent_post": "", "order": ""}
    response = client.post(url, {**data, "cadre_search": first.id_number})
    assert response.status_code == 302
    response = client.post(url, {**data, "cadre_search": "新", "cadre": str(second.pk), "concurrent_post": "副区长"})
    assert response.status_code == 302
    added = {
        m.cadre.name: (m.role, m.order, m.concurrent_post) for m in term.members.filter(cadre__name__startswith="新")
    }
    assert added == {"新甲": (R.MEMBER, 8, ""), "新乙": (R.MEMBER, 9, "副区长")}  # after 周委员 (6) and 吴委员 (7)


def test_the_add_form_shows_chinese_errors_next_to_the_fields(client, committee_term, zuzhi):
    term, _m = committee_term
    person = make_person("新候补")
    client.force_login(zuzhi)
    url = reverse("committees:member_add", args=[term.pk])
    data = {"cadre_search": person.id_number, "role": "alternate", "joined_on": "2021-09-28"}
    Term.objects.filter(pk=term.pk).update(alternates_quota=4)
    response = client.post(url, data)
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "election_votes") == [
        "候补委员须填写当选时的得票数，递补按得票多少依次进行"
    ]
    response = client.post(url, {**data, "role": "standing_member", "election_votes": ""})
    assert field_errors(response.content.decode(), "role") == ["测试区委第1届的常委名额为5名，已满"]
    response = client.post(url, {**data, "cadre_search": "查无此人"})
    assert field_errors(response.content.decode(), "cadre_search")
    response = client.post(url, {**data, "joined_on": ""})
    assert field_errors(response.content.decode(), "joined_on") == ["这个字段是必填项。"]
    assert not term.members.filter(cadre=person).exists()


def test_a_role_change_through_the_page(client, committee_term, zuzhi):
    _term, m = committee_term
    client.force_login(zuzhi)
    url = reverse("committees:member_role", args=[m["周委员"].pk])
    response = client.post(url, {"role": "standing_member", "changed_on": "2024-02-01", "reason": "增选"})
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "role") == ["测试区委第1届的常委名额为5名，已满"]
    client.post(
        reverse("committees:member_role", args=[m["孙常委"].pk]), {"role": "member", "changed_on": "2024-02-01"}
    )
    response = client.post(url, {"role": "standing_member", "changed_on": "2024-02-01", "reason": "增选"})
    assert response.status_code == 302
    assert TermMember.objects.get(pk=m["周委员"].pk).role == R.STANDING_MEMBER


def test_editing_a_member(client, committee_term, zuzhi):
    _term, m = committee_term
    client.force_login(zuzhi)
    url = reverse("committees:member_edit", args=[m["李区长"].pk])
    response = client.post(
        url, {"order": "3", "concurrent_post": "区长", "election_votes": "", "full_time_deputy": "on"}
    )
    assert response.status_code == 302
    member = TermMember.objects.get(pk=m["李区长"].pk)
    assert (member.order, member.full_time_deputy) == (3, True)
    page = client.get(reverse("committees:member_edit", args=[m["钱常委"].pk])).content.decode()
    assert 'name="full_time_deputy"' not in page  # only a deputy can be full-time


def test_leaving_shows_the_next_alternate_and_succession_is_in_order(client, committee_term, zuzhi):
    term, m = committee_term
    Term.objects.filter(pk=term.pk).update(members_quota=7)  # every member seat taken
    client.force_login(zuzhi)
    detail = reverse("committees:term_detail", args=[term.pk])
    assert 'data-testid="next-alternate"' not in client.get(detail).content.decode()

    response = client.post(reverse("committees:member_leave", args=[m["周委员"].pk]), {"left_on": "2024-01-01"})
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "left_reason") == ["这个字段是必填项。"]
    response = client.post(
        reverse("committees:member_leave", args=[m["周委员"].pk]), {"left_on": "2024-01-01", "left_reason": "调离"}
    )
    assert response["Location"] == detail
    page = client.get(detail).content.decode()
    next_box = page[page.rindex("<form", 0, page.index('data-testid="next-alternate"')) :]
    next_box = next_box[: next_box.index("</form>")]
    assert "陈候补" in next_box and "201" in next_box
    assert reverse("committees:alternate_promote", args=[m["陈候补"].pk]) in next_box

    # out of order: refused with the service's words
    response = client.post(reverse("committees:alternate_promote", args=[m["郑候补"].pk]), {"on": "2024-02-01"})
    assert response["Location"] == detail
    page = client.get(detail).content.decode()
    assert "应由得票最多的候补委员陈候补（201票）先递补，郑候补得188票" in page
    assert TermMember.objects.get(pk=m["郑候补"].pk).role == R.ALTERNATE

    client.post(reverse("committees:alternate_promote", args=[m["陈候补"].pk]), {"on": "2024-02-01"})
    assert TermMember.objects.get(pk=m["陈候补"].pk).role == R.MEMBER
    page = client.get(detail).content.decode()
    assert 'data-testid="next-alternate"' not in page  # the seat is filled


def test_the_navigation_entry_leads_to_the_overview(client, committee_term, zuzhi):
    client.force_login(zuzhi)
    assert f'href="{OVERVIEW}"' in client.get(reverse("committees:term_list")).content.decode()


def test_a_member_of_an_ended_term_is_not_promoted(client, committee_term, zuzhi):
    term, m = committee_term
    term_change(committee=term.committee, starts_on=date(2026, 9, 28), actor=None)
    client.force_login(zuzhi)
    response = client.post(reverse("committees:alternate_promote", args=[m["陈候补"].pk]), {"on": "2026-01-01"})
    assert response.status_code == 302
    assert TermMember.objects.get(pk=m["陈候补"].pk).role == R.ALTERNATE

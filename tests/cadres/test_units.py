"""Units and positions pages: the unit list (search, kind, pages, htmx), the unit page (positions with holders,
quota lines), the forms that create and change units, positions and quotas; permissions and query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.models import Position, PositionQuota, Rank, Unit
from cadres.services import cadre_assign_position, position_create, quota_set, unit_create
from orgdept.core import roles
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit

LIST_URL = reverse("cadres:unit_list")


def detail_url(unit) -> str:
    return reverse("cadres:unit_detail", args=[unit.pk])


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu")


@pytest.fixture
def viewer(make_user):
    """A department role that may look but not change (组织科)."""
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhi")


@pytest.fixture
def bureau(db):
    return make_unit("区财政局", order=1)


@pytest.fixture
def units(bureau):
    parent = make_unit("区人民政府", order=0)
    township = unit_create(name="城关街道办事处", short_name="城关街道", kind=Unit.Kind.TOWNSHIP, order=3, actor=None)
    return {"bureau": bureau, "government": parent, "township": township}


def unit_names(response) -> list[str]:
    return [u.name for u in response.context["object_list"]]


def appoint(cadre, position, start=date(2020, 1, 1)):
    return cadre_assign_position(cadre=cadre, position=position, start_month=start, actor=None)


# --- the list ----------------------------------------------------------------------------------------------


def test_the_list_shows_units_in_order_with_their_cadre_counts(client, viewer, units):
    make_cadre(units["bureau"], "张三")
    make_cadre(units["bureau"], "李四")
    client.force_login(viewer)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert unit_names(response) == ["区人民政府", "区财政局", "城关街道办事处"]
    counts = {u.name: u.cadre_count for u in response.context["object_list"]}
    assert counts == {"区人民政府": 0, "区财政局": 2, "城关街道办事处": 0}
    assert detail_url(units["bureau"]) in response.content.decode()
    assert not response.context["can_add"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "财政"}, ["区财政局"]),
        ({"q": "城关街道"}, ["城关街道办事处"]),  # the short name
        ({"kind": Unit.Kind.TOWNSHIP}, ["城关街道办事处"]),
        ({"kind": Unit.Kind.GOVERNMENT, "q": "区"}, ["区人民政府", "区财政局"]),
        ({"q": "没有"}, []),
    ],
)
def test_search_and_kind_filter(client, viewer, units, params, expected):
    client.force_login(viewer)
    assert unit_names(client.get(LIST_URL, params)) == expected


def test_pages_and_htmx(client, viewer, db):
    for i in range(30):
        make_unit(f"单位{i:02d}", order=i)
    client.force_login(viewer)
    assert len(client.get(LIST_URL).context["object_list"]) == 25
    assert unit_names(client.get(LIST_URL, {"page": 2})) == [f"单位{i:02d}" for i in range(25, 30)]
    partial = client.get(LIST_URL, {"q": "单位01"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert 'data-testid="unit-table"' in partial
    assert "单位01" in partial


def test_the_list_marks_units_over_quota(client, viewer, bureau):
    deputy = position_create(unit=bureau, title="副局长", level=Rank.FU_KE, actor=None)
    quota_set(unit=bureau, level=Rank.FU_KE, approved=1, actor=None)
    appoint(make_cadre(bureau, "甲"), deputy)
    appoint(make_cadre(bureau, "乙"), deputy)
    make_unit("区教育局")
    client.force_login(viewer)
    response = client.get(LIST_URL)
    assert response.context["over_units"] == {bureau.pk}


def test_the_list_query_count_does_not_grow_with_units(client, viewer, django_assert_num_queries):
    def add(start, n):
        for i in range(start, start + n):
            unit = make_unit(f"单位{i:03d}")
            post = position_create(unit=unit, title="主任", level=Rank.ZHENG_KE, actor=None)
            appoint(make_cadre(unit, f"主任{i}"), post)

    add(0, 3)
    client.force_login(viewer)
    client.get(LIST_URL)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST_URL, {"per_page": 100})
    add(3, 40)
    with django_assert_num_queries(len(few)):
        response = client.get(LIST_URL, {"per_page": 100})
    assert len(response.context["object_list"]) == 43


# --- the unit page ----------------------------------------------------------------------------------------


@pytest.fixture
def staffed(bureau):
    """区财政局: 局长 (held), 副局长 (two holders, over the quota of 1), 总会计师 (vacant), 办公室主任 (not leading)."""
    head = position_create(unit=bureau, title="局长", level=Rank.ZHENG_KE, role=Position.Role.HEAD, actor=None)
    deputy = position_create(
        unit=bureau, title="副局长", level=Rank.FU_KE, role=Position.Role.DEPUTY, order=1, actor=None
    )
    position_create(unit=bureau, title="总会计师", level=Rank.FU_KE, order=2, actor=None)
    office = position_create(unit=bureau, title="办公室主任", level=Rank.FU_KE, leading=False, order=3, actor=None)
    quota_set(unit=bureau, level=Rank.ZHENG_KE, approved=1, actor=None)
    quota_set(unit=bureau, level=Rank.FU_KE, approved=1, actor=None)
    appoint(make_cadre(bureau, "王局长"), head, date(2019, 4, 1))
    appoint(make_cadre(bureau, "李副"), deputy, date(2021, 1, 1))
    appoint(make_cadre(bureau, "赵副"), deputy, date(2022, 9, 1))
    appoint(make_cadre(bureau, "钱主任"), office)
    make_cadre(bureau, "孙科员")
    return bureau


def test_the_unit_page_shows_positions_with_current_holders(client, viewer, staffed):
    client.force_login(viewer)
    response = client.get(detail_url(staffed))
    assert response.status_code == 200
    positions = {p.title: [t.cadre.name for t in p.current_tenures] for p in response.context["positions"]}
    assert positions == {"局长": ["王局长"], "副局长": ["李副", "赵副"], "总会计师": [], "办公室主任": ["钱主任"]}
    html = response.content.decode()
    assert "2019.04" in html
    assert response.context["cadre_count"] == 5
    assert f"{reverse('cadres:structure')}?unit={staffed.pk}" in html
    assert f"{reverse('cadres:cadre_list')}?unit={staffed.pk}" in html


def test_the_unit_page_shows_quota_lines_with_over_quota_in_red_and_vacancies(client, viewer, staffed):
    client.force_login(viewer)
    response = client.get(detail_url(staffed))
    lines = [
        (r["line"].level, r["line"].approved, r["line"].occupied, r["status"]) for r in response.context["quota_rows"]
    ]
    assert lines == [(Rank.ZHENG_KE, 1, 1, "full"), (Rank.FU_KE, 1, 2, "over")]
    html = response.content.decode()
    assert 'class="quota-over over"' in html


def test_the_unit_page_shows_vacancies(client, viewer, bureau):
    quota_set(unit=bureau, level=Rank.FU_KE, approved=3, actor=None)
    client.force_login(viewer)
    rows = client.get(detail_url(bureau)).context["quota_rows"]
    assert [(r["status"], r["line"].vacant) for r in rows] == [("vacant", 3)]


def test_the_unit_page_query_count_does_not_grow_with_positions(client, viewer, bureau, django_assert_num_queries):
    def add(start, n):
        for i in range(start, start + n):
            post = position_create(unit=bureau, title=f"职务{i}", level=Rank.FU_KE, actor=None)
            appoint(make_cadre(bureau, f"干部{i}"), post)

    add(0, 2)
    client.force_login(viewer)
    client.get(detail_url(bureau))
    with CaptureQueriesContext(connection) as few:
        client.get(detail_url(bureau))
    add(2, 20)
    with django_assert_num_queries(len(few)):
        response = client.get(detail_url(bureau))
    assert len(response.context["positions"]) == 22


def test_only_writers_see_the_edit_links(client, viewer, staff, staffed):
    client.force_login(viewer)
    html = client.get(detail_url(staffed)).content.decode()
    assert reverse("cadres:unit_edit", args=[staffed.pk]) not in html
    assert reverse("cadres:position_new", args=[staffed.pk]) not in html
    client.force_login(staff)
    html = client.get(detail_url(staffed)).content.decode()
    assert reverse("cadres:unit_edit", args=[staffed.pk]) in html
    assert reverse("cadres:quota_edit", args=[staffed.pk]) in html


def test_a_missing_unit_is_404(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("cadres:unit_detail", args=[999_999])).status_code == 404


# --- permissions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        roles.SYSTEM_ADMIN,
        roles.DEPARTMENT_LEADER,
        roles.CADRE_SECTION,
        roles.ORGANIZATION_SECTION,
        roles.TRAINING_SECTION,
        roles.APPRAISAL_OFFICE,
    ],
)
def test_department_roles_see_units(client, make_user, bureau, role):
    client.force_login(make_user(role))
    assert client.get(LIST_URL).status_code == 200
    assert client.get(detail_url(bureau)).status_code == 200


@pytest.mark.parametrize("role", [roles.STANDING_MEMBER, roles.MEMBER])
def test_committee_members_do_not_see_units(client, make_user, bureau, role):
    client.force_login(make_user(role))
    assert client.get(LIST_URL).status_code == 403
    assert client.get(detail_url(bureau)).status_code == 403


def test_the_anonymous_are_sent_to_sign_in(client, bureau):
    for url in (LIST_URL, detail_url(bureau), reverse("cadres:unit_new")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_viewers_cannot_write(client, viewer, bureau):
    client.force_login(viewer)
    writes = [
        (reverse("cadres:unit_new"), {"name": "区档案馆", "kind": Unit.Kind.INSTITUTION, "order": 0}),
        (reverse("cadres:unit_edit", args=[bureau.pk]), {"name": "改名", "kind": Unit.Kind.GOVERNMENT, "order": 0}),
        (reverse("cadres:position_new", args=[bureau.pk]), {"title": "局长", "role": "head", "order": 0}),
        (reverse("cadres:quota_edit", args=[bureau.pk]), {"level": Rank.FU_KE, "approved": 3}),
    ]
    for url, data in writes:
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    assert Unit.objects.count() == 1
    assert not Position.objects.exists()
    assert not PositionQuota.objects.exists()


# --- unit forms ---------------------------------------------------------------------------------------------


def test_staff_create_a_unit(client, staff, bureau):
    client.force_login(staff)
    response = client.post(
        reverse("cadres:unit_new"),
        {"name": " 区档案馆 ", "short_name": "档案馆", "kind": Unit.Kind.INSTITUTION, "parent": bureau.pk, "order": 5},
    )
    unit = Unit.objects.get(name="区档案馆")
    assert response.status_code == 302
    assert response["Location"] == detail_url(unit)
    assert (unit.short_name, unit.kind, unit.parent, unit.order) == ("档案馆", Unit.Kind.INSTITUTION, bureau, 5)
    event = AuditEvent.objects.get(action="unit.created", object_id=str(unit.pk))
    assert event.actor == staff


def test_a_duplicate_unit_name_is_an_error_next_to_the_field(client, staff, bureau):
    client.force_login(staff)
    response = client.post(reverse("cadres:unit_new"), {"name": "区财政局", "kind": Unit.Kind.GOVERNMENT, "order": 0})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["单位“区财政局”已存在"]
    assert Unit.objects.count() == 1


def test_staff_edit_a_unit_with_audit(client, staff, units):
    bureau = units["bureau"]
    client.force_login(staff)
    form = client.get(reverse("cadres:unit_edit", args=[bureau.pk])).context["form"]
    assert form.initial["name"] == "区财政局"
    response = client.post(
        reverse("cadres:unit_edit", args=[bureau.pk]),
        {
            "name": "区财政局",
            "short_name": "财政局",
            "kind": Unit.Kind.GOVERNMENT,
            "parent": units["government"].pk,
            "order": 2,
        },
    )
    assert response.status_code == 302
    bureau.refresh_from_db()
    assert (bureau.short_name, bureau.parent, bureau.order) == ("财政局", units["government"], 2)
    event = AuditEvent.objects.get(action="unit.updated")
    assert event.details["changes"]["parent"] == ["", "区人民政府"]


def test_a_unit_cannot_be_placed_under_its_own_subunit(client, staff, units):
    government, bureau = units["government"], units["bureau"]
    client.force_login(staff)
    client.post(
        reverse("cadres:unit_edit", args=[bureau.pk]),
        {"name": bureau.name, "kind": bureau.kind, "parent": government.pk, "order": 0},
    )
    response = client.post(
        reverse("cadres:unit_edit", args=[government.pk]),
        {"name": government.name, "kind": government.kind, "parent": bureau.pk, "order": 0},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["parent"]
    government.refresh_from_db()
    assert government.parent is None
    # nor under itself: it is not offered
    assert government not in response.context["form"].fields["parent"].queryset


# --- position and quota forms ----------------------------------------------------------------------------------


def test_staff_create_and_edit_a_position(client, staff, bureau):
    client.force_login(staff)
    response = client.post(
        reverse("cadres:position_new", args=[bureau.pk]),
        {
            "title": "副局长",
            "level": Rank.FU_KE,
            "leading": "on",
            "role": "deputy",
            "rotation_kind": "leader",
            "order": 2,
        },
    )
    assert response.status_code == 302
    position = Position.objects.get(unit=bureau, title="副局长")
    assert (position.level, position.leading, position.role, position.rotation_kind) == (
        Rank.FU_KE,
        True,
        Position.Role.DEPUTY,
        Position.RotationKind.LEADER,
    )
    assert AuditEvent.objects.filter(action="position.created", object_id=str(position.pk)).exists()

    response = client.post(
        reverse("cadres:position_edit", args=[position.pk]),
        {"title": "副局长", "level": Rank.FU_KE, "role": "deputy", "rotation_kind": "key", "order": 2},
    )
    assert response.status_code == 302
    position.refresh_from_db()
    assert (position.leading, position.rotation_kind) == (False, Position.RotationKind.KEY)
    event = AuditEvent.objects.get(action="position.updated")
    assert event.details["changes"]["rotation_kind"] == ["leader", "key"]


def test_position_form_errors(client, staff, bureau):
    position_create(unit=bureau, title="局长", level=Rank.ZHENG_KE, actor=None)
    client.force_login(staff)
    url = reverse("cadres:position_new", args=[bureau.pk])
    response = client.post(
        url,
        {"title": "局长", "level": Rank.ZHENG_KE, "leading": "on", "role": "head", "rotation_kind": "none", "order": 0},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["title"]
    response = client.post(
        url, {"title": "副局长", "level": "", "leading": "on", "role": "deputy", "rotation_kind": "none", "order": 0}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["level"]
    assert Position.objects.count() == 1


def test_staff_set_and_remove_a_quota(client, staff, bureau):
    client.force_login(staff)
    url = reverse("cadres:quota_edit", args=[bureau.pk])
    response = client.post(url, {"level": Rank.FU_KE, "approved": 3})
    assert response.status_code == 302
    assert response["Location"] == detail_url(bureau)
    assert PositionQuota.objects.get(unit=bureau, level=Rank.FU_KE).approved == 3
    assert client.get(url, {"level": Rank.FU_KE}).context["form"].initial == {"level": Rank.FU_KE, "approved": 3}

    client.post(url, {"level": Rank.FU_KE, "approved": ""})
    assert not PositionQuota.objects.filter(unit=bureau).exists()
    assert AuditEvent.objects.filter(action="quota.changed").count() == 2


def test_a_negative_quota_is_an_error_next_to_the_field(client, staff, bureau):
    client.force_login(staff)
    response = client.post(reverse("cadres:quota_edit", args=[bureau.pk]), {"level": Rank.FU_KE, "approved": -1})
    assert response.status_code == 400
    assert response.context["form"].errors["approved"]
    assert not PositionQuota.objects.exists()


def test_lowering_a_quota_below_its_holders_warns(client, staff, bureau):
    deputy = position_create(unit=bureau, title="副局长", level=Rank.FU_KE, actor=None)
    appoint(make_cadre(bureau, "甲"), deputy)
    appoint(make_cadre(bureau, "乙"), deputy)
    client.force_login(staff)
    response = client.post(
        reverse("cadres:quota_edit", args=[bureau.pk]), {"level": Rank.FU_KE, "approved": 1}, follow=True
    )
    levels = [m.level_tag for m in response.context["messages"]]
    assert "warning" in levels
    assert [r["status"] for r in response.context["quota_rows"]] == ["over"]


def test_a_title_a_unit_already_has_is_refused_next_to_the_field(client, staff, bureau):
    from orgdept.core.exceptions import ApplicationError

    position_create(unit=bureau, title="局长", level=Rank.ZHENG_KE, actor=None)
    with pytest.raises(ApplicationError, match="区财政局已有名为“局长”的职务") as excinfo:
        position_create(unit=bureau, title="局长", level=Rank.ZHENG_KE, actor=None)
    assert excinfo.value.field == "title"
    client.force_login(staff)
    response = client.post(
        reverse("cadres:position_new", args=[bureau.pk]),
        {
            "title": "局长",
            "level": Rank.ZHENG_KE,
            "leading": "on",
            "role": "head",
            "rotation_kind": "leader",
            "order": 0,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["title"] == ["区财政局已有名为“局长”的职务"]
    assert Position.objects.filter(unit=bureau, title="局长").count() == 1


def test_a_unit_below_cannot_become_the_parent(client, staff, units):
    from cadres.services import unit_update

    government, bureau = units["government"], units["bureau"]
    unit_update(unit=bureau, actor=None, parent=government)
    client.force_login(staff)
    response = client.post(
        reverse("cadres:unit_edit", args=[government.pk]),
        {"name": government.name, "kind": government.kind, "parent": bureau.pk, "order": 0},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["parent"] == ["上级单位不能是本单位或其下级单位"]
    government.refresh_from_db()
    assert government.parent_id is None

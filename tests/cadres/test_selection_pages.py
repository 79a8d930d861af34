"""The competitive selection pages (竞争上岗): the list, creating a selection with its weights, the selection page with
the scores table form, the ranking and the closing (a tie decided by the leadership), for 干部科 and 部领导; 403 for
everyone else."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from cadres.models import CompetitiveSelection, Position, Rank, SelectionApplicant
from cadres.services import cadre_assign_position, position_create
from cadres.services import reserve as reserve_svc
from cadres.services import selection as svc
from orgdept.core import roles
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit

TODAY = date(2026, 6, 1)
HELD_ON = date(2026, 5, 20)
LIST_URL = reverse("cadres:selection_list")
CREATE_URL = reverse("cadres:selection_create")
OPTIONS_URL = reverse("cadres:selection_position_options")
HTMX = {"HTTP_HX_REQUEST": "true"}
OTHER_ROLES = (
    roles.SYSTEM_ADMIN,
    roles.ORGANIZATION_SECTION,
    roles.TRAINING_SECTION,
    roles.APPRAISAL_OFFICE,
    roles.STANDING_MEMBER,
    roles.MEMBER,
)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def department(db):
    return make_unit("区委组织部", order=1)


@pytest.fixture
def bureau(db):
    return make_unit("区财政局", order=2)


@pytest.fixture
def post(department):
    return position_create(
        unit=department, title="干部科科长", level=Rank.ZHENG_KE, role=Position.Role.HEAD, actor=None
    )


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu")


@pytest.fixture
def leader(make_user):
    return make_user(roles.DEPARTMENT_LEADER, username="buzhang")


def create(post, actor, *, posts=1, weights=(30, 40, 30), held_on=HELD_ON, title="干部科科长竞争上岗"):
    speech, written, evaluation = weights
    return svc.selection_create(
        title=title,
        position=post,
        posts=posts,
        held_on=held_on,
        weight_speech=speech,
        weight_written=written,
        weight_evaluation=evaluation,
        actor=actor,
    )


def enrol(selection, unit, actor, names):
    return [svc.applicant_add(selection=selection, cadre=make_cadre(unit, n), actor=actor) for n in names]


def score(applicant, actor, speech, written, evaluation):
    return svc.scores_record(applicant=applicant, speech=speech, written=written, evaluation=evaluation, actor=actor)


def detail_url(selection):
    return reverse("cadres:selection_detail", args=[selection.pk])


def scores_url(selection):
    return reverse("cadres:selection_scores", args=[selection.pk])


def close_url(selection):
    return reverse("cadres:selection_close", args=[selection.pk])


def add_url(selection):
    return reverse("cadres:selection_applicant_add", args=[selection.pk])


def remove_url(applicant):
    return reverse("cadres:selection_applicant_remove", args=[applicant.pk])


def score_data(rows: dict) -> dict:
    """{applicant: (speech, written, evaluation)} as the table form posts it."""
    data = {}
    for applicant, values in rows.items():
        for name, value in zip(("speech", "written", "evaluation"), values, strict=True):
            data[f"a{applicant.pk}-{name}"] = "" if value is None else str(value)
    return data


def ranking(response):
    return [(row.line.cadre.name, row.line.total, row.line.rank) for row in response.context["rows"]]


def stored(applicant):
    applicant.refresh_from_db()
    return (applicant.speech, applicant.written, applicant.evaluation)


@pytest.fixture
def four(post, department, staff):
    """An open selection for 2 posts with 甲, 乙, 丙, 丁 and no scores yet."""
    selection = create(post, staff, posts=2)
    return selection, enrol(selection, department, staff, ["甲", "乙", "丙", "丁"])


# --- who may do what --------------------------------------------------------------------------------------------


def test_cadre_section_sees_every_page_with_its_forms(client, staff, four):
    selection, _applicants = four
    client.force_login(staff)
    assert client.get(LIST_URL).status_code == 200
    assert client.get(CREATE_URL).status_code == 200
    response = client.get(detail_url(selection))
    assert response.status_code == 200
    html = response.content.decode()
    for testid in ("scores-form", "applicant-form", "close-form"):
        assert f'data-testid="{testid}"' in html
    assert response.context["may_score"] and response.context["may_add"] and response.context["may_close"]


def test_department_leaders_view_but_change_nothing(client, leader, four):
    selection, (a, *_rest) = four
    client.force_login(leader)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert CREATE_URL not in response.content.decode()
    response = client.get(detail_url(selection))
    assert response.status_code == 200
    html = response.content.decode()
    for testid in ("scores-form", "applicant-form", "close-form"):
        assert f'data-testid="{testid}"' not in html
    assert [row.line.cadre.name for row in response.context["rows"]] == ["甲", "乙", "丙", "丁"]
    assert client.get(CREATE_URL).status_code == 403
    assert client.post(scores_url(selection), score_data({a: (80, 80, 80)})).status_code == 403
    assert client.post(close_url(selection)).status_code == 403
    assert client.post(add_url(selection), {"cadre_search": "甲"}).status_code == 403
    assert client.post(remove_url(a)).status_code == 403
    assert stored(a) == (None, None, None)
    assert SelectionApplicant.objects.filter(selection=selection).count() == 4


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_get_403_on_every_page(client, make_user, four, department, role):
    selection, (a, *_rest) = four
    client.force_login(make_user(role))
    for url in (LIST_URL, CREATE_URL, detail_url(selection), f"{OPTIONS_URL}?unit={department.pk}"):
        assert client.get(url).status_code == 403
    for url in (scores_url(selection), close_url(selection), add_url(selection), remove_url(a)):
        assert client.post(url).status_code == 403
    # whether or not the selection exists
    assert client.get(reverse("cadres:selection_detail", args=[999_999])).status_code == 403


def test_the_anonymous_are_sent_to_sign_in(client, four):
    selection, _applicants = four
    for url in (LIST_URL, CREATE_URL, detail_url(selection)):
        assert client.get(url).status_code == 302


def test_a_missing_selection_is_404_for_staff(client, staff):
    client.force_login(staff)
    assert client.get(reverse("cadres:selection_detail", args=[999_999])).status_code == 404


# --- creating ---------------------------------------------------------------------------------------------------


def create_data(post, **overrides):
    data = {
        "title": "干部科科长竞争上岗",
        "unit": post.unit_id,
        "position": post.pk,
        "posts": "1",
        "held_on": "2026-06-10",
        "weight_speech": "30",
        "weight_written": "40",
        "weight_evaluation": "30",
    }
    data.update(overrides)
    return data


def test_the_form_offers_the_default_weights_with_their_sum(client, staff, post):
    client.force_login(staff)
    response = client.get(CREATE_URL)
    assert response.context["weights_total"] == 100
    assert 'id="weights-total"' in response.content.decode()


def test_staff_create_a_selection(client, staff, post):
    client.force_login(staff)
    response = client.post(CREATE_URL, create_data(post, posts="2", weight_speech="20", weight_written="50"))
    selection = CompetitiveSelection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(selection)
    assert (selection.title, selection.position, selection.posts, selection.held_on) == (
        "干部科科长竞争上岗",
        post,
        2,
        date(2026, 6, 10),
    )
    assert (selection.weight_speech, selection.weight_written, selection.weight_evaluation) == (20, 50, 30)
    assert AuditEvent.objects.get(action="selection.created").actor_username == "ganbu"
    client.get(detail_url(selection))
    assert AuditEvent.objects.get(action="selection.viewed").object_id == str(selection.pk)


@pytest.mark.parametrize(("weights", "total"), [(("30", "39", "30"), 99), (("30", "41", "30"), 101)])
def test_weights_off_100_by_one_are_refused_with_their_sum_shown(client, staff, post, weights, total):
    client.force_login(staff)
    speech, written, evaluation = weights
    response = client.post(
        CREATE_URL, create_data(post, weight_speech=speech, weight_written=written, weight_evaluation=evaluation)
    )
    assert response.status_code == 400
    assert response.context["weights_total"] == total
    message = f"三项权重之和应为100%，现为{total}%（竞职演讲30%、笔试{written}%、民主测评30%）"
    assert response.context["weights_error"] == message
    assert 'data-testid="weights-error"' in response.content.decode()
    assert response.context["form"].non_field_errors() == []
    assert not CompetitiveSelection.objects.exists()


def test_a_weight_below_one_is_refused_next_to_it(client, staff, post):
    client.force_login(staff)
    response = client.post(CREATE_URL, create_data(post, weight_speech="0", weight_written="70"))
    assert response.status_code == 400
    assert response.context["form"].errors["weight_speech"] == ["竞职演讲的权重应在1%到100%之间"]
    response = client.post(CREATE_URL, create_data(post, weight_speech="1", weight_written="69"))
    assert response.status_code == 302


def test_a_weight_that_is_not_a_number_is_an_error_next_to_it_and_the_sum_is_blank(client, staff, post):
    client.force_login(staff)
    response = client.post(CREATE_URL, create_data(post, weight_written="四十"))
    assert response.status_code == 400
    assert "weight_written" in response.context["form"].errors
    assert response.context["weights_total"] is None


def test_the_other_fields_errors_are_next_to_them(client, staff, post, bureau):
    other = position_create(unit=bureau, title="办公室主任", level=Rank.ZHENG_KE, actor=None)
    client.force_login(staff)
    response = client.post(CREATE_URL, create_data(post, position=other.pk))
    assert response.status_code == 400
    assert response.context["form"].errors["position"]
    response = client.post(CREATE_URL, create_data(post, title="", posts="0", held_on=""))
    assert set(response.context["form"].errors) == {"title", "posts", "held_on"}
    assert not CompetitiveSelection.objects.exists()


def test_the_posts_offered_follow_the_unit_chosen(client, staff, post, bureau):
    other = position_create(unit=bureau, title="办公室主任", level=Rank.ZHENG_KE, actor=None)
    client.force_login(staff)
    html = client.get(OPTIONS_URL, {"unit": bureau.pk}, **HTMX).content.decode()
    assert f'value="{other.pk}"' in html and f'value="{post.pk}"' not in html
    # no unit: every post, grouped by unit
    html = client.get(OPTIONS_URL, **HTMX).content.decode()
    assert '<optgroup label="区委组织部">' in html and f'value="{other.pk}"' in html
    # a bound form offers the posts of the unit it names
    response = client.post(CREATE_URL, create_data(post, unit=bureau.pk, title=""))
    choices = [value for value, _label in response.context["form"].fields["position"].choices]
    assert other.pk in [getattr(v, "value", v) for v in choices]
    assert post.pk not in [getattr(v, "value", v) for v in choices]


# --- the whole selection, from creation to the closing with a tie ----------------------------------------------


def test_a_full_selection_with_a_tie_decided_by_the_leadership(client, staff, leader, post, department):
    for name in ("甲", "乙", "丙", "丁"):
        make_cadre(department, name)
    client.force_login(staff)
    response = client.post(CREATE_URL, create_data(post, posts="2", held_on="2026-05-20"))
    selection = CompetitiveSelection.objects.get()
    assert response["Location"] == detail_url(selection)

    # applicants picked by search
    for name in ("甲", "乙", "丙", "丁"):
        assert client.post(add_url(selection), {"cadre_search": name}).status_code == 302
    a, b, c, d = SelectionApplicant.objects.filter(selection=selection).order_by("pk")

    # the scores of all four in one form; a bad cell in two rows keeps every row unsaved
    bad = score_data({a: (90, 90, 90), b: (101, 85, 85), c: (85, "85.555", 85), d: (70, 70, 70)})
    response = client.post(scores_url(selection), bad)
    assert response.status_code == 400
    forms = {row.line.applicant.pk: row.form for row in response.context["rows"]}
    assert forms[b.pk].errors == {"speech": [gettext("Enter a score from 0 to 100.")]}
    assert list(forms[c.pk].errors) == ["written"]
    assert not forms[a.pk].errors and not forms[d.pk].errors
    assert response.context["scores_errors"] == [gettext("No score was saved: correct the scores marked below.")]
    assert [stored(x) for x in (a, b, c, d)] == [(None, None, None)] * 4

    good = score_data({a: (90, 90, 90), b: (85, 85, 85), c: (85, 85, 85), d: (70, 70, 70)})
    response = client.post(scores_url(selection), good)
    assert response.status_code == 302
    assert stored(b) == (Decimal("85.00"), Decimal("85.00"), Decimal("85.00"))

    response = client.get(detail_url(selection))
    assert ranking(response) == [
        ("甲", Decimal("90.00"), 1),
        ("乙", Decimal("85.00"), 2),
        ("丙", Decimal("85.00"), 2),
        ("丁", Decimal("70.00"), 4),
    ]
    assert [(row.within, row.tied) for row in response.context["rows"]] == [
        (True, False),
        (False, True),
        (False, True),
        (False, False),
    ]
    assert 'data-testid="tie-ahead"' in response.content.decode()

    # closing is refused for the tie: the page offers the tie form with the tied applicants only
    response = client.post(close_url(selection))
    assert response.status_code == 400
    assert response.context["tie_notice"] == "第2名2人并列（乙、丙，均为85.00分），只余1个职位，须经集体研究确定人选"
    tie_form = response.context["tie_form"]
    assert [value for value, _label in tie_form.fields["tie_winners"].choices] == [b.pk, c.pk]
    assert 'data-testid="tie-form"' in response.content.decode()

    response = client.post(close_url(selection), {"tie": "1", "tie_winners": [b.pk, c.pk], "tie_reason": "部务会"})
    assert response.context["tie_form"].errors["tie_winners"] == ["须从并列人员（乙、丙）中确定1人"]
    response = client.post(close_url(selection), {"tie": "1", "tie_winners": [c.pk], "tie_reason": " "})
    assert response.context["tie_form"].errors["tie_reason"] == ["请写明研究确定并列人选的会议和理由"]
    response = client.post(close_url(selection), {"tie": "1", "tie_winners": [d.pk], "tie_reason": "部务会"})
    assert response.status_code == 400
    assert "tie_winners" in response.context["tie_form"].errors  # 丁 is not among the tied
    assert not AuditEvent.objects.filter(action="selection.closed").exists()

    reason = "2026年6月1日部务会研究确定"
    response = client.post(close_url(selection), {"tie": "1", "tie_winners": [c.pk], "tie_reason": reason})
    assert response.status_code == 302
    selection.refresh_from_db()
    assert (selection.closed_by, selection.tie_reason) == (staff, reason)
    assert sorted(SelectionApplicant.objects.filter(selected=True).values_list("pk", flat=True)) == [a.pk, c.pk]

    # the winners are marked, and the page offers no more changes
    for user in (staff, leader):
        client.force_login(user)
        response = client.get(detail_url(selection))
        assert [line.cadre.name for line in response.context["winners"]] == ["甲", "丙"]
        # among equal totals the winner comes first
        assert [(row.line.cadre.name, row.line.rank, row.line.selected) for row in response.context["rows"]] == [
            ("甲", 1, True),
            ("丙", 2, True),
            ("乙", 2, False),
            ("丁", 4, False),
        ]
        html = response.content.decode()
        assert 'data-testid="winners"' in html and reason in html
        for testid in ("scores-form", "applicant-form", "close-form", "tie-form"):
            assert f'data-testid="{testid}"' not in html
        # 干部科 may start a proposal for each winner; the leaders only read
        assert html.count('data-testid="propose-winner"') == (2 if user == staff else 0)
    client.force_login(staff)
    response = client.post(scores_url(selection), score_data({d: (99, 99, 99)}))
    assert response.status_code == 400
    assert response.context["scores_errors"] == ["“干部科科长竞争上岗”已于2026年06月01日确定人选，不能再修改"]
    assert stored(d) == (Decimal("70.00"), Decimal("70.00"), Decimal("70.00"))
    listed = client.get(LIST_URL, {"state": "closed"})
    assert [[w.cadre.name for w in s.winners] for s in listed.context["object_list"]] == [["甲", "丙"]]


# --- scores -----------------------------------------------------------------------------------------------------


def test_scores_are_entered_from_the_day_held_not_the_day_before(client, staff, post, department):
    selection = create(post, staff, held_on=date(2026, 6, 2))
    (a, b) = enrol(selection, department, staff, ["甲", "乙"])
    client.force_login(staff)
    response = client.get(detail_url(selection))
    assert not response.context["may_score"] and response.context["scores_waiting"]
    assert 'data-testid="scores-form"' not in response.content.decode()
    response = client.post(scores_url(selection), score_data({a: (80, 80, 80), b: (70, 70, 70)}))
    assert response.status_code == 400
    assert response.context["scores_errors"] == ["竞争上岗定于2026年06月02日举行，举行后才能登记成绩"]
    assert stored(a) == (None, None, None)

    on_the_day = create(post, staff, held_on=TODAY, title="当天举行")
    (e,) = enrol(on_the_day, department, staff, ["戊"])
    assert client.get(detail_url(on_the_day)).context["may_score"]
    assert client.post(scores_url(on_the_day), score_data({e: (80, 80, 80)})).status_code == 302
    assert stored(e) == (Decimal("80.00"),) * 3


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("100", None),
        ("0", None),
        ("100.01", "Enter a score from 0 to 100."),
        ("-0.01", "Enter a score from 0 to 100."),
        ("85.55", None),
        ("85.555", "At most two decimals."),
        ("八十", "Enter a score from 0 to 100."),
    ],
)
def test_each_cell_is_checked_at_its_boundaries(client, staff, four, value, error):
    selection, (a, *_rest) = four
    client.force_login(staff)
    response = client.post(scores_url(selection), score_data({a: (value, None, None)}))
    if error is None:
        assert response.status_code == 302
        assert stored(a)[0] == Decimal(value).quantize(Decimal("0.01"))
    else:
        assert response.status_code == 400
        form = next(row.form for row in response.context["rows"] if row.line.applicant == a)
        assert form.errors == {"speech": [gettext(error)]}
        assert stored(a) == (None, None, None)


def test_partial_scores_and_blanks_are_kept_and_totals_wait_for_all_three(client, staff, four):
    selection, (a, b, *_rest) = four
    client.force_login(staff)
    response = client.post(scores_url(selection), score_data({a: ("85.5", 78, 90), b: (80, None, None)}))
    assert response.status_code == 302
    response = client.get(detail_url(selection))
    # 85.5×30% + 78×40% + 90×30% = 83.85; 乙 has one score of three: no total, no rank
    assert ranking(response) == [
        ("甲", Decimal("83.85"), 1),
        ("乙", None, None),
        ("丙", None, None),
        ("丁", None, None),
    ]
    assert stored(b) == (Decimal("80.00"), None, None)


def test_a_row_missing_from_the_form_keeps_its_scores(client, staff, four):
    selection, (a, b, *_rest) = four
    score(b, staff, 80, 80, 80)
    client.force_login(staff)
    # the page was shown before 乙 was added: only 甲's row comes back
    assert client.post(scores_url(selection), score_data({a: (70, 70, 70)})).status_code == 302
    assert stored(b) == (Decimal("80.00"),) * 3
    assert stored(a) == (Decimal("70.00"),) * 3


def test_an_unchanged_form_saves_nothing(client, staff, four):
    selection, (a, b, *_rest) = four
    score(a, staff, 80, 80, 80)
    client.force_login(staff)
    before = AuditEvent.objects.filter(action="selection.scores_recorded").count()
    response = client.post(scores_url(selection), score_data({a: ("80.0", "80", "80.00"), b: (None, None, None)}))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="selection.scores_recorded").count() == before


# --- applicants ---------------------------------------------------------------------------------------------------


def test_an_applicant_twice_or_the_holder_of_the_post_is_refused_under_the_search_box(client, staff, post, department):
    selection = create(post, staff)
    jia = make_cadre(department, "甲")
    holder = make_cadre(department, "乙")
    cadre_assign_position(cadre=holder, position=post, start_month=date(2024, 1, 1), actor=None)
    client.force_login(staff)
    assert client.post(add_url(selection), {"cadre_search": "甲"}).status_code == 302
    response = client.post(add_url(selection), {"cadre_search": "甲"})
    assert response.status_code == 400
    assert response.context["pick_form"].errors["cadre"] == ["甲已经报名"]
    assert "甲已经报名" in response.content.decode()
    response = client.post(add_url(selection), {"cadre_search": "乙"})
    assert response.context["pick_form"].errors["cadre"] == ["乙已担任区委组织部干部科科长"]
    assert list(SelectionApplicant.objects.values_list("cadre", flat=True)) == [jia.pk]


def test_the_search_box_suggests_cadres_and_marks_those_who_applied(client, staff, post, department, bureau):
    selection = create(post, staff)
    (applied,) = enrol(selection, department, staff, ["张伟"])
    other = make_cadre(bureau, "张敏")
    client.force_login(staff)
    response = client.get(add_url(selection), {"cadre_search": "张"}, **HTMX)
    assert [c.name for c in response.context["cadres"]] == ["张伟", "张敏"]
    html = response.content.decode()
    assert f'value="{applied.cadre.pk}" disabled' in html and f'value="{other.pk}" disabled' not in html
    # without htmx the address leads back to the page
    assert client.get(add_url(selection))["Location"] == detail_url(selection)
    # two matches: the page asks to pick one, with the suggestions shown again
    response = client.post(add_url(selection), {"cadre_search": "张"})
    assert response.status_code == 400
    assert response.context["pick_form"].errors["cadre_search"]
    assert [c.name for c in response.context["suggestions"]] == ["张伟", "张敏"]
    assert client.post(add_url(selection), {"cadre_search": "张", "cadre": other.pk}).status_code == 302


def test_reserve_cadres_of_the_posts_level_are_offered_and_added_in_one_click(client, staff, post, department):
    selection = create(post, staff)
    wang = make_cadre(department, "王芳", rank=Rank.FU_KE)
    reserve_svc.reserve_add(
        cadre=wang, target_level=Rank.ZHENG_KE, added_on=date(2026, 1, 5), reason="推荐", actor=staff
    )
    chu = make_cadre(department, "李明", rank=Rank.ZHENG_KE)
    reserve_svc.reserve_add(cadre=chu, target_level=Rank.FU_CHU, added_on=date(2026, 1, 5), reason="推荐", actor=staff)
    client.force_login(staff)
    response = client.get(detail_url(selection))
    assert [entry.cadre.name for entry in response.context["reserve"]] == ["王芳"]
    assert client.post(add_url(selection), {"cadre": wang.pk, "cadre_search": "王芳"}).status_code == 302
    assert client.get(detail_url(selection)).context["reserve"] == []


def test_staff_remove_an_applicant_while_open_not_after_closing(client, staff, post, department):
    selection = create(post, staff)
    a, b, c = enrol(selection, department, staff, ["甲", "乙", "丙"])
    client.force_login(staff)
    response = client.post(remove_url(c))
    assert response["Location"] == f"{detail_url(selection)}#applicants"
    assert list(SelectionApplicant.objects.values_list("pk", flat=True).order_by("pk")) == [a.pk, b.pk]
    score(a, staff, 90, 90, 90)
    score(b, staff, 80, 80, 80)
    svc.selection_close(selection=selection, actor=staff)
    response = client.post(remove_url(b), follow=True)
    assert "已于2026年06月01日确定人选，不能再修改" in response.content.decode()
    assert SelectionApplicant.objects.filter(pk=b.pk).exists()


# --- closing ------------------------------------------------------------------------------------------------------


def test_closing_needs_more_applicants_than_posts(client, staff, post, department):
    selection = create(post, staff)
    (a,) = enrol(selection, department, staff, ["甲"])
    score(a, staff, 90, 90, 90)
    client.force_login(staff)
    response = client.post(close_url(selection))
    assert response.status_code == 400
    assert response.context["close_errors"] == ["竞争上岗的人选应当多于职位数：现有1人报名，职位1个"]
    (b,) = enrol(selection, department, staff, ["乙"])
    score(b, staff, 80, 80, 80)
    assert client.post(close_url(selection)).status_code == 302
    assert [line.cadre.name for line in client.get(detail_url(selection)).context["winners"]] == ["甲"]


def test_closing_needs_every_score(client, staff, four):
    selection, (a, b, c, d) = four
    score(a, staff, 90, 90, 90)
    score(b, staff, 80, 80, None)
    score(c, staff, 70, 70, 70)
    score(d, staff, 60, 60, 60)
    client.force_login(staff)
    response = client.post(close_url(selection))
    assert response.context["close_errors"] == ["以下人员成绩尚未登记齐全：乙"]
    assert 'data-testid="close-errors"' in response.content.decode()
    assert CompetitiveSelection.objects.get(pk=selection.pk).closed_at is None


def test_without_a_tie_closing_fixes_the_best_at_once(client, staff, four):
    selection, (a, b, c, d) = four
    for applicant, value in zip((a, b, c, d), (70, 90, "85.01", 85), strict=True):
        score(applicant, staff, value, value, value)
    client.force_login(staff)
    response = client.get(detail_url(selection))
    assert response.context["standing"].tied == ()
    assert client.post(close_url(selection)).status_code == 302
    response = client.get(detail_url(selection))
    assert [(line.cadre.name, line.total) for line in response.context["winners"]] == [
        ("乙", Decimal("90.00")),
        ("丙", Decimal("85.01")),
    ]


# --- the list -----------------------------------------------------------------------------------------------------


@pytest.fixture
def selections(post, department, bureau, staff):
    """An open selection for the department's post, one closed for the bureau's (held later)."""
    first = create(post, staff, title="干部科科长竞争上岗")
    enrol(first, department, staff, ["甲"])
    office = position_create(unit=bureau, title="办公室主任", level=Rank.ZHENG_KE, actor=None)
    second = create(office, staff, title="财政局办公室主任竞争上岗", held_on=date(2026, 5, 25))
    x, y = enrol(second, bureau, staff, ["乙", "丙"])
    score(x, staff, 90, 90, 90)
    score(y, staff, 80, 80, 80)
    svc.selection_close(selection=second, actor=staff)
    return first, second


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["财政局办公室主任竞争上岗", "干部科科长竞争上岗"]),
        ({"state": "open"}, ["干部科科长竞争上岗"]),
        ({"state": "closed"}, ["财政局办公室主任竞争上岗"]),
        ({"q": "干部科"}, ["干部科科长竞争上岗"]),
        ({"q": "办公室主任"}, ["财政局办公室主任竞争上岗"]),
        ({"q": "区财政局"}, ["财政局办公室主任竞争上岗"]),
    ],
)
def test_the_list_searches_and_filters(client, leader, selections, params, expected):
    client.force_login(leader)
    response = client.get(LIST_URL, params)
    assert [s.title for s in response.context["object_list"]] == expected


def test_the_list_shows_applicants_and_winners(client, leader, selections, department):
    client.force_login(leader)
    response = client.get(LIST_URL, {"unit": department.pk})
    (row,) = response.context["object_list"]
    assert (row.title, row.applicant_count, row.winners) == ("干部科科长竞争上岗", 1, [])
    response = client.get(LIST_URL, {"state": "closed"})
    (row,) = response.context["object_list"]
    assert (row.applicant_count, [w.cadre.name for w in row.winners]) == (2, ["乙"])
    partial = client.get(LIST_URL, {"q": "科长"}, **HTMX)
    assert "<html" not in partial.content.decode()


def test_the_list_query_count_does_not_grow_with_selections(client, staff, post, department, django_assert_num_queries):
    def fill(start, n):
        for i in range(start, start + n):
            selection = create(post, staff, title=f"第{i}次")
            a, b = enrol(selection, department, staff, [f"甲{i}", f"乙{i}"])
            score(a, staff, 90, 90, 90)
            score(b, staff, 80, 80, 80)
            if i % 2:
                svc.selection_close(selection=selection, actor=staff)

    fill(0, 3)
    client.force_login(staff)
    client.get(LIST_URL)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST_URL, {"per_page": 100})
    fill(3, 20)
    with django_assert_num_queries(len(few)):
        response = client.get(LIST_URL, {"per_page": 100})
    assert len(response.context["object_list"]) == 23


def scored_selection(post, department, staff, n, *, title, close=False):
    selection = create(post, staff, posts=1, title=title)
    for i in range(n):
        (applicant,) = enrol(selection, department, staff, [f"{title}{i:02d}"])
        score(applicant, staff, 60 + i, 70, 80)
    if close:
        svc.selection_close(selection=selection, actor=staff)
    return selection


@pytest.mark.parametrize("close", [False, True])
def test_the_selection_page_query_count_does_not_grow_with_applicants(
    client, staff, post, department, django_assert_num_queries, close
):
    few_applicants = scored_selection(post, department, staff, 3, title="甲次", close=close)
    many_applicants = scored_selection(post, department, staff, 15, title="乙次", close=close)
    client.force_login(staff)
    client.get(detail_url(few_applicants))
    with CaptureQueriesContext(connection) as few:
        client.get(detail_url(few_applicants))
    with django_assert_num_queries(len(few)):
        response = client.get(detail_url(many_applicants))
    assert len(response.context["rows"]) == 15
    assert response.context["may_score"] is not close

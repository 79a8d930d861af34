"""The cadre list's pages: next and previous links carry the position of the page's edge rows, bare page numbers
and the last page still work, big results show an estimated total, and the unit filter renders every unit."""

from __future__ import annotations

import base64
import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.views.records import CadreListView
from orgdept.core import roles
from tests.cadres.factories import make_cadre, make_unit

LIST_URL = reverse("cadres:cadre_list")


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu")


@pytest.fixture
def roster(db):
    """70 cadres in three units, listed unit by unit (by the units' order, then name) and by name within one."""
    units = [make_unit("区财政局", order=2), make_unit("区教育局", order=1), make_unit("区审计局", order=2)]
    for i in range(70):
        make_cadre(units[i % 3], f"王{i:02d}")
    return units


def names(response) -> list[str]:
    return [c.name for c in response.context["object_list"]]


def link(response, rel: str) -> str:
    found = re.search(rf'href="([^"]+)" [^>]*rel="{rel}"', response.content.decode())
    return LIST_URL + unescape(found.group(1)) if found else ""


def test_following_next_and_previous_links_walks_the_list_in_order(client, staff, roster):
    client.force_login(staff)
    everyone = names(client.get(LIST_URL, {"per_page": 100}))
    assert len(everyone) == 70

    pages, response = [], client.get(LIST_URL, {"q": "王"})
    while True:
        pages.append(names(response))
        assert response.context["page_obj"].number == len(pages)
        assert response.context["paginator"].count == 70
        following = link(response, "next")
        if not following:
            break
        assert "after=" in following and "page=" in following
        response = client.get(following)
    assert [len(p) for p in pages] == [25, 25, 20]
    assert [name for page in pages for name in page] == everyone

    # and back again from the last page
    back = client.get(link(response, "prev"))
    assert names(back) == pages[1] and back.context["page_obj"].number == 2
    first = client.get(link(back, "prev"))
    assert names(first) == pages[0] and first.context["page_obj"].number == 1
    assert not first.context["page_obj"].has_previous()


def test_bare_page_numbers_and_the_last_page_read_the_same_rows(client, staff, roster):
    client.force_login(staff)
    by_link = names(client.get(link(client.get(LIST_URL), "next")))
    assert names(client.get(LIST_URL, {"page": 2})) == by_link
    last = client.get(LIST_URL, {"page": 3})
    assert len(names(last)) == 20 and not last.context["page_obj"].has_next()
    assert names(client.get(LIST_URL, {"page": 99})) == names(last)


def test_a_stale_or_forged_cursor_does_no_harm(client, staff, roster):
    client.force_login(staff)
    wrong_types = base64.urlsafe_b64encode(json.dumps(["a", "b", "c", "d"]).encode()).decode()
    for cursor in ("not-base64!", "W10", "eyJhIjoxfQ", wrong_types):  # garbage, an empty list, an object, text
        response = client.get(LIST_URL, {"page": 2, "after": cursor})
        assert response.status_code == 200
        assert len(names(response)) == 25


def test_page_queries_do_not_grow_with_the_page_number(client, staff, roster):
    client.force_login(staff)
    client.get(LIST_URL)  # warm-up: session and permission caches
    with CaptureQueriesContext(connection) as first:
        response = client.get(LIST_URL, {"q": "王"})
    third = link(client.get(link(response, "next")), "next")
    with CaptureQueriesContext(connection) as deep:
        client.get(third)
    assert len(deep) <= len(first)


def test_a_big_result_shows_the_planners_estimate(client, staff, roster, monkeypatch):
    monkeypatch.setattr(CadreListView, "estimate_above", 10)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cadres_cadre")  # the planner's statistics, as autovacuum keeps them
    client.force_login(staff)
    response = client.get(LIST_URL, {"q": "王"})
    paginator = response.context["paginator"]
    if connection.vendor == "postgresql":
        assert paginator.estimated and paginator.count > 10
        assert "≈" in response.content.decode()
    # pages still end where the rows do
    assert len(names(response)) == 25
    assert "estimated=1" in link(response, "next") or connection.vendor != "postgresql"


@pytest.mark.parametrize("estimate", [30, 200])
def test_every_row_is_reached_whatever_the_estimate(client, staff, roster, monkeypatch, estimate):
    """The planner's estimate is only an estimate: below the truth, the Next links go on past its last page; above
    it, the pages end where the rows do. The page count shown follows what the rows showed."""
    import orgdept.core.listing

    monkeypatch.setattr(CadreListView, "estimate_above", 10)
    monkeypatch.setattr(orgdept.core.listing, "planner_rows", lambda queryset: estimate)
    client.force_login(staff)
    response = client.get(LIST_URL, {"q": "王"})
    assert response.context["paginator"].estimated
    seen, numbers = names(response), [response.context["page_obj"].number]
    while 'rel="next"' in response.content.decode():
        response = client.get(link(response, "next"))
        seen += names(response)
        numbers.append(response.context["page_obj"].number)
        assert response.context["paginator"].num_pages >= numbers[-1]
    assert sorted(seen) == [f"王{i:02d}" for i in range(70)]
    assert numbers == [1, 2, 3]
    assert response.context["paginator"].num_pages == 3
    assert "第 3 页，共 3 页" in response.content.decode()


def test_the_unit_filter_lists_every_unit_and_keeps_the_choice(client, staff, roster):
    client.force_login(staff)
    html = client.get(LIST_URL, {"unit": roster[1].pk}).content.decode()
    select = re.search(r'<select[^>]*name="unit"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert select.count("<option") == 4  # "All" and the three units
    assert f'<option value="{roster[1].pk}" selected>区教育局</option>' in select
    make_unit("区统计局", order=0)
    assert "区统计局" in client.get(LIST_URL).content.decode()  # a new unit shows at once

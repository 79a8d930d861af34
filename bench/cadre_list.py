"""Cadre list with search: our list against the Django admin changelist over the same cadres, page 1 and a far page.

Both run in this process through Django's test Client, signed in: ours as the 干部科 user, the admin as a superuser.
Both show 25 rows a page (our default; the admin is set to the same size, which only spares it rows to render) and
search the same text under the same rank filter. Our far page is requested as a user reaches it: by the "Next" link
of the page before it (which carries the position in the list); the admin's by its page number.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

from .generate import GANBU_USER
from .harness import Figure, alternate, median, timed

# requests per sample, the sample their median: one request takes tens of milliseconds, too short to time alone on a
# shared machine (a scheduler hiccup or a collection of garbage is then the whole sample)
BURST = 5
SEARCH = "王"  # the most common surname: the search people type most
PAGE_SIZE = 25
SUPERUSER = "bench_h9_superuser"


# filters the list and the admin both offer (admin parameter names)
FILTERS = {"rank": "rank__exact", "gender": "gender__exact"}


def _pick_filter(search: str) -> tuple[str, str, int]:
    """The filter value under which the search finds the most cadres, so the far page exists (or comes nearest)."""
    from django.db.models import Count

    from cadres.models import Cadre

    found = Cadre.objects.filter(name__contains=search)
    best = ("", "", 0)
    for field in FILTERS:
        row = found.exclude(**{field: ""}).values(field).annotate(n=Count("pk")).order_by("-n", field).first()
        if row and row["n"] > best[2]:
            best = (field, row[field], row["n"])
    return best


def _superuser():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user = User.objects.filter(username=SUPERUSER).first()
    return user or User.objects.create_superuser(username=SUPERUSER, password=None, email="")


def run(scale) -> list[Figure]:
    from django.conf import settings
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cadres.models import Cadre

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    field, value, matches = _pick_filter(SEARCH)
    last_page = max(1, -(-matches // PAGE_SIZE))
    far = min(scale.list_page_far, last_page)
    # the admin with our page size (its default is 100), so that page N shows the same rows' worth on both sides
    admin.site._registry[Cadre].list_per_page = PAGE_SIZE

    ours = Client()
    ours.force_login(get_user_model().objects.get(username=GANBU_USER))
    peer = Client()
    peer.force_login(_superuser())

    ours_params = {field: value, "q": SEARCH}
    ours_first = f"/cadres/?{urlencode(ours_params)}"
    # our count is the planner's estimate above 5,000 rows, and our pages by number end at its last page: the far
    # page is one both sides number alike
    last_link = re.search(r'page=(\d+)"[^>]*>»</a>', ours.get(ours_first).content.decode())
    far = min(far, int(last_link.group(1)) if last_link else 1)
    before_far = ours.get(f"/cadres/?{urlencode({**ours_params, 'page': far - 1})}") if far > 1 else None
    if before_far is not None:
        link = re.search(r'href="([^"]+)" [^>]*rel="next"', before_far.content.decode())
        ours_far = "/cadres/" + unescape(link.group(1))
    else:
        ours_far = ours_first
    admin_params = {FILTERS[field]: value, "q": SEARCH}
    admin_first = f"/admin/cadres/cadre/?{urlencode(admin_params)}"
    admin_far = f"/admin/cadres/cadre/?{urlencode({**admin_params, 'p': far})}"

    def get(client, url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return fetch

    def sample(client, url):
        fetch = get(client, url)
        return lambda: median([timed(fetch) for _ in range(BURST)])

    # warm both (sessions, permission caches, templates) and check that each page shows a full page of rows
    for client, url in ((ours, ours_first), (ours, ours_far), (peer, admin_first), (peer, admin_far)):
        get(client, url)()
    shown = len(re.findall(r'<td><a href="/cadres/\d+/">', ours.get(ours_far).content.decode()))

    figures = []
    pairs = (("page 1", ours_first, admin_first), (f"page {far}", ours_far, admin_far))
    for label, ours_url, admin_url in pairs:
        ours_s, peer_s = alternate(sample(ours, ours_url), sample(peer, admin_url), rounds=scale.rounds)
        figures.append(
            Figure(
                name=f"cadre list, {label} (filter + name search)",
                ours=median(ours_s),
                peer=median(peer_s),
                unit="s",
                goal=0.2,
                higher_is_better=False,
                peer_name="Django admin changelist",
                notes=(
                    f"search “{SEARCH}” with {field} = {value}: {matches:,} cadres, {last_page:,} pages of "
                    f"{PAGE_SIZE}; each sample the median of {BURST} requests in a row; both sign in per request "
                    "(session, permissions); above 5,000 expected rows our "
                    "total is the planner's estimate (shown with ≈), the admin counts the result and the whole table"
                    if label == "page 1"
                    else (
                        f"the far page is the last one both number ({far:,}: {last_page:,} pages of rows, our estimate "
                        f"numbers {far:,}), fewer than {scale.list_page_far:,}; "
                        if far < scale.list_page_far
                        else ""
                    )
                    + f"ours reached by the Next link of page {far - 1:,} (the cursor it carries), {shown} rows shown; "
                    "the admin by its page number"
                ),
                samples={"ours": ours_s, "peer": peer_s},
            )
        )
    far_label = f"page {far}"
    near, deep = alternate(sample(ours, ours_first), sample(ours, ours_far), rounds=scale.rounds)
    figures.append(
        Figure(
            name=f"cadre list, our {far_label} against our page 1",
            ours=median(deep),
            peer=median(near),
            unit="s",
            goal=1.5,
            higher_is_better=False,
            peer_name="our page 1",
            samples={"ours": deep, "peer": near},
        )
    )
    counts = {}
    for label, url in (("first", ours_first), ("far", ours_far)):
        with CaptureQueriesContext(connection) as queries:
            get(ours, url)()
        counts[label] = len(queries)
    figures.append(
        Figure(
            name=f"cadre list, queries of our {far_label} against page 1",
            ours=counts["far"],
            peer=counts["first"],
            unit="queries",
            goal=1.0,
            higher_is_better=False,
            peer_name="our page 1",
        )
    )
    return figures

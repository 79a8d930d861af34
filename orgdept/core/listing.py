"""The reusable list pattern: a selector's queryset, a GET filter form with search, pagination, htmx."""

from __future__ import annotations

import base64
import json

from django import forms
from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView


class QuickInputMixin:
    """An input written in one pass, the same markup as Django's input template: a list's filter bar renders on
    every page, and the two templates per input (the input and its attributes) were most of its cost."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
        # in the order given, as Django's template writes them; True stands alone, False and None are left out
        written = "".join(
            f" {key}" if item is True else f' {key}="{escape(item)}"'
            for key, item in widget["attrs"].items()
            if item is not False and item is not None
        )
        return mark_safe(f'<input type="{widget["type"]}" name="{escape(name)}"{shown}{written}>')  # noqa: S308


class QuickTextInput(QuickInputMixin, forms.TextInput):
    pass


class QuickNumberInput(QuickInputMixin, forms.NumberInput):
    pass


class ListFilterForm(forms.Form):
    """Subclasses add filter fields and implement `filter_queryset`; `q` searches `search_fields`."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=QuickTextInput)
    search_fields: tuple[str, ...] = ()

    def search(self, qs: QuerySet, text: str) -> QuerySet:
        condition = Q()
        for name in self.search_fields:
            condition |= Q(**{name: text})
        return qs.filter(condition)

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        return qs

    def apply(self, qs: QuerySet) -> QuerySet:
        if not self.is_valid():
            return qs.none()
        text = (self.cleaned_data.get("q") or "").strip()
        if text:  # not gated on search_fields: subclasses may override search() instead
            qs = self.search(qs, text)
        return self.filter_queryset(qs)


class FilteredListView(ListView):
    """GET form → selector queryset → filters → page; an htmx request gets only the results partial."""

    filter_form_class: type[ListFilterForm] = ListFilterForm
    paginate_by = 25
    page_sizes = (25, 50, 100)
    results_template_name = ""

    def selector(self) -> QuerySet:
        raise NotImplementedError

    def get_paginate_by(self, queryset):
        try:
            size = int(self.request.GET.get("per_page", self.paginate_by))
        except ValueError:
            size = self.paginate_by
        return size if size in self.page_sizes else self.paginate_by

    def get_queryset(self):
        self.filter_form = self.filter_form_class(self.request.GET or None)
        qs = self.selector()
        if self.request.GET:
            qs = self.filter_form.apply(qs)
        return qs

    def paginate_queryset(self, queryset, page_size):
        paginator = Paginator(queryset, page_size, allow_empty_first_page=True)
        try:
            number = int(self.request.GET.get("page", 1))
        except ValueError:
            number = 1
        page = paginator.get_page(number)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx["filter_form"] = self.filter_form
        ctx["querystring"] = params.urlencode()
        ctx["results_template"] = self.results_template_name
        ctx["page_sizes"] = self.page_sizes
        return ctx

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and self.results_template_name:
            return [self.results_template_name]
        return super().get_template_names()


# --- seek pagination -------------------------------------------------------------------------------------------


def _encode_cursor(values: list) -> str:
    raw = json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(text: str, size: int) -> list | None:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != size or any(isinstance(v, (list, dict)) for v in values):
        return None
    return values


def planner_rows(queryset) -> int | None:
    """How many rows PostgreSQL's planner expects the query to return (None elsewhere): a millisecond, where
    counting them reads every one."""
    db = connections[queryset.db]
    if db.vendor != "postgresql":
        return None
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return None
    with db.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class SeekPage:
    """A page as templates use Django's Page (number, neighbours, rows), read by seeking to a row in the order."""

    def __init__(self, object_list, number, paginator, *, has_previous, has_next, links):
        self.object_list = object_list
        self.number = number
        self.paginator = paginator
        self._has_previous = has_previous
        self._has_next = has_next
        # querystring fragments (after "page=N") that carry the cursor of the previous and next page
        self.previous_cursor, self.next_cursor = links

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_previous(self):
        return self._has_previous

    def has_next(self):
        return self._has_next

    def has_other_pages(self):
        return self._has_previous or self._has_next

    def previous_page_number(self):
        return max(self.number - 1, 1)

    def next_page_number(self):
        return self.number + 1


class SeekPaginator:
    """What the pagination bar shows of the whole result: its size and number of pages."""

    def __init__(self, count: int, per_page: int, *, estimated: bool = False):
        self.count = count
        self.estimated = estimated
        self.per_page = per_page
        self.num_pages = max(1, -(-count // per_page))


class SeekListView(FilteredListView):
    """A FilteredListView whose next and previous links carry the position of the page's edge rows (a cursor), so
    that page 1,000 costs what page 1 costs: the database seeks to the row in the list's order (given by an index)
    instead of reading and skipping every row before it. A bare page number (typed, bookmarked) still works by
    skipping, and the last page is read from the end.

    `seek_order` names the list's order (ascending, unique at its end, e.g. ending in "pk"), as lookups; the
    selector must order by the same fields. The total is counted once and carried in the links.
    """

    seek_order: tuple[str, ...] = ()

    def _key(self, obj) -> list:
        values = []
        for name in self.seek_order:
            value = obj
            for part in name.split("__"):
                value = getattr(value, part)
            values.append(value.isoformat() if hasattr(value, "isoformat") else value)
        return values

    def _beyond(self, key: list, *, after: bool) -> Q:
        """Rows after (or before) `key` in the order: a lexicographic comparison spelled as ORs, plus the bound on
        the first field alone that lets the database start its index scan at the key."""
        op = "gt" if after else "lt"
        condition = Q()
        for i, name in enumerate(self.seek_order):
            equal = {self.seek_order[j]: key[j] for j in range(i)}
            condition |= Q(**equal, **{f"{name}__{op}": key[i]})
        first = self.seek_order[0]
        return Q(**{f"{first}__{op}e": key[0]}) & condition

    def _seek(self, queryset, key: list | None, *, after: bool):
        """The rows after (or before) a cursor's key, or None when there is no cursor or its values do not fit the
        fields (a forged or outdated link falls back to the page number)."""
        if key is None:
            return None
        try:
            return queryset.filter(self._beyond(key, after=after))
        except (TypeError, ValueError, ValidationError):
            return None

    def _reverse(self) -> list[str]:
        return [f"-{name}" for name in self.seek_order]

    # above this many rows (as the planner expects them) the total is the planner's estimate, shown as such:
    # counting a search that finds tens of thousands reads all of them, on every page
    estimate_above = 5_000

    def _count(self, queryset) -> tuple[int, bool]:
        """The total and whether it is an estimate."""
        params = self.request.GET
        carried = params.get("total", "")
        if carried.isdigit() and any(params.get(k) for k in ("after", "before")):
            return int(carried), params.get("estimated") == "1"
        estimate = planner_rows(queryset)
        if estimate is not None and estimate > self.estimate_above:
            return estimate, True
        return queryset.count(), False

    def paginate_queryset(self, queryset, page_size):
        params = self.request.GET
        try:
            number = max(int(params.get("page", 1)), 1)
        except ValueError:
            number = 1
        count, estimated = self._count(queryset)
        paginator = SeekPaginator(count, page_size, estimated=estimated)
        size = len(self.seek_order)
        after = self._seek(queryset, _decode_cursor(params.get("after", ""), size), after=True) if number > 1 else None
        before = None
        if after is None:
            before = self._seek(queryset, _decode_cursor(params.get("before", ""), size), after=False)
        has_previous = has_next = False
        if after is not None:
            rows = list(after[: page_size + 1])
            has_previous, has_next = True, len(rows) > page_size
            rows = rows[:page_size]
        elif before is not None:
            rows = list(before.order_by(*self._reverse())[: page_size + 1])
            has_previous, has_next = len(rows) > page_size, True
            rows = rows[:page_size][::-1]
            number = max(number, 2) if has_previous else 1
        else:
            number = min(number, paginator.num_pages)
            start = (number - 1) * page_size
            if number > 1 and number == paginator.num_pages:
                # the last page, read from the end of the order rather than by skipping every row before it
                rows = list(queryset.order_by(*self._reverse())[: page_size if estimated else count - start][::-1])
            else:
                rows = list(queryset[start : start + page_size + 1])
            has_previous, has_next = number > 1, len(rows) > page_size
            rows = rows[:page_size]
        if not rows and number > 1:  # a stale cursor past the end: show the last page
            number = paginator.num_pages
            tail = page_size if estimated else count - (number - 1) * page_size
            rows = list(queryset.order_by(*self._reverse())[: max(tail, 1)][::-1])
            has_previous, has_next = number > 1, False
        if estimated and rows:
            # an estimate gives way to what the rows show: more of them past its last page, or the end before it
            if has_next and number >= paginator.num_pages:
                paginator.num_pages = number + 1
            elif not has_next:
                paginator.num_pages = number
        links = ("", "")
        if rows:
            total = f"&total={count}" + ("&estimated=1" if estimated else "")
            links = (
                f"&before={_encode_cursor(self._key(rows[0]))}{total}",
                f"&after={_encode_cursor(self._key(rows[-1]))}{total}",
            )
        page = SeekPage(rows, number, paginator, has_previous=has_previous, has_next=has_next, links=links)
        return paginator, page, rows, page.has_other_pages()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        for name in ("page", "after", "before", "total", "estimated"):
            params.pop(name, None)
        ctx["querystring"] = params.urlencode()
        return ctx

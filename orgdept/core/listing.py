"""The reusable list pattern: a selector's queryset, a GET filter form with search, pagination, htmx."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView


class ListFilterForm(forms.Form):
    """Subclasses add filter fields and implement `filter_queryset`; `q` searches `search_fields`."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
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

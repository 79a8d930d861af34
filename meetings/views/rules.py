"""Meetings pages: rules (being built)."""

from django.http import Http404


def rule_list(request, *args, **kwargs):
    raise Http404


def meeting_type_edit(request, *args, **kwargs):
    raise Http404


def category_create(request, *args, **kwargs):
    raise Http404


def category_edit(request, *args, **kwargs):
    raise Http404


def cadence(request, *args, **kwargs):
    raise Http404

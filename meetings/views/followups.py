"""Meetings pages: followups (being built)."""

from django.http import Http404


def decision_list(request, *args, **kwargs):
    raise Http404


def decision_detail(request, *args, **kwargs):
    raise Http404


def decision_reconsider(request, *args, **kwargs):
    raise Http404


def follow_up_list(request, *args, **kwargs):
    raise Http404


def follow_up_report(request, *args, **kwargs):
    raise Http404


def follow_up_detail(request, *args, **kwargs):
    raise Http404


def follow_up_note(request, *args, **kwargs):
    raise Http404


def follow_up_close(request, *args, **kwargs):
    raise Http404

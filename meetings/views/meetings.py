"""Meetings pages: meetings (being built)."""

from django.http import Http404


def meeting_list(request, *args, **kwargs):
    raise Http404


def meeting_create(request, *args, **kwargs):
    raise Http404


def meeting_detail(request, *args, **kwargs):
    raise Http404


def meeting_edit(request, *args, **kwargs):
    raise Http404


def agenda_add(request, *args, **kwargs):
    raise Http404


def agenda_remove(request, *args, **kwargs):
    raise Http404


def agenda_move(request, *args, **kwargs):
    raise Http404


def attendance(request, *args, **kwargs):
    raise Http404


def quorum_panel(request, *args, **kwargs):
    raise Http404


def leave_request(request, *args, **kwargs):
    raise Http404


def meeting_open(request, *args, **kwargs):
    raise Http404


def meeting_adjourn(request, *args, **kwargs):
    raise Http404


def meeting_cancel(request, *args, **kwargs):
    raise Http404


def meeting_document(request, *args, **kwargs):
    raise Http404


def item_detail(request, *args, **kwargs):
    raise Http404


def voting_open(request, *args, **kwargs):
    raise Http404


def vote_record(request, *args, **kwargs):
    raise Http404


def tally_enter(request, *args, **kwargs):
    raise Http404


def voting_close(request, *args, **kwargs):
    raise Http404


def item_defer(request, *args, **kwargs):
    raise Http404


def item_discuss(request, *args, **kwargs):
    raise Http404


def recusal_add(request, *args, **kwargs):
    raise Http404


def relation_list(request, *args, **kwargs):
    raise Http404


def relation_create(request, *args, **kwargs):
    raise Http404


def relations_refresh(request, *args, **kwargs):
    raise Http404


def relation_end(request, *args, **kwargs):
    raise Http404

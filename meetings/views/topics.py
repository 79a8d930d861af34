"""Meetings pages: topics (being built)."""

from django.http import Http404


def topic_list(request, *args, **kwargs):
    raise Http404


def topic_create(request, *args, **kwargs):
    raise Http404


def topic_detail(request, *args, **kwargs):
    raise Http404


def topic_edit(request, *args, **kwargs):
    raise Http404


def topic_transition(request, *args, **kwargs):
    raise Http404


def topic_cadre_add(request, *args, **kwargs):
    raise Http404


def topic_cadre_remove(request, *args, **kwargs):
    raise Http404


def material_upload(request, *args, **kwargs):
    raise Http404


def material_remove(request, *args, **kwargs):
    raise Http404


def material_download(request, *args, **kwargs):
    raise Http404


def consultation_create(request, *args, **kwargs):
    raise Http404


def consultation_detail(request, *args, **kwargs):
    raise Http404


def opinion_submit(request, *args, **kwargs):
    raise Http404


def consultation_close(request, *args, **kwargs):
    raise Http404

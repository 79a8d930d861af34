"""Meetings pages: portal (being built)."""

from django.http import Http404


def portal(request, *args, **kwargs):
    raise Http404

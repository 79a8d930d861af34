"""Committee pages: terms (being built)."""

from django.http import HttpResponse


def term_overview(request, pk=None):
    return HttpResponse("term_overview")


def term_list(request, pk=None):
    return HttpResponse("term_list")


def term_create(request, pk=None):
    return HttpResponse("term_create")


def term_change(request, pk=None):
    return HttpResponse("term_change")


def term_detail(request, pk=None):
    return HttpResponse("term_detail")


def term_edit(request, pk=None):
    return HttpResponse("term_edit")


def member_add(request, pk=None):
    return HttpResponse("member_add")


def member_import(request, pk=None):
    return HttpResponse("member_import")


def member_import_batch(request, pk=None):
    return HttpResponse("member_import_batch")


def member_import_commit(request, pk=None):
    return HttpResponse("member_import_commit")


def member_import_template(request, pk=None):
    return HttpResponse("member_import_template")


def member_edit(request, pk=None):
    return HttpResponse("member_edit")


def member_role(request, pk=None):
    return HttpResponse("member_role")


def member_leave(request, pk=None):
    return HttpResponse("member_leave")


def alternate_promote(request, pk=None):
    return HttpResponse("alternate_promote")

"""Committee pages: absences (being built)."""

from django.http import HttpResponse


def substitute_list(request, pk=None):
    return HttpResponse("substitute_list")


def substitute_edit(request, pk=None):
    return HttpResponse("substitute_edit")


def leave_list(request, pk=None):
    return HttpResponse("leave_list")


def leave_create(request, pk=None):
    return HttpResponse("leave_create")


def leave_cancel(request, pk=None):
    return HttpResponse("leave_cancel")


def responsibility(request, pk=None):
    return HttpResponse("responsibility")


def report_list(request, pk=None):
    return HttpResponse("report_list")


def report_record(request, pk=None):
    return HttpResponse("report_record")


def my_portfolio(request, pk=None):
    return HttpResponse("my_portfolio")

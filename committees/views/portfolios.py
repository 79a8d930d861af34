"""Committee pages: portfolios (being built)."""

from django.http import HttpResponse


def portfolio(request, pk=None):
    return HttpResponse("portfolio")


def work_area_list(request, pk=None):
    return HttpResponse("work_area_list")


def work_area_create(request, pk=None):
    return HttpResponse("work_area_create")


def work_area_edit(request, pk=None):
    return HttpResponse("work_area_edit")


def plan_list(request, pk=None):
    return HttpResponse("plan_list")


def plan_create(request, pk=None):
    return HttpResponse("plan_create")


def plan_detail(request, pk=None):
    return HttpResponse("plan_detail")


def plan_cell(request, pk=None):
    return HttpResponse("plan_cell")


def plan_activate(request, pk=None):
    return HttpResponse("plan_activate")


def plan_discard(request, pk=None):
    return HttpResponse("plan_discard")


def plan_pdf(request, pk=None):
    return HttpResponse("plan_pdf")

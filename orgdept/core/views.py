"""Kernel views: home, inbox, documents, working-day calendar, audit trail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors
from .audit import audit_log
from .calendar_pdf import calendar_months
from .documents import document_may_access, document_request
from .exceptions import ApplicationError
from .forms import AuditEventFilterForm, CalendarImportForm, DocumentFilterForm, NotificationFilterForm
from .health import system_checks
from .listing import FilteredListView
from .models import Document, Notification
from .notifications import notification_mark_read, notifications_mark_all_read
from .object_permissions import require_perm
from .roles import SYSTEM_ADMIN, has_role
from .shell import work_queue_for
from .workdays import ScheduleMissing, calendar_export, calendar_import, scheduled_years


@login_required
def home(request):
    context = {"sections": work_queue_for(request.user)}
    if request.user.is_superuser or has_role(request.user, SYSTEM_ADMIN):
        context["checks"] = system_checks()
    return render(request, "core/home.html", context)


class NotificationListView(LoginRequiredMixin, FilteredListView):
    template_name = "core/notification_list.html"
    results_template_name = "core/partials/notification_results.html"
    filter_form_class = NotificationFilterForm

    def selector(self):
        return selectors.notification_list(user=self.request.user)


@login_required
def notification_open(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(notification=notification, actor=request.user)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("core:notification_list")


@login_required
@require_POST
def notification_read_all(request):
    count = notifications_mark_all_read(actor=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("core:notification_list")


class DocumentListView(LoginRequiredMixin, FilteredListView):
    template_name = "core/document_list.html"
    results_template_name = "core/partials/document_results.html"
    filter_form_class = DocumentFilterForm

    def selector(self):
        return selectors.document_list(user=self.request.user)


def access_document(user, pk: int) -> Document:
    """The document if `user` may see it: theirs (404 otherwise) and still theirs to ask for (403 otherwise)."""
    document = get_object_or_404(Document.objects.select_related("requested_by"), pk=pk)
    require_perm(user, "core.view_document", document)
    if not document_may_access(user, document):
        raise PermissionDenied
    return document


@login_required
def document_detail(request, pk: int):
    document = access_document(request.user, pk)
    template = "core/partials/document_status.html" if request.htmx else "core/document_detail.html"
    return render(request, template, {"document": document})


@login_required
def document_download(request, pk: int):
    document = access_document(request.user, pk)
    if document.status != Document.Status.READY:
        raise Http404(_("The document is not ready."))
    audit_log(actor=request.user, action="document.downloaded", obj=document, details={"kind": document.kind})
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename)


def calendar_url(year: int) -> str:
    return f"{reverse('core:calendar')}?year={year}"


def render_calendar_page(request, year: int, *, import_form=None, status: int = 200):
    """The calendar of `year`; administrators also get the import form (bound, with errors, after a failed import)."""
    months, missing = None, None
    try:
        months = calendar_months(year)
    except ScheduleMissing as exc:
        missing = exc.message
    can_manage = request.user.has_perm("core.change_calendarday")
    context = {
        "year": year,
        "years": scheduled_years(),
        "months": months,
        "missing": missing,
        "days": selectors.calendar_days_of(year),
        "can_manage": can_manage,
        "import_form": (import_form or CalendarImportForm()) if can_manage else None,
        "weekday_names": ["一", "二", "三", "四", "五", "六", "日"],
    }
    return render(request, "core/calendar.html", context, status=status)


@login_required
def calendar_view(request):
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return render_calendar_page(request, year)


@login_required
@permission_required("core.change_calendarday", raise_exception=True)
@require_POST
def calendar_import_view(request):
    form = CalendarImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = calendar_import(text=form.cleaned_data["file"], actor=request.user)
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            years = "、".join(str(y) for y in result.years)
            if result.changed_anything:
                messages.success(
                    request,
                    _("Imported the schedule of %(years)s: %(added)d added, %(changed)d changed, %(removed)d removed.")
                    % {"years": years, "added": result.added, "changed": result.changed, "removed": result.removed},
                )
            else:
                messages.info(request, _("The schedule of %(years)s was already up to date.") % {"years": years})
            return redirect(calendar_url(result.years[0]))
    return render_calendar_page(request, timezone.localdate().year, import_form=form, status=400)


@login_required
def calendar_export_view(request, year: int):
    response = HttpResponse(calendar_export(year), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="calendar-{year}.csv"'
    return response


@login_required
@require_POST
def calendar_pdf_view(request, year: int):
    if year not in scheduled_years():
        messages.error(request, ScheduleMissing(year).message)
        return redirect(calendar_url(year))
    document = document_request(
        kind="calendar_year", params={"year": year}, title=f"{year}年工作日历", actor=request.user
    )
    return redirect("core:document_detail", pk=document.pk)


class AuditEventListView(LoginRequiredMixin, PermissionRequiredMixin, FilteredListView):
    permission_required = "core.view_auditevent"
    # no raise_exception: the anonymous are sent to sign in, the signed-in without the permission get 403
    template_name = "core/audit_list.html"
    results_template_name = "core/partials/audit_results.html"
    filter_form_class = AuditEventFilterForm
    paginate_by = 50
    page_sizes = (50, 100, 200)

    def selector(self):
        return selectors.audit_event_list()

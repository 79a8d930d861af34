"""Forms of the substitute (缺位互补), leave, responsibility and quarterly report pages."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgdept.core.listing import ListFilterForm

from .models import TermMember

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE_WIDGET, **kwargs)


class MemberChoiceField(forms.ModelChoiceField):
    """A standing member, shown by name with role and post: 张三（常委，区委组织部部长）."""

    def label_from_instance(self, member: TermMember) -> str:
        post = member.concurrent_post or member.cadre.current_post
        return f"{member.cadre.name}（{member.title}{'，' + post if post else ''}）"


def member_choices(members: list[TermMember]):
    """A queryset of exactly `members`, kept in their (statutory) order for the select."""
    from django.db.models import Case, IntegerField, When

    order = Case(*[When(pk=m.pk, then=i) for i, m in enumerate(members)], output_field=IntegerField())
    qs = TermMember.objects.filter(pk__in=[m.pk for m in members]).select_related("cadre")
    return qs.annotate(_position=order).order_by("_position") if members else qs


class SubstituteForm(forms.Form):
    substitute = MemberChoiceField(label=_("Substitute"), queryset=TermMember.objects.none())
    effective_from = _date_field(_("In force from"))

    def __init__(self, *args, member: TermMember, candidates: list[TermMember], **kwargs):
        kwargs.setdefault("initial", {}).setdefault("effective_from", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = member_choices([m for m in candidates if m.pk != member.pk])
        self.fields["substitute"].empty_label = _("Choose a standing member")


LEAVE_CURRENT, LEAVE_UPCOMING, LEAVE_PAST, LEAVE_CANCELLED = "current", "upcoming", "past", "cancelled"


class LeaveFilterForm(ListFilterForm):
    search_fields = ("member__cadre__name__icontains", "member__cadre__name_initials__icontains", "reason__icontains")
    state = forms.ChoiceField(
        label=_("Leave state"),
        required=False,
        choices=[
            ("", _("All")),
            (LEAVE_CURRENT, _("On leave today")),
            (LEAVE_UPCOMING, _("Upcoming")),
            (LEAVE_PAST, _("Ended")),
            (LEAVE_CANCELLED, _("Cancelled")),
        ],
    )

    def filter_queryset(self, qs):
        state, today = self.cleaned_data.get("state"), timezone.localdate()
        active = Q(cancelled_at__isnull=True)
        if state == LEAVE_CURRENT:
            qs = qs.filter(active, starts_on__lte=today, ends_on__gte=today)
        elif state == LEAVE_UPCOMING:
            qs = qs.filter(active, starts_on__gt=today)
        elif state == LEAVE_PAST:
            qs = qs.filter(active, ends_on__lt=today)
        elif state == LEAVE_CANCELLED:
            qs = qs.filter(cancelled_at__isnull=False)
        return qs


class LeaveForm(forms.Form):
    member = MemberChoiceField(label=_("Standing member"), queryset=TermMember.objects.none())
    starts_on = _date_field(_("First day of leave"))
    ends_on = _date_field(_("Last day of leave"), help_text=_("The leave includes this day."))
    reason = forms.CharField(
        label=_("Reason for leave"), max_length=200, help_text=_("For example 参加省委党校培训, 出国考察, 病假.")
    )

    def __init__(self, *args, candidates: list[TermMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = member_choices(candidates)
        self.fields["member"].empty_label = _("Choose a standing member")

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "结束日期不能早于开始日期")
        return data


class ResponsibilityForm(forms.Form):
    on = _date_field(_("Day"), required=False)

    def day(self):
        if self.is_valid() and self.cleaned_data.get("on"):
            return self.cleaned_data["on"]
        return timezone.localdate()


QUARTER_CHOICES = [(1, _("First quarter")), (2, _("Second quarter")), (3, _("Third quarter")), (4, _("Fourth quarter"))]


def _year_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, **kwargs)


class ReportFilterForm(forms.Form):
    """The quarter whose reports the list shows: the current one unless chosen."""

    year = _year_field(required=False)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTER_CHOICES, coerce=int, required=False)

    def quarter_shown(self, today) -> tuple[int, int]:
        from .services.absences import quarter_of

        year, quarter = quarter_of(today)
        if self.is_valid():
            year = self.cleaned_data.get("year") or year
            quarter = self.cleaned_data.get("quarter") or quarter
        return year, quarter


class ReportForm(forms.Form):
    member = MemberChoiceField(label=_("Standing member"), queryset=TermMember.objects.none())
    year = _year_field()
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTER_CHOICES, coerce=int)
    reported_on = _date_field(_("Reported on"), help_text=_("The day of the standing committee meeting."))
    summary = forms.CharField(
        label=_("Report summary"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, candidates: list[TermMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = member_choices(candidates)
        self.fields["member"].empty_label = _("Choose a standing member")

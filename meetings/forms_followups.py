"""Forms of the decision and follow-up (督办) pages and of the member portal."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.models import TermMember, WorkArea
from orgdept.core.listing import ListFilterForm

from .models import FollowUp, MeetingType
from .selectors.followups import decision_years, follow_up_members, follow_up_years

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES, NO = "yes", "no"


def _year_choices(years: list[int]) -> list[tuple[str, str]]:
    return [("", _("All years")), *[(str(y), f"{y}年") for y in years]]


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, member: TermMember) -> str:
        return f"{member.cadre.name}（{member.title}）"


class DecisionFilterForm(ListFilterForm):
    search_fields = ("text__icontains", "item__topic__title__icontains", "reconsideration__icontains")
    meeting_type = forms.ModelChoiceField(
        label=_("Meeting type"), required=False, queryset=MeetingType.objects.filter(decides=True)
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    reconsidered = forms.ChoiceField(
        label=_("Reconsidered"),
        required=False,
        choices=[("", _("All")), (YES, _("Reconsidered")), (NO, _("Not reconsidered"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting_type"].empty_label = _("All meeting types")
        self.fields["year"].choices = _year_choices(decision_years())

    def filter_queryset(self, qs):
        data = self.cleaned_data
        if data.get("meeting_type"):
            qs = qs.filter(item__meeting__meeting_type=data["meeting_type"])
        if data.get("year"):
            qs = qs.filter(decided_on__year=data["year"])
        if data.get("reconsidered") == YES:
            qs = qs.filter(reconsidered_on__isnull=False)
        elif data.get("reconsidered") == NO:
            qs = qs.filter(reconsidered_on__isnull=True)
        return qs


class ReconsiderForm(forms.Form):
    votes_for = forms.IntegerField(
        label=_("Votes in favour of reconsidering"),
        min_value=0,
        max_value=999,
        help_text=_("Reconsidering needs more than half of all the body's members, present or not."),
    )
    reason = forms.CharField(
        label=_("Reason for reconsidering"), max_length=200, widget=forms.Textarea(attrs={"rows": 3})
    )


STATUS_OPEN, STATUS_CLOSED = FollowUp.Status.OPEN, FollowUp.Status.CLOSED


class FollowUpFilterForm(ListFilterForm):
    search_fields = (
        "decision__text__icontains",
        "decision__item__topic__title__icontains",
        "member__cadre__name__icontains",
        "area__name__icontains",
    )
    status = forms.ChoiceField(
        label=_("Follow-up state"),
        required=False,
        choices=[("", _("All")), (STATUS_OPEN, _("In progress")), (STATUS_CLOSED, _("Closed"))],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    member = MemberChoiceField(label=_("Responsible member"), required=False, queryset=TermMember.objects.none())
    area = forms.ModelChoiceField(label=_("Work area"), required=False, queryset=WorkArea.objects.all())
    year = forms.TypedChoiceField(label=_("Year decided"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = follow_up_members()
        self.fields["member"].empty_label = _("All members")
        self.fields["area"].empty_label = _("All areas")
        self.fields["year"].choices = _year_choices(follow_up_years())

    def filter_queryset(self, qs):
        data = self.cleaned_data
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("overdue"):
            qs = qs.filter(status=STATUS_OPEN, deadline__lt=timezone.localdate())
        if data.get("member"):
            qs = qs.filter(member=data["member"])
        if data.get("area"):
            qs = qs.filter(area=data["area"])
        if data.get("year"):
            qs = qs.filter(decision__decided_on__year=data["year"])
        return qs


class FollowUpNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Progress note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What has been done to carry out the decision, and what remains."),
    )


class FollowUpCloseForm(forms.Form):
    note = forms.CharField(
        label=_("How the decision was carried out"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowUpDeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Reason for the change"), max_length=200)


class FollowUpReportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year decided"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        years = sorted({today.year, *follow_up_years()}, reverse=True)
        self.fields["year"].choices = [(str(y), f"{y}年") for y in years]

    def year_shown(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return timezone.localdate().year


class LeaveRequestForm(forms.Form):
    """The portal's leave request for one meeting; posted to the meeting's leave page."""

    reason = forms.CharField(label=_("Reason for leave"), max_length=200)
    next = forms.CharField(widget=forms.HiddenInput, required=False)

"""Forms of the work-area catalogue and the portfolio plan (分工) pages."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgdept.core.listing import ListFilterForm

from .models import PortfolioAssignment, PortfolioPlan, TermMember, WorkArea

IN_USE, NOT_IN_USE = "1", "0"
NONE = "none"


class WorkAreaFilterForm(ListFilterForm):
    active = forms.ChoiceField(
        label=_("In use"),
        required=False,
        choices=[("", _("All")), (IN_USE, _("In use")), (NOT_IN_USE, _("Not in use"))],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("", _("Order number")), ("name", _("Area name"))],
    )

    def search(self, qs, text):
        return qs.filter(Q(name__icontains=text) | Q(description__icontains=text))

    def filter_queryset(self, qs):
        data = self.cleaned_data
        if data.get("active") == IN_USE:
            qs = qs.filter(active=True)
        elif data.get("active") == NOT_IN_USE:
            qs = qs.filter(active=False)
        if data.get("sort") == "name":
            qs = qs.order_by("name", "pk")
        return qs


class WorkAreaForm(forms.Form):
    name = forms.CharField(label=_("Name of the area"), max_length=50)
    description = forms.CharField(
        label=_("Scope of work"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the area covers, for example 教育、科技."),
    )
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=32767,
        required=False,
        help_text=_("Areas are listed by this number. Left empty, a new area goes to the end."),
    )
    active = forms.BooleanField(
        label=_("In use"),
        required=False,
        initial=True,
        help_text=_("Every area in use needs exactly one lead standing member before a plan can take effect."),
    )

    def __init__(self, *args, area: WorkArea | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if area is not None:
            self.fields["order"].required = True

    def clean_name(self):
        return self.cleaned_data["name"].strip()


class PlanFilterForm(ListFilterForm):
    search_fields = ("title__icontains", "note__icontains")
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *PortfolioPlan.Status.choices]
    )

    def filter_queryset(self, qs):
        if self.cleaned_data.get("status"):
            qs = qs.filter(status=self.cleaned_data["status"])
        return qs


class PlanForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=100,
        required=False,
        help_text=_("For example 因人事变动调整分工."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PlanCellForm(forms.Form):
    """One cell of the matrix: `member`'s part in `area` — lead, assisting or none."""

    area = forms.ModelChoiceField(queryset=WorkArea.objects.all())
    member = forms.ModelChoiceField(queryset=TermMember.objects.none())
    kind = forms.ChoiceField(choices=[*PortfolioAssignment.Kind.choices, (NONE, _("none"))])

    def __init__(self, *args, plan: PortfolioPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = TermMember.objects.filter(term_id=plan.term_id).select_related("cadre")

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        return None if kind == NONE else kind


class PlanActivateForm(forms.Form):
    effective_from = forms.DateField(
        label=_("In force from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The plan in force that day is superseded from this day on."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"effective_from": timezone.localdate()})
        super().__init__(*args, **kwargs)

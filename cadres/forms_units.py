"""Forms of the units, positions and quotas pages, the team structure page and the rotation watch."""

from __future__ import annotations

from datetime import date

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgdept.core.listing import ListFilterForm

from .models import Position, Rank, Unit
from .selectors import EVERYONE, TEAM


class UnitFilterForm(ListFilterForm):
    kind = forms.ChoiceField(label=_("Unit kind"), required=False, choices=[("", _("All")), *Unit.Kind.choices])

    def search(self, qs, text):
        return qs.filter(Q(name__icontains=text) | Q(short_name__icontains=text))

    def filter_queryset(self, qs):
        if self.cleaned_data.get("kind"):
            qs = qs.filter(kind=self.cleaned_data["kind"])
        return qs


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Unit name"), max_length=100)
    short_name = forms.CharField(label=_("Short name"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("Unit kind"), choices=Unit.Kind.choices)
    parent = forms.ModelChoiceField(
        label=_("Parent unit"), queryset=Unit.objects.all(), required=False, empty_label=_("None")
    )
    order = forms.IntegerField(
        label=_("Order"), min_value=0, initial=0, help_text=_("Units are listed by this number, then by name.")
    )

    def __init__(self, *args, unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        if unit is not None:
            self.fields["parent"].queryset = Unit.objects.exclude(pk=unit.pk)

    def clean_name(self):
        return self.cleaned_data["name"].strip()


class PositionForm(forms.Form):
    title = forms.CharField(label=_("Position title"), max_length=100, help_text=_("For example 局长, 副局长."))
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", "—"), *Rank.choices])
    leading = forms.BooleanField(
        label=_("Leading post"), required=False, initial=True, help_text=_("Leading posts count against the quota.")
    )
    role = forms.ChoiceField(label=_("Head or deputy"), choices=Position.Role.choices, initial=Position.Role.OTHER)
    rotation_kind = forms.ChoiceField(
        label=_("Rotation rule"),
        choices=Position.RotationKind.choices,
        initial=Position.RotationKind.NONE,
        help_text=_("Which rule on years in the same post applies to its holders."),
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0)

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean(self):
        data = super().clean()
        if data.get("leading") and not data.get("level"):
            self.add_error("level", _("A leading post needs a level: the quota counts it by level."))
        return data


class QuotaForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=Rank.choices)
    approved = forms.IntegerField(
        label=_("Approved number"),
        min_value=0,
        max_value=999,
        required=False,
        help_text=_("Leave blank to remove this level's quota."),
    )


class QuotaFilterForm(ListFilterForm):
    kind = forms.ChoiceField(label=_("Unit kind"), required=False, choices=[("", _("All")), *Unit.Kind.choices])
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("All")), *Rank.choices])
    over_only = forms.BooleanField(label=_("Over quota only"), required=False)

    def search(self, qs, text):
        return qs.filter(Q(name__icontains=text) | Q(short_name__icontains=text))

    def filter_queryset(self, qs):
        if self.cleaned_data.get("kind"):
            qs = qs.filter(kind=self.cleaned_data["kind"])
        return qs


SCOPE_CHOICES = [(TEAM, _("Leadership team")), (EVERYONE, _("All cadres"))]


class StructureForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.all(), required=False, empty_label=_("All units")
    )
    scope = forms.ChoiceField(label=_("Whom"), choices=SCOPE_CHOICES, initial=TEAM, required=False)
    on = forms.DateField(
        label=_("Ages on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Today when left blank."),
    )

    def clean_on(self):
        on = self.cleaned_data.get("on")
        if on and not date(1950, 1, 1) <= on <= date(2100, 12, 31):
            raise forms.ValidationError(_("Choose a date between 1950 and 2100."))
        return on

    def params(self) -> dict:
        """The chosen options (defaults filled in); call after is_valid()."""
        data = self.cleaned_data
        return {
            "unit": data.get("unit"),
            "scope": data.get("scope") or TEAM,
            "on_date": data.get("on") or date.today(),
        }


class RotationFilterForm(ListFilterForm):
    kind = forms.ChoiceField(label=_("Kind of post"), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all(), required=False, empty_label=_("All"))

    def __init__(self, *args, kinds: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Position.RotationKind.choices)
        self.fields["kind"].choices = [("", _("All"))] + [
            (kind, f"{labels[kind]}（满{years}年）") for kind, years in (kinds or {}).items()
        ]

    def search(self, qs, text):
        condition = Q(cadre__name__icontains=text)
        if text.isascii() and text.isalpha():
            condition |= Q(cadre__name_initials__startswith=text.lower())
        return qs.filter(condition)

    def filter_queryset(self, qs):
        data = self.cleaned_data
        if data.get("kind"):
            qs = qs.filter(position__rotation_kind=data["kind"])
        if data.get("unit"):
            qs = qs.filter(position__unit=data["unit"])
        return qs

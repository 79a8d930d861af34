"""Cadre list filters."""

from datetime import date

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgdept.core.listing import ListFilterForm

from .models import Cadre, Rank, Unit


class CadreFilterForm(ListFilterForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all(), required=False, empty_label=_("All"))
    rank = forms.ChoiceField(label=_("Rank"), required=False, choices=[("", _("All")), *Rank.choices])
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[("", _("All")), *Cadre.Gender.choices])
    age_min = forms.IntegerField(label=_("Age from"), required=False, min_value=16, max_value=80)
    age_max = forms.IntegerField(label=_("Age to"), required=False, min_value=16, max_value=80)

    def search(self, qs, text):
        text = text.strip()
        condition = Q(name__icontains=text) | Q(id_number__iexact=text)
        if text.isascii() and text.isalpha():
            condition |= Q(name_initials__startswith=text.lower())
        return qs.filter(condition)

    def clean(self):
        data = super().clean()
        if data.get("age_min") and data.get("age_max") and data["age_min"] > data["age_max"]:
            self.add_error("age_max", _("The upper age must not be below the lower age."))
        return data

    def filter_queryset(self, qs):
        data = self.cleaned_data
        if data.get("unit"):
            qs = qs.filter(unit=data["unit"])
        if data.get("rank"):
            qs = qs.filter(rank=data["rank"])
        if data.get("gender"):
            qs = qs.filter(gender=data["gender"])
        today = date.today()
        if data.get("age_min"):
            # at least N years old: born no later than today N years ago
            qs = qs.filter(birth_month__lte=today.replace(year=today.year - data["age_min"], day=1))
        if data.get("age_max"):
            qs = qs.filter(birth_month__gt=today.replace(year=today.year - data["age_max"] - 1, day=1))
        return qs

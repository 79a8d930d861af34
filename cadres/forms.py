"""Cadre list filters and the forms that edit a cadre file, section by section."""

from datetime import date

from django import forms
from django.db.models import Count, Max, Q
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from orgdept.core.forms import YearMonthField
from orgdept.core.listing import ListFilterForm, QuickNumberInput

from .models import Cadre, EducationLevel, FamilyMember, PoliticalStatus, Rank, ResumeLine, RewardPunishment, Unit
from .normalize import clean_name, clean_text


class QuickSelect(forms.Select):
    """A select written in one pass (flat choices only), the same markup as Django's: the list's filters render on
    every page, and rendering each option through the option template made them its slowest part."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = self._options_html()
        for key in self.format_value(value):
            options = options.replace(f'<option value="{escape(key)}">', f'<option value="{escape(key)}" selected>', 1)
        return mark_safe(f"<select{flatatt(final_attrs)}>{options}</select>")  # noqa: S308  (every text is escaped)

    def _options_html(self) -> str:
        return "".join(f'<option value="{escape(k)}">{escape(label)}</option>' for k, label in self.choices)


class UnitSelect(QuickSelect):
    """The select of every unit, kept while the units are unchanged: a province has thousands of units, the same
    for everyone who may open the list."""

    _rendered: dict = {}

    def _options_html(self) -> str:
        field = getattr(self.choices, "field", None)
        if field is None:
            return super()._options_html()
        # any change to a unit (BaseModel stamps updated_at), an added or a removed one changes this version
        version = (
            str(field.empty_label),
            *field.queryset.aggregate(Max("updated_at"), Max("pk"), Count("pk")).values(),
        )
        cached = self._rendered.get("units")
        if cached is None or cached[0] != version:
            head = f'<option value="">{escape(field.empty_label)}</option>' if field.empty_label is not None else ""
            # a unit's label is its name (Unit.__str__): read the two columns, not whole rows
            rows = field.queryset.values_list("pk", "name")
            cached = (version, head + "".join(f'<option value="{pk}">{escape(label)}</option>' for pk, label in rows))
            self._rendered["units"] = cached
        return cached[1]


def _years_before(today: date, years: int) -> date:
    return today.replace(year=today.year - years, day=1)


class CadreFilterForm(ListFilterForm):
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.only("pk", "name"),
        required=False,
        empty_label=_("All"),
        widget=UnitSelect,
    )
    rank = forms.ChoiceField(
        label=_("Rank"), required=False, choices=[("", _("All")), *Rank.choices], widget=QuickSelect
    )
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", _("All")), *Cadre.Gender.choices], widget=QuickSelect
    )
    education = forms.ChoiceField(
        label=_("Education"), required=False, choices=[("", _("All")), *EducationLevel.choices], widget=QuickSelect
    )
    political_status = forms.ChoiceField(
        label=_("Political status"),
        required=False,
        choices=[("", _("All")), *PoliticalStatus.choices],
        widget=QuickSelect,
    )
    age_min = forms.IntegerField(
        label=_("Age from"), required=False, min_value=16, max_value=80, widget=QuickNumberInput
    )
    age_max = forms.IntegerField(label=_("Age to"), required=False, min_value=16, max_value=80, widget=QuickNumberInput)
    years_in_post = forms.IntegerField(
        label=_("Years in post at least"), required=False, min_value=1, max_value=40, widget=QuickNumberInput
    )

    def search(self, qs, text):
        text = clean_text(text)
        name = clean_name(text)
        # Chinese characters have no case: a plain substring match skips upper-casing every name, and a trigram
        # index can serve it. ID numbers are stored upper-cased, so an exact match uses their unique index.
        caseless = name.upper() == name.lower()
        condition = Q(name__contains=name) if caseless else Q(name__icontains=name)
        condition |= Q(id_number=text.upper())
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
        for field in ("unit", "rank", "gender", "education", "political_status"):
            if data.get(field):
                qs = qs.filter(**{field: data[field]})
        today = date.today()
        if data.get("age_min"):
            # at least N years old: born no later than today N years ago
            qs = qs.filter(birth_month__lte=_years_before(today, data["age_min"]))
        if data.get("age_max"):
            qs = qs.filter(birth_month__gt=_years_before(today, data["age_max"] + 1))
        if data.get("years_in_post"):
            qs = qs.filter(post_since_month__lte=_years_before(today, data["years_in_post"]))
        return qs


class VersionedForm(forms.Form):
    """Carries the version of the file the editor started from, so a stale save is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class CadreForm(VersionedForm):
    name = forms.CharField(label=_("Full name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"), max_length=25, help_text=_("18 characters; gender and date of birth follow from it.")
    )
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", _("From the ID number")), *Cadre.Gender.choices]
    )
    birth_month = YearMonthField(label=_("Date of birth (year-month)"), required=False)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, initial="汉族")
    native_place = forms.CharField(label=_("Native place"), max_length=50, required=False)
    birthplace = forms.CharField(label=_("Birthplace"), max_length=50, required=False)
    political_status = forms.ChoiceField(label=_("Political status"), choices=PoliticalStatus.choices)
    party_joined_month = YearMonthField(label=_("Joined the Party (year-month)"), required=False)
    work_started_month = YearMonthField(label=_("Started work (year-month)"), required=False)
    health = forms.CharField(label=_("Health"), max_length=20, required=False, initial="健康")
    professional_title = forms.CharField(label=_("Professional title"), max_length=50, required=False)
    expertise = forms.CharField(label=_("Expertise"), max_length=100, required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all())
    current_post = forms.CharField(label=_("Current post"), max_length=200, required=False)
    rank = forms.ChoiceField(label=_("Rank"), required=False, choices=[("", "—"), *Rank.choices])
    post_since_month = YearMonthField(label=_("In current post since (year-month)"), required=False)
    rank_since_month = YearMonthField(label=_("At current rank since (year-month)"), required=False)
    grassroots_months = forms.IntegerField(
        label=_("Grassroots experience (months)"),
        required=False,
        min_value=0,
        max_value=600,
        help_text=_(
            "Months worked in county-level or lower bodies, townships, villages and communities or enterprises; "
            "promotion to a county-level leading post needs 24."
        ),
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    remarks = forms.CharField(
        label=_("Remarks"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["version"].required = False

    def cadre_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class EducationForm(VersionedForm):
    full_time_education = forms.CharField(label=_("Full-time: education"), max_length=30, required=False)
    full_time_degree = forms.CharField(label=_("Full-time: degree"), max_length=30, required=False)
    full_time_school_major = forms.CharField(
        label=_("Full-time: school, department and major"), max_length=200, required=False
    )
    in_service_education = forms.CharField(label=_("In-service: education"), max_length=30, required=False)
    in_service_degree = forms.CharField(label=_("In-service: degree"), max_length=30, required=False)
    in_service_school_major = forms.CharField(
        label=_("In-service: school, department and major"), max_length=200, required=False
    )


class ResumeLineForm(forms.ModelForm):
    start_month = YearMonthField(label=_("From"))
    end_month = YearMonthField(label=_("To"), required=False, help_text=_("Blank while current."))

    class Meta:
        model = ResumeLine
        fields = ("start_month", "end_month", "description")

    def clean(self):
        data = super().clean()
        if data.get("start_month") and data.get("end_month") and data["end_month"] < data["start_month"]:
            self.add_error("end_month", _("The end must not be before the start."))
        return data


class RewardPunishmentForm(forms.ModelForm):
    month = YearMonthField(label=_("Date"), required=False)

    class Meta:
        model = RewardPunishment
        fields = ("kind", "month", "description")


class FamilyMemberForm(forms.ModelForm):
    birth_month = YearMonthField(label=_("Born"), required=False)

    class Meta:
        model = FamilyMember
        fields = ("relation", "name", "birth_month", "political_status", "work_and_post")


def section_formset(form_class, *, extra=2):
    return forms.formset_factory(form_class, extra=extra, can_delete=True)


class PhotoForm(forms.Form):
    photo = forms.ImageField(label=_("Photo"), required=False, help_text=_("JPG or PNG, at most 5 MB."))
    remove = forms.BooleanField(label=_("Remove the photo"), required=False)

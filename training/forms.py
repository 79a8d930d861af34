"""Forms of the training pages: they read what was typed; the services in training.services check the rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import COUNTY_LEVEL_RANKS, Rank, Unit
from orgdept.core.listing import ListFilterForm

from .models import CreditEntry, TrainingClass, TrainingPlan

REASON_MAX = 300
HOURS_MAX_DIGITS = 5


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def today() -> date:
    return timezone.localdate()


def this_year() -> int:
    return timezone.localdate().year


def hours_field(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=HOURS_MAX_DIGITS,
        decimal_places=1,
        min_value=Decimal("0.1"),
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "inputmode": "decimal"}),
        **kwargs,
    )


def reason_field(label, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label, max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}), help_text=help_text
    )


# how the pages name the states (the models' own labels share msgids with other apps' words)
PLAN_STATUS_LABELS = {
    TrainingPlan.Status.DRAFT: _("Draft plan"),
    TrainingPlan.Status.SUBMITTED: _("Awaiting approval"),
    TrainingPlan.Status.APPROVED: _("Plan approved"),
}
ENROLMENT_STATUS_LABELS = {
    "enrolled": _("Called up"),
    "withdrawn": _("Withdrawn from class"),
    "completed": _("Completed the class"),
    "not_completed": _("Did not complete"),
}
CREDIT_SOURCE_LABELS = {
    CreditEntry.Source.CLASS: _("Training class"),
    CreditEntry.Source.ONLINE: _("online study"),
    CreditEntry.Source.EXTERNAL: _("external training"),
    CreditEntry.Source.IMPORTED: _("Imported credit"),
}


def plan_status_choices() -> list[tuple[str, str]]:
    return list(PLAN_STATUS_LABELS.items())


def year_choices(blank) -> list[tuple[str, str]]:
    """The years that have a plan, and this year, newest first."""
    years = set(TrainingPlan.objects.values_list("year", flat=True).distinct()) | {this_year()}
    return [("", blank), *((str(y), str(y)) for y in sorted(years, reverse=True))]


class ActionForm(forms.Form):
    """A button that carries no field (submit, approve, close): a service's refusal is shown above it."""


# --- plans --------------------------------------------------------------------------------------------------------


class PlanFilterForm(ListFilterForm):
    search_fields = ("title__icontains", "notes__icontains")
    year = forms.ChoiceField(label=_("Plan year"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *plan_status_choices()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices(_("All"))
        self.fields["q"].widget.attrs["placeholder"] = _("Plan title")

    def filter_queryset(self, qs):
        data = self.cleaned_data
        if data.get("year"):
            qs = qs.filter(year=int(data["year"]))
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        return qs


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("Plan year"), min_value=2000, max_value=2100, initial=this_year)
    title = forms.CharField(label=_("Plan title"), max_length=200, help_text=_("For example 2026年度干部教育培训计划."))
    notes = forms.CharField(label=_("Plan notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # the year of a plan stays; its classes were dated by it
            del self.fields["year"]


class ReturnForm(forms.Form):
    reason = reason_field(_("Reason for returning"), _("What the section should change before submitting again."))


# --- classes ------------------------------------------------------------------------------------------------------


class ClassForm(forms.Form):
    name = forms.CharField(label=_("Class name"), max_length=200)
    category = forms.ChoiceField(
        label=_("Class category"), choices=[("", "---------"), *TrainingClass.Category.choices]
    )
    organiser = forms.CharField(label=_("Organiser"), max_length=100, help_text=_("For example 区委党校."))
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    place = forms.CharField(label=_("Place of training"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=10000)
    target_ranks = forms.MultipleChoiceField(
        label=_("Target ranks"),
        required=False,
        choices=Rank.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for a class open to every rank."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The class cannot end before it starts."))
        return data

    @staticmethod
    def initial_of(training_class: TrainingClass) -> dict:
        return {
            name: getattr(training_class, name)
            for name in (
                "name",
                "category",
                "organiser",
                "start_date",
                "end_date",
                "place",
                "capacity",
                "target_ranks",
            )
        }


class ClassFilterForm(ListFilterForm):
    UPCOMING, RUNNING, ENDED, CLOSED = "upcoming", "running", "ended", "closed"
    search_fields = ("name__icontains", "organiser__icontains")

    year = forms.ChoiceField(label=_("Plan year"), required=False)
    category = forms.ChoiceField(
        label=_("Class category"), required=False, choices=[("", _("All")), *TrainingClass.Category.choices]
    )
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            (UPCOMING, _("Not started")),
            (RUNNING, _("Running")),
            (ENDED, _("Ended, not closed")),
            (CLOSED, _("Class closed")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices(_("All"))
        self.fields["q"].widget.attrs["placeholder"] = _("Class name or organiser")

    def filter_queryset(self, qs):
        data = self.cleaned_data
        if data.get("year"):
            qs = qs.filter(plan__year=int(data["year"]))
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        state, day = data.get("state"), today()
        if state == self.CLOSED:
            qs = qs.filter(closed_at__isnull=False)
        elif state:
            qs = qs.filter(closed_at__isnull=True)
            if state == self.UPCOMING:
                qs = qs.filter(start_date__gt=day)
            elif state == self.RUNNING:
                qs = qs.filter(start_date__lte=day, end_date__gte=day)
            else:
                qs = qs.filter(end_date__lt=day)
        return qs


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Session date"), widget=DateInput())
    topic = forms.CharField(label=_("Course content"), max_length=200)
    hours = hours_field(_("Hours"))


# --- call-up (调训) -------------------------------------------------------------------------------------------------


class CandidateFilterForm(forms.Form):
    """What the call-up page lists: cadres by name or pinyin initials, unit and rank (GET)."""

    q = forms.CharField(label=_("Name or pinyin initials"), required=False, max_length=100)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.order_by("order", "name"), required=False, empty_label=_("All")
    )
    rank = forms.ChoiceField(label=_("Rank"), required=False, choices=[("", _("All")), *Rank.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})

    def chosen(self) -> bool:
        """Whether anything was asked for (the page lists nobody until then)."""
        if not self.is_bound or not self.is_valid():
            return False
        return any(self.cleaned_data.get(name) for name in ("q", "unit", "rank"))


class CallUpForm(forms.Form):
    cadres = forms.ModelMultipleChoiceField(
        label=_("Cadres to call up"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one cadre.")},
    )
    overlap_reason = forms.CharField(
        label=_("Reason for calling up despite an overlap"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when a cadre is already in a class on overlapping dates; the reason is kept and audited."),
    )

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadres"].queryset = cadres


class WithdrawForm(forms.Form):
    reason = reason_field(_("Reason for withdrawal"), _("For example 因公务不能参训."))


# --- attendance ---------------------------------------------------------------------------------------------------


class AttendanceForm(forms.Form):
    """One row per active enrolment: present or absent (present unless recorded otherwise) and a note."""

    PRESENT, ABSENT = "1", "0"

    def __init__(self, *args, enrolments, recorded: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolments = list(enrolments)
        for enrolment in self.enrolments:
            record = recorded.get(enrolment.pk)
            self.fields[f"present_{enrolment.pk}"] = forms.ChoiceField(
                label=enrolment.cadre.name,
                choices=[(self.PRESENT, _("Attended")), (self.ABSENT, _("Absent from the session"))],
                widget=forms.RadioSelect,
                initial=self.ABSENT if record is not None and not record.present else self.PRESENT,
            )
            self.fields[f"note_{enrolment.pk}"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=200,
                initial=record.note if record is not None else "",
            )

    def rows(self):
        """(enrolment, presence field, note field) per row, for the grid."""
        return [(e, self[f"present_{e.pk}"], self[f"note_{e.pk}"]) for e in self.enrolments]

    def presence(self) -> dict[int, bool]:
        return {e.pk: self.cleaned_data[f"present_{e.pk}"] == self.PRESENT for e in self.enrolments}

    def notes(self) -> dict[int, str]:
        return {e.pk: self.cleaned_data[f"note_{e.pk}"].strip() for e in self.enrolments}


# --- credit hours -------------------------------------------------------------------------------------------------

# evidence files are kept as they come: a PDF, or a photo or scan of a certificate
EVIDENCE_SIGNATURES = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"))


class CreditForm(forms.Form):
    """Hours studied online or at another organiser's class, with the certificate as evidence."""

    source = forms.ChoiceField(
        label=_("Source"),
        choices=[(key, CREDIT_SOURCE_LABELS[key]) for key in (CreditEntry.Source.ONLINE, CreditEntry.Source.EXTERNAL)],
        widget=forms.RadioSelect,
        initial=CreditEntry.Source.ONLINE,
    )
    title = forms.CharField(label=_("Class or course"), max_length=200)
    organiser = forms.CharField(label=_("Organiser"), max_length=100, required=False)
    hours = hours_field(_("Hours"))
    earned_on = forms.DateField(label=_("Date earned"), widget=DateInput(), initial=today)
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_("The certificate or record of study: a PDF or an image (PNG, JPEG)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        limit = settings.ORGDEPT_MATERIAL_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large (at most %(mb)s MB).") % {"mb": round(limit / (1024 * 1024), 1)}
            )
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(signature) for signature, _kind in EVIDENCE_SIGNATURES):
            raise forms.ValidationError(_("The evidence must be a PDF or an image (PNG, JPEG)."))
        return upload


# --- the shortfall dashboard and the credit import -----------------------------------------------------------------


class ShortfallFilterForm(forms.Form):
    COUNTY, TOWNSHIP = "county", "township"

    on = forms.DateField(label=_("On"), required=False, widget=DateInput(), initial=today)
    group = forms.ChoiceField(
        label=_("Rank group"),
        required=False,
        choices=[
            ("", _("All")),
            (COUNTY, _("County level and above")),
            (TOWNSHIP, _("Township level and below")),
        ],
    )

    def day(self) -> date:
        return (self.cleaned_data.get("on") if self.is_bound and self.is_valid() else None) or today()

    def group_value(self) -> str:
        return self.cleaned_data.get("group", "") if self.is_bound and self.is_valid() else ""

    @classmethod
    def rank_condition(cls, group: str) -> Q | None:
        """The cadres of a rank group (cadres without a rank have no requirement and are never counted)."""
        if group == cls.COUNTY:
            return Q(rank__in=COUNTY_LEVEL_RANKS)
        if group == cls.TOWNSHIP:
            return ~Q(rank__in=COUNTY_LEVEL_RANKS) & ~Q(rank="")
        return None


class CreditImportForm(forms.Form):
    file = forms.FileField(
        label=_("Credit-hour file"),
        help_text=_(
            "An .xlsx workbook (first sheet) or a .csv file in UTF-8 or GBK; the header must be the first row."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

"""Forms of the appointment procedure's pages: the work queue's filters, rounds, 动议, each step's record, the
documents. The services check the rules; these read what was typed."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgdept.core.listing import ListFilterForm

from .models import (
    AppointmentProposal,
    Cadre,
    MandatoryCheck,
    Position,
    ProposalDocument,
    ProposalRound,
    Recommendation,
    Unit,
)
from .normalize import clean_name, clean_text

Status = AppointmentProposal.Status
TEXT_MAX = 5000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def today():
    return timezone.localdate()


def cadre_search(cadres, text: str):
    """Cadres matching a name, pinyin initials or an ID number, as the cadre list searches."""
    text = clean_text(text)
    condition = Q(name__icontains=clean_name(text)) | Q(id_number__iexact=text.upper())
    if text.isascii() and text.isalpha():
        condition |= Q(name_initials__startswith=text.lower())
    return cadres.filter(condition)


class ProposalFilterForm(ListFilterForm):
    """The work queue's filters; the stage and the stalled flag are applied by the view (it counts the tabs and
    knows the calendar)."""

    IN_PROGRESS = ""
    ALL = "all"

    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[(IN_PROGRESS, _("In progress")), (ALL, _("All")), *Status.choices],
    )
    round = forms.ModelChoiceField(
        label=_("Round"), queryset=ProposalRound.objects.all(), required=False, empty_label=_("All")
    )
    unit = forms.ModelChoiceField(
        label=_("Unit of the post"), queryset=Unit.objects.all(), required=False, empty_label=_("All")
    )
    stalled = forms.BooleanField(label=_("Stalled only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name or pinyin initials")

    def search(self, qs, text):
        text = clean_text(text)
        condition = Q(cadre__name__icontains=clean_name(text)) | Q(cadre__id_number__iexact=text.upper())
        if text.isascii() and text.isalpha():
            condition |= Q(cadre__name_initials__startswith=text.lower())
        return qs.filter(condition)

    def filter_queryset(self, qs):
        data = self.cleaned_data
        if data.get("round"):
            qs = qs.filter(round=data["round"])
        if data.get("unit"):
            qs = qs.filter(Q(target_position__unit=data["unit"]) | Q(current_position__unit=data["unit"]))
        return qs


class RoundFilterForm(ListFilterForm):
    search_fields = ("title__icontains", "note__icontains")


class RecommendationFilterForm(ListFilterForm):
    kind = forms.ChoiceField(
        label=_("Form of recommendation"), required=False, choices=[("", _("All")), *Recommendation.Kind.choices]
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all(), required=False, empty_label=_("All"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Post or candidate")

    def search(self, qs, text):
        text = clean_text(text)
        named = Recommendation.objects.filter(candidates__cadre__name__icontains=clean_name(text)).values("pk")
        return qs.filter(Q(position__title__icontains=text) | Q(position__unit__name__icontains=text) | Q(pk__in=named))

    def filter_queryset(self, qs):
        data = self.cleaned_data
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("unit"):
            qs = qs.filter(position__unit=data["unit"])
        return qs


class RoundForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("For example 2026年第3批干部任免."), strip=True
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


def position_choices(unit: Unit | None) -> list:
    """The posts of `unit`, or of every unit grouped by unit when none is chosen (so the form works without
    scripts)."""
    positions = Position.objects.select_related("unit").order_by("unit__order", "unit__name", "order", "title", "pk")
    if unit is not None:
        return [("", "---------"), *((p.pk, _position_label(p)) for p in positions.filter(unit=unit))]
    groups: dict[int, tuple[str, list]] = {}
    for position in positions:
        groups.setdefault(position.unit_id, (position.unit.name, []))[1].append(
            (position.pk, _position_label(position))
        )
    return [("", "---------"), *groups.values()]


def _position_label(position: Position) -> str:
    return f"{position.title}（{position.level}）" if position.level else position.title


class UnitPositionMixin:
    """Pairs of a unit select and a post select: the posts offered are those of the unit chosen."""

    position_pairs: tuple[tuple[str, str], ...] = ()

    def chosen_unit(self, unit_field: str) -> Unit | None:
        raw = self.data.get(self.add_prefix(unit_field)) if self.is_bound else self.initial.get(unit_field)
        if isinstance(raw, Unit):
            return raw
        try:
            return Unit.objects.filter(pk=int(raw)).first() if raw not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def set_position_choices(self) -> None:
        for unit_field, position_field in self.position_pairs:
            self.fields[position_field].choices = position_choices(self.chosen_unit(unit_field))

    def clean_pairs(self, data: dict) -> None:
        for unit_field, position_field in self.position_pairs:
            unit, position = data.get(unit_field), data.get(position_field)
            if unit is not None and position is not None and position.unit_id != unit.pk:
                self.add_error(position_field, _("This post is not in the unit chosen."))


class ProposalForm(UnitPositionMixin, forms.Form):
    """动议: the cadre, the action, the post proposed and the post left, who proposed it, when and why."""

    position_pairs = (("target_unit", "target_position"), ("current_unit", "current_position"))

    cadre_search = forms.CharField(
        label=_("Cadre"),
        max_length=100,
        help_text=_("Type a name, pinyin initials or the ID number and pick the cadre from the suggestions."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    cadre = forms.IntegerField(required=False, widget=forms.HiddenInput)
    action = forms.ChoiceField(
        label=_("Kind of action"), choices=[("", "---------"), *AppointmentProposal.Action.choices]
    )
    target_unit = forms.ModelChoiceField(
        label=_("Unit of the post proposed"), queryset=Unit.objects.all(), required=False
    )
    target_position = forms.ModelChoiceField(
        label=_("Post proposed"), queryset=Position.objects.select_related("unit"), required=False
    )
    current_unit = forms.ModelChoiceField(
        label=_("Unit of the post to leave"), queryset=Unit.objects.all(), required=False
    )
    current_position = forms.ModelChoiceField(
        label=_("Post to leave"),
        queryset=Position.objects.select_related("unit"),
        required=False,
        help_text=_("The post held now, for a removal or an appointment that moves the cadre."),
    )
    initiated_on = forms.DateField(label=_("Initiated on"), initial=today, widget=DateInput())
    initiated_by = forms.CharField(
        label=_("Proposed by"), max_length=100, help_text=_("Who raised it: the secretary, the department, a unit.")
    )
    reason = forms.CharField(
        label=_("Reason for the proposal"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cadres = cadres  # the cadres the user may pick from
        self.set_position_choices()

    def clean(self):
        data = super().clean()
        self.clean_pairs(data)
        if self.cadres is None or "cadre_search" not in data:
            return data
        picked = data.get("cadre")
        if picked:
            cadre = self.cadres.filter(pk=picked).first()
        else:
            matches = list(cadre_search(self.cadres, data["cadre_search"])[:2])
            if len(matches) > 1:
                self.add_error("cadre_search", _("Several cadres match: pick one from the suggestions."))
                return data
            cadre = matches[0] if matches else None
        if cadre is None:
            self.add_error("cadre_search", _("No cadre found: check the name or ID number."))
        data["cadre"] = cadre
        return data

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "cadre": data["cadre"],
            "action": data["action"],
            "target_position": data.get("target_position"),
            "current_position": data.get("current_position"),
            "initiated_on": data["initiated_on"],
            "initiated_by": data["initiated_by"],
            "reason": data["reason"],
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class RecommendationChoiceField(forms.ModelChoiceField):
    widget = forms.RadioSelect

    def label_from_instance(self, row: Recommendation) -> str:
        text = _("%(day)s %(kind)s: %(votes)s of %(n)s votes, valid until %(until)s") % {
            "day": f"{row.held_on:%Y.%m.%d}",
            "kind": row.get_kind_display(),
            "votes": getattr(row, "cadre_votes", "—"),
            "n": row.participants,
            "until": f"{row.expires_on:%Y.%m.%d}" if hasattr(row, "expires_on") else "",
        }
        if hasattr(row, "expires_on") and row.expires_on < timezone.localdate():
            text += str(_(" (expired)"))
        return text


class RecommendationPickForm(forms.Form):
    """民主推荐: the recommendation whose result the proposal relies on, among those naming the cadre for the post."""

    recommendation = RecommendationChoiceField(label=_("Recommendation"), queryset=Recommendation.objects.none())

    def __init__(self, *args, recommendations=(), **kwargs):
        super().__init__(*args, **kwargs)
        rows = list(recommendations)
        field = self.fields["recommendation"]
        field.queryset = Recommendation.objects.filter(pk__in=[r.pk for r in rows])
        field.choices = [(r.pk, field.label_from_instance(r)) for r in rows]
        if len(rows) == 1 and not self.is_bound:
            self.initial["recommendation"] = rows[0].pk


class RecommendationForm(UnitPositionMixin, forms.Form):
    """民主推荐 for one post: its form, the posts filled, the day, the participants; the candidates are a formset."""

    position_pairs = (("unit", "position"),)

    kind = forms.ChoiceField(label=_("Form of recommendation"), choices=Recommendation.Kind.choices)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all(), required=False)
    position = forms.ModelChoiceField(label=_("Post"), queryset=Position.objects.select_related("unit"))
    posts = forms.IntegerField(label=_("Posts to fill"), min_value=1, max_value=99, initial=1)
    held_on = forms.DateField(label=_("Recommended on"), widget=DateInput())
    participants = forms.IntegerField(label=_("Participants"), min_value=1, max_value=100000)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_position_choices()

    def clean(self):
        data = super().clean()
        self.clean_pairs(data)
        return data


class CandidateForm(forms.Form):
    cadre = forms.CharField(
        label=_("Candidate"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("Name or ID number")}),
    )
    votes = forms.IntegerField(label=_("Votes"), min_value=0, max_value=100000, required=False)

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cadres = cadres

    def clean(self):
        data = super().clean()
        text = (data.get("cadre") or "").strip()
        if not text:
            if data.get("votes") is not None:
                self.add_error("cadre", _("Name the candidate these votes are for."))
            data["found"] = None
            return data
        if data.get("votes") is None:
            self.add_error("votes", _("Enter the votes of this candidate."))
        matches = list(cadre_search(self.cadres, text).select_related("unit")[:2]) if self.cadres is not None else []
        exact = [c for c in matches if c.name == clean_name(text)]
        if len(exact) == 1:
            matches = exact
        if not matches:
            self.add_error("cadre", _("No cadre found: check the name or ID number."))
        elif len(matches) > 1:
            self.add_error("cadre", _("Several cadres match: type the ID number."))
        data["found"] = matches[0] if len(matches) == 1 else None
        return data


class BaseCandidateFormSet(forms.BaseFormSet):
    def candidates(self) -> list[tuple[Cadre, int]]:
        return [(f.cleaned_data["found"], f.cleaned_data["votes"]) for f in self.forms if f.cleaned_data.get("found")]


CandidateFormSet = forms.formset_factory(CandidateForm, formset=BaseCandidateFormSet, extra=0, max_num=50)


class InspectionForm(forms.Form):
    team = forms.CharField(
        label=_("Inspection team"), max_length=200, help_text=_("The team and its leader, as in the report.")
    )
    started_on = forms.DateField(label=_("Inspection started on"), widget=DateInput())
    ended_on = forms.DateField(label=_("Inspection ended on"), widget=DateInput())
    report = forms.CharField(label=_("Report"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    conclusion = forms.CharField(label=_("Conclusion"), max_length=300)


class MandatoryCheckForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput())
    done_by = forms.CharField(label=_("Done by"), max_length=100)
    result = forms.CharField(label=_("Result"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    clear = forms.BooleanField(label=_("No problem found"), required=False, initial=True)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, prefix=f"check-{kind}", **kwargs)
        self.kind = kind
        self.label = MandatoryCheck.Kind(kind).label


class ExceptionalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the exception"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    approved_on = forms.DateField(
        label=_("Approved by the higher department on"),
        required=False,
        widget=DateInput(),
        help_text=_("Blank until the higher organization department has agreed."),
    )
    approval_ref = forms.CharField(label=_("Approval reference"), max_length=100, required=False)


class SubmitForm(forms.Form):
    """Putting a proposal before the committee asks nothing: the gate says whether it may go."""


class NoticeStartForm(forms.Form):
    starts_on = forms.DateField(label=_("Notice from"), initial=today, widget=DateInput())


class NoticeExemptForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Ground for no notice"),
        choices=AppointmentProposal.NoticeExemption.choices,
        widget=forms.RadioSelect,
        help_text=_("The regulations exempt only special posts and candidates already put to notice at the election."),
    )
    reason = forms.CharField(
        label=_("Particulars"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a special post, its basis; for the election, when and where the notice was published."),
    )


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), initial=today, widget=DateInput())
    source = forms.CharField(
        label=_("Reported by"), max_length=100, required=False, help_text=_("Blank when anonymous.")
    )
    content = forms.CharField(label=_("Content"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class ObjectionResolveForm(forms.Form):
    UPHELD, NOT_UPHELD = "upheld", "not_upheld"

    resolved_on = forms.DateField(label=_("Resolved on"), initial=today, widget=DateInput())
    resolution = forms.CharField(label=_("Resolution"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        widget=forms.RadioSelect,
        choices=[
            (NOT_UPHELD, _("Not upheld: the appointment may go ahead")),
            (UPHELD, _("Upheld: the proposal is withdrawn")),
        ],
    )

    def __init__(self, *args, objection=None, **kwargs):
        super().__init__(*args, prefix=f"objection-{objection.pk}" if objection else "objection", **kwargs)
        self.objection = objection


class AppointForm(forms.Form):
    appointed_on = forms.DateField(label=_("Appointed on"), initial=today, widget=DateInput())


class ProbationCloseForm(forms.Form):
    CONFIRMED, RETURNED = "confirmed", "returned"

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        widget=forms.RadioSelect,
        choices=[(CONFIRMED, _("Confirmed in the post")), (RETURNED, _("Returned to the former level"))],
    )
    closed_on = forms.DateField(label=_("Date"), initial=today, widget=DateInput())
    reason = forms.CharField(
        label=_("Assessment during probation"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class DocumentForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=ProposalDocument.Step.choices)
    file = forms.FileField(
        label=_("PDF file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

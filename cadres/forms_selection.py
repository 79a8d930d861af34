"""Forms of the reserve-cadre pool (后备干部) and competitive selection (竞争上岗) pages. They read what was typed;
the services in cadres.services.reserve and cadres.services.selection check the rules."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgdept.core.listing import ListFilterForm

from .models import LEADING_RANKS, Cadre, Position, SelectionApplicant, Unit
from .normalize import clean_name, clean_text

REASON_MAX = 300
PICK_HELP = _("Type a name, pinyin initials or the ID number and pick the cadre from the suggestions.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def today():
    return timezone.localdate()


def cadre_search(cadres, text: str):
    """Cadres matching a name, pinyin initials or an ID number, as the cadre list searches."""
    text = clean_text(text)
    if not text:
        return cadres.none()
    condition = Q(name__icontains=clean_name(text)) | Q(id_number__iexact=text.upper())
    if text.isascii() and text.isalpha():
        condition |= Q(name_initials__startswith=text.lower())
    return cadres.filter(condition)


def _level_choices(blank):
    return [("", blank), *((level, level) for level in LEADING_RANKS)]


# --- picking a cadre by search --------------------------------------------------------------------------------


class CadrePickForm(forms.Form):
    """A search box whose suggestions are radios named `cadre` inside the form (no script needed); a search that
    matches exactly one cadre picks that one."""

    cadre_search = forms.CharField(
        label=_("Cadre"),
        max_length=100,
        help_text=PICK_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    cadre = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cadres = cadres  # the cadres the user may pick from (a queryset)

    def clean(self):
        data = super().clean()
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
        data["cadre"] = self.picked_cadre = cadre
        return data

    picked_cadre: Cadre | None = None

    def picked(self) -> Cadre | None:
        """The cadre picked, to keep its radio checked when the page comes back with errors (a service's refusal
        naming the cadre takes it out of cleaned_data)."""
        return self.picked_cadre


# --- 后备干部 ------------------------------------------------------------------------------------------------------


class ReserveFilterForm(ListFilterForm):
    ACTIVE, REMOVED, ALL = "", "removed", "all"
    STATES = {ACTIVE: True, REMOVED: False, ALL: None}

    level = forms.ChoiceField(label=_("Level reserved for"), required=False, choices=_level_choices(_("All")))
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.order_by("order", "name"), required=False, empty_label=_("All")
    )
    state = forms.ChoiceField(
        label=_("Pool status"),
        required=False,
        choices=[(ACTIVE, _("In the pool")), (REMOVED, _("Removed")), (ALL, _("All"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name or pinyin initials")

    def selector_arguments(self) -> dict:
        """What cadres.selectors.reserve_list is asked for: the pool as it stands now when nothing is chosen."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "level": data.get("level") or None,
            "unit": data.get("unit"),
            "active": self.STATES.get(data.get("state") or self.ACTIVE, True),
            "search": clean_text(data.get("q") or ""),
        }


class ReserveAddForm(CadrePickForm):
    target_level = forms.ChoiceField(label=_("Level reserved for"), choices=_level_choices("---------"))
    added_on = forms.DateField(label=_("Added on"), initial=today, widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the recommendation it follows: 2026年度科级后备干部民主推荐."),
    )


class ReserveRemoveForm(forms.Form):
    removed_on = forms.DateField(label=_("Removed on"), initial=today, widget=DateInput())
    reason = forms.CharField(
        label=_("Reason for removal"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Promoted, no longer suitable, retired …"),
    )


# --- 竞争上岗 ------------------------------------------------------------------------------------------------------


def _position_label(position: Position) -> str:
    return f"{position.title}（{position.level}）" if position.level else position.title


def position_choices(unit: Unit | None) -> list:
    """The posts of `unit`, or of every unit grouped by unit when none is chosen (the form works without
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


class SelectionFilterForm(ListFilterForm):
    OPEN, CLOSED = "open", "closed"

    search_fields = ("title__icontains", "position__title__icontains", "position__unit__name__icontains")
    state = forms.ChoiceField(
        label=_("Progress"),
        required=False,
        choices=[("", _("All")), (OPEN, _("Under way")), (CLOSED, _("Winners fixed"))],
    )
    unit = forms.ModelChoiceField(
        label=_("Unit of the post"),
        queryset=Unit.objects.order_by("order", "name"),
        required=False,
        empty_label=_("All"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Title or post")

    def filter_queryset(self, qs):
        data = self.cleaned_data
        if data.get("state") == self.OPEN:
            qs = qs.filter(closed_at__isnull=True)
        elif data.get("state") == self.CLOSED:
            qs = qs.filter(closed_at__isnull=False)
        if data.get("unit"):
            qs = qs.filter(position__unit=data["unit"])
        return qs


WEIGHT_FIELDS = ("weight_speech", "weight_written", "weight_evaluation")


class SelectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("For example 区委组织部干部科科长竞争上岗."))
    unit = forms.ModelChoiceField(
        label=_("Unit of the post"),
        queryset=Unit.objects.order_by("order", "name"),
        required=False,
        help_text=_("Choose the unit to list its posts only."),
    )
    position = forms.ModelChoiceField(label=_("Post"), queryset=Position.objects.select_related("unit"))
    posts = forms.IntegerField(
        label=_("Number of posts"),
        initial=1,
        min_value=1,
        max_value=99,
        help_text=_("The applicants must outnumber the posts."),
    )
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    weight_speech = forms.IntegerField(label=_("Speech"), initial=30)
    weight_written = forms.IntegerField(label=_("Written test"), initial=40)
    weight_evaluation = forms.IntegerField(label=_("Democratic evaluation"), initial=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = position_choices(self.chosen_unit())
        for name in WEIGHT_FIELDS:
            self.fields[name].widget.attrs.update({"class": "weight", "inputmode": "numeric", "size": "4"})

    def chosen_unit(self) -> Unit | None:
        raw = self.data.get(self.add_prefix("unit")) if self.is_bound else self.initial.get("unit")
        if isinstance(raw, Unit):
            return raw
        try:
            return Unit.objects.filter(pk=int(raw)).first() if raw not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def weights_total(self) -> int | None:
        """The sum of the three weights as typed (None while one is not a whole number), shown beside them."""
        total = 0
        for name in WEIGHT_FIELDS:
            raw = self[name].value()
            try:
                total += int(str(raw).strip())
            except (TypeError, ValueError):
                return None
        return total

    def clean(self):
        data = super().clean()
        unit, position = data.get("unit"), data.get("position")
        if unit is not None and position is not None and position.unit_id != unit.pk:
            self.add_error("position", _("This post is not in the unit chosen."))
        return data

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("title", "position", "posts", "held_on", *WEIGHT_FIELDS)}


def _score_field(label):
    message = _("Enter a score from 0 to 100.")
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        localize=False,
        error_messages={
            "invalid": message,
            "min_value": message,
            "max_value": message,
            "max_digits": message,
            "max_whole_digits": message,
            "max_decimal_places": _("At most two decimals."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": "6", "class": "score"}),
    )


class ScoreRowForm(forms.Form):
    """One applicant's three scores, a row of the scores table; blank means not given yet."""

    speech = _score_field(_("Speech"))
    written = _score_field(_("Written test"))
    evaluation = _score_field(_("Democratic evaluation"))

    def __init__(self, *args, applicant: SelectionApplicant, **kwargs):
        initial = {name: getattr(applicant, name) for name in ("speech", "written", "evaluation")}
        super().__init__(*args, prefix=f"a{applicant.pk}", initial=initial, **kwargs)
        self.applicant = applicant
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{applicant.cadre.name} {field.label}"


class TieForm(forms.Form):
    """The leadership's choice among the applicants tied across the last place, and how it was made."""

    tie_winners = forms.ModelMultipleChoiceField(
        label=_("Chosen among the tied applicants"),
        queryset=SelectionApplicant.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tie_reason = forms.CharField(
        label=_("Meeting and reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who decided, when and why: for example 2026年6月3日部务会研究确定."),
    )

    def __init__(self, *args, tied: list[SelectionApplicant], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["tie_winners"]
        field.queryset = SelectionApplicant.objects.filter(pk__in=[a.pk for a in tied]).select_related("cadre")
        names = {a.pk: a.cadre.name for a in tied}
        field.choices = [(a.pk, names[a.pk]) for a in tied]

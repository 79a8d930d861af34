"""Forms of the appraisal pages: they read what was typed; the services in appraisal.services check the rules (the
numbers are read as text so that the services' Chinese refusals land next to the fields)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, Unit

from .models import AppraisalCycle, AppraisalGroup, Indicator, Rating, TeamRating


def number_field(label, *, initial=None, required=True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=12,
        initial=initial,
        required=required,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "6"}),
    )


class ActionForm(forms.Form):
    """A button with nothing to fill: the service's refusal is shown above it."""


class CycleForm(forms.Form):
    year = forms.IntegerField(label=_("Appraisal year"), widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    scope = forms.CharField(
        label=_("Appraisal scope"),
        max_length=100,
        help_text=_("For example: section-level leading cadres of the district"),
    )
    indicator_weight = number_field(_("Weight of indicators, percent"), initial="60")
    evaluation_weight = number_field(_("Weight of democratic evaluation, percent"), initial="40")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=50)
    kind = forms.ChoiceField(label=_("Appraised as"), choices=AppraisalGroup.Kind.choices)


class MembersForm(forms.Form):
    """The cadres (individual group) or units (team group) to add; only the list the group's kind takes."""

    cadres = forms.ModelMultipleChoiceField(label=_("Cadres"), queryset=Cadre.objects.none(), required=False)
    units = forms.ModelMultipleChoiceField(label=_("Units"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, group: AppraisalGroup, **kwargs):
        super().__init__(*args, **kwargs)
        if group.kind == AppraisalGroup.Kind.TEAM:
            del self.fields["cadres"]
            self.fields["units"].queryset = Unit.objects.order_by("order", "name")
            self.fields["units"].required = True
        else:
            del self.fields["units"]
            self.fields["cadres"].queryset = Cadre.objects.select_related("unit").order_by("unit__order", "name")
            self.fields["cadres"].required = True
            self.fields["cadres"].label_from_instance = lambda c: f"{c.name}（{c.unit.name}）"
        for field in self.fields.values():
            field.widget.attrs["size"] = "6"


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind of indicator"), choices=Indicator.Kind.choices)
    weight = number_field(_("Weight"))
    max_score = number_field(_("Full marks"), initial="100")


class VoterGroupForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=5, widget=forms.TextInput(attrs={"size": "3"}))
    name = forms.CharField(label=_("Voter group"), max_length=50)
    weight = number_field(_("Weight"))


class ElementForm(forms.Form):
    name = forms.CharField(label=_("Evaluation element"), max_length=50)
    weight = number_field(_("Weight"))
    scale_max = forms.IntegerField(label=_("Top of the scale"), initial=100, min_value=1, max_value=1000)


class VoterForm(forms.Form):
    voter_group = forms.ModelChoiceField(label=_("Voter group"), queryset=None)
    user = forms.ModelChoiceField(
        label=_("User account"),
        queryset=None,
        required=False,
        help_text=_("Leave empty for a voter whose paper ballots the office enters."),
    )
    name = forms.CharField(label=_("Full name"), max_length=50, required=False)
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups evaluated"), queryset=None, widget=forms.CheckboxSelectMultiple()
    )

    def __init__(self, *args, cycle: AppraisalCycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["voter_group"].queryset = cycle.voter_groups.all()
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["groups"].queryset = cycle.groups.all()


class StepBackForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class BallotForm(forms.Form):
    """One mark per element of the cycle, on the element's scale: radio buttons on a short scale, a list otherwise
    (both worked with the keyboard alone)."""

    def __init__(self, *args, elements, **kwargs):
        super().__init__(*args, **kwargs)
        for element in elements:
            choices = [(str(n), str(n)) for n in range(element.scale_max, -1, -1)]
            if element.scale_max <= 10:
                widget = forms.RadioSelect(attrs={"class": "scale"})
            else:
                widget = forms.Select()
                choices = [("", "—"), *choices]
            self.fields[f"element_{element.pk}"] = forms.ChoiceField(
                label=f"{element.name}（0—{element.scale_max}）", choices=choices, widget=widget
            )
        self.elements = list(elements)

    def scores(self) -> dict:
        return {e.pk: self.cleaned_data[f"element_{e.pk}"] for e in self.elements}


class PaperBallotForm(BallotForm):
    """A paper ballot: the named voter and the person, then the marks."""

    def __init__(self, *args, voters, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "voter": forms.ModelChoiceField(label=_("Paper voter"), queryset=voters),
            "member": forms.ModelChoiceField(label=_("Person appraised"), queryset=members),
            **self.fields,
        }
        self.fields["member"].label_from_instance = lambda m: f"{m.label}（{m.group.name}）"


class ScoresForm(forms.Form):
    """The table of a group's indicator scores: a field per person and indicator, blank where nothing is entered."""

    def __init__(self, *args, members, indicators, scores: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for member in members:
            cells = []
            for indicator in indicators:
                name = f"s_{member.pk}_{indicator.pk}"
                stored = scores.get((member.pk, indicator.pk))
                self.fields[name] = number_field(
                    f"{member.label} {indicator.name}", initial=_plain(stored), required=False
                )
                cells.append((indicator, name))
            self.rows.append((member, cells))

    def table(self):
        """(member, [bound field per indicator]) for the template."""
        return [(member, [self[name] for _indicator, name in cells]) for member, cells in self.rows]

    def entries(self):
        """(member, indicator, typed score) for every cell with something typed in it."""
        for member, cells in self.rows:
            for indicator, name in cells:
                value = (self.cleaned_data.get(name) or "").strip()
                if value:
                    yield member, indicator, name, value


def _plain(value):
    if value is None:
        return None
    from .services.common import fmt

    return fmt(value)


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label=_("Rating"), choices=[("", "—"), *Rating.choices])


class TeamRatingForm(forms.Form):
    team_rating = forms.ChoiceField(label=_("Team rating"), choices=[("", "—"), *TeamRating.choices])


class TalkForm(forms.Form):
    """The kind of talk is the rule's (the row the form sits in), not a choice."""

    held_on = forms.DateField(label=_("Date of the talk"), widget=forms.DateInput(attrs={"type": "date"}))
    held_by = forms.CharField(label=_("Talk held by"), max_length=100)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ScoreImportForm(forms.Form):
    file = forms.FileField(
        label=_("Indicator score file"),
        help_text=_(
            "An .xlsx workbook (first sheet) or a .csv file in UTF-8 or GBK; the header must be the first row."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

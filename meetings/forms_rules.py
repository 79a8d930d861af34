"""Forms of the rules pages: a meeting type's rules and a category of matters. The services check the rules;
the forms only read what was typed (vote options one per line, roles as checkboxes)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import TermMember

from .models import MeetingType, TopicCategory


def _label(model, name: str):
    return model._meta.get_field(name).verbose_name


class LinesField(forms.CharField):
    """One entry per line (同意 / 不同意 / 弃权); blank lines are dropped."""

    widget = forms.Textarea

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "rows": 3, "cols": 20}

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=TermMember.Role.choices, required=False, **kwargs)


def _whole(name: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=_label(MeetingType, name), widget=forms.NumberInput(attrs={"class": "short", "min": 0}), **kwargs
    )


class MeetingTypeForm(forms.Form):
    name = forms.CharField(label=_label(MeetingType, "name"), max_length=30)
    decides = forms.BooleanField(
        label=_label(MeetingType, "decides"),
        required=False,
        help_text=_("A meeting that is not a decision body (书记办公会) discusses its items and records no decision."),
    )
    voting_roles = RolesField(label=_label(MeetingType, "voting_roles"))
    nonvoting_roles = RolesField(label=_label(MeetingType, "nonvoting_roles"))
    observers = forms.CharField(label=_label(MeetingType, "observers"), max_length=300, required=False)
    quorum_num = _whole("quorum_num")
    quorum_den = _whole("quorum_den")
    cadre_quorum_num = _whole("cadre_quorum_num")
    cadre_quorum_den = _whole("cadre_quorum_den")
    pass_num = _whole("pass_num")
    pass_den = _whole("pass_den")
    vote_options = LinesField(
        label=_label(MeetingType, "vote_options"),
        required=False,
        help_text=_("One option per line; the first counts as a vote in favour."),
    )
    cadre_vote_options = LinesField(
        label=_label(MeetingType, "cadre_vote_options"),
        required=False,
        help_text=_("One option per line; the first counts as a vote in favour."),
    )
    secret_ballot = forms.BooleanField(label=_label(MeetingType, "secret_ballot"), required=False)
    recused_count_as_expected = forms.BooleanField(
        label=_label(MeetingType, "recused_count_as_expected"), required=False
    )
    cadence_count = _whole("cadence_count")
    cadence_period = forms.ChoiceField(
        label=_label(MeetingType, "cadence_period"), choices=MeetingType.CadencePeriod.choices, required=False
    )
    cadence_gap_days = _whole("cadence_gap_days", required=False, help_text=_("Leave empty for no warning."))
    order = _whole("order")

    FRACTIONS = (
        ("quorum_num", "quorum_den"),
        ("cadre_quorum_num", "cadre_quorum_den"),
        ("pass_num", "pass_den"),
    )

    @classmethod
    def initial_for(cls, meeting_type: MeetingType) -> dict:
        return {name: getattr(meeting_type, name) for name in cls.base_fields}


class TopicCategoryForm(forms.Form):
    name = forms.CharField(label=_label(TopicCategory, "name"), max_length=60)
    description = forms.CharField(
        label=_label(TopicCategory, "description"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    meeting_types = forms.ModelMultipleChoiceField(
        label=_label(TopicCategory, "meeting_types"),
        queryset=MeetingType.objects.order_by("order", "pk"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    cadre_item = forms.BooleanField(
        label=_label(TopicCategory, "cadre_item"),
        required=False,
        help_text=_("Voted on cadre by cadre, with at least two thirds of the members present."),
    )
    plenary_only = forms.BooleanField(
        label=_label(TopicCategory, "plenary_only"),
        required=False,
        help_text=_("Topics of this category go to the plenary meeting whatever meeting was asked for."),
    )
    consultation_required = forms.BooleanField(label=_label(TopicCategory, "consultation_required"), required=False)
    order = _whole("order", required=False, help_text=_("Leave empty to put it last."))

    @classmethod
    def initial_for(cls, category: TopicCategory) -> dict:
        initial = {name: getattr(category, name) for name in cls.base_fields if name != "meeting_types"}
        initial["meeting_types"] = list(category.meeting_types.all())
        return initial

"""Forms of the topic pages: the list filters, a topic's entry, its cadres, materials, status changes and
consultations. The services check the rules; the forms read what was typed."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cadres.models import Unit
from committees.models import TermMember, WorkArea
from committees.services import role_label
from orgdept.core.listing import ListFilterForm

from .models import MeetingType, Topic, TopicCategory

TEXT_MAX = 5000


def category_label(category: TopicCategory, types: list[MeetingType]) -> str:
    """The category as the entry form offers it, with who decides it when that is not obvious."""
    if category.plenary_only:
        return gettext("%(name)s (decided by the plenary meeting only)") % {"name": category.name}
    if len(types) > 1:
        names = "、".join(t.name for t in types)
        return gettext("%(name)s (decided by %(types)s)") % {"name": category.name, "types": names}
    return category.name


def grouped_categories() -> list:
    """The categories grouped by the meeting type whose scope they are in (each once, under the first type)."""
    categories = TopicCategory.objects.prefetch_related("meeting_types").order_by("order", "id")
    groups: dict[int, tuple[MeetingType, list]] = {}
    loose = []
    for category in categories:
        types = sorted(category.meeting_types.all(), key=lambda t: (t.order, t.pk))
        option = (category.pk, category_label(category, types))
        if not types:
            loose.append(option)
            continue
        groups.setdefault(types[0].pk, (types[0], []))[1].append(option)
    choices: list = [("", "---------")]
    for meeting_type, options in sorted(groups.values(), key=lambda g: (g[0].order, g[0].pk)):
        choices.append((gettext("Matters the %(type)s decides") % {"type": meeting_type.name}, options))
    choices.extend(loose)
    return choices


class TopicFilterForm(ListFilterForm):
    search_fields = ("title__icontains", "unit__name__icontains", "unit__short_name__icontains")
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Topic.Status.choices])
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=TopicCategory.objects.all(), required=False, empty_label=_("All")
    )
    meeting_type = forms.ModelChoiceField(
        label=_("Meeting"), queryset=MeetingType.objects.all(), required=False, empty_label=_("All")
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all(), required=False, empty_label=_("All"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Title or unit")

    def filter_queryset(self, qs):
        data = self.cleaned_data
        for name in ("status", "category", "meeting_type", "unit"):
            if data.get(name):
                qs = qs.filter(**{name: data[name]})
        return qs


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ModelChoiceField(label=_("Category"), queryset=TopicCategory.objects.all())
    requested_type = forms.ModelChoiceField(
        label=_("Meeting requested"),
        queryset=MeetingType.objects.all(),
        help_text=_("The meeting the unit asks to decide the topic."),
    )
    posts = forms.IntegerField(
        label=_("Posts (competitive vote)"),
        min_value=1,
        max_value=99,
        required=False,
        help_text=_("For 差额票决 only: the number of posts the candidates compete for. Leave blank otherwise."),
        widget=forms.NumberInput(attrs={"class": "short"}),
    )
    unit = forms.ModelChoiceField(label=_("Submitting unit"), queryset=Unit.objects.all())
    work_area = forms.ModelChoiceField(
        label=_("Work area"),
        queryset=WorkArea.objects.filter(active=True),
        required=False,
        help_text=_("The area of work it belongs to: its follow-up goes to the standing member responsible for it."),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = grouped_categories()

    def live(self, url: str) -> TopicForm:
        """Asks the page (htmx) where the topic would go whenever the category or the meeting changes."""
        for name in ("category", "requested_type"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": url,
                    "hx-trigger": "change",
                    "hx-target": "#topic-route",
                    "hx-swap": "outerHTML",
                    "hx-include": "closest form",
                    "hx-sync": "closest form:replace",
                }
            )
        return self

    def chosen(self, name: str):
        """The object picked in a select, from the data typed or the initial values, or None."""
        field = self.fields[name]
        raw = self.data.get(name) if self.is_bound else self.initial.get(name)
        if raw in (None, ""):
            return None
        if isinstance(raw, field.queryset.model):
            return raw
        try:
            return field.queryset.filter(pk=int(raw)).first()
        except (TypeError, ValueError):
            return None

    def topic_values(self) -> dict:
        data = self.cleaned_data
        category = data["category"]
        return {
            "title": data["title"],
            "summary": data["summary"],
            "category": category,
            "requested_type": data["requested_type"],
            "unit": data["unit"],
            "work_area": data["work_area"],
            # the number of posts belongs to cadre items only; a field left from another category is dropped
            "posts": data["posts"] if category.cadre_item else None,
        }


class TopicTransitionForm(forms.Form):
    ACTIONS = ("submit", "approve", "return", "withdraw")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TopicCadreForm(forms.Form):
    cadre_search = forms.CharField(
        label=_("Cadre"),
        max_length=100,
        help_text=_("Type a name, pinyin initials or the ID number and pick the cadre from the suggestions."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    cadre = forms.IntegerField(required=False, widget=forms.HiddenInput)
    proposal = forms.CharField(
        label=_("Proposed"),
        max_length=200,
        help_text=_("The post proposed for appointment, removal or recommendation."),
    )

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        # the cadres the user may pick from (a queryset); the picker's search reads the same
        self.cadres = cadres

    def clean(self):
        from cadres.forms import CadreFilterForm

        data = super().clean()
        if self.cadres is None or "cadre_search" not in data:
            return data
        picked = data.get("cadre")
        if picked:
            cadre = self.cadres.filter(pk=picked).first()
        else:
            matches = list(CadreFilterForm().search(self.cadres, data["cadre_search"])[:2])
            cadre = matches[0] if len(matches) == 1 else None
            if len(matches) > 1:
                self.add_error("cadre_search", _("Several cadres match: pick one from the suggestions."))
                return data
        if cadre is None:
            self.add_error("cadre_search", _("No cadre found: check the name or ID number."))
        data["cadre"] = cadre
        return data


class MaterialForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF or Word (.docx). Members read it as a PDF carrying their name as a watermark."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )


class MemberChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, member: TermMember) -> str:
        return f"{member.cadre.name}（{role_label(member.role)}）"


def default_deadline() -> datetime:
    """Three days from now at 18:00, local time."""
    day = timezone.localdate() + timedelta(days=3)
    return timezone.make_aware(datetime.combine(day, time(18, 0)))


class ConsultationForm(forms.Form):
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Members may give or revise their opinion until then."),
    )
    question = forms.CharField(
        label=_("What is asked"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    members = MemberChoiceField(
        label=_("Members asked"),
        queryset=TermMember.objects.none(),
        required=False,
        help_text=_("By default the members who vote at the meeting the topic goes to."),
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            rows = sorted(members, key=lambda m: (TermMember.ROLE_ORDER.get(m.role, 99), m.order, m.pk))
            self.fields["members"].queryset = members
            self.fields["members"].choices = [(m.pk, self.fields["members"].label_from_instance(m)) for m in rows]


class OpinionForm(forms.Form):
    text = forms.CharField(label=_("Your opinion"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))


class RoundTopicForm(forms.Form):
    """A round of appointment proposals put to the committee as one cadre topic."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave blank for “关于某某同志任免的议题”."),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=TopicCategory.objects.filter(cadre_item=True))
    requested_type = forms.ModelChoiceField(label=_("Meeting requested"), queryset=MeetingType.objects.all())
    unit = forms.ModelChoiceField(label=_("Submitting unit"), queryset=Unit.objects.all())
    urgent_reason = forms.CharField(
        label=_("Reason it cannot wait for the plenary"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only when heads of district units are to be decided by the standing committee between plenaries; "
            "every full member is then consulted before the topic goes on an agenda."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_type"].queryset = MeetingType.objects.filter(decides=True).order_by("order", "pk")
        self.fields["category"].queryset = TopicCategory.objects.filter(cadre_item=True).order_by("order", "pk")

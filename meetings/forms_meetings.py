"""Forms of the meeting pages: the list filters, scheduling, the agenda, attendance, leave, recusal, votes and tallies,
the recusal registry. The services decide; the forms read what was typed and name the fields."""

from __future__ import annotations

import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from committees.models import TermMember
from orgdept.core.listing import ListFilterForm

from .models import Attendance, Meeting, MeetingType, MemberRelation, Topic

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
REASON_MAX = 200


class MemberField(forms.ModelChoiceField):
    """A seat shown by name and role: 张三（常委）."""

    def label_from_instance(self, member: TermMember) -> str:
        return f"{member.cadre.name}（{member.title}）"


class TopicField(forms.ModelChoiceField):
    def label_from_instance(self, topic: Topic) -> str:
        return f"{topic.title}（{topic.category.name}，{topic.unit.name}）"


# --- the list ------------------------------------------------------------------------------------------------


class MeetingFilterForm(ListFilterForm):
    search_fields = ("place__icontains", "meeting_type__name__icontains", "items__topic__title__icontains")
    meeting_type = forms.ModelChoiceField(
        label=_("Meeting type"), queryset=MeetingType.objects.all(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Meeting.Status.choices])
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years: list[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = ""
        self.fields["q"].widget.attrs["placeholder"] = _("Place, 第3次常委会 or a topic")
        self.fields["year"].choices = [("", _("All")), *((y, str(y)) for y in years)]

    def search(self, qs, text):
        """The place, the type, a topic on the agenda, or the title as written: 第3次常委会, 3次, 第3次."""
        condition = Q()
        for name in self.search_fields:
            condition |= Q(**{name: text})
        numbered = re.fullmatch(r"第?\s*(\d{1,4})\s*次?\s*(.*)", text)
        if numbered:
            rest = numbered.group(2).strip()
            title = Q(number=int(numbered.group(1)))
            if rest:
                title &= Q(meeting_type__name__icontains=rest)
            condition |= title
        return qs.filter(condition).distinct()

    def filter_queryset(self, qs):
        data = self.cleaned_data
        if data.get("meeting_type"):
            qs = qs.filter(meeting_type=data["meeting_type"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("year"):
            qs = qs.filter(starts_at__year=data["year"])
        return qs


# --- scheduling ----------------------------------------------------------------------------------------------


class MeetingForm(forms.Form):
    meeting_type = forms.ModelChoiceField(
        label=_("Meeting type"), queryset=MeetingType.objects.all(), empty_label=_("Choose the meeting type")
    )
    starts_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME_WIDGET)
    place = forms.CharField(label=_("Meeting place"), max_length=100)
    observers = forms.CharField(
        label=_("Attending as observers (列席)"),
        max_length=300,
        required=False,
        help_text=_("Filled in from the meeting type; change it for this meeting if needed."),
    )
    presided_by = MemberField(
        label=_("Presided by"),
        queryset=TermMember.objects.none(),
        required=False,
        empty_label=_("The secretary (not recorded)"),
    )

    def __init__(self, *args, presiding=None, with_type: bool = True, preview_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if presiding is not None:
            self.fields["presided_by"].queryset = presiding
        if not with_type:
            del self.fields["meeting_type"]
        if preview_url:
            # the type and the day decide who attends: the page shows them as they are chosen
            for name in ("meeting_type", "starts_at"):
                self.fields[name].widget.attrs.update(
                    {
                        "hx-get": preview_url,
                        "hx-trigger": "change",
                        "hx-target": "#meeting-preview",
                        "hx-include": "closest form",
                        "hx-params": "not csrfmiddlewaretoken",
                    }
                )


# --- the agenda ----------------------------------------------------------------------------------------------


class AgendaAddForm(forms.Form):
    topic = TopicField(label=_("Topic"), queryset=Topic.objects.none(), empty_label=_("Choose an approved topic"))

    def __init__(self, *args, topics=None, **kwargs):
        super().__init__(*args, **kwargs)
        if topics is not None:
            self.fields["topic"].queryset = topics


class AgendaRemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, required=False)


class AgendaMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


class ReasonForm(forms.Form):
    """A reason the service requires (cancelling, deferring, clearing a tally): the service names the refusal."""

    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, required=False)

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["reason"].label = label


class DiscussForm(forms.Form):
    note = forms.CharField(
        label=_("Views reached"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- attendance ----------------------------------------------------------------------------------------------


class AttendanceForm(forms.Form):
    """Everyone's presence at once: a box per member (ticked: present) and the reason of an absence."""

    def __init__(self, *args, attendances: list[Attendance], **kwargs):
        super().__init__(*args, **kwargs)
        self.attendances = attendances
        for attendance in attendances:
            member = attendance.member_id
            present = attendance.presence == Attendance.Presence.PRESENT or (
                attendance.presence == Attendance.Presence.UNKNOWN and not attendance.leave_reason
            )
            self.fields[f"present_{member}"] = forms.BooleanField(
                label=attendance.member.cadre.name, required=False, initial=present
            )
            self.fields[f"reason_{member}"] = forms.CharField(
                label=_("Reason for absence"), max_length=REASON_MAX, required=False, initial=attendance.leave_reason
            )

    def clean(self):
        data = super().clean()
        for attendance in self.attendances:
            member = attendance.member_id
            if not data.get(f"present_{member}") and not (data.get(f"reason_{member}") or "").strip():
                self.add_error(f"reason_{member}", f"请填写{attendance.member.cadre.name}缺席的原因")
        return data

    def rows(self):
        for attendance in self.attendances:
            member = attendance.member_id
            yield attendance, self[f"present_{member}"], self[f"reason_{member}"]

    def present(self) -> set[int]:
        return {a.member_id for a in self.attendances if self.cleaned_data.get(f"present_{a.member_id}")}

    def reasons(self) -> dict[int, str]:
        return {a.member_id: self.cleaned_data.get(f"reason_{a.member_id}", "") for a in self.attendances}


class AttendanceSetForm(forms.Form):
    """One member's presence (the htmx toggle of a row)."""

    attendance = forms.IntegerField(widget=forms.HiddenInput)
    presence = forms.ChoiceField(
        choices=[(Attendance.Presence.PRESENT, _("present")), (Attendance.Presence.ABSENT, _("absent"))]
    )


class LeaveRequestForm(forms.Form):
    member = MemberField(label=_("Member"), queryset=TermMember.objects.none(), empty_label=_("Choose a member"))
    reason = forms.CharField(
        label=_("Reason for leave"), max_length=REASON_MAX, help_text=_("For example 出差, 参加上级会议, 病假.")
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is None:
            del self.fields["member"]
        else:
            self.fields["member"].queryset = members


# --- recusal, votes and tallies ------------------------------------------------------------------------------


class RecusalForm(forms.Form):
    member = MemberField(label=_("Member"), queryset=TermMember.objects.none(), empty_label=_("Choose a member"))
    reason = forms.CharField(
        label=_("Reason for recusal"),
        max_length=REASON_MAX,
        required=False,
        help_text=_("For example 与拟任人选系同学关系."),
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["member"].queryset = members


class VoteForm(forms.Form):
    """One member's open vote: on the item, or on each cadre of a cadre item not yet voted on."""

    member = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, member=None, candidates=(), options=(), cadre_item: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.member_obj = member
        self.candidates = list(candidates)
        self.cadre_item = cadre_item
        choices = [("", "—"), *((o, o) for o in options)]
        if member is not None:
            self.fields["member"].initial = member.pk
        if cadre_item:
            for candidate in self.candidates:
                self.fields[f"choice_{candidate.pk}"] = forms.ChoiceField(
                    label=candidate.cadre.name, choices=choices, required=False
                )
        else:
            self.fields["choice"] = forms.ChoiceField(label=_("Vote"), choices=choices, required=False)

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in self.fields if name.startswith("choice")):
            raise forms.ValidationError("请选择表决意见")
        return data

    def choices(self):
        """[(candidate or None, choice)] in the order of the cadres."""
        if not self.cadre_item:
            return [(None, self.cleaned_data["choice"])]
        return [
            (candidate, self.cleaned_data[f"choice_{candidate.pk}"])
            for candidate in self.candidates
            if self.cleaned_data.get(f"choice_{candidate.pk}")
        ]

    def choice_fields(self):
        return [self[name] for name in self.fields if name.startswith("choice")]


class TallyForm(forms.Form):
    """One entry of the count of the paper ballots: ballots issued, returned, invalid, and the votes per option
    (per cadre for a cadre item)."""

    ballots_issued = forms.IntegerField(label=_("Ballots issued"), min_value=0, max_value=10_000)
    ballots_returned = forms.IntegerField(label=_("Ballots returned"), min_value=0, max_value=10_000)
    ballots_invalid = forms.IntegerField(label=_("Invalid ballots"), min_value=0, max_value=10_000, initial=0)

    def __init__(self, *args, keys: list[tuple[str, str]], options: list[str], **kwargs):
        """keys: [(tally key, what it is: the cadre's name or the item)]."""
        super().__init__(*args, **kwargs)
        self.keys = keys
        self.options = options
        for key, label in keys:
            for index, option in enumerate(options):
                self.fields[f"count_{key}_{index}"] = forms.IntegerField(
                    label=f"{label} {option}", min_value=0, max_value=10_000, required=False
                )

    def table(self):
        """[(label, [bound field per option])] for the page."""
        return [
            (label, [self[f"count_{key}_{index}"] for index in range(len(self.options))]) for key, label in self.keys
        ]

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            key: {
                option: self.cleaned_data.get(f"count_{key}_{index}") or 0 for index, option in enumerate(self.options)
            }
            for key, _label in self.keys
        }


class CloseForm(forms.Form):
    decision_text = forms.CharField(
        label=_("Decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave blank to write it from the result (同意某某任某职)."),
    )


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 4}))


# --- the recusal registry ------------------------------------------------------------------------------------


class RelationFilterForm(ListFilterForm):
    search_fields = ("member_cadre__name__icontains", "cadre__name__icontains", "relation__icontains")
    state = forms.ChoiceField(
        label=_("Registry state"),
        required=False,
        choices=[("", _("All")), ("active", _("In the registry")), ("ended", _("Removed"))],
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All")), *MemberRelation.Source.choices]
    )

    def filter_queryset(self, qs):
        state = self.cleaned_data.get("state")
        if state == "active":
            qs = qs.filter(ended_at__isnull=True)
        elif state == "ended":
            qs = qs.filter(ended_at__isnull=False)
        if self.cleaned_data.get("source"):
            qs = qs.filter(source=self.cleaned_data["source"])
        return qs


class RelationForm(forms.Form):
    member = MemberField(label=_("Member"), queryset=TermMember.objects.none(), empty_label=_("Choose a member"))
    cadre_search = forms.CharField(
        label=_("Related cadre"),
        max_length=100,
        help_text=_("Type a name, pinyin initials or the ID number and pick the cadre from the suggestions."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    cadre = forms.IntegerField(required=False, widget=forms.HiddenInput)
    relation = forms.CharField(
        label=_("Relationship"), max_length=50, help_text=_("For example 夫妻, 兄弟, 儿媳, 同学.")
    )

    def __init__(self, *args, members=None, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["member"].queryset = members
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

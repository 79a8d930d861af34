"""Forms of the term and member pages: terms and their quotas, 换届, members and their roles, the member list upload."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgdept.core.listing import ListFilterForm

from .models import Term, TermMember

R = TermMember.Role
QUOTA_FIELDS = ("members_quota", "alternates_quota", "standing_quota", "deputy_secretaries_quota")


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def _quota_field(label, help_text="") -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=999, help_text=help_text)


class TermFilterForm(ListFilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("current", _("Current term")), ("past", _("Past terms"))],
    )

    def search(self, qs, text):
        condition = Q(committee__name__icontains=text) | Q(committee__short_name__icontains=text)
        digits = text.strip().removeprefix("第").removesuffix("届")
        if digits.isdigit():
            condition |= Q(number=int(digits))
        return qs.filter(condition)

    def filter_queryset(self, qs):
        status = self.cleaned_data.get("status")
        if status == "current":
            qs = qs.filter(ends_on__isnull=True)
        elif status == "past":
            qs = qs.filter(ends_on__isnull=False)
        return qs


class TermQuotasForm(forms.Form):
    """The start and the four quotas of a term (委员, 候补委员, 常委, 副书记)."""

    starts_on = _date_field(_("Start"), help_text=_("The day the term was elected (the first plenary session)."))
    members_quota = _quota_field(_("Number of members"), _("Full members, standing members included."))
    alternates_quota = _quota_field(_("Number of alternates"))
    standing_quota = _quota_field(_("Number of standing members"), _("The secretary and deputy secretaries included."))
    deputy_secretaries_quota = _quota_field(_("Number of deputy secretaries"))

    @staticmethod
    def initial_from(term: Term) -> dict:
        return {"starts_on": term.starts_on, **{f: getattr(term, f) for f in QUOTA_FIELDS}}


class TermCreateForm(TermQuotasForm):
    committee_name = forms.CharField(label=_("Committee"), max_length=100, help_text=_("For example 中共××区委员会."))
    committee_short_name = forms.CharField(
        label=_("Short name"), max_length=30, required=False, help_text=_("For example ××区委.")
    )
    number = forms.IntegerField(label=_("Term number"), min_value=1, max_value=999, help_text=_("第N届: N."))

    field_order = ["committee_name", "committee_short_name", "number", "starts_on", *QUOTA_FIELDS]

    def clean_committee_name(self):
        return self.cleaned_data["committee_name"].strip()


class TermChangeForm(TermQuotasForm):
    confirm = forms.BooleanField(
        label=_("I understand that the current term ends the day the new one starts."),
        error_messages={"required": _("Tick the box to confirm the term change.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].label = _("Start of the new term")
        self.fields["starts_on"].help_text = _("The current term ends the day before.")


class MemberAddForm(forms.Form):
    cadre_search = forms.CharField(
        label=_("Cadre"),
        max_length=100,
        help_text=_("Type a name, pinyin initials or the ID number and pick the cadre from the suggestions."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    cadre = forms.IntegerField(required=False, widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role"), choices=R.choices, initial=R.MEMBER)
    full_time_deputy = forms.BooleanField(label=_("Full-time deputy secretary"), required=False)
    concurrent_post = forms.CharField(
        label=_("Concurrent government post"),
        max_length=100,
        required=False,
        help_text=_("For example 区长 (党政交叉任职); leave blank if none."),
    )
    election_votes = forms.IntegerField(
        label=_("Votes at election"),
        min_value=0,
        max_value=10_000_000,
        required=False,
        help_text=_("Required for alternates: vacant seats go to them in the order of their votes."),
    )
    order = forms.IntegerField(
        label=_("Order within role"),
        min_value=0,
        max_value=32767,
        required=False,
        help_text=_("Leave blank to list the member after the others of the same role."),
    )
    joined_on = _date_field(_("Joined"))

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        # the cadres the user may pick from (a queryset); the view's search reads the same
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


class MemberEditForm(forms.Form):
    order = forms.IntegerField(label=_("Order within role"), min_value=0, max_value=32767)
    concurrent_post = forms.CharField(label=_("Concurrent government post"), max_length=100, required=False)
    election_votes = forms.IntegerField(label=_("Votes at election"), min_value=0, max_value=10_000_000, required=False)
    full_time_deputy = forms.BooleanField(
        label=_("Full-time deputy secretary"), required=False, help_text=_("Only a deputy secretary can be full-time.")
    )

    def __init__(self, *args, member: TermMember, **kwargs):
        super().__init__(*args, **kwargs)
        if member.role != R.DEPUTY_SECRETARY:
            del self.fields["full_time_deputy"]
        if member.role == R.ALTERNATE:
            self.fields["election_votes"].required = True


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("New role"), choices=[c for c in R.choices if c[0] != R.ALTERNATE])
    full_time_deputy = forms.BooleanField(label=_("Full-time deputy secretary"), required=False)
    changed_on = _date_field(_("Effective"))
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=200, required=False, help_text=_("For example 全委会增选为常委.")
    )


class MemberLeaveForm(forms.Form):
    left_on = _date_field(_("Left on"), help_text=_("The first day the member no longer serves."))
    left_reason = forms.CharField(
        label=_("Reason for leaving"), max_length=200, help_text=_("For example 调离, 辞职, 退休.")
    )


class PromoteForm(forms.Form):
    on = _date_field(_("Effective"))


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_("Member list"),
        help_text=_(
            "An .xlsx workbook (first sheet) or a .csv file in UTF-8 or GBK; the header must be the first row."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

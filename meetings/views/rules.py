"""Rules of procedure (议事规则): the four meeting types with their rules and the matters each decides, kept by the
系统管理员; and cadence compliance, each body's meetings held against its rules."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Committee
from committees.services import role_label
from orgdept.core.exceptions import ApplicationError
from orgdept.core.forms import add_service_error, form_status
from orgdept.core.object_permissions import require_perm

from ..cadence import cadence_text, committee_cadence, current_term_of, warnings_of
from ..forms_rules import MeetingTypeForm, TopicCategoryForm
from ..models import MeetingType, TopicCategory
from ..rules import fraction_words
from ..services.rules import meeting_type_update, topic_category_create, topic_category_update

VIEW_RULES = "meetings.view_meetingtype"
CHANGE_TYPE = "meetings.change_meetingtype"
ADD_CATEGORY = "meetings.add_topiccategory"
CHANGE_CATEGORY = "meetings.change_topiccategory"


# --- the rules as they read ------------------------------------------------------------------------------------


def quorum_words(num: int, den: int) -> str:
    return "过半数应到会成员" if 2 * num == den else f"超过应到会成员的{fraction_words(num, den)}"


def cadre_quorum_words(num: int, den: int) -> str:
    return "全体应到会成员" if num == den else f"{fraction_words(num, den)}以上"


def pass_words(num: int, den: int) -> str:
    return f"赞成票超过应到会成员{fraction_words(num, den)}"


def roles_words(roles: list[str]) -> str:
    return "、".join(role_label(r) for r in roles)


@dataclass
class TypeRules:
    meeting_type: MeetingType
    categories: int = 0
    cadre_categories: int = 0

    @property
    def quorum(self) -> str:
        t = self.meeting_type
        return "；".join(
            [
                f"出席：{quorum_words(t.quorum_num, t.quorum_den)}",
                f"干部任免事项：{cadre_quorum_words(t.cadre_quorum_num, t.cadre_quorum_den)}",
                f"通过：{pass_words(t.pass_num, t.pass_den)}" if t.decides else "不作决定",
            ]
        )

    @property
    def voting(self) -> str:
        return roles_words(self.meeting_type.voting_roles)

    @property
    def nonvoting(self) -> str:
        return roles_words(self.meeting_type.nonvoting_roles)

    @property
    def cadence(self) -> str:
        return cadence_text(self.meeting_type)

    @property
    def ballot(self) -> str:
        t = self.meeting_type
        if not t.decides:
            return "不表决"
        return "干部任免事项无记名投票" if t.secret_ballot else "记名表决"

    @property
    def recusal(self) -> str:
        if self.meeting_type.recused_count_as_expected:
            return "回避成员仍计入应到会人数"
        return "回避成员不计入应到会人数"


@dataclass
class CategoryRow:
    category: TopicCategory
    ticks: list[bool]


@login_required
@permission_required(VIEW_RULES, raise_exception=True)
def rule_list(request):
    """The four meeting types with their rules and the matrix of the matters each may decide."""
    types = list(MeetingType.objects.order_by("order", "pk"))
    categories = list(TopicCategory.objects.prefetch_related("meeting_types").order_by("order", "pk"))
    rules = {t.pk: TypeRules(t) for t in types}
    rows = []
    for category in categories:
        decided_by = {t.pk for t in category.meeting_types.all()}
        rows.append(CategoryRow(category=category, ticks=[t.pk in decided_by for t in types]))
        for pk in decided_by:
            rules[pk].categories += 1
            rules[pk].cadre_categories += category.cadre_item
    user = request.user
    return render(
        request,
        "meetings/rules/rule_list.html",
        {
            "types": [rules[t.pk] for t in types],
            "rows": rows,
            "counts": [rules[t.pk].categories for t in types],
            "can_change_type": user.has_perm(CHANGE_TYPE),
            "can_add_category": user.has_perm(ADD_CATEGORY),
            "can_change_category": user.has_perm(CHANGE_CATEGORY),
            "can_see_cadence": may_see_cadence(user),
        },
    )


# --- keeping the rules -----------------------------------------------------------------------------------------


def _access(user, model, pk: int, perm: str):
    obj = get_object_or_404(model, pk=pk)
    require_perm(user, perm, obj, hide=False)
    return obj


@login_required
def meeting_type_edit(request, pk: int):
    meeting_type = _access(request.user, MeetingType, pk, CHANGE_TYPE)
    form = MeetingTypeForm(request.POST or None, initial=MeetingTypeForm.initial_for(meeting_type))
    if request.method == "POST" and form.is_valid():
        try:
            meeting_type_update(meeting_type=meeting_type, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The rules of %(name)s were saved.") % {"name": meeting_type.name})
            return redirect("meetings:rule_list")
    return render(
        request,
        "meetings/rules/meeting_type_form.html",
        {"form": form, "meeting_type": meeting_type, "scope": list(meeting_type.scope.order_by("order", "pk"))},
        status=form_status(form),
    )


@login_required
@permission_required(ADD_CATEGORY, raise_exception=True)
def category_create(request):
    form = TopicCategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = topic_category_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Topic category %(name)s added.") % {"name": category.name})
            return redirect("meetings:rule_list")
    return render(
        request, "meetings/rules/category_form.html", {"form": form, "category": None}, status=form_status(form)
    )


@login_required
def category_edit(request, pk: int):
    category = _access(request.user, TopicCategory, pk, CHANGE_CATEGORY)
    form = TopicCategoryForm(request.POST or None, initial=TopicCategoryForm.initial_for(category))
    if request.method == "POST" and form.is_valid():
        try:
            topic_category_update(category=category, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Topic category %(name)s saved.") % {"name": category.name})
            return redirect("meetings:rule_list")
    return render(
        request, "meetings/rules/category_form.html", {"form": form, "category": category}, status=form_status(form)
    )


# --- cadence compliance ----------------------------------------------------------------------------------------


def may_see_cadence(user) -> bool:
    """The department staff who prepare meetings, and the administrators who keep the rules."""
    return user.is_authenticated and (user.has_perm("meetings.view_meeting") or user.has_perm(CHANGE_TYPE))


def _committees_in_office():
    return list(Committee.objects.filter(terms__ends_on__isnull=True).distinct().order_by("pk"))


@login_required
def cadence(request):
    """Meetings held against each body's cadence, month by month, for the current term and a year."""
    if not may_see_cadence(request.user):
        raise PermissionDenied
    committees = _committees_in_office()
    committee = committees[0] if committees else None
    wanted = request.GET.get("committee")
    if wanted and wanted.isdigit():
        committee = next((c for c in committees if c.pk == int(wanted)), committee)
    term = current_term_of(committee) if committee is not None else None
    today = timezone.localdate()
    if term is None:
        return render(request, "meetings/cadence.html", {"result": None, "committees": committees})
    years = list(range(today.year, min(term.starts_on.year, today.year) - 1, -1))
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and int(year) in years else today.year
    result = committee_cadence(term, year=year, on=today)
    warnings = [w for w in (warnings_of(tc) for tc in result.types) if w is not None] if year == today.year else []
    return render(
        request,
        "meetings/cadence.html",
        {
            "result": result,
            "committee": committee,
            "committees": committees,
            "years": years,
            "warnings": warnings,
            "today": today,
            "can_schedule": request.user.has_perm("meetings.add_meeting"),
        },
    )

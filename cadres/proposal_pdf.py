"""Documents of the appointment procedure: a round's 任免审批表 pack and its summary table (干部任免情况汇总表), the
pre-appointment notice (任前公示) and the appointment notice (任免通知); pure render functions (data → HTML → PDF)
registered as document kinds, and the service that asks the document service for them, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from orgdept.core.audit import audit_log
from orgdept.core.documents import DocumentKind, document_request, register_document_kind
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import Document
from orgdept.core.pdf import render_pdf
from orgdept.core.templatetags.orgdept import display_name
from orgdept.core.workdays import ScheduleMissing, workdays_between
from orgdept.core.yearmonth import age_on, cn_date, format_year_month

from .approval_form import FormOptions, birth_date_of, cadres_for_forms, render_forms_pdf
from .home import post_label
from .models import AppointmentProposal, Education, Inspection, PositionTenure, ProposalRound
from .services.proposals import PROBATION, appointment_problems, required_steps

Status = AppointmentProposal.Status
Action = AppointmentProposal.Action

APPROVAL_FORMS = "proposal_approval_forms"
SUMMARY = "proposal_round_summary"
PUBLIC_NOTICE = "proposal_public_notice"
APPOINTMENT_NOTICE = "proposal_appointment_notice"
LABELS = {
    APPROVAL_FORMS: "干部任免审批表",
    SUMMARY: "干部任免情况汇总表",
    PUBLIC_NOTICE: "干部任前公示",
    APPOINTMENT_NOTICE: "任免通知",
}
# the kind as an address names it (cadres:round_document / cadres:proposal_document) -> the document kind
ROUND_KINDS = {
    "approval-forms": APPROVAL_FORMS,
    "summary": SUMMARY,
    "public-notice": PUBLIC_NOTICE,
    "appointment-notice": APPOINTMENT_NOTICE,
}
PROPOSAL_KINDS = {
    "approval-form": APPROVAL_FORMS,
    "public-notice": PUBLIC_NOTICE,
    "appointment-notice": APPOINTMENT_NOTICE,
}

# a proposal withdrawn or not passed is not printed for the meeting, nor announced
LEFT_OUT = (Status.WITHDRAWN, Status.REJECTED)
# the committee has decided: an appointment notice can be issued once nothing stands before the appointment (the
# notice ended, its objections resolved), and reissued later for the file
DECIDED = (Status.DECIDED, Status.NOTICE, Status.APPOINTED, Status.CONFIRMED, Status.RETURNED)
IN_OFFICE = (Status.APPOINTED, Status.CONFIRMED, Status.RETURNED)


def notice_issuable(proposal: AppointmentProposal, today: date) -> bool:
    """Whether the 任免通知 may go out for the proposal: appointed already, or decided with nothing left before the
    appointment."""
    if proposal.status in IN_OFFICE:
        return True
    return proposal.status in DECIDED and not appointment_problems(proposal, today)


NUMERALS = "零一二三四五六七八九十"
BLANK = "＿＿＿＿＿＿"


# --- the issuing bodies --------------------------------------------------------------------------------------
# The committee's name comes from settings, not from the committees app: cadres may not import it (the layers
# contract), and a document's issuing organ (中共云岭区委) is a constant of the deployment, like the site's name,
# whereas the committee table may hold no committee yet, or several (the plenary and its term records).


def committee_name() -> str:
    """中共云岭区委: the setting, or made from the district's name (ORGDEPT_HOME_AREA_NAMES)."""
    if settings.ORGDEPT_COMMITTEE_NAME:
        return settings.ORGDEPT_COMMITTEE_NAME
    areas = settings.ORGDEPT_HOME_AREA_NAMES
    return f"中共{areas[0]}委" if areas else "中共××区委"


def department_name() -> str:
    """中共云岭区委组织部"""
    return settings.ORGDEPT_DEPARTMENT_NAME or f"{committee_name()}组织部"


def committee_word() -> str:
    """How a document of the district says the committee in a sentence: 区委 (县委 in a county)."""
    name = committee_name()
    return name[-2:] if name.endswith("委") and len(name) >= 2 else name


# --- words --------------------------------------------------------------------------------------------------


def cn_month(value: date | None) -> str:
    """1980年3月"""
    return f"{value.year}年{value.month}月" if value else ""


def year_words(months: int) -> str:
    """一年, 两年, 六个月: how long a probation is, as a notice says it."""
    if months % 12 == 0 and 0 < months // 12 <= 10:
        years = months // 12
        return f"{'两' if years == 2 else NUMERALS[years]}年"
    return f"{months}个月"


def target_label(proposal: AppointmentProposal) -> str:
    return post_label(proposal.target_position) if proposal.target_position_id else ""


def current_label(proposal: AppointmentProposal) -> str:
    return post_label(proposal.current_position) if proposal.current_position_id else ""


def form_options(proposal: AppointmentProposal, **shared) -> FormOptions:
    """What the proposal's 任免审批表 states: the post proposed, the post left (not for a confirmation, which
    keeps it), the reason."""
    removed = current_label(proposal) if proposal.action != Action.CONFIRM else ""
    return FormOptions(
        proposed_post=target_label(proposal),
        removed_post=removed,
        reason=proposal.reason,
        current_post=current_posts(proposal),
        **shared,
    )


def proposed_lines(proposal: AppointmentProposal) -> list[str]:
    """拟任(免)职务 of the summary table: 拟任… and 拟免… on their own lines."""
    target, current = target_label(proposal), current_label(proposal)
    if proposal.action == Action.CONFIRM:
        return [f"{current}试用期满转正"]
    lines = []
    if target:
        verb = {Action.EXCHANGE: "拟交流任", Action.TRANSFER: "拟转任"}.get(proposal.action, "拟任")
        lines.append(f"{verb}{target}")
    if current:
        lines.append(f"拟免{current}")
    return lines


def current_posts(proposal: AppointmentProposal) -> str:
    """现任职务 as the proposal found it: the posts held now other than the one proposed (held already once the
    appointment took effect), with the post it leaves."""
    tenures = getattr(proposal.cadre, "current_tenures", None)
    if tenures is None:
        tenures = PositionTenure.objects.filter(cadre=proposal.cadre, is_current=True).select_related("position__unit")
    labels = [post_label(t.position) for t in tenures if t.position_id != proposal.target_position_id]
    left = current_label(proposal)
    if left and left not in labels:
        labels.insert(0, left)
    if labels:
        return "、".join(labels)
    return proposal.cadre.current_post


def education_parts(cadre) -> list[tuple[str, str, str]]:
    """(kind, education, degree) of the full-time and in-service entries that say something; the file's highest
    education when neither does."""
    entries = {e.kind: e for e in cadre.educations.all()}
    parts = []
    for kind, prefix in ((Education.Kind.FULL_TIME, ""), (Education.Kind.IN_SERVICE, "在职")):
        entry = entries.get(kind)
        if entry and (entry.education or entry.degree):
            parts.append((prefix, entry.education, entry.degree))
    if not parts and cadre.education:
        parts.append(("", cadre.education, ""))
    return parts


def education_lines(cadre) -> list[str]:
    """学历 of the summary table, a line each: 大学 / 管理学学士 / 在职研究生 / 公共管理硕士."""
    lines = []
    for prefix, education, degree in education_parts(cadre):
        if education:
            lines.append(f"{prefix}{education}")
        if degree:
            lines.append(degree if education or not prefix else f"{prefix}{degree}")
    return lines


def education_sentence(cadre) -> str:
    """学历学位 as a notice says it: 大学学历，管理学学士，在职研究生学历，公共管理硕士."""
    words = []
    for prefix, education, degree in education_parts(cadre):
        if education:
            words.append(f"{prefix}{education}" + ("" if education.endswith("学历") else "学历"))
        if degree:
            words.append(degree)
    return "，".join(words)


def political_words(cadre) -> str:
    """政治面貌 of a notice: 中共党员, 民盟盟员, 无党派人士 …; nothing when the file has none."""
    return cadre.political_status or ""


def native_words(cadre) -> str:
    """四川成都人"""
    place = cadre.native_place.strip()
    if not place:
        return ""
    return place if place.endswith("人") else f"{place}人"


def recommendation_votes(proposal: AppointmentProposal) -> str:
    """民主推荐得票: the cadre's votes over the participants (40/45); blank without a recommendation."""
    recommendation = proposal.recommendation
    if recommendation is None:
        return ""
    for candidate in recommendation.candidates.all():
        if candidate.cadre_id == proposal.cadre_id:
            return f"{candidate.votes}/{recommendation.participants}"
    return ""


def inspection_of(proposal: AppointmentProposal) -> Inspection | None:
    try:
        return proposal.inspection
    except Inspection.DoesNotExist:
        return None


# --- what a document covers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What a document is for: a whole round, or one proposal of it."""

    proposal_round: ProposalRound
    proposal: AppointmentProposal | None = None

    @property
    def params(self) -> dict:
        if self.proposal is not None:
            return {"proposal": self.proposal.pk}
        return {"round": self.proposal_round.pk}

    @property
    def name(self) -> str:
        return self.proposal.cadre.name if self.proposal is not None else self.proposal_round.title


def _pk(params: dict, key: str) -> int | None:
    try:
        return int((params or {})[key])
    except (KeyError, TypeError, ValueError):
        return None


def subject_of(params: dict) -> Subject | None:
    """The round or proposal a document's params name; None when it no longer exists."""
    if (pk := _pk(params, "proposal")) is not None:
        proposal = AppointmentProposal.objects.select_related("round", "cadre").filter(pk=pk).first()
        return Subject(proposal.round, proposal) if proposal is not None else None
    if (pk := _pk(params, "round")) is not None:
        proposal_round = ProposalRound.objects.filter(pk=pk).first()
        return Subject(proposal_round) if proposal_round is not None else None
    return None


def _loaded():
    """Proposals with everything the documents print, in a fixed number of queries."""
    return (
        AppointmentProposal.objects.select_related(
            "round", "cadre__unit", "target_position__unit", "current_position__unit", "recommendation", "inspection"
        )
        .prefetch_related(
            "cadre__educations",
            Prefetch(
                "cadre__tenures",
                queryset=PositionTenure.objects.filter(is_current=True).select_related("position__unit"),
                to_attr="current_tenures",
            ),
            "recommendation__candidates",
        )
        .order_by("pk")
    )


def covered(kind: str, subject: Subject) -> list[AppointmentProposal]:
    """The proposals a document of `kind` for `subject` prints.

    - the 任免审批表 and the summary: the round's proposals except those withdrawn or not passed (a proposal's own
      form: that proposal);
    - the 任前公示: every proposal of the round put to notice, not withdrawn; asked for one proposal, the notice
      published with it: those of its round with the same notice dates, since one notice announces them all;
    - the 任免通知: the proposals the committee has decided (a proposal's own notice: that proposal).
    """
    rows = _loaded().filter(round=subject.proposal_round)
    proposal = subject.proposal
    if kind == PUBLIC_NOTICE:
        rows = rows.filter(notice_starts_on__isnull=False).exclude(status=Status.WITHDRAWN)
        if proposal is not None:
            rows = rows.filter(notice_starts_on=proposal.notice_starts_on, notice_ends_on=proposal.notice_ends_on)
        return list(rows.order_by("notice_starts_on", "pk"))
    if proposal is not None:
        return list(rows.filter(pk=proposal.pk))
    if kind == APPOINTMENT_NOTICE:
        today = timezone.localdate()
        return [p for p in rows.filter(status__in=DECIDED) if notice_issuable(p, today)]
    return list(rows.exclude(status__in=LEFT_OUT))


def document_refusal(kind: str, subject: Subject) -> str | None:
    """Why a document of `kind` cannot be made for `subject` now, in Chinese; None when it can."""
    proposal = subject.proposal
    if proposal is not None:
        name = proposal.cadre.name
        if kind == SUMMARY:
            return "干部任免情况汇总表按批次生成"
        if proposal.status == Status.WITHDRAWN:
            return f"{name}的任免事项已撤回，不能生成{LABELS[kind]}"
        if kind == PUBLIC_NOTICE and proposal.notice_starts_on is None:
            return f"{name}的任免事项尚未开始任前公示"
        if kind == APPOINTMENT_NOTICE:
            if proposal.status not in DECIDED:
                return f"{name}的任免事项尚未经{committee_word()}研究决定，不能生成任免通知"
            if proposal.status not in IN_OFFICE and (problems := appointment_problems(proposal, timezone.localdate())):
                return f"{name}暂不能发任免通知：{'；'.join(problems)}"
        return None
    proposals = subject.proposal_round.proposals.all()
    title = subject.proposal_round.title
    if (
        kind == PUBLIC_NOTICE
        and not proposals.filter(notice_starts_on__isnull=False).exclude(status=Status.WITHDRAWN).exists()
    ):
        return f"“{title}”尚无开始任前公示的任免事项"
    if kind == APPOINTMENT_NOTICE:
        if not proposals.filter(status__in=DECIDED).exists():
            return f"“{title}”尚无经{committee_word()}研究决定的任免事项"
        today = timezone.localdate()
        if not any(notice_issuable(p, today) for p in proposals.filter(status__in=DECIDED)):
            return f"“{title}”尚无可以发任免通知的任免事项（须任前公示期满、反映办结）"
    if kind in (APPROVAL_FORMS, SUMMARY) and not proposals.exclude(status__in=LEFT_OUT).exists():
        return f"“{title}”没有在办的任免事项（已撤回或未通过的不列入）"
    return None


def _subject_for(document) -> Subject:
    subject = subject_of(document.params)
    if subject is None:
        raise ApplicationError("该任免批次或任免事项已不存在，无法生成文件")
    if refusal := document_refusal(document.kind, subject):
        raise ApplicationError(refusal)
    return subject


def _made_on(document) -> date:
    return timezone.localdate(document.created_at)


def _file_name(label: str, subject: Subject) -> str:
    name = subject.name.replace("/", "-").replace("\\", "-")
    return f"{label}-{name}.pdf"


# --- 干部任免审批表 --------------------------------------------------------------------------------------------


def render_approval_forms(document) -> tuple[bytes, str]:
    """The 任免审批表 of every cadre the round puts to the meeting, one page each, in the round's order."""
    subject = _subject_for(document)
    proposals = covered(APPROVAL_FORMS, subject)
    cadres = {c.pk: c for c in cadres_for_forms([p.cadre_id for p in proposals])}
    filled_by = display_name(document.requested_by) if document.requested_by else ""
    forms = [
        (cadres[p.cadre_id], form_options(p, reporting_unit=department_name(), filled_by=filled_by))
        for p in proposals
        if p.cadre_id in cadres
    ]
    pdf = render_forms_pdf(forms, today=_made_on(document))
    return pdf, _file_name("干部任免审批表", subject)


# --- 干部任免情况汇总表 ----------------------------------------------------------------------------------------


def summary_row(number: int, proposal: AppointmentProposal, on: date) -> dict:
    cadre = proposal.cadre
    inspection = inspection_of(proposal)
    promoted = proposal.promotion and proposal.appointed_on is not None
    remarks = []
    if proposal.exceptional:
        approval = f"（{proposal.exceptional_approval_ref}）" if proposal.exceptional_approval_ref else ""
        remarks.append(f"破格提拔{approval}")
    if proposal.status == Status.DEFERRED:
        remarks.append("缓议")
    return {
        "number": number,
        "name": cadre.name,
        "gender": cadre.get_gender_display(),
        "birth": format_year_month(cadre.birth_month),
        "age": age_on(birth_date_of(cadre), on) if cadre.birth_month else "",
        "native_place": cadre.native_place,
        "education": education_lines(cadre),
        "party": cadre.political_status,
        "joined": format_year_month(cadre.party_joined_month),
        "current_post": current_posts(proposal),
        "proposed": proposed_lines(proposal),
        # after a promotion took effect the file holds the new level: the table shows the one it was decided on
        "rank": proposal.former_level if promoted else cadre.rank,
        "rank_since": "" if promoted else format_year_month(cadre.rank_since_month),
        "votes": recommendation_votes(proposal),
        "conclusion": inspection.conclusion if inspection else "",
        "remarks": remarks,
    }


def summary_context(subject: Subject, on: date) -> dict:
    proposals = covered(SUMMARY, subject)
    return {
        "title": "干部任免情况汇总表",
        "round": subject.proposal_round,
        "department": department_name(),
        "age_on": cn_date(on),
        "rows": [summary_row(n, p, on) for n, p in enumerate(proposals, start=1)],
    }


def render_summary(document) -> tuple[bytes, str]:
    subject = _subject_for(document)
    pdf = render_pdf("cadres/pdf/round_summary.html", summary_context(subject, _made_on(document)))
    return pdf, _file_name("干部任免情况汇总表", subject)


# --- 任前公示 ------------------------------------------------------------------------------------------------


def notice_workdays(starts_on: date, ends_on: date) -> int:
    """The working days a notice runs, its first day counted: what it says in brackets (5个工作日)."""
    try:
        return workdays_between(starts_on - timedelta(days=1), ends_on)
    except ScheduleMissing:
        return settings.ORGDEPT_NOTICE_WORKDAYS


def notice_person(proposal: AppointmentProposal) -> dict:
    """姓名 and the rest of the announcement: 男，汉族，1980年3月生，四川成都人，大学学历，…，现任…，拟任…。"""
    cadre = proposal.cadre
    words = [
        cadre.get_gender_display(),
        cadre.ethnicity,
        f"{cn_month(cadre.birth_month)}生" if cadre.birth_month else "",
        native_words(cadre),
        education_sentence(cadre),
        political_words(cadre),
    ]
    current = current_posts(proposal)
    if current:
        words.append(f"现任{current}")
    if proposal.target_position_id:
        words.append(f"拟任{target_label(proposal)}")
    return {"name": cadre.name, "text": "，".join(w for w in words if w) + "。"}


def _decided_by_words(proposals: list[AppointmentProposal]) -> str:
    """区委常委会, or 区委全委会 when the plenary decided."""
    plenary = any(p.decided_at_plenary for p in proposals)
    return f"{committee_word()}{'全委会' if plenary else '常委会'}"


@dataclass
class NoticeGroup:
    """One published notice: the proposals of a round put to notice on the same dates."""

    starts_on: date
    ends_on: date
    proposals: list[AppointmentProposal]

    def context(self) -> dict:
        return {
            "starts": cn_date(self.starts_on),
            "ends": cn_date(self.ends_on),
            "workdays": notice_workdays(self.starts_on, self.ends_on),
            "decided_by": _decided_by_words(self.proposals),
            "people": [notice_person(p) for p in self.proposals],
            "dated": cn_date(self.starts_on),
        }


def notice_groups(proposals: list[AppointmentProposal]) -> list[NoticeGroup]:
    groups: dict[tuple[date, date], NoticeGroup] = {}
    for proposal in proposals:
        dates = (proposal.notice_starts_on, proposal.notice_ends_on)
        groups.setdefault(dates, NoticeGroup(*dates, [])).proposals.append(proposal)
    return sorted(groups.values(), key=lambda g: (g.starts_on, g.ends_on))


def public_notice_context(subject: Subject) -> dict:
    return {
        "title": "干部任前公示",
        "department": department_name(),
        "phone": settings.ORGDEPT_NOTICE_PHONE or BLANK,
        "address": settings.ORGDEPT_NOTICE_ADDRESS or BLANK,
        "notices": [group.context() for group in notice_groups(covered(PUBLIC_NOTICE, subject))],
    }


def render_public_notice(document) -> tuple[bytes, str]:
    subject = _subject_for(document)
    pdf = render_pdf("cadres/pdf/proposal_public_notice.html", public_notice_context(subject))
    return pdf, _file_name("干部任前公示", subject)


# --- 任免通知 ------------------------------------------------------------------------------------------------


def appointment_line(proposal: AppointmentProposal) -> str:
    """One decision as the notice words it: 任命李明为区财政局局长，免去其区财政局副局长职务."""
    name, target, current = proposal.cadre.name, target_label(proposal), current_label(proposal)
    if proposal.action == Action.REMOVE:
        return f"免去{name}的{current}职务"
    if proposal.action == Action.CONFIRM:
        return f"{name}同志任{current}试用期满，经考核合格，正式任职"
    line = f"任命{name}为{target}"
    return f"{line}，免去其{current}职务" if current else line


def appointment_subject(proposals: list[AppointmentProposal]) -> str:
    """任职, 免职 or 任免职务: what the title says the notice is about."""
    removing = {p.action == Action.REMOVE or (p.current_position_id and p.action != Action.CONFIRM) for p in proposals}
    appointing = {p.action != Action.REMOVE for p in proposals}
    if removing == {False}:
        return "任职"
    if appointing == {False}:
        return "免职"
    return "任免职务"


def appointment_notice_context(subject: Subject, on: date) -> dict:
    proposals = covered(APPOINTMENT_NOTICE, subject)
    names = [p.cadre.name for p in proposals]
    who = f"{names[0]}等同志" if len(names) > 1 else f"{names[0]}同志"
    committee = committee_name()
    on_probation = [p.cadre.name for p in proposals if PROBATION in required_steps(p)]
    lines = [appointment_line(p) for p in proposals]
    return {
        "title": f"{committee}关于{who}{appointment_subject(proposals)}的通知",
        "committee": committee,
        "committee_word": committee_word(),
        "number": f"{settings.ORGDEPT_APPOINTMENT_NOTICE_PREFIX or '＿＿'}〔{on.year}〕＿＿号",
        "to": settings.ORGDEPT_APPOINTMENT_NOTICE_TO,
        "lines": [f"{line}{'。' if n == len(lines) else '；'}" for n, line in enumerate(lines, start=1)],
        "probation": (
            f"{'、'.join(on_probation)}同志试用期{year_words(settings.ORGDEPT_PROBATION_MONTHS)}。"
            if on_probation
            else ""
        ),
        "dated": cn_date(on),
    }


def render_appointment_notice(document) -> tuple[bytes, str]:
    subject = _subject_for(document)
    context = appointment_notice_context(subject, _made_on(document))
    return render_pdf("cadres/pdf/proposal_appointment_notice.html", context), _file_name("任免通知", subject)


# --- who may ask, and the request ---------------------------------------------------------------------------

VIEW_ROUND = "cadres.view_proposalround"
VIEW_PROPOSAL = "cadres.view_appointmentproposal"


def may_request(user, params: dict) -> bool:
    """A round's documents: who may see rounds; a proposal's: who may see proposals."""
    if (pk := _pk(params, "proposal")) is not None:
        return user.has_perm(VIEW_PROPOSAL) and AppointmentProposal.objects.filter(pk=pk).exists()
    if (pk := _pk(params, "round")) is not None:
        return user.has_perm(VIEW_ROUND) and ProposalRound.objects.filter(pk=pk).exists()
    return False


def may_request_forms(user, params: dict) -> bool:
    """The 任免审批表 prints the whole cadre file (family, resume), the summary each cadre's birth, education and
    posts: the file's own permission is needed too."""
    return user.has_perm("cadres.view_cadre") and may_request(user, params)


def document_title(kind: str, subject: Subject) -> str:
    return f"{LABELS[kind]}（{subject.name}）"


@transaction.atomic
def proposal_document_request(
    *, kind: str, actor, proposal_round: ProposalRound | None = None, proposal: AppointmentProposal | None = None
) -> Document:
    """Asks the document service for a document of a round or of one proposal; refused with the reason when it
    cannot be made yet. The request is recorded on the round or proposal (and, for the 任免审批表, on each cadre's
    file, as every other request of a form is)."""
    if kind not in LABELS:
        raise ApplicationError(f"未知的文件类型：{kind}")
    if proposal is not None:
        # judged on its stage now, not on the copy the caller holds
        proposal = AppointmentProposal.objects.select_related("round", "cadre").get(pk=proposal.pk)
        subject = Subject(proposal.round, proposal)
    elif proposal_round is not None:
        subject = Subject(proposal_round)
    else:
        raise ApplicationError("请指定任免批次或任免事项")
    if refusal := document_refusal(kind, subject):
        raise ApplicationError(refusal)
    document = document_request(kind=kind, params=subject.params, title=document_title(kind, subject), actor=actor)
    audit_log(
        actor=actor,
        action="proposal.document_requested" if proposal is not None else "proposal_round.document_requested",
        obj=proposal if proposal is not None else subject.proposal_round,
        details={"kind": kind, "document": document.pk},
    )
    if kind == APPROVAL_FORMS:
        for row in covered(APPROVAL_FORMS, subject):
            audit_log(
                actor=actor, action="cadre.approval_form_requested", obj=row.cadre, details={"document": document.pk}
            )
    return document


def register() -> None:
    for name, render, may in (
        (APPROVAL_FORMS, render_approval_forms, may_request_forms),
        (SUMMARY, render_summary, may_request_forms),
        (PUBLIC_NOTICE, render_public_notice, may_request),
        (APPOINTMENT_NOTICE, render_appointment_notice, may_request),
    ):
        register_document_kind(DocumentKind(name=name, label=LABELS[name], render=render, may_request=may))

"""The 干部任免审批表: a cadre file plus the options of one form → the sheet's context → HTML → a one-page PDF."""

from __future__ import annotations

import base64
import math
import unicodedata
from dataclasses import asdict, dataclass, replace
from datetime import date

from django.utils import timezone

from orgdept.core.documents import DocumentKind, register_document_kind
from orgdept.core.exceptions import ApplicationError
from orgdept.core.idnumbers import id_number_birth_date
from orgdept.core.pdf import render_pdf
from orgdept.core.yearmonth import age_on, format_year_month

from .extensions import appraisal_summaries, appraisal_summary
from .models import Cadre, Education, PoliticalStatus

DOCUMENT_KIND = "approval_form"
PDF_TEMPLATE = "cadres/pdf/approval_form.html"
BATCH_MAX = 200

# How 入党时间 reads for members of other parties and the rest (the form has no political-status line):
# the time they joined, then the party's short name; CPC members show the time alone.
POLITICAL_SHORT_NAMES = {
    PoliticalStatus.PROBATIONARY: "预备党员",
    PoliticalStatus.LEAGUE: "共青团员",
    PoliticalStatus.RCCK: "民革",
    PoliticalStatus.CDL: "民盟",
    PoliticalStatus.CNDCA: "民建",
    PoliticalStatus.CAPD: "民进",
    PoliticalStatus.CPWDP: "农工党",
    PoliticalStatus.CZGP: "致公党",
    PoliticalStatus.JIUSAN: "九三学社",
    PoliticalStatus.TDSGL: "台盟",
    PoliticalStatus.NON_PARTY: "无党派",
    PoliticalStatus.MASSES: "群众",
}


@dataclass(frozen=True)
class FormOptions:
    """What one form says beyond the cadre file. Dates left blank are filled in by `resolved`."""

    proposed_post: str = ""  # 拟任职务
    removed_post: str = ""  # 拟免职务
    reason: str = ""  # 任免理由
    age_on: date | None = None  # 计算年龄时间
    reporting_unit: str = ""  # 呈报单位
    filled_by: str = ""  # 填表人
    filled_on: date | None = None  # 填表时间
    appraisal: str | None = None  # 年度考核结果; None: as the appraisal app reports it
    current_post: str = ""  # 现任职务 as the proposal found it; blank: the cadre file's

    def resolved(self, today: date) -> FormOptions:
        return replace(self, age_on=self.age_on or today, filled_on=self.filled_on or today)

    def to_params(self) -> dict:
        """As JSON for a Document's params."""
        data = asdict(self)
        for key in ("age_on", "filled_on"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_params(cls, data: dict) -> FormOptions:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        for key in ("age_on", "filled_on"):
            if known.get(key):
                known[key] = date.fromisoformat(known[key])
        return cls(**known)


def party_text(political_status: str, joined: date | None) -> str:
    """入党时间 as the form and the .lrmx write it: 1995.06, or 1995.06民盟, 民盟, 群众 for the others."""
    when = format_year_month(joined)
    if political_status in ("", PoliticalStatus.CPC):
        return when
    return f"{when}{POLITICAL_SHORT_NAMES.get(political_status, political_status)}"


def birth_date_of(cadre: Cadre) -> date:
    """The birth date ages are counted from: the ID number's day when it agrees with the recorded month."""
    try:
        born = id_number_birth_date(cadre.id_number)
    except Exception:  # an ID number the file could not validate: the month is all there is
        return cadre.birth_month
    if cadre.birth_month and (born.year, born.month) != (cadre.birth_month.year, cadre.birth_month.month):
        return cadre.birth_month
    return born


def birth_with_age(cadre: Cadre, on: date) -> str:
    """1975.03（51岁）"""
    if not cadre.birth_month:
        return ""
    return f"{format_year_month(cadre.birth_month)}（{age_on(birth_date_of(cadre), on)}岁）"


# --- fitting one page ------------------------------------------------------------------------------

PT_MM = 25.4 / 72
LINE_HEIGHT = 1.3
# Millimetres of the sheet (static/css/approval_form.css): its width (A4 less the side margins), the label
# column, the page's content height, and everything but the rows that grow with the file (title, the rows
# above the 简历, the two approval rows and the foot line), as measured on the rendered sheet.
SHEET_WIDTH_MM = 182.0
LABEL_MM = 19.0
PAGE_CONTENT_MM = 281.0
FIXED_MM = 142.0
SAFETY_MM = 2.0
BLOCK_PAD_MM = 2.3  # vertical padding and border of a text block (奖惩情况 etc.)
TEXT_PT = 10.5
FAMILY_PT = 9.5
FAMILY_MIN_ROWS = 6
FAMILY_ROW_MM = 5.8
FAMILY_WORK_MM = 68.0
RESUME_MIN_MM = 40.0
RESUME_SIZES_PT = (11.0, 10.5, 10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5)
RESUME_COMFORTABLE_PT = 8.0  # below this, the blank rows of the sheet make room first
RESUME_PERIOD_EM = 9.2  # "1993.09--1997.07" and the gap after it (.af-period)


def _text_em(text: str) -> float:
    """The width of `text` in ems: CJK and full-width characters are 1em, the rest about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _lines(text: str, width_mm: float, size_pt: float) -> int:
    """How many lines `text` takes in a box `width_mm` wide (a little pessimistic: breaks are not exact)."""
    per_line = max(width_mm / (size_pt * PT_MM), 1.0)
    return sum(max(1, math.ceil(_text_em(part) * 1.03 / per_line)) for part in text.split("\n"))


def _lines_mm(lines: int, size_pt: float) -> float:
    return lines * size_pt * LINE_HEIGHT * PT_MM


def resume_font(lines: list[dict], box_mm: float) -> float:
    """The largest font at which the 简历 fits its box; the smallest one when none does."""
    width = SHEET_WIDTH_MM - LABEL_MM - 4.5
    for size in RESUME_SIZES_PT:
        text_width = width - RESUME_PERIOD_EM * size * PT_MM
        count = sum(_lines(line["text"], text_width, size) for line in lines)
        if _lines_mm(count, size) + BLOCK_PAD_MM <= box_mm:
            return size
    return RESUME_SIZES_PT[-1]


def _layout(sheet: dict, *, compact: bool = False) -> dict:
    """Heights (mm) of the rows that grow with the file; the 简历 gets what is left of the page.

    `compact` gives a long 简历 the room of the blank family rows and of the empty text blocks.
    """
    wide = SHEET_WIDTH_MM - LABEL_MM - 4.5
    # the labels (奖　惩/情　况 …) take two lines: 10mm is as low as these rows go
    minimum = 10.0 if compact else 11.0

    def block(text: str, least: float) -> float:
        return max(least, _lines_mm(_lines(text, wide, TEXT_PT), TEXT_PT) + BLOCK_PAD_MM)

    heights = {
        "rewards": block("\n".join(sheet["rewards"]), minimum),
        "appraisal": block(sheet["appraisal"], 10.0),
        "reason": block(sheet["reason"], minimum),
    }
    family = FAMILY_ROW_MM  # the header row
    for member in sheet["family"]:
        family += max(FAMILY_ROW_MM, _lines_mm(_lines(member["work_and_post"], FAMILY_WORK_MM, FAMILY_PT), FAMILY_PT))
    heights["family"] = family
    heights["resume"] = max(RESUME_MIN_MM, PAGE_CONTENT_MM - FIXED_MM - SAFETY_MM - sum(heights.values()))
    return {key: round(value, 1) for key, value in heights.items()}


def _fit(sheet: dict) -> None:
    """Sets the row heights and the 简历's font so that the sheet fills one page."""
    members = [m for m in sheet["family"] if any(m.values())]
    blank = {"relation": "", "name": "", "born": "", "political_status": "", "work_and_post": ""}
    sheet["family"] = members + [blank] * max(0, FAMILY_MIN_ROWS - len(members))
    heights = _layout(sheet)
    size = resume_font(sheet["resume"], heights["resume"])
    if size < RESUME_COMFORTABLE_PT:
        sheet["family"] = members or [blank]
        heights = _layout(sheet, compact=True)
        size = resume_font(sheet["resume"], heights["resume"])
    sheet["heights"] = heights
    sheet["resume_pt"] = size


# --- the sheet -------------------------------------------------------------------------------------


def _education(entries: dict, kind: str) -> dict:
    entry = entries.get(kind)
    if not entry:
        return {"education": "", "degree": "", "school": ""}
    return {"education": entry.education, "degree": entry.degree, "school": entry.school_major}


def sheet_context(cadre: Cadre, options: FormOptions, *, photo_uri: str = "", today: date | None = None) -> dict:
    """Everything one form shows. `cadre` comes with its sections (see `cadres_for_forms`)."""
    options = options.resolved(today or timezone.localdate())
    entries = {e.kind: e for e in cadre.educations.all()}
    appraisal = options.appraisal if options.appraisal is not None else appraisal_summary(cadre, options.age_on)
    family = [
        {
            "relation": m.relation,
            "name": m.name,
            "born": format_year_month(m.birth_month),
            "political_status": m.political_status,
            "work_and_post": m.work_and_post,
        }
        for m in cadre.family_members.all()
    ]
    sheet = {
        "name": cadre.name,
        "gender": cadre.get_gender_display(),
        "birth": birth_with_age(cadre, options.age_on),
        "ethnicity": cadre.ethnicity,
        "native_place": cadre.native_place,
        "birthplace": cadre.birthplace,
        "party": party_text(cadre.political_status, cadre.party_joined_month)
        if cadre.political_status != PoliticalStatus.MASSES or cadre.party_joined_month
        else "",
        "work_started": format_year_month(cadre.work_started_month),
        "health": cadre.health,
        "professional_title": cadre.professional_title,
        "expertise": cadre.expertise,
        "full_time": _education(entries, Education.Kind.FULL_TIME),
        "in_service": _education(entries, Education.Kind.IN_SERVICE),
        "current_post": options.current_post or cadre.current_post,
        "proposed_post": options.proposed_post,
        "removed_post": options.removed_post,
        "resume": [
            {
                "period": f"{format_year_month(line.start_month)}--{format_year_month(line.end_month)}",
                "text": line.description,
            }
            for line in cadre.resume_lines.all()
        ],
        "rewards": [
            f"{format_year_month(item.month)} {item.description}".strip() for item in cadre.rewards_punishments.all()
        ],
        "appraisal": appraisal or "",
        "reason": options.reason,
        "family": family,
        "reporting_unit": options.reporting_unit,
        "age_on": options.age_on,
        "filled_on": options.filled_on,
        "filled_by": options.filled_by,
        "photo_uri": photo_uri,
    }
    _fit(sheet)
    return sheet


def photo_data_uri(cadre: Cadre) -> str:
    """The photo as a data: URI: it lives in private storage, which neither WeasyPrint nor a browser may fetch."""
    if not cadre.photo:
        return ""
    try:
        with cadre.photo.open("rb") as f:
            content = f.read()
    except (FileNotFoundError, OSError):
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(content).decode("ascii")


def cadres_for_forms(ids: list[int]) -> list[Cadre]:
    """The cadres of `ids` in that order, each with the sections the form prints (a fixed number of queries)."""
    cadres = Cadre.objects.select_related("unit").prefetch_related(
        "educations", "resume_lines", "rewards_punishments", "family_members"
    )
    by_pk = {c.pk: c for c in cadres.filter(pk__in=ids)}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def render_forms_pdf(forms: list[tuple[Cadre, FormOptions]], *, today: date | None = None) -> bytes:
    """One PDF, one page per form: a single HTML document with page breaks renders much faster than merging."""
    today = today or timezone.localdate()
    forms = [(cadre, options.resolved(today)) for cadre, options in forms]
    # the 年度考核结果 of every form in one ask per age date, not one query per cadre
    asked: dict[date, list[Cadre]] = {}
    for cadre, options in forms:
        if options.appraisal is None:
            asked.setdefault(options.age_on, []).append(cadre)
    found = {(day, pk): text for day, cadres in asked.items() for pk, text in appraisal_summaries(cadres, day).items()}
    forms = [
        (cadre, replace(options, appraisal=found[options.age_on, cadre.pk]) if options.appraisal is None else options)
        for cadre, options in forms
    ]
    sheets = [sheet_context(cadre, options, photo_uri=photo_data_uri(cadre), today=today) for cadre, options in forms]
    title = "干部任免审批表" if len(sheets) != 1 else f"干部任免审批表（{sheets[0]['name']}）"
    return render_pdf(PDF_TEMPLATE, {"sheets": sheets, "title": title})


# --- the document kind ---------------------------------------------------------------------------
# params: {"forms": [{"cadre": pk, "proposed_post": ..., "removed_post": ..., "reason": ...}], "options": {...}}
# where "options" holds what all forms share and each form's own keys override it.


def document_params(forms: list[tuple[int, FormOptions]], shared: FormOptions) -> dict:
    shared_params = shared.to_params()
    rows = []
    for pk, options in forms:
        own = {k: v for k, v in options.to_params().items() if v != shared_params.get(k)}
        rows.append({"cadre": pk, **own})
    return {"forms": rows, "options": shared_params}


def forms_of_params(params: dict) -> list[tuple[int, FormOptions]]:
    shared = params.get("options") or {}
    return [(int(row["cadre"]), FormOptions.from_params({**shared, **row})) for row in params.get("forms", [])]


def render_document(document) -> tuple[bytes, str]:
    forms = forms_of_params(document.params)
    cadres = {c.pk: c for c in cadres_for_forms([pk for pk, _options in forms])}
    present = [(cadres[pk], options) for pk, options in forms if pk in cadres]
    if not present:
        raise ApplicationError("表中的干部档案已不存在")
    pdf = render_forms_pdf(present, today=timezone.localdate(document.created_at))
    if len(present) == 1:
        return pdf, f"干部任免审批表-{present[0][0].name}.pdf"
    return pdf, f"干部任免审批表-{len(present)}人.pdf"


def may_request(user, params) -> bool:
    return user.has_perm("cadres.view_cadre")


def register() -> None:
    register_document_kind(
        DocumentKind(name=DOCUMENT_KIND, label="干部任免审批表", render=render_document, may_request=may_request)
    )

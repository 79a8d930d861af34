"""The team structure (班子结构) of a unit or of all units as a PDF: a document kind of the cadres app."""

from __future__ import annotations

from datetime import date

from django.conf import settings

from orgdept.core.documents import DocumentKind, register_document_kind
from orgdept.core.exceptions import ApplicationError
from orgdept.core.pdf import render_pdf

from .models import Unit
from .selectors import EVERYONE, TEAM, team_member_list, team_structure
from .structure import team_structure_charts


def render_team_structure(document) -> tuple[bytes, str]:
    params = document.params
    unit = None
    if params.get("unit"):
        unit = Unit.objects.filter(pk=params["unit"]).first()
        if unit is None:
            raise ApplicationError("单位已不存在，无法生成班子结构分析")
    scope = params.get("scope") if params.get("scope") in (TEAM, EVERYONE) else TEAM
    on_date = date.fromisoformat(params["on"]) if params.get("on") else date.today()
    structure = team_structure(unit=unit, scope=scope, on_date=on_date)
    fonts = ", ".join(f"'{family}'" for family in settings.ORGDEPT_PDF_FONT_FAMILIES)
    pdf = render_pdf(
        "cadres/pdf/structure.html",
        {
            "title": f"{structure.title}结构分析",
            "structure": structure,
            "charts": team_structure_charts(structure, prefix="pdf", font_family=fonts),
            "members": team_member_list(unit=unit, scope=scope, on_date=on_date) if unit is not None else None,
            "printed": date.today(),
        },
    )
    return pdf, f"{structure.title}结构分析（{on_date:%Y%m%d}）.pdf"


def may_request_team_structure(user, params) -> bool:
    return user.has_perm("cadres.view_cadre")


def register() -> None:
    register_document_kind(
        DocumentKind(
            name="team_structure",
            label="班子结构分析",
            render=render_team_structure,
            may_request=may_request_team_structure,
        )
    )

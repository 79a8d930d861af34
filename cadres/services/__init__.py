"""Every write to the cadres app goes through these services."""

from .lrmx import LrmxPreview, cadre_apply_lrmx, lrmx_match, lrmx_preview
from .positions import (
    QuotaLine,
    occupancy,
    position_create,
    position_update,
    quota_check,
    quota_lines,
    quota_set,
    units_over_quota,
)
from .records import (
    CADRE_FIELDS,
    EducationEntry,
    cadre_assign_position,
    cadre_check,
    cadre_create,
    cadre_replace_family,
    cadre_replace_resume,
    cadre_replace_rewards,
    cadre_set_education,
    cadre_set_photo,
    cadre_update,
    name_initials,
    unit_create,
    unit_update,
)
from .roster import COLUMNS as ROSTER_COLUMNS
from .roster import roster_export, roster_import, roster_template

__all__ = [
    "CADRE_FIELDS",
    "ROSTER_COLUMNS",
    "EducationEntry",
    "LrmxPreview",
    "QuotaLine",
    "cadre_apply_lrmx",
    "cadre_assign_position",
    "cadre_check",
    "cadre_create",
    "cadre_replace_family",
    "cadre_replace_resume",
    "cadre_replace_rewards",
    "cadre_set_education",
    "cadre_set_photo",
    "cadre_update",
    "lrmx_match",
    "lrmx_preview",
    "name_initials",
    "occupancy",
    "position_create",
    "position_update",
    "quota_check",
    "quota_lines",
    "quota_set",
    "roster_export",
    "roster_import",
    "roster_template",
    "unit_create",
    "unit_update",
    "units_over_quota",
]

"""Every write to the cadres app goes through these services."""

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

__all__ = [
    "CADRE_FIELDS",
    "EducationEntry",
    "cadre_assign_position",
    "cadre_check",
    "cadre_create",
    "cadre_replace_family",
    "cadre_replace_resume",
    "cadre_replace_rewards",
    "cadre_set_education",
    "cadre_set_photo",
    "cadre_update",
    "name_initials",
    "unit_create",
    "unit_update",
]
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

__all__ += [
    "QuotaLine",
    "occupancy",
    "position_create",
    "position_update",
    "quota_check",
    "quota_lines",
    "quota_set",
    "units_over_quota",
]

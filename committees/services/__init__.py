"""Every write to the committees app goes through these services."""

from .absences import (
    leave_cancel,
    leave_record,
    quarter_last_day,
    quarter_of,
    quarterly_report_record,
    quarterly_report_reminders_schedule,
    substitute_designate,
)
from .portfolios import (
    portfolio_assignment_set,
    portfolio_plan_activate,
    portfolio_plan_create,
    portfolio_plan_discard,
    portfolio_plan_update,
    work_area_create,
    work_area_update,
)
from .terms import (
    alternate_promote,
    committee_create,
    role_label,
    term_change,
    term_create,
    term_member_add,
    term_member_change_role,
    term_member_leave,
    term_member_update,
    term_update,
)

__all__ = [
    "alternate_promote",
    "committee_create",
    "leave_cancel",
    "leave_record",
    "portfolio_assignment_set",
    "portfolio_plan_activate",
    "portfolio_plan_create",
    "portfolio_plan_discard",
    "portfolio_plan_update",
    "quarter_last_day",
    "quarter_of",
    "quarterly_report_record",
    "quarterly_report_reminders_schedule",
    "role_label",
    "substitute_designate",
    "term_change",
    "term_create",
    "term_member_add",
    "term_member_change_role",
    "term_member_leave",
    "term_member_update",
    "term_update",
    "work_area_create",
    "work_area_update",
]

"""The training pages (培训科 and 部领导): plans, classes with their sessions, call-ups and attendance, transcripts,
shortfalls and the credit import."""

from .attendance import session_attendance_view
from .callup import class_call_up, enrolment_withdraw_view
from .classes import (
    ClassListView,
    class_close,
    class_detail,
    class_edit,
    class_new,
    session_add,
    session_remove,
)
from .common import INDEX_ROLES
from .imports import credit_batch, credit_commit, credit_import, credit_template_view
from .plans import index, plan_approve, plan_detail, plan_edit, plan_new, plan_return, plan_submit
from .shortfalls import shortfalls, shortfalls_export, shortfalls_unit
from .transcripts import credit_new, evidence_download, my_transcript, transcript_pdf, transcript_view

__all__ = [
    "INDEX_ROLES",
    "ClassListView",
    "class_call_up",
    "class_close",
    "class_detail",
    "class_edit",
    "class_new",
    "credit_batch",
    "credit_commit",
    "credit_import",
    "credit_new",
    "credit_template_view",
    "enrolment_withdraw_view",
    "evidence_download",
    "index",
    "my_transcript",
    "plan_approve",
    "plan_detail",
    "plan_edit",
    "plan_new",
    "plan_return",
    "plan_submit",
    "session_add",
    "session_attendance_view",
    "session_remove",
    "shortfalls",
    "shortfalls_export",
    "shortfalls_unit",
    "transcript_pdf",
    "transcript_view",
]

"""Training URLs (namespace `training`)."""

from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    # annual plans (the section's first page)
    path("", views.index, name="index"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/submit/", views.plan_submit, name="plan_submit"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("plans/<int:pk>/return/", views.plan_return, name="plan_return"),
    path("plans/<int:plan_pk>/classes/new/", views.class_new, name="class_new"),
    # classes, their sessions, call-ups and attendance
    path("classes/", views.ClassListView.as_view(), name="class_list"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("classes/<int:pk>/edit/", views.class_edit, name="class_edit"),
    path("classes/<int:pk>/sessions/", views.session_add, name="session_add"),
    path("classes/<int:pk>/call-up/", views.class_call_up, name="class_call_up"),
    path("classes/<int:pk>/close/", views.class_close, name="class_close"),
    path("sessions/<int:pk>/remove/", views.session_remove, name="session_remove"),
    path("sessions/<int:pk>/attendance/", views.session_attendance_view, name="session_attendance"),
    path("enrolments/<int:pk>/withdraw/", views.enrolment_withdraw_view, name="enrolment_withdraw"),
    # transcripts
    path("cadres/<int:pk>/", views.transcript_view, name="transcript"),
    path("cadres/<int:pk>/credits/", views.credit_new, name="credit_new"),
    path("cadres/<int:pk>/transcript.pdf", views.transcript_pdf, name="transcript_pdf"),
    path("credits/<int:pk>/evidence/", views.evidence_download, name="evidence"),
    path("mine/", views.my_transcript, name="my_transcript"),
    # the units' shortfalls
    path("shortfalls/", views.shortfalls, name="shortfalls"),
    path("shortfalls/units/<int:pk>/", views.shortfalls_unit, name="shortfalls_unit"),
    path("shortfalls/export/", views.shortfalls_export, name="shortfalls_export"),
    # credit import
    path("credits/import/", views.credit_import, name="credit_import"),
    path("credits/import/template/", views.credit_template_view, name="credit_template"),
    path("credits/import/<int:pk>/", views.credit_batch, name="credit_batch"),
    path("credits/import/<int:pk>/commit/", views.credit_commit, name="credit_commit"),
]

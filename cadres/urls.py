"""Cadre URLs (namespace `cadres`)."""

from django.urls import path

from .views import approval_form, records, roster, structure, units

app_name = "cadres"

urlpatterns = [
    path("", records.CadreListView.as_view(), name="cadre_list"),
    path("<int:pk>/", records.cadre_detail, name="cadre_detail"),
    path("new/", records.cadre_new, name="cadre_new"),
    path("export/", records.cadre_export, name="cadre_export"),
    path("<int:pk>/edit/", records.cadre_edit, name="cadre_edit"),
    path("<int:pk>/edit/education/", records.cadre_edit_education, name="cadre_edit_education"),
    path("<int:pk>/edit/photo/", records.cadre_edit_photo, name="cadre_edit_photo"),
    path("<int:pk>/edit/<slug:section>/", records.cadre_edit_section, name="cadre_edit_section"),
    path("<int:pk>/photo/", records.cadre_photo, name="cadre_photo"),
    path("units/", units.UnitListView.as_view(), name="unit_list"),
    path("units/new/", units.unit_new, name="unit_new"),
    path("units/<int:pk>/", units.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", units.unit_edit, name="unit_edit"),
    path("units/<int:pk>/positions/new/", units.position_new, name="position_new"),
    path("units/<int:pk>/quotas/", units.quota_edit, name="quota_edit"),
    path("positions/<int:pk>/edit/", units.position_edit, name="position_edit"),
    path("quotas/", units.QuotaOverviewView.as_view(), name="quota_overview"),
    path("structure/", structure.structure_view, name="structure"),
    path("structure/pdf/", structure.structure_pdf, name="structure_pdf"),
    path("rotation/", structure.RotationListView.as_view(), name="rotation"),
    path("<int:pk>/approval-form/", approval_form.approval_form_preview, name="approval_form_preview"),
    path("<int:pk>/approval-form/request/", approval_form.approval_form, name="approval_form"),
    path("<int:pk>/lrmx/", approval_form.cadre_lrmx, name="cadre_lrmx"),
    path("approval-forms/", approval_form.approval_form_batch, name="approval_form_batch"),
    path("lrmx/import/", approval_form.lrmx_import, name="lrmx_import"),
    path("lrmx/import/<str:token>/", approval_form.lrmx_import_preview, name="lrmx_import_preview"),
    path("roster/", roster.roster_import, name="roster_import"),
    path("roster/<int:pk>/", roster.roster_batch, name="roster_batch"),
    path("roster/<int:pk>/commit/", roster.roster_commit, name="roster_commit"),
    path("roster/export/<slug:fmt>/", roster.roster_export_view, name="roster_export"),
    path("roster/template/", roster.roster_template_view, name="roster_template"),
]

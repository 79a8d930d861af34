"""Cadre URLs (namespace `cadres`)."""

from django.urls import path

from .views import approval_form, proposal_documents, proposals, records, reserve, roster, selection, structure, units

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
    # the appointment procedure's documents (kind: see cadres.proposal_pdf.ROUND_KINDS and PROPOSAL_KINDS)
    path(
        "proposals/rounds/<int:pk>/documents/<slug:kind>/",
        proposal_documents.round_document,
        name="round_document",
    ),
    path("proposals/<int:pk>/documents/<slug:kind>/", proposal_documents.proposal_document, name="proposal_document"),
]

# the appointment procedure (任免): the work queue, rounds, a proposal's steps, recommendations, step documents
urlpatterns += [
    path("proposals/", proposals.ProposalListView.as_view(), name="proposal_list"),
    path("proposals/<int:pk>/", proposals.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/step/<slug:action>/", proposals.proposal_step, name="proposal_step"),
    path("proposals/<int:pk>/checks/<slug:kind>/", proposals.proposal_check, name="proposal_check"),
    path("proposals/<int:pk>/notice-end/", proposals.notice_end_preview, name="proposal_notice_end"),
    path("proposals/<int:pk>/documents/", proposals.document_upload, name="proposal_document_upload"),
    path("proposals/documents/<int:pk>/", proposals.document_download, name="proposal_document_download"),
    path("proposals/objections/<int:pk>/resolve/", proposals.objection_resolve, name="proposal_objection_resolve"),
    path("proposals/rounds/", proposals.RoundListView.as_view(), name="round_list"),
    path("proposals/rounds/new/", proposals.round_new, name="round_new"),
    path("proposals/rounds/<int:pk>/", proposals.round_detail, name="round_detail"),
    path("proposals/rounds/<int:pk>/proposals/", proposals.proposal_new, name="proposal_new"),
    path("proposals/recommendations/", proposals.RecommendationListView.as_view(), name="recommendation_list"),
    path("proposals/recommendations/new/", proposals.recommendation_new, name="recommendation_new"),
    path("proposals/pick/cadres/", proposals.cadre_suggestions, name="proposal_cadre_suggestions"),
    path("proposals/pick/positions/", proposals.position_options, name="proposal_position_options"),
    path("proposals/pick/quota/", proposals.quota_line, name="proposal_quota_line"),
]

# the reserve-cadre pool (后备干部) and competitive selection (竞争上岗)
urlpatterns += [
    path("reserve/", reserve.ReserveListView.as_view(), name="reserve_list"),
    path("reserve/add/", reserve.reserve_add, name="reserve_add"),
    path("reserve/<int:pk>/remove/", reserve.reserve_remove, name="reserve_remove"),
    path("selections/", selection.SelectionListView.as_view(), name="selection_list"),
    path("selections/new/", selection.selection_create, name="selection_create"),
    path("selections/posts/", selection.position_options, name="selection_position_options"),
    path("selections/<int:pk>/", selection.selection_detail, name="selection_detail"),
    path("selections/<int:pk>/applicants/", selection.applicant_add, name="selection_applicant_add"),
    path("selections/<int:pk>/scores/", selection.scores_save, name="selection_scores"),
    path("selections/<int:pk>/close/", selection.selection_close, name="selection_close"),
    path("selections/applicants/<int:pk>/remove/", selection.applicant_remove, name="selection_applicant_remove"),
]

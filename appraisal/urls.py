"""Appraisal URLs (namespace `appraisal`)."""

from django.urls import path

from . import views
from .views.history import cadre_history

app_name = "appraisal"

urlpatterns = [
    # cycles and their set-up
    path("", views.index, name="index"),
    path("new/", views.cycle_new, name="cycle_new"),
    path("<int:pk>/", views.cycle_detail, name="cycle"),
    path("<int:pk>/groups/", views.group_add, name="group_add"),
    path("<int:pk>/groups/<int:group_pk>/members/", views.members_add, name="members_add"),
    path("<int:pk>/groups/<int:group_pk>/indicators/", views.indicator_add, name="indicator_add"),
    path("<int:pk>/voter-groups/", views.voter_group_add, name="voter_group_add"),
    path("<int:pk>/elements/", views.element_add, name="element_add"),
    path("<int:pk>/voters/", views.voter_add, name="voter_add"),
    path("<int:pk>/move/<slug:move>/", views.cycle_move, name="cycle_move"),
    path("<int:pk>/back/", views.cycle_step_back, name="cycle_step_back"),
    # ballots
    path("ballots/", views.my_ballots, name="my_ballots"),
    path("ballots/<int:voter_pk>/<int:member_pk>/", views.ballot_submit, name="ballot_submit"),
    path("ballots/<int:voter_pk>/mine.pdf", views.own_ballots, name="own_ballots"),
    path("<int:pk>/paper-ballots/", views.paper_ballots, name="paper_ballots"),
    path("<int:pk>/voter-groups/<int:voter_group_pk>/ballot.pdf", views.blank_ballot, name="blank_ballot"),
    # scores, results and ratings
    path("<int:pk>/groups/<int:group_pk>/scores/", views.scores_entry, name="scores"),
    path("<int:pk>/scores/import/", views.score_import, name="score_import"),
    path("scores/import/<int:pk>/", views.score_batch, name="score_batch"),
    path("scores/import/<int:pk>/commit/", views.score_commit, name="score_commit"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results/compute/", views.results_compute, name="results_compute"),
    path("<int:pk>/results/accept/", views.ratings_accept, name="ratings_accept"),
    path("results/<int:pk>/rating/", views.rating_set, name="rating_set"),
    path("<int:pk>/results/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("<int:pk>/results/export.xlsx", views.results_export, name="results_export"),
    path("<int:pk>/results/units.pdf", views.unit_report, name="unit_report"),
    path("results/<int:pk>/sheet.pdf", views.result_sheet, name="result_sheet"),
    path("consequences/", views.consequence_list, name="consequences"),
    path("consequences/talks/<int:cadre_pk>/<slug:kind>/", views.talk_new, name="talk_new"),
    path("mine/", views.my_results, name="my_results"),
    path("cadres/<int:pk>/", cadre_history, name="cadre_history"),
]

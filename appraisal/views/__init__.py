"""The appraisal pages (考核办, 部领导, voters and appraised cadres): cycles with their set-up and states,
ballots, scores, results and ratings, one's own result, and the documents (PDF, xlsx)."""

from .ballots import ballot_submit, my_ballots, paper_ballots
from .common import INDEX_ROLES
from .consequences import consequence_list, talk_new
from .cycles import (
    cycle_detail,
    cycle_move,
    cycle_new,
    cycle_step_back,
    element_add,
    group_add,
    index,
    indicator_add,
    members_add,
    voter_add,
    voter_group_add,
)
from .documents import blank_ballot, own_ballots, result_sheet, results_export, summary_pdf, unit_report
from .imports import score_batch, score_commit, score_import
from .results import my_results, rating_set, ratings_accept, results, results_compute, scores_entry

__all__ = [
    "INDEX_ROLES",
    "ballot_submit",
    "blank_ballot",
    "consequence_list",
    "cycle_detail",
    "cycle_move",
    "cycle_new",
    "cycle_step_back",
    "element_add",
    "group_add",
    "index",
    "indicator_add",
    "members_add",
    "my_ballots",
    "my_results",
    "own_ballots",
    "paper_ballots",
    "rating_set",
    "ratings_accept",
    "result_sheet",
    "results",
    "results_compute",
    "results_export",
    "score_batch",
    "score_commit",
    "score_import",
    "scores_entry",
    "summary_pdf",
    "talk_new",
    "unit_report",
    "voter_add",
    "voter_group_add",
]

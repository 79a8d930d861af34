"""Access to cadre files: who may not see a file gets 404; who may see it but not change it gets 403."""

from django.shortcuts import get_object_or_404

from orgdept.core.object_permissions import require_perm

from .models import (
    AppointmentProposal,
    Cadre,
    CompetitiveSelection,
    NoticeObjection,
    ProposalDocument,
    ProposalRound,
    ReserveCadre,
    SelectionApplicant,
    Unit,
)

VIEW = "cadres.view_cadre"


def access_cadre(user, pk: int, perm: str = VIEW) -> Cadre:
    cadre = get_object_or_404(Cadre.objects.select_related("unit"), pk=pk)
    require_perm(user, VIEW, cadre)
    if perm != VIEW:
        require_perm(user, perm, cadre, hide=False)
    return cadre


def access_unit(user, pk: int, perm: str = "cadres.view_unit") -> Unit:
    """Units are not secret within the department: who lacks the permission gets 403, not 404."""
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    require_perm(user, perm, unit, hide=False)
    return unit


# --- the appointment procedure: who lacks the view permission is not told a proposal exists -------------------

VIEW_PROPOSAL = "cadres.view_appointmentproposal"
CHANGE_PROPOSAL = "cadres.change_appointmentproposal"
VIEW_ROUND = "cadres.view_proposalround"


def access_proposal(user, pk: int, perm: str = VIEW_PROPOSAL) -> AppointmentProposal:
    proposal = get_object_or_404(
        AppointmentProposal.objects.select_related("cadre", "target_position__unit", "current_position__unit"), pk=pk
    )
    require_perm(user, VIEW_PROPOSAL, proposal)
    if perm != VIEW_PROPOSAL:
        require_perm(user, perm, proposal, hide=False)
    return proposal


def access_round(user, pk: int, perm: str = VIEW_ROUND) -> ProposalRound:
    proposal_round = get_object_or_404(ProposalRound.objects.select_related("created_by"), pk=pk)
    require_perm(user, VIEW_ROUND, proposal_round)
    if perm != VIEW_ROUND:
        require_perm(user, perm, proposal_round, hide=False)
    return proposal_round


def access_objection(user, pk: int, perm: str = CHANGE_PROPOSAL) -> NoticeObjection:
    objection = get_object_or_404(NoticeObjection.objects.select_related("proposal__cadre"), pk=pk)
    require_perm(user, VIEW_PROPOSAL, objection.proposal)
    require_perm(user, perm, objection.proposal, hide=False)
    return objection


def access_proposal_document(user, pk: int) -> ProposalDocument:
    """A step document may be read by who may see its proposal and the procedure's documents."""
    document = get_object_or_404(ProposalDocument.objects.select_related("proposal__cadre"), pk=pk)
    require_perm(user, VIEW_PROPOSAL, document.proposal)
    require_perm(user, "cadres.view_proposaldocument", document)
    return document


# --- reserve cadres (后备干部) and competitive selection (竞争上岗): granted by role, not per object, so who lacks
# the permission gets 403 whether or not the entry exists ---------------------------------------------------------

VIEW_RESERVE = "cadres.view_reservecadre"
VIEW_SELECTION = "cadres.view_competitiveselection"
CHANGE_SELECTION = "cadres.change_competitiveselection"


def access_reserve_entry(user, pk: int, perm: str = VIEW_RESERVE) -> ReserveCadre:
    require_perm(user, VIEW_RESERVE, hide=False)
    require_perm(user, perm, hide=False)
    return get_object_or_404(ReserveCadre.objects.select_related("cadre__unit"), pk=pk)


def access_selection(user, pk: int, perm: str = VIEW_SELECTION) -> CompetitiveSelection:
    require_perm(user, VIEW_SELECTION, hide=False)
    require_perm(user, perm, hide=False)
    return get_object_or_404(CompetitiveSelection.objects.select_related("position__unit", "closed_by"), pk=pk)


def access_applicant(user, pk: int, perm: str = CHANGE_SELECTION) -> SelectionApplicant:
    require_perm(user, VIEW_SELECTION, hide=False)
    require_perm(user, perm, hide=False)
    return get_object_or_404(SelectionApplicant.objects.select_related("selection", "cadre"), pk=pk)

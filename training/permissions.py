"""Access to the training pages: 培训科 work on everything, 部领导 read and approve plans, a cadre with a linked user
account reads their own transcript; who may not see a plan, class or transcript gets 404, who may see it but not
change it gets 403, and the lists answer 403 to everyone else."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from cadres.models import Cadre
from orgdept.core.object_permissions import require_perm

from .models import ClassSession, Enrolment, TrainingClass, TrainingPlan

VIEW_PLAN = "training.view_trainingplan"
ADD_PLAN = "training.add_trainingplan"
CHANGE_PLAN = "training.change_trainingplan"
APPROVE_PLAN = "training.approve_trainingplan"
VIEW_CLASS = "training.view_trainingclass"
ADD_CLASS = "training.add_trainingclass"
CHANGE_CLASS = "training.change_trainingclass"
CHANGE_SESSION = "training.change_classsession"
ADD_ENROLMENT = "training.add_enrolment"
CHANGE_ENROLMENT = "training.change_enrolment"
CHANGE_ATTENDANCE = "training.change_attendance"
VIEW_CREDIT = "training.view_creditentry"
ADD_CREDIT = "training.add_creditentry"


def require_list(user, perm: str) -> None:
    """A list page: 403 unless the user holds `perm` (lists reveal no single object)."""
    if not user.has_perm(perm):
        raise PermissionDenied


def _checked(user, obj, view_perm: str, perm: str):
    """404 unless `user` may see `obj` (`view_perm`), then 403 unless they may also do `perm` on it."""
    require_perm(user, view_perm, obj)
    if perm != view_perm:
        require_perm(user, perm, obj, hide=False)
    return obj


def access_plan(user, pk: int, perm: str = VIEW_PLAN) -> TrainingPlan:
    plan = get_object_or_404(TrainingPlan.objects.select_related("created_by", "approved_by"), pk=pk)
    return _checked(user, plan, VIEW_PLAN, perm)


def access_class(user, pk: int, perm: str = VIEW_CLASS) -> TrainingClass:
    training_class = get_object_or_404(TrainingClass.objects.select_related("plan", "closed_by"), pk=pk)
    return _checked(user, training_class, VIEW_CLASS, perm)


def access_session(user, pk: int, perm: str) -> ClassSession:
    session = get_object_or_404(ClassSession.objects.select_related("training_class__plan"), pk=pk)
    _checked(user, session.training_class, VIEW_CLASS, perm)
    return session


def access_enrolment(user, pk: int, perm: str = CHANGE_ENROLMENT) -> Enrolment:
    enrolment = get_object_or_404(Enrolment.objects.select_related("training_class__plan", "cadre__unit"), pk=pk)
    _checked(user, enrolment.training_class, VIEW_CLASS, perm)
    return enrolment


def may_read_transcripts(user) -> bool:
    """Whether `user` reads every cadre's transcript (培训科, 部领导), not only their own."""
    return user.has_perm(VIEW_CREDIT)


def access_transcript(user, pk: int) -> Cadre:
    """The cadre whose transcript is asked for: to 培训科 and 部领导 any cadre's, to a cadre whose user account is
    linked only their own; anyone else is not told the cadre exists (404)."""
    cadre = get_object_or_404(Cadre.objects.select_related("unit"), pk=pk)
    if may_read_transcripts(user) or (cadre.user_id is not None and cadre.user_id == user.pk):
        return cadre
    raise Http404

"""The authorization matrix: every URL of the project, for every role, an anonymous visitor and a user with no role,
against invariants (login redirects, no 500, no leak of the secret cadres, own-object-only pages, instant revocation).

A new URL fails `test_every_url_has_arguments` until ARGS says how to fill it: that is how it joins the matrix.

Every role's GET status class (see `status_class`) of every URL is compared with `authz_expected.json` next to this
module: a change of who may open what fails, listing each difference, until the table is changed on purpose. To
(re)write the table from the current behaviour, run this module with `AUTHZ_RECORD=1` in the environment (test_matrix
then writes the file instead of comparing), and read the diff of the file before committing it.

Every page answered 200 is asked again as an htmx request and as a search for a secret cadre, and must answer the same
class; every 200 answer to a role that must not see the world's secret cadres (`must_not_see`, from SEES_SECRETS) is
searched for them (text answers only: a compressed PDF or spreadsheet hides its text from this check)."""

from __future__ import annotations

import inspect
import json
import os
import re
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from guardian.models import GroupObjectPermission, UserObjectPermission

from appraisal.models import AppraisalCycle, Ballot
from cadres.models import (
    AppointmentProposal,
    Cadre,
)
from committees.models import Term, WorkArea
from meetings.models import Meeting, MeetingType, Topic, TopicCategory
from orgdept.core import roles
from orgdept.core.models import AuditEvent, Document, Notification
from tests.platform.authz_world import MISSING, first_pk, module_world
from tests.platform.tally import tally
from training.models import CreditEntry, TrainingClass, TrainingPlan

# Django's own admin is the admin's business (its own permission system), not ours
SKIPPED_NAMESPACES = ("admin",)

# open to everyone, signed in or not
PUBLIC = {
    "login",
    "logout",  # POST only (Django 5): an anonymous GET is a 405
    "set_language",  # django.conf.urls.i18n: redirects back wherever it is called from
    "favicon",  # a redirect to the static icon
    "admin_login",  # a redirect to our sign-in page
    "login_verify",  # the code step of signing in: without a pending sign-in it sends back to the login page
}

# what a signed-in user with no role and no linked cadre may open (200), one reason each
OPEN_TO_ANY_USER = {
    "core:home": "navigation entry with no role: the role-aware home page",
    "core:calendar": "navigation entry with no role: the working-day calendar",
    "core:calendar_export": "the same calendar as CSV",
    "core:calendar_pdf": "the same calendar as PDF",
    "core:notification_list": "one's own notifications",
    "core:document_list": "the documents one asked for",
    "password_change": "one's own password",
    "password_change_done": "after one's own password change",
    "login": "redirects a signed-in user onward",
    "appraisal:my_results": "navigation entry for an appraised cadre (visible_when): one's own results, here none",
}

# answer an anonymous visitor 403 (raise_exception=True next to LoginRequiredMixin) instead of sending them to sign in
# URLs allowed to answer the anonymous with a bare 403 instead of sending them to sign in: none
ANONYMOUS_FORBIDDEN: dict[str, str] = {}

# what an empty POST by a user with no role may write, by design
WRITES_BY_DESIGN = {
    "core:calendar_pdf": "the calendar is open to every user: asking for its PDF makes the asker's own Document",
}

ROLES = [*roles.ALL_ROLES, "anonymous", "no role"]


def _pk(name):
    return lambda w: {"pk": w.objects[name].pk}


def _first(model, **extra):
    return lambda w: {"pk": first_pk(model), **extra}


NONE = lambda w: {}  # noqa: E731
YEAR = date.today().year

# URL name -> the URL's arguments from the world
ARGS = {
    "favicon": NONE,
    "admin_login": NONE,
    "login_verify": NONE,
    "core:two_factor": NONE,
    "login": NONE,
    "logout": NONE,
    "password_change": NONE,
    "password_change_done": NONE,
    "set_language": NONE,
    # cadres
    "cadres:cadre_list": NONE,
    "cadres:cadre_detail": _pk("cadre"),
    "cadres:cadre_new": NONE,
    "cadres:cadre_export": NONE,
    "cadres:cadre_edit": _pk("cadre"),
    "cadres:cadre_edit_education": _pk("cadre"),
    "cadres:cadre_edit_photo": _pk("cadre"),
    "cadres:cadre_edit_section": lambda w: {"pk": w.cadre.pk, "section": "family"},
    "cadres:cadre_photo": _pk("cadre"),
    "cadres:unit_list": NONE,
    "cadres:unit_new": NONE,
    "cadres:unit_detail": _pk("unit"),
    "cadres:unit_edit": _pk("unit"),
    "cadres:position_new": _pk("unit"),
    "cadres:quota_edit": _pk("unit"),
    "cadres:position_edit": _pk("position"),
    "cadres:quota_overview": NONE,
    "cadres:structure": NONE,
    "cadres:structure_pdf": NONE,
    "cadres:rotation": NONE,
    "cadres:approval_form_preview": _pk("cadre"),
    "cadres:approval_form": _pk("cadre"),
    "cadres:cadre_lrmx": _pk("cadre"),
    "cadres:approval_form_batch": NONE,
    "cadres:lrmx_import": NONE,
    "cadres:lrmx_import_preview": lambda w: {"token": "no-such-upload"},
    "cadres:roster_import": NONE,
    "cadres:roster_batch": _pk("roster_batch"),
    "cadres:roster_commit": _pk("roster_batch"),
    "cadres:roster_export": lambda w: {"fmt": "csv"},
    "cadres:roster_template": NONE,
    "cadres:round_document": lambda w: {"pk": w.round.pk, "kind": "summary"},
    "cadres:proposal_document": lambda w: {"pk": w.proposal.pk, "kind": "approval-form"},
    "cadres:proposal_list": NONE,
    "cadres:proposal_detail": _pk("proposal"),
    "cadres:proposal_step": lambda w: {"pk": w.proposal.pk, "action": "withdraw"},
    "cadres:proposal_check": lambda w: {"pk": w.proposal.pk, "kind": "archive"},
    "cadres:proposal_notice_end": _pk("proposal"),
    "cadres:proposal_document_upload": _pk("proposal"),
    "cadres:proposal_document_download": _pk("proposal_document"),
    "cadres:proposal_objection_resolve": _pk("objection"),
    "cadres:round_list": NONE,
    "cadres:round_new": NONE,
    "cadres:round_detail": _pk("round"),
    "cadres:proposal_new": _pk("round"),
    "cadres:recommendation_list": NONE,
    "cadres:recommendation_new": NONE,
    "cadres:proposal_cadre_suggestions": NONE,
    "cadres:proposal_position_options": NONE,
    "cadres:proposal_quota_line": NONE,
    "cadres:reserve_list": NONE,
    "cadres:reserve_add": NONE,
    "cadres:reserve_remove": _pk("reserve"),
    "cadres:selection_list": NONE,
    "cadres:selection_create": NONE,
    "cadres:selection_position_options": NONE,
    "cadres:selection_detail": _pk("selection"),
    "cadres:selection_applicant_add": _pk("selection"),
    "cadres:selection_scores": _pk("selection"),
    "cadres:selection_close": _pk("selection"),
    "cadres:selection_applicant_remove": _pk("applicant"),
    # committees
    "committees:term_overview": NONE,
    "committees:term_list": NONE,
    "committees:term_create": NONE,
    "committees:term_change": NONE,
    "committees:term_detail": _pk("term"),
    "committees:term_edit": _pk("term"),
    "committees:member_add": _pk("term"),
    "committees:member_import": _pk("term"),
    "committees:member_import_batch": _pk("term_members_batch"),
    "committees:member_import_commit": _pk("term_members_batch"),
    "committees:member_import_template": NONE,
    "committees:member_edit": _pk("seat"),
    "committees:member_role": _pk("seat"),
    "committees:member_leave": _pk("seat"),
    "committees:alternate_promote": _pk("seat"),
    "committees:portfolio": NONE,
    "committees:work_area_list": NONE,
    "committees:work_area_create": NONE,
    "committees:work_area_edit": _first(WorkArea),
    "committees:plan_list": _pk("term"),
    "committees:plan_create": _pk("term"),
    "committees:plan_detail": _pk("portfolio_plan"),
    "committees:plan_cell": _pk("draft_plan"),
    "committees:plan_activate": _pk("draft_plan"),
    "committees:plan_discard": _pk("draft_plan"),
    "committees:plan_pdf": _pk("portfolio_plan"),
    "committees:substitute_list": NONE,
    "committees:substitute_edit": _pk("seat"),
    "committees:leave_list": NONE,
    "committees:leave_create": NONE,
    "committees:leave_cancel": _pk("leave"),
    "committees:responsibility": NONE,
    "committees:report_list": NONE,
    "committees:report_record": NONE,
    "committees:my_portfolio": NONE,
    # meetings
    "meetings:index": NONE,
    "meetings:rule_list": NONE,
    "meetings:meeting_type_edit": _first(MeetingType),
    "meetings:category_create": NONE,
    "meetings:category_edit": _first(TopicCategory),
    "meetings:cadence": NONE,
    "meetings:topic_list": NONE,
    "meetings:topic_create": NONE,
    "meetings:round_topic_new": lambda w: {"round_pk": w.round.pk},
    "meetings:topic_detail": _pk("topic"),
    "meetings:topic_edit": _pk("draft_topic"),
    "meetings:topic_transition": _pk("draft_topic"),
    "meetings:topic_cadre_add": _pk("draft_topic"),
    "meetings:topic_cadre_remove": _pk("topic_cadre"),
    "meetings:material_upload": _pk("draft_topic"),
    "meetings:material_remove": _pk("material"),
    "meetings:material_download": _pk("material"),
    "meetings:consultation_create": _pk("draft_topic"),
    "meetings:consultation_detail": _pk("consultation"),
    "meetings:opinion_submit": _pk("consultation"),
    "meetings:consultation_close": _pk("consultation"),
    "meetings:meeting_list": NONE,
    "meetings:meeting_create": NONE,
    "meetings:meeting_detail": _pk("meeting"),
    "meetings:meeting_edit": _pk("meeting"),
    "meetings:agenda_add": _pk("meeting"),
    "meetings:agenda_remove": _pk("item"),
    "meetings:agenda_move": _pk("item"),
    "meetings:attendance": _pk("meeting"),
    "meetings:quorum_panel": _pk("meeting"),
    "meetings:leave_request": _pk("meeting"),
    "meetings:meeting_open": _pk("meeting"),
    "meetings:meeting_adjourn": _pk("meeting"),
    "meetings:meeting_cancel": _pk("meeting"),
    "meetings:meeting_document": lambda w: {"pk": w.meeting.pk, "kind": "meeting_notice"},
    "meetings:item_detail": _pk("item"),
    "meetings:voting_open": _pk("item"),
    "meetings:vote_record": _pk("item"),
    "meetings:tally_enter": _pk("item"),
    "meetings:voting_close": _pk("item"),
    "meetings:item_defer": _pk("item"),
    "meetings:item_discuss": _pk("item"),
    "meetings:recusal_add": _pk("item"),
    "meetings:relation_list": NONE,
    "meetings:relation_create": NONE,
    "meetings:relations_refresh": NONE,
    "meetings:relation_end": _pk("relation"),
    "meetings:portal": NONE,
    "meetings:decision_list": NONE,
    "meetings:decision_detail": _pk("decision"),
    "meetings:decision_reconsider": _pk("decision"),
    "meetings:follow_up_list": NONE,
    "meetings:follow_up_report": NONE,
    "meetings:follow_up_detail": _pk("follow_up"),
    "meetings:follow_up_note": _pk("follow_up"),
    "meetings:follow_up_close": _pk("follow_up"),
    # training
    "training:index": NONE,
    "training:plan_new": NONE,
    "training:plan_detail": _pk("plan"),
    "training:plan_edit": _pk("plan"),
    "training:plan_submit": _pk("plan"),
    "training:plan_approve": _pk("plan"),
    "training:plan_return": _pk("plan"),
    "training:class_new": lambda w: {"plan_pk": w.plan.pk},
    "training:class_list": NONE,
    "training:class_detail": _pk("training_class"),
    "training:class_edit": _pk("training_class"),
    "training:session_add": _pk("training_class"),
    "training:class_call_up": _pk("training_class"),
    "training:class_close": _pk("training_class"),
    "training:session_remove": _pk("session"),
    "training:session_attendance": _pk("session"),
    "training:enrolment_withdraw": _pk("enrolment"),
    "training:transcript": _pk("cadre"),
    "training:credit_new": _pk("cadre"),
    "training:transcript_pdf": _pk("cadre"),
    "training:evidence": _pk("credit"),
    "training:my_transcript": NONE,
    "training:shortfalls": NONE,
    "training:shortfalls_unit": _pk("unit"),
    "training:shortfalls_export": NONE,
    "training:credit_import": NONE,
    "training:credit_template": NONE,
    "training:credit_batch": _pk("training_credits_batch"),
    "training:credit_commit": _pk("training_credits_batch"),
    # appraisal
    "appraisal:index": NONE,
    "appraisal:cycle_new": NONE,
    "appraisal:cycle": _pk("cycle"),
    "appraisal:group_add": _pk("cycle"),
    "appraisal:members_add": lambda w: {"pk": w.cycle.pk, "group_pk": w.group.pk},
    "appraisal:indicator_add": lambda w: {"pk": w.cycle.pk, "group_pk": w.group.pk},
    "appraisal:voter_group_add": _pk("cycle"),
    "appraisal:element_add": _pk("cycle"),
    "appraisal:voter_add": _pk("cycle"),
    "appraisal:cycle_move": lambda w: {"pk": w.cycle.pk, "move": "close"},
    "appraisal:cycle_step_back": _pk("cycle"),
    "appraisal:my_ballots": NONE,
    "appraisal:ballot_submit": lambda w: {"voter_pk": w.voter.pk, "member_pk": w.appraisal_member.pk},
    "appraisal:own_ballots": lambda w: {"voter_pk": w.voter.pk},
    "appraisal:paper_ballots": _pk("cycle"),
    "appraisal:blank_ballot": lambda w: {"pk": w.cycle.pk, "voter_group_pk": w.voter_group.pk},
    "appraisal:scores": lambda w: {"pk": w.cycle.pk, "group_pk": w.group.pk},
    "appraisal:score_import": _pk("cycle"),
    "appraisal:score_batch": _pk("appraisal_scores_batch"),
    "appraisal:score_commit": _pk("appraisal_scores_batch"),
    "appraisal:results": _pk("rated_cycle"),
    "appraisal:results_compute": _pk("cycle"),
    "appraisal:ratings_accept": _pk("rated_cycle"),
    "appraisal:rating_set": _pk("own_result"),
    "appraisal:summary_pdf": _pk("rated_cycle"),
    "appraisal:results_export": _pk("rated_cycle"),
    "appraisal:unit_report": _pk("rated_cycle"),
    "appraisal:result_sheet": _pk("own_result"),
    "appraisal:consequences": NONE,
    "appraisal:talk_new": lambda w: {"cadre_pk": w.cadre.pk, "kind": "reminder"},
    "appraisal:my_results": NONE,
    "appraisal:cadre_history": _pk("cadre"),
    # kernel
    "core:home": NONE,
    "core:notification_list": NONE,
    "core:notification_open": _pk("notification"),
    "core:notification_read_all": NONE,
    "core:document_list": NONE,
    "core:document_detail": _pk("document"),
    "core:document_download": _pk("document"),
    "core:calendar": NONE,
    "core:calendar_import": NONE,
    "core:calendar_export": lambda w: {"year": YEAR},
    "core:calendar_pdf": lambda w: {"year": YEAR},
    "core:audit_list": NONE,
}


def url_patterns() -> dict:
    """Every named URL of the project (namespaced includes too), but those of the skipped namespaces: name -> view."""
    views: dict = {}

    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                if inner and inner.split(":")[0] in SKIPPED_NAMESPACES:
                    continue
                walk(pattern, inner)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"an unnamed URL pattern cannot join the matrix: {pattern.pattern}"
                views[f"{namespace}:{pattern.name}" if namespace else pattern.name] = pattern.callback

    walk(get_resolver(), "")
    return views


def _reads_post(func, depth: int = 3, seen: set | None = None) -> bool:
    """Whether a view (or a helper it hands the request to, a few calls deep) looks at POST data or the method."""
    seen = set() if seen is None else seen
    func = inspect.unwrap(func)
    if func in seen or depth == 0:
        return False
    seen.add(func)
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return False
    if "POST" in source or "request.method" in source or "request.FILES" in source:
        return True
    module_globals = getattr(func, "__globals__", {})
    return any(
        callable(module_globals.get(called)) and _reads_post(module_globals[called], depth - 1, seen)
        for called in set(_CALL_WITH_REQUEST.findall(source))
    )


_CALL_WITH_REQUEST = re.compile(r"\b(\w+)\(\s*request\b")


def accepts_post(callback) -> bool:
    """A class-based view with post(); a view whose require_http_methods list has POST; an undecorated function
    view that reads POST data. A view that never looks at the method answers a POST as it answers the GET, so
    POSTing it again would only repeat that case (and re-render its PDFs)."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post") and "post" in view_class.http_method_names
    func = callback
    while func is not None:
        for cell in func.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, (list, tuple))
                and value
                and all(isinstance(v, str) for v in value)
                and set(value) <= HTTP_METHODS
            ):
                return "POST" in value
        func = getattr(func, "__wrapped__", None)
    return _reads_post(callback)


HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"}
VIEWS = url_patterns()
URL_NAMES = sorted(VIEWS)
POST_URLS = {name for name, view in VIEWS.items() if accepts_post(view)}
STATS = Counter()
SERVER_ERRORS: list[tuple] = []
NOT_IN_WORLD: set[str] = set()


def test_every_url_has_arguments():
    unknown = sorted(set(URL_NAMES) - set(ARGS))
    assert not unknown, f"URLs the matrix does not know: add them to ARGS: {unknown}"
    stale = sorted(set(ARGS) - set(URL_NAMES))
    assert not stale, f"ARGS entries for URLs that no longer exist: {stale}"
    assert not set(OPEN_TO_ANY_USER) - set(URL_NAMES)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module and rolled back at its end; every test runs in a savepoint inside it."""
    with module_world(django_db_blocker) as w:
        yield w


def _urls(w) -> list[tuple[str, str]]:
    urls = []
    for name in URL_NAMES:
        kwargs = ARGS[name](w)
        if MISSING in kwargs.values():
            NOT_IN_WORLD.add(name)  # only the 404 path is walked: a candidate for the world to grow
        urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


def _client_for(w, role):
    client = Client(raise_request_exception=False)
    user = None
    if role == "no role":
        user = w.norole
    elif role != "anonymous":
        user = w.users[role]
    if user is not None:
        client.force_login(user)
    return client, user


def _request(client, user, method: str, url: str, *, keep: bool = False, audited: list | None = None, headers=None):
    """One request in its own savepoint, rolled back (unless `keep`): every request sees the same world, and a
    failed query cannot poison the rest of the run. A request that ends the session signs the user back in.
    With `audited`, appends whether the request wrote an audit event naming `user`."""
    session = client.cookies.get("sessionid")
    session = session.value if session else None
    savepoint = transaction.savepoint()
    response = None
    last = (AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) if audited is not None else 0
    try:
        response = getattr(client, method)(url, **(headers or {}))
        if audited is not None:
            audited.append(AuditEvent.objects.filter(pk__gt=last, actor=user).exists())
    finally:
        if keep and response is not None and response.status_code < 500:
            transaction.savepoint_commit(savepoint)
        else:
            transaction.savepoint_rollback(savepoint)
    now = client.cookies.get("sessionid")
    if user is not None and (now.value if now else None) != session:
        client.force_login(user)
    return response


def _writes() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            AuditEvent,
            Cadre,
            AppointmentProposal,
            Term,
            Topic,
            Meeting,
            TrainingPlan,
            TrainingClass,
            CreditEntry,
            AppraisalCycle,
            Ballot,
            Document,
            Notification,
        )
    }


def _leaks(w, response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", errors="ignore")
    return [secret for secret in w.secrets if secret in text]


# files anyone may take or that hold no personnel data: not audited
UNAUDITED_FILES = {
    "core:calendar_export": "the public holiday calendar",
    "core:calendar_pdf": "the public holiday calendar (asking for it is recorded as a document request)",
    "cadres:roster_template": "the blank roster import template",
    "committees:member_import_template": "the blank member import template",
    "training:credit_template": "the blank credit import template",
}
FILE_TYPES = ("application/pdf", "spreadsheetml", "text/csv", "application/octet-stream", "application/zip")


def _is_file(response) -> bool:
    """Whether the answer is a file a user takes away (a PDF, a spreadsheet, CSV, an uploaded material)."""
    return response.status_code == 200 and (
        "attachment" in response.get("Content-Disposition", "")
        or any(kind in response.get("Content-Type", "") for kind in FILE_TYPES)
    )


EXPECTED_FILE = Path(__file__).with_name("authz_expected.json")
RECORD = os.environ.get("AUTHZ_RECORD") == "1"
STATUS_CLASSES = ("ok", "redirect", "denied", "method")


def status_class(status: int) -> str:
    """The class a GET answer is compared in: 403 and 404 are one ("denied"), the app answers 404 to hide existence."""
    if status == 200:
        return "ok"
    if 300 <= status < 400:
        return "redirect"
    if status in (403, 404):
        return "denied"
    if status == 405:
        return "method"
    return str(status)


def _expected() -> dict:
    return json.loads(EXPECTED_FILE.read_text(encoding="utf-8")) if EXPECTED_FILE.exists() else {}


def _record(role: str, classes: dict[str, str]) -> None:
    """Writes `role`'s column of the table, keeping the other roles' columns, in a stable order (names, then roles)."""
    table = _expected()
    for name, got in classes.items():
        table.setdefault(name, {})[role] = got
    table = {
        name: {r: table[name][r] for r in roles.ALL_ROLES if r in table[name]}
        for name in sorted(table)
        if name in VIEWS
    }
    EXPECTED_FILE.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _compare(role: str, classes: dict[str, str]) -> list[str]:
    table = _expected()
    failures = []
    for name, got in classes.items():
        want = table.get(name, {}).get(role)
        if want is None:
            failures.append(
                f"{name}, {role}: not in {EXPECTED_FILE.name} (got {got}); run this module with AUTHZ_RECORD=1 to "
                f"record the current behaviour, then check the new rows"
            )
        elif want != got:
            failures.append(f"{name}, {role}: expected {want}, got {got}")
    return failures


# The pages of a cadre's own record, open to every role that holds cadres.view_cadre (cadres/apps.py: department staff
# and the system administrator). They show the secret cadres' names and ID numbers by design.
CADRE_RECORD = (
    "cadres:cadre_list",
    "cadres:cadre_detail",
    "cadres:cadre_lrmx",
    "cadres:approval_form_preview",
)
# Where a role may legitimately read the world's secret cadres (names, ID numbers): exact URL names, or a namespace
# ("cadres:"), or "" for everywhere. Every other 200 answer to that role is searched for them; the anonymous and the
# role-less see them nowhere. The committee's members see them nowhere either: the world's 常委 is consulted on a cadre
# topic, yet its pages show no candidate's name, and the 委员 has no cadre business at all.
SEES_SECRETS: dict[str, tuple[str, ...]] = {
    roles.SYSTEM_ADMIN: ("",),  # reads every record, the audit trail names whose file was opened
    roles.DEPARTMENT_LEADER: ("",),  # reads everything in the department's areas
    roles.CADRE_SECTION: ("cadres:", "core:home"),  # the cadre records and procedures; its work queues on the home page
    roles.ORGANIZATION_SECTION: (*CADRE_RECORD, "committees:", "meetings:"),  # prepares the cadre topics
    roles.TRAINING_SECTION: (*CADRE_RECORD, "training:"),  # class lists and transcripts
    roles.APPRAISAL_OFFICE: (*CADRE_RECORD, "appraisal:"),  # the appraised and their results
    roles.STANDING_MEMBER: (),
    roles.MEMBER: (),
}


def must_not_see(role: str, name: str) -> bool:
    """Whether the 200 answer of URL `name` to `role` must not name the world's secret cadres."""
    return not any(
        name == place or ((not place or place.endswith(":")) and name.startswith(place))
        for place in SEES_SECRETS.get(role, ())
    )


def _with_query(url: str, text: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}q={quote(text)}"


@pytest.mark.parametrize("role", ROLES)
def test_matrix(world, db, role):
    w = world
    client, user = _client_for(w, role)
    urls = _urls(w)
    failures: list[str] = []
    cases_before = STATS["cases"]
    classes: dict[str, str] = {}
    # a secret cadre's name cut short: a page may echo the query back, the whole name shows only if it found the cadre
    search = w.secrets[0][:3]
    for name, url in urls:
        audited = [] if user is not None else None
        response = _request(client, user, "get", url, audited=audited)
        status = response.status_code
        STATS["cases"] += 1
        classes[name] = status_class(status)
        checks_leaks = must_not_see(role, name)
        if status == 200:
            if checks_leaks and (leaked := _leaks(w, response)):
                failures.append(f"GET {url} ({name}) as {role} shows {leaked}")
            # the same page as an htmx partial and as a search for a secret cadre: the same class, no more shown
            for variant, kind, extra in (
                (url, "htmx", {"HTTP_HX_REQUEST": "true"}),
                (_with_query(url, search), "search", {}),
            ):
                again = _request(client, user, "get", variant, headers=extra)
                STATS["cases"] += 1
                STATS[f"{kind} variants"] += 1
                # a finished import batch answers its htmx poll with 204 and HX-Refresh: nothing in it to leak
                if kind == "htmx" and again.status_code == 204 and again.get("HX-Refresh") == "true":
                    continue
                if status_class(again.status_code) != "ok":
                    failures.append(f"GET {variant} ({name}, {kind}) as {role}: {again.status_code}, the plain GET 200")
                elif checks_leaks and (leaked := _leaks(w, again)):
                    failures.append(f"GET {variant} ({name}, {kind}) as {role} shows {leaked}")
        if audited is not None and _is_file(response) and name not in UNAUDITED_FILES:
            STATS["files"] += 1
            if not audited[0]:
                failures.append(f"GET {url} ({name}) as {role}: a file ({response.get('Content-Type')}) not audited")
        STATS[f"GET 200 as {role}"] += status == 200
        if status >= 500:
            SERVER_ERRORS.append((role, "GET", url, status))
            failures.append(f"GET {url} ({name}) as {role}: {status}")
            continue
        if role == "anonymous" and name in ANONYMOUS_FORBIDDEN:
            if status != 403 or _leaks(w, response):
                failures.append(f"GET {url} ({name}) anonymous: {status}; ANONYMOUS_FORBIDDEN expects a bare 403")
        elif role == "anonymous" and name not in PUBLIC:
            location = response.get("Location", "")
            if status != 302 or "/login/?next=" not in location:
                failures.append(f"GET {url} ({name}) anonymous: {status} {location!r}, not a login redirect")
        if role == "no role":
            if status == 200 and name not in OPEN_TO_ANY_USER:
                failures.append(f"GET {url} ({name}) with no role: 200, not on the allow-list")
            elif status not in (200, 301, 302, 403, 404, 405):
                failures.append(f"GET {url} ({name}) with no role: {status}")

    before = _writes() if role == "no role" else None
    for name, url in urls:
        if name == "logout" or name not in POST_URLS:
            continue  # logout's POST ends the session by design; the GET above covered it
        # the role-less user's POSTs are kept, so that the row counts below show anything they wrote
        response = _request(client, user, "post", url, keep=role == "no role" and name not in WRITES_BY_DESIGN)
        status = response.status_code
        STATS["cases"] += 1
        if status >= 500:
            SERVER_ERRORS.append((role, "POST", url, status))
            failures.append(f"POST {url} ({name}) as {role}: {status}")
        elif (
            role == "anonymous"
            and name not in PUBLIC
            and name not in ANONYMOUS_FORBIDDEN
            and "/login/?next=" not in response.get("Location", "")
        ):
            failures.append(f"POST {url} ({name}) anonymous: {status}, not a login redirect")
        elif role == "no role" and status == 200 and name not in OPEN_TO_ANY_USER:
            failures.append(f"POST {url} ({name}) with no role: 200")
    if before is not None:
        after = _writes()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        if changed:
            failures.append(f"empty POSTs with no role wrote rows: {changed}")
    if role in roles.ALL_ROLES:
        if RECORD:
            _record(role, classes)
        else:
            failures.extend(_compare(role, classes))
    STATS["urls"] = len(urls)
    STATS["roles"] += 1
    cases = STATS["cases"] - cases_before
    assert not failures, "\n".join(failures)
    tally("url_role", cases)


# ---- CSRF --------------------------------------------------------------------------------------------------------


def test_every_state_change_needs_the_csrf_token(world, db):
    """Every URL that takes a POST refuses one without the CSRF token, before the view runs: 403 and no row
    written, even for the user with the widest rights."""
    w = world
    user = w.users[roles.SYSTEM_ADMIN]
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    before = _writes()
    failures = []
    tried = 0
    for name, url in _urls(w):
        if name not in POST_URLS:
            continue
        response = _request(client, user, "post", url, keep=True)
        tried += 1
        if response.status_code != 403 or b'data-testid="csrf-failure"' not in response.content:
            failures.append(f"POST {url} ({name}) without a CSRF token: {response.status_code}")
    after = _writes()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not failures, "\n".join(failures)
    assert not changed, f"POSTs without a CSRF token wrote rows: {changed}"
    assert tried == len(POST_URLS)
    tally("url_role", tried)


# ---- own objects only --------------------------------------------------------------------------------------------


def test_own_pages_only(world, db):
    w = world
    failures = []
    appraised = Client(raise_request_exception=False)
    appraised.force_login(w.cadre.user)
    own = appraised.get(reverse("appraisal:result_sheet", kwargs={"pk": w.own_result.pk}))
    other = appraised.get(reverse("appraisal:result_sheet", kwargs={"pk": w.other_result.pk}))
    if own.status_code != 200 or other.status_code != 404:
        failures.append(f"result sheets: own {own.status_code} (want 200), another's {other.status_code} (want 404)")

    voter = Client(raise_request_exception=False)
    voter.force_login(w.voter.user)
    own = voter.get(reverse("appraisal:own_ballots", kwargs={"voter_pk": w.voter.pk}))
    other = voter.get(reverse("appraisal:own_ballots", kwargs={"voter_pk": w.other_voter.pk}))
    if other.status_code != 404:
        failures.append(f"another voter's ballots PDF: {other.status_code} (want 404; own: {own.status_code})")

    member = Client(raise_request_exception=False)
    member.force_login(w.users[roles.MEMBER])
    url = reverse("meetings:consultation_detail", kwargs={"pk": w.consultation.pk})
    response = member.get(url)
    if response.status_code not in (403, 404):
        failures.append(f"a consultation asked of another member: {response.status_code} (want 403/404)")
    secretary = Client(raise_request_exception=False)
    secretary.force_login(w.users[roles.STANDING_MEMBER])
    if (status := secretary.get(url).status_code) != 200:
        failures.append(f"the secretary's own consultation: {status} (want 200)")

    # what belongs to one user opens for them, and is not found for another user of the same role
    tried = 4  # the result sheets, the ballots, the consultation both ways, above
    for name, owner_role, url, want in _own_objects(w):
        owner = Client(raise_request_exception=False)
        owner.force_login(w.users[owner_role])
        peer = Client(raise_request_exception=False)
        peer.force_login(w.peers[owner_role])
        mine = _request(owner, w.users[owner_role], "get", url).status_code
        theirs = _request(peer, w.peers[owner_role], "get", url).status_code
        tried += 1
        if mine != want or theirs != 404:
            failures.append(f"{name}: its owner {mine} (want {want}), another {owner_role} {theirs} (want 404)")
    assert not failures, "\n".join(failures)
    tally("url_role", tried)


def _own_objects(w) -> list[tuple[str, str, str, int]]:
    """(URL name, the owner's role, URL, the owner's status) for every page of an object that belongs to one user."""
    batches = {
        "cadres:roster_batch": (roles.CADRE_SECTION, "roster_batch"),
        "committees:member_import_batch": (roles.ORGANIZATION_SECTION, "term_members_batch"),
        "training:credit_batch": (roles.TRAINING_SECTION, "training_credits_batch"),
        "appraisal:score_batch": (roles.APPRAISAL_OFFICE, "appraisal_scores_batch"),
    }
    rows = [(name, role, reverse(name, kwargs=ARGS[name](w)), 200) for name, (role, _kind) in batches.items()]
    for role, kind in batches.values():
        assert w.objects[kind].uploaded_by == w.users[role]
    assert w.document.requested_by == w.notification.recipient == w.users[roles.DEPARTMENT_LEADER]
    assert w.document.status == Document.Status.READY and w.document.file
    for name, want in (("core:document_detail", 200), ("core:document_download", 200), ("core:notification_open", 302)):
        rows.append((name, roles.DEPARTMENT_LEADER, reverse(name, kwargs=ARGS[name](w)), want))
    return rows


# ---- revocation and object permissions ---------------------------------------------------------------------------


def test_revoking_a_role_takes_effect_on_the_next_request(world, db):
    staff = world.users[roles.CADRE_SECTION]
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    url = reverse("cadres:cadre_list")
    assert client.get(url).status_code == 200
    staff.groups.remove(Group.objects.get(name=roles.CADRE_SECTION))
    assert client.get(url).status_code in (403, 404)


@pytest.mark.parametrize("name", ["meeting", "document"])
def test_deleting_an_object_leaves_no_orphaned_object_permissions(world, db, name):
    obj = world.meeting if name == "meeting" else world.objects["document"]
    pk, model = str(obj.pk), obj._meta.model_name
    granted = UserObjectPermission.objects.filter(object_pk=pk, content_type__model=model)
    assert granted.exists(), f"the world's {name} should carry object permissions"
    type(obj).objects.filter(pk=obj.pk).delete()
    orphans = (
        UserObjectPermission.objects.filter(object_pk=pk, content_type__model=model).count()
        + GroupObjectPermission.objects.filter(object_pk=pk, content_type__model=model).count()
    )
    assert orphans == 0


def test_revoking_an_object_permission_takes_effect_on_the_next_request(world, db):
    """The document's requester opens it; once the object permission is revoked, the next request is refused."""
    from orgdept.core.object_permissions import object_permission_revoke

    document = world.objects["document"]
    owner = document.requested_by
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    url = reverse("core:document_detail", kwargs={"pk": document.pk})
    assert client.get(url).status_code == 200
    object_permission_revoke(
        perm="core.view_document", from_=owner, obj=document, actor=world.users[roles.SYSTEM_ADMIN]
    )
    assert client.get(url).status_code in (403, 404)


def test_summary():
    """Last in the module: the one-line summary of the matrix."""
    line = (
        f"authorization matrix: {STATS['urls']} URLs × {STATS['roles']} roles = {STATS['cases']} cases, "
        f"{len(SERVER_ERRORS)} server errors"
    )
    print("\n" + line)
    print(f"URLs whose object the world lacks (404 path only): {len(NOT_IN_WORLD)}: {', '.join(sorted(NOT_IN_WORLD))}")
    print(f"files taken (each checked for its audit event): {STATS['files']}")
    print(f"pages asked again: {STATS['htmx variants']} as htmx, {STATS['search variants']} as a search")
    print("pages answered 200: " + ", ".join(f"{role} {STATS[f'GET 200 as {role}']}" for role in ROLES))
    assert STATS["roles"] == len(ROLES), line
    assert STATS["files"] >= 20, "the world should offer files of every kind to the roles that may take them"

"""The appointment procedure's documents: a round's 任免审批表 pack (one page per cadre, withdrawn proposals left out)
and summary table, the 任前公示 (one notice for the proposals put to notice on the same dates, its working days
counted over the National Day holiday and its make-up workday), the 任免通知; who may ask for them, the refusals
before they can be made, and the audit of every request."""

from __future__ import annotations

import io
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cadres import proposal_pdf as docs
from cadres.models import AppointmentProposal, Position, Rank
from cadres.services import EducationEntry, cadre_assign_position, position_create, quota_set
from cadres.services import proposals as svc
from orgdept.core import roles
from orgdept.core.documents import document_may_access, document_request
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent, Document
from tests.cadres.factories import make_cadre, make_unit
from tests.cadres.test_proposals import four_checks, inspect, recommend

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)
S = AppointmentProposal.Status
A = AppointmentProposal.Action


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu", last_name="周", first_name="干部")


@pytest.fixture
def posts(db):
    finance, education = make_unit("区财政局", order=1), make_unit("区教育局", order=2)
    for unit in (finance, education):
        quota_set(unit=unit, level=Rank.ZHENG_KE, approved=1, actor=None)
        quota_set(unit=unit, level=Rank.FU_KE, approved=3, actor=None)

    def post(unit, title, level, role):
        return position_create(unit=unit, title=title, level=level, role=role, actor=None)

    return SimpleNamespace(
        finance_head=post(finance, "局长", Rank.ZHENG_KE, Position.Role.HEAD),
        finance_deputy=post(finance, "副局长", Rank.FU_KE, Position.Role.DEPUTY),
        finance_deputy2=post(finance, "副局长（分管预算）", Rank.FU_KE, Position.Role.DEPUTY),
        education_head=post(education, "局长", Rank.ZHENG_KE, Position.Role.HEAD),
        education_deputy=post(education, "副局长", Rank.FU_KE, Position.Role.DEPUTY),
        education_deputy2=post(education, "副局长（分管基础教育）", Rank.FU_KE, Position.Role.DEPUTY),
    )


def serving(post, name, *, born, male=True, native="四川成都", full_time=("大学", "管理学学士"), in_service=None):
    cadre = make_cadre(
        post.unit,
        name,
        born=born,
        male=male,
        native_place=native,
        rank=Rank.FU_KE,
        rank_since_month=date(2020, 1, 1),
        work_started_month=date(2003, 7, 1),
        party_joined_month=date(2002, 6, 1),
        full_time=EducationEntry(*full_time),
        in_service=EducationEntry(*in_service) if in_service else None,
    )
    cadre_assign_position(cadre=cadre, position=post, start_month=date(2020, 1, 1), actor=None)
    cadre.refresh_from_db()
    return cadre


def promotion(proposal_round, cadre, target, current, staff, votes_for=None):
    """A promotion taken through recommendation, inspection and the four checks, and put to the committee."""
    proposal = svc.proposal_create(
        proposal_round=proposal_round,
        cadre=cadre,
        action=A.APPOINT_REMOVE,
        target_position=target,
        current_position=current,
        initiated_on=date(2026, 3, 2),
        initiated_by="区委书记",
        reason="原局长到龄退休，岗位空缺",
        actor=staff,
    )
    recommendation = recommend(target, [cadre, *(votes_for or [])], staff)
    svc.proposal_recommend(proposal=proposal, recommendation=recommendation, actor=staff)
    inspect(proposal, staff)
    four_checks(proposal, staff)
    return svc.proposal_submit(proposal=proposal, actor=staff)


def removal(proposal_round, cadre, current, staff):
    proposal = svc.proposal_create(
        proposal_round=proposal_round,
        cadre=cadre,
        action=A.REMOVE,
        current_position=current,
        initiated_on=date(2026, 3, 2),
        initiated_by="区委组织部",
        reason="到龄退休",
        actor=staff,
    )
    return svc.proposal_submit(proposal=proposal, actor=staff)


@pytest.fixture
def batch(posts, staff):
    """A round of four: 李明 (promoted to head of finance), 陈静 (promoted to head of education, 破格 with the
    higher department's approval), 王刚 (removed) and 孙丽 (withdrawn); all put to the committee today."""
    proposal_round = svc.round_create(title="2026年第3批干部任免", actor=staff)
    li = serving(posts.finance_deputy, "李明", born=date(1980, 3, 15), in_service=("研究生", "公共管理硕士"))
    chen = serving(
        posts.education_deputy,
        "陈静",
        born=date(1983, 7, 10),
        male=False,
        native="江苏南京",
        full_time=("大学", "法学学士"),
    )
    wang = serving(posts.finance_deputy2, "王刚", born=date(1966, 2, 3))
    sun = serving(posts.education_deputy2, "孙丽", born=date(1978, 11, 20), male=False)
    li_proposal = promotion(proposal_round, li, posts.finance_head, posts.finance_deputy, staff)
    chen_proposal = svc.proposal_create(
        proposal_round=proposal_round,
        cadre=chen,
        action=A.APPOINT_REMOVE,
        target_position=posts.education_head,
        current_position=posts.education_deputy,
        initiated_on=date(2026, 3, 2),
        initiated_by="区委书记",
        reason="工作需要",
        actor=staff,
    )
    svc.proposal_mark_exceptional(
        proposal=chen_proposal,
        reason="实绩特别突出",
        approved_on=date(2026, 3, 5),
        approval_ref="云组函〔2026〕8号",
        actor=staff,
    )
    svc.proposal_recommend(
        proposal=chen_proposal, recommendation=recommend(posts.education_head, [chen], staff), actor=staff
    )
    inspect(chen_proposal, staff)
    four_checks(chen_proposal, staff)
    chen_proposal = svc.proposal_submit(proposal=chen_proposal, actor=staff)
    wang_proposal = removal(proposal_round, wang, posts.finance_deputy2, staff)
    sun_proposal = svc.proposal_create(
        proposal_round=proposal_round,
        cadre=sun,
        action=A.REMOVE,
        current_position=posts.education_deputy2,
        initiated_on=date(2026, 3, 2),
        initiated_by="区委组织部",
        reason="另有任用",
        actor=staff,
    )
    svc.proposal_withdraw(proposal=sun_proposal, reason="另作安排", actor=staff)
    return SimpleNamespace(
        round=proposal_round, li=li_proposal, chen=chen_proposal, wang=wang_proposal, sun=sun_proposal
    )


def decide(*proposals, staff, on=date(2026, 9, 28)):
    with time_machine.travel(datetime(on.year, on.month, on.day, 16, 0, tzinfo=SHANGHAI), tick=False):
        return [
            svc.proposal_record_decision(
                proposal=p, outcome=svc.DecisionOutcome.PASSED, decided_on=on, decided_by="区委第5次常委会", actor=staff
            )
            for p in proposals
        ]


def to_notice(*proposals, staff, starts_on=date(2026, 9, 29)):
    with time_machine.travel(datetime(starts_on.year, starts_on.month, starts_on.day, 9, 0, tzinfo=SHANGHAI)):
        return [svc.notice_start(proposal=p, starts_on=starts_on, actor=staff) for p in proposals]


def fresh(proposal):
    return AppointmentProposal.objects.get(pk=proposal.pk)


def render(kind, user, **params) -> bytes:
    """Renders a document as the document service would, without the queue."""
    renderers = {
        docs.APPROVAL_FORMS: docs.render_approval_forms,
        docs.SUMMARY: docs.render_summary,
        docs.PUBLIC_NOTICE: docs.render_public_notice,
        docs.APPOINTMENT_NOTICE: docs.render_appointment_notice,
    }
    document = SimpleNamespace(kind=kind, params=params, requested_by=user, created_at=timezone.now())
    content, _filename = renderers[kind](document)
    return content


def pages(content: bytes) -> list[str]:
    return [(page.extract_text() or "") for page in PdfReader(io.BytesIO(content)).pages]


def flat(text: str) -> str:
    return "".join(text.split())


def request_through_page(client, user, url, django_capture_on_commit_callbacks) -> Document:
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    assert response.status_code == 302
    document = Document.objects.order_by("-pk").first()
    assert response.url == reverse("core:document_detail", args=[document.pk])
    return document


# --- the 任免审批表 pack ------------------------------------------------------------------------------------


def test_the_round_pack_has_one_form_per_cadre_with_the_posts_and_the_reason(batch, staff):
    texts = pages(render(docs.APPROVAL_FORMS, staff, round=batch.round.pk))
    assert len(texts) == 3  # 孙丽's proposal was withdrawn
    li, chen, wang = (flat(t) for t in texts)
    assert li.startswith("干部任免审批表")
    assert "李明" in li and "区财政局局长" in li and "区财政局副局长" in li and "原局长到龄退休，岗位空缺" in li
    assert "1980.03（46岁）" in li
    assert "陈静" in chen and "区教育局局长" in chen and "工作需要" in chen
    assert "王刚" in wang and "区财政局副局长（分管预算）" in wang and "到龄退休" in wang
    assert "中共云岭区委组织部" in li  # 呈报单位
    assert not any("孙丽" in t for t in texts)


def test_a_proposals_own_form(batch, staff):
    (text,) = pages(render(docs.APPROVAL_FORMS, staff, proposal=batch.chen.pk))
    assert "陈静" in flat(text) and "李明" not in flat(text)


# --- the summary table ---------------------------------------------------------------------------------------


def test_the_summary_table_lists_the_round_on_landscape_a4(batch, staff):
    content = render(docs.SUMMARY, staff, round=batch.round.pk)
    reader = PdfReader(io.BytesIO(content))
    (page,) = reader.pages
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points
    text = flat(page.extract_text())
    assert text.startswith("干部任免情况汇总表2026年第3批干部任免")
    assert "计算年龄时间：2026年6月1日" in text
    for heading in ("序号", "姓名", "性别", "出生年月", "籍贯", "学历", "政治面貌", "入党时间", "现任职务"):
        assert heading in text
    for heading in ("拟任（免）职务", "任现职级", "民主推荐", "考察结论", "备注"):
        assert heading in text
    # 李明: born 1980-03-15, 46 on 2026-06-01; 陈静: born 1983-07-10, not yet 43
    assert "1李明男1980.03（46岁）四川成都大学管理学学士在职研究生公共管理硕士中共党员2002.06区财政局副局长" in text
    assert "拟任区财政局局长拟免区财政局副局长副科级2020.0140/45符合提拔任职条件" in text
    assert "2陈静女1983.07（42岁）江苏南京大学法学学士" in text
    assert "破格提拔（云组函〔2026〕8号）" in text
    assert "3王刚男1966.02（60岁）" in text and "拟免区财政局副局长（分管预算）" in text
    assert "孙丽" not in text


def test_the_summary_is_made_for_a_round_only(batch, staff):
    with pytest.raises(ApplicationError, match="干部任免情况汇总表按批次生成"):
        docs.proposal_document_request(kind=docs.SUMMARY, proposal=batch.li, actor=staff)


# --- the 任前公示 ------------------------------------------------------------------------------------------


def test_the_public_notice_names_each_cadre_and_counts_working_days_over_the_holiday(batch, staff):
    decide(batch.li, batch.chen, batch.wang, staff=staff)
    li, _chen = to_notice(batch.li, batch.chen, staff=staff)
    # from Tuesday 9-29: 9-29, 9-30, (10-01..10-07 National Day), 10-08, 10-09 and Saturday 10-10, a make-up workday
    assert (li.notice_starts_on, li.notice_ends_on) == (date(2026, 9, 29), date(2026, 10, 10))
    (text,) = pages(render(docs.PUBLIC_NOTICE, staff, proposal=li.pk))
    text = flat(text)
    assert text.startswith(
        "干部任前公示根据《党政领导干部选拔任用工作条例》有关规定，经区委常委会研究，拟提拔任用以下同志"
    )
    assert (
        "1．李明，男，汉族，1980年3月生，四川成都人，大学学历，管理学学士，在职研究生学历，公共管理硕士，中共党员，"
        "现任区财政局副局长，拟任区财政局局长。"
    ) in text
    # one notice announces both: asked for 李明's, it has 陈静 too
    assert (
        "2．陈静，女，汉族，1983年7月生，江苏南京人，大学学历，法学学士，中共党员，现任区教育局副局长，拟任区教育局局长。"
        in text
    )
    assert "公示时间：2026年9月29日至2026年10月10日（5个工作日）。" in text
    assert "个人和单位可通过来信、来电、来访等方式，向中共云岭区委组织部反映" in text
    assert "受理电话：＿＿＿＿＿＿" in text
    assert text.endswith("中共云岭区委组织部2026年9月29日")
    assert "王刚" not in text  # a removal is not put to notice


def test_the_phone_and_address_are_settings(batch, staff, settings):
    settings.ORGDEPT_NOTICE_PHONE = "0871-12345678"
    settings.ORGDEPT_NOTICE_ADDRESS = "云岭区政务中心3楼区委组织部干部科"
    settings.ORGDEPT_DEPARTMENT_NAME = "中共云岭区委组织部"
    decide(batch.li, staff=staff)
    to_notice(batch.li, staff=staff)
    text = flat(pages(render(docs.PUBLIC_NOTICE, staff, round=batch.round.pk))[0])
    assert "受理电话：0871-12345678" in text
    assert "来信来访地址：云岭区政务中心3楼区委组织部干部科" in text


def test_a_round_with_two_notice_dates_gives_one_notice_per_date(batch, staff):
    decide(batch.li, batch.chen, staff=staff)
    to_notice(batch.li, staff=staff)
    (chen,) = to_notice(batch.chen, staff=staff, starts_on=date(2026, 10, 12))
    assert chen.notice_ends_on == date(2026, 10, 16)
    first, second = (flat(t) for t in pages(render(docs.PUBLIC_NOTICE, staff, round=batch.round.pk)))
    assert "李明" in first and "陈静" not in first
    assert "陈静" in second and "李明" not in second
    assert "公示时间：2026年10月12日至2026年10月16日（5个工作日）。" in second
    # asked for one proposal: only the notice it was published in
    (own,) = pages(render(docs.PUBLIC_NOTICE, staff, proposal=chen.pk))
    assert "李明" not in flat(own)


def test_no_notice_before_the_notice_starts(batch, staff):
    with pytest.raises(ApplicationError, match="李明的任免事项尚未开始任前公示"):
        docs.proposal_document_request(kind=docs.PUBLIC_NOTICE, proposal=batch.li, actor=staff)
    with pytest.raises(ApplicationError, match="“2026年第3批干部任免”尚无开始任前公示的任免事项"):
        docs.proposal_document_request(kind=docs.PUBLIC_NOTICE, proposal_round=batch.round, actor=staff)
    assert not Document.objects.exists()


# --- the 任免通知 ------------------------------------------------------------------------------------------


def test_the_appointment_notice_words_each_decision_and_the_probation(batch, staff, frozen):
    decide(batch.li, batch.chen, batch.wang, staff=staff)
    to_notice(batch.li, batch.chen, staff=staff)
    # while the promotions are on notice, the notice can carry only the removal
    frozen.move_to(datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI))
    (text,) = pages(render(docs.APPOINTMENT_NOTICE, staff, round=batch.round.pk))
    assert "关于王刚同志免职的通知" in flat(text) and "李明" not in flat(text)
    with pytest.raises(ApplicationError, match="李明暂不能发任免通知：任前公示至2026年10月"):
        docs.proposal_document_request(kind=docs.APPOINTMENT_NOTICE, proposal=batch.li, actor=staff)
    frozen.move_to(datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI))
    (text,) = pages(render(docs.APPOINTMENT_NOTICE, staff, round=batch.round.pk))
    text = flat(text)
    assert text.startswith("中共云岭区委文件＿＿〔2026〕＿＿号中共云岭区委关于李明等同志任免职务的通知")
    assert "各镇党委、街道党工委，区委各部委，区级国家机关各部门党组（党委）：经区委研究决定：" in text
    assert (
        "任命李明为区财政局局长，免去其区财政局副局长职务；"
        "任命陈静为区教育局局长，免去其区教育局副局长职务；"
        "免去王刚的区财政局副局长（分管预算）职务。"
        "李明、陈静同志试用期一年。"
    ) in text
    assert text.endswith("中共云岭区委2026年10月20日—1—")
    assert "孙丽" not in text


def test_one_proposals_appointment_notice(batch, staff, settings, frozen):
    settings.ORGDEPT_COMMITTEE_NAME = "中共云岭县委"
    settings.ORGDEPT_APPOINTMENT_NOTICE_PREFIX = "云委干"
    decide(batch.wang, staff=staff)
    frozen.move_to(datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI))
    (text,) = pages(render(docs.APPOINTMENT_NOTICE, staff, proposal=batch.wang.pk))
    text = flat(text)
    assert "中共云岭县委文件云委干〔2026〕＿＿号中共云岭县委关于王刚同志免职的通知" in text
    assert "经县委研究决定：免去王刚的区财政局副局长（分管预算）职务。" in text
    assert "试用期" not in text


def test_no_appointment_notice_before_the_decision(batch, staff):
    with pytest.raises(ApplicationError, match="李明的任免事项尚未经区委研究决定，不能生成任免通知"):
        docs.proposal_document_request(kind=docs.APPOINTMENT_NOTICE, proposal=batch.li, actor=staff)
    with pytest.raises(ApplicationError, match="“2026年第3批干部任免”尚无经区委研究决定的任免事项"):
        docs.proposal_document_request(kind=docs.APPOINTMENT_NOTICE, proposal_round=batch.round, actor=staff)
    with pytest.raises(ApplicationError, match="孙丽的任免事项已撤回，不能生成干部任免审批表"):
        docs.proposal_document_request(kind=docs.APPROVAL_FORMS, proposal=batch.sun, actor=staff)


# --- requests: through the pages, audited, and who may ask ---------------------------------------------------


def test_a_round_document_is_asked_for_rendered_and_audited(batch, staff, client, django_capture_on_commit_callbacks):
    url = reverse("cadres:round_document", args=[batch.round.pk, "approval-forms"])
    document = request_through_page(client, staff, url, django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert (document.kind, document.params, document.status) == (
        docs.APPROVAL_FORMS,
        {"round": batch.round.pk},
        Document.Status.READY,
    )
    assert document.title == "干部任免审批表（2026年第3批干部任免）"
    assert document.filename == "干部任免审批表-2026年第3批干部任免.pdf"
    with document.file.open("rb") as f:
        assert len(pages(f.read())) == 3
    requested = AuditEvent.objects.get(action="proposal_round.document_requested")
    assert (requested.actor, requested.object_id, requested.details) == (
        staff,
        str(batch.round.pk),
        {"kind": docs.APPROVAL_FORMS, "document": document.pk},
    )
    assert AuditEvent.objects.filter(action="document.requested", object_id=str(document.pk)).count() == 1
    # each cadre's file records that its form was printed
    on_files = AuditEvent.objects.filter(action="cadre.approval_form_requested").values_list("object_id", flat=True)
    assert sorted(on_files) == sorted(str(p.cadre_id) for p in (batch.li, batch.chen, batch.wang))


def test_each_kind_is_asked_for_by_its_address(batch, staff, client, django_capture_on_commit_callbacks, frozen):
    decide(batch.li, batch.chen, batch.wang, staff=staff)
    to_notice(batch.li, batch.chen, staff=staff)
    frozen.move_to(datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI))  # the notice over: 任免通知 may go out
    asked = [
        (
            "cadres:round_document",
            batch.round.pk,
            "summary",
            docs.SUMMARY,
            "干部任免情况汇总表-2026年第3批干部任免.pdf",
        ),
        (
            "cadres:round_document",
            batch.round.pk,
            "public-notice",
            docs.PUBLIC_NOTICE,
            "干部任前公示-2026年第3批干部任免.pdf",
        ),
        (
            "cadres:round_document",
            batch.round.pk,
            "appointment-notice",
            docs.APPOINTMENT_NOTICE,
            "任免通知-2026年第3批干部任免.pdf",
        ),
        ("cadres:proposal_document", batch.li.pk, "approval-form", docs.APPROVAL_FORMS, "干部任免审批表-李明.pdf"),
        ("cadres:proposal_document", batch.li.pk, "public-notice", docs.PUBLIC_NOTICE, "干部任前公示-李明.pdf"),
        ("cadres:proposal_document", batch.li.pk, "appointment-notice", docs.APPOINTMENT_NOTICE, "任免通知-李明.pdf"),
    ]
    for name, pk, kind, document_kind, filename in asked:
        document = request_through_page(
            client, staff, reverse(name, args=[pk, kind]), django_capture_on_commit_callbacks
        )
        document.refresh_from_db()
        assert (document.kind, document.status, document.filename) == (document_kind, Document.Status.READY, filename)
    on_proposal = AuditEvent.objects.filter(action="proposal.document_requested", object_id=str(batch.li.pk))
    assert sorted(e.details["kind"] for e in on_proposal) == sorted(
        [docs.APPROVAL_FORMS, docs.PUBLIC_NOTICE, docs.APPOINTMENT_NOTICE]
    )
    assert AuditEvent.objects.filter(action="proposal_round.document_requested").count() == 3


def test_a_refusal_goes_back_with_its_reason(batch, staff, client):
    client.force_login(staff)
    response = client.post(reverse("cadres:proposal_document", args=[batch.li.pk, "appointment-notice"]))
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "李明的任免事项尚未经区委研究决定，不能生成任免通知"
    ]
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(action="proposal.document_requested").exists()


def test_an_unknown_kind_is_not_found(batch, staff, client):
    client.force_login(staff)
    assert client.get(reverse("cadres:round_document", args=[batch.round.pk, "minutes"])).status_code == 404
    assert client.get(reverse("cadres:proposal_document", args=[batch.li.pk, "summary"])).status_code == 404


def test_the_department_leaders_may_ask(batch, make_user, client, django_capture_on_commit_callbacks):
    leader = make_user(roles.DEPARTMENT_LEADER, username="buzhang")
    url = reverse("cadres:round_document", args=[batch.round.pk, "summary"])
    document = request_through_page(client, leader, url, django_capture_on_commit_callbacks)
    assert document.requested_by == leader


@pytest.mark.parametrize("role", [roles.ORGANIZATION_SECTION, roles.TRAINING_SECTION, roles.STANDING_MEMBER])
def test_who_may_not_see_proposals_may_not_ask(batch, make_user, client, role):
    outsider = make_user(role, username="outsider")
    client.force_login(outsider)
    # not told the round or the proposal exists
    assert client.get(reverse("cadres:round_document", args=[batch.round.pk, "summary"])).status_code == 404
    assert client.get(reverse("cadres:proposal_document", args=[batch.li.pk, "approval-form"])).status_code == 404
    for kind, params in ((docs.SUMMARY, {"round": batch.round.pk}), (docs.APPROVAL_FORMS, {"proposal": batch.li.pk})):
        with pytest.raises(ApplicationError, match="您没有生成该文件的权限"):
            document_request(kind=kind, params=params, title="越权", actor=outsider)
    assert not Document.objects.exists()


def test_the_forms_need_the_cadre_files_too(batch, make_user):
    # may see rounds and proposals but not cadre files: neither the forms nor the summary, which gives each
    # cadre's birth, education and posts
    user = make_user(username="reader")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="cadres", codename__in=["view_proposalround", "view_appointmentproposal"]
        )
    )
    for kind in (docs.APPROVAL_FORMS, docs.SUMMARY):
        with pytest.raises(ApplicationError, match="您没有生成该文件的权限"):
            docs.proposal_document_request(kind=kind, proposal_round=batch.round, actor=user)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="cadres", codename="view_cadre"))
    user = type(user).objects.get(pk=user.pk)
    assert docs.proposal_document_request(kind=docs.SUMMARY, proposal_round=batch.round, actor=user)


def test_a_document_is_no_longer_readable_once_the_role_is_taken_away(batch, staff):
    document = docs.proposal_document_request(kind=docs.SUMMARY, proposal_round=batch.round, actor=staff)
    assert document_may_access(staff, document)
    staff.groups.clear()
    staff = type(staff).objects.get(pk=staff.pk)
    assert not document_may_access(staff, document)

"""The printable 分工 table: a document of the plan, rendered to PDF with each member's areas and substitute in
the member's own row."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from committees.pdf import PRESIDES, portfolio_rows, post_lines, render_portfolio_table
from committees.services import (
    portfolio_assignment_set,
    portfolio_plan_activate,
    portfolio_plan_create,
    portfolio_plan_discard,
    substitute_designate,
)
from orgdept.core import roles
from orgdept.core.documents import document_request
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent, Document
from tests.committees.test_portfolios import AREAS, LEAD, V1_FROM, draft_plan, make_standing_term, use_areas


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def reader(make_user):
    return make_user(roles.STANDING_MEMBER, username="changwei")


@pytest.fixture
def setup(db):
    term, m = make_standing_term()
    areas = use_areas(*AREAS)
    plan = draft_plan(
        term,
        leads=[(areas["组织"], m["王组织"]), (areas["宣传"], m["赵宣传"]), (areas["经济"], m["钱经济"])],
        assists=[(areas["经济"], m["李区长"]), (areas["组织"], m["赵宣传"])],
    )
    substitute_designate(member=m["王组织"], substitute=m["赵宣传"], effective_from=V1_FROM, actor=None)
    substitute_designate(member=m["钱经济"], substitute=m["李区长"], effective_from=V1_FROM, actor=None)
    # a later change of substitute does not show on the table of the day the plan took effect
    substitute_designate(member=m["钱经济"], substitute=m["王组织"], effective_from=date(2025, 1, 1), actor=None)
    portfolio_plan_activate(plan=plan, effective_from=V1_FROM, actor=None)
    return SimpleNamespace(term=term, m=m, areas=areas, plan=plan)


def pdf_text(content: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def row_of(text: str, name: str) -> list[str]:
    """The cells on the table line naming `name` (pdftotext -layout keeps a row's cells on one line)."""
    [line] = [line for line in text.splitlines() if re.search(rf"\s{name}\s", line)]
    return line.split()


def test_the_pdf_is_a_document_of_the_plan_with_each_member_in_a_row(
    client, reader, setup, media_root, django_capture_on_commit_callbacks
):
    client.force_login(reader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("committees:plan_pdf", args=[setup.plan.pk]))
    document = Document.objects.get()
    assert response["Location"] == reverse("core:document_detail", args=[document.pk])
    document.refresh_from_db()
    assert (document.kind, document.params, document.status) == ("portfolio_table", {"plan": setup.plan.pk}, "ready")
    assert document.filename == "测试区委第1届常委分工第1版（20211015起施行）.pdf"
    assert AuditEvent.objects.filter(action="document.requested", object_id=str(document.pk), actor=reader).exists()
    with document.file.open("rb") as f:
        text = pdf_text(f.read())

    assert "中共测试区委员会常委分工" in text
    assert "第1版" in text and "自2021年10月15日起施行" in text
    assert "草稿" not in text
    assert f"打印日期：{timezone.localdate():%Y}年" in text
    header = row_of(text, "姓名")
    assert header == ["序号", "姓名", "职务", "牵头负责", "协助", "缺位互补"]
    # 序号, 姓名, 职务, 牵头负责, 协助, 缺位互补
    assert row_of(text, "陈书记") == ["1", "陈书记", "区委书记", PRESIDES, "—", "未安排"]
    assert row_of(text, "王组织") == ["3", "王组织", "区委常委、组织部部长", "组织", "—", "赵宣传"]
    assert row_of(text, "赵宣传") == ["4", "赵宣传", "区委常委、宣传部部长", "宣传", "组织", "未安排"]
    assert row_of(text, "钱经济") == ["5", "钱经济", "区委常委、常务副区长", "经济", "—", "李区长"]
    assert text.index("陈书记") < text.index("李区长") < text.index("王组织") < text.index("钱经济")


def test_a_draft_says_so_and_uses_todays_substitutes(setup, media_root):
    draft = portfolio_plan_create(term=setup.term, actor=None)
    portfolio_assignment_set(
        plan=draft, area=setup.areas["宣传"], member=setup.m["钱经济"], kind=LEAD, actor=None
    )  # an overlap is fine on a draft's table
    pdf, filename = render_portfolio_table(SimpleNamespace(params={"plan": draft.pk}))
    text = pdf_text(pdf)

    assert filename == "测试区委第1届常委分工第2版（草稿）.pdf"
    assert "草稿，尚未生效" in text
    assert "起施行" not in text
    assert row_of(text, "钱经济")[3:] == ["宣传、经济", "—", "王组织"]  # the substitute in force today


def test_posts_name_the_committee_title_only_when_the_posts_do_not(setup):
    m = setup.m
    assert post_lines(m["李区长"]) == ["区委副书记", "区长"]
    assert post_lines(m["王组织"]) == ["区委常委、组织部部长"]
    m["王组织"].cadre.current_post = "组织部部长"
    assert post_lines(m["王组织"]) == ["常委", "组织部部长"]


def test_the_rows_follow_the_statutory_order(setup):
    rows = portfolio_rows(setup.plan, V1_FROM)
    assert [r.member.cadre.name for r in rows] == ["陈书记", "李区长", "王组织", "赵宣传", "钱经济"]
    assert [a.name for a in rows[1].assists] == ["经济"]
    assert [r.presides for r in rows] == [True, False, False, False, False]


def test_a_discarded_draft_cannot_be_printed(setup, reader):
    draft = portfolio_plan_create(term=setup.term, actor=None)
    pk = draft.pk
    portfolio_plan_discard(plan=draft, actor=None)
    with pytest.raises(ApplicationError, match=r"^该版本分工已不存在"):
        render_portfolio_table(SimpleNamespace(params={"plan": pk}))


def test_only_committee_roles_may_ask_for_the_table(setup, make_user):
    outsider = make_user(roles.TRAINING_SECTION)
    with pytest.raises(ApplicationError, match=r"^您没有生成该文件的权限$"):
        document_request(kind="portfolio_table", params={"plan": setup.plan.pk}, title="分工表", actor=outsider)

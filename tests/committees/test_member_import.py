"""The member list import: every rule on the sample files, all or nothing, idempotent, and only for 组织科."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cadres.services import cadre_create
from committees.models import TermMember, TermMemberRoleChange
from committees.services import committee_create, term_change, term_create, term_member_add
from committees.services.member_import import COLUMNS, parse_day, term_members_import
from orgdept.core import roles
from orgdept.core.imports import ERROR, NEW, UNCHANGED, UPDATED
from orgdept.core.models import AuditEvent, ImportBatch
from tests.cadres.factories import make_unit
from tests.fixtures import make_term_member_fixtures as fx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
R = TermMember.Role

pytestmark = pytest.mark.django_db


def fixture(name: str) -> Path:
    return FIXTURES / name


@pytest.fixture
def people(db):
    unit = make_unit("区委办公室")
    return {
        name: cadre_create(actor=None, unit=unit, name=name, id_number=number, current_post=f"{name}的职务")
        for name, (number, _born, _male) in fx.PEOPLE.items()
    }


@pytest.fixture
def term(people):
    committee = committee_create(name="中共测试区委员会", short_name="测试区委", actor=None)
    return term_create(committee=committee, number=1, starts_on=fx.TERM_STARTS, actor=None, **fx.QUOTAS)


@pytest.fixture
def zuzhi(make_user):
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhi")


def run(term, name, *, dry_run=False, actor=None, preview=None):
    return term_members_import(
        source=fixture(name), dry_run=dry_run, actor=actor, params={"term": term.pk}, preview=preview
    )


def seats(term) -> dict[str, tuple]:
    return {
        m.cadre.name: (m.role, m.full_time_deputy, m.concurrent_post, m.order, m.election_votes, m.joined_on)
        for m in term.members.select_related("cadre")
    }


def test_the_fixtures_are_what_the_generator_writes(tmp_path):
    for path in fx.make(tmp_path):
        assert path.read_bytes() == fixture(path.name).read_bytes(), path.name


def test_a_valid_list_fills_the_term(term, zuzhi):
    preview = run(term, "term_members_valid.xlsx", dry_run=True)
    assert preview.errors == [] and preview.warnings == []
    assert (preview.total, preview.new, preview.updated, preview.unchanged) == (10, 10, 0, 0)
    assert [r.row for r in preview.rows] == [2, 3, 4, 5, 7, 8, 9, 10, 11, 12]  # the blank row 6 is skipped
    assert not term.members.exists()  # a preview writes nothing

    report = run(term, "term_members_valid.xlsx", actor=zuzhi)
    assert report.written and report.new == 10
    start = fx.TERM_STARTS
    assert seats(term) == {
        "王书记": (R.SECRETARY, False, "", 1, None, start),
        "李区长": (R.DEPUTY_SECRETARY, False, "区长", 1, None, start),
        "赵专职": (R.DEPUTY_SECRETARY, True, "", 2, None, start),
        "钱常委": (R.STANDING_MEMBER, False, "常务副区长", 1, None, start),
        "孙常委": (R.STANDING_MEMBER, False, "", 2, None, start),
        "周委员": (R.MEMBER, False, "", 1, None, start),
        "吴委员": (R.MEMBER, False, "", 2, None, date(2022, 1, 5)),
        "郑候补": (R.ALTERNATE, False, "", 1, 188, start),
        "冯候补": (R.ALTERNATE, False, "", 2, 201, start),
        "陈候补": (R.ALTERNATE, False, "", 1, 201, start),
    }
    event = AuditEvent.objects.get(action="term_members.imported")
    assert (event.actor, event.object_id) == (zuzhi, str(term.pk))
    assert event.details == {"total": 10, "new": 10, "updated": 0, "unchanged": 0, "not_in_file": 0}
    assert AuditEvent.objects.filter(action="term_member.added", actor=zuzhi).count() == 10


def test_importing_the_same_file_again_changes_nothing(term, zuzhi):
    run(term, "term_members_valid.xlsx", actor=zuzhi)
    before = (seats(term), AuditEvent.objects.count())
    again = run(term, "term_members_valid.xlsx", actor=zuzhi)
    assert again.written and again.errors == []
    assert {r.outcome for r in again.rows} == {UNCHANGED} and again.unchanged == 10
    assert (seats(term), AuditEvent.objects.count()) == before  # not even an audit event


def test_every_error_is_named_with_its_row_and_column(term):
    report = run(term, "term_members_errors.xlsx", dry_run=True)
    expected = {number: column for number, (_row, column) in enumerate(fx.error_rows(), start=2) if column}
    by_row = {}
    for error in report.errors:
        by_row.setdefault(error["row"], set()).add(error["column"])
    assert by_row == {row: {column} for row, column in expected.items()}
    outcomes = {r.row: r.outcome for r in report.rows}
    assert outcomes == {2: NEW, **dict.fromkeys(expected, ERROR)}
    messages = {e["row"]: e["message"] for e in report.errors}
    assert messages[3] == f"干部档案中没有公民身份号码为{fx.NOBODY}的干部；请先录入其干部档案（或导入花名册）"
    assert messages[4] == "姓名“李四”与公民身份号码对应的干部档案（李区长）不符"
    assert messages[5] == "身份“主任”无法识别，应为书记、副书记、常委、委员或候补委员"
    assert messages[6] == "候补委员须填写得票数：递补按得票多少依次进行"
    assert messages[7] == f"公民身份号码与第2行重复（{fx.idn('王书记')}）"
    assert messages[8].startswith("公民身份号码") and "校验位错误" in messages[8]
    assert messages[9] == "只有副书记可以是专职副书记（此行身份为常委）"
    assert messages[10] == "“2021.13.01”不是有效的日期"
    assert messages[11] == "得票数“很多”应为不小于0的整数"
    assert messages[12] == "任职日期不能早于测试区委第1届的起始日期2021-09-28"
    assert "被Excel存成了数字" in messages[13]


def test_a_file_with_errors_writes_nothing(term, zuzhi):
    before = AuditEvent.objects.count()
    report = run(term, "term_members_errors.xlsx", actor=zuzhi)
    assert report.errors and not report.written
    assert not term.members.exists()  # the correct row 2 is not written either
    assert AuditEvent.objects.count() == before


def test_the_whole_file_is_checked_against_the_quotas(term):
    report = run(term, "term_members_over_quota.csv", dry_run=True)
    assert [e["message"] for e in report.errors] == [
        "导入后常委（含书记、副书记）将有7名，超过测试区委第1届的名额5名（文件中7名）"
    ]
    assert report.errors[0]["column"] == "身份" and report.errors[0]["row"] is None
    assert not run(term, "term_members_over_quota.csv").written
    assert not term.members.exists()


def test_members_serving_but_not_in_the_file_count_against_the_quotas(term, people):
    for name in ("王书记", "李区长", "赵专职", "钱常委", "孙常委"):
        role = {"王书记": R.SECRETARY, "李区长": R.DEPUTY_SECRETARY, "赵专职": R.DEPUTY_SECRETARY}.get(
            name, R.STANDING_MEMBER
        )
        term_member_add(term=term, cadre=people[name], role=role, joined_on=fx.TERM_STARTS, actor=None)
    report = run(term, "term_members_partial.csv", dry_run=True)
    assert [e["message"] for e in report.errors] == [
        "导入后常委（含书记、副书记）将有6名，超过测试区委第1届的名额5名（文件中1名，未列入文件的在任成员5名）"
    ]
    assert report.extra["not_in_file"] == [
        "王书记（书记）",
        "李区长（副书记）",
        "赵专职（副书记）",
        "钱常委（常委）",
        "孙常委（常委）",
    ]


def test_two_secretaries_are_refused_on_their_rows(term):
    report = run(term, "term_members_two_secretaries.csv", dry_run=True)
    message = "书记只能有1名，导入后将有2名：王书记（第2行）、李区长（第3行）"
    assert report.errors == [
        {"row": 2, "column": "身份", "message": message},
        {"row": 3, "column": "身份", "message": message},
    ]
    assert {r.row: r.outcome for r in report.rows}[3] == ERROR
    assert not run(term, "term_members_two_secretaries.csv").written
    assert not term.members.exists()


def test_a_later_list_updates_members_swapping_roles_within_full_seats(term, zuzhi):
    run(term, "term_members_valid.xlsx", actor=zuzhi)
    preview = run(term, "term_members_update.csv", dry_run=True)
    assert preview.errors == []
    changed = {r.label: r.changes for r in preview.rows if r.outcome == UPDATED}
    assert changed == {
        "钱常委": {"党政交叉任职": ["常务副区长", "区政府党组副书记"]},
        "孙常委": {"身份": ["常委", "委员"], "排序": ["2", "1"]},  # the first 委员 row of the file
        "周委员": {"身份": ["委员", "常委"], "排序": ["1", "2"]},
        "吴委员": {"排序": ["2", "5"]},
    }
    assert preview.unchanged == 6

    report = run(term, "term_members_update.csv", actor=zuzhi, preview=preview)
    assert report.written, report.errors
    after = seats(term)
    assert after["孙常委"][:4] == (R.MEMBER, False, "", 1)
    assert after["周委员"][:4] == (R.STANDING_MEMBER, False, "", 2)
    assert after["钱常委"][2] == "区政府党组副书记"
    changes = TermMemberRoleChange.objects.filter(member__term=term).order_by("pk")
    # the standing seats were all taken: 孙常委 stepped down before 周委员 stepped up
    assert [(c.member.cadre.name, c.from_role, c.to_role, c.reason) for c in changes] == [
        ("孙常委", R.STANDING_MEMBER, R.MEMBER, "导入委员名单"),
        ("周委员", R.MEMBER, R.STANDING_MEMBER, "导入委员名单"),
    ]
    assert AuditEvent.objects.filter(action="term_members.imported").latest("pk").details == {
        "total": 10,
        "new": 0,
        "updated": 4,
        "unchanged": 6,
        "not_in_file": 0,
    }


def test_an_alternate_is_not_made_a_member_by_an_import(term, zuzhi):
    run(term, "term_members_valid.xlsx", actor=zuzhi)
    source = fixture("term_members_update.csv").read_bytes().decode("gb18030")
    source = source.replace("郑候补," + fx.idn("郑候补") + ",候补委员", "郑候补," + fx.idn("郑候补") + ",委员")
    report = term_members_import(source=source.encode("utf-8"), dry_run=True, actor=None, params={"term": term.pk})
    assert [e["message"] for e in report.errors] == [
        "郑候补现为候补委员：候补委员按得票多少依次递补为委员，须在届次页面逐一递补，不能通过导入改变"
    ]


def test_a_commit_after_the_members_changed_writes_nothing(term, people, zuzhi):
    preview = run(term, "term_members_valid.xlsx", dry_run=True)
    term_member_add(term=term, cadre=people["周委员"], role=R.MEMBER, joined_on=fx.TERM_STARTS, order=7, actor=None)
    report = run(term, "term_members_valid.xlsx", actor=zuzhi, preview=preview)
    assert not report.written and report.dry_run
    assert report.conflict == "预览之后本届成员已有变动（周委员）；请重新检查后再导入"
    assert term.members.count() == 1


def test_only_a_current_term_takes_an_import(term, zuzhi):
    term_change(committee=term.committee, starts_on=date(2026, 9, 28), actor=None)
    report = run(term, "term_members_valid.xlsx", actor=zuzhi)
    assert report.errors[0]["message"] == "测试区委第1届已于2026年09月28日换届，只能向本届导入委员名单"
    assert not report.written and not term.members.exists()


def test_a_member_who_left_cannot_come_back_by_import(term, people, zuzhi):
    from committees.services import term_member_leave

    member = term_member_add(term=term, cadre=people["周委员"], role=R.MEMBER, joined_on=fx.TERM_STARTS, actor=None)
    term_member_leave(member=member, left_on=date(2023, 3, 1), reason="调离", actor=None)
    report = run(term, "term_members_valid.xlsx", dry_run=True)
    assert [(e["row"], e["column"], e["message"]) for e in report.errors] == [
        (8, "公民身份号码", "周委员已于2023-03-01离任（调离），不能再次进入测试区委第1届")
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-09-28", date(2021, 9, 28)),
        ("2021/9/28", date(2021, 9, 28)),
        ("2021.9.28", date(2021, 9, 28)),
        ("2021年9月28日", date(2021, 9, 28)),
        ("2021/9/28 0:00", date(2021, 9, 28)),
        ("20210928", date(2021, 9, 28)),
        (20210928, date(2021, 9, 28)),
        (44467, date(2021, 9, 28)),
        (44467.5, date(2021, 9, 28)),
        (date(2021, 9, 28), date(2021, 9, 28)),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_read_in_the_usual_ways(value, expected):
    assert parse_day(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2021.09", "“2021.09”只有年月，请写完整的日期，如 2021-09-28"),
        ("2021-02-30", "“2021-02-30”不是有效的日期"),
        ("去年秋天", "“去年秋天”不是有效的日期，应为 2021-09-28 的形式"),
    ],
)
def test_dates_that_cannot_be_read_are_named(value, message):
    with pytest.raises(ValueError, match=message):
        parse_day(value)


# --- the pages -------------------------------------------------------------------------------------------------


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, fixture(name).read_bytes())


def test_the_upload_page_explains_the_columns_and_that_nobody_is_removed(client, term, zuzhi):
    client.force_login(zuzhi)
    response = client.get(reverse("committees:member_import", args=[term.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for column in COLUMNS:
        assert column in page
    assert 'data-testid="member-import-columns"' in page
    assert reverse("committees:member_import_template") in page


def test_upload_preview_and_confirm(client, term, zuzhi):
    client.force_login(zuzhi)
    response = client.post(
        reverse("committees:member_import", args=[term.pk]), {"file": upload("term_members_valid.xlsx")}
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "committees:member_import_batch", args=[batch.pk]
    )
    assert batch.params == {"term": term.pk} and batch.status == ImportBatch.Status.PREVIEWED
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="confirm-import"' in page and "王书记" in page
    # the preview shows names and ID numbers: looking at it is on the audit trail
    seen = AuditEvent.objects.get(action="term_members.previewed")
    assert (seen.actor, seen.object_id, seen.details) == (
        zuzhi,
        str(batch.pk),
        {"status": "previewed", "rows": 10, "term": term.pk},
    )
    response = client.post(reverse("committees:member_import_commit", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert term.members.count() == 10
    page = client.get(reverse("committees:member_import_batch", args=[batch.pk])).content.decode()
    assert 'data-testid="import-done"' in page


def test_a_preview_with_errors_offers_no_confirmation(client, term, zuzhi):
    client.force_login(zuzhi)
    client.post(reverse("committees:member_import", args=[term.pk]), {"file": upload("term_members_errors.xlsx")})
    batch = ImportBatch.objects.get()
    page = client.get(reverse("committees:member_import_batch", args=[batch.pk])).content.decode()
    assert 'data-testid="confirm-import"' not in page
    assert "姓名“李四”与公民身份号码对应的干部档案（李区长）不符" in page
    client.post(reverse("committees:member_import_commit", args=[batch.pk]))
    assert not term.members.exists()


def test_members_not_in_the_file_are_named_on_the_preview(client, term, people, zuzhi):
    term_member_add(term=term, cadre=people["王书记"], role=R.SECRETARY, joined_on=fx.TERM_STARTS, actor=None)
    client.force_login(zuzhi)
    client.post(reverse("committees:member_import", args=[term.pk]), {"file": upload("term_members_partial.csv")})
    batch = ImportBatch.objects.get()
    page = client.get(reverse("committees:member_import_batch", args=[batch.pk])).content.decode()
    assert 'data-testid="not-in-file"' in page and "王书记（书记）" in page


def test_the_template_has_the_columns(client, zuzhi):
    client.force_login(zuzhi)
    response = client.get(reverse("committees:member_import_template"))
    assert response.status_code == 200
    sheet = load_workbook(__import__("io").BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == list(COLUMNS)


@pytest.mark.parametrize(
    "role", [roles.STANDING_MEMBER, roles.CADRE_SECTION, roles.DEPARTMENT_LEADER, roles.TRAINING_SECTION]
)
def test_only_the_organization_section_imports(client, make_user, term, role):
    client.force_login(make_user(role))
    assert client.get(reverse("committees:member_import", args=[term.pk])).status_code == 403
    assert (
        client.post(
            reverse("committees:member_import", args=[term.pk]), {"file": upload("term_members_valid.xlsx")}
        ).status_code
        == 403
    )
    assert client.get(reverse("committees:member_import_template")).status_code == 403
    assert not ImportBatch.objects.exists()


def test_another_users_batch_is_not_shown(client, make_user, term, zuzhi):
    client.force_login(zuzhi)
    client.post(reverse("committees:member_import", args=[term.pk]), {"file": upload("term_members_valid.xlsx")})
    batch = ImportBatch.objects.get()
    client.force_login(make_user(roles.ORGANIZATION_SECTION))
    assert client.get(reverse("committees:member_import_batch", args=[batch.pk])).status_code == 404
    assert client.post(reverse("committees:member_import_commit", args=[batch.pk])).status_code == 404
    assert not term.members.exists()


def test_an_old_term_takes_no_upload(client, term, zuzhi):
    term_change(committee=term.committee, starts_on=date(2026, 9, 28), actor=None)
    client.force_login(zuzhi)
    response = client.get(reverse("committees:member_import", args=[term.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("committees:term_detail", args=[term.pk])

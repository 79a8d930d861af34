"""Roster pages and import batches: upload, preview, 确认导入, progress of large files in the background, access."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.models import Cadre
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.imports import (
    ImportKind,
    ImportReport,
    import_batch_commit,
    import_batch_create,
    import_batch_run,
    register_import_kind,
)
from orgdept.core.models import AuditEvent, ImportBatch
from orgdept.core.tasks import run_import_batch
from tests.cadres.factories import make_unit
from tests.fixtures import make_roster_fixtures as fx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
UPLOAD_URL = reverse("cadres:roster_import")

pytestmark = pytest.mark.django_db


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else (FIXTURES / name).read_bytes())


@pytest.fixture
def ganbu(make_user, client):
    user = make_user(roles.CADRE_SECTION, username="ganbu")
    client.force_login(user)
    return user


@pytest.fixture
def units(db):
    for name in ("区财政局", "区住房和城乡建设局"):
        make_unit(name)


def batch_url(batch) -> str:
    return reverse("cadres:roster_batch", args=[batch.pk])


# --- access ----------------------------------------------------------------------------------------


def test_the_anonymous_are_sent_to_sign_in(client):
    response = client.get(UPLOAD_URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", [roles.ORGANIZATION_SECTION, roles.DEPARTMENT_LEADER, roles.MEMBER])
def test_only_those_who_may_add_and_change_cadres_import(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(UPLOAD_URL).status_code == 403
    assert client.get(reverse("cadres:roster_export", args=["xlsx"])).status_code == 403
    assert client.get(reverse("cadres:roster_template")).status_code == 403


@pytest.mark.parametrize("role", [roles.SYSTEM_ADMIN, roles.CADRE_SECTION])
def test_administrators_and_the_cadre_section_see_the_page_and_the_nav_entry(client, make_user, role):
    client.force_login(make_user(role))
    response = client.get(UPLOAD_URL)
    assert response.status_code == 200
    assert f'href="{UPLOAD_URL}"' in response.content.decode()  # the navigation entry
    assert "身份证号" in response.content.decode()  # the standard columns are listed


def test_a_batch_is_only_for_its_uploader(client, ganbu, units, make_user):
    response = client.post(UPLOAD_URL, {"file": upload("roster_valid.xlsx")})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch_url(batch)
    client.force_login(make_user(roles.CADRE_SECTION, username="other"))
    assert client.get(batch_url(batch)).status_code == 404
    assert client.post(reverse("cadres:roster_commit", args=[batch.pk])).status_code == 404
    assert not Cadre.objects.exists()


def test_the_uploaded_file_is_kept_privately(client, ganbu, units):
    client.post(UPLOAD_URL, {"file": upload("roster_valid.xlsx")})
    batch = ImportBatch.objects.get()
    assert batch.file.name.startswith("imports/") and "roster_valid" not in batch.file.name
    assert batch.filename == "roster_valid.xlsx" and batch.uploaded_by == ganbu
    assert client.get("/media/" + batch.file.name).status_code == 404


# --- upload and preview ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024), "旧版Excel"),
        ("roster.xlsx", b"%PDF-1.7\n" + bytes(100), "PDF"),
        ("roster.csv", b"   ", "空的"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_next_to_the_field(client, ganbu, name, content, fragment):
    response = client.post(UPLOAD_URL, {"file": upload(name, content)})
    assert response.status_code == 400
    form = response.context["form"]
    assert fragment in form.errors["file"][0]
    assert 'class="field-error"' in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_oversize_file_is_refused(client, ganbu, settings):
    settings.ORGDEPT_IMPORT_MAX_BYTES = 500
    response = client.post(UPLOAD_URL, {"file": upload("roster_valid.xlsx")})
    assert response.status_code == 400 and "文件过大" in response.context["form"].errors["file"][0]


def test_the_preview_shows_counts_new_units_rows_and_a_confirm_button(client, ganbu, units):
    response = client.post(UPLOAD_URL, {"file": upload("roster_valid.xlsx")}, follow=True)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PREVIEWED and not batch.background
    page = response.content.decode()
    assert 'data-testid="confirm-import"' in page
    assert "区数据资源管理局" in page  # the unit that will be created
    assert "备用字段" in page  # the warning
    assert response.context["report"].new == 4
    assert [r.label for r in response.context["page_obj"]] == ["张三", "王伟", "李四", "赵敏"]
    assert not Cadre.objects.exists()
    event = AuditEvent.objects.get(action="import.uploaded")
    assert event.actor == ganbu and event.details["filename"] == "roster_valid.xlsx"


def test_a_preview_with_errors_highlights_row_and_column_and_offers_a_new_upload(client, ganbu, units):
    response = client.post(UPLOAD_URL, {"file": upload("roster_errors.xlsx")}, follow=True)
    page = response.content.decode()
    assert 'data-testid="confirm-import"' not in page
    assert 'data-testid="roster-reupload"' in page
    assert "<mark>身份证号</mark>" in page and "身份证号与第2行重复" in page
    errors = response.context["errors_shown"]
    assert {"row": 12, "column": "职级", "message": "未知的职级“正厅”"} in errors
    response = client.get(batch_url(ImportBatch.objects.get()) + "?outcome=error")
    assert {r.outcome for r in response.context["page_obj"]} == {"error"}
    batch = ImportBatch.objects.get()
    response = client.post(reverse("cadres:roster_commit", args=[batch.pk]), follow=True)
    assert "还有错误" in response.content.decode()
    assert not Cadre.objects.exists()


def test_confirming_imports_all_rows_once(client, ganbu, units):
    client.post(UPLOAD_URL, {"file": upload("roster_valid.xlsx")})
    batch = ImportBatch.objects.get()
    commit_url = reverse("cadres:roster_commit", args=[batch.pk])
    response = client.post(commit_url, follow=True)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and batch.committed_at
    assert Cadre.objects.count() == 4
    page = response.content.decode()
    assert 'data-testid="import-done"' in page
    assert AuditEvent.objects.filter(action="import.commit_requested", actor=ganbu).count() == 1
    assert AuditEvent.objects.filter(action="roster.imported").count() == 1
    # a second click does nothing more
    client.post(commit_url)
    assert AuditEvent.objects.filter(action="roster.imported").count() == 1
    assert Cadre.objects.count() == 4


def test_a_person_entered_after_the_preview_sends_the_batch_back_to_the_preview(client, ganbu, units):
    """A file entered through the forms after the preview: nothing is written until the user has seen it."""
    from cadres.services import cadre_create

    client.post(UPLOAD_URL, {"file": upload("roster_valid.xlsx")})
    batch = ImportBatch.objects.get()
    assert batch.preview["new"] == 4
    cadre_create(actor=ganbu, unit=make_unit("区审计局"), name="王伟", id_number=fx.WANG_WEI)
    batch = import_batch_commit(batch=batch, actor=ganbu)
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.error == "预览之后以下干部的档案已被修改：王伟；请重新检查后再导入"
    assert (batch.preview["new"], batch.preview["updated"]) == (3, 1)  # compared with the files as they are now
    assert Cadre.objects.count() == 1
    # seen and confirmed again: the file is updated, not entered twice
    batch = import_batch_commit(batch=batch, actor=ganbu)
    assert batch.status == ImportBatch.Status.COMMITTED and not batch.error
    result = ImportReport.from_dict(batch.result)
    assert (result.new, result.updated) == (3, 1)
    assert Cadre.objects.filter(id_number=fx.WANG_WEI).get().unit.name == "区数据资源管理局"


def test_an_edit_after_the_preview_writes_nothing_and_the_page_names_the_people(client, ganbu, units):
    from cadres.services import cadre_create, cadre_update

    wang = cadre_create(actor=ganbu, unit=make_unit("区审计局"), name="王伟", id_number=fx.WANG_WEI)
    client.post(UPLOAD_URL, {"file": upload("roster_valid.xlsx")})
    batch = ImportBatch.objects.get()
    assert (batch.preview["new"], batch.preview["updated"]) == (3, 1)
    cadre_update(cadre=wang, actor=ganbu, expected_version=wang.version, phone="13700000000")
    audit_before = AuditEvent.objects.filter(action="roster.imported").count()
    response = client.post(reverse("cadres:roster_commit", args=[batch.pk]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "预览之后以下干部的档案已被修改：王伟；请重新检查后再导入" in page
    assert 'data-testid="confirm-import"' in page  # after a look at the new preview it may be confirmed
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert Cadre.objects.count() == 1 and Cadre.objects.get().phone == "13700000000"
    assert AuditEvent.objects.filter(action="roster.imported").count() == audit_before


def test_the_upload_page_lists_recent_uploads_in_a_fixed_number_of_queries(client, ganbu, units):
    client.post(UPLOAD_URL, {"file": upload("roster_gb18030.csv")})
    with CaptureQueriesContext(connection) as one:
        client.get(UPLOAD_URL)
    for _ in range(4):
        client.post(UPLOAD_URL, {"file": upload("roster_gb18030.csv")})
    with CaptureQueriesContext(connection) as five:
        response = client.get(UPLOAD_URL)
    assert len(response.context["batches"]) == 5
    assert len(five.captured_queries) == len(one.captured_queries)


def test_export_and_template_downloads(client, ganbu, units):
    client.post(UPLOAD_URL, {"file": upload("roster_valid.xlsx")})
    client.post(reverse("cadres:roster_commit", args=[ImportBatch.objects.get().pk]))
    response = client.get(reverse("cadres:roster_export", args=["csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="roster.csv"' in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").count("\r\n") == 5
    assert AuditEvent.objects.get(action="roster.exported").actor == ganbu
    response = client.get(reverse("cadres:roster_template"))
    assert response.status_code == 200 and response.content.startswith(b"PK")


# --- the background path ---------------------------------------------------------------------------


def roster_csv(n: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "身份证号", "工作单位", "现任职务", "职级", "入党时间", "全日制学历"])
    for i in range(n):
        born = date(1960, 1, 1) + timedelta(days=i)  # one person a day: every ID number differs
        number = fx.id_number(born, male=bool(i % 2), area=("330102", "330103", "110105")[i % 3], seq=i % 50)
        writer.writerow(
            [f"干部{i}", number, f"单位{i % 40}", f"单位{i % 40}科员", "一级科员", f"{born.year + 25}.07", "大学"]
        )
    return out.getvalue().encode()


def test_a_large_file_is_checked_and_imported_by_the_task_with_progress(
    client, ganbu, settings, django_capture_on_commit_callbacks
):
    settings.ORGDEPT_IMPORT_INLINE_ROWS = 1000
    content = roster_csv(10_000)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(UPLOAD_URL, {"file": upload("big.csv", content)})
    batch = ImportBatch.objects.get()
    assert response["Location"] == batch_url(batch)
    assert batch.background and batch.status == ImportBatch.Status.PREVIEW_QUEUED
    assert batch.progress_total == 10_000 and batch.progress == 0
    # while the task has not run, the page shows a progress bar that polls
    page = client.get(batch_url(batch)).content.decode()
    assert 'data-testid="import-progress"' in page and 'hx-trigger="every 1s"' in page
    partial = client.get(batch_url(batch), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and b"<progress" in partial.content
    assert len(queued) == 1

    for callback in queued:
        callback()  # Celery is eager in tests: the task checks every row now
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert (batch.progress, batch.progress_total) == (10_000, 10_000)
    assert batch.preview["new"] == 10_000 and batch.preview["errors"] == []
    assert len(batch.preview["new_units"]) == 40
    done = client.get(batch_url(batch), HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cadres:roster_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.progress == batch.progress_total == 10_000
    assert batch.result["new"] == 10_000 and batch.result["written"] is True
    assert Cadre.objects.count() == 10_000
    assert AuditEvent.objects.filter(action="cadre.imported").count() == 10_000

    # the task delivered twice (a retry after a lost acknowledgement) does nothing more
    run_import_batch.delay(batch.pk)
    assert AuditEvent.objects.filter(action="roster.imported").count() == 1


_flaky_failures = {"left": 0}


def _flaky_run(*, source, dry_run, actor, progress, preview=None, params=None):
    if _flaky_failures["left"]:
        _flaky_failures["left"] -= 1
        raise RuntimeError("worker lost")
    progress.start(1)
    progress.advance(1)
    return ImportReport(dry_run=dry_run, total=1, unchanged=1)


def _errors_on_commit_run(*, source, dry_run, actor, progress, preview=None, params=None):
    report = ImportReport(dry_run=dry_run, total=1, new=1)
    if not dry_run:  # the data changed between the preview and the commit
        report.new = 0
        report.error("第2行已被他人修改", row=2, column="姓名")
    return report


@pytest.fixture
def flaky_kind():
    register_import_kind(ImportKind("test-flaky", "测试", _flaky_run, may_import=lambda user: True))
    register_import_kind(ImportKind("test-changed", "测试", _errors_on_commit_run, may_import=lambda user: True))


def test_a_commit_that_finds_errors_goes_back_to_the_preview_with_them(ganbu, flaky_kind):
    batch = import_batch_create(kind="test-changed", upload=upload("a.csv", b"x\r\n1\r\n"), actor=ganbu)
    assert batch.status == ImportBatch.Status.PREVIEWED and batch.preview["errors"] == []
    batch = import_batch_commit(batch=batch, actor=ganbu)
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.preview["errors"] == [{"row": 2, "column": "姓名", "message": "第2行已被他人修改"}]
    with pytest.raises(ApplicationError, match="还有错误"):
        import_batch_commit(batch=batch, actor=ganbu)


def test_only_the_uploader_confirms(ganbu, flaky_kind, make_user):
    batch = import_batch_create(kind="test-changed", upload=upload("a.csv", b"x\r\n1\r\n"), actor=ganbu)
    with pytest.raises(ApplicationError, match="上传该文件的人"):
        import_batch_commit(batch=batch, actor=make_user(roles.CADRE_SECTION))


def test_a_failing_task_is_retried_and_then_marked_failed(
    ganbu, flaky_kind, settings, django_capture_on_commit_callbacks
):
    settings.ORGDEPT_IMPORT_INLINE_ROWS = 0
    _flaky_failures["left"] = 2
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_batch_create(kind="test-flaky", upload=upload("a.csv", b"x\r\n1\r\n"), actor=ganbu)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED and batch.attempts == 3  # two crashes, then done
    _flaky_failures["left"] = 5
    with django_capture_on_commit_callbacks(execute=True):
        batch2 = import_batch_create(kind="test-flaky", upload=upload("b.csv", b"x\r\n1\r\n"), actor=ganbu)
    batch2.refresh_from_db()
    assert batch2.status == ImportBatch.Status.FAILED and "意外错误（RuntimeError）" in batch2.error
    _flaky_failures["left"] = 0
    assert import_batch_run(batch_id=batch2.pk).status == ImportBatch.Status.FAILED  # left as it is


def test_a_batch_no_worker_finished_is_queued_again(ganbu, units, settings, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from orgdept.core.imports import import_batches_requeue_stale

    settings.ORGDEPT_IMPORT_INLINE_ROWS = 0
    with django_capture_on_commit_callbacks(execute=False):  # the worker that took it died
        batch = import_batch_create(kind="roster", upload=upload("roster_valid.xlsx"), actor=ganbu)
    assert batch.status == ImportBatch.Status.PREVIEW_QUEUED
    assert import_batches_requeue_stale() == 0  # not stale yet
    assert import_batches_requeue_stale(older_than=timedelta(0)) == 1  # Celery is eager: it runs now
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED and batch.preview["new"] == 4
    assert import_batches_requeue_stale(older_than=timedelta(0)) == 0


# --- an inline run that crashes, or whose process dies, never leaves the batch stuck ------------------

_crash = {"preview": None, "commit": None}


def _crashing_roster_run(*, source, dry_run, actor, progress, preview=None, params=None):
    from cadres.services.roster import roster_import

    error = _crash["preview" if dry_run else "commit"]
    if error is not None:
        raise error
    return roster_import(source=source, dry_run=dry_run, actor=actor, progress=progress, preview=preview)


@pytest.fixture
def crashing_roster(monkeypatch):
    """The roster kind, with a run that raises what `_crash` says (an error, or a dying process)."""
    from cadres.services.roster import ROSTER_IMPORT_KIND
    from orgdept.core import imports

    kind = ImportKind("roster", "干部花名册", _crashing_roster_run, ROSTER_IMPORT_KIND.may_import, {"new_units": []})
    monkeypatch.setitem(imports._kinds, "roster", kind)
    monkeypatch.setitem(_crash, "preview", None)
    monkeypatch.setitem(_crash, "commit", None)
    return _crash


def test_an_inline_preview_that_crashes_fails_with_a_chinese_error_not_a_500(client, ganbu, units, crashing_roster):
    crashing_roster["preview"] = RuntimeError("disk on fire")
    response = client.post(UPLOAD_URL, {"file": upload("roster_valid.xlsx")}, follow=True)
    assert response.status_code == 200
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED and not batch.running
    assert "检查文件时发生意外错误" in batch.error and "没有写入任何数据" in batch.error
    assert "检查文件时发生意外错误" in response.content.decode()
    assert 'data-testid="import-progress"' not in response.content.decode()


def test_an_inline_commit_that_crashes_writes_nothing_and_may_be_confirmed_again(client, ganbu, units, crashing_roster):
    client.post(UPLOAD_URL, {"file": upload("roster_valid.xlsx")})
    batch = ImportBatch.objects.get()
    commit_url = reverse("cadres:roster_commit", args=[batch.pk])
    crashing_roster["commit"] = RuntimeError("connection reset")
    response = client.post(commit_url, follow=True)
    assert response.status_code == 200
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert "导入时发生意外错误" in batch.error
    page = response.content.decode()
    assert batch.error in page and 'data-testid="confirm-import"' in page
    assert not Cadre.objects.exists()
    crashing_roster["commit"] = None
    client.post(commit_url)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and not batch.error
    assert Cadre.objects.count() == 4


def test_an_inline_commit_whose_process_died_is_run_again_by_the_requeue(ganbu, units, crashing_roster):
    import time_machine
    from django.utils import timezone

    from orgdept.core.imports import import_batches_requeue_stale

    batch = import_batch_create(kind="roster", upload=upload("roster_valid.xlsx"), actor=ganbu)
    crashing_roster["commit"] = SystemExit(1)  # the web process ends mid-commit
    with pytest.raises(SystemExit):
        import_batch_commit(batch=batch, actor=ganbu)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMIT_QUEUED and not batch.background
    crashing_roster["commit"] = None
    assert import_batch_commit(batch=batch, actor=ganbu).status == ImportBatch.Status.COMMIT_QUEUED  # a 2nd click
    assert import_batches_requeue_stale() == 0  # not stale yet
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert import_batches_requeue_stale() == 1  # Celery is eager in the tests: it runs now
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and Cadre.objects.count() == 4


def test_confirming_an_inline_commit_whose_process_died_runs_it_again(ganbu, units, crashing_roster):
    import time_machine
    from django.utils import timezone

    batch = import_batch_create(kind="roster", upload=upload("roster_valid.xlsx"), actor=ganbu)
    crashing_roster["commit"] = SystemExit(1)
    with pytest.raises(SystemExit):
        import_batch_commit(batch=batch, actor=ganbu)
    crashing_roster["commit"] = None
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        batch = import_batch_commit(batch=batch, actor=ganbu)
    assert batch.status == ImportBatch.Status.COMMITTED and Cadre.objects.count() == 4
    assert AuditEvent.objects.filter(action="roster.imported").count() == 1


# --- who may see a preview, and the record of who did ------------------------------------------------


def test_importing_needs_the_permission_to_view_cadre_files_too(client, make_user, units):
    from django.contrib.auth.models import Permission

    user = make_user(username="writer")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["add_cadre", "change_cadre"]))
    client.force_login(user)
    assert client.get(UPLOAD_URL).status_code == 403
    assert client.post(UPLOAD_URL, {"file": upload("roster_valid.xlsx")}).status_code == 403
    assert not ImportBatch.objects.exists()
    user.user_permissions.add(Permission.objects.get(codename="view_cadre"))
    user = type(user).objects.get(pk=user.pk)  # permissions are cached on the instance
    client.force_login(user)
    assert client.get(UPLOAD_URL).status_code == 200


def test_showing_a_preview_with_stored_files_is_audited(client, ganbu, units):
    client.post(UPLOAD_URL, {"file": upload("roster_valid.xlsx")})
    batch = ImportBatch.objects.get()
    client.get(batch_url(batch))
    assert not AuditEvent.objects.filter(action="roster.previewed").exists()  # only new people: nothing stored
    import_batch_commit(batch=batch, actor=ganbu)
    client.post(UPLOAD_URL, {"file": upload("roster_valid.xlsx")})
    again = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert again.preview["unchanged"] == 4
    client.get(batch_url(again))
    event = AuditEvent.objects.get(action="roster.previewed")
    assert event.actor == ganbu and event.object_id == str(again.pk)
    assert event.details == {"status": "previewed", "existing": 4, "updated": 0}
    client.get(batch_url(again) + "?page=1")
    assert AuditEvent.objects.filter(action="roster.previewed").count() == 2  # every showing


# --- uploaded files are kept for a while only ------------------------------------------------------


def test_old_uploads_are_deleted_with_the_rows_of_their_reports(
    client, ganbu, units, settings, django_capture_on_commit_callbacks
):
    import time_machine
    from django.utils import timezone

    from orgdept.celery import app
    from orgdept.core.tasks import purge_old_import_batches

    assert "core.purge_old_import_batches" in {e["task"] for e in app.conf.beat_schedule.values()}
    assert settings.ORGDEPT_IMPORT_RETENTION_DAYS == 7
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        done = import_batch_create(kind="roster", upload=upload("roster_valid.xlsx"), actor=ganbu)
        done = import_batch_commit(batch=done, actor=ganbu)
        left = import_batch_create(kind="roster", upload=upload("roster_valid.xlsx"), actor=ganbu)
    with time_machine.travel(start + timedelta(days=5), tick=False):
        recent = import_batch_create(kind="roster", upload=upload("roster_valid.xlsx"), actor=ganbu)
    files = {b.pk: (b.file.storage, b.file.name) for b in (done, left, recent)}
    assert all(storage.exists(name) for storage, name in files.values())
    with time_machine.travel(start + timedelta(days=8), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert purge_old_import_batches.delay().get() == 2
        with django_capture_on_commit_callbacks(execute=True):
            assert purge_old_import_batches.delay().get() == 0  # nothing more to do
    for batch in (done, left, recent):
        batch.refresh_from_db()
    storage, name = files[done.pk]
    assert not storage.exists(name) and not files[left.pk][0].exists(files[left.pk][1])
    assert files[recent.pk][0].exists(files[recent.pk][1]) and recent.file and recent.preview["rows"]
    assert done.status == ImportBatch.Status.COMMITTED and not done.file
    assert done.result["rows"] == [] and done.result["new"] == 4 and done.preview["rows"] == []
    assert left.status == ImportBatch.Status.FAILED and "超过保存期限（7天）" in left.error
    assert left.preview["rows"] == [] and left.preview["errors"] == []
    with pytest.raises(ApplicationError, match="尚未检查完毕"):
        import_batch_commit(batch=left, actor=ganbu)  # the file is gone: it cannot be confirmed
    for batch in (done, left):
        response = client.get(batch_url(batch))
        assert response.status_code == 200
    assert 'data-testid="batch-purged"' in client.get(batch_url(done)).content.decode()

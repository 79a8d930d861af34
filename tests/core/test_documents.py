"""Documents: request → render (eager Celery) → download; the calendar PDF and its fonts; failures and retries."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.core.exceptions import SuspiciousFileOperation
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from orgdept.core import documents, roles
from orgdept.core.documents import (
    MAX_ATTEMPTS,
    DocumentKind,
    document_render,
    document_request,
    documents_requeue_stale,
)
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent, Document, Notification
from orgdept.core.pdf import PDF_BASE_URL, BlockedURL, StaticOnlyURLFetcher

CJK_FONT = re.compile(r"CJK|Noto|WenQuanYi", re.IGNORECASE)
FAKE_PDF = b"%PDF-1.4\n% a stand-in for a rendered file\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Rendered files go to the test's own directory, removed with it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def requester(make_user):
    return make_user(roles.CADRE_SECTION, username="requester", email="requester@example.org")


@pytest.fixture
def fake_kind(monkeypatch):
    """A registered kind that renders instantly; `calls` lists the documents it rendered."""
    calls: list[int] = []

    def render(document):
        calls.append(document.pk)
        return FAKE_PDF, "测试文件.pdf"

    kind = DocumentKind(name="test_fake", label="测试文件", render=render, may_request=lambda user, params: True)
    monkeypatch.setitem(documents._kinds, kind.name, kind)
    return calls


@pytest.fixture
def broken_kind(monkeypatch):
    calls: list[int] = []

    def render(document):
        calls.append(document.pk)
        raise RuntimeError("字体文件缺失")

    kind = DocumentKind(name="test_broken", label="坏文件", render=render, may_request=lambda user, params: True)
    monkeypatch.setitem(documents._kinds, kind.name, kind)
    return calls


@pytest.fixture
def ready_document(requester, fake_kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(kind="test_fake", params={}, title="测试文件", actor=requester)
    document.refresh_from_db()
    assert document.status == Document.Status.READY
    return document


# --- the calendar PDF -------------------------------------------------------------------------

_rendered: dict[str, bytes] = {}


@pytest.fixture
def calendar_pdf(requester, django_capture_on_commit_callbacks):
    """The 2026 calendar rendered through the service once per test session (rendering takes ~1 s)."""
    if "pdf" not in _rendered:
        with django_capture_on_commit_callbacks(execute=True):
            document = document_request(
                kind="calendar_year", params={"year": 2026}, title="2026年工作日历", actor=requester
            )
        document.refresh_from_db()
        assert document.status == Document.Status.READY, document.error
        with document.file.open("rb") as f:
            _rendered["pdf"] = f.read()
    return _rendered["pdf"]


def test_calendar_year_document_is_rendered_to_a_ready_file(requester, django_capture_on_commit_callbacks, media_root):
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(
            kind="calendar_year", params={"year": 2026}, title="2026年工作日历", actor=requester
        )

    document.refresh_from_db()
    assert document.status == Document.Status.READY
    assert document.attempts == 1
    assert document.error == ""
    assert document.finished_at is not None
    assert document.filename == "2026年工作日历.pdf"
    assert Path(document.file.path).is_relative_to(media_root)
    with document.file.open("rb") as f:
        content = f.read()
    assert content.startswith(b"%PDF-")
    _rendered.setdefault("pdf", content)
    # the requester is told, and may see the document (object permission granted by the service)
    assert Notification.objects.filter(recipient=requester, title="文件已生成：2026年工作日历").exists()
    assert requester.has_perm("core.view_document", document)
    assert AuditEvent.objects.filter(action="document.requested", object_id=str(document.pk)).exists()


def _font_names(reader: PdfReader) -> set[str]:
    names: set[str] = set()

    def walk(resources):
        resources = resources.get_object() if resources is not None else None
        if not resources:
            return
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            names.add(str(font.get("/BaseFont", "")))
            for descendant in font.get("/DescendantFonts") or []:
                names.add(str(descendant.get_object().get("/BaseFont", "")))
        for xobject in (resources.get("/XObject") or {}).values():
            walk(xobject.get_object().get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return names


def test_calendar_pdf_embeds_a_chinese_font(calendar_pdf, tmp_path):
    fonts = _font_names(PdfReader(BytesIO(calendar_pdf)))
    assert any(CJK_FONT.search(name) for name in fonts), fonts

    if shutil.which("pdffonts"):
        path = tmp_path / "calendar.pdf"
        path.write_bytes(calendar_pdf)
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        embedded_cjk = [
            line for line in listing.splitlines()[2:] if CJK_FONT.search(line) and line.split()[-5] == "yes"
        ]
        assert embedded_cjk, listing


def test_calendar_pdf_text_is_chinese_and_correct(calendar_pdf):
    reader = PdfReader(BytesIO(calendar_pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "2026年工作日历" in text
    assert "工作日历" in text
    assert "国庆节" in text
    assert "10月（" in text
    assert reader.metadata.title == "2026年工作日历"


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils (pdftoppm)")
def test_calendar_pdf_first_page_renders_to_an_image(calendar_pdf, tmp_path):
    path = tmp_path / "calendar.pdf"
    path.write_bytes(calendar_pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    assert pages[0].read_bytes().startswith(b"\x89PNG")
    assert pages[0].stat().st_size > 10 * 1024


def test_calendar_pdf_view_refuses_an_unscheduled_year(client, requester):
    client.force_login(requester)
    response = client.post(reverse("core:calendar_pdf", args=[2027]), follow=True)
    assert response.status_code == 200
    assert "2027年的节假日安排尚未录入" in response.content.decode()
    assert not Document.objects.exists()


# --- the URL fetcher --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/x.css",
        "https://example.com/static/css/pdf.css",
        "http://orgdept-static.invalid/static/css/pdf.css",
        "http://127.0.0.1:8000/static/css/pdf.css",
        "file:///etc/passwd",
        PDF_BASE_URL + "media/documents/secret.pdf",
        PDF_BASE_URL + "static/css/does-not-exist.css",
    ],
)
def test_url_fetcher_refuses_everything_but_our_static_files(url):
    with pytest.raises(BlockedURL):
        StaticOnlyURLFetcher().fetch(url)


@pytest.mark.parametrize("path", ["static/../../../../etc/passwd", "static/%2e%2e/%2e%2e/%2e%2e/etc/passwd"])
def test_url_fetcher_refuses_path_traversal(path):
    with pytest.raises((BlockedURL, SuspiciousFileOperation)):
        StaticOnlyURLFetcher().fetch(PDF_BASE_URL + path)


def test_url_fetcher_serves_our_static_css():
    response = StaticOnlyURLFetcher().fetch(PDF_BASE_URL + "static/css/pdf.css")
    body = response.read()
    assert b"@page" in body
    assert response.headers.get_content_type() == "text/css"


def test_url_fetcher_passes_data_urls():
    assert StaticOnlyURLFetcher().fetch("data:text/plain,hello").read() == b"hello"


# --- download -----------------------------------------------------------------------------------


def test_requester_downloads_the_file_and_the_download_is_audited(client, requester, ready_document):
    client.force_login(requester)

    response = client.get(reverse("core:document_download", args=[ready_document.pk]), REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 200
    # consuming the stream closes the file; an explicit response.close() would end the test's DB connection
    assert b"".join(response.streaming_content) == FAKE_PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert quote("测试文件.pdf") in disposition
    event = AuditEvent.objects.get(action="document.downloaded")
    assert event.actor == requester
    assert event.object_id == str(ready_document.pk)
    assert event.client_ip == "203.0.113.9"


def test_detail_page_shows_the_download_link(client, requester, ready_document):
    client.force_login(requester)
    html = client.get(reverse("core:document_detail", args=[ready_document.pk])).content.decode()
    assert reverse("core:document_download", args=[ready_document.pk]) in html
    partial = client.get(reverse("core:document_detail", args=[ready_document.pk]), headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert 'id="document-status"' in partial.content.decode()


@pytest.mark.parametrize("role", [roles.CADRE_SECTION, roles.SYSTEM_ADMIN, roles.DEPARTMENT_LEADER])
def test_another_user_gets_404(client, make_user, ready_document, role):
    # documents are private to their requester: not even an administrator downloads someone else's
    other = make_user(role, username="other")
    client.force_login(other)
    assert client.get(reverse("core:document_download", args=[ready_document.pk])).status_code == 404
    assert client.get(reverse("core:document_detail", args=[ready_document.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="document.downloaded").exists()


def test_a_requester_who_lost_the_right_to_ask_for_the_kind_can_no_longer_open_it(
    client, requester, monkeypatch, django_capture_on_commit_callbacks
):
    allowed = {"requester"}
    kind = DocumentKind(
        name="test_guarded",
        label="受限文件",
        render=lambda document: (FAKE_PDF, "受限文件.pdf"),
        may_request=lambda user, params: user.username in allowed and params.get("unit") == 7,
    )
    monkeypatch.setitem(documents._kinds, kind.name, kind)
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(kind="test_guarded", params={"unit": 7}, title="受限文件", actor=requester)
    download = reverse("core:document_download", args=[document.pk])
    detail = reverse("core:document_detail", args=[document.pk])
    client.force_login(requester)
    assert client.get(detail).status_code == 200
    response = client.get(download)
    assert response.status_code == 200
    b"".join(response.streaming_content)

    allowed.clear()  # the right is taken away after the file was made
    assert client.get(download).status_code == 403
    assert client.get(detail).status_code == 403
    assert client.get(detail, headers={"HX-Request": "true"}).status_code == 403
    assert AuditEvent.objects.filter(action="document.downloaded").count() == 1
    # a kind no longer registered gives no one its files
    allowed.add("requester")
    monkeypatch.delitem(documents._kinds, kind.name)
    assert client.get(download).status_code == 403


def test_anonymous_is_sent_to_login(client, ready_document):
    url = reverse("core:document_download", args=[ready_document.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote(url)}"


def test_a_pending_document_cannot_be_downloaded(client, requester, fake_kind):
    # on_commit callbacks are not run here, so the document stays PENDING
    document = document_request(kind="test_fake", params={}, title="排队中", actor=requester)
    assert document.status == Document.Status.PENDING
    client.force_login(requester)
    assert client.get(reverse("core:document_download", args=[document.pk])).status_code == 404
    detail = client.get(reverse("core:document_detail", args=[document.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in detail  # the page polls until it is ready
    assert fake_kind == []


def test_document_list_shows_only_my_documents(client, requester, make_user, fake_kind):
    other = make_user(username="other")
    document_request(kind="test_fake", params={}, title="我的文件", actor=requester)
    document_request(kind="test_fake", params={}, title="别人的文件", actor=other)
    client.force_login(requester)
    html = client.get(reverse("core:document_list")).content.decode()
    assert "我的文件" in html
    assert "别人的文件" not in html


# --- requests, failures and retries ------------------------------------------------------------


def test_unknown_kind_and_refused_request(requester, monkeypatch):
    with pytest.raises(ApplicationError, match="未知的文件类型"):
        document_request(kind="nope", params={}, title="x", actor=requester)
    kind = DocumentKind(name="test_secret", label="x", render=lambda d: (b"", "x"), may_request=lambda u, p: False)
    monkeypatch.setitem(documents._kinds, kind.name, kind)
    with pytest.raises(ApplicationError, match="没有生成该文件的权限"):
        document_request(kind="test_secret", params={}, title="x", actor=requester)
    assert not Document.objects.exists()


def test_a_renderer_that_keeps_failing_ends_failed_and_tells_the_requester(
    requester, broken_kind, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(kind="test_broken", params={}, title="坏文件", actor=requester)

    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert document.attempts == MAX_ATTEMPTS
    assert len(broken_kind) == MAX_ATTEMPTS
    assert "RuntimeError: 字体文件缺失" in document.error
    assert document.finished_at is not None
    assert not document.file
    notice = Notification.objects.get(recipient=requester, title="文件生成失败：坏文件")
    assert "字体文件缺失" in notice.body
    assert notice.url == reverse("core:document_detail", args=[document.pk])
    assert [m.subject for m in mailoutbox] == ["[组织部干部工作系统] 文件生成失败：坏文件"]


def test_a_failure_with_attempts_left_raises_for_a_retry(requester, broken_kind):
    document = document_request(kind="test_broken", params={}, title="坏文件", actor=requester)
    with pytest.raises(RuntimeError):
        document_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.PENDING
    assert document.attempts == 1
    assert "字体文件缺失" in document.error


def test_rendering_a_ready_or_failed_document_again_does_nothing(
    requester, ready_document, fake_kind, broken_kind, django_capture_on_commit_callbacks
):
    rendered = len(fake_kind)
    notices = Notification.objects.count()
    before = Document.objects.filter(pk=ready_document.pk).values().get()

    assert document_render(document_id=ready_document.pk).status == Document.Status.READY

    assert len(fake_kind) == rendered
    assert Document.objects.filter(pk=ready_document.pk).values().get() == before
    assert Notification.objects.count() == notices

    with django_capture_on_commit_callbacks(execute=True):
        failed = document_request(kind="test_broken", params={}, title="坏文件", actor=requester)
    calls = len(broken_kind)
    assert document_render(document_id=failed.pk).status == Document.Status.FAILED
    assert len(broken_kind) == calls
    failed.refresh_from_db()
    assert failed.attempts == MAX_ATTEMPTS


def test_stale_pending_documents_are_queued_again(requester, fake_kind, django_capture_on_commit_callbacks):
    start = timezone.now()
    with time_machine.travel(start - timedelta(minutes=30), tick=False):
        stale = document_request(kind="test_fake", params={}, title="卡住的文件", actor=requester)
    fresh = document_request(kind="test_fake", params={}, title="刚提交的文件", actor=requester)

    with django_capture_on_commit_callbacks(execute=True):
        assert documents_requeue_stale(older_than=timedelta(minutes=10)) == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == Document.Status.READY
    assert fresh.status == Document.Status.PENDING
    assert fake_kind == [stale.pk]

"""PDF rendering with WeasyPrint: HTML from our templates, fonts from fontconfig, only our static files."""

from __future__ import annotations

import ctypes
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative and /static/ URLs in PDF templates resolve against this origin; nothing else is fetched.
PDF_BASE_URL = "https://orgdept-static.invalid/"


class BlockedURL(ValueError):
    pass


class StaticOnlyURLFetcher(URLFetcher):
    """Serves our static files and data: URLs; refuses every other address (no network, no local files)."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        base = urlsplit(PDF_BASE_URL)
        static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if parts.scheme != base.scheme or parts.netloc != base.netloc or not parts.path.startswith(static_prefix):
            raise BlockedURL(f"PDF 渲染不允许访问外部地址：{url}")
        relative = unquote(parts.path[len(static_prefix) :])
        found = finders.find(relative)
        if not found:
            raise BlockedURL(f"找不到静态文件：{relative}")
        path = Path(found)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})


_fonts = threading.local()


def font_config() -> FontConfiguration:
    """This thread's font configuration, made once: a new one per document loads fontconfig's whole font list
    again, and the ones dropped are freed only when the garbage collector gets to them, so a worker's memory
    swings by hundreds of MB. Pango's font maps are not thread-safe, hence one per thread.

    It only grows by @font-face rules, which our PDF templates do not use; its layout caches are keyed by font
    style, a bounded set.
    """
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


def html_to_pdf(html: str) -> bytes:
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).render(
        font_config=font_config()
    )
    try:
        return document.write_pdf()
    finally:
        # Each font a document uses holds a copy of its whole file (tens of MB for a CJK collection) until the
        # document is collected, which may be long after this returns: let go of them now.
        document.fonts.clear()
        _return_freed_memory()


def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim  # glibc; other C libraries may not have it
    except (AttributeError, OSError):
        return None


_trim = _malloc_trim()


def _return_freed_memory() -> None:
    """Hands the font copies just freed back to the system. glibc raises its mmap threshold after the first
    such block is freed, so later ones land on the heap and stay in the process: a worker's memory would then
    step up and down by 50 MB from one document to the next instead of staying flat. Takes under a millisecond.
    """
    if _trim is not None:
        _trim(0)


def render_pdf(template_name: str, context: dict) -> bytes:
    """Renders a PDF template (which extends pdf/base.html) to PDF bytes."""
    context = {"font_families": settings.ORGDEPT_PDF_FONT_FAMILIES, **context}
    return html_to_pdf(render_to_string(template_name, context))

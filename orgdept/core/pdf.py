"""PDF rendering with WeasyPrint: HTML from our templates, fonts from fontconfig, only our static files."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
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


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).write_pdf()


def render_pdf(template_name: str, context: dict) -> bytes:
    """Renders a PDF template (which extends pdf/base.html) to PDF bytes."""
    context = {"font_families": settings.ORGDEPT_PDF_FONT_FAMILIES, **context}
    return html_to_pdf(render_to_string(template_name, context))

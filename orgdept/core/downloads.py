"""Confidential downloads: the content types the pages hand out and the response that saves them as files."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A confidential download: saved as a file, never cached on the way (personnel data)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response

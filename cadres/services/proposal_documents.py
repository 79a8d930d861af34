"""The documents of a proposal's steps (a recommendation record, an inspection report, a check's reply): PDF files
only, checked to open before they are kept, never stored under the uploaded name; every upload and every
download is audited."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from ..models import AppointmentProposal, ProposalDocument
from .records import file_written, files_removed_on_rollback

NAME_MAX_LENGTH = 120
# characters that have no place in a file name shown and offered for download
_NAME_UNSAFE = set('<>:"/\\|?*')


def document_name(raw: str) -> str:
    """The name to show: the last part of the uploaded path, printable, at most 120 characters, ending in .pdf."""
    text = unicodedata.normalize("NFC", str(raw or ""))
    text = re.split(r"[/\\]", text)[-1]
    # control and format characters (a right-to-left override can disguise an extension) are taken out
    text = "".join(" " if unicodedata.category(ch)[0] == "Z" else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = "".join("_" if ch in _NAME_UNSAFE else ch for ch in text)
    text = re.sub(" +", " ", text).strip(" .")
    if text.lower().endswith(".pdf"):
        text = text[:-4].rstrip(" .")
    stem = text or "材料"
    return f"{stem[: NAME_MAX_LENGTH - 4].rstrip(' .')}.pdf"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f}MB"


def _check_pdf(data: bytes) -> None:
    """Refuses what is not a PDF that opens: another format, an encrypted file, a broken one or one with no page."""
    from pypdf import PdfReader

    if b"%PDF-" not in data[:1024]:
        raise ApplicationError("只能上传PDF文件；Word、图片等请先导出为PDF后再上传", field="file")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
    except Exception:
        raise ApplicationError("PDF文件已损坏，无法打开；请重新导出PDF后再上传", field="file") from None
    if encrypted:
        raise ApplicationError("这是加密的PDF文件；请取消打开密码或权限密码后重新导出PDF再上传", field="file")
    if not pages:
        raise ApplicationError("PDF文件中没有任何页面（文件可能已损坏）；请重新导出PDF后再上传", field="file")


@files_removed_on_rollback()
@transaction.atomic
def proposal_document_add(*, proposal: AppointmentProposal, step: str, upload, actor) -> ProposalDocument:
    """Keeps a step's PDF with the proposal: its size within ORGDEPT_MATERIAL_MAX_BYTES, its checksum recorded."""
    if step not in ProposalDocument.Step.values:
        raise ApplicationError("请选择材料所属的环节", field="step")
    if upload is None:
        raise ApplicationError("请选择要上传的PDF文件", field="file")
    limit = settings.ORGDEPT_MATERIAL_MAX_BYTES
    too_large = f"文件超过{_megabytes(limit)}，请压缩或拆分后再上传"
    if upload.size is not None and upload.size > limit:
        raise ApplicationError(too_large, field="file")
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ApplicationError(too_large, field="file")
    if not data:
        raise ApplicationError("上传的文件是空的", field="file")
    _check_pdf(data)
    name = document_name(getattr(upload, "name", ""))
    checksum = hashlib.sha256(data).hexdigest()
    document = ProposalDocument(
        proposal=proposal, step=step, name=name, size=len(data), sha256=checksum, uploaded_by=actor
    )
    document.file.save("document.pdf", ContentFile(data), save=False)
    # stored before the row: gone again if the transaction rolls back
    file_written(document.file.storage, document.file.name)
    document.save()
    audit_log(
        actor=actor,
        action="proposal.document_added",
        obj=proposal,
        details={"document": document.pk, "step": step, "name": name, "size": len(data), "sha256": checksum},
    )
    return document


def proposal_document_read(*, document: ProposalDocument, actor) -> bytes:
    """The document's bytes for a download, recorded in the audit trail (it is part of a personnel file)."""
    with document.file.open("rb") as handle:
        data = handle.read()
    audit_log(
        actor=actor,
        action="proposal.document_downloaded",
        obj=document.proposal,
        details={"document": document.pk, "step": document.step, "name": document.name},
    )
    return data

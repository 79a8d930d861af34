"""Topic materials: accepting uploaded PDF and DOCX files safely, a PDF to read, the reader's watermark, packs.

Pure functions, no database: the topic services store what `material_check` returns; the portal serves
`watermark_pdf(material_pdf(...), ...)`; the agenda pack is `merge_pdfs` of the agenda and the materials.
What a file is, is decided from its content, never from its name. A DOCX is read with defusedxml, its
zip sizes checked before anything is decompressed; its text reaches WeasyPrint only escaped, and the
renderer fetches nothing but our static files.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.html import escape

from orgdept.core.exceptions import ApplicationError
from orgdept.core.pdf import html_to_pdf

KINDS = ("pdf", "docx")
DEFAULT_MAX_BYTES = 30 * 1024 * 1024
NAME_MAX_LENGTH = 120
MAX_PDF_PAGES = 3000
# a DOCX of 30 MB is mostly pictures, which do not grow when unzipped; its XML rarely grows past 20:1
MAX_UNZIPPED_BYTES = 150 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FROM_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 3000
# the text of a 1,000-page document is some 20 MB of XML; more is refused before it is parsed
MAX_DOCUMENT_XML_BYTES = 60 * 1024 * 1024
MAX_TABLE_DEPTH = 6
MAX_XML_DEPTH = 200  # real documents nest some 20 elements deep
_CHUNK = 1024 * 1024

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"
DOCUMENT_PART = "word/document.xml"
STYLES_PART = "word/styles.xml"
CONTENT_TYPES_PART = "[Content_Types].xml"

ONLY_PDF_DOCX = "会议材料只接收PDF和Word（.docx）文件，请另存为其中一种格式后再上传"
_OTHER_FORMATS = [
    (b"MZ", "Windows可执行程序（.exe/.dll）"),
    (b"\x7fELF", "可执行程序"),
    (b"#!", "脚本程序"),
    (b"\x89PNG", "PNG图片"),
    (b"\xff\xd8\xff", "JPG图片"),
    (b"GIF8", "GIF图片"),
    (b"II*\x00", "TIFF图片"),
    (b"MM\x00*", "TIFF图片"),
    (b"Rar!", "RAR压缩包"),
    (b"7z\xbc\xaf", "7z压缩包"),
    (b"\x1f\x8b", "gzip压缩包"),
    (b"PK\x05\x06", "空的zip压缩包"),
    (b"{\\rtf", "RTF文档"),
    (b"%!PS", "PostScript文件"),
]
# extensions that say what a file claims to be; the stored name gets the extension of what it really is
_FILE_SUFFIXES = {
    "pdf", "docx", "doc", "docm", "dotx", "dot", "wps", "wpt", "rtf", "txt", "odt", "ofd", "xlsx", "xls", "et",
    "pptx", "ppt", "dps", "zip", "rar", "7z", "exe", "dll", "bat", "cmd", "js", "htm", "html", "mht", "xml",
    "jpg", "jpeg", "png", "gif", "tif", "tiff", "bin", "dat", "tmp",
}  # fmt: skip
_NAME_UNSAFE = set('<>:"|?*')
_UNSAFE_XML = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_SUFFIXES = (".xml", ".rels")


@dataclass(frozen=True)
class MaterialFile:
    """An accepted material: the cleaned name to show, its real kind ("pdf" or "docx") and its bytes."""

    name: str
    kind: str
    size: int
    sha256: str
    content: bytes = field(repr=False)

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=f"material.{self.kind}")


def _max_bytes() -> int:
    return int(getattr(settings, "ORGDEPT_MATERIAL_MAX_BYTES", DEFAULT_MAX_BYTES) or DEFAULT_MAX_BYTES)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}MB"


# --- the name ------------------------------------------------------------------------------------------


def material_name(raw: str, kind: str) -> str:
    """The name to store and show: the last path part, printable, at most 120 characters, ending in .pdf/.docx."""
    text = unicodedata.normalize("NFC", str(raw or ""))
    text = _printable(re.split(r"[/\\]", text)[-1])
    text = "".join("_" if ch in _NAME_UNSAFE else ch for ch in text).strip(" .")
    stem, dot, suffix = text.rpartition(".")
    if not dot or suffix.lower() not in _FILE_SUFFIXES:
        stem = text
    stem = stem.strip(" .") or "材料"
    return f"{stem[: NAME_MAX_LENGTH - len(kind) - 1].rstrip(' .')}.{kind}"


def _printable(text: str) -> str:
    """Spaces, tabs and line breaks as one space; other control and format characters (a right-to-left
    override can disguise an extension) taken out."""
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category[0] == "Z" or ch in "\t\n\r\v\f":
            kept.append(" ")
        elif category[0] != "C":
            kept.append(ch)
    return re.sub(" +", " ", "".join(kept)).strip()


# --- accepting an upload -----------------------------------------------------------------------------


def _read_upload(upload, max_bytes: int) -> bytes:
    if isinstance(upload, (bytes, bytearray, memoryview)):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if isinstance(size, int) and size > max_bytes:
            raise ApplicationError(_too_big(size, max_bytes), field="file")
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ApplicationError(_too_big(len(data), max_bytes), field="file")
    return data


def _too_big(size: int, max_bytes: int) -> str:
    shown = f"（{_megabytes(size)}）" if size <= max_bytes * 2 else ""
    return f"文件过大{shown}，会议材料不能超过{_megabytes(max_bytes)}；请压缩其中的图片或拆成几个文件后再上传"


def material_check(upload, *, name: str | None = None) -> MaterialFile:
    """Accepts a real PDF or DOCX (an upload, an open file or bytes) or raises ApplicationError saying why not."""
    data = _read_upload(upload, _max_bytes())
    raw_name = name if name is not None else getattr(upload, "name", "") or ""
    if not data.strip(b"\x00 \t\r\n\f\v"):
        raise ApplicationError("文件是空的，没有任何内容；请检查后重新上传", field="file")
    kind = material_kind(data)
    return MaterialFile(
        name=material_name(raw_name, kind),
        kind=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
    )


def material_kind(data: bytes) -> str:
    """The kind ("pdf" or "docx") of content that is safe to read as such; anything else raises ApplicationError."""
    if data.startswith(OLE2_MAGIC):
        raise ApplicationError(_ole2_message(data), field="file")
    if data.startswith(ZIP_MAGIC):
        _docx_parts(data)
        return "docx"
    # readers accept the PDF header anywhere in the first kilobyte
    if PDF_MAGIC in data[:1024]:
        _open_pdf(data)
        return "pdf"
    for magic, what in _OTHER_FORMATS:
        if data.startswith(magic):
            raise ApplicationError(f"这是{what}，不是PDF或Word文档；{ONLY_PDF_DOCX}", field="file")
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"mime-version")) or b"<html" in head:
        raise ApplicationError(f"这是网页（HTML/MHT）格式的文件，不是PDF或Word文档；{ONLY_PDF_DOCX}", field="file")
    if head.startswith(b"<?xml"):
        raise ApplicationError(f"这是XML文件，不是PDF或Word文档；{ONLY_PDF_DOCX}", field="file")
    if _looks_like_text(data):
        raise ApplicationError(f"这是纯文本文件，不是PDF或Word文档；{ONLY_PDF_DOCX}", field="file")
    raise ApplicationError(f"无法识别的文件格式（文件可能已损坏，或被改了扩展名）；{ONLY_PDF_DOCX}", field="file")


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            # the sample may cut a character in two
            try:
                text = sample[:-3].decode(encoding)
            except UnicodeDecodeError:
                continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
        return controls <= len(text) // 100
    return False


def _ole2_message(data: bytes) -> str:
    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") in data

    if has("EncryptedPackage") or has("EncryptionInfo"):
        return "这是设置了打开密码（加密）的Office文档，系统无法读取；请在Word中取消密码，另存为.docx或PDF后再上传"
    if has("Workbook") or has("Book"):
        return f"这是旧版Excel表格（.xls），不是PDF或Word文档；{ONLY_PDF_DOCX}"
    if has("PowerPoint Document"):
        return f"这是旧版PowerPoint演示文稿（.ppt），不是PDF或Word文档；{ONLY_PDF_DOCX}"
    return (
        "这是旧版Word文档（.doc）或WPS文档（.wps），系统不接收这种格式；"
        "请在Word或WPS中用“另存为”保存为.docx或PDF后再上传"
    )


# --- PDF ---------------------------------------------------------------------------------------------

PDF_BROKEN = "PDF文件已损坏，无法打开；请用原软件重新导出PDF后再上传"
PDF_ENCRYPTED = "这是加密（设置了打开密码或权限密码）的PDF文件，系统无法为它加水印和合并；请取消加密后重新导出PDF再上传"


def _open_pdf(data: bytes):
    """A pypdf reader of a PDF whose pages can all be read; ApplicationError for an encrypted or broken one."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception:
        raise ApplicationError(PDF_BROKEN, field="file") from None
    if encrypted:
        raise ApplicationError(PDF_ENCRYPTED, field="file")
    try:
        count = len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise ApplicationError(f"PDF文件超过{MAX_PDF_PAGES}页，请拆成几个文件后再上传", field="file")
        for page in reader.pages:
            _visible_box(page)
            _rotation(page)
    except ApplicationError:
        raise
    except Exception:
        raise ApplicationError(PDF_BROKEN, field="file") from None
    if not count:
        raise ApplicationError("PDF文件中没有任何页面（文件可能已损坏）；请重新导出PDF后再上传", field="file")
    return reader


def _visible_box(page) -> tuple[float, float, float, float]:
    """(left, bottom, width, height) of what a viewer shows of the page: its crop box, normalised."""
    box = page.cropbox
    x0, x1 = sorted((float(box.left), float(box.right)))
    y0, y1 = sorted((float(box.bottom), float(box.top)))
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise ValueError("empty page box")
    return x0, y0, x1 - x0, y1 - y0


def _rotation(page) -> int:
    return (round(float(page.get("/Rotate", 0) or 0) / 90) * 90) % 360


# --- DOCX --------------------------------------------------------------------------------------------

DOCX_BROKEN = "文件已损坏或不是有效的Word文档（.docx）；请在Word中重新另存为.docx或PDF后再上传"
ZIP_BOMB = "文件解压后过大（疑似“压缩炸弹”），已拒绝读取；如确是正常文档，请另存为PDF后再上传"


@dataclass(frozen=True)
class _DocxParts:
    document: object  # the parsed word/document.xml
    styles: bytes | None


def _docx_parts(data: bytes) -> _DocxParts:
    """Checks a DOCX without trusting it and returns the parts the converter reads."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, struct.error, EOFError):
        raise ApplicationError(DOCX_BROKEN, field="file") from None
    names = [info.filename for info in infos]
    if len(infos) > MAX_ZIP_MEMBERS or len(set(names)) != len(names):
        raise ApplicationError("文件结构异常（疑似被篡改的压缩包），已拒绝读取", field="file")
    if DOCUMENT_PART not in names:
        raise ApplicationError(_zip_kind_message(names), field="file")
    if CONTENT_TYPES_PART not in names:
        raise ApplicationError(DOCX_BROKEN, field="file")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ApplicationError(_MACROS, field="file")
    # sizes first, from the zip's directory, before a single byte is decompressed
    if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
        raise ApplicationError(ZIP_BOMB, field="file")
    for info in infos:
        if info.file_size > RATIO_CHECK_FROM_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise ApplicationError("文件的压缩比异常（疑似“压缩炸弹”），已拒绝读取", field="file")
        if info.flag_bits & 0x1:
            raise ApplicationError(
                "这是设置了密码（加密）的文件，系统无法读取；请取消密码，另存为.docx或PDF后再上传", field="file"
            )
    if next(info for info in infos if info.filename == DOCUMENT_PART).file_size > MAX_DOCUMENT_XML_BYTES:
        raise ApplicationError("文档正文过长，系统无法转换阅读；请拆成几个文件，或另存为PDF后再上传", field="file")
    budget = [MAX_UNZIPPED_BYTES]
    parts: dict[str, bytes] = {}
    for info in infos:
        if info.filename.lower().endswith(_XML_SUFFIXES):
            keep = info.filename in (DOCUMENT_PART, STYLES_PART, CONTENT_TYPES_PART)
            content = _read_xml_member(archive, info, budget, keep=keep)
            if keep:
                parts[info.filename] = content
    _check_content_types(parts[CONTENT_TYPES_PART])
    document = _parse_xml(parts[DOCUMENT_PART])
    if _local(document.tag) != "document" or _child(document, "body") is None:
        raise ApplicationError(DOCX_BROKEN, field="file")
    if _nesting_deeper_than(document, MAX_XML_DEPTH):
        raise ApplicationError("文档结构异常（嵌套层次过深），已拒绝读取；请另存为PDF后再上传", field="file")
    return _DocxParts(document, parts.get(STYLES_PART))


def _nesting_deeper_than(root, limit: int) -> bool:
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in element)
    return False


_MACROS = "这是含有宏的Word文档，系统不接收；请另存为不含宏的.docx或PDF后再上传"


def _zip_kind_message(names: list[str]) -> str:
    if "xl/workbook.xml" in names:
        return f"这是Excel表格（.xlsx），不是Word文档；{ONLY_PDF_DOCX}"
    if any(name.startswith("ppt/") for name in names):
        return f"这是PowerPoint演示文稿（.pptx），不是Word文档；{ONLY_PDF_DOCX}"
    if "OFD.xml" in names:
        return "这是OFD版式文件，系统暂不接收；请转换为PDF后再上传"
    if "content.xml" in names:
        return "这是OpenDocument（.odt等）格式的文件；请在WPS或LibreOffice中另存为.docx或PDF后再上传"
    return f"这是一个压缩包，不是Word文档；{ONLY_PDF_DOCX}"


def _read_xml_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int], *, keep: bool) -> bytes:
    """Decompresses an XML part piece by piece, refusing a DTD or entity declaration anywhere in it;
    returns its content when `keep` (the parts the converter reads), else nothing is held in memory.

    zipfile yields no more than the size in the zip's directory (already checked) and checks the CRC.
    """
    kept: list[bytes] = []
    tail = b""
    first = True
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise ApplicationError(ZIP_BOMB, field="file")
                if first:
                    _check_encoding(chunk)
                    first = False
                window = tail + chunk
                if _UNSAFE_XML.search(window):
                    raise ApplicationError(UNSAFE_XML, field="file")
                tail = window[-64:]
                if keep:
                    kept.append(chunk)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, zlib.error, EOFError, OSError, ValueError):
        raise ApplicationError(DOCX_BROKEN, field="file") from None
    return b"".join(kept)


UNSAFE_XML = "文件中含有不安全的XML声明（DOCTYPE/ENTITY），已拒绝读取；请在Word中重新另存为.docx或PDF后再上传"


def _check_encoding(start: bytes) -> None:
    if start.startswith((b"\xff\xfe", b"\xfe\xff")) or start[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        raise ApplicationError("文件中的XML使用了不支持的编码；请在Word中重新另存为.docx或PDF后再上传", field="file")


def _parse_xml(content: bytes):
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        return ElementTree.fromstring(content, forbid_dtd=True)
    except DefusedXmlException:
        raise ApplicationError(UNSAFE_XML, field="file") from None
    except (ElementTree.ParseError, ValueError):
        raise ApplicationError(DOCX_BROKEN, field="file") from None


def _check_content_types(content: bytes) -> None:
    for element in _parse_xml(content):
        if element.get("PartName", "").lower() == "/" + DOCUMENT_PART:
            content_type = element.get("ContentType", "").lower()
            if "macroenabled" in content_type:
                raise ApplicationError(_MACROS, field="file")
            if "wordprocessingml" not in content_type:
                raise ApplicationError(DOCX_BROKEN, field="file")


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _child(element, name: str):
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _val(element, name: str = "val") -> str | None:
    """An attribute by its local name (w:val in transitional and strict documents alike)."""
    if element is None:
        return None
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _on(element) -> bool:
    """Whether a toggle property such as <w:b/> or <w:b w:val="true"/> is set."""
    return element is not None and (_val(element) or "true").lower() not in ("0", "false", "off", "none")


# --- DOCX to a PDF to read ---------------------------------------------------------------------------

_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_ALIGN = {"center": "center", "right": "right", "end": "right", "both": "justify", "distribute": "justify"}
# what a paragraph holds that is not its text: deleted revisions, field codes, text boxes' own paragraphs
_NOT_TEXT = {
    "pPr", "rPr", "del", "moveFrom", "instrText", "delText", "fldData", "Fallback",
    "footnoteReference", "endnoteReference", "commentReference", "annotationRef",
}  # fmt: skip
_PICTURES = {"drawing", "pict", "object"}
_PICTURE_NOTE = '<span class="picture">〔图片：阅读版不显示，请查看原文件〕</span>'


def _heading_levels(styles: bytes | None) -> dict[str, int]:
    """Paragraph style id -> heading level (1-6), from the style names and outline levels, following basedOn."""
    if not styles:
        return {}
    declared: dict[str, tuple[str, str | None, str | None]] = {}
    for style in _parse_xml(styles):
        if _local(style.tag) != "style" or _val(style, "type") != "paragraph":
            continue
        style_id = _val(style, "styleId")
        if style_id:
            properties = _child(style, "pPr")
            outline = _val(_child(properties, "outlineLvl")) if properties is not None else None
            declared[style_id] = ((_val(_child(style, "name")) or "").strip(), _val(_child(style, "basedOn")), outline)

    def level(style_id: str, depth: int = 0) -> int:
        if style_id not in declared or depth > 10:
            return 0
        name, based_on, outline = declared[style_id]
        if name.lower() == "title":
            return 1
        match = _HEADING_NAME.match(name)
        if match:
            return min(int(match.group(1)), 6)
        if outline is not None and outline.isdigit() and int(outline) < 9:
            return min(int(outline) + 1, 6)
        return level(based_on, depth + 1) if based_on else 0

    return {style_id: found for style_id in declared if (found := level(style_id))}


class _DocxHtml:
    """The body of a WordprocessingML document as escaped HTML: paragraphs, headings, tables."""

    def __init__(self, headings: dict[str, int]):
        self.headings = headings

    def blocks(self, parent, depth: int = 0) -> list[str]:
        out: list[str] = []
        for child in parent:
            name = _local(child.tag)
            if name == "p":
                out.append(self.paragraph(child))
            elif name == "tbl":
                out.append(self.table(child, depth))
            elif name in ("sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag"):
                out.extend(self.blocks(child, depth))
        return out

    def heading_level(self, properties) -> int:
        if properties is None:
            return 0
        outline = _val(_child(properties, "outlineLvl"))
        if outline is not None and outline.isdigit():
            return min(int(outline) + 1, 6) if int(outline) < 9 else 0
        style_id = _val(_child(properties, "pStyle")) or ""
        if style_id in self.headings:
            return self.headings[style_id]
        match = re.fullmatch(r"(?i)heading\s*([1-9])", style_id)
        if match:
            return min(int(match.group(1)), 6)
        return 1 if style_id.lower() == "title" else 0

    def paragraph(self, paragraph) -> str:
        properties = _child(paragraph, "pPr")
        level = self.heading_level(properties)
        state = {"page_break": False}
        pieces: list[str] = []
        self.inline(paragraph, pieces, state)
        content = "".join(pieces)
        styles = []
        align = _ALIGN.get(_val(_child(properties, "jc")) or "") if properties is not None else None
        if align:
            styles.append(f"text-align: {align}")
        if properties is not None and _on(_child(properties, "pageBreakBefore")):
            styles.append("break-before: page")
        attributes = f' style="{"; ".join(styles)}"' if styles else ""
        if not content.strip():
            attributes += ' class="empty"'
        tag = f"h{level}" if level else "p"
        html = f"<{tag}{attributes}>{content}</{tag}>"
        if state["page_break"]:
            html += '<div class="page-break"></div>'
        return html

    def inline(self, element, pieces: list[str], state: dict) -> None:
        for child in element:
            name = _local(child.tag)
            if name in _NOT_TEXT:
                continue
            if name == "r":
                pieces.append(self.run(child, state))
            elif name in _PICTURES:
                pieces.append(_PICTURE_NOTE)
            elif name not in ("p", "tbl"):
                # hyperlinks, insertions, fields, content controls, smart tags, alternate content
                self.inline(child, pieces, state)

    def run(self, run, state: dict) -> str:
        pieces: list[str] = []
        for child in run:
            name = _local(child.tag)
            if name == "t":
                pieces.append(escape(child.text or ""))
            elif name in ("tab", "ptab"):
                pieces.append("\t")
            elif name in ("br", "cr"):
                if _val(child, "type") == "page":
                    state["page_break"] = True
                else:
                    pieces.append("<br>")
            elif name == "noBreakHyphen":
                pieces.append("\u2011")
            elif name in _PICTURES or name == "AlternateContent":
                pieces.append(_PICTURE_NOTE)
        html = "".join(pieces)
        properties = _child(run, "rPr")
        if not html or properties is None:
            return html
        if _on(_child(properties, "b")):
            html = f"<strong>{html}</strong>"
        if _on(_child(properties, "i")):
            html = f"<em>{html}</em>"
        if _on(_child(properties, "u")):
            html = f"<u>{html}</u>"
        if _on(_child(properties, "strike")) or _on(_child(properties, "dstrike")):
            html = f"<s>{html}</s>"
        position = _val(_child(properties, "vertAlign"))
        if position == "superscript":
            html = f"<sup>{html}</sup>"
        elif position == "subscript":
            html = f"<sub>{html}</sub>"
        return html

    def table(self, table, depth: int) -> str:
        if depth >= MAX_TABLE_DEPTH:
            return "".join(self.paragraph(p) for p in table.iter() if _local(p.tag) == "p")
        rows: list[list[dict]] = []
        for row in _items(table, "tr"):
            column = int(_grid_value(_child(row, "trPr"), "gridBefore") or 0)
            cells: list[dict] = []
            if column:
                cells.append({"column": 0, "span": column, "merge": None, "html": None})
            for cell in _items(row, "tc"):
                properties = _child(cell, "tcPr")
                span = max(1, min(int(_grid_value(properties, "gridSpan") or 1), 64))
                merge_element = _child(properties, "vMerge") if properties is not None else None
                merge = None
                if merge_element is not None:
                    merge = "restart" if _val(merge_element) == "restart" else "continue"
                html = "".join(self.blocks(cell, depth + 1))
                cells.append({"column": column, "span": span, "merge": merge, "html": html, "rows": 1})
                column += span
            rows.append(cells)
        absorbed: set[int] = set()
        for index, cells in enumerate(rows):
            for cell in cells:
                if cell["merge"] != "restart":
                    continue
                for below in rows[index + 1 :]:
                    following = next((c for c in below if c["column"] == cell["column"]), None)
                    if following is None or following["merge"] != "continue":
                        break
                    cell["rows"] += 1
                    absorbed.add(id(following))
        lines = ['<table class="docx"><tbody>']
        for cells in rows:
            lines.append("<tr>")
            for cell in cells:
                if id(cell) in absorbed:
                    continue
                if cell["html"] is None:
                    lines.append(f'<td class="void" colspan="{cell["span"]}"></td>')
                    continue
                spans = f' colspan="{cell["span"]}"' if cell["span"] > 1 else ""
                spans += f' rowspan="{cell["rows"]}"' if cell["rows"] > 1 else ""
                lines.append(f"<td{spans}>{cell['html']}</td>")
            lines.append("</tr>")
        lines.append("</tbody></table>")
        return "".join(lines)


def _items(parent, name: str):
    """Children named `name`, including those wrapped in content controls or custom XML."""
    for child in parent:
        local = _local(child.tag)
        if local == name:
            yield child
        elif local in ("sdt", "sdtContent", "customXml"):
            yield from _items(child, name)


def _grid_value(properties, name: str) -> int | None:
    value = _val(_child(properties, name)) if properties is not None else None
    return int(value) if value and value.isdigit() else None


def _font_families(*first: str) -> str:
    families = list(dict.fromkeys([*first, *settings.ORGDEPT_PDF_FONT_FAMILIES]))
    return ", ".join('"{}"'.format(f.replace('"', "")) for f in families) + ", sans-serif"


_READING_CSS = """
@page { size: A4; margin: 20mm 18mm 18mm;
  @top-center { content: element(running); }
  @bottom-center { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 9pt; color: #555; } }
body { font-family: FONTS; font-size: 12pt; line-height: 1.6; color: #000; }
.running { position: running(running); font-size: 8.5pt; color: #666; text-align: center; }
p, h1, h2, h3, h4, h5, h6 { white-space: pre-wrap; overflow-wrap: anywhere; tab-size: 4; }
p { margin: 0 0 0.3em; }
p.empty { min-height: 1.6em; margin: 0; }
h1 { font-size: 18pt; margin: 0.5em 0 0.5em; }
h2 { font-size: 15pt; margin: 0.6em 0 0.4em; }
h3 { font-size: 13.5pt; margin: 0.5em 0 0.3em; }
h4, h5, h6 { font-size: 12pt; margin: 0.4em 0 0.2em; }
table.docx { border-collapse: collapse; width: 100%; margin: 0.4em 0 0.8em; font-size: 10.5pt; line-height: 1.45; }
table.docx td { border: 0.5pt solid #444; padding: 1mm 1.5mm; vertical-align: top; overflow-wrap: anywhere; }
table.docx td.void { border: none; }
table.docx td p { margin: 0; }
.picture { color: #777; font-size: 9pt; }
.page-break { break-after: page; }
"""


def docx_html(content: bytes, title: str) -> str:
    """The HTML that `material_pdf` renders for a DOCX (checked again here: it may come from storage)."""
    parts = _docx_parts(content)
    body = _child(parts.document, "body")
    blocks = _DocxHtml(_heading_levels(parts.styles)).blocks(body)
    css = _READING_CSS.replace("FONTS", _font_families())
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{css}</style></head><body>"
        f'<div class="running">{escape(title)}</div>{"".join(blocks)}</body></html>'
    )


def material_pdf(kind: str, content: bytes, title: str) -> bytes:
    """A PDF to read: a PDF material as it is, a DOCX as a PDF of its paragraphs, headings and tables."""
    if kind == "pdf":
        return content
    if kind == "docx":
        return html_to_pdf(docx_html(content, title))
    raise ValueError(f"unknown material kind: {kind}")


def reading_path(material) -> str:
    """Where a DOCX material's reading PDF is kept: beside the upload, named by the material and its checksum."""
    folder = material.file.name.rsplit("/", 1)[0]
    return f"{folder}/reading-{material.pk}-{material.sha256[:16]}.pdf"


def material_reading_pdf(material) -> bytes:
    """The material as a PDF to read, before the reader's watermark. A DOCX is converted on its first reading only:
    the PDF is kept in the same storage as the upload (and removed with it), so later readers, the agenda pack
    included, do not convert it again."""
    storage = material.file.storage
    if material.kind == "docx":
        path = reading_path(material)
        if storage.exists(path):
            with storage.open(path, "rb") as kept:
                return kept.read()
    with material.file.open("rb") as stored:
        content = stored.read()
    pdf = material_pdf(material.kind, content, material.name)
    if material.kind == "docx" and not storage.exists(path):
        storage.save(path, ContentFile(pdf))
    return pdf


# --- watermark ---------------------------------------------------------------------------------------

WATERMARK_KEY = "/OrgdeptWatermark"
WATERMARK_ANGLE = 30  # degrees, rising from left to right
_WATERMARK_MAX_LENGTH = 100


def _clean_watermark(text: str) -> str:
    text = _printable(str(text))[:_WATERMARK_MAX_LENGTH]
    if not text:
        raise ValueError("a watermark needs some text")
    return text


def _text_width_em(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.56 for ch in text)


def watermark_html(width: float, height: float, text: str) -> str:
    """One page of `width` x `height` points covered with `text`, diagonal, light grey, repeated."""
    size = max(6.0, min(20.0, min(width, height) / 34))
    label = _text_width_em(text) * size + size
    angle = math.radians(WATERMARK_ANGLE)
    step_x = label * math.cos(angle) + 3 * size
    step_y = max(label * math.sin(angle) + 4 * size, height / 9)
    labels = []
    row = 0
    y = step_y / 2
    while y < height + step_y / 2:
        x = (step_x / 2) * (row % 2)
        while x < width + step_x / 2:
            labels.append(
                f'<div class="w" style="left: {x - label / 2:.1f}pt; top: {y - size:.1f}pt">{escape(text)}</div>'
            )
            x += step_x
        y += step_y
        row += 1
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>'
        f"@page {{ size: {width:.2f}pt {height:.2f}pt; margin: 0; }}"
        "html, body { margin: 0; padding: 0; }"
        f".w {{ position: absolute; width: {label:.1f}pt; height: {2 * size:.1f}pt; line-height: {2 * size:.1f}pt;"
        f" text-align: center; white-space: nowrap; font-family: {_font_families('Noto Sans CJK SC')};"
        f" font-size: {size:.1f}pt; color: rgba(100, 100, 100, 0.24); transform: rotate(-{WATERMARK_ANGLE}deg); }}"
        f"</style></head><body>{''.join(labels)}</body></html>"
    )


def _to_page_space(x0: float, y0: float, width: float, height: float, rotation: int) -> tuple:
    """The matrix taking a point of the page as shown (rotated) to the page's own coordinates."""
    if rotation == 90:
        return (0, 1, -1, 0, x0 + width, y0)
    if rotation == 180:
        return (-1, 0, 0, -1, x0 + width, y0 + height)
    if rotation == 270:
        return (0, -1, 1, 0, x0, y0 + height)
    return (1, 0, 0, 1, x0, y0)


def watermark_pdf(pdf: bytes, text: str) -> bytes:
    """The PDF with `text` over every page (as shown, whatever its size and rotation) and in its metadata."""
    from pypdf import PdfReader, PdfWriter, Transformation

    text = _clean_watermark(text)
    reader = _open_pdf(pdf)
    # the whole document is kept (its bookmarks, links, page labels), but nothing that runs when it is opened
    writer = PdfWriter(clone_from=reader)
    _drop_actions(writer.root_object)
    names = writer.root_object.get("/Names")
    if names is not None:
        names = names.get_object()
        for key in ("/JavaScript", "/EmbeddedFiles"):
            if key in names:
                del names[key]
    # one overlay per shape of page (sizes within 2% of each other), scaled to each page's size: a file of
    # pages of many sizes (scans) costs a few renderings, not one per page
    overlays: dict[int, tuple[float, object]] = {}
    for page in writer.pages:
        _drop_actions(page)
        x0, y0, width, height = _visible_box(page)
        rotation = _rotation(page)
        shown_width, shown_height = (width, height) if rotation in (0, 180) else (height, width)
        shape = round(math.log(shown_width / shown_height) / 0.02)
        if shape not in overlays:
            overlay = html_to_pdf(watermark_html(shown_width, shown_height, text))
            overlays[shape] = (shown_width, PdfReader(io.BytesIO(overlay)).pages[0])
        overlay_width, overlay = overlays[shape]
        scale = shown_width / overlay_width
        a, b, c, d, e, f = _to_page_space(x0, y0, width, height, rotation)
        matrix = (a * scale, b * scale, c * scale, d * scale, e, f)
        page.merge_transformed_page(overlay, Transformation(matrix), over=True, expand=False)
        page.compress_content_streams()
    writer.add_metadata({"/Subject": text, WATERMARK_KEY: text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _drop_actions(dictionary) -> None:
    for key in ("/OpenAction", "/AA"):
        if key in dictionary:
            del dictionary[key]


def watermark_text_of(pdf: bytes) -> str | None:
    """The watermark text recorded in a PDF's metadata by `watermark_pdf`, if any."""
    from pypdf import PdfReader

    metadata = PdfReader(io.BytesIO(pdf)).metadata or {}
    value = metadata.get(WATERMARK_KEY)
    return str(value) if value is not None else None


# --- packs -------------------------------------------------------------------------------------------


def merge_pdfs(parts: list[tuple[str, bytes]]) -> bytes:
    """One PDF of `parts` (title, PDF bytes) in order, with a bookmark per part titled with its title."""
    from pypdf import PdfWriter

    if not parts:
        raise ApplicationError("没有可以合并的文件")
    writer = PdfWriter()
    for title, pdf in parts:
        reader = _open_pdf(pdf)
        start = len(writer.pages)
        writer.append(reader, import_outline=False)
        writer.add_outline_item(title=str(title)[:200] or "材料", page_number=start)
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

"""Hostile files for the upload tests: workbooks built to exhaust or fool a reader, and files that only pretend.

Each builder returns bytes. The spreadsheet reader's own tests and the upload-page tests share them, so both
prove the same files are refused.
"""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# what spreadsheet programs run as formulas when a cell starts with them
FORMULAS = ("=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1")

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)

# a minimal one-page PDF and a 1×1 PNG: real files of the wrong kind for a spreadsheet upload
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1, 1), (255, 255, 255)).save(out, "PNG")
    return out.getvalue()


def valid_pdf() -> bytes:
    """A PDF every reader opens (made by pypdf, with a cross-reference table)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The workbook with some of its parts replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.pop(info.filename, source.read(info.filename)))
        for name, content in replace.items():
            target.writestr(name, content)
    return out.getvalue()


def sheet_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def zip_bomb(header: list[str]) -> bytes:
    """A workbook whose sheet inflates from a few KB to 40 MB."""
    return rezip(xlsx([header, ["张三"]]), {"xl/worksheets/sheet1.xml": b"<" + b"\0" * (40 * 1024 * 1024)})


def entity_bomb(header: list[str]) -> bytes:
    """Billion laughs in the shared strings of a workbook."""
    return rezip(
        xlsx([header, ["张三"]]), {"xl/sharedStrings.xml": BILLION_LAUGHS + b"<sst><si><t>&lol3;</t></si></sst>"}
    )


def million_rows_declared(header: list[str]) -> bytes:
    """A sheet whose dimension says it runs to row 1,048,576."""
    data = xlsx([header, ["张三"] * len(header)])
    xml = sheet_xml(data)
    declared = xml.replace(b'<dimension ref="A1:', b'<dimension ref="A1:Y1048576" x="')
    assert declared != xml
    return rezip(data, {"xl/worksheets/sheet1.xml": declared})


def million_rows_last(header: list[str]) -> bytes:
    """A sheet with no dimension whose last row is row 1,048,576."""
    data = xlsx([header, ["张三"] * len(header)])
    xml = sheet_xml(data)
    start = xml.index(b"<dimension")
    xml = xml[:start] + xml[xml.index(b">", start) + 1 :]
    far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    return rezip(data, {"xl/worksheets/sheet1.xml": xml.replace(b"</sheetData>", far)})


def encrypted() -> bytes:
    """What Excel saves for a workbook with an opening password: an OLE2 container with an encrypted package."""
    return OLE2_MAGIC + bytes(512) + "EncryptedPackage".encode("utf-16-le") + bytes(512)


def old_xls() -> bytes:
    return OLE2_MAGIC + bytes(2048)


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "\r\n".join(",".join(row) for row in rows).encode(encoding) + b"\r\n"


def formula_rows(header: list[str]) -> list[list[str]]:
    """The header, then one row per formula prefix with that formula in every column."""
    return [header] + [[formula] * len(header) for formula in FORMULAS]

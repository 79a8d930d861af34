"""Topic materials: what is accepted and refused, the DOCX reading copy, the watermark and the agenda pack."""

from __future__ import annotations

import hashlib
import io
import math
import shutil
import struct
import subprocess
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter

from meetings.materials import (
    WATERMARK_ANGLE,
    WATERMARK_KEY,
    MaterialFile,
    material_check,
    material_name,
    material_pdf,
    merge_pdfs,
    watermark_pdf,
    watermark_text_of,
)
from orgdept.core.exceptions import ApplicationError
from orgdept.core.pdf import html_to_pdf

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
# as Chinese Word writes them: style ids "1", "2" named "heading 1", "heading 2"
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{W_NS}">'
    '<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/></w:style>'
    '<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="a"/>'
    '<w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/><w:basedOn w:val="a"/></w:style>'
    "</w:styles>"
)
WATERMARK = "张三 2026-11-21 14:05 仅供会议使用"


def xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def paragraph(text: str, style: str | None = None, *, bold: bool = False, align: str | None = None) -> str:
    properties = ""
    if style or align:
        properties = "<w:pPr>"
        properties += f'<w:pStyle w:val="{style}"/>' if style else ""
        properties += f'<w:jc w:val="{align}"/>' if align else ""
        properties += "</w:pPr>"
    run_properties = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:p>{properties}<w:r>{run_properties}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r></w:p>'


def cell(text: str, properties: str = "") -> str:
    return f"<w:tc>{f'<w:tcPr>{properties}</w:tcPr>' if properties else ''}{paragraph(text)}</w:tc>"


def table(rows: list[list[str]]) -> str:
    return "<w:tbl>" + "".join("<w:tr>" + "".join(row) + "</w:tr>" for row in rows) + "</w:tbl>"


def document_xml(body: str, *, prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}<w:sectPr/></w:body></w:document>'
    )


def make_docx(body: str | None = None, *, document: str | None = None, extra: dict | None = None) -> bytes:
    if body is None:
        body = (
            paragraph("关于提拔任用李明同志的请示", "1", align="center")
            + paragraph("一、基本情况", "2")
            + paragraph("李明，男，1980年3月生，现任区发展改革局副局长。", bold=True)
            + paragraph("正文中的<script>alert(1)</script>按原样显示。")
            + table(
                [
                    [cell("姓名"), cell("现任职务"), cell("拟任职务")],
                    [cell("李明"), cell("区发展改革局副局长"), cell("区财政局局长")],
                    [cell("合并单元格", '<w:gridSpan w:val="2"/>'), cell("备注")],
                ]
            )
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("word/document.xml", document or document_xml(body))
        archive.writestr("word/styles.xml", STYLES)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def render_pdf(*pages: tuple[str, str]) -> bytes:
    """A PDF with one page per (CSS page size, HTML body), e.g. ("A4", "<p>…</p>")."""
    writer = PdfWriter()
    for size, body in pages:
        html = (
            f'<html lang="zh-CN"><head><style>@page {{ size: {size}; margin: 20mm; }}'
            f' body {{ font-family: "Noto Serif CJK SC"; font-size: 14pt; }}</style></head><body>{body}</body></html>'
        )
        writer.append(PdfReader(io.BytesIO(html_to_pdf(html))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ApplicationError) as caught:
        material_check(upload(name, content))
    return caught.value.message


def texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def small_pdf():
    return render_pdf(("A4", "<h1>会议材料</h1><p>第一页的正文内容。</p>"))


@pytest.fixture(scope="module")
def three_pages():
    """A4 portrait, A4 landscape, and a portrait page shown rotated by 90 degrees."""
    pdf = render_pdf(
        ("A4", "<h1>第一页</h1><p>竖排页面的正文。</p>"),
        ("A4 landscape", "<h1>第二页</h1><p>横向页面的正文。</p>"),
        ("A4", "<h1>第三页</h1><p>旋转页面的正文。</p>"),
    )
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.pages[2].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- accepted ----------------------------------------------------------------------------------------


def test_a_real_pdf_is_accepted_with_its_checksum(small_pdf):
    checked = material_check(upload("会议材料.pdf", small_pdf))
    assert isinstance(checked, MaterialFile)
    assert (checked.name, checked.kind, checked.size) == ("会议材料.pdf", "pdf", len(small_pdf))
    assert checked.content == small_pdf
    assert checked.sha256 == hashlib.sha256(small_pdf).hexdigest()
    assert checked.as_file().read() == small_pdf


def test_a_real_docx_is_accepted():
    content = make_docx()
    checked = material_check(upload("关于提拔任用李明同志的请示.docx", content))
    assert (checked.name, checked.kind, checked.size) == ("关于提拔任用李明同志的请示.docx", "docx", len(content))


def test_the_kind_comes_from_the_content_not_the_name(small_pdf):
    # a real DOCX named .pdf is a DOCX, and its stored name says so
    assert material_check(upload("请示.pdf", make_docx())).name == "请示.docx"
    assert material_check(upload("请示", small_pdf)).name == "请示.pdf"
    assert material_check(upload("请示.v2", small_pdf)).name == "请示.v2.pdf"


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
        ("C:\\Users\\王芳\\Desktop\\干部考察材料.docx", "docx", "干部考察材料.docx"),
        ("报告\x00\x1f\u202egpj.pdf", "pdf", "报告gpj.pdf"),
        ('会议:材料?"最终"*.pdf', "pdf", "会议_材料__最终__.pdf"),
        ("  ..  ", "pdf", "材料.pdf"),
        ("", "docx", "材料.docx"),
        ("关于　　调整\t干部的请示.PDF", "pdf", "关于 调整 干部的请示.pdf"),
    ],
)
def test_the_stored_name_is_cleaned(raw, kind, expected):
    assert material_name(raw, kind) == expected


def test_a_long_name_is_cut_to_120_characters_keeping_its_extension():
    name = material_name("干" * 300 + ".pdf", "pdf")
    assert len(name) == 120
    assert name.endswith("干.pdf")


# --- refused -----------------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    assert "文件是空的" in refusal("空.pdf", b"")
    assert "文件是空的" in refusal("空.docx", b"\x00" * 100)


def test_a_file_over_the_size_limit_is_refused(settings, small_pdf):
    settings.ORGDEPT_MATERIAL_MAX_BYTES = len(small_pdf) - 1
    message = refusal("大.pdf", small_pdf)
    assert "文件过大" in message
    assert "不能超过" in message


def test_the_default_size_limit_is_30_megabytes():
    from django.conf import settings

    assert settings.ORGDEPT_MATERIAL_MAX_BYTES == 30 * 1024 * 1024


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["姓名", "职务"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (xlsx_bytes(), "这是Excel表格（.xlsx），不是Word文档"),
        (b"MZ\x90\x00" + b"\x00" * 200, "这是Windows可执行程序（.exe/.dll），不是PDF或Word文档"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "这是PNG图片"),
        (b"{\\rtf1\\ansi material}", "这是RTF文档"),
        ("会议材料的纯文本内容\n第二行".encode(), "这是纯文本文件"),
        (b"<html><body>material</body></html>", "这是网页（HTML/MHT）格式的文件"),
        (b"\x01\x02\x03\x04\xfe\xfd" * 50, "无法识别的文件格式"),
    ],
)
def test_a_renamed_file_is_refused_by_its_content(content, expected):
    message = refusal("会议材料.pdf", content)
    assert expected in message
    assert "只接收PDF和Word（.docx）文件" in message


def test_a_zip_that_is_not_a_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a document")
    assert "这是一个压缩包，不是Word文档" in refusal("材料.docx", buffer.getvalue())


def ole2(*streams: str) -> bytes:
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
    return header + b"".join(stream.encode("utf-16-le") for stream in streams) + b"\x00" * 1024


def test_an_old_doc_file_is_refused_asking_for_docx_or_pdf():
    for content in (ole2("Root Entry", "WordDocument", "1Table"), ole2()):
        message = refusal("请示.doc", content)
        assert "旧版Word文档（.doc）" in message
        assert ".docx或PDF" in message
    assert "旧版Excel表格（.xls）" in refusal("表.docx", ole2("Root Entry", "Workbook"))


def test_a_password_protected_office_file_is_refused():
    message = refusal("请示.docx", ole2("Root Entry", "EncryptionInfo", "EncryptedPackage"))
    assert "设置了打开密码" in message


def test_an_encrypted_pdf_is_refused(small_pdf):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(small_pdf)))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert "这是加密（设置了打开密码或权限密码）的PDF文件" in refusal("加密.pdf", out.getvalue())


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n" + bytes(range(256)) * 20,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
    ],
)
def test_a_pdf_that_cannot_be_opened_is_refused(content):
    message = refusal("坏的.pdf", content)
    assert "PDF文件" in message
    assert "损坏" in message


def test_a_truncated_pdf_is_refused(small_pdf):
    assert "损坏" in refusal("截断.pdf", small_pdf[: len(small_pdf) // 3])


def test_a_docx_without_the_document_part_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/styles.xml", STYLES)
    assert "这是一个压缩包，不是Word文档" in refusal("材料.docx", buffer.getvalue())


def test_a_docx_with_broken_xml_is_refused():
    content = make_docx(document="<w:document><w:body><w:p>")
    assert "不是有效的Word文档（.docx）" in refusal("材料.docx", content)


def test_a_docx_that_is_not_a_complete_zip_is_refused():
    content = make_docx()
    assert "不是有效的Word文档（.docx）" in refusal("材料.docx", content[: len(content) // 2])


def test_a_zip_bomb_is_refused_before_it_is_decompressed(tmp_path):
    # one member of 200 MB of zeros: a few hundred kilobytes on disk
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", document_xml(paragraph("正文")))
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(200):
                member.write(chunk)
    assert path.stat().st_size < 1024 * 1024
    with path.open("rb") as handle, pytest.raises(ApplicationError) as caught:
        material_check(handle)
    assert "压缩炸弹" in caught.value.message


def test_a_member_compressed_far_beyond_real_documents_is_refused():
    content = make_docx(extra={"word/media/padding.bin": b"\x00" * (20 * 1024 * 1024)})
    assert "压缩比异常（疑似“压缩炸弹”）" in refusal("材料.docx", content)


def test_a_member_whose_directory_entry_lies_about_its_size_is_refused():
    content = bytearray(make_docx(extra={"word/lie.xml": b"<a>" + b"x" * 500_000 + b"</a>"}))
    # the zip's directory and the member's local header both say 1,000 bytes; it holds 500,007
    name = b"word/lie.xml"
    local = content.find(b"PK\x03\x04")
    while content[local + 30 : local + 30 + len(name)] != name:
        local = content.find(b"PK\x03\x04", local + 4)
    central = content.find(b"PK\x01\x02")
    while content[central + 46 : central + 46 + len(name)] != name:
        central = content.find(b"PK\x01\x02", central + 4)
    content[local + 22 : local + 26] = struct.pack("<I", 1000)
    content[central + 24 : central + 28] = struct.pack("<I", 1000)
    assert "不是有效的Word文档（.docx）" in refusal("材料.docx", bytes(content))


def test_a_docx_with_a_dtd_or_entities_is_refused():
    bomb = '<!DOCTYPE w:document [<!ENTITY a "哈哈哈哈哈哈哈哈"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    content = make_docx(document=document_xml(paragraph("&b;"), prolog=bomb))
    message = refusal("材料.docx", content)
    assert "不安全的XML声明（DOCTYPE/ENTITY）" in message
    # in any XML part, not only the document
    hidden = make_docx(extra={"customXml/item1.xml": '<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>'})
    assert "不安全的XML声明" in refusal("材料.docx", hidden)


def test_a_document_part_too_long_to_convert_is_refused(monkeypatch):
    monkeypatch.setattr("meetings.materials.MAX_DOCUMENT_XML_BYTES", 10_000)
    content = make_docx("".join(paragraph(f"第{n}段正文。") for n in range(500)))
    assert "文档正文过长" in refusal("材料.docx", content)


def test_a_document_nested_too_deep_is_refused():
    body = "<w:p>" + "<w:hyperlink>" * 5000 + "<w:r><w:t>深</w:t></w:r>" + "</w:hyperlink>" * 5000 + "</w:p>"
    assert "嵌套层次过深" in refusal("材料.docx", make_docx(body))


def test_a_macro_enabled_document_is_refused():
    content = make_docx(extra={"word/vbaProject.bin": b"\x00" * 64})
    assert "含有宏" in refusal("材料.docx", content)


def test_a_password_protected_zip_member_is_refused():
    content = bytearray(make_docx())
    # set the "encrypted" flag of the first member, in its local header and its central directory entry
    content[6:8] = struct.pack("<H", struct.unpack("<H", content[6:8])[0] | 1)
    central = content.find(b"PK\x01\x02")
    content[central + 8 : central + 10] = struct.pack(
        "<H", struct.unpack("<H", content[central + 8 : central + 10])[0] | 1
    )
    assert "设置了密码（加密）" in refusal("材料.docx", bytes(content))


def test_the_refusal_names_the_file_field():
    with pytest.raises(ApplicationError) as caught:
        material_check(upload("空.pdf", b""))
    assert caught.value.field == "file"


# --- the PDF to read ---------------------------------------------------------------------------------


def test_a_pdf_material_is_read_as_it_is(small_pdf):
    assert material_pdf("pdf", small_pdf, "会议材料") is small_pdf


def test_a_docx_becomes_a_pdf_with_its_text_headings_and_table():
    pdf = material_pdf("docx", make_docx(), "关于提拔任用李明同志的请示")
    text = "".join(texts(pdf))
    for expected in (
        "关于提拔任用李明同志的请示",
        "一、基本情况",
        "李明，男，1980年3月生，现任区发展改革局副局长。",
        "区财政局局长",
        "拟任职务",
        "合并单元格",
    ):
        assert expected in text
    # markup in the document's text is printed as text, never interpreted
    assert "<script>alert(1)</script>" in text
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "关于提拔任用李明同志的请示"


def test_the_reading_copy_keeps_headings_and_table_cells_as_html():
    from meetings.materials import docx_html

    html = docx_html(make_docx(), "请示<b>")
    assert '<h1 style="text-align: center">关于提拔任用李明同志的请示</h1>' in html
    assert "<h2>一、基本情况</h2>" in html
    assert "<strong>李明，男" in html
    assert '<td colspan="2"><p>合并单元格</p></td>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert "<title>请示&lt;b&gt;</title>" in html


def test_vertically_merged_cells_span_rows():
    from meetings.materials import docx_html

    body = table(
        [
            [cell("单位", '<w:vMerge w:val="restart"/>'), cell("甲")],
            [cell("", "<w:vMerge/>"), cell("乙")],
        ]
    )
    html = docx_html(make_docx(body), "表")
    assert '<td rowspan="2"><p>单位</p></td>' in html
    assert html.count("<td") == 3


def test_deleted_revisions_and_field_codes_are_not_shown():
    from meetings.materials import docx_html

    body = (
        "<w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删掉的话</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>新增的话</w:t></w:r></w:ins><w:r><w:instrText> PAGE </w:instrText></w:r></w:p>"
    )
    html = docx_html(make_docx(body), "修订")
    assert "保留新增的话" in html
    assert "删掉的话" not in html
    assert "PAGE" not in html


def test_a_docx_is_checked_again_before_it_is_rendered():
    bomb = '<!DOCTYPE w:document [<!ENTITY a "x">]>'
    with pytest.raises(ApplicationError):
        material_pdf("docx", make_docx(document=document_xml(paragraph("&a;"), prolog=bomb)), "材料")


# --- watermark ---------------------------------------------------------------------------------------


def test_the_watermark_is_on_every_page_of_any_size_and_rotation(three_pages):
    marked = watermark_pdf(three_pages, WATERMARK)
    before = PdfReader(io.BytesIO(three_pages)).pages
    after = PdfReader(io.BytesIO(marked)).pages
    assert len(after) == len(before) == 3
    for old, new, text in zip(before, after, texts(marked), strict=True):
        assert WATERMARK in text
        assert tuple(new.mediabox) == tuple(old.mediabox)
        assert new.rotation == old.rotation
    assert after[1].mediabox.width > after[1].mediabox.height
    assert after[2].rotation == 90
    # the content is still there under it
    pages = texts(marked)
    assert "竖排页面的正文" in pages[0]
    assert "横向页面的正文" in pages[1]
    assert "旋转页面的正文" in pages[2]


def test_the_watermark_is_written_into_the_metadata(small_pdf):
    marked = watermark_pdf(small_pdf, WATERMARK)
    metadata = PdfReader(io.BytesIO(marked)).metadata
    assert metadata[WATERMARK_KEY] == WATERMARK
    assert metadata.subject == WATERMARK
    assert watermark_text_of(marked) == WATERMARK
    assert watermark_text_of(small_pdf) is None


def watermark_as_shown(pdf: bytes, index: int) -> tuple[list[tuple[float, float]], list[float], tuple[float, float]]:
    """Where each piece of watermark text starts and at what angle it runs, on the page as a viewer shows it
    (its crop box, turned by its rotation), and the size of the page as shown."""
    page = PdfReader(io.BytesIO(pdf)).pages[index]
    box = page.cropbox
    left, bottom, width, height = float(box.left), float(box.bottom), float(box.width), float(box.height)
    rotation = page.rotation % 360
    points, angles = [], []

    def turn(x: float, y: float) -> tuple[float, float]:
        x, y = x - left, y - bottom
        return {0: (x, y), 90: (y, width - x), 180: (width - x, height - y), 270: (height - y, x)}[rotation]

    def visit(text, cm, tm, font, size):
        if "仅供会议使用" not in text:
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        # the direction text runs in: the text matrix's x axis through the current matrix
        dx, dy = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
        start, end = turn(x, y), turn(x + dx, y + dy)
        points.append(start)
        angles.append(math.degrees(math.atan2(end[1] - start[1], end[0] - start[0])))

    page.extract_text(visitor_text=visit)
    shown = (width, height) if rotation in (0, 180) else (height, width)
    return points, angles, shown


def assert_covers_the_page_as_shown(pdf: bytes, index: int) -> None:
    points, angles, (width, height) = watermark_as_shown(pdf, index)
    assert len(points) >= 4
    # rising from left to right as the reader sees the page, whatever the page's rotation
    assert all(abs(angle - WATERMARK_ANGLE) < 1 for angle in angles), angles
    # spread over the page: the pieces are centred on it and reach each of its halves
    middle_x = sum(x for x, _ in points) / len(points)
    middle_y = sum(y for _, y in points) / len(points)
    assert abs(middle_x - width / 2) < width / 4
    assert abs(middle_y - height / 2) < height / 4
    assert min(y for _, y in points) < height / 2 < max(y for _, y in points)
    assert min(x for x, _ in points) < width / 2 < max(x for x, _ in points)


def test_the_watermark_covers_the_page_as_shown_whatever_its_rotation(three_pages):
    marked = watermark_pdf(three_pages, WATERMARK)
    for index in range(3):
        assert_covers_the_page_as_shown(marked, index)


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_page_whose_box_does_not_start_at_zero_is_covered(small_pdf, rotation):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(small_pdf)))
    page = writer.pages[0]
    page.cropbox.lower_left = (100, 200)
    page.cropbox.upper_right = (400, 600)
    page.rotate(rotation)
    out = io.BytesIO()
    writer.write(out)
    marked = watermark_pdf(out.getvalue(), WATERMARK)
    assert WATERMARK in texts(marked)[0]
    assert_covers_the_page_as_shown(marked, 0)


def test_pages_of_the_same_shape_and_other_sizes_are_each_covered():
    pdf = render_pdf(("A5", "<p>A5</p>"), ("A4", "<p>A4</p>"), ("A3", "<p>A3</p>"), ("letter", "<p>Letter</p>"))
    marked = watermark_pdf(pdf, WATERMARK)
    for index, text in enumerate(texts(marked)):
        assert WATERMARK in text
        assert_covers_the_page_as_shown(marked, index)


def test_the_watermark_text_is_escaped_and_cleaned(small_pdf):
    marked = watermark_pdf(small_pdf, "<b>王五</b>\n2026-11-21\x00")
    text = texts(marked)[0]
    assert "<b>王五</b>" in text
    assert "2026-11-21" in text
    assert "\x00" not in text
    assert watermark_text_of(marked) == "<b>王五</b> 2026-11-21"
    with pytest.raises(ValueError):
        watermark_pdf(small_pdf, " \n ")


def test_an_encrypted_pdf_is_not_watermarked(small_pdf):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(small_pdf)))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ApplicationError, match="加密"):
        watermark_pdf(out.getvalue(), WATERMARK)


def test_a_docx_reading_copy_can_be_watermarked():
    marked = watermark_pdf(material_pdf("docx", make_docx(), "请示"), WATERMARK)
    assert all(WATERMARK in text for text in texts(marked))


def shades(tmp_path, pdf: bytes, page: int, name: str) -> tuple[int, int, tuple[int, int]]:
    """(light grey pixels, dark pixels, size) of one page rendered as a viewer would at 80 dpi."""
    from PIL import Image

    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    command = ["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), str(path), str(tmp_path / name)]
    subprocess.run(command, check=True)
    (image,) = tmp_path.glob(f"{name}*.png")
    grey = Image.open(image).convert("L")
    histogram = grey.histogram()
    return sum(histogram[150:235]), sum(histogram[:80]), grey.size


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils (pdftoppm)")
def test_a_watermarked_page_shows_both_the_watermark_and_the_content(tmp_path, three_pages):
    light_before, dark_before, size_before = shades(tmp_path, three_pages, 3, "plain")
    light, dark, size = shades(tmp_path, watermark_pdf(three_pages, WATERMARK), 3, "marked")
    assert size == size_before
    assert size[0] > size[1]  # the rotated page is still shown landscape
    # the watermark adds plenty of light grey and leaves the page's own black text black
    assert light > light_before + 3000
    assert dark >= dark_before * 0.9


# --- agenda pack -------------------------------------------------------------------------------------


def test_merge_keeps_the_pages_in_order_with_a_bookmark_per_part(small_pdf, three_pages):
    docx = material_pdf("docx", make_docx(), "请示")
    parts = [("会议议程", small_pdf), ("议题一：关于提拔任用李明同志的请示", docx), ("议题二：附件", three_pages)]
    merged = merge_pdfs(parts)
    reader = PdfReader(io.BytesIO(merged))
    counts = [len(PdfReader(io.BytesIO(pdf)).pages) for _, pdf in parts]
    assert len(reader.pages) == sum(counts)
    assert [item.title for item in reader.outline] == [title for title, _ in parts]
    starts = [reader.get_destination_page_number(item) for item in reader.outline]
    assert starts == [0, counts[0], counts[0] + counts[1]]
    assert "会议材料" in reader.pages[0].extract_text()
    assert "第三页" in reader.pages[-1].extract_text()
    assert reader.pages[-1].rotation == 90


def test_a_watermarked_pack_keeps_its_bookmarks(small_pdf, three_pages):
    pack = merge_pdfs([("会议议程", small_pdf), ("议题一：附件", three_pages)])
    reader = PdfReader(io.BytesIO(watermark_pdf(pack, WATERMARK)))
    assert [item.title for item in reader.outline] == ["会议议程", "议题一：附件"]
    assert [reader.get_destination_page_number(item) for item in reader.outline] == [0, 1]
    assert all(WATERMARK in page.extract_text() for page in reader.pages)


def test_the_watermarked_copy_runs_nothing_when_opened(small_pdf):
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    def script(code: str) -> DictionaryObject:
        return DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(code)}
        )

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(small_pdf)))
    writer.root_object[NameObject("/OpenAction")] = script("app.alert(1)")
    names = ArrayObject([TextStringObject("hello"), script("app.alert(2)")])
    writer.root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): names})}
    )
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): script("app.alert(3)")})
    writer.add_metadata({"/Title": "会议材料"})
    out = io.BytesIO()
    writer.write(out)
    marked = PdfReader(io.BytesIO(watermark_pdf(out.getvalue(), WATERMARK)))
    assert "/OpenAction" not in marked.trailer["/Root"]
    assert "/JavaScript" not in marked.trailer["/Root"].get("/Names", {})
    assert "/AA" not in marked.pages[0]
    assert marked.metadata.title == "会议材料"
    assert marked.metadata[WATERMARK_KEY] == WATERMARK


def test_merge_refuses_nothing_to_merge_and_encrypted_parts(small_pdf):
    with pytest.raises(ApplicationError):
        merge_pdfs([])
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(small_pdf)))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ApplicationError, match="加密"):
        merge_pdfs([("议程", small_pdf), ("材料", out.getvalue())])

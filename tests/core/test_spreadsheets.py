"""Safe reading of uploaded spreadsheets: formats told by content, hostile files refused before parsing, headers."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path

import pytest

from orgdept.core.spreadsheets import (
    OLE2_MAGIC,
    SpreadsheetError,
    escape_cell,
    inspect_spreadsheet,
    normalize_header,
    read_spreadsheet,
    unescape_cell,
)
from tests.hostile_files import rezip, sheet_xml, xlsx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def refused(data: bytes, *fragments: str) -> str:
    with pytest.raises(SpreadsheetError) as caught:
        read_spreadsheet(data)
    for fragment in fragments:
        assert fragment in caught.value.message, caught.value.message
    return caught.value.message


# --- formats ---------------------------------------------------------------------------------------


def test_xlsx_is_told_by_its_content_and_keeps_types_and_row_numbers():
    data = xlsx([["姓名", "出生年月", "序号"], ["张三", date(1975, 3, 15), 27468], [], ["李四", "1978.06", 1978.06]])
    sheet = read_spreadsheet(data)
    assert sheet.format == "xlsx"
    assert sheet.headers == ["姓名", "出生年月", "序号"]
    assert [r.number for r in sheet.rows] == [2, 4]  # the blank row 3 is left out, numbers stay
    first = sheet.rows[0].values
    assert first[0] == "张三"
    assert first[1] in (date(1975, 3, 15), datetime(1975, 3, 15))
    assert first[2] == 27468
    assert sheet.rows[1].values[2] == pytest.approx(1978.06)


def test_cells_keep_their_columns_and_rows_when_the_sheet_starts_further_in():
    # the parser's rows begin at the first column that has a cell: what lies before it must be put back
    sheet = read_spreadsheet(xlsx([[None, "姓名", "身份证号"], [None, "张三", "x"], [], [None, None, "y"]]))
    assert sheet.headers == ["", "姓名", "身份证号"]
    assert [(r.number, r.values) for r in sheet.rows] == [(2, ("", "张三", "x")), (4, ("", "", "y"))]
    # and at the first row that has one: a blank first row is still row 1
    sheet = read_spreadsheet(xlsx([[], [None, None, "张三"]]))
    assert sheet.headers == []
    assert sheet.header_warnings == [("", "第3列没有表头，其中的数据已忽略")]


def test_a_workbook_named_csv_is_still_read_as_a_workbook(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(xlsx([["姓名"], ["张三"]]))
    assert read_spreadsheet(path).format == "xlsx"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("roster_gb18030.csv", "csv-gb18030"), ("roster_utf8_bom.csv", "csv-utf8"), ("roster_update.csv", "csv-utf8")],
)
def test_csv_encodings_are_detected(name, fmt):
    sheet = read_spreadsheet(FIXTURES / name)
    assert sheet.format == fmt
    assert "姓名" in sheet.headers and "身份证号" in sheet.headers


def test_gb18030_text_outside_gbk_is_read():
    sheet = read_spreadsheet(FIXTURES / "roster_gb18030.csv")
    names = [row.values[sheet.column("姓名")] for row in sheet.rows]
    assert "刘䶮" in names  # 䶮 (U+4DAE) exists in GB18030, not in GBK


def test_gbk_csv_is_read():
    data = "姓名,工作单位\r\n张三,区财政局\r\n".encode("gbk")
    sheet = read_spreadsheet(data)
    assert sheet.format == "csv-gb18030"
    assert sheet.rows[0].values == ("张三", "区财政局")


def test_tab_separated_text_is_read():
    sheet = read_spreadsheet("姓名\t身份证号\n张三\t110105194912310029\n".encode())
    assert sheet.headers == ["姓名", "身份证号"]
    assert sheet.rows[0].values == ("张三", "110105194912310029")


# --- headers ---------------------------------------------------------------------------------------


def test_headers_match_after_trimming_and_folding_width():
    assert normalize_header(" 身份证号 ") == "身份证号"
    assert normalize_header("姓\u3000名") == "姓名"
    assert normalize_header("ＩＤ") == "ID"
    sheet = read_spreadsheet(FIXTURES / "roster_utf8_bom.csv")
    assert sheet.headers[:2] == ["姓名", "身份证号"]
    assert sheet.column("姓 名") == 0


def test_duplicate_headers_are_an_error_naming_both_columns():
    sheet = read_spreadsheet(FIXTURES / "roster_duplicate_headers.csv")
    assert sheet.header_errors == [("姓名", "表头“姓名”重复出现（第1列、第3列），每一列的名称只能出现一次")]


def test_the_header_is_the_first_row_even_when_blank():
    sheet = read_spreadsheet(b"\r\n\xe5\xa7\x93\xe5\x90\x8d\r\n\xe5\xbc\xa0\xe4\xb8\x89\r\n")  # blank, 姓名, 张三
    assert sheet.headers == []
    assert sheet.header_errors == [("", "第1行（表头）是空的：表头必须在第一行")]


def test_data_without_a_header_is_a_warning():
    sheet = read_spreadsheet("姓名\r\n张三,多余\r\n".encode())
    assert sheet.header_warnings == [("", "第2列没有表头，其中的数据已忽略")]


def test_empty_and_header_only_files():
    refused(b"", "空的")
    refused(b"  \r\n", "空的")
    refused(FIXTURES.joinpath("roster_empty.csv").read_bytes(), "空的")
    sheet = read_spreadsheet(FIXTURES / "roster_header_only.xlsx")
    assert sheet.rows == []
    assert sheet.headers[0] == "姓名"


# --- escaping formulas -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["=SUM(A1:A2)", "+86 138", "-", "@所有人", "\tx", "\rx", "'", "'=1", "''", "'abc", "abc", "", "张三"],
)
def test_escaping_round_trips_every_text(value):
    escaped = escape_cell(value)
    assert not str(escaped).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unescape_cell(escaped) == value


def test_a_hand_typed_apostrophe_before_plain_text_is_kept():
    assert unescape_cell("'abc") == "'abc"
    assert unescape_cell("'=1+1") == "=1+1"


def test_escaped_cells_are_read_back_to_the_exported_value():
    sheet = read_spreadsheet("姓名,备注\r\n张三,'=SUM(A1)\r\n李四,'-\r\n".encode())
    assert [r.values[1] for r in sheet.rows] == ["=SUM(A1)", "-"]


# --- refused before parsing ------------------------------------------------------------------------


def test_old_xls_and_encrypted_workbooks_are_refused_with_what_they_probably_are():
    message = refused(OLE2_MAGIC + bytes(2048), ".xls", ".xlsx", ".csv")
    assert "旧版Excel" in message
    encrypted = OLE2_MAGIC + bytes(512) + "EncryptedPackage".encode("utf-16-le") + bytes(512)
    message = refused(encrypted, "密码", ".xlsx")
    assert "加密" in message


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG"),
        (b"\xff\xd8\xff\xe0" + bytes(64), "JPG"),
        (random.Random(7).randbytes(4096), "无法识别"),
        (b"<html><body><table><tr><td>\xe5\xa7\x93\xe5\x90\x8d</td></tr></table></body></html>", "网页"),
    ],
)
def test_files_that_are_not_tables_are_refused(content, fragment):
    refused(content, fragment)


def test_other_zip_files_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    refused(out.getvalue(), "Word")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    refused(out.getvalue(), "压缩包")


def test_a_file_over_the_size_limit_is_refused(settings, tmp_path):
    settings.ORGDEPT_IMPORT_MAX_BYTES = 1000
    data = ("姓名\r\n" + "张三\r\n" * 300).encode()
    refused(data, "文件过大")
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    refused(path.read_bytes(), "文件过大")
    with pytest.raises(SpreadsheetError, match="文件过大"):
        read_spreadsheet(path)


def test_a_zip_bomb_is_refused_by_its_compression_ratio():
    bomb = rezip(xlsx([["姓名"], ["张三"]]), {"xl/worksheets/sheet1.xml": b"<" + b"\0" * (40 * 1024 * 1024)})
    assert len(bomb) < 200_000
    refused(bomb, "压缩炸弹")


def test_a_zip_whose_total_is_above_the_limit_is_refused(settings):
    settings.ORGDEPT_IMPORT_MAX_UNZIPPED_BYTES = 50_000
    rows = [["姓名", "备注"]] + [[f"张{i}", random.Random(i).randbytes(20).hex()] for i in range(2000)]
    refused(xlsx(rows), "压缩炸弹")


def _stored_zip(name: str, content: bytes, *, declared_size: int) -> bytes:
    """A one-member deflated zip whose headers declare `declared_size` bytes, whatever the content is."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressed = packer.compress(content) + packer.flush()
    crc = zlib.crc32(content[:declared_size])
    raw_name = name.encode()
    local = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(compressed), declared_size, len(raw_name), 0
    )
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02",
        20,
        20,
        0,
        8,
        0,
        0,
        crc,
        len(compressed),
        declared_size,
        len(raw_name),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    body = local + raw_name + compressed
    directory = central + raw_name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end


def test_a_zip_that_lies_about_its_sizes_is_refused():
    lying = _stored_zip("xl/workbook.xml", b"<workbook/>" + b" " * 5_000_000, declared_size=11)
    refused(lying, "压缩炸弹")


def test_an_xml_entity_bomb_inside_a_workbook_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    data = xlsx([["姓名"], ["张三"]])
    bomb = rezip(data, {"xl/worksheets/sheet1.xml": laughs + sheet_xml(data).split(b"?>", 1)[-1]})
    refused(bomb, "DOCTYPE")
    shared = rezip(data, {"xl/sharedStrings.xml": laughs + b"<sst><si><t>&lol3;</t></si></sst>"})
    refused(shared, "DOCTYPE")


def test_a_sheet_declaring_a_million_rows_is_refused_before_it_is_read():
    data = xlsx([["姓名"], ["张三"]])
    xml = sheet_xml(data)
    assert b'<dimension ref="A1:A2"' in xml
    declared = rezip(data, {"xl/worksheets/sheet1.xml": xml.replace(b'ref="A1:A2"', b'ref="A1:Y1048576"')})
    refused(declared, "1,048,576", "200,000")


def test_a_sheet_whose_last_row_is_row_1048576_is_refused():
    data = xlsx([["姓名"], ["张三"]])
    xml = sheet_xml(data).replace(b'<dimension ref="A1:A2" />', b"").replace(b'<dimension ref="A1:A2"/>', b"")
    far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    refused(rezip(data, {"xl/worksheets/sheet1.xml": xml.replace(b"</sheetData>", far)}), "上限")


def test_the_row_limit_is_a_setting(settings):
    settings.ORGDEPT_IMPORT_MAX_ROWS = 5
    refused(xlsx([["姓名"]] + [[f"张{i}"] for i in range(10)]), "上限")
    refused(("姓名\r\n" + "张三\r\n" * 10).encode(), "上限")
    assert inspect_spreadsheet(("姓名\r\n" + "张三\r\n" * 4).encode()).rows == 4


def test_a_sheet_wider_than_256_columns_is_refused():
    data = xlsx([["姓名"], ["张三"]])
    xml = sheet_xml(data)
    wide = xml.replace(b"</row></sheetData>", b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    refused(rezip(data, {"xl/worksheets/sheet1.xml": wide}), "256")


def test_a_corrupt_workbook_is_refused():
    data = xlsx([["姓名"], ["张三"]])
    refused(data[: len(data) // 2], "损坏")


# --- every member is checked, and sheets are only where a worksheet belongs ------------------------------


def renamed_sheet(data: bytes, name: str, *, content: bytes | None = None) -> bytes:
    """The workbook with its sheet part moved to `name`, the relation and content types changed to match."""
    source = zipfile.ZipFile(io.BytesIO(data))
    sheet = content if content is not None else source.read("xl/worksheets/sheet1.xml")
    rels = source.read("xl/_rels/workbook.xml.rels").replace(b"worksheets/sheet1.xml", name.encode()[3:])
    types = source.read("[Content_Types].xml").replace(b"/xl/worksheets/sheet1.xml", b"/" + name.encode())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                target.writestr(name, sheet)
            elif info.filename == "xl/_rels/workbook.xml.rels":
                target.writestr(info.filename, rels)
            elif info.filename == "[Content_Types].xml":
                target.writestr(info.filename, types)
            else:
                target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


def test_a_sheet_part_renamed_to_escape_the_row_checks_is_refused():
    data = xlsx([["姓名"], ["张三"]])
    far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    huge = sheet_xml(data).replace(b"</sheetData>", far)
    refused(rezip(data, {"xl/worksheets/sheet1.xml": huge}), "上限")  # where a worksheet belongs: scanned
    crafted = renamed_sheet(data, "xl/worksheets/sheet1.bin", content=huge)
    assert b"sheet1.bin" in zipfile.ZipFile(io.BytesIO(crafted)).read("xl/_rels/workbook.xml.rels")
    refused(crafted, "工作表存放位置异常", "sheet1.bin")
    refused(renamed_sheet(data, "xl/media/sheet1.xml"), "工作表存放位置异常")


def test_a_sheet_relation_leaving_the_worksheets_folder_is_refused():
    data = xlsx([["姓名"], ["张三"]])
    rels = zipfile.ZipFile(io.BytesIO(data)).read("xl/_rels/workbook.xml.rels")
    for target in (b"worksheets/../sharedStrings.xml", b"/docProps/app.xml", b"http://example.org/s.xml"):
        crafted = rezip(data, {"xl/_rels/workbook.xml.rels": rels.replace(b"worksheets/sheet1.xml", target)})
        refused(crafted, "工作表存放位置异常")


def test_a_sheet_named_by_an_absolute_or_a_relative_target_is_read():
    data = xlsx([["姓名"], ["张三"]])
    rels = zipfile.ZipFile(io.BytesIO(data)).read("xl/_rels/workbook.xml.rels")
    assert b'Target="/xl/worksheets/sheet1.xml"' in rels  # as openpyxl writes it; Excel writes it relative
    relative = rezip(data, {"xl/_rels/workbook.xml.rels": rels.replace(b"/xl/worksheets/", b"worksheets/")})
    for workbook in (data, relative):
        sheet = read_spreadsheet(workbook)
        assert sheet.headers == ["姓名"] and sheet.rows[0].values == ("张三",)


def test_a_workbook_without_its_relations_is_refused():
    data = xlsx([["姓名"], ["张三"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/_rels/workbook.xml.rels":
                target.writestr(info.filename, source.read(info.filename))
    refused(out.getvalue(), "文件结构异常")


def test_members_that_are_not_xml_are_checked_too():
    data = xlsx([["姓名"], ["张三"]])
    payload = b"printer settings " * 100
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in zipfile.ZipFile(io.BytesIO(data)).infolist():
            target.writestr(info, zipfile.ZipFile(io.BytesIO(data)).read(info.filename))
        target.writestr("xl/printerSettings/printerSettings1.bin", payload, compress_type=zipfile.ZIP_STORED)
    raw = bytearray(out.getvalue())
    start = raw.index(payload)
    raw[start] ^= 0xFF  # the content no longer matches its CRC
    refused(bytes(raw), "校验失败")
    declared = rezip(data, {"xl/embeddings/note.bin": b'<!DOCTYPE x [<!ENTITY a "a">]><x>&a;</x>'})
    refused(declared, "DOCTYPE")

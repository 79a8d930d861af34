"""Safe reading of uploaded spreadsheets (.xlsx and CSV) for every import, and the cell escaping exports use.

The format is decided from the content, never from the file name. Anything that is not a plain
workbook or text table, or that could exhaust the server (a zip bomb, an XML entity bomb, a sheet
declaring a million rows), is refused with one Chinese message before any parser sees it.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .exceptions import ApplicationError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 200_000
DEFAULT_MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
# deflate reaches ~1000:1 on crafted input; real sheets stay far below this
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FROM_BYTES = 1024 * 1024
MAX_COLUMNS = 256  # IV, the old Excel width: no import needs more
MAX_CELLS = 10_000_000
MAX_ZIP_MEMBERS = 5_000

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_NOT_TABLES = [
    (b"%PDF", "PDF文件"),
    (b"\x89PNG", "PNG图片"),
    (b"\xff\xd8\xff", "JPG图片"),
    (b"GIF8", "GIF图片"),
    (b"\x1f\x8b", "gzip压缩文件"),
    (b"Rar!", "RAR压缩文件"),
    (b"7z\xbc\xaf", "7z压缩文件"),
    (b"PK\x05\x06", "空的zip压缩文件"),
    (b"{\\rtf", "RTF文档"),
]
# characters that make a spreadsheet program treat a cell as a formula (CSV/formula injection)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"

# full-width ASCII (！ to ～) and the ideographic space fold to their half-width forms
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WHITESPACE = re.compile(r"\s+")

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]{0,200}?\bref=\"[A-Z]{0,3}\d*:?([A-Z]{1,3})(\d+)\"")
_ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\b[^>]{0,400}?\sr=\"(\d+)\"")
_ROW_NUMBER_FAST = re.compile(rb"<row r=\"(\d+)\"")  # as Excel, WPS and openpyxl write it
_ROW_TAGS = (b"<row ", b"<row>", b":row ", b":row>")
# cell references of column AA or beyond: rare enough to be cheap to look for
_WIDE_CELL = re.compile(rb" r=\"([A-Z]{2,3})\d+\"")
_UNSAFE_XML = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_OVERLAP = 1024
XML_SUFFIXES = (".xml", ".rels", ".vml")
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
# relationship types (the last part of the Type URI) whose targets a reader parses as sheets -> their folder
SHEET_FOLDERS = {
    "worksheet": "xl/worksheets/",
    "chartsheet": "xl/chartsheets/",
    "dialogsheet": "xl/dialogsheets/",
    "xlMacrosheet": "xl/macrosheets/",
    "xlIntlMacrosheet": "xl/macrosheets/",
}
_CHUNK = 4 * 1024 * 1024


class SpreadsheetError(ApplicationError):
    """The file cannot be read as a table at all; the message says why and what to do."""


def fold_width(text: str) -> str:
    return text.translate(_WIDTH)


def normalize_header(value) -> str:
    """A header as it is matched: full-width characters folded, every space removed (姓　名 → 姓名)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _WHITESPACE.sub("", fold_width(str(value)).replace("\ufeff", ""))


def escape_cell(value):
    """A text cell for an exported sheet: a leading ' keeps it from being run as a formula.

    Text that already starts with ' is escaped too, so that `unescape_cell` gives every value back.
    """
    if isinstance(value, str) and value.startswith((*FORMULA_PREFIXES, ESCAPE)):
        return ESCAPE + value
    return value


def unescape_cell(value):
    """The value `escape_cell` was given; text that was not escaped is returned unchanged."""
    if (
        isinstance(value, str)
        and len(value) > 1
        and value[0] == ESCAPE
        and value[1:].startswith((*FORMULA_PREFIXES, ESCAPE))
    ):
        return value[1:]
    return value


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _blank_row(values) -> bool:
    for value in values:
        if value.__class__ is str:
            if value and not value.isspace():
                return False
        elif value is not None:
            return False
    return True


@dataclass(frozen=True)
class SpreadsheetRow:
    number: int  # the row number the user sees in the spreadsheet program (header = 1)
    values: tuple


@dataclass
class Spreadsheet:
    format: str  # "xlsx", "csv-utf8" or "csv-gb18030"
    headers: list[str]  # normalized header names in column order ("" where a header cell is blank)
    rows: list[SpreadsheetRow]  # the data rows, blank rows left out
    header_errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message), on row 1
    header_warnings: list[tuple[str, str]] = field(default_factory=list)

    def column(self, name: str) -> int | None:
        """The index of the column headed `name` (matched after normalizing), or None."""
        try:
            return self.headers.index(normalize_header(name))
        except ValueError:
            return None


@dataclass(frozen=True)
class SpreadsheetInfo:
    format: str
    rows: int  # data rows at most (blank rows included): enough to choose inline or background work


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default) or default)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}MB"


def read_source(source, *, max_bytes: int | None = None) -> bytes:
    """The bytes of `source` (bytes, a path, or an open file such as an upload), refused above the size limit."""
    max_bytes = max_bytes or _limit("ORGDEPT_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, Path)):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError:
            raise SpreadsheetError(f"找不到文件：{path}") from None
        if size > max_bytes:
            raise SpreadsheetError(f"文件过大（{_megabytes(size)}），导入文件不能超过{_megabytes(max_bytes)}")
        try:
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
        except IsADirectoryError:
            raise SpreadsheetError(f"无法读取文件：{path}是一个文件夹，不是文件") from None
        except PermissionError:
            raise SpreadsheetError(f"无法读取文件：没有读取{path}的权限") from None
        except OSError as exc:
            raise SpreadsheetError(f"无法读取文件：{path}（{exc.strerror or exc}）") from None
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SpreadsheetError(f"文件过大，导入文件不能超过{_megabytes(max_bytes)}")
    return data


# --- refusing what is not a safe table -----------------------------------------------------------------


def _ole2_kind(data: bytes) -> str:
    # an encrypted .xlsx is an OLE2 container with an EncryptedPackage stream
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return "这是设置了打开密码（加密）的Excel文件，系统无法读取；请在Excel中取消密码，另存为.xlsx或.csv后再导入"
    return "这是旧版Excel（.xls）或其他Office文件，系统不读取这种格式；请在Excel中另存为.xlsx或.csv（UTF-8）后再导入"


def _member_chunks(data: bytes, info: zipfile.ZipInfo, budget: list[int]) -> Iterator[bytes]:
    """The uncompressed content of one zip member, decompressed here so that no size in the headers is trusted."""
    if info.flag_bits & 0x1:
        raise SpreadsheetError(
            "这是设置了密码（加密）的文件，系统无法读取；请在Excel中取消密码，另存为.xlsx或.csv后再导入"
        )
    offset = info.header_offset
    if data[offset : offset + 4] != ZIP_MAGIC:
        raise SpreadsheetError("文件已损坏，无法读取；请在Excel中重新另存为.xlsx后再导入")
    name_length, extra_length = struct.unpack("<HH", data[offset + 26 : offset + 30])
    start = offset + 30 + name_length + extra_length
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        raise SpreadsheetError("文件已损坏（不完整），无法读取；请在Excel中重新另存为.xlsx后再导入")
    if info.compress_type == zipfile.ZIP_STORED:
        decompress = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        decompress = zlib.decompressobj(-15)
    else:
        raise SpreadsheetError("文件使用了不支持的压缩方式，请在Excel中重新另存为.xlsx后再导入")
    produced = 0
    crc = 0
    for position in range(0, max(len(raw), 1), _CHUNK):
        piece = raw[position : position + _CHUNK]
        if decompress is None:
            out = bytes(piece)
        else:
            # never more than one byte past what the header declares: a lying header is caught, not obeyed
            out = decompress.decompress(piece, info.file_size - produced + 1)
            while decompress.unconsumed_tail and len(out) <= info.file_size - produced:
                out += decompress.decompress(decompress.unconsumed_tail, info.file_size - produced - len(out) + 1)
        produced += len(out)
        budget[0] -= len(out)
        if produced > info.file_size or budget[0] < 0:
            raise SpreadsheetError("文件解压后过大（疑似“压缩炸弹”），已拒绝读取")
        crc = zlib.crc32(out, crc)
        if out:
            yield out
    if produced != info.file_size or crc != info.CRC:
        raise SpreadsheetError("文件已损坏（校验失败），无法读取；请在Excel中重新另存为.xlsx后再导入")


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


def _scan_rows(part: bytes) -> tuple[int, int, int]:
    """(highest row number, row elements, widest column beyond Z) in a piece of worksheet XML."""
    seen = sum(part.count(tag) for tag in _ROW_TAGS)
    numbers = [int(n) for n in _ROW_NUMBER_FAST.findall(part)]
    if len(numbers) != seen:  # written some other way: the slower, general pattern
        numbers = [int(n) for n in _ROW_NUMBER.findall(part)]
    wide = max((_column_number(m) for m in _WIDE_CELL.findall(part)), default=0)
    return max(numbers, default=0), seen, wide


def _check_size(last_row: int, rows_seen: int, widest: int, max_rows: int) -> None:
    if max(last_row, rows_seen) - 1 > max_rows:
        raise SpreadsheetError(f"工作表超过了导入上限{max_rows:,}行，请删除多余的行（含空行），或分成几个文件导入")
    if widest > MAX_COLUMNS:
        raise SpreadsheetError(f"工作表超过了{MAX_COLUMNS}列，请删除多余的列后再导入")


def _scan_member(
    data: bytes,
    info: zipfile.ZipInfo,
    budget: list[int],
    max_rows: int,
    *,
    worksheet: bool = False,
    keep: list[bytes] | None = None,
) -> tuple[int, int]:
    """Checks one zip member (sizes, CRC, entity declarations; for a worksheet its rows and columns).

    Returns (last row, widest column) of a worksheet, stopping early when it is too big; `keep` collects
    the member's content (for the small parts that say which parts are sheets).
    """
    xml = info.filename.endswith(XML_SUFFIXES)
    last_row, rows_seen, widest = 0, 0, 0
    tail = b""
    first = True
    chunks = _member_chunks(data, info, budget)
    for chunk in chunks:
        if keep is not None:
            keep.append(chunk)
        if first:
            if (xml or worksheet) and (
                chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or chunk[:4] in (b"<\x00?\x00", b"\x00<\x00?")
            ):
                raise SpreadsheetError("文件中的XML使用了不支持的编码，请在Excel中重新另存为.xlsx后再导入")
            dimension = _DIMENSION.search(chunk[:8192]) if worksheet else None
            if dimension and int(dimension.group(2)) - 1 > max_rows:
                raise SpreadsheetError(
                    f"工作表声明有{int(dimension.group(2)):,}行，超过了导入上限{max_rows:,}行；"
                    "请删除多余的行（含空行），另存后再导入"
                )
            first = False
        buffer = tail + chunk
        cut = max(len(buffer) - _OVERLAP, 0)
        if _UNSAFE_XML.search(buffer):
            raise SpreadsheetError("文件中含有不安全的XML声明（DOCTYPE/ENTITY），已拒绝读取")
        if worksheet:
            last, seen, wide = _scan_rows(buffer[:cut])
            last_row, rows_seen, widest = max(last_row, last), rows_seen + seen, max(widest, wide)
            _check_size(last_row, rows_seen, widest, max_rows)
        tail = buffer[cut:]
    if worksheet and tail:
        last, seen, wide = _scan_rows(tail)
        last_row, rows_seen, widest = max(last_row, last), rows_seen + seen, max(widest, wide)
        _check_size(last_row, rows_seen, widest, max_rows)
    if _UNSAFE_XML.search(tail):
        raise SpreadsheetError("文件中含有不安全的XML声明（DOCTYPE/ENTITY），已拒绝读取")
    return max(last_row, rows_seen), widest


def _inspect_zip(data: bytes, max_rows: int) -> SpreadsheetInfo:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, struct.error):
        raise SpreadsheetError("文件已损坏或不是有效的Excel文件；请在Excel中另存为.xlsx或.csv后再导入") from None
    names = [i.filename for i in infos]
    if len(infos) > MAX_ZIP_MEMBERS or len(set(names)) != len(names):
        raise SpreadsheetError("文件结构异常（疑似被篡改的压缩包），已拒绝读取")
    if WORKBOOK not in names:
        if "word/document.xml" in names:
            raise SpreadsheetError("这是Word文档，不是电子表格；请上传.xlsx或.csv文件")
        if any(n.startswith("ppt/") for n in names):
            raise SpreadsheetError("这是PowerPoint文档，不是电子表格；请上传.xlsx或.csv文件")
        if "content.xml" in names:
            raise SpreadsheetError("这是OpenDocument（WPS/LibreOffice）格式的文件；请另存为.xlsx或.csv后再导入")
        raise SpreadsheetError("这是一个压缩包，不是Excel工作簿；请上传.xlsx或.csv文件")
    max_unzipped = _limit("ORGDEPT_IMPORT_MAX_UNZIPPED_BYTES", DEFAULT_MAX_UNZIPPED_BYTES)
    if sum(i.file_size for i in infos) > max_unzipped:
        raise SpreadsheetError(
            f"文件解压后超过{_megabytes(max_unzipped)}（疑似“压缩炸弹”），已拒绝读取；如确有这么多数据，请分成几个文件导入"
        )
    for info in infos:
        if info.file_size > RATIO_CHECK_FROM_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise SpreadsheetError("文件的压缩比异常（疑似“压缩炸弹”），已拒绝读取")
    budget = [max_unzipped]
    by_name = {i.filename: i for i in infos}
    parts: dict[str, bytes] = {}
    for name in (WORKBOOK, WORKBOOK_RELS):
        if name in by_name:
            keep: list[bytes] = []
            _scan_member(data, by_name[name], budget, max_rows, keep=keep)
            parts[name] = b"".join(keep)
    if WORKBOOK_RELS not in parts:
        raise SpreadsheetError("文件结构异常（缺少工作簿的关系定义），无法读取；请在Excel中重新另存为.xlsx后再导入")
    sheets = _sheet_parts(parts[WORKBOOK], parts[WORKBOOK_RELS])
    rows = 0
    # every member is decompressed and checked, whatever its name says: a parser may read any of them
    for info in infos:
        if info.filename in parts:
            continue
        name = info.filename
        worksheet = name in sheets or (name.startswith("xl/worksheets/") and name.endswith(".xml"))
        part_rows, widest = _scan_member(data, info, budget, max_rows, worksheet=worksheet)
        if part_rows * max(widest, 26) > MAX_CELLS:
            raise SpreadsheetError("工作表的单元格过多，已拒绝读取；请删除多余的行和列，或分成几个文件导入")
        if worksheet:
            rows = max(rows, part_rows)
    return SpreadsheetInfo("xlsx", max(rows - 1, 0))


def _sheet_parts(workbook: bytes, rels: bytes) -> set[str]:
    """The parts a reader parses as sheets: the targets of the workbook's sheets and of its sheet relations.

    Each must be an .xml part under xl/worksheets/ (a chart sheet's under xl/chartsheets/, and so on): a
    sheet kept under another name would escape the row and size checks a worksheet gets.
    """
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        relations = ElementTree.fromstring(rels)
        book = ElementTree.fromstring(workbook)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        raise SpreadsheetError("文件已损坏或不是有效的Excel文件；请在Excel中另存为.xlsx或.csv后再导入") from None
    referenced = set()
    for element in book.iter():
        if _local(element.tag) == "sheet":
            referenced.update(v for k, v in element.attrib.items() if k.startswith("{") and _local(k) == "id")
    sheets = set()
    for element in relations.iter():
        if _local(element.tag) != "Relationship":
            continue
        kind = element.get("Type", "").rsplit("/", 1)[-1]
        if element.get("Id") not in referenced and kind not in SHEET_FOLDERS:
            continue
        target = element.get("Target", "")
        path = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target))
        folder = SHEET_FOLDERS.get(kind, "xl/worksheets/")
        if element.get("TargetMode") == "External" or not path.startswith(folder) or not path.endswith(".xml"):
            raise SpreadsheetError(
                f"文件中的工作表存放位置异常（{target[:100]}），疑似被篡改，已拒绝读取；请在Excel中重新另存为.xlsx后再导入"
            )
        sheets.add(path)
    return sheets


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _decode_text(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "csv-utf8"
        except UnicodeDecodeError:
            raise SpreadsheetError("文件标明为UTF-8编码，但内容不是有效的UTF-8文字，无法读取") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpreadsheetError("文件是UTF-16编码的文本，系统不读取这种编码；请另存为“CSV UTF-8”或.xlsx后再导入")
    for encoding, name in (("utf-8", "csv-utf8"), ("gb18030", "csv-gb18030")):
        try:
            return data.decode(encoding), name
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError("无法识别的文件：既不是Excel工作簿（.xlsx），也不是UTF-8或GBK编码的CSV文件")


def _check_text(text: str) -> None:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
    if "\x00" in sample or controls > max(8, len(sample) // 200):
        raise SpreadsheetError("无法识别的文件：内容不是文字表格；请上传.xlsx或.csv文件")
    head = sample.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html", "<table")) or "<html" in head:
        raise SpreadsheetError("这是网页（HTML）格式的“表格”，请在Excel中打开后另存为.xlsx或.csv再导入")
    if head.startswith("<?xml"):
        raise SpreadsheetError("这是XML文件，不是电子表格；请上传.xlsx或.csv文件")


def inspect_spreadsheet(data: bytes, *, max_rows: int | None = None) -> SpreadsheetInfo:
    """Decides the format from the content and refuses (SpreadsheetError) what must not be parsed."""
    max_rows = max_rows or _limit("ORGDEPT_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)
    if not data.strip():
        raise SpreadsheetError("文件是空的，没有任何内容")
    if data.startswith(OLE2_MAGIC):
        raise SpreadsheetError(_ole2_kind(data))
    if data.startswith(ZIP_MAGIC):
        return _inspect_zip(data, max_rows)
    for magic, what in _NOT_TABLES:
        if data.startswith(magic):
            raise SpreadsheetError(f"这是{what}，不是电子表格；请上传.xlsx或.csv文件")
    text, fmt = _decode_text(data)
    _check_text(text)
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines - 1 > max_rows:
        # a quoted cell may span lines, so the exact count comes from the CSV reader below
        rows = sum(1 for _ in csv.reader(io.StringIO(text, newline="")))
        if rows - 1 > max_rows:
            raise SpreadsheetError(f"文件超过了导入上限{max_rows:,}行，请分成几个文件导入")
    return SpreadsheetInfo(fmt, max(lines - 1, 0))


# --- reading ---------------------------------------------------------------------------------------


def _xlsx_rows(data: bytes) -> Iterator[list]:
    """The first sheet's rows from row 1 and column A on, one list at a time.

    The parsed sheet is held once, by the parser: a list of every row beside it would double what a large file
    costs in memory.
    """
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        del data  # the parser has its own copy
        if not workbook.sheet_names:
            raise SpreadsheetError("工作簿中没有工作表")
        sheet = workbook.get_sheet_by_index(0)
        # the rows start at row 1, but the cells at the first column that has any: the rest is put back in front,
        # so positions in a row are the sheet's columns
        lead = [""] * sheet.start[1] if sheet.height else []
        rows = sheet.iter_rows()
        del workbook
        for row in rows:
            yield lead + row if lead else row
    except python_calamine.PasswordError:
        raise SpreadsheetError(
            "这是设置了密码（加密）的文件，系统无法读取；请在Excel中取消密码，另存为.xlsx或.csv后再导入"
        ) from None
    except SpreadsheetError:
        raise
    except Exception:
        raise SpreadsheetError("文件已损坏或不是有效的Excel文件；请在Excel中另存为.xlsx或.csv后再导入") from None


def _csv_rows(text: str) -> Iterator[list]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise SpreadsheetError(f"CSV文件格式有误，无法读取：{exc}") from None


def _header(raw: list) -> tuple[list[str], list[tuple[str, str]]]:
    headers = [normalize_header(v) for v in raw]
    while headers and not headers[-1]:
        headers.pop()
    errors = []
    seen: dict[str, list[int]] = {}
    for index, name in enumerate(headers):
        if name:
            seen.setdefault(name, []).append(index + 1)
    for name, positions in seen.items():
        if len(positions) > 1:
            where = "、".join(f"第{p}列" for p in positions)
            errors.append((name, f"表头“{name}”重复出现（{where}），每一列的名称只能出现一次"))
    return headers, errors


def read_spreadsheet(source, *, max_bytes: int | None = None, max_rows: int | None = None) -> Spreadsheet:
    """The first sheet of a workbook or a CSV file as a header and data rows; SpreadsheetError if unreadable.

    The header is the first row. Blank rows are left out but keep the row numbers around them. Text
    cells that an export escaped (a leading ') are read back to the value that was exported.
    """
    data = read_source(source, max_bytes=max_bytes)
    info = inspect_spreadsheet(data, max_rows=max_rows)
    # the rows are read one at a time and only the data rows are kept, with each distinct text once
    raw_rows = _xlsx_rows(data) if info.format == "xlsx" else _csv_rows(_decode_text(data)[0])
    del data
    header_raw = next(raw_rows, None)
    headers, header_errors = _header(header_raw or [])
    width = len(headers)
    unheaded = [i for i, h in enumerate(headers) if not h]
    rows: list[SpreadsheetRow] = []
    stray_columns: set[int] = set()
    # one object per distinct text: rosters repeat units, posts and schools in every row
    texts: dict[str, str] = {}
    remember = texts.setdefault
    for number, raw in enumerate(raw_rows, start=2):
        if _blank_row(raw):
            continue
        values = [
            (unescape_cell(v) if v[:1] == ESCAPE else remember(v, v)) if v.__class__ is str else v for v in raw[:width]
        ]
        if len(values) < width:
            values.extend([""] * (width - len(values)))
        for index in [*unheaded, *range(width, len(raw))]:
            if index < len(raw) and not is_blank(raw[index]):
                stray_columns.add(index + 1)
        rows.append(SpreadsheetRow(number, tuple(values)))
    del texts, remember
    if not rows and (header_raw is None or _blank_row(header_raw)):
        raise SpreadsheetError("文件中没有任何数据（连表头也没有）")
    if len(rows) > (max_rows or _limit("ORGDEPT_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)):
        raise SpreadsheetError("文件超过了导入上限的行数，请分成几个文件导入")
    header_warnings = []
    if stray_columns:
        where = "、".join(f"第{c}列" for c in sorted(stray_columns)[:10])
        header_warnings.append(("", f"{where}没有表头，其中的数据已忽略"))
    if not headers:
        header_errors.append(("", "第1行（表头）是空的：表头必须在第一行"))
    return Spreadsheet(info.format, headers, rows, header_errors, header_warnings)

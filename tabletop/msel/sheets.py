"""Reading a planner's spreadsheet: the cells of a .csv or .xlsx, in bounded time and memory.

A workbook is a zip of XML parts. Before openpyxl sees one, its directory is
checked: every part's unpacked size is capped (a zip bomb declares sizes it
cannot exceed, since Python's zip reader stops at the declared size and fails
the CRC), encrypted parts and password-protected workbooks (an OLE2 file
holding an ``EncryptedPackage``) are refused, and so is the old binary
``.xls``. openpyxl reads read-only, values only: no formula is evaluated (a
formula's value is the one the spreadsheet last saved) and no macro is
loaded. Rows are read as a stream and a sheet stops at ``MAX_ROWS`` rows with
something in them; a sheet with no MSEL header in its first rows is not read
further.

A CSV is read whole (it is capped at ``MAX_BYTES``), in the encoding its byte
order mark names, else UTF-8 if it decodes, else Windows-1252 (what Excel
saves on Western Windows), else Latin-1; with the delimiter that gives its
rows one consistent width.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import stat
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from tabletop.msel.layout import column_letter
from tabletop.yamlnodes import MAX_BYTES, InputError, Problem

MAX_ROWS = 5_000  # rows with something in them below the header, per file: real MSELs hold tens to hundreds
MAX_COLUMNS = 256
HEADER_SEARCH = 30  # rows with something in them, at the top of a sheet, where the header may be
MAX_WORKBOOK_BYTES = 64 * 1024 * 1024
MAX_PART_BYTES = 32 * 1024 * 1024  # one unpacked part; an MSEL of a thousand rows unpacks to about 2 MB
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
MAX_PARTS = 10_000
MAX_CELL = 100_000  # characters in one cell

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ENCRYPTED_NAME = "EncryptedPackage".encode("utf-16-le")
CONTROL = {chr(c) for c in range(32) if chr(c) not in "\t\n"} | {chr(c) for c in range(0x7F, 0xA0)}


@attrs.define
class Grid:
    """One sheet's cells: (spreadsheet row, values from column A), merged ranges, formulas without a saved value."""

    name: str | None  # the sheet's name; None for a CSV
    rows: list[tuple[int, list[Any]]] = attrs.Factory(list)
    merged: list[tuple[int, int, int, int]] = attrs.Factory(list)  # min_row, min_col, max_row, max_col
    unsaved: set[tuple[int, int]] = attrs.Factory(set)  # (row, col) of formulas the workbook holds no value for
    header: int | None = None  # the header row, once found
    hidden: bool = False


@attrs.define
class Book:
    """What a file holds: its sheets, and how it was read."""

    path: str
    kind: str  # csv | xlsx
    grids: list[Grid]
    encoding: str = ""
    delimiter: str = ""
    epoch_1904: bool = False
    skipped: list[str] = attrs.Factory(list)  # sheets not read, and why


def refuse(path: str, message: str, row: int = 1, col: int = 1) -> InputError:
    return InputError([Problem(path, row, col, message)])


def open_book(
    path: str | os.PathLike[str],
    finds_header: Callable[[list[Any]], bool],
    *,
    sheets: dict[str, int | None] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Book:
    """The sheets of a .csv or .xlsx file; raises InputError with one clear problem if it cannot be read.

    ``finds_header`` says whether a row is an MSEL header; ``sheets`` (from a --map
    file) names the sheets to read and, for each, the header row (None: search).
    """
    p = Path(path)
    name = str(p)
    try:
        info = p.stat()
    except OSError as exc:
        raise refuse(name, f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise refuse(name, "is a folder; expected an MSEL spreadsheet (.xlsx or .csv)")
    if not stat.S_ISREG(info.st_mode):
        raise refuse(name, "is not a regular file (a pipe or a device); expected an MSEL spreadsheet (.xlsx or .csv)")
    try:
        with open(p, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise refuse(name, f"cannot read: {exc.strerror or exc}") from None
    suffix = p.suffix.lower()
    if head.startswith(OLE_MAGIC):
        if _encrypted(p):
            raise refuse(name, "the workbook is password-protected (encrypted); open it, remove the password "
                         "(File > Info > Protect Workbook), save it as .xlsx, and import that")
        raise refuse(name, "an Excel 97-2003 workbook (.xls, the old binary format) is not read; "
                     "open it in a spreadsheet and save it as .xlsx or .csv")
    if head.startswith(ZIP_MAGIC):
        return _xlsx(name, info.st_size, finds_header, sheets)
    if suffix in (".xlsx", ".xlsm", ".xls", ".xltx", ".ods"):
        raise refuse(name, f"not a workbook: a {suffix} file starts with a zip signature, this one does not (corrupt, or another kind of file renamed)")
    if sheets and any(s is not None for s in sheets):
        pass  # a CSV has one sheet, whatever the map calls it
    header = next(iter(sheets.values()), None) if sheets else None
    return _csv(name, info.st_size, finds_header, header, encoding, delimiter)


# --------------------------------------------------------------------- xlsx


def _encrypted(path: Path) -> bool:
    """An OLE2 file holding an EncryptedPackage stream: what Office writes for a workbook with a password."""
    previous = b""
    with open(path, "rb") as handle:
        for _ in range(MAX_WORKBOOK_BYTES // (1 << 20)):
            chunk = handle.read(1 << 20)
            if not chunk:
                break
            if _ENCRYPTED_NAME in previous[-len(_ENCRYPTED_NAME):] + chunk:
                return True
            previous = chunk
    return False


def _xlsx(name: str, size: int, finds_header: Callable[[list[Any]], bool], wanted: dict[str, int | None] | None) -> Book:
    if size > MAX_WORKBOOK_BYTES:
        raise refuse(name, f"the workbook is {size:,} bytes; the limit is {MAX_WORKBOOK_BYTES:,} (an MSEL is rarely over 1 MB)")
    try:
        with zipfile.ZipFile(name) as archive:
            _check_parts(name, archive)
    except InputError:
        raise
    except OSError as exc:
        raise refuse(name, f"cannot read: {exc.strerror or exc}") from None
    except Exception as exc:  # BadZipFile, and NotImplementedError, ValueError... from a damaged directory
        raise refuse(name, f"corrupt workbook: not a readable zip archive ({str(exc)[:200] or type(exc).__name__})") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of extensions it drops (data validation...): nothing of ours
            return _read_workbook(name, finds_header, wanted)
    except InputError:
        raise
    except OSError as exc:
        raise refuse(name, f"cannot read: {exc.strerror or exc}") from None
    except Exception as exc:  # openpyxl and the XML parser raise anything on a damaged part; none of it is ours to show
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise refuse(name, f"corrupt workbook: {detail}; open it in a spreadsheet and save it again, or save it as .csv") from None


def _check_parts(name: str, archive: zipfile.ZipFile) -> None:
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise refuse(name, f"the workbook has {len(parts):,} parts; the limit is {MAX_PARTS:,}")
    names = {part.filename for part in parts}
    if "mimetype" in names:
        try:
            kind = archive.read("mimetype")[:100].decode("ascii", "replace")
        except (zipfile.BadZipFile, OSError, RuntimeError):
            kind = ""
        if "opendocument" in kind:
            raise refuse(name, "an OpenDocument spreadsheet (.ods) is not read; save it as .xlsx or .csv")
    if "[Content_Types].xml" not in names:
        raise refuse(name, "a zip archive but not an .xlsx workbook (it has no [Content_Types].xml)")
    total = 0
    for part in parts:
        if part.flag_bits & 0x1:
            raise refuse(name, f"part {part.filename} is encrypted; remove the password and save the workbook again")
        if part.file_size > MAX_PART_BYTES:
            raise refuse(name, f"part {part.filename} unpacks to {part.file_size:,} bytes from {part.compress_size:,}; the limit is "
                         f"{MAX_PART_BYTES:,} (a thousand-row MSEL unpacks to about 2 MB): refused as a possible zip bomb")
        total += part.file_size
    if total > MAX_UNPACKED_BYTES:
        raise refuse(name, f"the workbook unpacks to {total:,} bytes; the limit is {MAX_UNPACKED_BYTES:,}: refused as a possible zip bomb")


def _read_workbook(name: str, finds_header: Callable[[list[Any]], bool], wanted: dict[str, int | None] | None) -> Book:
    """The workbook's sheets through openpyxl's reader, one step short of its read-only worksheets.

    openpyxl's ReadOnlyWorksheet reads a sheet through to its end on opening when
    the sheet does not state its size up front (files written by programs other
    than Excel): for a large sheet that is most of the cost. Here each sheet is
    parsed once, as a stream, and only as far as it is needed.
    """
    with open(name, "rb") as handle:  # a file, not a name: openpyxl would refuse a workbook named other than .xlsx
        return _read_workbook_from(name, handle, finds_header, wanted)


def _read_workbook_from(name: str, handle: Any, finds_header: Callable[[list[Any]], bool], wanted: dict[str, int | None] | None) -> Book:
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    reader = ExcelReader(handle, read_only=True, data_only=True, keep_links=False, keep_vba=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        workbook = reader.wb
        found = [(sheet, rel) for sheet, rel in reader.parser.find_sheets()
                 if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
        book = Book(name, "xlsx", [], epoch_1904=workbook.epoch == CALENDAR_MAC_1904)
        titles = [sheet.name for sheet, _ in found]
        if wanted:
            for title in wanted:
                if title not in titles:
                    raise refuse(name, f"no sheet {title!r} in the workbook; its sheets: {', '.join(map(repr, titles))}")
        budget = [MAX_ROWS]
        for sheet, rel in found:
            if wanted is not None and sheet.name not in wanted:
                book.skipped.append(f"sheet {sheet.name!r}: not named in the map")
                continue
            hidden = (sheet.state or "visible") != "visible"
            if hidden and wanted is None:
                book.skipped.append(f"sheet {sheet.name!r}: hidden")
                continue
            grid = Grid(sheet.name, hidden=hidden)
            source = reader.archive.open(rel.target)
            if _read_sheet(name, source, workbook, reader.shared_strings, grid, finds_header, wanted.get(sheet.name) if wanted else None, budget):
                book.grids.append(grid)
            else:
                book.skipped.append(f"sheet {sheet.name!r}: no MSEL header in its first {HEADER_SEARCH} rows")
        return book
    finally:
        reader.archive.close()


def _parser_class() -> type:
    """openpyxl's own sheet parser, told to note formulas the workbook saved no value for.

    ReadOnlyWorksheet uses this parser and drops what it learns besides the cells;
    using it directly keeps the merged ranges (listed after the rows) and skips
    the empty rows a sheet's stated dimensions would pad with.
    """
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        unsaved: set[tuple[int, int]]

        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                self.unsaved.add((cell["row"], cell["column"]))
            return cell

    return Parser


def _read_sheet(name: str, source: Any, workbook: Any, strings: list[str], grid: Grid, finds_header: Callable[[list[Any]], bool],
                header: int | None, budget: list[int]) -> bool:
    parser = _parser_class()(
        source, strings, data_only=True, epoch=workbook.epoch,
        date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats,
    )
    title = grid.name
    parser.unsaved = set()
    seen = 0
    try:
        for number, cells in parser.parse():
            values: list[Any] = []
            for cell in cells:
                value = cell["value"]
                if value is None or value == "":
                    continue
                col = cell["column"]
                if col > MAX_COLUMNS:
                    raise refuse(name, f"sheet {title!r}, cell {column_letter(col)}{number}: a value beyond column "
                                 f"{column_letter(MAX_COLUMNS)}; an MSEL has a few dozen columns at most", number, col)
                if len(values) < col:
                    values.extend([None] * (col - len(values)))
                values[col - 1] = value
            if not values:
                continue
            seen += 1
            grid.rows.append((number, values))
            if grid.header is None:
                if header is not None and number >= header:
                    grid.header = header
                elif header is None and finds_header(values):
                    grid.header = number
                elif seen >= HEADER_SEARCH and header is None:
                    return False
            if grid.header is not None and number > grid.header:
                budget[0] -= 1
                if budget[0] < 0:
                    raise refuse(name, f"sheet {title!r}, row {number}: more than {MAX_ROWS:,} rows below the header; "
                                 "an MSEL holds a few hundred: delete what is not the MSEL, or split it", number, 1)
    finally:
        parser.source.close()
    if grid.header is None and header is not None:
        grid.header = header
    if grid.header is None:
        return False
    if parser.merged_cells is not None:
        for merged in parser.merged_cells.mergeCell:
            bounds = _bounds(merged.ref)
            if bounds is not None:
                grid.merged.append(bounds)
    grid.unsaved = parser.unsaved
    return True


def _bounds(ref: str) -> tuple[int, int, int, int] | None:
    """A merged range's corners, or None for one open on a side (a whole row or column), which no cell of it can name."""
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref)
    if min_col is None or min_row is None or max_col is None or max_row is None:
        return None
    return min_row, min_col, max_row, max_col


# ---------------------------------------------------------------------- csv

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
DELIMITERS = (",", ";", "\t", "|")


def _csv(name: str, size: int, finds_header: Callable[[list[Any]], bool], header: int | None, encoding: str | None, delimiter: str | None) -> Book:
    if size > MAX_BYTES:
        raise refuse(name, f"file is {size:,} bytes; the limit is {MAX_BYTES:,} (an MSEL of a thousand rows is under 1 MB)")
    try:
        with open(name, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise refuse(name, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise refuse(name, f"file is over {MAX_BYTES:,} bytes, the limit")
    if not data.strip():
        raise refuse(name, "empty file; expected a header row with the MSEL's columns (Event #, Time, Event Type, To, Event Description, ...)")
    text, used = decode(name, data, encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    chosen = delimiter or sniff(text)
    grid = Grid(None)
    seen = below = 0
    for number, record in _records(name, text, chosen):
        if not any(cell.strip() for cell in record):
            continue
        seen += 1
        if len(record) > MAX_COLUMNS and any(c.strip() for c in record[MAX_COLUMNS:]):
            raise refuse(name, f"row {number}: a value beyond column {column_letter(MAX_COLUMNS)}; an MSEL has a few dozen columns at most", number, MAX_COLUMNS + 1)
        grid.rows.append((number, record))
        if grid.header is None:
            if header is not None and number >= header:
                grid.header = header
            elif header is None and finds_header(record):
                grid.header = number
            elif seen >= HEADER_SEARCH and header is None:
                break
        if grid.header is not None and number > grid.header:
            below += 1
            if below > MAX_ROWS:
                raise refuse(name, f"row {number}: more than {MAX_ROWS:,} rows below the header; an MSEL holds a few hundred: "
                             "delete what is not the MSEL, or split it", number, 1)
    book = Book(name, "csv", [grid], encoding=used, delimiter=chosen)
    if grid.header is None:
        book.grids = []
        book.skipped.append(f"no MSEL header in the first {HEADER_SEARCH} rows")
    return book


def decode(name: str, data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text and the encoding it was read in: a BOM's, else UTF-8, else Windows-1252, else Latin-1."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise refuse(name, f"unknown encoding {encoding!r}; expected one like utf-8, cp1252, latin-1, utf-16") from None
        return _strict(name, data, encoding), encoding
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _strict(name, data, codec), codec
    sample = data[:4096]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without its BOM: every other byte is zero
        codec = "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
        return _strict(name, data, codec), codec
    for codec in ("utf-8", "cp1252"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _strict(name: str, data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        label = "UTF-8" if codecs.lookup(codec).name in ("utf-8", "utf-8-sig") else codec
        raise refuse(name, f"invalid {label} (byte 0x{data[exc.start]:02x}); save the file as UTF-8, or name its encoding in a --map file", line, col) from None


def sniff(text: str) -> str:
    """The delimiter that splits the first rows into the most rows of one width (more than one column)."""
    head = "\n".join(text.splitlines()[:50])
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        widths: dict[int, int] = {}
        try:
            for record in csv.reader(io.StringIO(head, newline=""), delimiter=delimiter):
                if len(record) > 1:
                    widths[len(record)] = widths.get(len(record), 0) + 1
        except csv.Error:
            continue
        if not widths:
            continue
        width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
        if (count, width) > best_score:
            best, best_score = delimiter, (count, width)
    return best


def _records(name: str, text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, cells): a quoted cell may run over several lines."""
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise refuse(name, f"malformed CSV: {exc}; save the sheet as CSV again", reader.line_num, 1) from None
        yield line, record
        line = reader.line_num + 1


def cell_text(value: Any) -> str:
    """A cell as text, the way a person reads it: 11:00, 2024-10-31 09:00, 0.4583, 12."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M" if value.second == 0 else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M" if value.second == 0 else "%H:%M:%S")
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}" + (f":{seconds % 60:02d}" if seconds % 60 else "")
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    return str(value)

"""Spreadsheets of the kinds planners keep their MSELs in, built for the tests.

Real MSELs (HSEEP's template, edited by hand) are not kept in the project; these
reproduce their variety: header names and line breaks, title rows, merged
cells, several sheets, blank rows between phases, every time format and event
type, and the damaged or hostile files import must refuse.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

PHASE = object()  # a row marker: the next item is a phase title written across the sheet

FLOOD_HEADER = [
    "MSEL\nNumber", "Time", "Event Type", "Inject Mode", "From", "Send To\n(Recipient Players)", "Event Description",
    "Expected Player Action", "Injected By (Responsible Controller)", "Questions/Comments",
]


def flood_rows() -> list[Any]:
    """Two phases of a county flood exercise: every event type, a time format per row, blank rows between phases."""
    return [
        PHASE, "Phase 1: Warning",
        [1, 0.375, "Inject", "Email", "NWS", "County EOC", "The National Weather Service issues a flood watch for the river basin. Heavy rain expected.",
         "EOC reviews flood plans", "J. Smith", "Is the EOC staffed?"],
        [2, dt.time(9, 30), "Simulation", "Phone", "Mayor", "County EOC, Public Works", "The mayor calls asking about sandbags.", None, "A. Lee", None],
        [None, "0945", "Player Action", None, None, "Public Works", "Public Works deploys sandbag teams", None, None, None],
        [],
        [],
        PHASE, "Phase 2: Response",
        [3, "T+02:00", "Actor Action", "Radio", "Fire Dept", "All Players", "Levee breach reported at Mile 4.", "Evacuation order considered", "J. Smith", None],
        [4, "11:15 AM", "Contingency", "Email", "Media", "PIO", "A reporter asks about casualties.", "PIO issues statement", None, None],
        [5, 45791.5, "Controller Action", None, None, None, "Controller hands out map 2", None, None, None],
        [6, "1300", "Expected Action", None, None, "County EOC", "EOC requests state assistance", None, None, None],
        [7, "Day 1 14:00", "Inject", "Email", "State EM", "County EOC; PIO", "The state offers two swift-water rescue teams.", "EOC accepts and assigns them",
         "J. Smith", None],
    ]


def workbook(path: Path, sheets: list[dict[str, Any]], epoch_1904: bool = False) -> Path:
    """A workbook of sheets, each {name, titles, header, rows, merges, hidden, header_row_merges}."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if epoch_1904:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        book.epoch = CALENDAR_MAC_1904
    for spec in sheets:
        ws = book.create_sheet(spec["name"])
        width = len(spec.get("header") or [1])
        row = 0

        def put(values: list[Any], ws: Any = ws) -> None:
            nonlocal row
            row += 1
            for col, value in enumerate(values, start=1):
                if value is not None:
                    ws.cell(row=row, column=col, value=value)

        for title in spec.get("titles", ()):
            put([title])
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        if spec.get("titles"):
            put([])
        if spec.get("header"):
            put(list(spec["header"]))
        rows = list(spec.get("rows", ()))
        i = 0
        while i < len(rows):
            if rows[i] is PHASE:
                put([rows[i + 1]])
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
                i += 2
                continue
            put(list(rows[i]))
            i += 1
        for merge in spec.get("merges", ()):
            ws.merge_cells(merge)
        if spec.get("hidden"):
            ws.sheet_state = "hidden"
        for cell_ref, number_format in spec.get("formats", {}).items():
            ws[cell_ref].number_format = number_format
    book.save(path)
    return path


def flood_workbook(path: Path) -> Path:
    return workbook(path, [
        {"name": "Instructions", "rows": [["How to use this MSEL: one row per event."], ["Times are local."]]},
        {"name": "MSEL", "titles": ["Riverside County Flood TTX", "Master Scenario Events List, 14 May 2025"],
         "header": FLOOD_HEADER, "rows": flood_rows()},
    ])


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8-sig", delimiter: str = ",") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows([["" if c is None else str(c) for c in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def compound_file(path: Path, streams: list[str]) -> Path:
    """A minimal OLE2 compound file (the container of .xls and of password-protected .xlsx) with empty streams."""
    sector = 512
    header = bytearray(sector)
    header[0:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 44, 1)  # one FAT sector
    struct.pack_into("<I", header, 48, 1)  # the directory starts at sector 1
    struct.pack_into("<I", header, 56, 4096)  # mini stream cutoff
    struct.pack_into("<IIII", header, 60, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)  # no mini FAT, no DIFAT sectors
    struct.pack_into("<I", header, 76, 0)  # the FAT is sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * sector)
    struct.pack_into("<II", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE)
    directory = bytearray(sector)
    for index, (name, kind) in enumerate([("Root Entry", 5)] + [(s, 2) for s in streams][:3]):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\0\0"
        entry[: len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded), kind, 1)
        struct.pack_into("<III", entry, 68, 0xFFFFFFFF, 0xFFFFFFFF, 1 if index == 0 and streams else 0xFFFFFFFF)
        struct.pack_into("<I", entry, 116, 0xFFFFFFFE)
        directory[index * 128 : (index + 1) * 128] = entry
    path.write_bytes(bytes(header) + bytes(fat) + bytes(directory))
    return path


def replace_part(source: Path, target: Path, part: str, data: bytes | None = None, stream: Any = None) -> Path:
    """A copy of a workbook with one part's bytes replaced (or written from an iterator of chunks)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            if item.filename != part:
                out.writestr(item, src.read(item.filename))
                continue
            if stream is None:
                out.writestr(item.filename, data if data is not None else src.read(item.filename))
            else:
                with out.open(item.filename, "w", force_zip64=True) as handle:
                    for chunk in stream:
                        handle.write(chunk)
    return target


def sheet_part(path: Path, name: str) -> str:
    """The zip part that holds a sheet's cells."""
    with zipfile.ZipFile(path) as archive:
        parts = sorted(p for p in archive.namelist() if p.startswith("xl/worksheets/sheet"))
    book = openpyxl.load_workbook(path, read_only=True)
    index = book.sheetnames.index(name)
    book.close()
    return parts[index]


def big_sheet_rows(rows: int) -> Any:
    """The XML of a sheet of ``rows`` events, as a stream of chunks (a sheet written cell by cell would take minutes)."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>'.encode()
    yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>Event #</t></is></c><c r="B1" t="inlineStr"><is><t>Time</t></is></c>' \
          b'<c r="C1" t="inlineStr"><is><t>Event Description</t></is></c></row>'
    chunk = []
    for n in range(2, rows + 2):
        chunk.append(f'<row r="{n}"><c r="A{n}"><v>{n - 1}</v></c><c r="B{n}"><v>0.375</v></c>'
                     f'<c r="C{n}" t="inlineStr"><is><t>Event {n - 1}</t></is></c></row>')
        if len(chunk) == 5000:
            yield "".join(chunk).encode()
            chunk = []
    yield ("".join(chunk) + "</sheetData></worksheet>").encode()


def zeros(total: int) -> Any:
    """A valid sheet padded with ``total`` bytes of spaces: it compresses a thousandfold, the way a zip bomb does."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>'.encode()
    block = b" " * (1 << 20)
    for _ in range(total >> 20):
        yield block
    yield b"</sheetData></worksheet>"

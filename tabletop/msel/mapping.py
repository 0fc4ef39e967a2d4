"""Which column of a planner's sheet holds what: the guess, and the map file that corrects it.

Import finds the header row (the first row, near the top, that names at least
two known columns, one of them a description), maps each header through the
synonym table, and keeps every column it does not know as an extra column.
``--write-map FILE`` writes what it guessed, with the sheet's own event types
and recipient groups, as YAML a planner edits once; ``--map FILE`` reads it
back, so the next version of the same sheet imports without a word.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs

from tabletop import loading
from tabletop.msel import layout as lay
from tabletop.msel.sheets import Grid, cell_text
from tabletop.yamlnodes import InputError, Problem

DESCRIPTIVE = frozenset({"title", "text", "expected"})


@attrs.frozen
class SheetMap:
    """What a map file says of one sheet."""

    name: str | None
    header: int | None = None
    columns: dict[str, str] = attrs.Factory(dict)  # header as one line -> field, keep or ignore


@attrs.frozen
class Mapping:
    """A map file: how to read one planner's spreadsheet."""

    path: str = ""
    sheets: tuple[SheetMap, ...] = ()
    event_types: dict[str, str] = attrs.Factory(dict)  # normalised type -> row kind
    recipients: dict[str, str] = attrs.Factory(dict)  # normalised recipient -> seat id or all
    day_first: bool | None = None
    start: dt.date | None = None
    source: str = ""
    encoding: str = ""
    delimiter: str = ""
    id: str = ""
    title: str = ""

    def sheet(self, name: str | None) -> SheetMap | None:
        for sheet in self.sheets:
            if sheet.name == name or (name is None and len(self.sheets) == 1):
                return sheet
        return None


@attrs.define
class Column:
    col: int  # 1-based
    header: str  # as written, on one line; "Column K" when the header cell is empty
    field: str  # a field of layout.FIELDS, keep or ignore
    how: str = "guessed"  # guessed | mapped | extra | duplicate | unnamed
    first: int = 0  # for a duplicate: the column that holds the field


@attrs.define
class Layout:
    """One sheet's header and what each of its columns holds."""

    grid: Grid
    index: int  # the sheet's place among those imported
    header_row: int
    columns: list[Column]
    by_field: dict[str, Column]
    tabletop: bool  # a sheet in tabletop's own export layout

    def where(self) -> str:
        return f"sheet {self.grid.name!r}" if self.grid.name is not None else "the sheet"


def finds_header(values: list[Any]) -> bool:
    """A row that names at least two known columns, one of them a description (title, text or expected action)."""
    fields = {lay.field_of_header(v) for v in values if isinstance(v, str) and v.strip()}
    fields.discard(None)
    return len(fields) >= 2 and bool(fields & DESCRIPTIVE)


def header_finder(mapping: Mapping | None):
    """``finds_header`` that also knows the map file's header names."""
    if mapping is None or not mapping.sheets:
        return finds_header
    named = {lay.normal(h) for sheet in mapping.sheets for h in sheet.columns}

    def finds(values: list[Any]) -> bool:
        if finds_header(values):
            return True
        texts = {lay.normal(v) for v in values if isinstance(v, str) and v.strip()}
        return len(texts & named) >= 2

    return finds


def lay_out(grid: Grid, index: int, mapping: Mapping | None, problems: list[Problem], path: str) -> Layout:
    """Map the header row's cells to fields: the map file's word first, then the synonym table."""
    assert grid.header is not None
    values = next((v for n, v in grid.rows if n == grid.header), [])
    width = max([len(v) for n, v in grid.rows if n > grid.header] + [len(values)])
    told = mapping.sheet(grid.name) if mapping else None
    told_columns = {lay.normal(h): f for h, f in told.columns.items()} if told else {}
    columns: list[Column] = []
    by_field: dict[str, Column] = {}
    for col in range(1, width + 1):
        raw = values[col - 1] if col <= len(values) else None
        header = lay.header_text(cell_text(raw)) if raw is not None else ""
        if not header:
            columns.append(Column(col, f"Column {lay.column_letter(col)}", lay.KEEP, "unnamed"))
            continue
        field = told_columns.get(lay.normal(header))
        how = "mapped"
        if field is None:
            field, how = lay.field_of_header(header) or lay.KEEP, "guessed"
            if field == lay.KEEP:
                how = "extra"
        if field not in (lay.KEEP, lay.IGNORE) and field in by_field:
            first = by_field[field]
            name = f"{header} ({lay.column_letter(col)})" if lay.normal(header) == lay.normal(first.header) else header
            columns.append(Column(col, name, lay.KEEP, "duplicate", first.col))
            continue
        column = Column(col, header, field, how)
        columns.append(column)
        if field not in (lay.KEEP, lay.IGNORE):
            by_field[field] = column
    tabletop = "id" in by_field and bool(set(by_field) & lay.TABLETOP_MARKS)
    layout = Layout(grid, index, grid.header, columns, by_field, tabletop)
    if tabletop:  # tabletop's own layout: no column of it may go missing, none may repeat
        for column in columns:
            written = lay.header_text(cell_text(values[column.col - 1])) if column.col <= len(values) else ""
            original = next((c for c in columns if c.col == column.first), None)
            if column.how == "duplicate" and original is not None and lay.normal(written) == lay.normal(original.header):
                problems.append(Problem(path, grid.header, column.col, f"column {written!r} appears twice (also column {lay.column_letter(column.first)})"))
        for field in lay.REQUIRED:
            if field not in by_field:
                problems.append(Problem(path, grid.header, width + 1,
                                        f"missing column {lay.COLUMN_OF[field]!r}; the header must hold the MSEL columns: {', '.join(lay.HEADER)}"))
    if "scenario" in by_field and not tabletop:  # a planner's "Scenario" column is theirs, not a base scenario's id
        by_field.pop("scenario").field = lay.KEEP
    return layout


def report(layout: Layout) -> list[str]:
    """What was mapped, kept and left out, one line each, for the import's summary."""
    where = layout.where()
    lines = [f"{where}: header on row {layout.header_row}" + (" (tabletop's own layout)" if layout.tabletop else "")]
    mapped = [c for c in layout.columns if c.field not in (lay.KEEP, lay.IGNORE)]
    if layout.tabletop:
        lines[0] += f": {len(mapped)} of its columns"
    elif mapped:
        lines.append("  mapped: " + "; ".join(f"{lay.column_letter(c.col)} {c.header!r} -> {c.field}" + (" (from the map)" if c.how == "mapped" else "")
                                             for c in mapped))
    kept = [c for c in layout.columns if c.field == lay.KEEP]
    if kept:
        lines.append("  kept as extra columns (written back on export): " + "; ".join(
            f"{lay.column_letter(c.col)} {c.header!r}" + {"duplicate": " (a second column of that name)", "unnamed": " (no header)"}.get(c.how, "")
            for c in kept))
    ignored = [c for c in layout.columns if c.field == lay.IGNORE]
    if ignored:
        lines.append("  left out (the map says ignore): " + "; ".join(f"{lay.column_letter(c.col)} {c.header!r}" for c in ignored))
    missing = [f for f in ("time", "type", "to", "title", "text") if f not in layout.by_field and not (f == "title" and "text" in layout.by_field)
               and not (f == "text" and "title" in layout.by_field)]
    if missing:
        lines.append("  not found: " + ", ".join(missing) + " (see vocabulary.yaml for the names known, or map them in a --map file)")
    return lines


# ----------------------------------------------------------------- map files


def read_map(path: str) -> Mapping:
    """A map file, or InputError with every problem at its line and column."""
    p = Path(path)
    node = loading.read_file(p)
    r = loading.Reader(str(p))
    if node is None:
        raise InputError([Problem(str(p), 1, 1, "empty map file; write one with --write-map")])
    f = r.fields(node, "a map file", [], ["sheets", "event_types", "recipients", "dates", "start", "source", "encoding", "delimiter", "id", "title", "file"])
    if f is None:
        raise InputError(r.problems)
    sheets = []
    for item in r.seq(f.get("sheets"), "sheets"):
        sf = r.fields(item, "a sheet", [], ["name", "header", "columns"])
        if sf is None:
            continue
        columns: dict[str, str] = {}
        for header, _key, value in r.mapping(sf.get("columns"), "columns"):
            field = r.text(value, f"the field of {header!r}")
            if field not in lay.FIELDS and field not in (lay.KEEP, lay.IGNORE):
                r.error(value, f"unknown field {field!r} for column {header!r}; expected one of: {', '.join(lay.FIELDS)}, keep or ignore")
            columns[lay.header_text(header)] = field
        header_row = r.integer(sf.get("header"), "header", 0) if sf.get("header") is not None else None
        if header_row is not None and header_row < 1:
            r.error(sf["header"], f"expected the header's row number (1 or more), got {header_row}")
        name_node = sf.get("name")
        name = r.text(name_node, "name") if name_node is not None and name_node.value is not None else ""
        sheets.append(SheetMap(name or None, header_row, columns))
    types: dict[str, str] = {}
    for name, _key, value in r.mapping(f.get("event_types"), "event_types"):
        kind = r.text(value, f"the kind of {name!r}")
        if kind not in lay.ROW_KINDS:
            r.error(value, f"expected one of {', '.join(lay.ROW_KINDS)} for event type {name!r}, got {kind!r}")
        types[lay.normal(name)] = kind
    recipients: dict[str, str] = {}
    for name, _key, value in r.mapping(f.get("recipients"), "recipients"):
        recipients[lay.normal(name)] = r.ident(value, f"the seat of {name!r}")
    day_first = None
    if f.get("dates") is not None:
        dates = r.text(f["dates"], "dates")
        if dates not in ("day-first", "month-first"):
            r.error(f["dates"], f"expected day-first or month-first for dates, got {dates!r}")
        day_first = dates == "day-first"
    start = r.optional_date(f.get("start"), "start")
    delimiter = r.text(f.get("delimiter"), "delimiter")
    if delimiter and len(delimiter.replace("\\t", "\t")) != 1:
        r.error(f["delimiter"], f"expected one character for delimiter (, ; | or \\t), got {delimiter!r}")
    scenario_id = r.ident(f.get("id"), "the scenario") if f.get("id") is not None else ""
    if r.problems:
        raise InputError(r.problems)
    return Mapping(
        path=str(p), sheets=tuple(sheets), event_types=types, recipients=recipients, day_first=day_first, start=start,
        source=r.text(f.get("source"), "source"), encoding=r.text(f.get("encoding"), "encoding"),
        delimiter=delimiter.replace("\\t", "\t"), id=scenario_id, title=r.text(f.get("title"), "title"),
    )


def _q(text: str) -> str:
    """A YAML double-quoted string (JSON's are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def map_text(file: str, layouts: list[Layout], types: dict[str, str], recipients: dict[str, str], day_first: bool | None,
             start: dt.date | None, encoding: str = "", delimiter: str = "") -> str:
    """A map file of what import made of the sheet, with comments that say what each part is for."""
    out = [
        f"# How tabletop msel import reads {Path(file).name}. Edit what it got wrong and import again with",
        f"#   tabletop msel import {Path(file).name} --map THIS_FILE -o SCENARIO.yaml",
        f"# Fields: {', '.join(lay.FIELDS)};",
        "# keep: an extra column, kept on each inject and written back on export; ignore: left out.",
        f"file: {_q(Path(file).name)}",
        "sheets:",
    ]
    for layout in layouts:
        out.append(f"  - name: {_q(layout.grid.name)}" if layout.grid.name is not None else "  - name: null  # a CSV has one sheet")
        out.append(f"    header: {layout.header_row}  # the row that names the columns")
        out.append("    columns:")
        for column in layout.columns:
            if column.how == "unnamed":
                continue
            out.append(f"      {_q(column.header)}: {column.field}  # column {lay.column_letter(column.col)}")
    out.append("# Event types as the sheet writes them: inject, standby (contingency), expected (an expected")
    out.append("# player action, for the evaluator), or controller (a note for the facilitator).")
    out.append("event_types:" + ("" if types else " {}"))
    out.extend(f"  {_q(name)}: {kind}" for name, kind in types.items())
    out.append("# Recipients as the sheet names them: the seat each one is (a new seat, or one of --scenario's), or all.")
    out.append("recipients:" + ("" if recipients else " {}"))
    out.extend(f"  {_q(name)}: {seat}" for name, seat in recipients.items())
    out.append("# How a date like 03/04/2025 reads: month-first (US) or day-first.")
    out.append(f"dates: {'day-first' if day_first else 'month-first'}")
    out.append("# The exercise's first day: clock times without a date, Day 2 and T+00:30 count from it.")
    out.append(f"start: {start.isoformat()}" if start else "# start: 2025-01-01")
    out.append("# The source every inject cites when the sheet has no Source column (a key under sources: of --scenario).")
    out.append("# source: msel")
    if encoding:
        out.append(f"encoding: {encoding}  # of the CSV file")
    if delimiter:
        out.append(f"delimiter: {_q(delimiter)}")
    return "\n".join(out) + "\n"

"""Import: a planner's MSEL spreadsheet, or tabletop's own export of one, as a scenario file.

Two ways in. A sheet in tabletop's export layout (it has Inject ID and Facts,
Effects, Hypothetical or Scenario columns) is read strictly, column for column,
into the injects of a base scenario, which gives everything else (setting,
seats, turns, options); ``--scenario`` names the base, else the sheet's
Scenario column. Any other MSEL is read as planners write them: the header
found under its title rows, columns mapped by name, every event type, every
time format, merged cells filled, phases become turns and recipient groups
become seats. Without ``--scenario`` that makes a scenario of its own, with no
option menus (an open-response exercise); with it, the injects go into the
base, their recipients onto its seats.

Either way nothing in a row is lost: columns tabletop has no field for, and
cells it converted (a time, an event type), are kept on the inject as written
and exported back; expected player actions and controller actions in rows of
their own are kept with the inject above them. The scenario's own loader
checks the result, and every problem is placed at the sheet, row and column
it comes from. The file written is read back and must give the same scenario.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from tabletop import loading, paths
from tabletop import model as m
from tabletop.msel import layout as lay
from tabletop.msel import refs, times
from tabletop.msel.exporting import plain, restore
from tabletop.msel.mapping import Layout, Mapping, header_finder, lay_out, map_text, read_map, report
from tabletop.msel.sheets import CONTROL, MAX_CELL, Book, Grid, cell_text, open_book
from tabletop.msel.yamlout import add_objectives, drop_inject_refs, dump, dump_injects, inject_texts, layout_is_plain, splice
from tabletop.yamlnodes import InputError, Node, Problem, parse, read_text

STRIDE = 10_000_000  # a node's line is sheet * STRIDE + row; lines under STRIDE are the scenario file's own


@attrs.frozen
class Imported:
    """An imported MSEL: the scenario file's text, the scenario it loads to, and what import has to say."""

    text: str
    scenario: m.Scenario
    base: Path | None
    warnings: tuple[str, ...] = ()
    report: tuple[str, ...] = ()
    map_text: str = ""


class SheetError(InputError):
    """Problems with a sheet, and the map import guessed for it (for --write-map)."""

    def __init__(self, problems: list[Problem], map_text: str = "", report: Iterable[str] = ()):
        super().__init__(problems)
        self.map_text = map_text
        self.report = tuple(report)


def import_file(
    path: str | os.PathLike[str],
    base: str | os.PathLike[str] | None = None,
    mapping: str | os.PathLike[str] | None = None,
    start: dt.date | None = None,
) -> Imported:
    """Build a scenario from an MSEL .xlsx or .csv, or raise a SheetError with every problem found."""
    told = read_map(str(mapping)) if mapping is not None else None
    return _Import(str(path), told, start).run(Path(base) if base is not None else None)


import_csv = import_file  # the name import had when it read CSV alone


@attrs.define
class _Entry:
    """One row that is an event: its cells by field, what it kept, and where it stands."""

    layout: Layout
    row: int
    kind: str
    cells: dict[str, tuple[Any, int]]  # field -> (value, column)
    kept: dict[str, str]
    phase: str | None
    when: times.When | None = None
    written: str = ""  # the time cells as the sheet wrote them
    date: dt.date | None = None
    time: dt.time | None = None
    offset: dt.timedelta | None = None
    turn: Any = None
    raw_date: str = ""  # tabletop's layout: a time cell export does not write, for the loader to refuse
    inject: dict[str, Any] | None = None  # the data written to the scenario file (an inject's)
    node: Node | None = None

    @property
    def line(self) -> int:
        return (self.layout.index + 1) * STRIDE + self.row

    def text(self, field: str) -> str:
        value = self.cells.get(field)
        return cell_text(value[0]).strip() if value else ""

    def col(self, field: str) -> int:
        value = self.cells.get(field)
        if value:
            return value[1]
        column = self.layout.by_field.get(field)
        return column.col if column else 1


class _Import:
    def __init__(self, path: str, mapping: Mapping | None, start: dt.date | None):
        self.path = path
        self.mapping = mapping
        self.start_given = start or (mapping.start if mapping else None)
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.layouts: list[Layout] = []
        self.book: Book | None = None
        self.types: dict[str, str] = {}  # event types as written -> kind, for the map file
        self.recipients: dict[str, str] = {}  # recipients as written -> seat, for the map file
        self.day_first: bool | None = mapping.day_first if mapping else None
        self.start: dt.date | None = None
        self.objectives: list[m.Objective] = []  # the scenario's, then those the sheet adds
        self.added: list[dict[str, str]] = []  # objectives the sheet names in words that the scenario has not

    # ------------------------------------------------------------ plumbing
    def error(self, entry_or_line: _Entry | int, col: int, message: str) -> None:
        line = entry_or_line.line if isinstance(entry_or_line, _Entry) else entry_or_line
        self.problems.append(Problem(self.path, line, col, message))

    def fail(self) -> SheetError:
        return SheetError(self.placed(self.problems), self.guessed_map(), self.report_lines())

    def report_lines(self) -> list[str]:
        lines: list[str] = []
        if self.book is not None:
            how = f"read as {self.book.encoding}, delimiter {self.book.delimiter!r}" if self.book.kind == "csv" else "read as a workbook"
            lines.append(f"{self.path}: {how}")
            lines.extend(f"  skipped {why}" for why in self.book.skipped)
        for layout in self.layouts:
            lines.extend("  " + line for line in report(layout))
        lines.extend("  " + note for note in self.notes)
        return lines

    def guessed_map(self) -> str:
        if not self.layouts or self.book is None:
            return ""
        start = self.start or self.start_given
        return map_text(self.path, self.layouts, self.types, self.recipients, self.day_first, start,
                        self.book.encoding if self.book.kind == "csv" else "", self.book.delimiter if self.book.kind == "csv" else "")

    # ------------------------------------------------------------ the steps
    def run(self, base: Path | None) -> Imported:
        mapping = self.mapping
        sheets = None
        if mapping and mapping.sheets and any(s.name for s in mapping.sheets):
            sheets = {s.name: s.header for s in mapping.sheets if s.name}
        elif mapping and mapping.sheets:
            sheets = {"": mapping.sheets[0].header}
        self.book = book = open_book(
            self.path, header_finder(mapping), sheets=sheets,
            encoding=(mapping.encoding or None) if mapping else None, delimiter=(mapping.delimiter or None) if mapping else None,
        )
        if not book.grids:
            why = "; ".join(book.skipped)
            raise SheetError([Problem(self.path, 1, 1, "no MSEL header found (a row that names at least two columns such as Time, "
                                      f"Event Type, To and Event Description){': ' + why if why else ''}; name the header row in a --map file")])
        for index, grid in enumerate(book.grids):
            before = len(self.problems)
            layout = lay_out(grid, index, mapping, self.problems, self.path)
            for i in range(before, len(self.problems)):  # place the header's problems on their sheet
                p = self.problems[i]
                self.problems[i] = Problem(p.path, (index + 1) * STRIDE + p.line, p.col, p.message)
            self.layouts.append(layout)
            _fill_merged(grid)
        if self.problems:
            raise self.fail()
        tabletop = any(layout.tabletop for layout in self.layouts)
        entries, titles = self.entries()
        if self.problems:
            raise self.fail()
        if base is None and tabletop:
            base = self.base_from_sheet(entries)
        if base is not None:
            return self.into_base(base, entries)
        return self.new_scenario(entries, titles)

    def entries(self) -> tuple[list[_Entry], list[str]]:
        """Every event row of every sheet, in order; and the text of the rows above the first header."""
        out: list[_Entry] = []
        titles: list[str] = []
        book = self.book
        assert book is not None
        for layout in self.layouts:
            grid = layout.grid
            if layout.index == 0:
                for number, values in grid.rows:
                    if number >= layout.header_row:
                        break
                    line = " ".join(cell_text(v).strip() for v in values if cell_text(v).strip())
                    if line:
                        titles.append(line)
            header = {c.col: lay.normal(c.header) for c in layout.columns}
            phase: str | None = None
            unsaved: dict[int, list[int]] = {}
            for row, col in grid.unsaved:
                unsaved.setdefault(row, []).append(col)
            for number, values in grid.rows:
                if number <= layout.header_row:
                    continue
                filled = [(col, value) for col, value in enumerate(values, start=1) if value is not None and cell_text(value).strip()]
                for col in unsaved.get(number, ()):
                    column = layout.columns[col - 1] if col <= len(layout.columns) else None
                    if column is None or column.field != lay.IGNORE:
                        self.error((layout.index + 1) * STRIDE + number, col, "a formula the workbook holds no saved value for (the program that wrote it "
                                   "did not calculate it); open the workbook in a spreadsheet, save it, and import again")
                if not filled:
                    continue
                if len(filled) >= 2 and all(lay.normal(cell_text(v)) == header.get(c) for c, v in filled):
                    continue  # the header again (printed on each page, or above each phase)
                if self.is_phase_row(layout, number, filled):
                    phase = " ".join(cell_text(filled[0][1]).split())
                    continue
                entry = self.entry(layout, number, filled, phase, book.kind == "csv")
                if entry is not None:
                    out.append(entry)
        return out, titles

    def is_phase_row(self, layout: Layout, number: int, filled: list[tuple[int, Any]]) -> bool:
        """A row that only names the part of the exercise that follows: one cell of text, a phase word or a merge across."""
        if layout.tabletop or len(filled) != 1 or not isinstance(filled[0][1], str):
            return False
        col, value = filled[0]
        text = value.strip().casefold()
        if not re.search(r"[^\W\d_]", text):  # a time or a number alone is no phase's name
            return False
        if any(re.match(rf"{re.escape(word)}\b", text) for word in lay.phase_words()):
            return True
        merged = any(r0 <= number <= r1 and c0 <= col and c1 - c0 >= 2 for r0, c0, r1, c1 in layout.grid.merged)
        column = layout.columns[col - 1] if col <= len(layout.columns) else None
        return merged or (column is not None and column.field in ("number", "time", "type", "turn"))

    def entry(self, layout: Layout, number: int, filled: list[tuple[int, Any]], phase: str | None, csv_file: bool) -> _Entry | None:
        cells: dict[str, tuple[Any, int]] = {}
        kept: dict[str, str] = {}
        line = (layout.index + 1) * STRIDE + number
        for col, value in filled:
            column = layout.columns[col - 1] if col <= len(layout.columns) else None
            if column is None or column.field == lay.IGNORE:
                continue
            if isinstance(value, str):
                value = value.replace("\r\n", "\n").replace("\r", "\n")
                if csv_file:
                    value = restore(value)
                bad = next((ch for ch in value if ch in CONTROL), None)
                if bad is not None:
                    self.error(line, col, f"column {lay.column_letter(col)} ({column.header}): holds the control character U+{ord(bad):04X}, "
                               "which is not text; delete it")
                    continue
                if len(value) > MAX_CELL:
                    self.error(line, col, f"column {lay.column_letter(col)} ({column.header}): {len(value):,} characters; the limit is {MAX_CELL:,}")
                    continue
            if column.field == lay.KEEP:
                if layout.tabletop and column.how == "unnamed":
                    self.error(line, col, f"a cell beyond the last column ({lay.column_letter(col - 1)}); move it into a named column")
                    continue
                kept[column.header] = cell_text(value).strip()
                continue
            cells[column.field] = (value, col)
        significant = set(cells) - {"number", "scenario"}
        if layout.tabletop:
            significant &= set(lay.REQUIRED)
        if not significant and not kept:
            return None  # a numbered row the template left empty
        written = cell_text(cells["type"][0]).strip() if "type" in cells else ""
        kind = (self.mapping.event_types.get(lay.normal(written)) if self.mapping else None) or lay.row_kind(written)
        if kind is None:
            col = cells["type"][1]
            self.error(line, col, f"expected 'Inject' or 'Contingency inject' (a standby inject, released when the facilitator chooses), "
                       f"'Expected Player Action' or 'Controller Action', or a type vocabulary.yaml knows (Simulation, Actor Action, "
                       f"Player Action, Contingency...), got {written!r}; map it under event_types: in a --map file")
            kind = "inject"
        elif written:
            self.types.setdefault(" ".join(written.split()), kind)
        entry_phase = phase
        if "turn" in cells and not layout.tabletop:
            value, col = cells["turn"]
            entry_phase = " ".join(cell_text(value).split()) or phase
            if entry_phase and re.fullmatch(r"\d+", entry_phase):  # Module: 2 -> "Module 2"
                entry_phase = f"{layout.columns[col - 1].header} {entry_phase}"
        return _Entry(layout, number, kind, cells, kept, entry_phase)

    # ------------------------------------------------------------ times
    def read_times(self, entries: list[_Entry]) -> None:
        """Each entry's When, from its time and date cells, read the way its sheet writes them."""
        if self.day_first is None:
            texts = [e.text(f) for e in entries for f in ("time", "date") if f in e.cells and isinstance(e.cells[f][0], str)]
            try:
                self.day_first = times.slash_order(texts)
            except times.TimeError as exc:
                first = next(e for e in entries if "time" in e.cells or "date" in e.cells)
                self.error(first, first.col("time"), f"{exc}; say which in a --map file (dates: day-first or dates: month-first)")
                return
        day_first = bool(self.day_first)
        epoch = self.book.epoch_1904 if self.book else False
        for entry in entries:
            if entry.layout.tabletop:
                self.read_canonical(entry)
                continue
            parts = []
            for field in ("date", "time"):
                if field not in entry.cells:
                    continue
                value, col = entry.cells[field]
                parts.append(cell_text(value).strip())
                try:
                    parts_when = times.read(value, day_first=day_first, epoch_1904=epoch)
                except times.TimeError as exc:
                    self.error(entry, col, f"{self.column_name(entry, col)}: {exc}")
                    entry.when = None
                    break
                entry.when = _combine(entry.when, parts_when)
            entry.written = " ".join(p for p in parts if p)

    def read_canonical(self, entry: _Entry) -> None:
        """A time in tabletop's own layout: only what export writes; anything else goes to the loader to refuse."""
        text = entry.text("time")
        entry.written = entry.text("time_written")
        if not text:
            return
        match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?: (\d{2}:\d{2}))?|(\d{2}:\d{2})|(T\+\d+:\d{2})", text)
        when = None
        if match:
            try:
                when = times.read(text)
            except times.TimeError:
                when = None
        if when is None:
            entry.raw_date = text  # the loader says what is wrong with it
            return
        entry.when = when

    def column_name(self, entry: _Entry, col: int) -> str:
        column = entry.layout.columns[col - 1] if col <= len(entry.layout.columns) else None
        return f"column {lay.column_letter(col)}" + (f" ({column.header})" if column else "")

    def date_entries(self, entries: list[_Entry], start: dt.date, inherit: bool) -> None:
        """Dates and times from each entry's When; a row with a clock time alone takes the day of the row above it."""
        last: dict[int, dt.date] = {}
        for entry in entries:
            when = entry.when
            sheet = entry.layout.index
            if when is not None and when.offset is not None:
                entry.offset = when.offset
                entry.date = start + dt.timedelta(days=when.offset.days)
            elif when is not None and when.day is not None:
                entry.date = start + dt.timedelta(days=when.day - 1)
                entry.time = when.time
            elif when is not None and when.date is not None:
                entry.date, entry.time = when.date, when.time
            else:
                entry.time = when.time if when is not None else None
                if inherit and (entry.kind != "standby" or entry.time is not None):
                    entry.date = last.get(sheet, start)
            if entry.date is not None and entry.kind in ("inject", "standby"):
                last[sheet] = entry.date

    # ------------------------------------------------------------ base scenario
    def base_from_sheet(self, entries: list[_Entry]) -> Path:
        named: dict[str, _Entry] = {}
        for entry in entries:
            value = entry.text("scenario")
            if value and value not in named:
                named[value] = entry
        layout = next(layout for layout in self.layouts if layout.tabletop)
        col = layout.by_field["scenario"].col if "scenario" in layout.by_field else 1
        header_line = (layout.index + 1) * STRIDE + layout.header_row
        if not named:
            self.error(header_line, col, "no base scenario: the Scenario column is empty; pass --scenario BASE")
            raise self.fail()
        if len(named) > 1:
            (first, a), (second, b) = list(named.items())[:2]
            self.error(b, col, f"rows name different scenarios ({first!r} in row {a.row}, {second!r} here); pass --scenario BASE")
            raise self.fail()
        scenario_id, entry = next(iter(named.items()))
        found = paths.find_scenario(scenario_id)
        if found is None:
            self.error(entry, col, f"{paths.scenario_not_found(scenario_id)}; pass --scenario BASE (the scenario file)")
            raise self.fail()
        return found

    def into_base(self, base_path: Path, entries: list[_Entry]) -> Imported:
        base, rules = loading.load_scenario(base_path)
        named = {e.text("scenario") for e in entries} - {""}
        if named and named != {base.id}:
            first = next(e for e in entries if e.text("scenario"))
            self.warn(first, first.col("scenario"), f"the sheet was exported from {', '.join(sorted(named))}; importing into {base.id} ({base_path})")
        self.start = base.start
        self.read_times(entries)
        self.date_entries(entries, base.start, inherit=False)
        seats = _seat_finder(base)
        source = (self.mapping.source if self.mapping else "") or ""
        if not any("source" in layout.by_field for layout in self.layouts) and not source:
            layout = self.layouts[0]
            keys = ", ".join(base.sources) or "none defined"
            self.error((layout.index + 1) * STRIDE + layout.header_row, 1, f"the sheet has no Source column: name the source every inject cites "
                       f"with 'source: KEY' in a --map file (keys of {base.id}: {keys})")
            raise self.fail()
        previous: Any = None
        for entry in entries:
            entry.turn = self.base_turn(entry, base, previous)
            if entry.kind in ("inject", "standby") and entry.turn is not None:
                previous = entry.turn
        self.date_in_turns(entries, base)
        self.objectives = list(base.objectives)
        built = self.build(entries, base, seats, lambda e: e.text("source") or source, rules)
        base_text = read_text(str(base_path), base_path.read_bytes())
        root = parse(str(base_path), base_text)
        assert root is not None and root.kind == "map"  # the base loaded
        gone = {i.id for i in base.injects} - {str(data["id"]) for data, _node in built}
        if gone:  # the corrections' links to injects the sheet no longer has
            base_text, dropped = drop_inject_refs(base_text, root, gone)
            if dropped:
                root = parse(str(base_path), base_text)
                assert root is not None and root.kind == "map"
                for correction, inject in dropped:
                    self.notes.append(f"correction {correction!r} no longer names inject {inject!r}, which the sheet does not have")
        if self.added:  # objectives the sheet names in words join the base's
            if layout_is_plain(root):
                present = next((v for k, v in root.value if k.value == "objectives"), None)
                base_text = add_objectives(base_text, root, self.added, plain(present) if present is not None and present.kind == "seq" else [])
                root = parse(str(base_path), base_text)
                assert root is not None and root.kind == "map"
            else:
                _add_objective_nodes(root, self.added)
        items = Node("seq", 1, 1, [node for _data, node in built])
        merged = Node("map", root.line, root.col, [(k, items if k.value == "injects" else v) for k, v in root.value])
        scenario = self.check(merged, rules)
        data = [inject for inject, _node in built]
        text = self.base_text(base_text, root, base, scenario, data)
        check = loading.Reader(str(base_path))
        written = loading._scenario(check, parse(str(base_path), text), rules)
        if check.problems or written is None or not same_injects(written, scenario) or written.objectives != scenario.objectives:
            # the layout kept was not one the splice can keep: write every inject anew
            text = splice(base_text, root, dump_injects(data)) if layout_is_plain(root) else _whole(root, data)
            check = loading.Reader(str(base_path))
            written = loading._scenario(check, parse(str(base_path), text), rules)
            if check.problems or written is None or not same_injects(written, scenario) or written.objectives != scenario.objectives:
                raise SheetError([Problem(self.path, 1, 1, "the scenario written from this sheet does not read back the same; please report this as a bug")])
        written = attrs.evolve(written, path=str(base_path.resolve()))
        return Imported(text, written, base_path, tuple(self.warnings), tuple(self.report_lines()), self.guessed_map())

    def base_text(self, base_text: str, root: Node, base: m.Scenario, scenario: m.Scenario, data: list[dict[str, Any]]) -> str:
        """The base file with its injects from the sheet: injects the sheet left as they were keep their lines."""
        if same_injects(scenario, base):
            return base_text
        if not layout_is_plain(root):
            return _whole(root, data)
        originals = inject_texts(base_text, root)
        before = {i.id: i for i in base.injects}
        kept = [originals.get(i.id) if i.id in before and _same_inject(i, before[i.id]) else None for i in scenario.injects]
        return splice(base_text, root, dump_injects(data, kept))

    def date_in_turns(self, entries: list[_Entry], base: m.Scenario) -> None:
        """A planner's row with no date of its own takes the day of the row above in its turn, else the turn's first day."""
        last: dict[Any, dt.date] = {}
        for entry in entries:
            if entry.layout.tabletop or entry.kind not in ("inject", "standby") or entry.turn not in {t.id for t in base.turns}:
                continue
            if entry.date is None and (entry.kind == "inject" or entry.time is not None):
                entry.date = last.get(entry.turn, base.turn(entry.turn).start)
            if entry.date is not None:
                last[entry.turn] = entry.date

    def base_turn(self, entry: _Entry, base: m.Scenario, previous: Any = None) -> Any:
        """The base turn an entry falls in: its Turn cell (a number or a turn's title), its phase, its date, else the row above's."""
        if entry.layout.tabletop:
            text = entry.text("turn")
            return int(text) if re.fullmatch(r"[+-]?\d+", text) else text
        if entry.phase:
            found = _turn_named(entry.phase, base)
            if found is None:
                col = entry.col("turn")
                self.error(entry, col, f"no turn of {base.id} is {entry.phase!r}; expected a turn number or title: "
                           + "; ".join(f"{t.id} {t.title}" for t in base.turns))
            return found
        if entry.date is not None:
            for turn in base.turns:
                if turn.start <= entry.date <= turn.end:
                    return turn.id
            self.error(entry, entry.col("time"), f"no turn of {base.id} covers {entry.date}; give the row a Turn (or Phase) column")
            return None
        if previous is not None or entry.kind not in ("inject", "standby"):
            return previous
        self.error(entry, entry.col("time"), f"no date and no turn: give the row a date, or a Turn (or Phase) naming a turn of {base.id}")
        return None

    # ------------------------------------------------------------ a new scenario
    def new_scenario(self, entries: list[_Entry], titles: list[str]) -> Imported:
        rules = loading.load_rules()
        self.read_times(entries)
        if self.problems:
            raise self.fail()
        start = self.start_given
        dates = [e.when.date for e in entries if e.when is not None and e.when.date is not None]
        if start is None:
            if dates:
                start = min(dates)
            else:
                start = dt.date.today()
                self.notes.append(f"no dates in the sheet: the exercise starts today, {start}; pass --start DATE (or start: in a --map file) to choose")
        elif dates and min(dates) < start:
            first = next(e for e in entries if e.when is not None and e.when.date == min(dates))
            self.error(first, first.col("time"), f"dated {min(dates)}, before the exercise start {start} (--start)")
            raise self.fail()
        self.start = start
        self.date_entries(entries, start, inherit=True)
        turns = self.new_turns(entries, start)
        if self.problems:
            raise self.fail()
        seats, seat_data = self.new_seats(entries, rules)
        sources = {"msel": {"title": f"Master Scenario Events List: {Path(self.path).name}",
                            "note": f"imported by tabletop msel import from {Path(self.path).name}"
                            + (f" ({', '.join(repr(layout.grid.name) for layout in self.layouts)})" if self.layouts[0].grid.name else "")}}
        for entry in entries:
            given = entry.text("source")
            if given:
                key = _slug(given, "source")
                sources.setdefault(key, {"title": given})
        scenario_id = (self.mapping.id if self.mapping and self.mapping.id else "") or _slug(Path(self.path).stem, "msel")
        title = (self.mapping.title if self.mapping and self.mapping.title else "") or (titles[0] if titles else Path(self.path).stem)
        setting = "\n".join(titles[1:]) if len(titles) > 1 else f"Imported from the MSEL {Path(self.path).name}."

        def source_of(entry: _Entry) -> str:
            given = entry.text("source")
            return _slug(given, "source") if given else "msel"

        built = self.build(entries, None, seats, source_of, rules)  # first: the objectives are those the injects name
        head = {
            "id": scenario_id, "title": title, "start": start, "setting": setting, "treaties": [],
            "sources": sources, **({"objectives": self.added} if self.added else {}), "seats": seat_data, "turns": turns,
        }
        head_text = _HEAD_COMMENT.format(file=Path(self.path).name) + dump(head)
        root = parse(self.path, head_text + "injects: []\n")
        assert root is not None and root.kind == "map"
        items = Node("seq", 1, 1, [node for _data, node in built])
        merged = Node("map", root.line, root.col, [(k, items if k.value == "injects" else v) for k, v in root.value])
        scenario = self.check(merged, rules)
        text = head_text + dump_injects([inject for inject, _node in built]) + _OPTIONS
        check = loading.Reader(self.path)
        written = loading._scenario(check, parse(self.path, text), rules)
        if check.problems or written is None or attrs.evolve(written, path="", sha256="") != attrs.evolve(scenario, path="", sha256="") \
                or not same_injects(written, scenario):
            detail = "; ".join(str(p) for p in check.problems[:3])
            raise SheetError([Problem(self.path, 1, 1, f"the scenario written from this sheet does not read back the same ({detail}); please report this as a bug")])
        return Imported(text, written, None, tuple(self.warnings), tuple(self.report_lines()), self.guessed_map())

    def new_turns(self, entries: list[_Entry], start: dt.date) -> list[dict[str, Any]]:
        """Turns from the sheet's phases (a Phase column, or rows that name one), else its sheets, else its days."""
        if any(e.phase for e in entries):
            key = lambda e: e.phase or ""  # noqa: E731
            label = lambda k: _phase_title(k) if k else "Opening"  # noqa: E731
        elif len(self.layouts) > 1:
            key = lambda e: e.layout.grid.name or ""  # noqa: E731
            label = str
        elif len({e.date for e in entries if e.date is not None and e.kind in ("inject", "standby")}) > 1:
            days = sorted({e.date for e in entries if e.date is not None})
            key = lambda e: e.date.isoformat() if e.date else ""  # noqa: E731
            label = lambda k: f"Day {days.index(dt.date.fromisoformat(k)) + 1} ({k})" if k else "Opening"  # noqa: E731
        else:
            name = self.layouts[0].grid.name
            key = lambda e: ""  # noqa: E731
            label = lambda k: name or "The exercise"  # noqa: E731
        order: list[str] = []
        members: dict[str, list[_Entry]] = {}
        for entry in entries:
            if entry.kind not in ("inject", "standby"):
                continue
            k = key(entry)
            if k not in members:
                order.append(k)
                members[k] = []
            members[k].append(entry)
        if not order:
            order, members = [""], {"": []}
        turns: list[dict[str, Any]] = []
        previous: tuple[str, dt.date, _Entry | None] | None = None
        for number, k in enumerate(order, start=1):
            dates = [e.date for e in members[k] if e.date is not None]
            low = min(dates, default=None)
            high = max(dates, default=None)
            begin = low or (previous[1] if previous else start)
            end = high or begin
            title = label(k)
            if previous and begin < previous[1]:
                first = next(e for e in members[k] if e.date == low)
                self.error(first, first.col("time"), f"dates out of order: {title!r} has an inject dated {low}, before {previous[0]!r} ends on "
                           f"{previous[1]}; sort the sheet by time, or give each phase its own days")
            turns.append({"id": number, "title": title, "from": begin, "to": end})
            for entry in members[k]:
                entry.turn = number
            previous = (title, end, None)
        # actions follow their inject; a row before any inject goes with the first turn
        for entry in entries:
            if entry.turn is None:
                entry.turn = 1
        return turns

    def new_seats(self, entries: list[_Entry], rules: m.Rules) -> tuple[dict[str, str], dict[str, Any]]:
        """A seat per recipient group, named as the sheet names it (or as the map file says)."""
        seats: dict[str, str] = {}  # normalised name -> seat id
        data: dict[str, Any] = {}
        told = self.mapping.recipients if self.mapping else {}
        for entry in entries:
            if entry.kind not in ("inject", "standby"):
                continue
            for name in _recipients(entry.text("to")):
                key = lay.normal(name)
                if key in seats or key in lay.everyone():
                    if key in lay.everyone():
                        self.recipients.setdefault(name, "all")
                    continue
                seat = told.get(key)
                if seat == "all":
                    seats[key] = "all"
                    self.recipients.setdefault(name, "all")
                    continue
                state = rules.canonical(name) if rules.canonical(name) in rules.states else rules.canonical(_slug(name, "seat"))
                is_state = state in rules.states and rules.states[state].type == "state"
                if seat is None:
                    seat = state if is_state else _slug(name, "seat")
                    n = 2
                    while seat in data and data[seat]["name"] != name:
                        seat, n = f"{_slug(name, 'seat')}-{n}", n + 1
                seats[key] = seat
                self.recipients.setdefault(name, seat)
                if seat not in data:
                    entry_data: dict[str, Any] = {"name": name, "brief": f"{name}: the players who receive the MSEL's injects sent to {name}."}
                    if not (is_state and seat == state):
                        entry_data["kind"] = "organization"
                    data[seat] = entry_data
        if not data:
            data["players"] = {"name": "Players", "brief": "The players: every inject of the MSEL reaches them.", "kind": "organization"}
        return seats, data

    # ------------------------------------------------------------ building
    def build(self, entries: list[_Entry], base: m.Scenario | None, seats: Any, source_of: Any,
              rules: m.Rules) -> list[tuple[dict[str, Any], Node]]:
        """Each inject's data (for the file) and node (for the loader, placed at its cells), in order; actions attached."""
        injects = [e for e in entries if e.kind in ("inject", "standby")]
        given_ids = {e.text("id") for e in injects if e.layout.tabletop}
        made: set[str] = set()
        by_id: dict[str, _Entry] = {}
        built: list[tuple[dict[str, Any], Node]] = []
        for position, entry in enumerate(injects, start=1):
            data, node = self.build_inject(entry, position, base, seats, source_of, given_ids, made)
            built.append((data, node))
            by_id.setdefault(str(data["id"]), entry)
        previous: _Entry | None = None
        waiting: list[_Entry] = []
        for entry in entries:
            if entry.kind in ("inject", "standby"):
                previous = entry
                for action in waiting:
                    self.attach(action, entry, before=True)
                waiting = []
                continue
            if entry.layout.tabletop:
                owner = by_id.get(entry.text("id"))
                if owner is None:
                    self.error(entry, entry.col("id"), f"{self.column_name(entry, entry.col('id'))}: names no inject of the sheet; "
                               "an action row names the inject it belongs to")
                    continue
                self.attach(entry, owner, before=owner.line > entry.line)
            elif previous is not None:
                self.attach(entry, previous, before=False)
            else:
                waiting.append(entry)
        if waiting:
            self.error(waiting[0], 1, "an expected or controller action with no inject in the MSEL to go with")
        return built  # the actions attached above are in these same dicts and nodes

    def build_inject(self, entry: _Entry, position: int, base: m.Scenario | None, seats: Any, source_of: Any,
                     given_ids: set[str], made: set[str]) -> tuple[dict[str, Any], Node]:
        fields: list[tuple[Node, Node]] = []
        data: dict[str, Any] = {}
        line = entry.line

        def put(key: str, value: Any, col: int, node: Node | None = None) -> None:
            fields.append((Node("scalar", line, col, key, key), node if node is not None else _node(value, line, col)))
            data[key] = value

        tabletop = entry.layout.tabletop
        title = entry.text("title")
        text = entry.text("text")
        if not tabletop and "text" not in entry.layout.by_field:  # the one description column is the synopsis
            text, title = title, ""
        if not tabletop and not title:
            title = _title_from(text or entry.text("expected"))
        inject_id = entry.text("id") if tabletop else ""
        if not tabletop and (entry.text("id") or entry.text("number")):
            inject_id = _id_from(entry.text("id") or entry.text("number"))
        if not inject_id or (not tabletop and inject_id in made):
            base_id = candidate = inject_id or _slug(title, "inject")
            n = 2
            while candidate in given_ids or candidate in made:
                candidate, n = f"{base_id}-{n}", n + 1
            inject_id = candidate
        made.add(inject_id)
        put("id", inject_id, entry.col("id") if tabletop else entry.col("number"))

        turn = entry.turn
        put("turn", turn, entry.col("turn"), _node(turn, line, entry.col("turn"), raw=entry.text("turn") if tabletop else None))
        if entry.raw_date:
            put("date", entry.raw_date, entry.col("time"))
        elif entry.offset is not None:
            put("offset", loading.offset_text(entry.offset), entry.col("time"))
        elif entry.date is not None:
            put("date", entry.date, entry.col("time"))
        if entry.time is not None:
            put("time", loading.clock_text(entry.time), entry.col("time"))
        if entry.kind == "standby":
            put("standby", True, entry.col("type"))
        flag = entry.text("hypothetical")
        if flag.lower() in ("yes", "y", "true", "1", "x"):
            put("hypothetical", True, entry.col("hypothetical"))
        elif flag.lower() not in ("no", "n", "false", "0", ""):
            self.error(entry, entry.col("hypothetical"), f"expected yes or no, got {flag!r}")
        sender = entry.text("sender")
        cell = refs.control_cell(sender, base.control) if sender and base is not None else None
        if cell is not None:
            put("from", cell, entry.col("sender"))
        to = self.seats_of(entry, seats, base)
        to_col = entry.col("to")
        put("to", to, to_col, Node("seq", line, to_col, [_node(s, line, to_col) for s in to]))
        if not title:
            self.error(entry, entry.col("title") if "title" in entry.layout.by_field else entry.col("text"), "empty; every inject needs a title")
        put("title", title, entry.col("title") if "title" in entry.layout.by_field else entry.col("text"))
        put("text", text, entry.col("text") if "text" in entry.layout.by_field else entry.col("title"))
        source = source_of(entry)
        if not source and base is not None:
            keys = ", ".join(base.sources) or "none defined"
            self.error(entry, entry.col("source"), f"empty; every inject cites a key under 'sources' of the scenario ({keys})")
        put("source", source, entry.col("source"))
        for key in ("cite", "note"):
            value = entry.text(key)
            if value:
                put(key, value, entry.col(key))
        written_objectives = entry.text("objective")
        objectives = self.objective_ids(entry, written_objectives)
        if objectives:
            col = entry.col("objective")
            put("objectives", objectives, col, Node("seq", line, col, [_node(o, line, col) for o in objectives]))
        expected = refs.expected_lines(entry.text("expected"))
        if expected:
            col = entry.col("expected")
            put("expected_actions", expected, col, Node("seq", line, col, [_node(a, line, col) for a in expected]))
        for key, shape, example in (("facts", "seq", "[{kind: missile_test, by: dprk}]"), ("effects", "map", "{tension: 1, credibility: {us: -1}}")):
            value = entry.text(key)
            if not value:
                continue
            node = self.parse_cell(entry, value, entry.col(key), shape, example)
            if node is not None:
                put(key, plain(node), entry.col(key), node)
        spelt = {
            "from": sender if cell is None or sender != cell else "",
            "objective": written_objectives if written_objectives != ", ".join(objectives) else "",
        }
        sheet = self.sheet_row(entry, position, lay.TYPE_NAMES[entry.kind], spelt)
        if sheet:
            put("msel", sheet, entry.col("number"))
        entry.inject = data
        col = entry.col("time") if "time" in entry.layout.by_field else 1
        entry.node = Node("map", line, col, fields)
        return entry.inject, entry.node

    def attach(self, action: _Entry, owner: _Entry, before: bool) -> None:
        line = action.line
        data: dict[str, Any] = {"kind": action.kind, "text": action.text("text")}
        if action.text("title"):
            data["title"] = action.text("title")
        expected = refs.expected_lines(action.text("expected"))
        if expected:
            data["expected_actions"] = expected
        if action.text("note"):
            data["note"] = action.text("note")
        when = action.when.text() if action.when is not None else ""
        if action.layout.tabletop:
            when = action.text("time")
        if when:
            data["when"] = when
        if action.text("to"):
            data["to"] = action.text("to")
        if before:
            data["before"] = True
        sheet = self.sheet_row(action, None, lay.TYPE_NAMES[action.kind])
        if sheet:
            data["msel"] = sheet
        if not any(data.get(k) for k in ("text", "title", "expected_actions")):
            self.error(action, action.col("text"), "an action row with nothing in its description; what is expected, or what does the controller do?")
        assert owner.inject is not None and owner.node is not None
        owner.inject.setdefault("actions", []).append(data)
        node = _node(data, line, action.col("text"))
        actions = next((v for k, v in owner.node.value if k.value == "actions"), None)
        if actions is None:
            actions = Node("seq", line, action.col("text"), [])
            owner.node.value.append((Node("scalar", line, 1, "actions", "actions"), actions))
        actions.value.append(node)
        if "msel" in owner.inject:  # keep msel the last key, as the file writes it
            owner.inject["msel"] = owner.inject.pop("msel")

    def sheet_row(self, entry: _Entry, position: int | None, type_name: str, spelt: dict[str, str] | None = None) -> dict[str, Any]:
        """The msel: block of an inject or action: its cells tabletop keeps but does not act on.

        ``spelt`` gives, for an inject's From and Objective cells, what to keep of
        them: the cell as written when the inject's ``from`` or ``objectives``
        would be written otherwise, else nothing.
        """
        out: dict[str, Any] = {}
        number = entry.text("number")
        if number and (position is None or number != str(position)):
            out["number"] = number
        if not entry.text("number") and not entry.layout.tabletop and entry.text("id") and _id_from(entry.text("id")) != entry.text("id"):
            out["number"] = entry.text("id")
        if entry.layout.tabletop:
            written_type, written_time = entry.text("type_written"), entry.written
        else:
            written_type = entry.text("type")
            written_type = written_type if written_type and written_type != type_name else ""
            written_time = entry.written if entry.written and entry.written != (entry.when.text() if entry.when else "") else ""
        if written_type:
            out["type"] = written_type
        if written_time:
            out["time"] = written_time
        for key, field in (("mode", "mode"), ("from", "sender"), ("objective", "objective"), ("controller", "controller"), ("actual", "actual")):
            value = spelt[key] if spelt is not None and key in spelt else entry.text(field)
            if value:
                out[key] = value
        if entry.kept:
            out["kept"] = dict(entry.kept)
        return out

    def objective_ids(self, entry: _Entry, cell: str) -> list[str]:
        """The objectives an inject's Objective cell names, by id or by text; one in words the scenario lacks is added to it.

        A part written as an id that the scenario does not define is kept as it
        is, for the loader to report at the cell (a mistyped id is no new objective).
        """
        ids: list[str] = []
        for part in refs.objective_parts(cell):
            found = refs.objective_named(part, self.objectives)
            if found is None and not refs.written_as_id(part):
                slug = _slug(part, "objective")
                found = candidate = slug if slug.startswith("obj") else f"obj-{slug}"
                n = 2
                while any(o.id == candidate for o in self.objectives):
                    candidate, n = f"{found}-{n}", n + 1
                found = candidate
                self.objectives.append(m.Objective(found, part))
                self.added.append({"id": found, "text": part})
                self.notes.append(f"row {entry.row}: objective {part!r} added to the scenario's objectives as {found!r}")
            found = found or part
            if found not in ids:
                ids.append(found)
        return ids

    def seats_of(self, entry: _Entry, seats: Any, base: m.Scenario | None) -> list[str]:
        out: list[str] = []
        for name in _recipients(entry.text("to")):
            key = lay.normal(name)
            told = self.mapping.recipients.get(key) if self.mapping else None
            if key in lay.everyone() or name.lower() == "all":
                seat = "all"
            elif told is not None:
                seat = told
            elif base is not None:
                seat = seats.get(key) or seats.get(name.lower()) or name
            else:
                seat = seats.get(key, name)
            if base is not None:
                self.recipients.setdefault(name, seat)
            if seat not in out:
                out.append(seat)
        if "all" in out:
            return ["all"]
        return out or ["all"]

    def parse_cell(self, entry: _Entry, text: str, col: int, shape: str, example: str) -> Node | None:
        """A Facts or Effects cell as YAML (flow style, or block), placed at the cell."""
        try:
            node = parse(self.path, text)
        except InputError as exc:
            detail = exc.problems[0].message if exc.problems else "malformed YAML"
            self.error(entry, col, f"{detail}; expected YAML like {example}")
            return None
        if node is None:
            return None
        if shape == "seq" and node.kind == "map":  # one fact without the brackets
            node = Node("seq", node.line, node.col, [node])
        if node.kind != shape:
            what = "a list of facts" if shape == "seq" else "a mapping of effects"
            self.error(entry, col, f"expected {what} like {example}, got {node.describe()}")
            return None
        return _relocate(node, entry.line, col)

    def check(self, merged: Node, rules: m.Rules) -> m.Scenario:
        reader = loading.Reader(self.path)
        reader.problems = self.problems
        scenario = loading._scenario(reader, merged, rules)
        if reader.problems or scenario is None:
            raise self.fail()
        return scenario

    def warn(self, entry: _Entry, col: int, message: str) -> None:
        self.warnings.append(f"{self.path}:{entry.row}:{col}: warning: {message}")

    # ------------------------------------------------------------ problems
    def placed(self, problems: Iterable[Problem]) -> list[Problem]:
        """Problems at their sheet's row and column, sorted, each naming its column by letter and header."""
        problems = list(problems)
        out: list[tuple[tuple[int, int, int], Problem]] = []
        seen: set[Problem] = set()
        layouts = {layout.index + 1: layout for layout in self.layouts}
        # a date or event type already reported explains a missing date in that row
        explained = set()
        for p in problems:
            layout = layouts.get(p.line // STRIDE)
            if layout and not p.message.startswith("missing field 'date'") and p.col in (_col(layout, "time"), _col(layout, "type")):
                explained.add(p.line)
        for problem in problems:
            if problem.message.startswith("missing field 'date'") and problem.line in explained:
                continue
            layout = layouts.get(problem.line // STRIDE)
            if layout is None:  # a line of the scenario file import wrote, not of the sheet
                out.append(((0, 0, 0), Problem(self.path, 1, 1, f"in the scenario made from this sheet: {problem.message}")))
                continue
            row = problem.line % STRIDE
            col = problem.col
            if problem.message.startswith("duplicate inject id"):
                col = _col(layout, "id")
            column = layout.columns[col - 1] if 0 < col <= len(layout.columns) else None
            message = problem.message
            if message.startswith("expected a date like") and col == _col(layout, "time"):
                message += "; if a spreadsheet turned it into its own date format, format the column as text and type the date again"
            if row > layout.header_row and not message.startswith("column "):
                where = f"column {lay.column_letter(col)}" + (f" ({column.header})" if column and column.how != "unnamed" else "")
                message = f"{where}: {message}"
            if layout.grid.name is not None:
                message = f"sheet {layout.grid.name!r}, {message}"
            placed = Problem(problem.path, row, col, message)
            if placed not in seen:
                seen.add(placed)
                out.append(((layout.index + 1, row, col), placed))
        return [p for _, p in sorted(out, key=lambda item: item[0])]


def _col(layout: Layout, field: str) -> int:
    column = layout.by_field.get(field)
    return column.col if column else 1


_HEAD_COMMENT = """# Made by tabletop msel import from {file}: a scenario of its own, with no option menus
# (an open-response exercise: each seat answers in its own words). Edit it as any scenario;
# `tabletop msel export` writes it back as a spreadsheet.
"""
_OPTIONS = "\n# No option menus: every seat decides in its own words, and the facilitator evaluates against the expected actions.\noptions: {}\n"


def _combine(first: times.When | None, second: times.When | None) -> times.When | None:
    """A Date cell and a Time cell as one time: the day from the first, the clock from the second."""
    if first is None or second is None:
        return first or second
    if second.date is not None or second.offset is not None or second.day is not None:
        return second
    return attrs.evolve(first, time=second.time)


def _fill_merged(grid: Grid) -> None:
    """Give each row of a merged range that runs down the sheet its first cell's value, as the sheet shows it."""
    if not grid.merged or grid.header is None:
        return
    rows = dict(grid.rows)
    for min_row, min_col, max_row, _max_col in grid.merged:
        if max_row <= min_row or min_row <= grid.header:
            continue
        values = rows.get(min_row)
        if not values or len(values) < min_col or values[min_col - 1] is None:
            continue
        value = values[min_col - 1]
        for number in range(min_row + 1, max_row + 1):
            cells = rows.setdefault(number, [])
            if len(cells) < min_col:
                cells.extend([None] * (min_col - len(cells)))
            if cells[min_col - 1] is None:
                cells[min_col - 1] = value
    grid.rows = sorted(rows.items())


def _recipients(text: str) -> list[str]:
    return [" ".join(part.split()) for part in re.split(r"[,;\n]", text) if part.strip()]


def _seat_finder(base: m.Scenario) -> dict[str, str]:
    found = {seat.lower(): seat for seat in base.seats}
    for seat in base.seats.values():
        found.setdefault(lay.normal(seat.id), seat.id)
        found.setdefault(seat.name.lower(), seat.id)
        found.setdefault(lay.normal(seat.name), seat.id)
    return found


def _turn_named(text: str, base: m.Scenario) -> int | None:
    words = text.strip()
    if re.fullmatch(r"\d+", words):
        number = int(words)
        return number if any(t.id == number for t in base.turns) else None
    for turn in base.turns:
        if lay.normal(turn.title) == lay.normal(words):
            return turn.id
    match = re.match(rf"(?:{'|'.join(map(re.escape, lay.phase_words()))})\s*(\d+)\b", words.casefold())
    if match and any(t.id == int(match[1]) for t in base.turns):
        return int(match[1])
    return None


def _phase_title(text: str) -> str:
    return text if len(text) <= 120 else text[:117].rsplit(" ", 1)[0] + "..."


def _title_from(text: str) -> str:
    """A title made from a description: its first line, up to its first sentence's end, at most 80 characters."""
    first = text.strip().split("\n", 1)[0].strip()
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    if len(sentence) <= 80:
        return sentence
    cut = sentence[:78].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "..."


def _slug(title: str, fallback: str) -> str:
    """An id made from a title, in the scenarios' style: 'hyp-' for a hypothetical."""
    words = re.sub(r"[^a-z0-9]+", " ", title.lower()).split()
    if words[:1] == ["hypothetical"]:
        words[0] = "hyp"
    slug = ""
    for word in words:
        if slug and len(slug) + 1 + len(word) > 48:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug[:48] or fallback


def _id_from(number: str) -> str:
    """An inject id from an event number: 12 -> inject-12, INJ-004 -> inj-004, 1.2 -> inject-1.2."""
    text = number.strip().lower()
    if re.fullmatch(r"[0-9][0-9.]*", text):
        return f"inject-{text.rstrip('.')}"
    if loading.ID_RE.match(text):
        return text
    return _slug(text, "inject")


def _node(value: Any, line: int, col: int, raw: str | None = None) -> Node:
    """Plain data as nodes placed at one cell: a spreadsheet has no lines inside a cell."""
    if isinstance(value, dict):
        return Node("map", line, col, [(Node("scalar", line, col, str(k), str(k)), _node(v, line, col)) for k, v in value.items()])
    if isinstance(value, list):
        return Node("seq", line, col, [_node(v, line, col) for v in value])
    if raw is None:
        raw = value if isinstance(value, str) else value.isoformat() if isinstance(value, dt.date) else ("true" if value is True else str(value))
    return Node("scalar", line, col, value, raw)


def _add_objective_nodes(root: Node, added: list[dict[str, str]]) -> None:
    """Objectives the sheet adds, put into the base's parsed nodes (for a base file written anew)."""
    items = [_node(dict(a), 1, 1) for a in added]
    for key, value in root.value:
        if key.value == "objectives" and value.kind == "seq":
            value.value.extend(items)
            return
    at = next(i for i, (k, _) in enumerate(root.value) if k.value == "injects")
    root.value.insert(at, (Node("scalar", 1, 1, "objectives", "objectives"), Node("seq", 1, 1, items)))


def _relocate(node: Node, line: int, col: int) -> Node:
    node.line, node.col = line, col
    if node.kind == "map":
        for key, value in node.value:
            _relocate(key, line, col)
            _relocate(value, line, col)
    elif node.kind == "seq":
        for item in node.value:
            _relocate(item, line, col)
    return node


def _whole(root: Node, injects: list[dict[str, Any]]) -> str:
    """An unusual base layout: the whole file written out."""
    rest = {str(k.value): plain(v) for k, v in root.value if k.value != "injects"}
    return dump(rest) + dump_injects(injects)


def _same_inject(a: m.Inject, b: m.Inject) -> bool:
    return a == b and [f.to_json() for f in a.facts] == [f.to_json() for f in b.facts]


def same_injects(a: m.Scenario, b: m.Scenario) -> bool:
    """Equal injects, fact details included (a Fact's equality leaves them out)."""
    return len(a.injects) == len(b.injects) and all(_same_inject(x, y) for x, y in zip(a.injects, b.injects, strict=True))

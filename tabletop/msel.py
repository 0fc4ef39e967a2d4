"""MSEL interchange: a scenario's injects as a spreadsheet CSV in the HSEEP layout, and back.

Facilitators plan injects in spreadsheets laid out like the Master Scenario Events
List of the US Homeland Security Exercise and Evaluation Program (HSEEP). Export
writes one row per inject, in MSEL order, under the HSEEP column names, followed
by the columns tabletop needs and HSEEP lacks. Import reads such a sheet back: the
injects come from the rows, everything else (setting, seats, turns, options,
sources...) from a base scenario, and the scenario's own loader checks the result
with every problem placed at its spreadsheet row and column.

A round trip changes nothing: export -> import -> export gives the same bytes, and
an unedited export imports to a scenario whose injects equal the original's.

Why UTF-8 with a byte order mark: Excel opens a CSV without one in the machine's
legacy code page, which garbles every quotation mark, dash and non-Latin name;
with the BOM it reads UTF-8, and LibreOffice, Google Sheets, Numbers and Python's
``utf-8-sig`` codec all accept it. Import takes the file with or without it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

from tabletop import loading, paths
from tabletop import model as m
from tabletop.yamlnodes import InputError, Node, Problem, parse, read_text

# --- the column layout --------------------------------------------------------

EVENT_NO = "Event #"
TIME = "Designated Scenario Time"
EVENT_TYPE = "Event Type"
MODE = "Inject Mode"
FROM = "From"
TO = "To"
SYNOPSIS = "Event Synopsis"
MESSAGE = "Message"
EXPECTED = "Expected Player Action"
OBJECTIVE = "Objective/Core Capability"
NOTES = "Notes"
CONTROLLER = "Responsible Controller"
ACTUAL = "Actual Time"
INJECT_ID = "Inject ID"
TURN = "Turn"
SOURCE = "Source"
CITE = "Cite"
HYPOTHETICAL = "Hypothetical"
FACTS = "Facts"
EFFECTS = "Effects"
SCENARIO = "Scenario"

#: The HSEEP MSEL columns, in the template's order.
HSEEP_COLUMNS = (EVENT_NO, TIME, EVENT_TYPE, MODE, FROM, TO, SYNOPSIS, MESSAGE, EXPECTED, OBJECTIVE, NOTES, CONTROLLER, ACTUAL)
#: What tabletop stores and HSEEP has no column for, after the template's columns.
TABLETOP_COLUMNS = (INJECT_ID, TURN, SOURCE, CITE, HYPOTHETICAL, FACTS, EFFECTS, SCENARIO)
HEADER = HSEEP_COLUMNS + TABLETOP_COLUMNS

#: Columns import needs: everything an inject holds.
REQUIRED = (TIME, EVENT_TYPE, TO, SYNOPSIS, MESSAGE, NOTES, INJECT_ID, TURN, SOURCE, CITE, HYPOTHETICAL, FACTS, EFFECTS)

#: HSEEP columns tabletop has no field for: what export writes, import ignores.
#: A facilitator's own entries there are kept in the sheet but not in the scenario,
#: and import says so. (From, Expected Player Action and Objective are stored: the
#: inject's control cell, expected actions, one a line, and objective ids.)
UNSTORED = {MODE: "Facilitator", CONTROLLER: "Facilitator", ACTUAL: ""}

SCHEDULED = "Inject"
CONTINGENCY = "Contingency inject"
_EVENT_TYPES = {
    "inject": False, "scheduled": False, "scheduled inject": False,
    "contingency": True, "contingency inject": True, "standby": True, "standby inject": True,
}
_TRUE = {"yes", "y", "true", "1", "x"}
_FALSE = {"no", "n", "false", "0", ""}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FOLD_WIDTH = 72  # where folded prose breaks; lines end a word past it
_PROSE = 60  # a longer one-line text is written folded


def column_letter(number: int) -> str:
    """Spreadsheet letters for a 1-based column number: 1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- export -------------------------------------------------------------------


def fact_data(fact: m.Fact) -> dict[str, Any]:
    """A fact as the plain mapping a scenario file writes, dates kept as dates."""
    out: dict[str, Any] = {"kind": fact.kind}
    for name in ("by", "target", "location", "on_behalf_of", "date"):
        value = getattr(fact, name)
        if value is not None:
            out[name] = value
    out.update(fact.details)
    return out


def effect_data(effect: m.Effect) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if effect.tension:
        out["tension"] = effect.tension
    if effect.credibility:
        out["credibility"] = dict(effect.credibility)
    if effect.posture:
        out["posture"] = dict(effect.posture)
    return out


def _flow(value: Any) -> str:
    """One line of YAML flow style: what a Facts or Effects cell holds."""
    if not value:
        return ""
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, allow_unicode=True, width=1 << 30).strip()


def rows(scenario: m.Scenario) -> list[list[str]]:
    """The header and one row per inject, in MSEL order."""
    out = [list(HEADER)]
    for number, inject in enumerate(scenario.injects, start=1):
        cells = {
            EVENT_NO: str(number),
            TIME: inject.date.isoformat() if inject.date else "",
            EVENT_TYPE: CONTINGENCY if inject.standby else SCHEDULED,
            TO: ", ".join(inject.to),
            SYNOPSIS: inject.title,
            MESSAGE: inject.text,
            FROM: inject.sender or "",
            EXPECTED: "\n".join(inject.expected_actions),
            OBJECTIVE: ", ".join(inject.objectives),
            NOTES: inject.note,
            INJECT_ID: inject.id,
            TURN: str(inject.turn),
            SOURCE: inject.source,
            CITE: inject.cite,
            HYPOTHETICAL: "yes" if inject.hypothetical else "no",
            FACTS: _flow([fact_data(f) for f in inject.facts]),
            EFFECTS: _flow(effect_data(inject.effects)),
            SCENARIO: scenario.id,
            **UNSTORED,
        }
        out.append([cells[name] for name in HEADER])
    return out


def export_csv(scenario: m.Scenario) -> str:
    """The MSEL as CSV text (RFC 4180: CRLF line ends, quotes only where needed)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows(scenario))
    return buffer.getvalue()


def write_csv(text: str, path: str | os.PathLike[str]) -> None:
    """Write the CSV as UTF-8 with a byte order mark, so Excel reads it as UTF-8."""
    _replace(Path(path), ("\ufeff" + text).encode("utf-8"))


# --- import -------------------------------------------------------------------


@attrs.frozen
class Imported:
    """An imported MSEL: the scenario file's text, the scenario it loads to, and warnings."""

    text: str
    scenario: m.Scenario
    base: Path
    warnings: tuple[str, ...] = ()


class _Sheet:
    """The cells of a CSV by row and column name, and problems placed at them."""

    def __init__(self, path: str, records: list[list[str]]):
        self.path = path
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.columns: dict[str, int] = {}  # name -> 1-based column
        self.names: dict[int, str] = {}  # 1-based column -> name as written
        header = records[0] if records else []
        for number, raw in enumerate(header, start=1):
            name = _canonical_header(raw)
            self.names[number] = raw.strip()
            if not name:
                continue
            if name in self.columns:
                self.error(1, number, f"column {raw.strip()!r} appears twice (also column {column_letter(self.columns[name])})")
                continue
            if name not in HEADER:
                self.warn(1, number, f"column {raw.strip()!r} is not an MSEL column tabletop knows; its cells are ignored")
            self.columns[name] = number
        for name in REQUIRED:
            if name not in self.columns:
                self.error(1, len(header) + 1, f"missing column {name!r}; the header must hold the MSEL columns: {', '.join(HEADER)}")
        # (spreadsheet row, cells) for every row after the header that holds an inject;
        # rows with nothing in tabletop's columns (blank, or only numbered) are skipped
        self.rows: list[tuple[int, list[str]]] = []
        for index, record in enumerate(records[1:], start=2):
            if not any(self.cell(record, name).strip() for name in REQUIRED):
                continue
            if len(record) > len(header):
                extra = next((i for i in range(len(header), len(record)) if record[i].strip()), None)
                if extra is not None:
                    self.error(index, extra + 1, f"a cell beyond the last column ({column_letter(len(header))}); move it into a named column")
            self.rows.append((index, record))

    def error(self, row: int, col: int, message: str) -> None:
        self.problems.append(Problem(self.path, row, col, message))

    def warn(self, row: int, col: int, message: str) -> None:
        self.warnings.append(f"{self.path}:{row}:{col}: warning: {message}")

    def cell(self, record: list[str], name: str) -> str:
        col = self.columns.get(name)
        if col is None or col > len(record):
            return ""
        return record[col - 1].replace("\r\n", "\n").replace("\r", "\n")

    def col(self, name: str) -> int:
        return self.columns.get(name, 1)


def _canonical_header(raw: str) -> str:
    """The column a header cell names, ignoring case, spacing and a stray BOM."""
    text = " ".join(raw.replace("\ufeff", "").split())
    for name in HEADER:
        if name.lower() == text.lower():
            return name
    return text


def read_csv(path: str | os.PathLike[str]) -> list[list[str]]:
    """The records of a CSV file; bad bytes or quoting raise InputError at their line."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(p), 1, 1, f"cannot read: {exc.strerror or exc}")]) from None
    text = read_text(str(p), data)
    if text.startswith("\ufeff"):
        text = text[1:]
    records = _records(str(p), text, ",")
    if records and len(records[0]) == 1:
        # a spreadsheet in a locale with decimal commas saves with semicolons (or tabs)
        delimiter = next((d for d in ";\t" if d in records[0][0]), None)
        if delimiter:
            records = _records(str(p), text, delimiter)
    if not records:
        raise InputError([Problem(str(p), 1, 1, f"empty file; expected a header row with the MSEL columns: {', '.join(HEADER)}")])
    return records


def _records(path: str, text: str, delimiter: str) -> list[list[str]]:
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            records.append(record)
    except csv.Error as exc:
        raise InputError([Problem(path, len(records) + 1, 1, f"malformed CSV: {exc}; save the sheet as CSV (comma-separated)")]) from None
    return records


def _scalar(value: Any, row: int, col: int, raw: str | None = None) -> Node:
    return Node("scalar", row, col, value, raw if raw is not None else (value if isinstance(value, str) else str(value)))


def _relocate(node: Node, row: int, col: int) -> Node:
    """Place a parsed cell's nodes at the cell: a spreadsheet has no lines inside a cell."""
    node.line, node.col = row, col
    if node.kind == "map":
        for key, value in node.value:
            _relocate(key, row, col)
            _relocate(value, row, col)
    elif node.kind == "seq":
        for item in node.value:
            _relocate(item, row, col)
    return node


def _plain(node: Node) -> Any:
    """Python values of a node for the scenario file, keeping dates as dates."""
    if node.kind == "map":
        return {str(k.value): _plain(v) for k, v in node.value}
    if node.kind == "seq":
        return [_plain(v) for v in node.value]
    return node.value


def _slug(title: str) -> str:
    """An inject id made from a title, in the scenarios' style: 'hyp-' for a hypothetical."""
    words = re.sub(r"[^a-z0-9]+", " ", title.lower()).split()
    if words[:1] == ["hypothetical"]:
        words[0] = "hyp"
    slug = ""
    for word in words:
        if slug and len(slug) + 1 + len(word) > 48:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug[:48] or "inject"


class _Row:
    """One inject row: its node for the loader and its data for the scenario file."""

    def __init__(self, node: Node, data: dict[str, Any]):
        self.node = node
        self.data = data


def _inject_rows(sheet: _Sheet, base: m.Scenario) -> list[_Row]:
    seat_ids = {seat.lower(): seat for seat in base.seats}
    seat_ids.update({seat.name.lower(): seat.id for seat in base.seats.values()})
    seat_ids["all"] = "all"
    given_ids = {sheet.cell(record, INJECT_ID).strip() for _, record in sheet.rows}
    made: set[str] = set()
    out: list[_Row] = []
    for row, record in sheet.rows:
        def cell(name: str, record: list[str] = record) -> str:
            return sheet.cell(record, name)

        def at(name: str, row: int = row) -> tuple[int, int]:
            return row, sheet.col(name)

        fields: list[tuple[str, Node]] = []
        data: dict[str, Any] = {}

        def put(key: str, node: Node, value: Any, fields: list = fields, data: dict = data) -> None:
            fields.append((_scalar(key, node.line, node.col), node))
            data[key] = value

        title = cell(SYNOPSIS).strip()
        inject_id = cell(INJECT_ID).strip()
        if not inject_id:
            base_id = candidate = _slug(title)
            n = 2
            while candidate in given_ids or candidate in made:
                candidate, n = f"{base_id}-{n}", n + 1
            made.add(candidate)
            inject_id = candidate
        put("id", _scalar(inject_id, *at(INJECT_ID)), inject_id)

        turn_text = cell(TURN).strip()
        turn: Any = int(turn_text) if re.fullmatch(r"[+-]?\d+", turn_text) else turn_text
        put("turn", _scalar(turn, *at(TURN), raw=turn_text), turn)

        when = cell(TIME).strip()
        if when:  # the loader reports a date it cannot read
            date: Any = when
            if _ISO_DATE.match(when):
                try:
                    date = dt.date.fromisoformat(when)
                except ValueError:
                    pass
            put("date", _scalar(date, *at(TIME), raw=when), date)

        kind = cell(EVENT_TYPE).strip()
        standby = _EVENT_TYPES.get(" ".join(kind.lower().split()))
        if standby is None:
            sheet.error(*at(EVENT_TYPE), f"expected {SCHEDULED!r} or {CONTINGENCY!r} (a standby inject, released when the facilitator chooses), got {kind!r}")
        elif standby:
            put("standby", _scalar(True, *at(EVENT_TYPE), raw=kind), True)

        flag = cell(HYPOTHETICAL).strip()
        if flag.lower() in _TRUE:
            put("hypothetical", _scalar(True, *at(HYPOTHETICAL), raw=flag), True)
        elif flag.lower() not in _FALSE:
            sheet.error(*at(HYPOTHETICAL), f"expected yes or no, got {flag!r}")

        to_row, to_col = at(TO)
        seats = [seat_ids.get(s.strip().lower(), s.strip()) for s in re.split(r"[,;\n]", cell(TO)) if s.strip()] or ["all"]
        to_node = Node("seq", to_row, to_col, [_scalar(s, to_row, to_col) for s in seats])
        put("to", to_node, seats)

        if not title:
            sheet.error(*at(SYNOPSIS), "empty; every inject needs a title")
        put("title", _scalar(title, *at(SYNOPSIS)), title)
        text = cell(MESSAGE).strip()
        put("text", _scalar(text, *at(MESSAGE)), text)

        source = cell(SOURCE).strip()
        if not source:
            keys = ", ".join(base.sources) or "none defined"
            sheet.error(*at(SOURCE), f"empty; every inject cites a key under 'sources' of the scenario ({keys})")
        put("source", _scalar(source, *at(SOURCE)), source)

        for key, name in (("cite", CITE), ("note", NOTES)):
            value = cell(name).strip()
            if value:
                put(key, _scalar(value, *at(name)), value)

        sender = cell(FROM).strip()
        if sender:
            put("from", _scalar(sender, *at(FROM)), sender)

        for key, name, parts in (
            ("objectives", OBJECTIVE, [s.strip() for s in re.split(r"[,;\n]", cell(OBJECTIVE)) if s.strip()]),
            ("expected_actions", EXPECTED, [s.strip() for s in cell(EXPECTED).split("\n") if s.strip()]),
        ):
            if parts:
                list_row, list_col = at(name)
                put(key, Node("seq", list_row, list_col, [_scalar(p, list_row, list_col) for p in parts]), parts)

        for key, name, shape, example in (
            ("facts", FACTS, "seq", "[{kind: missile_test, by: dprk}]"),
            ("effects", EFFECTS, "map", "{tension: 1, credibility: {us: -1}}"),
        ):
            value = cell(name).strip()
            if not value:
                continue
            node = _parse_cell(sheet, value, *at(name), shape, example)
            if node is not None:
                put(key, node, _plain(node))

        for name, written in UNSTORED.items():
            value = cell(name).strip()
            if value and value != written:
                sheet.warn(*at(name), f"tabletop does not store {name!r}; {value[:40]!r} stays in the sheet only")
        out.append(_Row(Node("map", row, sheet.col(TIME), fields), data))
    return out


def _parse_cell(sheet: _Sheet, text: str, row: int, col: int, shape: str, example: str) -> Node | None:
    """A Facts or Effects cell as YAML (flow style, or block), placed at the cell."""
    try:
        node = parse(sheet.path, text)
    except InputError as exc:
        detail = exc.problems[0].message if exc.problems else "malformed YAML"
        sheet.error(row, col, f"{detail}; expected YAML like {example}")
        return None
    if node is None:
        return None
    if shape == "seq" and node.kind == "map":  # one fact without the brackets
        node = Node("seq", node.line, node.col, [node])
    if node.kind != shape:
        what = "a list of facts" if shape == "seq" else "a mapping of effects"
        sheet.error(row, col, f"expected {what} like {example}, got {node.describe()}")
        return None
    return _relocate(node, row, col)


_ROW_PROBLEMS = {"duplicate inject id": INJECT_ID}


def import_csv(csv_path: str | os.PathLike[str], base: str | os.PathLike[str] | None = None) -> Imported:
    """Build a scenario from an MSEL CSV and a base scenario, or raise every problem found.

    ``base`` is the scenario whose non-inject parts are kept; without it, the one
    named in the CSV's Scenario column (a bundled or user scenario id).
    """
    path = str(csv_path)
    sheet = _Sheet(path, read_csv(csv_path))
    if sheet.problems:
        raise InputError(_placed(sheet, sheet.problems))
    base_path = Path(base) if base is not None else _base_from_sheet(sheet)
    base_scenario, rules = loading.load_scenario(base_path)
    named = {sheet.cell(record, SCENARIO).strip() for _, record in sheet.rows} - {""}
    if base is not None and named and named != {base_scenario.id}:
        sheet.warn(sheet.rows[0][0], sheet.col(SCENARIO), f"the sheet was exported from {', '.join(sorted(named))}; importing into {base_scenario.id} ({base_path})")

    base_text = read_text(str(base_path), base_path.read_bytes())
    root = parse(str(base_path), base_text)
    assert root is not None and root.kind == "map"  # the base loaded
    built = _inject_rows(sheet, base_scenario)
    merged = Node("map", root.line, root.col, [(k, Node("seq", 1, 1, [r.node for r in built]) if k.value == "injects" else v) for k, v in root.value])
    reader = loading.Reader(path)
    reader.problems = sheet.problems
    scenario = loading._scenario(reader, merged, rules)
    if reader.problems or scenario is None:
        raise InputError(_placed(sheet, reader.problems))

    text = _splice(base_text, root, [r.data for r in built])
    check = loading.Reader(str(base_path))
    written = loading._scenario(check, parse(str(base_path), text), rules)
    if check.problems or written is None or not same_injects(written, scenario):
        raise InputError([Problem(path, 1, 1, "the scenario written from this sheet does not read back the same; please report this as a bug")])
    return Imported(text=text, scenario=written, base=base_path, warnings=tuple(sheet.warnings))


def _base_from_sheet(sheet: _Sheet) -> Path:
    named: dict[str, int] = {}
    for row, record in sheet.rows:
        value = sheet.cell(record, SCENARIO).strip()
        if value and value not in named:
            named[value] = row
    col = sheet.col(SCENARIO)
    if not named:
        raise InputError(_placed(sheet, [Problem(sheet.path, 1, col, "no base scenario: the Scenario column is empty; pass --scenario BASE")]))
    if len(named) > 1:
        first, second = list(named.items())[:2]
        raise InputError(_placed(sheet, [Problem(sheet.path, second[1], col, f"rows name different scenarios ({first[0]!r} in row {first[1]}, {second[0]!r} here); pass --scenario BASE")]))
    scenario_id, row = next(iter(named.items()))
    found = paths.find_scenario(scenario_id)
    if found is None:
        raise InputError(_placed(sheet, [Problem(sheet.path, row, col, f"scenario {scenario_id!r} is not a bundled or user scenario; pass --scenario BASE (the scenario file)")]))
    return found


def _placed(sheet: _Sheet, problems: Iterable[Problem]) -> list[Problem]:
    """Problems sorted by row and column, each naming its column by letter and name."""
    problems = list(problems)
    out: list[Problem] = []
    seen: set[Problem] = set()
    # a date or event type already reported explains a missing date in that row
    explained = {p.line for p in problems if p.col in (sheet.col(TIME), sheet.col(EVENT_TYPE)) and not p.message.startswith("missing field 'date'")}
    for problem in problems:
        if problem.message.startswith("missing field 'date'") and problem.line in explained:
            continue
        col = problem.col
        for prefix, name in _ROW_PROBLEMS.items():
            if problem.message.startswith(prefix):
                col = sheet.col(name)
        name = sheet.names.get(col, "")
        where = f"column {column_letter(col)}" + (f" ({name})" if name else "")
        message = problem.message
        if message.startswith("expected a date like") and col == sheet.col(TIME):
            message += "; if a spreadsheet turned it into its own date format, format the column as text and type the date again"
        if problem.line > 1:  # the header's own problems name their column already
            message = f"{where}: {message}"
        placed = Problem(problem.path, problem.line, col, message)
        if placed not in seen:
            seen.add(placed)
            out.append(placed)
    return sorted(out, key=lambda p: (p.line, p.col))


def same_injects(a: m.Scenario, b: m.Scenario) -> bool:
    """Equal injects, fact details included (a Fact's equality leaves them out)."""
    return a.injects == b.injects and [[f.to_json() for f in i.facts] for i in a.injects] == [[f.to_json() for f in i.facts] for i in b.injects]


# --- writing the scenario file -----------------------------------------------


class _FlowMap(dict):
    """A mapping written on one line, as scenario files write facts and effects."""


class _Prose(str):
    """Running text (an inject's text, cite, note): folded over lines when long."""


class _Block(list):
    """A list written one item a line (an inject's expected actions), whatever its items."""


class _Dumper(yaml.SafeDumper):
    """safe_dump's dumper, indenting lists under their key and folding long prose."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def write_folded(self, text: str) -> None:
        # the document is dumped wide so one-line values never wrap; prose folds
        wide, self.best_width = self.best_width, _FOLD_WIDTH
        try:
            super().write_folded(text)
        finally:
            self.best_width = wide


def _represent_str(dumper: _Dumper, text: str) -> yaml.Node:
    style = None
    if "\n" in text:
        style = "|"
    elif isinstance(text, _Prose) and len(text) > _PROSE:
        style = ">"
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(text), style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Prose, _represent_str)
_Dumper.add_representer(_FlowMap, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True))
_Dumper.add_representer(_Block, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=False))


def dump_injects(injects: list[dict[str, Any]]) -> str:
    """The ``injects:`` section of a scenario file, one blank line between injects."""
    data = []
    for inject in injects:
        item = dict(inject)
        if "facts" in item:
            item["facts"] = [_FlowMap(f) if isinstance(f, Mapping) else f for f in item["facts"]]
        if "effects" in item and isinstance(item["effects"], Mapping):
            item["effects"] = _FlowMap(item["effects"])
        for key in ("text", "cite", "note"):
            if isinstance(item.get(key), str):
                item[key] = _Prose(item[key])
        if isinstance(item.get("expected_actions"), list):
            item["expected_actions"] = _Block(_Prose(a) for a in item["expected_actions"])
        data.append(item)
    text = yaml.dump(
        {"injects": data}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 30, default_flow_style=None,
    )
    out: list[str] = []
    items = iter(injects)
    turn = None
    for line in text.splitlines():
        if line.startswith("  - "):  # an inject begins: a blank line, and a heading at each new turn
            inject = next(items)
            if out[-1] != "injects:":
                out.append("")
            if inject.get("turn") != turn:
                turn = inject.get("turn")
                out.append(f"  # {'-' * 64} turn {turn}")
        out.append(line)
    return "\n".join(out) + "\n"


def _splice(base_text: str, root: Node, injects: list[dict[str, Any]]) -> str:
    """The base file with its injects section replaced; every other line kept as written."""
    keys = [k for k, _ in root.value]
    index = next(i for i, k in enumerate(keys) if k.value == "injects")
    lines = base_text.splitlines(keepends=True)
    start = keys[index].line - 1
    block = all(k.col == 1 for k in keys) and len({k.line for k in keys}) == len(keys)
    if not block:  # an unusual layout: write the whole file out
        data = {str(k.value): (injects if k.value == "injects" else _plain(v)) for k, v in root.value}
        rest = {k: v for k, v in data.items() if k != "injects"}
        head = yaml.dump(rest, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 30)
        return head + dump_injects(injects)
    end = keys[index + 1].line - 1 if index + 1 < len(keys) else len(lines)
    # blank lines and column-0 comments just before the next key introduce it
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    before = "".join(lines[:start])
    after = "".join(lines[end:])
    section = dump_injects(injects)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if newline != "\n":
        section = section.replace("\n", newline)
    gap = newline if after.strip() and not after.startswith(newline) else ""
    return before + section + gap + after


def write_scenario(text: str, path: str | os.PathLike[str]) -> None:
    _replace(Path(path), text.encode("utf-8"))


def _replace(path: Path, data: bytes) -> None:
    """Write next to the target, then rename: a failed write never leaves half a file."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise

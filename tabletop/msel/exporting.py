"""Export: a scenario's MSEL as a spreadsheet, in the HSEEP column layout, as .csv or .xlsx.

One row per inject in MSEL order, each followed by the rows that belong to it
(expected player actions, controller actions) under the inject's id. After
HSEEP's columns come tabletop's own, then, only if some inject has them, the
cells an import kept as the planner wrote them and the planner's own columns.

Facts and effects are written as the scenario file writes them, not as the
loader completes them (it fills in an attack's location from its target), so
importing the sheet writes back what was there. The inject's expected player
actions fill its Expected Player Action cell, one a line; its objectives and
control cell fill Objective and From, spelt as the planner's sheet spelt them
while that still names them (``refs``).

Why UTF-8 with a byte order mark for CSV: Excel opens a CSV without one in the
machine's legacy code page, which garbles every quotation mark, dash and
non-Latin name; with the BOM it reads UTF-8, and LibreOffice, Google Sheets,
Numbers and Python's ``utf-8-sig`` codec all accept it. A CSV cell that begins
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is one a spreadsheet
would run as a formula: it is written with a leading apostrophe, as
spreadsheets themselves do, and import takes the apostrophe off again. In an
.xlsx every cell is a string cell, which no spreadsheet runs.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import yaml

from tabletop import files
from tabletop import model as m
from tabletop.loading import clock_text, offset_text
from tabletop.msel import layout as lay
from tabletop.msel import refs
from tabletop.yamlnodes import InputError, Node, Problem, parse, read_text

FORMULA_START = "=+-@\t\r"


def neutralise(cell: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading apostrophe before what would start a formula.

    An apostrophe before one of those (or before another apostrophe) is itself
    escaped, so ``restore`` undoes exactly this and nothing else.
    """
    if cell and (cell[0] in FORMULA_START or (cell[0] == "'" and len(cell) > 1 and cell[1] in FORMULA_START + "'")):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """The cell ``neutralise`` was given."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_START + "'":
        return cell[1:]
    return cell


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


def plain(node: Node) -> Any:
    """Python values of a node for a scenario file, keeping dates as dates."""
    if node.kind == "map":
        return {str(k.value): plain(v) for k, v in node.value}
    if node.kind == "seq":
        return [plain(v) for v in node.value]
    return node.value


def _flow(value: Any) -> str:
    """One line of YAML flow style: what a Facts or Effects cell holds."""
    if not value:
        return ""
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, allow_unicode=True, width=1 << 30).strip()


def written_facts(scenario: m.Scenario) -> dict[str, tuple[Any, Any]]:
    """Each inject's facts and effects as its scenario file writes them, by inject id; empty if the file is gone."""
    if not scenario.path:
        return {}
    try:
        path = Path(scenario.path)
        root = parse(str(path), read_text(str(path), path.read_bytes()))
    except (OSError, InputError):
        return {}
    out: dict[str, tuple[Any, Any]] = {}
    if root is None or root.kind != "map":
        return out
    for key, value in root.value:
        if key.value != "injects" or value.kind != "seq":
            continue
        for item in value.value:
            if item.kind != "map":
                continue
            fields = {str(k.value): v for k, v in item.value}
            if "id" in fields:
                out[str(fields["id"].value)] = (
                    plain(fields["facts"]) if "facts" in fields else None,
                    plain(fields["effects"]) if "effects" in fields else None,
                )
    return out


def when_text(inject: m.Inject) -> str:
    """The inject's time as the Designated Scenario Time column writes it."""
    if inject.offset is not None:
        return offset_text(inject.offset)
    clock = clock_text(inject.time) if inject.time is not None else ""
    return f"{inject.date.isoformat() if inject.date else ''} {clock}".strip()


def rows(scenario: m.Scenario) -> list[list[str]]:
    """The header and one row per inject and per action, in MSEL order."""
    written = written_facts(scenario)
    records: list[dict[str, str]] = []
    for number, inject in enumerate(scenario.injects, start=1):
        facts, effects = written.get(inject.id, (None, None))
        if facts is None:
            facts = [fact_data(f) for f in inject.facts]
        if effects is None:
            effects = effect_data(inject.effects)
        kind = "standby" if inject.standby else "inject"
        cells = {
            lay.EVENT_NO: inject.msel.number or str(number),
            lay.TIME: when_text(inject),
            lay.EVENT_TYPE: lay.TYPE_NAMES[kind],
            lay.TO: ", ".join(inject.to),
            lay.SYNOPSIS: inject.title,
            lay.MESSAGE: inject.text,
            lay.EXPECTED: "\n".join(inject.expected_actions),
            lay.NOTES: inject.note,
            lay.INJECT_ID: inject.id,
            lay.TURN: str(inject.turn),
            lay.SOURCE: inject.source,
            lay.CITE: inject.cite,
            lay.HYPOTHETICAL: "yes" if inject.hypothetical else "no",
            lay.FACTS: _flow(facts if isinstance(facts, list) else [facts]) if facts else "",
            lay.EFFECTS: _flow(effects),
            lay.SCENARIO: scenario.id,
            **_sheet_cells(inject.msel),
            lay.FROM: refs.from_cell(inject, scenario.control),
            lay.OBJECTIVE: refs.objective_cell(inject, scenario.objectives),
        }
        before = [a for a in inject.actions if a.before]
        after = [a for a in inject.actions if not a.before]
        records.extend(_action_cells(a, inject, scenario) for a in before)
        records.append(cells)
        records.extend(_action_cells(a, inject, scenario) for a in after)
    header = list(lay.HEADER)
    header += [c for c in lay.WRITTEN_COLUMNS if any(r.get(c) for r in records)]
    for record in records:
        for name, value in record.items():
            if value and name not in header and name not in lay.WRITTEN_COLUMNS:
                header.append(name)
    return [header] + [[record.get(name, "") for name in header] for record in records]


def _sheet_cells(row: m.SheetRow) -> dict[str, str]:
    cells = {
        lay.MODE: row.mode, lay.FROM: row.sender, lay.OBJECTIVE: row.objective, lay.CONTROLLER: row.controller,
        lay.ACTUAL: row.actual, lay.TIME_WRITTEN: row.time, lay.TYPE_WRITTEN: row.type,
    }
    for name, value in row.kept.items():
        cells.setdefault(name, value)
    return cells


def _action_cells(action: m.Action, inject: m.Inject, scenario: m.Scenario) -> dict[str, str]:
    return {
        lay.EVENT_NO: action.msel.number,
        lay.TIME: action.when,
        lay.EVENT_TYPE: lay.TYPE_NAMES[action.kind] if action.kind in lay.TYPE_NAMES else action.kind,
        lay.TO: action.to,
        lay.SYNOPSIS: action.title,
        lay.MESSAGE: action.text,
        lay.EXPECTED: "\n".join(action.expected_actions),
        lay.NOTES: action.note,
        lay.INJECT_ID: inject.id,
        lay.TURN: str(inject.turn),
        lay.SCENARIO: scenario.id,
        **_sheet_cells(action.msel),
    }


def export_csv(scenario: m.Scenario) -> str:
    """The MSEL as CSV text (RFC 4180: CRLF line ends, quotes only where needed), formula-like cells neutralised."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([[neutralise(cell) for cell in row] for row in rows(scenario)])
    return buffer.getvalue()


def write_csv(text: str, path: str | os.PathLike[str]) -> None:
    """Write the CSV as UTF-8 with a byte order mark, so Excel reads it as UTF-8 (a sheet is meant to be shared)."""
    files.write_atomic(path, "\ufeff" + text, mode=files.shared_mode())


def export_xlsx(scenario: m.Scenario) -> bytes:
    """The MSEL as an .xlsx workbook: one sheet, the header frozen, every cell a string cell.

    Raises InputError naming the inject and the column if a text holds a control
    character, which the .xlsx format cannot store.
    """
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    table = rows(scenario)
    header = table[0]
    problems = []
    for index, record in enumerate(table[1:], start=2):
        for col, cell in enumerate(record, start=1):
            bad = ILLEGAL_CHARACTERS_RE.search(cell)
            if bad:
                problems.append(Problem(scenario.path or scenario.id, 1, 1, f"row {index}, column {lay.column_letter(col)} ({header[col - 1]}) "
                                        f"holds the control character U+{ord(bad.group(0)):04X}, which .xlsx cannot store; export as .csv or remove it"))
    if problems:
        raise InputError(problems)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("MSEL")
    sheet.freeze_panes = "A2"
    widths = {lay.SYNOPSIS: 40, lay.MESSAGE: 60, lay.EXPECTED: 40, lay.NOTES: 40, lay.FACTS: 40, lay.TIME: 18}
    for col, name in enumerate(header, start=1):
        sheet.column_dimensions[lay.column_letter(col)].width = widths.get(name, 16)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")

    def styled(value: str, font: Font | None = None) -> Cell:
        out = WriteOnlyCell(sheet, value=value)
        out.data_type = "s"  # text, even when it starts with '=': nothing in an MSEL is a formula
        out.alignment = wrap
        if font is not None:
            out.font = font
        return out

    sheet.append([styled(name, bold) for name in header])
    for record in table[1:]:
        sheet.append([styled(value) for value in record])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx(data: bytes, path: str | os.PathLike[str]) -> None:
    """Write the workbook whole or not at all, never over an exercise log (a sheet is meant to be shared)."""
    files.write_atomic(path, data, mode=files.shared_mode())

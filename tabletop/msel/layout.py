"""The MSEL's columns: tabletop's export layout, and the names other spreadsheets give them.

Export writes the HSEEP Master Scenario Events List columns in the template's
order, then tabletop's own, then (only when some inject has them) the cells
import kept as written and the sheet's own extra columns. Import maps a
planner's header onto the same fields through ``vocabulary.yaml``, a table of
the names real MSELs use, matched ignoring case, spaces, line breaks and
punctuation.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from tabletop.yamlnodes import parse, read_text, to_python

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
TIME_WRITTEN = "Designated Scenario Time (as written)"
TYPE_WRITTEN = "Event Type (as written)"

#: The HSEEP MSEL columns, in the template's order.
HSEEP_COLUMNS = (EVENT_NO, TIME, EVENT_TYPE, MODE, FROM, TO, SYNOPSIS, MESSAGE, EXPECTED, OBJECTIVE, NOTES, CONTROLLER, ACTUAL)
#: What tabletop stores and HSEEP has no column for, after the template's columns.
TABLETOP_COLUMNS = (INJECT_ID, TURN, SOURCE, CITE, HYPOTHETICAL, FACTS, EFFECTS, SCENARIO)
HEADER = HSEEP_COLUMNS + TABLETOP_COLUMNS
#: Written only when an inject keeps a cell as the planner's sheet wrote it.
WRITTEN_COLUMNS = (TIME_WRITTEN, TYPE_WRITTEN)

#: The field each export column holds (the names a --map file uses).
FIELD_OF = {
    EVENT_NO: "number", TIME: "time", EVENT_TYPE: "type", MODE: "mode", FROM: "sender", TO: "to",
    SYNOPSIS: "title", MESSAGE: "text", EXPECTED: "expected", OBJECTIVE: "objective", NOTES: "note",
    CONTROLLER: "controller", ACTUAL: "actual", INJECT_ID: "id", TURN: "turn", SOURCE: "source", CITE: "cite",
    HYPOTHETICAL: "hypothetical", FACTS: "facts", EFFECTS: "effects", SCENARIO: "scenario",
    TIME_WRITTEN: "time_written", TYPE_WRITTEN: "type_written",
}
COLUMN_OF = {field: column for column, field in FIELD_OF.items()}
COLUMN_OF["date"] = "Date"
#: What a --map file may say of a column besides a field: keep it as an extra column, or leave it out.
KEEP, IGNORE = "keep", "ignore"
FIELDS = (*FIELD_OF.values(), "date")

#: A sheet holding these is tabletop's own export: every column of it must be there.
TABLETOP_MARKS = frozenset({"facts", "effects", "hypothetical", "scenario"})
#: The columns a sheet in tabletop's layout must keep: everything an inject holds.
REQUIRED = ("time", "type", "to", "title", "text", "note", "id", "turn", "source", "cite", "hypothetical", "facts", "effects")

#: What each kind of row is written as on export.
TYPE_NAMES = {"inject": "Inject", "standby": "Contingency inject", "expected": "Expected Player Action", "controller": "Controller Action"}
ROW_KINDS = tuple(TYPE_NAMES)

_VOCABULARY = Path(__file__).with_name("vocabulary.yaml")


def normal(text: str) -> str:
    """A header or a word as the tables match it: lowercase letters and digits only ('#' kept)."""
    return re.sub(r"[^0-9a-z#]+", "", text.casefold())


def header_text(raw: object) -> str:
    """A header cell as one line: line breaks and runs of spaces inside it become one space."""
    return " ".join(str(raw).replace("\ufeff", "").split())


@functools.cache
def vocabulary() -> dict[str, object]:
    """The synonym tables of vocabulary.yaml as plain data; read once a process."""
    text = read_text(str(_VOCABULARY), _VOCABULARY.read_bytes())
    data = to_python(parse(str(_VOCABULARY), text))
    assert isinstance(data, dict)
    return data


@functools.cache
def column_names() -> dict[str, str]:
    """Normalised header -> field."""
    table: dict[str, str] = {}
    columns = vocabulary()["columns"]
    assert isinstance(columns, dict)
    for field, names in columns.items():
        for name in names:
            key = normal(str(name))
            if table.get(key, field) != field:
                raise ValueError(f"vocabulary.yaml: {name!r} names both {table[key]} and {field}")
            table[key] = field
    return table


def field_of_header(raw: object) -> str | None:
    """The field a header cell names: whole, then without its parenthesis, then the parenthesis alone."""
    text = header_text(raw)
    table = column_names()
    found = table.get(normal(text))
    if found:
        return found
    inside = re.findall(r"\(([^)]*)\)", text)
    outside = re.sub(r"\([^)]*\)", " ", text)
    for candidate in (outside, *inside):
        if normal(candidate) and (found := table.get(normal(candidate))):
            return found
    return None


@functools.cache
def event_types() -> dict[str, str]:
    """Normalised event type -> row kind."""
    table: dict[str, str] = {}
    types = vocabulary()["event_types"]
    assert isinstance(types, dict)
    for kind, names in types.items():
        for name in names:
            key = normal(str(name))
            if table.get(key, kind) != kind:
                raise ValueError(f"vocabulary.yaml: event type {name!r} is both {table[key]} and {kind}")
            table[key] = kind
    return table


# Tried in this order: "Contingency inject" is a standby, "Player inject" an inject.
_TYPE_WORDS = (
    ("standby", ("contingen", "standby", "stand by", "optional", "backup", "reserve")),
    ("inject", ("inject", "simulat", "actor", "role play", "message")),
    ("expected", ("expected", "anticipated", "player")),
    ("controller", ("controller", "facilitator", "control ")),
)


def row_kind(raw: str) -> str | None:
    """The kind of row an Event Type cell names; an empty cell is an inject; None when unknown."""
    text = " ".join(raw.split())
    if not text:
        return "inject"
    found = event_types().get(normal(text))
    if found:
        return found
    words = f" {text.casefold()} "
    for kind, stems in _TYPE_WORDS:
        if any(stem in words for stem in stems):
            return kind
    return None


@functools.cache
def everyone() -> frozenset[str]:
    names = vocabulary()["everyone"]
    assert isinstance(names, list)
    return frozenset(normal(str(n)) for n in names)


@functools.cache
def phase_words() -> tuple[str, ...]:
    names = vocabulary()["phases"]
    assert isinstance(names, list)
    return tuple(str(n).casefold() for n in names)


def column_letter(number: int) -> str:
    """Spreadsheet letters for a 1-based column number: 1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters

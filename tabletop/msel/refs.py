"""How the MSEL's From, Expected Player Action and Objective cells name what a scenario holds.

Each of these cells has one field on the inject that the engine, the guide and
the after-action report use: ``expected_actions`` (one action a line of the
cell), ``sender`` (a control cell of the scenario) and ``objectives`` (ids of
the scenario's objectives). Planners write them otherwise than tabletop does
(an objective as "Obj 2: consultation", a sender as "NWS" or by a cell's name),
so import keeps the cell as written on the inject's ``msel`` row whenever
export would write it otherwise, and export writes that spelling back as long
as it still names what the fields say. Import and export read the cells with
the same functions, here, so a round trip gives back what it was given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from tabletop import model as m
from tabletop.msel.layout import normal

_IDS = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")


def expected_lines(cell: str) -> list[str]:
    """An Expected Player Action cell as expected actions: one a line, blank lines left out."""
    return [line.strip() for line in cell.split("\n") if line.strip()]


def written_as_id(part: str) -> bool:
    """A part written as tabletop writes an id (``obj-first-shot``): lowercase, with a hyphen, underscore or dot in it.

    Such a part can only be a reference, so one the scenario does not define is
    a mistake to report; a part in words ("Obj 2: consultation", "Operational
    Coordination", "1") is an objective as a planner writes it.
    """
    return bool(_IDS.match(part)) and bool(re.search(r"[a-z]", part)) and bool(re.search(r"[-_.]", part))


def objective_parts(cell: str) -> list[str]:
    """The objectives an Objective cell names: one a line or between semicolons, and ids also between commas.

    Commas split only a list of ids (``obj-a, obj-b``, as export writes them):
    in words a comma belongs to the objective ("Planning, Operational Coordination").
    """
    parts: list[str] = []
    for item in re.split(r"[;\n]", cell):
        item = item.strip()
        if not normal(item):  # "-", "/": a planner's way of saying none
            continue
        pieces = [p.strip() for p in item.split(",") if normal(p)]
        parts.extend(pieces if all(written_as_id(p) for p in pieces) else [item])
    return parts


def objective_named(part: str, objectives: Iterable[m.Objective]) -> str | None:
    """The id of the objective a part names, by its id or by its text (case, spaces and punctuation aside)."""
    key = normal(part)
    for objective in objectives:
        if part == objective.id:
            return objective.id
    for objective in objectives:
        if key and key in (normal(objective.id), normal(objective.text)):
            return objective.id
    return None


def objectives_written(cell: str, objectives: Iterable[m.Objective]) -> tuple[str, ...] | None:
    """The objective ids a cell names, when it names only objectives the scenario defines; else None."""
    objectives = tuple(objectives)
    ids: list[str] = []
    for part in objective_parts(cell):
        found = objective_named(part, objectives)
        if found is None:
            return None
        if found not in ids:
            ids.append(found)
    return tuple(ids)


def objective_cell(inject: m.Inject, objectives: Iterable[m.Objective]) -> str:
    """The Objective cell of an inject: the sheet's spelling while it names the inject's objectives, else their ids."""
    written = inject.msel.objective
    if written and objectives_written(written, objectives) == inject.objectives:
        return written
    return ", ".join(inject.objectives)


def control_cell(text: str, cells: Mapping[str, m.ControlCell]) -> str | None:
    """The id of the control cell a From cell names, by id or by name; None when it names none."""
    if text in cells:
        return text
    key = normal(text)
    for cell in cells.values():
        if key and key in (normal(cell.id), normal(cell.name)):
            return cell.id
    return None


def from_cell(inject: m.Inject, control: Mapping[str, m.ControlCell]) -> str:
    """The From cell of an inject: the sheet's spelling while it names the inject's control cell (or when it has none), else the cell's id."""
    written = inject.msel.sender
    if written and control_cell(written, control) == inject.sender:
        return written
    return inject.sender or ""

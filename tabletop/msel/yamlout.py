"""Writing the scenario file an import makes, in the bundled scenarios' style.

Injects an import leaves as they were keep their text in the base file, byte
for byte, comments and all: an unedited export imports to the very file it
came from. Changed and new injects are written the way the bundled scenarios
write theirs (facts and effects on one line each, long prose folded).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from tabletop import files
from tabletop.yamlnodes import Node

_FOLD_WIDTH = 72  # where folded prose breaks; lines end a word past it
_PROSE = 60  # a longer one-line text is written folded
PROSE_KEYS = ("text", "cite", "note", "brief", "setting")


class _FlowMap(dict):
    """A mapping written on one line, as scenario files write facts and effects."""


class _Prose(str):
    """Running text (an inject's text, cite, note): folded over lines when long."""


class _Block(list):
    """A list written one item a line (an inject's expected actions), whatever its items."""


class _Dumper(yaml.SafeDumper):
    """safe_dump's dumper, indenting lists under their key and folding long prose."""

    def ignore_aliases(self, data: Any) -> bool:
        return True  # the same value twice is written twice: tabletop's reader refuses anchors

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


def dump(data: Any, flow: bool | None = None) -> str:
    """YAML in the scenarios' style: block mappings, prose folded, nothing wrapped.

    Lists and mappings of plain values go on one line unless ``flow`` is False.
    """
    return yaml.dump(_styled(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 30, default_flow_style=flow)


def _styled(data: Any, key: str = "") -> Any:
    if isinstance(data, Mapping):
        return {k: _styled(v, str(k)) for k, v in data.items()}
    if isinstance(data, list):
        return [_styled(v) for v in data]
    if isinstance(data, str) and key in PROSE_KEYS:
        return _Prose(data)
    return data


def inject_item(inject: Mapping[str, Any]) -> dict[str, Any]:
    """An inject's data styled for the file: facts and effects in flow style, prose folded."""
    item = {k: _styled(v, k) for k, v in inject.items()}
    if "facts" in item:
        item["facts"] = [_FlowMap(f) if isinstance(f, Mapping) else f for f in inject["facts"]]
    if "effects" in item and isinstance(inject["effects"], Mapping):
        item["effects"] = _FlowMap(inject["effects"])
    if isinstance(inject.get("expected_actions"), list):  # one a line, as the bundled scenarios write them
        item["expected_actions"] = _Block(_Prose(a) for a in inject["expected_actions"])
    return item


def dump_injects(injects: Sequence[Mapping[str, Any]], kept: Sequence[str | None] | None = None) -> str:
    """The ``injects:`` section of a scenario file, one blank line between injects, a heading at each turn.

    ``kept`` gives, for each inject, its text as the base file wrote it (None: write it anew).
    """
    kept = list(kept) if kept is not None else [None] * len(injects)
    out = ["injects:"]
    turn: Any = object()
    for inject, original in zip(injects, kept, strict=True):
        if out[-1] != "injects:":
            out.append("")
        if inject.get("turn") != turn:
            turn = inject.get("turn")
            out.append(f"  # {'-' * 64} turn {turn}")
        if original is not None:
            out.extend(original.rstrip("\n").split("\n"))
            continue
        # dumped under its key, as in the file, so that folded prose breaks at the file's columns
        text = yaml.dump({"injects": [inject_item(inject)]}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 30, default_flow_style=None)
        out.extend(text.rstrip("\n").split("\n")[1:])
    return "\n".join(out) + "\n"


def inject_texts(base_text: str, root: Node) -> dict[str, str]:
    """Each inject's lines in the base file, by id: from its '- ' to the last line that belongs to it.

    Blank lines and comments at the indent of the list (turn headings) belong to
    what follows, not to the inject above them. Empty when the file is laid out
    otherwise than the bundled scenarios (a flow list, injects at column 1).
    """
    keys = [k for k, _ in root.value]
    index = next((i for i, k in enumerate(keys) if k.value == "injects"), None)
    if index is None:
        return {}
    section = root.value[index][1]
    if section.kind != "seq" or not section.value:
        return {}
    lines = base_text.splitlines(keepends=True)
    end = keys[index + 1].line - 1 if index + 1 < len(keys) else len(lines)
    items = section.value
    out: dict[str, str] = {}
    for i, item in enumerate(items):
        if item.kind != "map" or item.col != 5 or not lines[item.line - 1].startswith("  - "):
            return {}
        ids = [v.value for k, v in item.value if k.value == "id"]
        if not ids or not isinstance(ids[0], str):
            return {}
        stop = items[i + 1].line - 1 if i + 1 < len(items) else end
        first = item.line - 1
        if i + 1 < len(items) and items[i + 1].line == item.line:
            return {}
        chunk = lines[first:stop]
        while chunk and (not chunk[-1].strip() or (chunk[-1].lstrip().startswith("#") and _indent(chunk[-1]) <= 2)):
            chunk.pop()
        out[ids[0]] = "".join(chunk).replace("\r\n", "\n")
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def splice(base_text: str, root: Node, section: str) -> str:
    """The base file with its injects section replaced by ``section``; every other line kept as written."""
    keys = [k for k, _ in root.value]
    index = next(i for i, k in enumerate(keys) if k.value == "injects")
    lines = base_text.splitlines(keepends=True)
    start = keys[index].line - 1
    end = keys[index + 1].line - 1 if index + 1 < len(keys) else len(lines)
    # blank lines and column-0 comments just before the next key introduce it
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    before = "".join(lines[:start])
    after = "".join(lines[end:])
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if newline != "\n":
        section = section.replace("\n", newline)
    gap = newline if after.strip() and not after.startswith(newline) else ""
    return before + section + gap + after


def add_objectives(base_text: str, root: Node, added: Sequence[Mapping[str, str]], existing: Sequence[Any]) -> str:
    """The base file (in the plain layout) with objectives added to its ``objectives:`` section, or with one made before ``injects:``.

    The items are appended after the section's last line, so every line of the
    file stays as written; a section written otherwise than as a block list
    (``objectives: []``) is written anew, ``existing`` (its items) first.
    """
    keys = [k for k, _ in root.value]
    lines = base_text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    index = next((i for i, k in enumerate(keys) if k.value == "objectives"), None)
    if index is None:
        at = keys[next(i for i, k in enumerate(keys) if k.value == "injects")].line - 1
        # after the blank lines and column-0 comments that introduce injects: they stay with it
        while at > 0 and (not lines[at - 1].strip() or lines[at - 1].startswith("#")):
            at -= 1
        section = dump({"objectives": [dict(a) for a in added]}, flow=False).replace("\n", newline)
        before, after = "".join(lines[:at]), "".join(lines[at:])
        gap = newline if before.strip() else ""
        return before + gap + section + ("" if after.startswith(newline) else newline) + after
    start = keys[index].line - 1
    end = keys[index + 1].line - 1 if index + 1 < len(keys) else len(lines)
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    value = root.value[index][1]
    if value.kind == "seq" and value.value and all(lines[item.line - 1].startswith("  - ") for item in value.value) \
            and value.value[0].line > keys[index].line:
        items = dump({"objectives": [dict(a) for a in added]}, flow=False).split("\n", 1)[1]
        return "".join(lines[:end]) + items.replace("\n", newline) + "".join(lines[end:])
    section = dump({"objectives": [*existing, *(dict(a) for a in added)]}, flow=False).replace("\n", newline)
    return "".join(lines[:start]) + section + "".join(lines[end:])


def drop_inject_refs(base_text: str, root: Node, gone: set[str]) -> tuple[str, list[tuple[str, str]]]:
    """The base file without the ids of injects the sheet does not have in its corrections' ``injects:`` lists.

    A correction names the injects whose facilitator note carries it; when a
    sheet replaces those injects, the correction still stands but the link is
    gone. Only lists written on one line (``injects: [a, b]``) are edited, in
    place; the rest is left for the loader to report. Returns the text and the
    (correction, inject) links taken out.
    """
    section = next((v for k, v in root.value if k.value == "corrections"), None)
    if section is None or section.kind != "seq":
        return base_text, []
    lines = base_text.splitlines(keepends=True)
    dropped: list[tuple[str, str]] = []
    for item in reversed(section.value):  # from the bottom, so earlier positions stay valid
        if item.kind != "map":
            continue
        fields = {str(k.value): v for k, v in item.value}
        links = fields.get("injects")
        if links is None or links.kind != "seq" or not any(str(n.value) in gone for n in links.value):
            continue
        line = lines[links.line - 1]
        start = links.col - 1
        close = line.find("]", start)
        if line[start:start + 1] != "[" or close < 0 or any(n.line != links.line for n in links.value):
            continue
        kept = [str(n.value) for n in links.value if str(n.value) not in gone]
        name = str(fields["id"].value) if "id" in fields else "?"
        dropped[:0] = [(name, str(n.value)) for n in links.value if str(n.value) in gone]
        lines[links.line - 1] = line[:start] + "[" + ", ".join(kept) + "]" + line[close + 1:]
    return "".join(lines), dropped


def layout_is_plain(root: Node) -> bool:
    """Top-level keys each on a line of their own at column 1: the layout ``splice`` can cut."""
    keys = [k for k, _ in root.value]
    return all(k.col == 1 for k in keys) and len({k.line for k in keys}) == len(keys)


def write_scenario(text: str, path: str | os.PathLike[str]) -> None:
    """Write a scenario (or a map) file, whole or not at all, never over an exercise log; meant to be shared."""
    files.write_atomic(path, text, mode=files.shared_mode())

"""Hostile text for every free-text field: a scenario and rule modules built from mini.yaml, and the log's own fields.

Each field gets :func:`hostile` of its own tag (``F07:``), so a test can say
which field it saw: the tag, then content markup that would run an action,
open a link, crash the parser or eat a bracket, HTML and Markdown that would
become tags, and terminal escape sequences (window title, clear screen, C1 CSI,
NUL, DEL, carriage return and backspace).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from tabletop import paths
from tabletop.safetext import visible

MINI = Path(__file__).resolve().parent / "data" / "mini.yaml"

# The head has no space, so it stays on one line wherever it fits: an action link, a MarkupError,
# a file link, a bracket markup would eat, and a terminal's window title.
HEAD = "[@click=app.quit]Q[/][/][link=file:///etc/passwd]L[/link][KCNA]\x1b]0;PWNED\x07"
# The tail: another action, a style, the bracket the issue saw lost, HTML and Markdown that a report
# would make tags, emphasis, a cell break or a link of, and more escapes (clear screen, C1 CSI, NUL, DEL, CR, BS).
TAIL = (
    "[@click=screen.release_rest]R[/] [b]KCNA [Korean Central News Agency] "
    "<script>alert(1)</script><b>b</b> *e* _u_ ~~s~~ `c` | [x](javascript:alert(1)) &amp; "
    "\x1b[2J\x9b31m\x00\x7f\r\x08"
)
PAYLOAD = f"{HEAD} {TAIL}"
ESCAPES = "\x1b]0;PWNED\x07\x1b[2J\x9b31m\x00\x7f\r\x08"


def short(tag: str) -> str:
    """What a narrow place (a seat card's title) must show of a field: its tag and the first action, as written."""
    return f"{tag}[@click=app.quit]Q[/]"


def full(tag: str) -> str:
    """What a wide place must show: the tag and the whole head, the escape made visible."""
    return tag + visible(HEAD)


class Tags:
    """Hands out field tags and remembers which field each names."""

    def __init__(self, prefix: str = "F") -> None:
        self.prefix = prefix
        self.fields: dict[str, str] = {}

    def __call__(self, field: str) -> str:
        tag = f"{self.prefix}{len(self.fields) + 1:02d}:"
        self.fields[tag] = field
        return hostile(tag)


def hostile(tag: str) -> str:
    return f"{tag}{PAYLOAD}"


# Free text in a scenario (keys whose values are shown, never looked up).
SCENARIO_TEXT = {"title", "setting", "name", "brief", "role", "style", "label", "text", "cite", "note", "author", "publisher", "description"}
SCENARIO_LISTS = {"objectives", "red_lines", "questions", "interests"}
# Free text in the rule modules.
RULES_TEXT = {"title", "name", "text", "short", "source", "note", "duty"}
RULES_LISTS = {"qualifiers"}
RULES_MAPS = {"answer_text", "regions"}  # every value is text


def _walk(node: Any, tags: Tags, where: str, text: set[str], lists: set[str], maps: set[str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if key in text and isinstance(value, str):
                out[key] = tags(here)
            elif key in lists and isinstance(value, list):
                out[key] = [tags(f"{here}[{i}]") if isinstance(v, str) else v for i, v in enumerate(value)]
            elif key in maps and isinstance(value, dict):
                out[key] = {k: tags(f"{here}.{k}") if isinstance(v, str) else v for k, v in value.items()}
            else:
                out[key] = _walk(value, tags, here, text, lists, maps)
        return out
    if isinstance(node, list):
        return [_walk(v, tags, f"{where}[{i}]", text, lists, maps) for i, v in enumerate(node)]
    return node


def write_scenario(folder: Path, tags: Tags) -> Path:
    """mini.yaml with hostile text in every free-text field, under a copy of the bundled rules made hostile too.

    Returns the scenario's path; its rules are in ``folder/rules``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rules = folder / "rules"
    if rules.exists():
        shutil.rmtree(rules)
    shutil.copytree(paths.bundled_rules(), rules)
    for path in sorted(rules.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = path.relative_to(rules).as_posix()
        data = _walk(data, tags, name, RULES_TEXT, RULES_LISTS, RULES_MAPS)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    data = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    data = _walk(data, tags, "scenario", SCENARIO_TEXT, SCENARIO_LISTS, set())
    data["rules"] = "rules"
    data["sources"]["ref-treaties"]["url"] = "https://example.org/\t<img src=x onerror=alert(1)>\n<script>alert(2)</script>"
    # Fields mini.yaml leaves out, so that they are hostile too.
    for seat, options in data["options"].items():
        options[0]["text"] = tags(f"scenario.options.{seat}[0].text")
    for index, turn in enumerate(data["turns"]):
        turn["brief"] = tags(f"scenario.turns[{index}].brief")
    data["injects"][0]["cite"] = tags("scenario.injects[0].cite")
    data["injects"][0]["note"] = tags("scenario.injects[0].note")
    source = data["sources"]["ref-treaties"]
    source["author"], source["publisher"] = tags("scenario.sources.ref-treaties.author"), tags("scenario.sources.ref-treaties.publisher")
    data["seats"]["us"]["objectives"] = [tags("scenario.seats.us.objectives[0]")]
    data["seats"]["us"]["red_lines"] = [tags("scenario.seats.us.red_lines[0]")]
    data["seats"]["us"]["role"] = tags("scenario.seats.us.role")
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# A file name cannot hold "/", so no closing tag: an action that runs to the end, a style, escapes.
HOSTILE_FILE_NAME = "N01:[@click=app.quit]Q [b]KCNA [Korean Central News Agency] \x1b]0;PWNED\x07\x9b31m.jsonl"

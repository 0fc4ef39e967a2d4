"""A bounded, safe YAML reader that keeps every value's line and column.

PyYAML's composer keeps marks but builds a node graph in which an alias is the
same node reached twice: walking it naively turns a "billion laughs" file into
billions of visits. Building our own small tree from the C parser's event stream
lets us refuse anchors, aliases and tags outright, cap depth and size while
parsing, and never construct an object from a tag. Nothing here executes code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs
import yaml

try:  # the C parser is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the build of PyYAML
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]  # the pure-Python twin of the C loader: the same interface

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 48
MAX_NODES = 1_000_000
MAX_SCALAR = 100_000  # characters in one value; the longest bundled text is under 3,000
MAX_NUMBER = 100  # characters of a number, date or yes/no; longer plain text stays text
MAX_MESSAGE = 1_000  # characters of one problem's message (it may quote a value)

_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_ALLOWED_EXPLICIT = _PLAIN_TAGS | {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map", "!"}
_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()


@attrs.frozen
class Problem:
    """One thing wrong with one input file, where a person can find it."""

    path: str
    line: int
    col: int
    message: str = attrs.field(converter=lambda text: _bounded(text, MAX_MESSAGE))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class InputError(Exception):
    """Raised with every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@attrs.define(slots=True)
class Node:
    """A YAML value with its position: kind is 'map', 'seq' or 'scalar'."""

    kind: str
    line: int
    col: int
    value: Any  # map: list[(Node, Node)]; seq: list[Node]; scalar: the Python value
    raw: str | None = None  # the scalar's text as written
    quoted: bool = False

    def describe(self) -> str:
        if self.kind == "map":
            return "a mapping"
        if self.kind == "seq":
            return "a list"
        value = self.value
        if value is None:
            return "nothing (null)"
        if isinstance(value, bool):
            return f"{str(self.raw)!r} (a yes/no value)"
        if isinstance(value, (int, float)):
            return f"the number {self.raw}"
        if isinstance(value, dt.date):
            return f"the date {self.raw}"
        text = self.raw if self.raw is not None else str(value)
        if len(text) > 60:
            return f"{text[:50]!r}... ({len(text):,} characters)"
        return repr(text)


def _bounded(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[: limit - 40]}... ({len(text):,} characters in all)"


def read_text(path: str, data: bytes) -> str:
    """Decode UTF-8 strictly, reporting the line and column of the first bad byte."""
    if len(data) > MAX_BYTES:
        raise InputError([Problem(path, 1, 1, f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,}")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            [Problem(path, line, col, f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")]
        ) from None


def parse(path: str, text: str) -> Node | None:
    """Parse one YAML document into a Node tree; None for an empty file."""
    if text.startswith("\ufeff"):
        text = text[1:]
    loader = _Loader(text)
    try:
        return _build(path, _events(loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = exc.problem or "malformed YAML"
        if exc.context:
            message = f"{message} ({exc.context})"
        raise InputError([Problem(path, line, col, f"YAML syntax: {message}")]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other controls)
        before = text.encode("utf-8", "surrogatepass")[: exc.position]  # libyaml counts bytes
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        code = exc.character if isinstance(exc.character, int) else -1
        raise InputError([Problem(path, line, col, f"character U+{code:04X} is not allowed in YAML ({exc.reason})")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(path, 1, 1, f"YAML: {exc}")]) from None
    finally:
        loader.dispose()


def load(path: str, data: bytes) -> Node | None:
    return parse(path, read_text(path, data))


def _events(loader: Any) -> Iterator[Any]:
    get = loader.get_event  # one call an event: check_event + get_event would be two
    event = get()
    while event is not None:
        yield event
        event = get()


_MAP_START, _SEQ_START = yaml.MappingStartEvent, yaml.SequenceStartEvent
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_SKIP = (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)


def _build(path: str, events: Iterator[Any]) -> Node | None:
    """Nodes from parser events, refusing what is not plain data as soon as it appears.

    Dispatches on the event's exact type, and never runs the implicit resolver
    on a mapping key (a key is text): both matter for large files.
    """

    def fail(event: Any, message: str) -> InputError:
        mark = event.start_mark
        return InputError([Problem(path, mark.line + 1, mark.column + 1, message)])

    def refuse(event: Any) -> None:
        """Refuse an anchor or a tag that is not plain data (called only for an event with either)."""
        if event.anchor is not None:
            raise fail(event, f"anchors (&{event.anchor}) are not supported; write the value out")
        if event.tag not in _ALLOWED_EXPLICIT:
            raise fail(event, f"tag {event.tag!r} is not allowed: tabletop files hold plain data only")

    def too_many(event: Any) -> InputError:
        return fail(event, f"more than {MAX_NODES:,} values; the file is too large to be a scenario")

    stack: list[tuple[Node, list[Any]]] = []  # (container, pending key for maps)
    root: Node | None = None
    documents = 0
    nodes = 0
    for event in events:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            tag = event.tag
            if tag is not None or event.anchor is not None:
                refuse(event)
            nodes += 1
            if nodes > MAX_NODES:
                raise too_many(event)
            if len(event.value) > MAX_SCALAR:
                raise fail(event, f"a value of {len(event.value):,} characters; the limit is {MAX_SCALAR:,}")
            mark = event.start_mark
            if not stack:
                return _scalar(event, mark.line + 1, mark.column + 1, tag)
            parent, pending = stack[-1]
            if parent.kind == "map" and not pending and tag is None:
                # a key: text as written, no resolution
                pending.append(Node("scalar", mark.line + 1, mark.column + 1, event.value, event.value, event.style is not None))
                continue
            _attach(stack, _scalar(event, mark.line + 1, mark.column + 1, tag))
            continue
        if kind is _MAP_START or kind is _SEQ_START:
            if event.tag is not None or event.anchor is not None:
                refuse(event)
            nodes += 1
            if nodes > MAX_NODES:
                raise too_many(event)
            if len(stack) >= MAX_DEPTH:
                raise fail(event, f"nested more than {MAX_DEPTH} levels deep")
            if stack and stack[-1][0].kind == "map" and not stack[-1][1]:
                # `? {a: 1}` or `? [a]`: a key must be text, as every key tabletop reads is
                raise fail(event, f"a {'mapping' if kind is _MAP_START else 'sequence'} as a mapping key; a key must be plain text")
            mark = event.start_mark
            stack.append((Node("map" if kind is _MAP_START else "seq", mark.line + 1, mark.column + 1, []), []))
            continue
        if kind in _ENDS:
            node, pending = stack.pop()
            if node.kind == "map" and pending:
                raise fail(event, "mapping key without a value")
            _attach(stack, node)
            if not stack:
                root = node
            continue
        if kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise fail(event, "expected one YAML document, found a second ('---')")
            continue
        if kind in _SKIP:
            continue
        if kind is yaml.AliasEvent:
            raise fail(event, f"anchors and aliases (*{event.anchor}) are not supported; write the value out")
        raise fail(event, f"unexpected YAML event {kind.__name__}")
    return root


# The resolver's own table: which implicit types a plain scalar may be, by its first character.
# Most scalars in a scenario are words whose first character starts none of them (so text), or
# plain whole numbers and dates; those are read here directly, and the same as the resolver and
# constructor would (tests/test_loading.py compares the two ways).
_IMPLICIT = _resolver.yaml_implicit_resolvers


def _scalar(event: Any, line: int, col: int, tag: str | None) -> Node:
    value_text: str = event.value
    style = event.style
    if tag is None:
        if style:  # quoted or a block (a plain scalar's style is '' or None): text, whatever it looks like
            return Node("scalar", line, col, value_text, value_text, style in ("'", '"', "|", ">"))
        if value_text and value_text[0] not in _IMPLICIT:
            return Node("scalar", line, col, value_text, value_text, False)
        fast = _plain_number_or_date(value_text)
        if fast is not None:
            return Node("scalar", line, col, fast, value_text, False)
    return _resolved(event, line, col, tag, value_text)


def _plain_number_or_date(text: str) -> int | dt.date | None:
    """A plain decimal whole number or a YYYY-MM-DD date, as the resolver reads it; else None."""
    if not text.isascii():
        return None
    if text.isdigit() and (text[0] != "0" or len(text) == 1) and len(text) <= MAX_NUMBER:
        return int(text)  # a leading 0 is octal in YAML 1.1: left to the resolver
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and (text[:4] + text[5:7] + text[8:]).isdigit():
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None  # not a day of the calendar: the resolver's way keeps it as text
    return None


def _resolved(event: Any, line: int, col: int, tag: str | None, value_text: str) -> Node:
    quoted = event.style in ("'", '"', "|", ">")
    if len(value_text) > MAX_NUMBER:  # no number, date or yes/no is this long: keep the text
        tag = _STR  # (and PyYAML's base-60 ints, 1:2:3..., take quadratic time to build)
    elif tag in (None, "!"):
        tag = _resolver.resolve(yaml.ScalarNode, value_text, event.implicit)
    if tag == _STR or quoted:
        return Node("scalar", line, col, value_text, value_text, quoted)
    try:
        value = _constructor.construct_object(yaml.ScalarNode(tag, value_text))
    except Exception:  # an explicit tag on a value it does not fit (!!bool maybe, !!int ""): keep the text
        value = value_text
    if isinstance(value, dt.datetime):
        value = value.date() if (value.hour, value.minute, value.second) == (0, 0, 0) else value
    return Node("scalar", line, col, value, value_text, quoted)


def _attach(stack: list[tuple[Node, list[Any]]], node: Node) -> None:
    if not stack:
        return
    parent, pending = stack[-1]
    if parent.kind == "seq":
        parent.value.append(node)
    elif pending:
        parent.value.append((pending.pop(), node))
    else:
        pending.append(node)


def to_python(node: Node | None) -> Any:
    """Plain Python values (for free-form details), dropping positions."""
    if node is None:
        return None
    if node.kind == "map":
        return {str(k.value): to_python(v) for k, v in node.value}
    if node.kind == "seq":
        return [to_python(v) for v in node.value]
    value = node.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value

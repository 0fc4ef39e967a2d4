"""YAML scenario and rule modules -> model, with every problem reported at once.

Each problem names ``file:line:col`` and says what was expected, so a
facilitator editing a scenario in a text editor can go straight to it. The
loader collects problems instead of stopping at the first, then raises them
together as one :class:`InputError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import attrs

from tabletop import model as m
from tabletop.paths import ScenarioNotFound as ScenarioNotFound  # re-exported: raised by load_named
from tabletop.paths import bundled_rules, require_scenario
from tabletop.yamlnodes import MAX_BYTES, InputError, Node, Problem, load, to_python

T = TypeVar("T")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")


class _Fields(dict):
    """A mapping's values by key; a missing key (already reported) reads as None."""

    def __missing__(self, key: str) -> None:
        return None


class Reader:
    """Converts nodes of one file to values, recording problems instead of raising."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def error(self, node: Node | None, message: str) -> None:
        line, col = (node.line, node.col) if node is not None else (1, 1)
        self.problems.append(Problem(self.path, line, col, message))

    # --- shapes -----------------------------------------------------------
    def fields(
        self, node: Node | None, what: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> dict[str, Node] | None:
        """The mapping's values by key, after checking keys against what is allowed."""
        if node is None:
            return None
        if node.kind != "map":
            self.error(node, f"expected {what} as a mapping (key: value), got {node.describe()}")
            return None
        required = tuple(required)
        allowed = set(required) | set(optional)
        out: dict[str, Node] = _Fields()
        for key, value in node.value:
            name = self.key(key)
            if name is None:
                continue
            if name in out:
                self.error(key, f"duplicate key {name!r} in {what}")
                continue
            if name not in allowed:
                self.error(key, f"unknown key {name!r} in {what}; expected one of: {', '.join(sorted(allowed))}")
                continue
            out[name] = value
        for name in required:
            if name not in out:
                self.error(node, f"missing field {name!r} in {what}")
        return out

    def key(self, node: Node) -> str | None:
        if node.kind != "scalar" or node.value is None:
            self.error(node, f"expected a plain key, got {node.describe()}")
            return None
        return node.raw if node.raw is not None else str(node.value)

    def mapping(self, node: Node | None, what: str) -> list[tuple[str, Node, Node]]:
        if node is None:
            return []
        if node.kind != "map":
            self.error(node, f"expected {what} as a mapping (key: value), got {node.describe()}")
            return []
        seen: set[str] = set()
        out = []
        for key, value in node.value:
            name = self.key(key)
            if name is None:
                continue
            if name in seen:
                self.error(key, f"duplicate key {name!r} in {what}")
                continue
            seen.add(name)
            out.append((name, key, value))
        return out

    def seq(self, node: Node | None, what: str) -> list[Node]:
        if node is None:
            return []
        if node.kind != "seq":
            self.error(node, f"expected {what} as a list, got {node.describe()}")
            return []
        return node.value

    # --- scalars ----------------------------------------------------------
    def text(self, node: Node | None, what: str, default: str = "") -> str:
        if node is None:
            return default
        if node.kind != "scalar" or node.value is None:
            self.error(node, f"expected text for {what}, got {node.describe()}")
            return default
        return node.raw if node.raw is not None else str(node.value)

    def ident(self, node: Node | None, what: str) -> str:
        value = self.text(node, what)
        if node is not None and value and not ID_RE.match(value):
            self.error(node, f"expected an id for {what} (lowercase letters, digits, '-', '_', '.'), got {value!r}")
        return value

    def integer(self, node: Node | None, what: str, default: int = 0) -> int:
        if node is None:
            return default
        if node.kind == "scalar" and isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value
        if node.kind == "scalar" and isinstance(node.value, str) and re.fullmatch(r"[+-]?\d{1,100}", node.value.strip()):
            return int(node.value)
        self.error(node, f"expected a whole number for {what}, got {node.describe()}")
        return default

    def number(self, node: Node | None, what: str, default: float = 0.0) -> float:
        if node is None:
            return default
        if node.kind == "scalar" and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return float(node.value)
        self.error(node, f"expected a number for {what}, got {node.describe()}")
        return default

    def boolean(self, node: Node | None, what: str, default: bool = False) -> bool:
        if node is None:
            return default
        if node.kind == "scalar" and isinstance(node.value, bool):
            return node.value
        self.error(node, f"expected true or false for {what}, got {node.describe()}")
        return default

    def date(self, node: Node | None, what: str) -> dt.date | None:
        if node is None:
            return None
        if node.kind == "scalar":
            value = node.value
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            if isinstance(value, str):
                try:
                    return dt.date.fromisoformat(value.strip())
                except ValueError:
                    pass
        self.error(node, f"expected a date like 2024-11-05 for {what}, got {node.describe()}")
        return None

    def optional_date(self, node: Node | None, what: str) -> dt.date | None:
        if node is None or (node.kind == "scalar" and node.value is None):
            return None
        return self.date(node, what)

    def text_list(self, node: Node | None, what: str) -> tuple[str, ...]:
        if node is None:
            return ()
        if node.kind == "scalar" and node.value is not None:
            return (self.text(node, what),)
        return tuple(self.text(item, what) for item in self.seq(node, what))

    def each(self, node: Node | None, what: str, build: Callable[[Node], T | None]) -> list[T]:
        if node is None:
            return []
        out = []
        for item in self.seq(node, what):
            built = build(item)
            if built is not None:
                out.append(built)
        return out


def read_file(path: Path) -> Node | None:
    return load(str(path), read_bytes(path))


def read_bytes(path: Path) -> bytes:
    """A file's bytes, refused as a problem if unreadable or over the size limit."""
    try:
        with open(path, "rb") as handle:  # never more than the size limit into memory
            size = os.fstat(handle.fileno()).st_size
            data = b"" if size > MAX_BYTES else handle.read(size + 1 if size else MAX_BYTES + 1)
            if len(data) > size:  # it grew, or does not know its size (a pipe): read on, up to the limit
                data += handle.read(MAX_BYTES + 1 - len(data))
            if size > MAX_BYTES or len(data) > MAX_BYTES:
                raise InputError([Problem(str(path), 1, 1, f"file is {max(size, len(data)):,} bytes; the limit is {MAX_BYTES:,}")])
    except OSError as exc:
        raise InputError([Problem(str(path), 1, 1, f"cannot read: {exc.strerror or exc}")]) from None
    return data


# ==========================================================================
# Rule modules
# ==========================================================================

RULE_FILES = ("geography.yaml", "escalation.yaml", "unsc.yaml", "facts.yaml")


def load_rules(folder: str | os.PathLike[str] | None = None) -> m.Rules:
    """Load a rules folder (default: the bundled one) and cross-check it.

    Memoised in this process by the folder and the bytes of its files (their
    digest is cheap next to parsing them), so every scenario, replay and
    report in one process shares one Rules value, and an edited file is read anew.
    """
    root = Path(folder) if folder is not None else bundled_rules()
    try:
        key = (str(root.resolve()), rules_digest(root))
    except OSError:
        key = None  # a missing file: parse, and report it
    if key is not None and key in _RULES:
        return _RULES[key]
    rules = _load_rules(root)
    if key is not None:
        _RULES[key] = rules
    return rules


_RULES: dict[tuple[str, str], m.Rules] = {}


def _load_rules(root: Path) -> m.Rules:
    problems: list[Problem] = []
    readers: list[Reader] = []

    def node_of(path: Path) -> tuple[Reader, Node | None]:
        reader = Reader(str(path))
        readers.append(reader)
        try:
            return reader, read_file(path)
        except InputError as exc:
            problems.extend(exc.problems)
            return reader, None

    for name in RULE_FILES:
        if not (root / name).is_file():
            problems.append(Problem(str(root / name), 1, 1, f"missing rule module {name} in {root}"))
    if problems:
        raise InputError(problems)

    reader, node = node_of(root / "geography.yaml")
    states, territories, regions = _geography(reader, node)
    reader, node = node_of(root / "facts.yaml")
    fact_kinds, fact_fields, lapse_days, immediacy_days = _fact_kinds(reader, node)
    reader, node = node_of(root / "escalation.yaml")
    escalation = _escalation(reader, node, fact_kinds, fact_fields)
    reader, node = node_of(root / "unsc.yaml")
    council = _council(reader, node, states)

    treaties: dict[str, m.Treaty] = {}
    treaty_dir = root / "treaties"
    files = _treaty_files(root)
    for path in files:
        reader, node = node_of(path)
        if node is None:
            continue
        treaty = _treaty(reader, node, states, regions, fact_kinds)
        if treaty is None:
            continue
        if treaty.id in treaties:
            reader.error(node, f"duplicate treaty id {treaty.id!r} (also in another file of {treaty_dir})")
            continue
        treaties[treaty.id] = treaty
    for reader in readers:
        problems.extend(reader.problems)
    if problems:
        raise InputError(problems)
    return m.Rules(
        treaties=treaties,
        states=states,
        territories=territories,
        regions=regions,
        fact_kinds=fact_kinds,
        escalation=escalation,
        council=council,
        path=str(root),
        sha256=rules_digest(root, files),
        fact_fields=fact_fields,
        lapse_days=lapse_days,
        immediacy_days=immediacy_days,
    )


def _treaty_files(root: Path) -> list[Path]:
    treaty_dir = root / "treaties"
    return sorted(treaty_dir.glob("*.yaml")) if treaty_dir.is_dir() else []


def rules_digest(root: Path, files: list[Path] | None = None) -> str:
    """A rules folder's identity (``Rules.sha256``): the names and bytes of every file ``load_rules`` reads."""
    digest = hashlib.sha256()
    for path in [root / n for n in RULE_FILES] + (_treaty_files(root) if files is None else files):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _geography(
    r: Reader, node: Node | None
) -> tuple[dict[str, m.State], dict[str, m.Territory], dict[str, str]]:
    states: dict[str, m.State] = {}
    territories: dict[str, m.Territory] = {}
    regions: dict[str, str] = {}
    if node is None:
        return states, territories, regions
    f = r.fields(node, "geography", ["states", "territories"], ["regions"])
    if f is None:
        return states, territories, regions
    if "regions" in f:
        for name, _key, value in r.mapping(f["regions"], "regions"):
            regions[name] = r.text(value, f"region {name}")
    aliases: dict[str, Node] = {}
    commands: dict[str, Node] = {}
    for name, key, value in r.mapping(f["states"], "states"):
        r.ident(key, "a state")
        sf = r.fields(value, f"state {name!r}", ["name"], ["type", "aliases", "short", "wartime_command"])
        if sf is None:
            continue
        kind = r.text(sf.get("type"), "type", "state")
        if kind not in ("state", "non_state"):
            r.error(sf["type"], f"expected 'state' or 'non_state' for the type of {name!r}, got {kind!r}")
        state_aliases = r.text_list(sf.get("aliases"), "aliases")
        for alias in state_aliases:
            if alias in aliases:
                r.error(sf["aliases"], f"alias {alias!r} is given to two states")
            aliases[alias] = sf["aliases"]
        states[name] = m.State(name, r.text(sf["name"], "name"), kind, state_aliases, r.text(sf.get("short"), "short"))
        if "wartime_command" in sf:
            commands[name] = sf["wartime_command"]
    for alias, where in aliases.items():
        if alias in states:
            r.error(where, f"alias {alias!r} is already a state id")
    for name, node in commands.items():  # once every state is known: a span names another state
        spans = _administration(r, node, name, states, f"the wartime command of {name!r}", "wartime_command")
        if any(span.state == name for span in spans):
            r.error(node, f"the wartime command of {name!r} names {name!r} itself; expected the state that would command its forces")
        states[name] = attrs.evolve(states[name], wartime_command=tuple(s for s in spans if s.state is not None))
    for name, key, value in r.mapping(f["territories"], "territories"):
        r.ident(key, "a territory")
        tf = r.fields(
            value,
            f"territory {name!r}",
            ["name", "administered_by"],
            ["regions", "regions_disputed", "recognized_by", "claimed_by", "aliases", "shared_by", "shared_note", "not_recognised"],
        )
        if tf is None:
            continue
        administration = _administration(r, tf["administered_by"], name, states)
        region_list = r.text_list(tf.get("regions"), "regions")
        disputed = r.text_list(tf.get("regions_disputed"), "regions_disputed")
        for label in ("regions", "regions_disputed"):
            for region in r.text_list(tf.get(label), label):
                if regions and region not in regions:
                    r.error(tf[label], f"undefined region {region!r}; expected one of: {', '.join(regions)}")
        recognised = r.text_list(tf.get("recognized_by"), "recognized_by")
        claimed = r.text_list(tf.get("claimed_by"), "claimed_by")
        shared = r.text_list(tf.get("shared_by"), "shared_by")
        shared_note = r.text(tf.get("shared_note"), "shared_note")
        if bool(shared) != bool(shared_note):
            r.error(tf.get("shared_by") or tf.get("shared_note") or value,
                    f"territory {name!r}: shared_by and shared_note go together (who shares it, and how it is divided)")
        if shared and any(span.state is not None for span in administration):
            r.error(tf["shared_by"], f"territory {name!r} is shared, so no single state administers it: expected 'administered_by: null'")
        not_recognised = r.text(tf.get("not_recognised"), "not_recognised")
        if not_recognised and not claimed:
            r.error(tf["not_recognised"], f"territory {name!r}: not_recognised needs claimed_by, the state whose claim the non-recognition upholds")
        for label, listed in (("recognized_by", recognised), ("claimed_by", claimed), ("shared_by", shared)):
            for state in listed:
                if state != "all" and state not in states:
                    r.error(tf[label], f"undefined state {state!r} in {label}")
        territories[name] = m.Territory(
            name, r.text(tf["name"], "name"), administration, region_list, disputed, recognised, claimed,
            r.text_list(tf.get("aliases"), "aliases"), shared, shared_note, not_recognised,
        )
    for geo in states.values():
        if geo.type == "state" and geo.id not in territories:
            r.error(node, f"state {geo.id!r} has no home territory of the same id under 'territories'")
    return states, territories, regions


def _administration(r: Reader, node: Node | None, territory: str, states: dict[str, m.State],
                    what: str = "", key: str = "administered_by") -> tuple[m.Administration, ...]:
    """``administered_by``: a state, null (no state), or dated spans in order (``what``: of what, for messages).

    Spans are ``{by: STATE or null, from: DATE, to: DATE}``, both ends inclusive;
    the first may leave out ``from`` and the last ``to`` (open-ended). They must
    come in date order and must not overlap; a date no span covers has no
    administering state.
    """
    def state_of(value: Node | None, what: str) -> str | None:
        if value is None or (value.kind == "scalar" and value.value is None):
            return None
        state = r.text(value, what)
        if state and state not in states:
            r.error(value, f"undefined state {state!r} for {what}; expected one of the states above, or null")
        return state or None

    what = what or f"the administration of {territory!r}"
    if node is None:
        return (m.Administration(None),)
    if node.kind != "seq":
        return (m.Administration(state_of(node, key)),)
    spans: list[m.Administration] = []
    items = r.seq(node, what)
    if not items:
        r.error(node, f"expected at least one span in {what}, like {{by: japan, from: 1972-05-15}}")
    for at, item in enumerate(items):
        sf = r.fields(item, f"a span of {what}", ["by"], ["from", "to"])
        if sf is None:
            continue
        start = r.optional_date(sf.get("from"), "from")
        end = r.optional_date(sf.get("to"), "to")
        if start is None and at > 0:
            r.error(item, f"missing field 'from' in a span of {what}; only the first span may be open at its start")
        if end is None and at < len(items) - 1:
            r.error(item, f"missing field 'to' in a span of {what}; only the last span may be open at its end")
        if start and end and end < start:
            r.error(sf["to"], f"dates out of order: the span ends {end}, before it starts {start}")
        if spans and start and spans[-1].end and start <= spans[-1].end:
            r.error(sf["from"], f"dates out of order: the span starts {start}, on or before the previous span ends {spans[-1].end}")
        spans.append(m.Administration(state_of(sf["by"], "by"), start, end))
    return tuple(spans) or (m.Administration(None),)


FIELD_TYPES = ("values", "boolean", "state", "states", "votes", "name", "territory")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # a name a fact gives a thing (a draft): text that is never markup, an id
NAME_RULE = "letters, digits, '-', '_' or '.', at most 64"


def _fact_kinds(r: Reader, node: Node | None) -> tuple[dict[str, m.FactKind], dict[str, m.FactField], int | None, int | None]:
    kinds: dict[str, m.FactKind] = {}
    fields: dict[str, m.FactField] = {}
    if node is None:
        return kinds, fields, None, None
    f = r.fields(node, "fact kinds", ["kinds"], ["fields", "lapse_days", "immediacy_days"])
    if f is None:
        return kinds, fields, None, None
    lapse_days, immediacy_days = (_days(r, f, key) for key in ("lapse_days", "immediacy_days"))
    for name, _key, value in r.mapping(f["kinds"], "kinds"):
        kf = r.fields(value, f"fact kind {name!r}", [], ["requires", "text", "hostile", "ends"])
        if kf is None:
            continue
        requires = r.text_list(kf.get("requires"), "requires")
        for field in requires:
            if field not in ("by", "target", "location"):
                r.error(kf["requires"], f"expected by, target or location in requires, got {field!r}")
        ends = r.text(kf.get("ends"), "ends") or None
        if ends is not None:
            if ends not in m.ENDS:
                r.error(kf["ends"], f"expected ends to be one of {', '.join(m.ENDS)}, got {ends!r}")
                ends = None
            elif not {"by", "target"} <= set(requires):
                r.error(kf["ends"], f"a fact kind that ends a war between states needs 'requires: [by, target]', got {list(requires)}")
                ends = None
        kinds[name] = m.FactKind(name, requires, r.text(kf.get("text"), "text"), r.boolean(kf.get("hostile"), "hostile"), ends)
    for name, key, value in r.mapping(f["fields"], "fields") if "fields" in f else []:
        ff = r.fields(value, f"fact field {name!r}", [], ["type", "values", "kinds", "text", "default"])
        if ff is None:
            continue
        if name in ("kind", "by", "target", "location", "date"):
            r.error(key, f"{name!r} is a standard field of every fact, checked by the loader itself")
        values: tuple[str, ...] = ()
        if "values" in ff:
            values = tuple(n for n, _k, _v in r.mapping(ff["values"], f"the values of {name!r}")) if ff["values"].kind == "map" else r.text_list(ff["values"], "values")
        kind = r.text(ff.get("type"), "type", "values" if values else "")
        if kind not in FIELD_TYPES:
            r.error(ff.get("type") or value, f"expected the type of fact field {name!r} to be one of {', '.join(FIELD_TYPES)}, got {kind!r}")
        if kind == "values" and not values:
            r.error(value, f"fact field {name!r} of type values needs its allowed values under 'values'")
        applies = r.text_list(ff.get("kinds"), "kinds")
        for fact_kind in applies:
            if fact_kind not in kinds:
                r.error(ff["kinds"], f"undefined fact kind {fact_kind!r} for field {name!r}; expected one of: {', '.join(kinds)}")
        default = r.text(ff.get("default"), "default") or None
        if default is not None and values and default not in values:
            r.error(ff["default"], f"the default of fact field {name!r} must be one of its values: {', '.join(values)}")
        fields[name] = m.FactField(name, kind, values, applies, r.text(ff.get("text"), "text"), default)
    return kinds, fields, lapse_days, immediacy_days


def _days(r: Reader, f: dict[str, Node], key: str) -> int | None:
    """A number of days of rules/facts.yaml (``lapse_days``, ``immediacy_days``): 1 or more, or left out (None)."""
    if key not in f:
        return None
    days = r.integer(f[key], key, 1)
    if days < 1:
        r.error(f[key], f"expected {key} to be a whole number of days, 1 or more, got {days}")
        return None
    return days


def _effect_numbers(r: Reader, node: Node, what: str) -> m.AnswerEffect:
    f = r.fields(node, what, [], ["tension", "credibility", "posture", "force", "aid", "text", "honours"]) or {}
    return m.AnswerEffect(
        tension=r.integer(f.get("tension"), "tension"),
        credibility=r.integer(f.get("credibility"), "credibility"),
        posture=r.text(f.get("posture"), "posture") or None,
        force=r.boolean(f.get("force"), "force"),
        aid=r.boolean(f.get("aid"), "aid"),
        text=r.text(f.get("text"), "text").strip(),
        honours=r.boolean(f.get("honours"), "honours"),
    )


ANSWERS = ("honour", "partial", "measures", "consult", "decline")
#: The tables of answers: an obligation's kind, with the article's strength where it has one.
ANSWER_KEYS = ("assist", "assist/automatic", "assist/constitutional", "consult", "contested")
_MATCH_WORDS = ("fact", "states", "home")
_STANDARD_FIELDS = ("by", "target", "location", "on_behalf_of")


def fact_match(r: Reader, node: Node | None, what: str, kinds: Mapping[str, m.FactKind],
               fields: Mapping[str, m.FactField], kind: str | None = None, skip: tuple[str, ...] = ()) -> m.FactMatch | None:
    """A structured test on a fact: ``{fact: KIND or [KINDS], FIELD: VALUE or [VALUES], states: N, home: BOOL}``.

    ``kind`` is the fact kind when the test is written under one (``signals``),
    and ``skip`` the keys its caller reads itself.
    """
    if node is None:
        return None
    if node.kind != "map":
        r.error(node, f"expected {what} as a mapping such as {{fact: armed_attack, scale: war}}, got {node.describe()}")
        return None
    found: dict[str, tuple[object, ...]] = {}
    kind_ids: tuple[str, ...] = (kind,) if kind else ()
    states, home = 0, None
    at_least: dict[str, float] = {}
    for name, _key, value in r.mapping(node, what):
        if name in skip:
            continue
        if name == "fact":
            kind_ids = r.text_list(value, "fact") if value.kind == "seq" else (r.text(value, "fact"),)
            for kind in kind_ids:
                if kind not in kinds:
                    r.error(value, f"undefined fact kind {kind!r} in {what}; expected one of: {', '.join(kinds)}")
        elif name == "states":
            states = r.integer(value, "states")
            if states < 2:
                r.error(value, f"expected states: 2 or more (how many states the matching facts involve), got {states}")
        elif name == "home":
            home = r.boolean(value, "home")
        elif value.kind == "map":
            bound = r.fields(value, f"{name} in {what}", ["at_least"])
            if bound:
                at_least[name] = r.number(bound["at_least"], "at_least")
        else:
            spec = fields.get(name)
            values = []
            for item in value.value if value.kind == "seq" else [value]:
                if item.kind != "scalar" or item.value is None:
                    r.error(item, f"expected a value for {name!r} in {what}, got {item.describe()}")
                    continue
                v = item.raw if isinstance(item.value, str) and item.raw is not None else item.value
                if spec is not None and spec.values and v not in spec.values:
                    r.error(item, f"unexpected {name} {v!r} in {what}; expected one of: {', '.join(spec.values)}")
                values.append(v)
            found[name] = tuple(values)
    if not kind_ids:
        r.error(node, f"missing field 'fact' in {what}: the kind of fact it tests")
        return None
    return m.FactMatch(kind_ids, found, states, home, at_least)


def _matches(r: Reader, node: Node | None, what: str, kinds: Mapping[str, m.FactKind],
             fields: Mapping[str, m.FactField]) -> tuple[m.FactMatch, ...]:
    items = r.seq(node, what) if node is not None and node.kind == "seq" else ([node] if node is not None else [])
    return tuple(x for x in (fact_match(r, item, what, kinds, fields) for item in items) if x is not None)


def _signals(r: Reader, node: Node | None, kinds: Mapping[str, m.FactKind], fields: Mapping[str, m.FactField],
             ladder: list[m.Rung]) -> dict[str, m.Signal]:
    rungs = {x.rung for x in ladder} or {0}
    signals: dict[str, m.Signal] = {}
    for kind, key, value in r.mapping(node, "signals"):
        if kind not in kinds:
            r.error(key, f"undefined fact kind {kind!r} under signals; expected one of: {', '.join(kinds)}")
            continue
        sf = r.fields(value, f"signals.{kind}", [], ["rung", "relief", "when"]) or {}
        rung = r.integer(sf.get("rung"), "rung")
        if sf.get("rung") is not None and rung not in rungs:
            r.error(sf["rung"], f"expected a rung of the ladder ({min(rungs)} to {max(rungs)}), got {rung}")
        rules = []
        for item in r.seq(sf.get("when"), f"signals.{kind}.when"):
            if item.kind != "map":
                r.error(item, f"expected a mapping such as {{scale: war, rung: 6}} in signals.{kind}.when, got {item.describe()}")
                continue
            rung_node = next((v for k, v in item.value if k.value == "rung"), None)
            if rung_node is None:
                r.error(item, f"missing field 'rung' in signals.{kind}.when: the rung a fact that matches shows")
                continue
            level = r.integer(rung_node, "rung")
            if level not in rungs:
                r.error(rung_node, f"expected a rung of the ladder ({min(rungs)} to {max(rungs)}), got {level}")
            relief_node = next((v for k, v in item.value if k.value == "relief"), None)
            match = fact_match(r, item, f"signals.{kind}.when", kinds, fields, kind=kind, skip=("rung", "relief"))
            if match is not None:
                rules.append((match, level, r.integer(relief_node, "relief")))
        signals[kind] = m.Signal(kind, rung, tuple(rules), r.integer(sf.get("relief"), "relief"))
    return signals


def _escalation(r: Reader, node: Node | None, kinds: Mapping[str, m.FactKind] | None = None,
                fields: Mapping[str, m.FactField] | None = None) -> m.Escalation:
    kinds, fields = kinds or {}, fields or {}
    empty = m.Escalation(ladder=(m.Rung(0, "Stable"),), postures=(m.Posture("routine", "Routine"),))
    if node is None:
        return empty
    f = r.fields(node, "escalation", ["ladder", "postures"],
                 ["initial_tension", "credibility", "answers", "answer_text", "signals", "decay", "spiral", "max_fall"])
    if f is None:
        return empty
    ladder = []
    for item in r.seq(f["ladder"], "ladder"):
        rf = r.fields(item, "a rung", ["rung", "name"], ["text", "needs", "within", "needs_text"])
        if rf:
            needs = _matches(r, rf.get("needs"), "needs", kinds, fields)
            within = r.integer(rf.get("within"), "within")
            if within < 0:
                r.error(rf["within"], f"expected within: 0 or more (turns before this one that count), got {within}")
            ladder.append(m.Rung(r.integer(rf["rung"], "rung"), r.text(rf["name"], "name"), r.text(rf.get("text"), "text"),
                                 needs, within, r.text(rf.get("needs_text"), "needs_text").strip()))
    if [x.rung for x in ladder] != list(range(ladder[0].rung, ladder[0].rung + len(ladder))) if ladder else True:
        r.error(f["ladder"], "expected ladder rungs numbered in order without gaps (0, 1, 2, ...)")
    postures = []
    for item in r.seq(f["postures"], "postures"):
        pf = r.fields(item, "a posture", ["id", "name"], ["text"])
        if pf:
            postures.append(m.Posture(r.ident(pf["id"], "posture"), r.text(pf["name"], "name"), r.text(pf.get("text"), "text")))
    cred: dict[str, int] = {"initial": 5, "min": 0, "max": 10, "red_line_unanswered": -2, "unanswered": -2}
    firm: tuple[str, ...] = ()
    if "credibility" in f:
        cf = r.fields(f["credibility"], "credibility", [], [*cred, "firm"]) or {}
        for k in cred:
            cred[k] = r.integer(cf.get(k), k, cred[k])
        firm = r.text_list(cf.get("firm"), "firm")
    answers: dict[str, dict[str, m.AnswerEffect]] = {}
    if "answers" in f:
        posture_ids = {p.id for p in postures}
        for kind, key, value in r.mapping(f["answers"], "answers"):
            if kind not in ANSWER_KEYS:
                r.error(key, f"expected one of {', '.join(ANSWER_KEYS)} under answers, got {kind!r}")
            table: dict[str, m.AnswerEffect] = {}
            for answer, akey, avalue in r.mapping(value, f"answers.{kind}"):
                if answer not in ANSWERS:
                    r.error(akey, f"expected one of {', '.join(ANSWERS)}, got {answer!r}")
                    continue
                effect = _effect_numbers(r, avalue, f"answers.{kind}.{answer}")
                if effect.posture and effect.posture not in posture_ids:
                    r.error(avalue, f"undefined posture {effect.posture!r}")
                table[answer] = effect
            answers[kind] = table
    answer_text = {}
    if "answer_text" in f:
        answer_text = {k: r.text(v, k) for k, _, v in r.mapping(f["answer_text"], "answer_text")}
    initial = r.integer(f.get("initial_tension"), "initial_tension", 2)
    return m.Escalation(
        ladder=tuple(ladder) or empty.ladder,
        postures=tuple(postures) or empty.postures,
        initial_tension=initial,
        credibility_initial=cred["initial"],
        credibility_min=cred["min"],
        credibility_max=cred["max"],
        answers=answers,
        answer_text=answer_text,
        signals=_signals(r, f.get("signals"), kinds, fields, ladder) if "signals" in f else {},
        decay=r.integer(f.get("decay"), "decay", 1),
        max_fall=r.integer(f.get("max_fall"), "max_fall", 2),
        spiral=r.integer(f.get("spiral"), "spiral", 2),
        red_line_unanswered=cred["red_line_unanswered"],
        firm_tags=firm,
        unanswered=cred["unanswered"],
    )


def _council(r: Reader, node: Node | None, states: dict[str, m.State]) -> m.Council:
    if node is None:
        return m.Council(permanent=())
    f = r.fields(
        node,
        "the Security Council module",
        ["permanent"],
        ["id", "title", "members", "threshold", "compulsory_abstention", "articles", "effects", "after_veto"],
    )
    if f is None:
        return m.Council(permanent=())
    permanent = r.text_list(f["permanent"], "permanent")
    for state in permanent:
        if state not in states:
            r.error(f["permanent"], f"undefined state {state!r} among the permanent members")
    articles = []
    for item in r.seq(f["articles"], "articles") if "articles" in f else []:
        af = r.fields(item, "a Charter article", ["id", "text"], ["title", "wording", "source"])
        if af:
            articles.append(
                m.CharterArticle(
                    r.text(af["id"], "id"),
                    r.text(af["text"], "text").strip(),
                    r.text(af.get("source"), "source"),
                    r.text(af.get("title"), "title"),
                    r.text(af.get("wording"), "wording"),
                )
            )
    effects: dict[str, m.Effect] = {}
    if "effects" in f:
        for outcome, _key, value in r.mapping(f["effects"], "effects"):
            ef = r.fields(value, f"effects.{outcome}", [], ["tension"]) or {}
            effects[outcome] = m.Effect(tension=r.integer(ef.get("tension"), "tension"))
    after_veto = []
    for item in r.seq(f["after_veto"], "after_veto") if "after_veto" in f else []:
        vf = r.fields(item, "a procedure after a veto", ["from", "text"], [])
        if vf:
            since = r.optional_date(vf["from"], "from")
            text = " ".join(r.text(vf["text"], "text").split())
            if since is not None and text:
                after_veto.append(m.AfterVeto(since, text))
    return m.Council(
        permanent=permanent,
        members=r.integer(f.get("members"), "members", 15),
        threshold=r.integer(f.get("threshold"), "threshold", 9),
        compulsory_abstention=r.text_list(f.get("compulsory_abstention"), "compulsory_abstention"),
        articles=tuple(articles),
        effects=effects,
        after_veto=tuple(after_veto),
    )


ROLES = {"any_party", "target", "beneficiary", "obligor"}


def _location_rule(r: Reader, node: Node, states: dict[str, m.State], regions: dict[str, str]) -> m.LocationRule | None:
    f = r.fields(node, "a location condition", [], ["administered_by", "region", "recognized_by"])
    if f is None:
        return None
    admin = r.text(f.get("administered_by"), "administered_by") or None
    recog = r.text(f.get("recognized_by"), "recognized_by") or None
    for value, key in ((admin, "administered_by"), (recog, "recognized_by")):
        if value and value not in ROLES and value not in states:
            r.error(f[key], f"expected a state or one of {', '.join(sorted(ROLES))} for {key}, got {value!r}")
    region = r.text(f.get("region"), "region") or None
    if region and regions and region not in regions:
        r.error(f["region"], f"undefined region {region!r}; expected one of: {', '.join(regions)}")
    return m.LocationRule(admin, region, recog)


def _trigger(
    r: Reader, node: Node, states: dict[str, m.State], regions: dict[str, str], kinds: dict[str, m.FactKind], nested: bool = False
) -> m.Trigger | None:
    required = [] if nested else ["fact"]
    f = r.fields(node, "a trigger", required, ["fact", "target", "by", "by_state", "state_of_war", "location", "any_of", "unprovoked",
                                               "launched_from", "not_in_defence_of_party"])
    if f is None:
        return None
    fact = r.text_list(f.get("fact"), "fact")
    for kind in fact:
        if kinds and kind not in kinds:
            r.error(f["fact"], f"undefined fact kind {kind!r}; expected one of rules/facts.yaml: {', '.join(kinds)}")
    target = r.text(f.get("target"), "target") or None
    if target and target != "party" and target not in states:
        r.error(f["target"], f"expected 'party' or a state for target, got {target!r}")
    by = r.text(f.get("by"), "by") or None
    if by and by not in ("non_party", "party"):
        r.error(f["by"], f"expected 'non_party' or 'party' for by, got {by!r}")
    location = _location_rule(r, f["location"], states, regions) if "location" in f else None
    launched_from = _location_rule(r, f["launched_from"], states, regions) if "launched_from" in f else None
    any_of = tuple(
        t for t in (_trigger(r, n, states, regions, kinds, nested=True) for n in r.seq(f["any_of"], "any_of")) if t
    ) if "any_of" in f else ()
    return m.Trigger(
        fact=fact,
        target=target,
        by=by,
        by_state=r.boolean(f.get("by_state"), "by_state"),
        state_of_war=r.boolean(f.get("state_of_war"), "state_of_war"),
        location=location,
        any_of=any_of,
        unprovoked=r.boolean(f.get("unprovoked"), "unprovoked"),
        launched_from=launched_from,
        not_in_defence_of_party=r.boolean(f.get("not_in_defence_of_party"), "not_in_defence_of_party"),
    )


def _duty(r: Reader, node: Node) -> m.Duty | None:
    f = r.fields(node, "an obligation", ["kind", "duty"], ["who", "strength", "qualifiers"])
    if f is None:
        return None
    kind = r.text(f["kind"], "kind")
    if kind not in ("assist", "consult"):
        r.error(f["kind"], f"expected 'assist' or 'consult' for the kind of obligation, got {kind!r}")
    who = r.text(f.get("who"), "who", "other_parties")
    if who not in ("other_parties", "acting_party"):
        r.error(f["who"], f"expected 'other_parties' or 'acting_party' for who, got {who!r}")
    return m.Duty(
        kind=kind,
        duty=r.text(f["duty"], "duty"),
        who=who,
        strength=r.text(f.get("strength"), "strength"),
        qualifiers=r.text_list(f.get("qualifiers"), "qualifiers"),
    )


def _treaty(
    r: Reader, node: Node, states: dict[str, m.State], regions: dict[str, str], kinds: dict[str, m.FactKind]
) -> m.Treaty | None:
    f = r.fields(
        node,
        "a treaty",
        ["id", "title", "parties", "signed", "in_force", "articles"],
        ["short", "ended", "ended_disputed_from", "source", "note", "party_names"],
    )
    if f is None:
        return None
    parties = r.text_list(f["parties"], "parties")
    for party in parties:
        if party not in states:
            r.error(f["parties"], f"undefined state {party!r} among the parties; expected a state of geography.yaml")
    if len(parties) < 2:
        r.error(f["parties"], "expected at least two parties")
    signed = r.date(f["signed"], "signed")
    in_force = r.optional_date(f["in_force"], "in_force")
    ended = r.optional_date(f.get("ended"), "ended")
    disputed = r.optional_date(f.get("ended_disputed_from"), "ended_disputed_from")
    if signed and in_force and in_force < signed:
        r.error(f["in_force"], f"dates out of order: in force {in_force} before signature {signed}")
    if in_force and ended and ended <= in_force:
        r.error(f["ended"], f"dates out of order: ended {ended} on or before entry into force {in_force}")
    if disputed and not ended:
        r.error(f["ended_disputed_from"], "ended_disputed_from needs an 'ended' date")
    if disputed and ended and disputed > ended:
        r.error(f["ended_disputed_from"], f"dates out of order: disputed end {disputed} after the end {ended}")
    articles: list[m.Article] = []
    seen: set[str] = set()
    for item in r.seq(f["articles"], "articles"):
        article = _article(r, item, states, regions, kinds, parties)
        if article is None:
            continue
        if article.id in seen:
            r.error(item, f"duplicate article id {article.id!r}")
            continue
        seen.add(article.id)
        articles.append(article)
    party_names = {}
    if "party_names" in f:
        party_names = {k: r.text(v, k) for k, _, v in r.mapping(f["party_names"], "party_names")}
    return m.Treaty(
        id=r.ident(f["id"], "the treaty"),
        title=r.text(f["title"], "title"),
        parties=parties,
        signed=signed or dt.date.min,
        in_force=in_force,
        articles=tuple(articles),
        short=r.text(f.get("short"), "short"),
        ended=ended,
        ended_disputed_from=disputed,
        source=r.text(f.get("source"), "source"),
        note=r.text(f.get("note"), "note").strip(),
        party_names=party_names,
    )


def _article(
    r: Reader,
    node: Node,
    states: dict[str, m.State],
    regions: dict[str, str],
    kinds: dict[str, m.FactKind],
    parties: tuple[str, ...],
) -> m.Article | None:
    f = r.fields(
        node,
        "an article",
        ["id", "text", "source"],
        ["title", "wording", "trigger", "obligation", "clauses", "understandings"],
    )
    if f is None:
        return None
    clauses: list[m.Clause] = []
    if ("trigger" in f) != ("obligation" in f):
        r.error(node, "an article with a trigger needs an obligation, and the other way round")
    elif "trigger" in f:
        trigger, duty = _trigger(r, f["trigger"], states, regions, kinds), _duty(r, f["obligation"])
        if trigger and duty:
            clauses.append(m.Clause(trigger, duty))
    for item in r.seq(f["clauses"], "clauses") if "clauses" in f else []:
        cf = r.fields(item, "a clause", ["trigger", "obligation"])
        if cf:
            trigger, duty = _trigger(r, cf["trigger"], states, regions, kinds), _duty(r, cf["obligation"])
            if trigger and duty:
                clauses.append(m.Clause(trigger, duty))
    understandings = []
    for item in r.seq(f["understandings"], "understandings") if "understandings" in f else []:
        uf = r.fields(item, "an understanding", ["by", "text"], ["wording", "source", "requires"])
        if uf is None:
            continue
        by = r.text(uf["by"], "by")
        if by not in parties:
            r.error(uf["by"], f"an understanding is attached by a party; {by!r} is not one of {', '.join(parties)}")
        external, location = False, None
        if "requires" in uf:
            rf = r.fields(uf["requires"], "requires", [], ["external", "location"]) or {}
            external = r.boolean(rf.get("external"), "external")
            if "location" in rf:
                location = _location_rule(r, rf["location"], states, regions)
        understandings.append(
            m.Understanding(
                by=by,
                text=r.text(uf["text"], "text").strip(),
                source=r.text(uf.get("source"), "source"),
                wording=r.text(uf.get("wording"), "wording"),
                external=external,
                location=location,
            )
        )
    return m.Article(
        id=r.text(f["id"], "the article id"),
        text=r.text(f["text"], "text").strip(),
        source=r.text(f["source"], "source"),
        title=r.text(f.get("title"), "title"),
        wording=r.text(f.get("wording"), "wording"),
        clauses=tuple(clauses),
        understandings=tuple(understandings),
    )


# ==========================================================================
# Facts (shared by scenarios and `tabletop resolve` input)
# ==========================================================================

FACT_FIELDS = ("kind", "by", "target", "location", "on_behalf_of", "date")


def read_fact(r: Reader, node: Node, rules: m.Rules) -> m.Fact | None:
    if node.kind != "map":
        r.error(node, f"expected a fact as a mapping like {{kind: missile_test, by: dprk}}, got {node.describe()}")
        return None
    values: dict[str, Node] = {}
    for key, value in node.value:
        name = r.key(key)
        if name is None:
            continue
        if name in values:
            r.error(key, f"duplicate key {name!r} in a fact")
            continue
        values[name] = value
    if "kind" not in values:
        r.error(node, "missing field 'kind' in a fact; expected one of: " + ", ".join(rules.fact_kinds))
        return None
    kind = r.text(values["kind"], "kind")
    spec = rules.fact_kinds.get(kind)
    if spec is None:
        r.error(values["kind"], f"unknown fact kind {kind!r}; expected one of: {', '.join(rules.fact_kinds)}")
        return None
    for needed in spec.requires:
        if needed not in values:
            r.error(node, f"missing field {needed!r} in a {kind} fact")

    def state(name: str) -> str | None:
        if name not in values:
            return None
        raw = r.text(values[name], name)
        canonical = rules.canonical(raw)
        if canonical not in rules.states:
            r.error(values[name], f"undefined state {raw!r} for {name}; expected one of: {', '.join(rules.states)}")
        return canonical

    location = None
    if "location" in values:
        raw = r.text(values["location"], "location")
        location = rules.territory_id(raw)
        if location not in rules.territories:
            r.error(values["location"], f"undefined territory {raw!r}; expected one of rules/geography.yaml: {', '.join(rules.territories)}")
    details: dict[str, Any] = {}
    for name, value in values.items():
        field = rules.fact_fields.get(name)
        if field is not None and field.kinds and kind not in field.kinds:
            r.error(value, f"{name!r} applies only to {_either(field.kinds)} facts, not to {_a(kind)} fact")
        if name in FACT_FIELDS:
            continue
        if value.kind == "map" and (field is None or field.type != "votes"):
            r.error(value, f"expected a value or a list for {name!r} in a fact, got a mapping")
            continue
        details[name] = to_python(value)
        if field is not None:
            _check_field(r, field, value, kind, rules)
            if field.type == "name" and value.kind == "scalar" and value.raw is not None:
                details[name] = value.raw  # a name as written: 007 is no number 7
    target = state("target")
    by = state("by")
    helper = state("on_behalf_of")
    if by is not None and by == target:
        r.error(values["target"], f"by and target name the same state, {by!r}; expected {_a(kind)} fact to act on another state")
    if kind in ("armed_attack", "state_of_war"):
        if helper is not None and helper in (by, target):
            r.error(values["on_behalf_of"], f"on_behalf_of names the state {'acting' if helper == by else 'attacked'}; expected the state on whose behalf {by} acts (collective self-defence)")
        partners = details.get("with")
        for partner in partners if isinstance(partners, list) else [partners] if partners is not None else []:
            if rules.canonical(str(partner)) in (by, target):
                r.error(values["with"], f"with: names {partner!r}, the state {'acting' if rules.canonical(str(partner)) == by else 'attacked'}; expected the states acting together with {by}")
    if location is None and kind in ("armed_attack", "threat") and target in rules.territories:
        location = target  # an attack on a state, nowhere else said, is on its own territory
    return m.Fact(
        kind=kind,
        by=by,
        target=target,
        location=location,
        on_behalf_of=helper,
        date=r.date(values["date"], "date") if "date" in values else None,
        details=details,
    )


def _a(kind: str) -> str:
    """``an armed_attack``, ``a talks``: the article a fact kind takes in a message."""
    return ("an " if kind[:1] in "aeiou" else "a ") + kind


def _either(kinds: tuple[str, ...]) -> str:
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]


def _check_field(r: Reader, spec: m.FactField, node: Node, kind: str, rules: m.Rules) -> None:
    """One checked field of a fact (rules/facts.yaml ``fields:``): refused with the values allowed."""
    name = spec.id

    def one_state(item: Node, what: str) -> None:
        if item.kind != "scalar" or item.value is None or isinstance(item.value, bool):
            r.error(item, f"expected a state for {what}, got {item.describe()}")
            return
        raw = r.text(item, what)
        if rules.canonical(raw) not in rules.states:
            r.error(item, f"undefined state {raw!r} in {what}; expected one of: {', '.join(rules.states)}")

    def states(item: Node, what: str) -> None:
        for each in item.value if item.kind == "seq" else [item]:
            one_state(each, what)

    if spec.type == "values":
        if node.kind != "scalar" or node.value is None:
            r.error(node, f"expected one of {', '.join(spec.values)} for {name} in {_a(kind)} fact, got {node.describe()}")
        elif (value := r.text(node, name)) not in spec.values:
            r.error(node, f"unknown {name} {value!r} in {_a(kind)} fact; expected one of: {', '.join(spec.values)}")
    elif spec.type == "boolean":
        if not (node.kind == "scalar" and isinstance(node.value, bool)):
            r.error(node, f"expected true or false for {name} in {_a(kind)} fact, got {node.describe()}")
    elif spec.type == "state":
        one_state(node, name)
    elif spec.type == "states":
        states(node, f"{name}:")
    elif spec.type == "territory":
        raw = r.text(node, name) if node.kind == "scalar" and node.value is not None else ""
        if rules.territory_id(raw) not in rules.territories:
            r.error(node, f"undefined territory {raw or node.describe()!r} for {name}; expected one of rules/geography.yaml: {', '.join(rules.territories)}")
    elif spec.type == "name":
        if node.kind != "scalar" or node.value is None or isinstance(node.value, bool) or not NAME.fullmatch(str(node.value)):
            r.error(node, f"expected a name for {name} in {_a(kind)} fact ({NAME_RULE}), got {node.describe()}")
    elif spec.type == "votes":
        seen: dict[str, str] = {}  # state -> the side it is listed on
        count = 0
        for side, key, voters in r.mapping(node, "votes"):
            if side not in ("for", "against", "abstain"):
                r.error(key, f"expected for, against or abstain under votes, got {side!r}")
            elif side == "for" and voters.kind == "scalar" and isinstance(voters.value, int) and not isinstance(voters.value, bool):
                if voters.value < 0:
                    r.error(voters, f"expected a number of votes in favour, 0 or more, got {voters.value}")
                count += max(voters.value, 0)  # a count of the votes in favour
            else:
                states(voters, f"votes.{side}")
                for each in voters.value if voters.kind == "seq" else [voters]:
                    if each.kind != "scalar" or each.value is None:
                        continue  # (refused above as no state)
                    voter = rules.canonical(str(each.value))
                    if voter in seen:
                        r.error(each, f"{voter!r} is listed twice in votes: under {seen[voter]} and under {side}; a member casts one vote")
                    seen[voter] = side
                    count += 1
        if count > rules.council.members:
            r.error(node, f"{count} votes for a council of {rules.council.members} members; expected at most {rules.council.members}")


def load_facts(path: str | os.PathLike[str], rules: m.Rules) -> tuple[dt.date, list[m.Fact]]:
    """The input of ``tabletop resolve``: a date and an ordered list of facts."""
    p = Path(path)
    node = read_file(p)
    r = Reader(str(p))
    if node is None:
        raise InputError([Problem(str(p), 1, 1, "empty file; expected 'date:' and 'facts:'")])
    f = r.fields(node, "a facts file", ["date", "facts"])
    if f is None:
        raise InputError(r.problems)
    date = r.date(f.get("date"), "date") if "date" in f else None
    facts = r.each(f.get("facts"), "facts", lambda n: read_fact(r, n, rules))
    if r.problems:
        raise InputError(r.problems)
    assert date is not None
    return date, facts


# ==========================================================================
# Scenarios
# ==========================================================================


def load_scenario(path: str | os.PathLike[str], rules: m.Rules | None = None) -> tuple[m.Scenario, m.Rules]:
    """Load a scenario and the rules it plays under (its own folder, or the bundled rules), or raise every problem found."""
    p = Path(path)
    data = read_bytes(p)
    sha = hashlib.sha256(data).hexdigest()
    node = load(str(p), data)
    r = Reader(str(p))
    if node is None:
        raise InputError([Problem(str(p), 1, 1, "empty file; expected a scenario (id, title, seats, turns, injects)")])
    if rules is None:
        rules = _scenario_rules(_rules_value(node), p)
    scenario = _scenario(r, node, rules)
    if r.problems or scenario is None:
        raise InputError(r.problems)
    return attrs.evolve(scenario, path=str(p.resolve()), sha256=sha), rules


def load_named(name_or_path: str | os.PathLike[str]) -> tuple[m.Scenario, m.Rules]:
    """A scenario by path, or by the id of a bundled or user scenario, as the command line names it.

    Raises :class:`ScenarioNotFound` (from ``tabletop.paths``) when there is none.
    """
    return load_scenario(require_scenario(str(name_or_path)))


def _rules_value(node: Node) -> Node | None:
    """The value of a scenario's ``rules:``, naming its own rules folder; None for the bundled rules."""
    if node.kind == "map":
        for key, value in node.value:
            if key.value == "rules" and value.kind == "scalar" and value.value:
                return value
    return None


def _own_rules_folder(path: Path, name: Any) -> tuple[Path, str | None]:
    """The folder a scenario at ``path`` names, and why it may not be used (None if it may)."""
    folder = (path.parent / str(name)).resolve()
    if not folder.is_relative_to(path.parent.resolve()):
        return folder, f"rules folder {name!r} lies outside the scenario's own folder"
    if not folder.is_dir():
        return folder, f"rules folder {name!r} does not exist"
    return folder, None


def _scenario_rules(value: Node | None, path: Path) -> m.Rules:
    """A scenario may name its own rules folder, which must lie inside its own folder."""
    if value is None:
        return load_rules()
    folder, refusal = _own_rules_folder(path, value.value)
    if refusal:
        raise InputError([Problem(str(path), value.line, value.col, refusal)])
    return load_rules(folder)


SCENARIO_KEYS = ("id", "title", "start", "seats", "turns", "injects")
SCENARIO_OPTIONAL = (
    "options", "end", "setting", "treaties", "initial", "sources", "timeline", "rules", "description",
    "objectives", "control", "corrections", "facilitation", "debrief",
)


def _effects(r: Reader, node: Node | None, rules: m.Rules, seats: set[str], own: str | None) -> m.Effect:
    if node is None:
        return m.Effect()
    f = r.fields(node, "effects", [], ["tension", "credibility", "posture"])
    if f is None:
        return m.Effect()
    postures = {p.id for p in rules.escalation.postures}

    def per_seat(name: str, read: Callable[[Node, str], Any]) -> dict[str, Any]:
        value = f.get(name)
        if value is None:
            return {}
        if value.kind == "scalar":
            if own is None:
                r.error(value, f"expected a map of seats for {name} in an inject, like {{us: 1}}")
                return {}
            return {own: read(value, name)}
        out = {}
        for seat, key, v in r.mapping(value, name):
            if seat not in seats:
                r.error(key, f"undefined seat {seat!r} in {name}; expected one of: {', '.join(sorted(seats))}")
            out[seat] = read(v, f"{name} of {seat}")
        return out

    def posture(node: Node, what: str) -> str:
        value = r.text(node, what)
        if value not in postures:
            r.error(node, f"undefined posture {value!r}; expected one of: {', '.join(sorted(postures))}")
        return value

    return m.Effect(
        tension=r.integer(f.get("tension"), "tension"),
        credibility=per_seat("credibility", lambda n, w: r.integer(n, w)),
        posture=per_seat("posture", posture),
    )


def _scenario(r: Reader, node: Node | None, rules: m.Rules) -> m.Scenario | None:
    f = r.fields(node, "a scenario", SCENARIO_KEYS, SCENARIO_OPTIONAL)
    if f is None:
        return None
    scenario_id = r.ident(f.get("id"), "the scenario") if "id" in f else ""
    start = r.date(f.get("start"), "start") if "start" in f else None
    end = r.optional_date(f.get("end"), "end")

    sources: dict[str, m.Source] = {}
    for source_id, _knode, value in r.mapping(f["sources"], "sources") if "sources" in f else []:
        sf = r.fields(value, f"source {source_id!r}", ["title"], ["author", "publisher", "date", "url", "note"])
        if sf:
            sources[source_id] = m.Source(
                source_id,
                r.text(sf["title"], "title"),
                r.text(sf.get("author"), "author") or None,
                r.text(sf.get("publisher"), "publisher") or None,
                r.optional_date(sf.get("date"), "date"),
                r.text(sf.get("url"), "url") or None,
                r.text(sf.get("note"), "note") or None,
            )

    def source_ref(node: Node | None) -> str:
        key = r.text(node, "source")
        if node is not None and key and key not in sources:
            r.error(node, f"undefined source {key!r}; expected a key under 'sources'")
        return key

    timeline: list[m.TimelineEntry] = []
    last: dt.date | None = None
    for item in r.seq(f["timeline"], "timeline") if "timeline" in f else []:
        tf = r.fields(item, "a timeline entry", ["date", "title", "source"], ["text", "note"])
        if not tf:
            continue
        date = r.date(tf["date"], "date")
        if date and last and date < last:
            r.error(tf["date"], f"dates out of order: {date} comes after {last} in the timeline")
        last = date or last
        timeline.append(m.TimelineEntry(date or dt.date.min, r.text(tf["title"], "title"), source_ref(tf["source"]),
                                        r.text(tf.get("text"), "text").strip(), r.text(tf.get("note"), "note").strip()))

    objectives = _objectives(r, f.get("objectives"))
    objective_ids = {o.id for o in objectives}

    seats: dict[str, m.Seat] = {}
    leads: list[tuple[str, m.Role, Node]] = []  # checked against the options once they are read
    for seat_id, key, value in r.mapping(f["seats"], "seats") if "seats" in f else []:
        seat = _seat(r, seat_id, value, rules, source_ref, leads)
        is_state = rules.canonical(seat_id) in rules.states and rules.states[rules.canonical(seat_id)].type == "state"
        if seat and seat.kind == "organization":
            r.ident(key, "a seat")
            if is_state:
                r.error(key, f"seat {seat_id!r} is a state of rules/geography.yaml; leave out 'kind: organization'")
        elif not is_state:
            r.error(key, f"seat {seat_id!r} is not a state of rules/geography.yaml (a seat that is not a state says 'kind: organization')")
        if seat:
            seats[seat_id] = seat
    seat_ids = set(seats)
    control = _control(r, f.get("control"), seat_ids)

    treaties = None
    if "treaties" in f:
        treaties = r.text_list(f["treaties"], "treaties")
        for t in treaties:
            if t not in rules.treaties:
                r.error(f["treaties"], f"undefined treaty {t!r}; expected one of: {', '.join(rules.treaties)}")
    for seat in seats.values():
        for alliance in seat.alliances:
            if alliance.treaty and alliance.treaty not in rules.treaties:
                r.error(f["seats"], f"undefined treaty {alliance.treaty!r} in the alliances of {seat.id!r}")

    turns: list[m.Turn] = []
    for item in r.seq(f["turns"], "turns") if "turns" in f else []:
        tf = r.fields(item, "a turn", ["id", "title", "from", "to"], ["brief", "questions", "minutes"])
        if not tf:
            continue
        turn_id = r.integer(tf["id"], "the turn id")
        t_from, t_to = r.date(tf["from"], "from"), r.date(tf["to"], "to")
        if t_from and t_to and t_to < t_from:
            r.error(tf["to"], f"dates out of order: turn {turn_id} ends {t_to} before it starts {t_from}")
        if turns:
            prev = turns[-1]
            if turn_id != prev.id + 1:
                r.error(tf["id"], f"expected turn {prev.id + 1} after turn {prev.id}, got {turn_id}")
            # a turn may start on the day the last one ends: the modules of a one-day exercise share it
            if t_from and t_from < prev.end:
                r.error(tf["from"], f"dates out of order: turn {turn_id} starts {t_from}, before turn {prev.id} ends {prev.end}")
        elif turn_id != 1:
            r.error(tf["id"], f"expected the first turn to be 1, got {turn_id}")
        if start and t_from and t_from < start and not turns:
            r.error(tf["from"], f"dates out of order: turn {turn_id} starts {t_from}, before the scenario start {start}")
        turns.append(
            m.Turn(turn_id, r.text(tf["title"], "title"), t_from or dt.date.min, t_to or dt.date.min,
                   r.text(tf.get("brief"), "brief").strip(), r.text_list(tf.get("questions"), "questions"),
                   _minutes(r, tf.get("minutes"), f"the minutes of turn {turn_id}"))
        )
    if "turns" in f and not turns and not r.problems:
        r.error(f["turns"], "expected at least one turn")
    if end and turns and turns[-1].end > end:
        r.error(f["end"], f"dates out of order: the scenario ends {end}, before its last turn ends {turns[-1].end}")
    turn_by_id = {t.id: t for t in turns}

    injects: list[m.Inject] = []
    inject_ids: set[str] = set()
    last_by_turn: dict[int, dt.date] = {}
    for item in r.seq(f["injects"], "injects") if "injects" in f else []:
        inject = _inject(r, item, rules, seat_ids, turn_by_id, source_ref, start, objective_ids, control)
        if inject is None:
            continue
        if inject.id in inject_ids:
            r.error(item, f"duplicate inject id {inject.id!r}")
            continue
        inject_ids.add(inject.id)
        if inject.date and not inject.standby:
            previous = last_by_turn.get(inject.turn)
            if previous and inject.date < previous:
                r.error(item, f"dates out of order: inject {inject.id!r} ({inject.date}) is listed after an inject of {previous} in turn {inject.turn}")
            last_by_turn[inject.turn] = inject.date
        injects.append(inject)

    options: dict[str, tuple[m.Option, ...]] = {}
    for seat_id, key, value in r.mapping(f["options"], "options") if "options" in f else []:
        if seat_id not in seat_ids:
            r.error(key, f"undefined seat {seat_id!r} under options; expected one of: {', '.join(seats)}")
            continue
        seen: set[str] = set()
        built = []
        for item in r.seq(value, f"options of {seat_id}"):
            option = _option(r, item, seat_id, rules, seat_ids, turn_by_id)
            if option is None:
                continue
            if option.id in seen:
                r.error(item, f"duplicate option id {option.id!r} for {seat_id}")
                continue
            seen.add(option.id)
            built.append(option)
        options[seat_id] = tuple(built)
    # No options at all is an open-response exercise: every seat decides in its own words.
    # Once there are menus, each seat has one (an empty list says a seat answers in free text).
    for seat_id in seats:
        if seat_id not in options and options:
            r.error(f["options"], f"seat {seat_id!r} has no options (write '{seat_id}: []' for a seat that answers in its own words)")
    for seat_id, role, where in leads:
        known = {o.id for o in options.get(seat_id, ())}
        for option_id in role.leads:
            if option_id not in known:
                r.error(where, f"undefined option {option_id!r} in the leads of role {role.id!r} of {seat_id!r}; expected one of: {', '.join(sorted(known))}")

    corrections = _corrections(r, f.get("corrections"), source_ref, inject_ids)
    facilitation = _facilitation(r, f.get("facilitation"), source_ref, rules)
    debrief = _debrief(r, f.get("debrief"), source_ref, end or (turns[-1].end if turns else None))

    initial = m.Initial()
    if "initial" in f:
        eff = _effects(r, f["initial"], rules, seat_ids, None)
        given = dict((k.value, v) for k, v in f["initial"].value) if f["initial"].kind == "map" else {}
        tension = eff.tension if "tension" in given else None
        if tension is not None and not (rules.escalation.bottom <= tension <= rules.escalation.top):
            r.error(given["tension"], f"expected a rung from {rules.escalation.bottom} to {rules.escalation.top}, got {tension}")
        esc = rules.escalation
        if "credibility" in given and given["credibility"].kind == "map":
            for key, value in given["credibility"].value:
                credibility = eff.credibility.get(key.value)
                if type(credibility) is int and not esc.credibility_min <= credibility <= esc.credibility_max:
                    r.error(value, f"expected credibility from {esc.credibility_min} to {esc.credibility_max} (the ladder's range), got {credibility}")
        initial = m.Initial(tension, eff.credibility, eff.posture)

    if not all(k in f for k in ("id", "title")) or start is None:
        return None
    return m.Scenario(
        id=scenario_id,
        title=r.text(f["title"], "title"),
        start=start,
        end=end,
        setting=r.text(f.get("setting") or f.get("description"), "setting").strip(),
        seats=seats,
        turns=tuple(turns),
        injects=tuple(injects),
        options=options,
        sources=sources,
        timeline=tuple(timeline),
        treaties=treaties,
        initial=initial,
        objectives=objectives,
        control=control,
        corrections=corrections,
        facilitation=facilitation,
        debrief=debrief,
    )


# --- the exercise package: objectives, roles, control cells, the guide's sections ----------


def _objectives(r: Reader, node: Node | None) -> tuple[m.Objective, ...]:
    out: list[m.Objective] = []
    seen: set[str] = set()
    for item in r.seq(node, "objectives"):
        of = r.fields(item, "an objective", ["id", "text"])
        if not of:
            continue
        objective_id = r.ident(of["id"], "an objective")
        if objective_id in seen:
            r.error(of["id"], f"duplicate objective id {objective_id!r}")
            continue
        seen.add(objective_id)
        out.append(m.Objective(objective_id, r.text(of["text"], "text").strip()))
    return tuple(out)


def _roles(r: Reader, node: Node | None, owner: str) -> list[tuple[m.Role, Node]]:
    """A team's or a cell's roles, each with the node it came from (for errors found later)."""
    out: list[tuple[m.Role, Node]] = []
    seen: set[str] = set()
    for item in r.seq(node, f"the roles of {owner!r}"):
        rf = r.fields(item, f"a role of {owner!r}", ["id", "title"], ["focus", "leads", "merge_into"])
        if not rf:
            continue
        role_id = r.ident(rf["id"], "a role")
        if role_id in seen:
            r.error(rf["id"], f"duplicate role id {role_id!r} in {owner!r}")
            continue
        seen.add(role_id)
        role = m.Role(
            id=role_id,
            title=r.text(rf["title"], "title"),
            focus=r.text(rf.get("focus"), "focus").strip(),
            leads=r.text_list(rf.get("leads"), "leads"),
            merge_into=r.text(rf.get("merge_into"), "merge_into") or None,
        )
        out.append((role, rf.get("leads") or item))
    ids = {role.id for role, _ in out}
    for role, where in out:
        if role.merge_into is not None and (role.merge_into not in ids or role.merge_into == role.id):
            r.error(where, f"role {role.id!r} of {owner!r} merges into {role.merge_into!r}; expected another role of {owner!r}: {', '.join(sorted(ids - {role.id}))}")
    return out


def _control(r: Reader, node: Node | None, seat_ids: set[str]) -> dict[str, m.ControlCell]:
    cells: dict[str, m.ControlCell] = {}
    for cell_id, key, value in r.mapping(node, "control"):
        r.ident(key, "a control cell")
        if cell_id in seat_ids or cell_id == "all":
            r.error(key, f"control cell {cell_id!r} has the id of a seat; a cell plays a character, not a state: give it its own id")
            continue
        cf = r.fields(value, f"control cell {cell_id!r}", ["name"], ["brief", "roles"])
        if cf is None:
            continue
        roles = tuple(role for role, _ in _roles(r, cf.get("roles"), cell_id))
        for role in roles:
            if role.leads:
                r.error(cf["roles"], f"role {role.id!r} of control cell {cell_id!r} has leads; a control cell has no options (its moves are the injects sent from it)")
        cells[cell_id] = m.ControlCell(cell_id, r.text(cf["name"], "name"), r.text(cf.get("brief"), "brief").strip(), roles)
    return cells


def _minutes(r: Reader, node: Node | None, what: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for phase, key, value in r.mapping(node, what):
        if phase not in m.PHASES:
            r.error(key, f"unknown phase {phase!r} in {what}; expected one of: {', '.join(m.PHASES)}")
            continue
        minutes = r.integer(value, f"minutes of the {phase} phase")
        if minutes < 0:
            r.error(value, f"expected minutes of 0 or more for the {phase} phase, got {minutes}")
        out[phase] = minutes
    return out


def _corrections(r: Reader, node: Node | None, source_ref: Callable[[Node | None], str], inject_ids: set[str]) -> tuple[m.Correction, ...]:
    out: list[m.Correction] = []
    seen: set[str] = set()
    for item in r.seq(node, "corrections"):
        cf = r.fields(item, "a correction", ["id", "source", "claim", "correction", "checked"], ["injects"])
        if not cf:
            continue
        correction_id = r.ident(cf["id"], "a correction")
        if correction_id in seen:
            r.error(cf["id"], f"duplicate correction id {correction_id!r}")
        seen.add(correction_id)
        injects = r.text_list(cf.get("injects"), "injects")
        for inject_id in injects:
            if inject_id not in inject_ids:
                r.error(cf["injects"], f"undefined inject {inject_id!r} in correction {correction_id!r}")
        out.append(m.Correction(
            id=correction_id,
            source=source_ref(cf["source"]),
            claim=r.text(cf["claim"], "claim").strip(),
            correction=r.text(cf["correction"], "correction").strip(),
            checked=source_ref(cf["checked"]),
            injects=injects,
        ))
    return tuple(out)


CHARTER = "charter"  # an article reference to the UN Charter articles of rules/unsc.yaml, not to a treaty


def _facilitation(r: Reader, node: Node | None, source_ref: Callable[[Node | None], str], rules: m.Rules) -> m.Facilitation:
    if node is None:
        return m.Facilitation()
    f = r.fields(node, "facilitation", [], ["minutes", "rulings", "divergence"])
    if f is None:
        return m.Facilitation()
    rulings: list[m.Ruling] = []
    seen: set[str] = set()
    for item in r.seq(f.get("rulings"), "rulings"):
        rf = r.fields(item, "a ruling", ["id", "title", "text"], ["sources", "articles"])
        if not rf:
            continue
        ruling_id = r.ident(rf["id"], "a ruling")
        if ruling_id in seen:
            r.error(rf["id"], f"duplicate ruling id {ruling_id!r}")
        seen.add(ruling_id)
        sources = tuple(source_ref(n) for n in (r.seq(rf["sources"], "sources") if "sources" in rf else []))
        articles = []
        for ref in r.seq(rf.get("articles"), "articles"):
            af = r.fields(ref, "an article reference", ["treaty", "article"])
            if not af:
                continue
            treaty, article = r.text(af["treaty"], "treaty"), r.text(af["article"], "article")
            known = rules.treaties.get(treaty)
            if treaty == CHARTER:
                if rules.council.article(article) is None:
                    r.error(af["article"], f"the Charter articles of rules/unsc.yaml have no {article!r}; expected one of: {', '.join(a.id for a in rules.council.articles)}")
            elif known is None:
                r.error(af["treaty"], f"undefined treaty {treaty!r}; expected one of: {', '.join(rules.treaties)}")
            elif article not in {a.id for a in known.articles}:
                r.error(af["article"], f"treaty {treaty!r} has no article {article!r}; expected one of: {', '.join(a.id for a in known.articles)}")
            articles.append(m.ArticleRef(treaty, article))
        rulings.append(m.Ruling(ruling_id, r.text(rf["title"], "title"), r.text(rf["text"], "text").strip(), sources, tuple(articles)))
    divergence = []
    for item in r.seq(f.get("divergence"), "divergence"):
        gf = r.fields(item, "a divergence note", ["title", "text"])
        if gf:
            divergence.append(m.Guidance(r.text(gf["title"], "title"), r.text(gf["text"], "text").strip()))
    return m.Facilitation(_minutes(r, f.get("minutes"), "facilitation.minutes"), tuple(rulings), tuple(divergence))


def _debrief(r: Reader, node: Node | None, source_ref: Callable[[Node | None], str], end: dt.date | None) -> m.Debrief:
    if node is None:
        return m.Debrief()
    f = r.fields(node, "debrief", [], ["questions", "after"])
    if f is None:
        return m.Debrief()
    after = []
    last: dt.date | None = None
    for item in r.seq(f.get("after"), "debrief.after"):
        af = r.fields(item, "an entry of debrief.after", ["date", "title", "text", "source"], ["note"])
        if not af:
            continue
        date = r.date(af["date"], "date")
        if date and end and date <= end:
            r.error(af["date"], f"dates out of order: debrief.after is what happened after the scenario's end ({end}); {date} is not after it")
        if date and last and date < last:
            r.error(af["date"], f"dates out of order: {date} comes after {last} in debrief.after")
        last = date or last
        after.append(m.TimelineEntry(date or dt.date.min, r.text(af["title"], "title"), source_ref(af["source"]),
                                     r.text(af["text"], "text").strip(), r.text(af.get("note"), "note").strip()))
    return m.Debrief(r.text_list(f.get("questions"), "questions"), tuple(after))


#: The situations a doctrine may weigh besides fact kinds (bots.py reads them).
SITUATIONS = ("attacked", "ally_attacked", "threatened")


def _seat(
    r: Reader,
    seat_id: str,
    node: Node,
    rules: m.Rules,
    source_ref: Callable[[Node | None], str] | None = None,
    leads: list[tuple[str, m.Role, Node]] | None = None,
) -> m.Seat | None:
    f = r.fields(
        node, f"seat {seat_id!r}", ["name", "brief"],
        ["role", "interests", "objectives", "red_lines", "alliances", "doctrine", "kind", "roles", "sources"],
    )
    if f is None:
        return None
    kind = r.text(f.get("kind"), "kind", "state")
    if kind not in m.SEAT_KINDS:
        r.error(f["kind"], f"expected {' or '.join(m.SEAT_KINDS)} for the kind of seat {seat_id!r}, got {kind!r}")
    roles = _roles(r, f.get("roles"), seat_id)
    if leads is not None:
        leads.extend((seat_id, role, where) for role, where in roles)
    sources: tuple[str, ...] = ()
    if "sources" in f:
        sources = tuple(source_ref(n) if source_ref else r.text(n, "source") for n in r.seq(f["sources"], f"the sources of {seat_id!r}"))
    red_lines: list[tuple[str, m.FactMatch | None]] = []
    for item in r.seq(f.get("red_lines"), "red_lines"):
        if item.kind == "map":  # {text: ..., when: {fact: ..., target: self}}: a red line the rules can see crossed
            lf = r.fields(item, "a red line", ["text", "when"]) or {}
            if lf:
                red_lines.append((r.text(lf["text"], "text").strip(), fact_match(r, lf["when"], "a red line's 'when'", rules.fact_kinds, rules.fact_fields)))
        else:
            red_lines.append((r.text(item, "a red line"), None))
    alliances = []
    for item in r.seq(f["alliances"], "alliances") if "alliances" in f else []:
        af = r.fields(item, "an alliance", ["text"], ["treaty"])
        if af:
            alliances.append(m.Alliance(r.text(af["text"], "text"), r.text(af.get("treaty"), "treaty") or None))
    doctrine = m.Doctrine()
    if "doctrine" in f:
        df = r.fields(
            f["doctrine"], f"the doctrine of {seat_id!r}", [],
            ["style", "prefers", "avoids", "escalation_ceiling", "answers", "situations", "talks_with_attacker"],
        ) or {}
        situations: dict[str, dict[str, float]] = {}
        for name, key, value in r.mapping(df["situations"], "situations") if "situations" in df else []:
            if name not in SITUATIONS and name not in rules.fact_kinds:
                r.error(key, f"unknown situation {name!r}; expected one of {', '.join(SITUATIONS)} or a fact kind of rules/facts.yaml")
            situations[name] = {k: r.number(v, f"weight of {k}") for k, _, v in r.mapping(value, f"what {name} calls for (tag or in_kind/defence: weight)")}
        prefers = {k: r.number(v, f"weight of {k}") for k, _, v in r.mapping(df["prefers"], "prefers")} if "prefers" in df else {}
        answers = {}
        for kind, key, value in r.mapping(df["answers"], "answers") if "answers" in df else []:
            if kind not in ("assist", "consult", "contested"):
                r.error(key, f"expected assist, consult or contested, got {kind!r}")
            answer = r.text(value, kind)
            if answer not in ANSWERS:
                r.error(value, f"expected one of {', '.join(ANSWERS)}, got {answer!r}")
            answers[kind] = answer
        doctrine = m.Doctrine(
            style=r.text(df.get("style"), "style").strip(),
            prefers=prefers,
            avoids=r.text_list(df.get("avoids"), "avoids"),
            escalation_ceiling=r.integer(df.get("escalation_ceiling"), "escalation_ceiling", rules.escalation.top),
            answers=answers,
            situations=situations,
            talks_with_attacker=r.boolean(df.get("talks_with_attacker"), "talks_with_attacker"),
        )
    return m.Seat(
        id=seat_id,
        name=r.text(f["name"], "name"),
        brief=r.text(f["brief"], "brief").strip(),
        role=r.text(f.get("role"), "role"),
        interests=r.text_list(f.get("interests"), "interests"),
        objectives=r.text_list(f.get("objectives"), "objectives"),
        red_lines=tuple(text for text, _ in red_lines),
        watch=tuple(m.RedLine(text, when) for text, when in red_lines if when is not None),
        alliances=tuple(alliances),
        doctrine=doctrine,
        kind=kind,
        roles=tuple(role for role, _ in roles),
        sources=sources,
    )


def _facts(r: Reader, node: Node | None, rules: m.Rules) -> tuple[m.Fact, ...]:
    return tuple(r.each(node, "facts", lambda n: read_fact(r, n, rules)))


CLOCK_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
OFFSET_RE = re.compile(r"^T\+(\d{1,5}):([0-5]\d)$")


def clock_text(time: dt.time) -> str:
    """A clock time as scenario files write it: 09:05."""
    return f"{time.hour:02d}:{time.minute:02d}"


def offset_text(offset: dt.timedelta) -> str:
    """Time since the exercise start as scenario files write it: T+00:30, T+26:00."""
    minutes = int(offset.total_seconds()) // 60
    return f"T+{minutes // 60:02d}:{minutes % 60:02d}"


def _clock(r: Reader, node: Node | None) -> dt.time | None:
    if node is None:
        return None
    text = r.text(node, "time").strip()
    match = CLOCK_RE.match(text)
    if match is None:
        r.error(node, f"expected a clock time like \"09:30\" for time (24-hour, in quotes), got {node.describe()}")
        return None
    return dt.time(int(match[1]), int(match[2]))


def _offset(r: Reader, node: Node | None) -> dt.timedelta | None:
    if node is None:
        return None
    text = r.text(node, "offset").strip()
    match = OFFSET_RE.match(text)
    if match is None:
        r.error(node, f"expected the time since the exercise start like \"T+00:30\" for offset, got {node.describe()}")
        return None
    return dt.timedelta(hours=int(match[1]), minutes=int(match[2]))


SHEET_KEYS = ("number", "type", "time", "mode", "from", "objective", "controller", "actual", "kept")


def _sheet_row(r: Reader, node: Node | None) -> m.SheetRow:
    """An inject's ``msel:`` block: the cells of its spreadsheet row that tabletop keeps but does not act on."""
    if node is None:
        return m.SheetRow()
    f = r.fields(node, "msel (the spreadsheet row's other cells)", [], SHEET_KEYS)
    if f is None:
        return m.SheetRow()
    kept = {name: r.text(value, f"the kept column {name!r}") for name, _key, value in r.mapping(f.get("kept"), "kept")}
    return m.SheetRow(
        number=r.text(f.get("number"), "number"),
        type=r.text(f.get("type"), "type"),
        time=r.text(f.get("time"), "time"),
        mode=r.text(f.get("mode"), "mode"),
        sender=r.text(f.get("from"), "from"),
        objective=r.text(f.get("objective"), "objective"),
        controller=r.text(f.get("controller"), "controller"),
        actual=r.text(f.get("actual"), "actual"),
        kept=kept,
    )


def _expected_actions(r: Reader, node: Node | None) -> tuple[str, ...]:
    """Expected player actions: a list of one-line texts (the MSEL cell writes them one a line)."""
    if node is None:
        return ()
    out = []
    for item in [node] if node.kind == "scalar" else r.seq(node, "expected_actions"):
        text = r.text(item, "an expected action").strip()
        if not text:
            r.error(item, "an empty expected action; leave it out")
        elif "\n" in text:
            r.error(item, "expected one line for an expected action (the MSEL writes them one a line); make each line an item of its own")
        else:
            out.append(text)
    return tuple(out)


def _action(r: Reader, node: Node) -> m.Action | None:
    f = r.fields(node, "an action", ["kind", "text"], ["title", "expected_actions", "when", "to", "note", "before", "msel"])
    if f is None:
        return None
    kind = r.text(f["kind"], "kind")
    if f["kind"] is not None and kind not in m.ACTION_KINDS:
        r.error(f["kind"], f"expected expected (a player action the evaluator looks for) or controller (a note for the facilitator) for kind, got {kind!r}")
    return m.Action(
        kind=kind,
        text=r.text(f["text"], "text"),
        title=r.text(f.get("title"), "title"),
        expected_actions=_expected_actions(r, f.get("expected_actions")),
        when=r.text(f.get("when"), "when"),
        to=r.text(f.get("to"), "to"),
        note=r.text(f.get("note"), "note"),
        before=r.boolean(f.get("before"), "before"),
        msel=_sheet_row(r, f.get("msel")),
    )


def _inject(
    r: Reader,
    node: Node,
    rules: m.Rules,
    seats: set[str],
    turns: dict[int, m.Turn],
    source_ref: Callable[[Node | None], str],
    start: dt.date | None = None,
    objective_ids: set[str] | None = None,
    control: dict[str, m.ControlCell] | None = None,
) -> m.Inject | None:
    f = r.fields(
        node, "an inject", ["id", "turn", "title", "text", "source"],
        ["date", "to", "standby", "hypothetical", "cite", "note", "facts", "effects", "time", "offset",
         "from", "objectives", "expected_actions", "actions", "msel"],
    )
    if f is None:
        return None
    inject_id = r.ident(f["id"], "the inject") if "id" in f else "?"
    before = len(r.problems)
    turn_id = r.integer(f.get("turn"), "turn")
    turn = turns.get(turn_id)
    if "turn" in f and turn is None and turns and len(r.problems) == before:
        r.error(f["turn"], f"undefined turn {turn_id} for inject {inject_id!r}; expected one of: {', '.join(map(str, turns))}")
    standby = r.boolean(f.get("standby"), "standby")
    date = r.optional_date(f.get("date"), "date")
    time = _clock(r, f.get("time"))
    offset = _offset(r, f.get("offset"))
    if offset is not None and "date" in f:
        r.error(f["offset"], f"inject {inject_id!r} has a date and an offset; an offset dates it (the start plus its days): leave one out")
    elif offset is not None and "time" in f:
        r.error(f["offset"], f"inject {inject_id!r} has a time and an offset; keep one")
    elif offset is not None and start is not None:
        date = start + dt.timedelta(days=offset.days)
    if date is None and not standby and offset is None:
        r.error(node, f"missing field 'date' in inject {inject_id!r} (only a standby inject may have none)")
    if date and turn and not (turn.start <= date <= turn.end):
        r.error(f.get("date") or f.get("offset"), f"dates out of order: inject {inject_id!r} is dated {date}, outside turn {turn.id} ({turn.start} to {turn.end})")
    to = r.text_list(f.get("to"), "to") or ("all",)
    for seat in to:
        if seat != "all" and seat not in seats:
            r.error(f["to"], f"undefined seat {seat!r} in to:; expected all or one of: {', '.join(sorted(seats))}")
    sender = r.text(f.get("from"), "from") or None
    if sender is not None and sender not in (control or {}):
        cells = ", ".join(sorted(control or {})) or "none defined under 'control'"
        r.error(f["from"], f"undefined control cell {sender!r} in from:; expected one of: {cells}")
    objectives = r.text_list(f.get("objectives"), "objectives")
    for objective in objectives:
        if objective not in (objective_ids or set()):
            known = ", ".join(sorted(objective_ids or ())) or "none defined under 'objectives'"
            r.error(f["objectives"], f"undefined objective {objective!r} in inject {inject_id!r}; expected one of: {known}")
    return m.Inject(
        id=inject_id,
        turn=turn_id,
        title=r.text(f["title"], "title") if "title" in f else "",
        text=r.text(f.get("text"), "text").strip(),
        source=source_ref(f.get("source")),
        date=date,
        to=to,
        standby=standby,
        hypothetical=r.boolean(f.get("hypothetical"), "hypothetical"),
        cite=r.text(f.get("cite"), "cite").strip(),
        note=r.text(f.get("note"), "note").strip(),
        facts=_facts(r, f.get("facts"), rules),
        effects=_effects(r, f.get("effects"), rules, seats, None),
        time=time,
        offset=offset,
        sender=sender,
        objectives=objectives,
        expected_actions=_expected_actions(r, f.get("expected_actions")),
        actions=tuple(r.each(f.get("actions"), "actions", lambda n: _action(r, n))),
        msel=_sheet_row(r, f.get("msel")),
    )


def _option(
    r: Reader, node: Node, seat: str, rules: m.Rules, seats: set[str], turns: dict[int, m.Turn]
) -> m.Option | None:
    f = r.fields(node, f"an option of {seat!r}", ["id", "label"], ["text", "turns", "tags", "facts", "effects", "requires"])
    if f is None:
        return None
    option_turns: tuple[int, ...] = ()
    if "turns" in f:
        values = f["turns"].value if f["turns"].kind == "seq" else [f["turns"]]
        option_turns = tuple(r.integer(v, "turns") for v in values)
        for t in option_turns:
            if turns and t not in turns:
                r.error(f["turns"], f"undefined turn {t} in the turns of option {r.text(f['id'], 'id')!r}")
    return m.Option(
        id=r.ident(f["id"], "the option"),
        seat=seat,
        label=r.text(f["label"], "label"),
        text=r.text(f.get("text"), "text").strip(),
        turns=option_turns,
        tags=r.text_list(f.get("tags"), "tags"),
        facts=_facts(r, f.get("facts"), rules),
        effects=_effects(r, f.get("effects"), rules, seats, seat),
        requires=_condition(r, f["requires"], rules, seats) if "requires" in f else None,
    )


def _condition(r: Reader, node: Node, rules: m.Rules, seats: set[str]) -> m.Condition | None:
    """An option's ``requires:`` (model.Condition): structured, each key checked, never evaluated."""
    f = r.fields(node, "an option's requires (a condition)", [], m.CONDITION_KEYS)
    if f is None:
        return None
    if node.kind == "map" and not node.value:
        r.error(node, f"an empty condition; expected one or more of: {', '.join(m.CONDITION_KEYS)}")
        return None
    draft: str | None = None
    draft_name: str | None = None
    if "council_draft" in f:
        df = r.fields(f["council_draft"], "council_draft (a Security Council draft tabled this turn)", [], ["by", "draft"])
        if df is not None:
            draft = r.text(df.get("by"), "by", "any") or "any"
            if draft != "any" and draft not in seats:
                r.error(df["by"], f"expected a seat or 'any' for the seat that tables the draft, got {draft!r}; seats: {', '.join(sorted(seats))}")
            if "draft" in df:
                draft_name = df["draft"].raw if df["draft"].kind == "scalar" and df["draft"].raw is not None else r.text(df["draft"], "draft")
                if not NAME.fullmatch(draft_name):
                    draft_name = None
                    r.error(df["draft"], f"expected the name of a draft ({NAME_RULE}), got {df['draft'].describe()}")
    attacked = None
    if "attacked" in f:
        af = r.fields(f["attacked"], "attacked (an armed attack on the deciding seat)", [], ["within", "by", "on"])
        if af is not None:
            within = r.integer(af.get("within"), "within (turns before this one)", 0)
            if within < 0:
                r.error(af["within"], f"expected 0 (this turn) or more turns for within, got {within}")
            by = r.text(af.get("by"), "by") or None
            if by is not None and by != "other" and by not in rules.states and by not in seats:
                r.error(af["by"], f"expected a state or 'other' for the attacker, got {by!r}")
            on = r.text(af.get("on"), "on", "self") or "self"
            if on not in ("self", "ally") and on not in rules.states and on not in seats:
                r.error(af["on"], f"expected self, ally or a state for whom the attack is on, got {on!r}")
            attacked = m.Attacked(max(0, within), None if by == "other" else by, on)
    treaty = None
    if "treaty_in_force" in f:
        treaty = r.text(f["treaty_in_force"], "treaty_in_force") or None
        if treaty is not None and rules.treaties and treaty not in rules.treaties:
            r.error(f["treaty_in_force"], f"undefined treaty {treaty!r}; expected one of: {', '.join(sorted(rules.treaties))}")
    any_of: tuple[m.Condition, ...] = ()
    if "any_of" in f:
        any_of = tuple(c for c in (_condition(r, n, rules, seats) for n in r.seq(f["any_of"], "any_of (conditions, one of which must hold)")) if c)
    return m.Condition(draft, attacked, treaty, any_of, draft_name)


# ==========================================================================
# validate
# ==========================================================================


def _kind_of(node: Node | None) -> str:
    if node is None or node.kind != "map":
        return "unknown"
    keys = {k.value for k, _ in node.value}
    if {"seats", "turns"} & keys:
        return "scenario"
    if "articles" in keys and "parties" in keys:
        return "treaty"
    if keys & {"territories", "ladder", "permanent", "kinds"}:
        return "rule"
    return "unknown"


def _rules_root(path: Path) -> Path | None:
    for candidate in (path.parent, path.parent.parent):
        if (candidate / "geography.yaml").is_file():
            return candidate
    return None


def validate(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Problem], int]:
    """Check files and folders; return every problem and how many files were checked."""
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(x for x in p.rglob("*") if x.suffix in (".yaml", ".yml") and x.is_file())
            if not found:
                problems.append(Problem(str(p), 1, 1, "no .yaml files in this folder"))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Problem(str(p), 1, 1, "no such file or folder"))
    rules_checked: dict[Path, m.Rules | None] = {}
    seen: set[Problem] = set()

    def add(found: Iterable[Problem]) -> None:
        for problem in found:
            if problem not in seen:
                seen.add(problem)
                problems.append(problem)

    def rules_at(root: Path) -> m.Rules | None:
        root = root.resolve()
        if root not in rules_checked:
            try:
                rules_checked[root] = load_rules(root)
            except InputError as exc:
                add(exc.problems)
                rules_checked[root] = None
        return rules_checked[root]

    for path in files:
        try:
            node = read_file(path)
        except InputError as exc:
            add(exc.problems)
            continue
        kind = _kind_of(node)
        if kind == "scenario":
            try:
                load_scenario(path)
            except InputError as exc:
                add(exc.problems)
        elif kind in ("treaty", "rule"):
            root = _rules_root(path)
            if root is None:
                add([Problem(str(path), 1, 1, "a rule module must sit in a rules folder with geography.yaml beside it (or treaties/ under it)")])
            else:
                rules_at(root)
        else:
            add([Problem(str(path), 1, 1, "not a scenario or rule module: expected a scenario (id, seats, turns, ...) or a rule module (a treaty, geography, escalation, unsc, facts)")])
    return problems, len(files)

"""The situation: every inject released so far, newest first, with its date and source key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual

from tabletop import model as m
from tabletop.tui import literal

if TYPE_CHECKING:  # annotations only
    from tabletop.state import State


def released_injects(scenario: m.Scenario, state: State) -> list[m.Inject]:
    """The injects in the order they were released (scripted ones from the scenario, ad-hoc ones from the state)."""
    out = []
    for inject_id in state.released:
        inject = _inject(scenario, state, inject_id)
        if inject is not None:
            out.append(inject)
    return out


def _inject(scenario: m.Scenario, state: State, inject_id: str) -> m.Inject | None:
    inject = state.adhoc.get(inject_id)
    if inject is None:
        try:
            inject = scenario.inject(inject_id)
        except KeyError:
            return None
    return inject


def inject_content(inject: m.Inject, scenario: m.Scenario, rules: m.Rules, with_text: bool = True) -> Content:
    when = inject.date.isoformat() if inject.date else "standby"
    parts: list[literal.Part] = [(when, "bold $accent"), "  ", (inject.title, "bold"), "  ", (f"[{inject.source}]", "dim")]
    audience = [a for a in inject.to if a != "all"]
    if audience:
        parts += ["\n", ("to: " + ", ".join(m.seat_name(scenario, rules, a) for a in audience), "italic")]
    if with_text and inject.text:
        parts += ["\n", (inject.text.strip(), "")]
    return literal.assemble(*parts)


_GAP = Content("")
_EMPTY = Content.styled("No inject released yet.", "dim italic")


class SituationPanel(ScrollView, can_focus=True):
    """Newest inject on top, so the one just read out is always in view.

    A virtual list: each inject is described and wrapped once (again only when
    the width changes), and only the rows in view are drawn. Releasing one more
    inject wraps that one alone, however many are out already.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._ids: list[str] = []  # state.released as last shown, unknown ids included
        self._shown: list[str] = []  # the ids that resolved to an inject, in release order
        self._blocks: dict[str, Content] = {}
        self._wrapped: dict[str, list[Content]] = {}  # at self._width
        self._by_width: dict[int, dict[str, list[Content]]] = {}
        self._width = 0
        self._lines: list[Content] = []  # newest inject first, a blank line between injects
        self._strips: dict[int, Strip] = {}
        self._strip_key: tuple | None = None
        self._subtitle: str | None = None

    def on_mount(self) -> None:
        self.border_title = "Situation"

    def show(self, scenario: m.Scenario, rules: m.Rules, state: State, upcoming: list[m.Inject] | None = None) -> None:
        released = state.released
        known = len(self._ids)
        if len(released) >= known and released[:known] == self._ids:
            fresh = list(released[known:])
        else:  # fewer or other injects than last time (a replay stepping back): start over
            self._ids, self._shown, fresh = [], [], list(released)
            self._lines = []
        added = []
        for inject_id in fresh:
            self._ids.append(inject_id)
            inject = _inject(scenario, state, inject_id)
            if inject is None:
                continue
            # An ad-hoc inject's id is new each time; a scripted one is the scenario's and never changes.
            if inject_id not in self._blocks or inject_id in state.adhoc:
                self._blocks[inject_id] = inject_content(inject, scenario, rules)
                for wrapped in self._by_width.values():
                    wrapped.pop(inject_id, None)
            added.append(inject_id)
        self._shown += added
        if added or not self._lines:
            self._layout(added)
        if upcoming is None:
            subtitle = f"{len(self._shown)} released"
        else:
            scheduled = [i for i in upcoming if not i.standby]
            standby = len(upcoming) - len(scheduled)
            spare = f", s: {standby} standby" if standby else ""
            if scheduled:
                subtitle = f"n: {scheduled[0].title} ({len(scheduled)} left{spare})"
            else:
                subtitle = f"none scheduled left{spare}"
        if subtitle != self._subtitle:
            self._subtitle = subtitle
            self.border_subtitle = literal.text(subtitle)

    @property
    def text(self) -> str:
        """Everything shown, as plain text (for tests and the curious)."""
        return "\n".join(line.plain for line in self._lines) if self._shown else _EMPTY.plain

    # ---------------------------------------------------------------- layout
    def _wrap(self, inject_id: str) -> list[Content]:
        lines = self._wrapped.get(inject_id)
        if lines is None:
            block = self._blocks[inject_id]
            plain, width = block.plain, self._width
            if "\t" not in plain and all(cell_len(line) <= width for line in plain.split("\n")):
                lines = block.split("\n", allow_blank=True)  # what wrap() gives when every line fits, 25 times faster
            else:
                lines = block.wrap(width)
            self._wrapped[inject_id] = lines
        return lines

    def _lines_for(self, ids: list[str]) -> list[Content]:
        lines: list[Content] = []
        for inject_id in reversed(ids):
            lines += self._wrap(inject_id)
            lines.append(_GAP)
        return lines

    def _layout(self, added: list[str] | None = None) -> None:
        """Wrap what is new (or, with added None, everything) and size the scrollable area to fit."""
        region = self.content_region
        if region.width <= 0:
            return  # not laid out yet: on_resize comes back here
        full = region.width
        narrow = max(1, full - self.styles.scrollbar_size_vertical)
        scrolls = self.styles.overflow_y != "hidden"
        if self._width not in (full, narrow):
            self._set_width(full)
            added = None
        if added is None or not self._lines:
            # Each inject takes a line at least, and a blank one after: often that alone says a scrollbar is coming.
            if scrolls and 2 * len(self._shown) - 1 > region.height:
                self._set_width(narrow)
            self._rewrap()
        else:  # the lines already there keep their wrapping, and their drawn strips
            self._lines = self._lines_for(added) + self._lines
        # Wrap to leave room for the scrollbar exactly when there will be one, as a Static in a scroll would.
        if scrolls:
            want = narrow if len(self._lines) > region.height else full
            if want != self._width:
                self._set_width(want)
                self._rewrap()
        size = Size(self._width, max(1, len(self._lines)))
        if size != self.virtual_size:
            bar = scrolls and size.height > region.height
            if bar == self.show_vertical_scrollbar:
                # No scrollbar comes or goes: update it in place, not by laying the whole screen out again.
                self.set_reactive(ScrollView.virtual_size, size)
                self._scroll_update(size)
            else:
                self.virtual_size = size
        self.refresh()

    def _rewrap(self) -> None:
        self._lines = self._lines_for(self._shown)[:-1]
        self._strips.clear()  # keyed by the lines' ids, which die with the old lines

    def _set_width(self, width: int) -> None:
        """Wrap at ``width`` from now on; the wrapping at each width is kept (with and without a scrollbar)."""
        self._width = width
        self._wrapped = self._by_width.setdefault(width, {})
        if len(self._by_width) > 2:  # the terminal was resized: the old widths will not come back soon
            for other in [w for w in self._by_width if w != width][:-1]:
                del self._by_width[other]

    def on_resize(self) -> None:
        self._layout()

    # -------------------------------------------------------------- drawing
    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        style = self.visual_style
        key = (width, style)
        if key != self._strip_key:
            self._strip_key = key
            self._strips.clear()
        if not self._shown:
            line = _EMPTY if index == 0 else None
        elif index < len(self._lines):
            line = self._lines[index]
        else:
            line = None
        if line is None:
            return Strip([])  # padded with the widget's background, like the space under a Static
        strip = self._strips.get(id(line))
        if strip is None:
            # Not padded here: the widget pads every line with its own background, as it would a Static's.
            strips = Visual.to_strips(self, line, width, 1, style)
            strip = strips[0] if strips else Strip([])
            if len(self._strips) > 2000:
                self._strips.clear()
            self._strips[id(line)] = strip
        return strip

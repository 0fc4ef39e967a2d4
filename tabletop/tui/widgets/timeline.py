"""A virtual list of a log's events: one line each, drawn only when on screen.

An OptionList builds every option up front, which takes seconds for a log of a
hundred thousand events; this draws the rows in view, describing each event the
first time it is shown. Keys and clicks move a cursor; every move posts
:class:`Timeline.Moved`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class Timeline(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"timeline--cursor"}
    DEFAULT_CSS = """
    Timeline {
        overflow-x: hidden;
    }
    Timeline > .timeline--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    Timeline:blur > .timeline--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    """
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "to(0)", "First", show=False),
        Binding("end", "to(-1)", "Last", show=False),
    ]

    cursor: reactive[int] = reactive(0, init=False)

    @dataclass
    class Moved(Message):
        timeline: Timeline
        index: int

        @property
        def control(self) -> Timeline:
            return self.timeline

    def __init__(self, describe: Callable[[int], Content], count: int = 0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.describe = describe
        self.count = count
        self._lines: dict[int, Content] = {}

    def set_count(self, count: int) -> None:
        self.count = count
        self._lines.clear()
        self.virtual_size = Size(self.size.width, count)
        self.refresh()

    def redraw(self) -> None:
        """Describe every line anew (what a line says can change: a decision shown sealed until the log is verified)."""
        self._lines.clear()
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.count)

    def _line(self, index: int) -> Content:
        line = self._lines.get(index)
        if line is None:
            if len(self._lines) > 5000:
                self._lines.clear()
            line = self._lines[index] = self.describe(index)
        return line

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.visual_style
        if index >= self.count:
            return Strip.blank(width, base.rich_style)
        style = base + self.get_visual_style("timeline--cursor") if index == self.cursor else base
        line = self._line(index).truncate(width, ellipsis=True, pad=True)
        return Strip(line.render_segments(style), width)

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, self.count - 1)) if self.count else 0

    def watch_cursor(self, old: int, new: int) -> None:
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif height and new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False)
        self.refresh()
        self.post_message(self.Moved(self, new))

    def move_to(self, index: int) -> None:
        """Put the cursor on an event; a Moved message follows even when it is already there."""
        index = self.validate_cursor(index)
        if index == self.cursor:
            self.post_message(self.Moved(self, index))
        self.cursor = index

    def action_move(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.scrollable_content_region.height - 1)

    def action_to(self, where: int) -> None:
        self.cursor = where if where >= 0 else self.count - 1

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            self.move_to(self.scroll_offset.y + offset.y)

"""The keys of the screen on one line, like Textual's compact Footer, drawn by one widget.

Footer makes a widget of every key (and rebuilds them all whenever the screen
says its bindings may have changed); on the board that was a fifth of the time
to the first frame. This draws the same line itself: each shown binding's key
and description, the command palette's key on the right; a key under the mouse
is highlighted and shows its tooltip, and clicking it presses it.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip
from textual.widget import Widget


class _Key(NamedTuple):
    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str
    start: int  # first cell
    end: int  # one past the last cell


class KeyFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--hover", "key-footer--edge"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        & > .key-footer--edge {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, compact: bool = True, show_command_palette: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.compact = compact  # the one look this draws; kept so callers read like Footer's
        self.show_command_palette = show_command_palette
        self._signature: tuple | None = None
        self._keys: list[_Key] = []
        self._palette: _Key | None = None
        self._hover: _Key | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        if self._signature is not None and self._read_bindings() != self._signature:
            self._signature = None
            self.refresh()

    def _read_bindings(self) -> tuple:
        """The keys to show: the first binding of each action, as Footer shows them; then the palette's."""
        app = self.app
        active = self.screen.active_bindings
        keys: dict[str, tuple[str, str, str, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in keys:
                keys[binding.action] = (binding.key, app.get_key_display(binding), binding.description, enabled, tooltip)
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = (binding.key, app.get_key_display(binding), binding.description, enabled, binding.tooltip or binding.description)
        return tuple(keys.values()), palette

    def _layout(self) -> None:
        signature = self._read_bindings()
        if signature == self._signature:
            return
        self._signature = signature
        keys, palette = signature
        self._keys = []
        x = 0
        for key, display, description, enabled, tooltip in keys:
            width = cell_len(display) + (1 + cell_len(description) if description else 0)
            self._keys.append(_Key(key, display, description, enabled, tooltip, x, x + width))
            x += width + 1  # a cell between keys
        self._palette = None
        if palette is not None:
            key, display, description, enabled, tooltip = palette
            width = cell_len(display) + (1 + cell_len(description) if description else 0)
            end = self.size.width - 1  # Footer leaves a cell after it, as after every key
            self._palette = _Key(key, display, description, enabled, tooltip, end - width, end)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y:
            return Strip.blank(width, base)
        self._layout()
        if self._palette is not None and self._palette.end != width - 1:
            self._signature = None  # resized: the palette key moves to the right edge
            self._layout()
        gap = Style(bgcolor=base.bgcolor)  # between keys, only the bar's background shows
        key_style = base + self.get_component_rich_style("key-footer--key")
        description_style = base + self.get_component_rich_style("key-footer--description")
        hover = self.get_component_rich_style("key-footer--hover")
        segments: list[Segment] = []
        x = 0
        palette = self._palette
        limit = palette.start - 1 if palette is not None else width
        for item in self._keys:
            if item.end > limit:
                break
            segments += self._item(item, key_style, description_style, hover)
            segments.append(Segment(" ", gap))
            x = item.end + 1
        if palette is not None and palette.start - 1 >= x:
            segments.append(Segment(" " * (palette.start - 1 - x), gap))
            segments.append(Segment("▏", base + self.get_component_rich_style("key-footer--edge")))
            segments += self._item(palette, key_style, description_style, hover)
        return Strip(segments).adjust_cell_length(width, gap)

    def _item(self, item: _Key, key_style: Style, description_style: Style, hover: Style) -> list[Segment]:
        extra = Style(dim=True) if not item.enabled else None
        if item is self._hover:
            extra = hover if extra is None else hover + extra
        key = key_style + extra if extra else key_style
        segments = [Segment(item.display, key)]
        if item.description:
            description = description_style + extra if extra else description_style
            segments.append(Segment(" " + item.description, description))
        return segments

    def _at(self, x: int) -> _Key | None:
        for item in [*self._keys, *([self._palette] if self._palette else [])]:
            if item.start <= x < item.end:
                return item
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self._at(event.x)
        if item is not self._hover:
            self._hover = item
            self.tooltip = (item.tooltip or None) if item is not None else None
            self.refresh()

    def on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self._at(event.x)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()

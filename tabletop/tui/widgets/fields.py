"""Text fields whose text never carries a control character to the terminal.

A key press cannot put ESC into an ``Input`` (Escape is a key, not a
character), but a paste can: a title copied from a web page or a chat may
carry an escape sequence, and ``Input`` and ``TextArea`` draw their text as it
is. These fields make every control character but newline and tab visible
(:func:`tabletop.safetext.visible`) as it comes in, so what the facilitator
sees is what the log gets.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TextArea

from tabletop.safetext import visible


class TextInput(Input):
    """An ``Input`` whose value never holds a control character: pasted or set, each is written ``\\xNN``."""

    def validate_value(self, value: str) -> str:
        return visible(value)

    def replace(self, text: str, start: int, end: int) -> None:
        # Typing and pasting come here: made visible first, so the cursor lands after what is shown.
        super().replace(visible(text), start, end)

    def _on_paste(self, event: events.Paste) -> None:
        # Input keeps the first line of a paste, and str.splitlines() also breaks at CR and other
        # controls: made visible first, a pasted line is kept whole, its controls shown.
        event.prevent_default()
        event.stop()
        super()._on_paste(events.Paste(visible(event.text)))


class TextBox(TextArea):
    """A ``TextArea`` that makes control characters in pasted text visible; typing cannot put one in."""

    async def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # TextArea's own handler would insert the text as it is
        event.stop()
        await super()._on_paste(events.Paste(visible(event.text)))

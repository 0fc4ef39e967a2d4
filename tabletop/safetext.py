"""Text from data, made safe to show: control characters become visible ``\\x1b``-style escapes.

A scenario, a rule module, a log or a player can put any character into a
title, a note or a file name: YAML's ``"\\e"``, JSON's ``"\\u001b"``, a pasted
string, a file named with an escape sequence. Written to a terminal as it is,
ESC starts a command (set the window title, clear the screen, move the cursor,
start a hyperlink), and the C1 controls U+0080 to U+009F are the same commands
in one character on terminals that read them. So nothing from data reaches a
terminal, a report or a message without passing :func:`visible` first, and
every such path in the program goes through this one module.

The choice: every control character except newline and tab, that is U+0000 to
U+001F, U+007F (DEL) and U+0080 to U+009F, is written as its code in the form
``\\xNN`` (ESC is ``\\x1b``). That is plain ASCII, so it shows in any font,
terminal, Markdown or HTML file; it says exactly which character was there;
and it reads as Python and JSON write such characters. Nothing is dropped, so
a facilitator sees that a file carried an escape sequence instead of text that
silently changed. Printable text, newline and tab are left as they are, so
text without control characters is returned unchanged (the same object).

A pure module: it imports nothing of the program's and never Textual.
"""

from __future__ import annotations

import re
from typing import Any

# C0 without tab (0x09) and newline (0x0A), DEL, and C1.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def visible(text: Any) -> str:
    """``text`` (``str()`` of it, if it is not a string) with every control character but newline and tab as ``\\xNN``."""
    value = text if isinstance(text, str) else str(text)
    if CONTROL.search(value) is None:
        return value
    return CONTROL.sub(_escape, value)


def json_text(text: str) -> str:
    """JSON text with the controls it may still carry raw written as ``\\u`` escapes, so it stays the same JSON.

    ``json.dumps`` escapes U+0000 to U+001F but, with ``ensure_ascii=False``,
    writes DEL and the C1 controls as they are. Outside strings JSON has no
    such characters, so each one found is inside a string, where ``\\u009b``
    means the same character.
    """
    if CONTROL.search(text) is None:
        return text
    return CONTROL.sub(lambda mt: f"\\u{ord(mt.group()):04x}", text)


class VisibleStream:
    """A text stream for a terminal: whatever is written to it passes :func:`visible` first.

    The command line puts its standard output and error behind one of these for
    as long as a command runs (:func:`tabletop.cli.main`), so no message, file
    name echoed or value quoted, from any command or from argparse, can carry a
    control character to the terminal, however it was printed. Output that must
    stay byte for byte (a CSV or YAML written to a pipe) goes to :attr:`raw`.
    """

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        return self.raw.write(visible(text))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def raw_stream(stream: Any) -> Any:
    """The stream under a :class:`VisibleStream`, or ``stream`` itself."""
    return stream.raw if isinstance(stream, VisibleStream) else stream

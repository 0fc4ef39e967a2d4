"""Widget text from data: Textual content that is never markup and never carries a control character.

Textual parses a ``str`` as content markup almost everywhere it takes one:
``Static``, ``Label``, ``Button`` and ``Checkbox`` labels, ``Option`` and
``Select`` prompts, border titles and subtitles, and notifications unless told
``markup=False``. A title like ``[@click=app.quit]x[/]`` would then be a link
that runs an action, a stray ``[/]`` a ``MarkupError`` that stops the app, and
``KCNA [Korean Central News Agency]`` would lose its bracket. And a
``Content`` keeps ESC and the other control characters Rich does not strip,
which would reach the terminal as they are.

So every screen builds what it shows from data with the functions here: each
makes a :class:`~textual.content.Content` (or, for a ``Select`` prompt, a Rich
``Text``, which ``Select`` can search by typing) from plain text that has been
through :func:`tabletop.safetext.visible`. Styles are ours, never data's. A
``Content`` given to :func:`assemble` or :func:`join` is taken as it is: build
it with these functions too. ``tests/tui/test_hostile_text.py`` renders every
screen with hostile text in every field, and ``tests/test_hygiene.py`` checks
that the screens build their text only through here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.content import Content

from tabletop.safetext import visible

Part = str | tuple[Any, str] | Content


def text(value: Any) -> Content:
    """Plain text, shown as it is written."""
    return Content(visible(value))


def styled(value: Any, style: str) -> Content:
    """Plain text in one of our styles (the style is never data)."""
    return Content.styled(visible(value), style)


def assemble(*parts: Part) -> Content:
    """Like ``Content.assemble``: strings and (text, style) pairs are made plain and visible; Content is kept."""
    made: list[str | tuple[str, str] | Content] = []
    for part in parts:
        if isinstance(part, Content):
            made.append(part)
        elif isinstance(part, tuple):
            made.append((visible(part[0]), part[1]))
        else:
            made.append(visible(part))
    return Content.assemble(*made)


def join(separator: str, items: Iterable[Part]) -> Content:
    """``items`` (each as :func:`assemble` takes a part) with ``separator`` between them."""
    return Content(separator).join(assemble(item) for item in items)


def prompt(value: Any) -> Text:
    """A ``Select`` option's prompt: plain Rich text, which ``Select`` shows without markup and can search by typing."""
    return Text(visible(value), end="")


def notify(widget: Any, message: Any, **kwargs: Any) -> None:
    """``widget.notify`` of text from data: never markup, control characters visible, title too."""
    if "title" in kwargs:
        kwargs["title"] = visible(kwargs["title"])
    widget.notify(visible(message), markup=False, **kwargs)

"""Pausing Python's cyclic garbage collector while the app builds large, long-lived object graphs.

Start-up (Textual's modules and the board's widgets), the engine's scenario
loader and a log's replay each create a great many objects that stay alive,
and hardly any garbage cycles; the collector would walk them all again and
again: a tenth of the start-up, half the time of loading a scenario of 6,667
turns or replaying 100,000 events. Reference counting frees everything else
as usual meanwhile, and the collector runs again as soon as nothing holds it.

Holds nest and may come from any thread; the collector resumes when the last
one is released, and only if it was running when the first was taken.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holds = 0
_was_enabled = True


def pause() -> None:
    global _holds, _was_enabled
    with _lock:
        if _holds == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holds += 1


def resume() -> None:
    """Release one hold; a release without a hold does nothing."""
    global _holds
    with _lock:
        if _holds == 0:
            return
        _holds -= 1
        if _holds == 0 and _was_enabled:
            gc.enable()


_start_up_held = False


def hold_for_start_up() -> None:
    """The one hold of the app's start-up; taking it again while it is held does nothing."""
    global _start_up_held
    with _lock:
        if _start_up_held:
            return
        _start_up_held = True
    pause()


def started() -> None:
    """Release the start-up's hold, if it is still held (a second app in the process must not release another's)."""
    global _start_up_held
    with _lock:
        if not _start_up_held:
            return
        _start_up_held = False
    resume()


@contextmanager
def paused(freeze: bool = False) -> Iterator[None]:
    """With ``freeze``, what exists at the end (a loaded scenario, a read log) is kept out of every later
    collection (``gc.freeze``): it lives as long as the screen, and walking it would stall the UI each time."""
    pause()
    try:
        yield
        if freeze:
            gc.freeze()
    finally:
        resume()

"""Running one session command from a screen: a refusal becomes a notification, never a crash.

Kept apart from the dialogs so the board can run commands without importing
every dialog before its first frame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tabletop.safetext import visible
from tabletop.session import CommandError


def run_command(screen, command: Callable[..., Any], *args: Any, **kwargs: Any) -> Any | None:
    """Run a session command; on refusal, say why and return None."""
    try:
        result = command(*args, **kwargs)
    except CommandError as exc:
        screen.notify(visible(exc), title="Not now", severity="error", markup=False)  # not literal: no Textual import here
        return None
    return result if result is not None else True

"""Running one session command from a screen: a refusal or a failed write becomes a notification, never a crash.

Kept apart from the dialogs so the board can run commands without importing
every dialog before its first frame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tabletop.safetext import visible
from tabletop.session import DERIVED, CommandError, Session


def run_command(screen, command: Callable[..., Any], *args: Any, **kwargs: Any) -> Any | None:
    """Run a session command; on refusal or a failed write, say why and return None (a dialog then stays open).

    A write that fails (a full disk, say) leaves the log as it was before the
    event, so the same command can be given again once the cause is fixed. If
    a command fails after some of its events were written, the session no
    longer matches its log: every later command is refused, with the way out
    (quit, and resume the exercise, which finishes the command from the log).
    """
    app = screen.app
    halted = getattr(app, "halted", "")
    if halted:
        screen.notify(visible(halted), title="The log stopped", severity="error", markup=False, timeout=20)
        return None
    try:
        result = command(*args, **kwargs)
    except CommandError as exc:
        screen.notify(visible(exc), title="Not done", severity="error", markup=False)  # not literal: no Textual import here
        return None
    except OSError as exc:
        session = getattr(command, "__self__", None)
        write_failed(screen, exc, session if isinstance(session, Session) else getattr(screen, "session", None))
        return None
    return result if result is not None else True


def write_failed(screen, exc: OSError, session: Any) -> None:
    """Say in one line that the log could not be written; halt the app if a command was cut in two.

    Each command writes one event and then the events it sets off (DERIVED);
    when the one that failed is such a follow-on event, the command is half
    in the log, as after a crash inside it, and resuming is what finishes it.
    """
    from tabletop import files

    app = screen.app
    message = files.explain(exc, doing="write to the log")
    writer = getattr(session, "writer", None)
    if writer is not None and getattr(writer, "failed_type", "") in DERIVED:
        app.halted = (f"{message}. The log stopped in the middle of a command: quit (ctrl+q) and, once that is fixed, "
                      "resume the exercise from the start screen; everything acknowledged is kept.")
        screen.notify(visible(app.halted), title="The log stopped", severity="error", markup=False, timeout=30)
    else:
        screen.notify(visible(f"{message}. Nothing was recorded: once that is fixed, try again."), title="Not written", severity="error", markup=False, timeout=20)

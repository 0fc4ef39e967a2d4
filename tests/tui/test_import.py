"""The TUI package loads Textual only where the app is built, so the CLI's headless commands stay fast.

Textual belongs in ``tabletop/tui/app.py``, ``literal.py`` (text as Textual
``Content``), ``remote.py`` (the screens over a server), ``screens/`` and
``widgets/``; every
other module of ``tabletop/tui/`` (the words for events, the replay's
snapshots, running a command) is plain Python. The modules are found by
walking the package, so a new helper module is held to that the day it appears.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

WALK = r"""
import importlib, pkgutil, sys
import tabletop.tui
textual_home = ("tabletop.tui.app", "tabletop.tui.literal", "tabletop.tui.remote", "tabletop.tui.screens", "tabletop.tui.widgets")
names = sorted(m.name for m in pkgutil.iter_modules(tabletop.tui.__path__, "tabletop.tui.") if m.name not in textual_home)
assert "textual" not in sys.modules, "tabletop.tui imports textual"
for name in names:
    importlib.import_module(name)
    if "textual" in sys.modules:
        sys.exit(f"{name} imports textual")
print(" ".join(names))
"""


def test_the_tui_helpers_outside_app_screens_and_widgets_do_not_import_textual():
    done = subprocess.run([sys.executable, "-c", WALK], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "tabletop.tui.describe" in done.stdout.split()

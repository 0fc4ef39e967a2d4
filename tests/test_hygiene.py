"""The layers hold: the domain never imports Textual, and sits below the TUI.

Headless use and the tests of the engine need no terminal, and the command
line's headless commands start without loading a UI toolkit. The modules are
found by walking the package, not listed, so a new module is checked the day
it is added; the layer order itself is import-linter's contract in
pyproject.toml, checked here with ``lint-imports``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Imports every module of tabletop outside tabletop/tui/ (the walk imports packages to look
# inside them: tabletop.tui's own __init__ is checked that way too), one at a time, and names
# the first after which Textual is loaded.
WALK = r"""
import importlib, pkgutil, sys
import tabletop
names = sorted(m.name for m in pkgutil.walk_packages(tabletop.__path__, "tabletop.", onerror=lambda name: None)
               if not m.name.startswith("tabletop.tui.") and m.name != "tabletop.__main__")
assert len(names) > 10, names
for name in names:
    importlib.import_module(name)
    if "textual" in sys.modules:
        sys.exit(f"{name} imports textual")
print(len(names))
"""


def test_no_module_outside_the_tui_imports_textual():
    done = subprocess.run([sys.executable, "-c", WALK], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 15  # every domain module was walked


def test_the_import_layers_in_pyproject_hold():
    code = (
        "from importlinter.cli import lint_imports\n"
        "raise SystemExit(lint_imports(config_filenames=('pyproject.toml',), no_cache=True, no_logo=True))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout

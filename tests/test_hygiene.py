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


# ------------------------------------------------- text from data in the TUI
# A check of the TUI's source, beside the rendering test (tests/tui/test_hostile_text.py): the
# screens build text only through tabletop/tui/literal.py, so no str from data reaches a widget
# that would parse it as markup. It cannot know what a plain variable holds (the rendering test
# covers that); it catches the usual slips: an f-string, a concatenation, an attribute such as
# ``seat.name`` handed straight to a Static, a Button, a border title, a Select prompt or notify.

import ast  # noqa: E402
from pathlib import Path  # noqa: E402

TUI = Path(__file__).resolve().parent.parent / "tabletop" / "tui"
SINKS = {"Static", "Label", "Button", "Checkbox", "Option", "TabPane", "Collapsible", "update", "Tab"}
STRING_METHODS = {"format", "join", "strip", "lstrip", "rstrip", "replace", "lower", "upper", "title", "capitalize"}


def _safe(node: ast.expr) -> bool:
    """A string constant, a variable, or a call that is not a str() or str method (literal.*, *_content(), seat_kind())."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.IfExp):
        return _safe(node.body) and _safe(node.orelse)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("str", "repr"):
            return False
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "literal":
            return True
        return not (isinstance(func, ast.Attribute) and func.attr in STRING_METHODS)
    return False  # an f-string, a +, a %, an attribute or an item: text built or fetched from data


def _constant_only(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Tuple):
        return all(_constant_only(e) for e in node.elts)
    return False


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = path.relative_to(TUI.parent.parent) if path.is_relative_to(TUI) else path.name
    found = []

    def bad(node: ast.AST, what: str) -> None:
        found.append(f"{name}:{node.lineno}: {what}: {ast.unparse(node)[:100]}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "from_markup":
            bad(node, "markup parsed")
        if isinstance(node, ast.keyword) and node.arg == "markup" and not (isinstance(node.value, ast.Constant) and node.value.value is False):
            found.append(f"{name}: markup= other than False")
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr in ("border_title", "border_subtitle") and not _safe(node.value):
                    bad(node, "border title from text")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        through_literal = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "literal"
        made_visible = (any(k.arg == "markup" for k in node.keywords) and node.args and isinstance(node.args[0], ast.Call)
                        and isinstance(node.args[0].func, ast.Name) and node.args[0].func.id == "visible")
        if called == "notify" and not through_literal and not made_visible and path.name != "literal.py":
            plain = node.args and _constant_only(node.args[0]) or (node.args and isinstance(node.args[0], ast.IfExp)
                                                                   and _constant_only(node.args[0].body) and _constant_only(node.args[0].orelse))
            if not plain:
                bad(node, "notify of text: use literal.notify")
        if called in SINKS and node.args and not _safe(node.args[0]):
            bad(node, f"{called} of text: use literal.text/assemble")
        if called == "Collapsible" and any(k.arg == "title" and not _safe(k.value) for k in node.keywords):
            bad(node, "Collapsible title of text")
        if called == "Select" and node.args:
            options = node.args[0]
            items = options.elts if isinstance(options, ast.List) else [options.elt] if isinstance(options, ast.ListComp) else []
            for item in items:
                if isinstance(item, ast.Tuple) and item.elts and not isinstance(item.elts[0], (ast.Constant, ast.Call)):
                    bad(item, "Select prompt of text: use literal.prompt")
        is_content = isinstance(func, ast.Name) and func.id in ("Content", "Text") or (
            isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("Content", "Text")
            and func.attr in ("styled", "assemble", "from_text"))
        if is_content and path.name != "literal.py" and not all(_constant_only(a) for a in node.args):
            bad(node, "Content of text outside literal.py")
    return found


def test_the_tui_builds_text_from_data_only_through_literal():
    problems = [p for path in sorted(TUI.rglob("*.py")) for p in _problems(path)]
    assert not problems, "\n".join(problems)


def test_the_source_check_catches_the_slips_it_is_for(tmp_path):
    """The check itself, on the slips the issue found (each was in the TUI before)."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(self, seat, title):\n"
        "    self.notify(f'{seat.name} has not decided')\n"
        "    yield Static(f'Adjudication: {title}')\n"
        "    yield Button(f'I am {seat.name}')\n"
        "    self.border_subtitle = f'n: {title}'\n"
        "    yield Select([(seat.name, seat.id)])\n"
        "    yield Static(self.question)\n"
        "    x = Content.assemble((seat.name, 'bold'))\n"
        "    y = Content.from_markup(title)\n",
        encoding="utf-8",
    )
    problems = _problems(sample)
    assert len(problems) == 8, problems


# ------------------------------------------------- shared machines
KILL_SERVER = "-".join(("kill", "server"))  # spelt so that this file does not name it itself


def test_nothing_kills_a_whole_tmux_server():
    """Killing tmux's server ends every session on its socket, other people's too: code kills its own sessions, by name."""
    found = []
    for folder in ("tabletop", "benchmarks", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and KILL_SERVER in node.value.split():
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found

"""The domain never imports Textual: headless use and tests need no terminal."""

import subprocess
import sys

DOMAIN = ["model", "loading", "treaties", "session", "log", "bots", "runner", "report", "msel", "cli", "yamlnodes", "paths", "verify", "events", "game", "state", "replay", "htmldoc", "guide", "handouts"]


def test_domain_modules_do_not_import_textual():
    code = (
        "import sys\n"
        + "".join(f"import tabletop.{name}\n" for name in DOMAIN)
        + "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        + "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

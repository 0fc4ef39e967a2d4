"""The TUI package loads Textual only where the app is built, so the CLI's headless commands stay fast."""

import subprocess
import sys


def test_importing_the_tui_package_does_not_import_textual():
    code = "import sys, tabletop.tui, tabletop.tui.describe, tabletop.tui.snapshots, tabletop.tui.colours, tabletop.tui.commands\nassert 'textual' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True)

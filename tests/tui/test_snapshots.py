"""SVG snapshots of the start screen and the board at 100x32.

Regenerate with ``pytest tests/tui --snapshot-update`` and look at every SVG
that changed before keeping it. The bundled scenarios appear on the start
screen, so editing their titles changes that snapshot too.
"""

from __future__ import annotations

from tabletop.tui.app import make_app

from .conftest import MINI

SIZE = (100, 32)


def test_start_screen(snap_compare):
    assert snap_compare(make_app(seed=7), terminal_size=SIZE)


def test_board_after_the_first_injects(snap_compare, tmp_path):
    app = make_app(str(MINI), ["us=human"], seed=1, log=tmp_path / "board.jsonl")
    assert snap_compare(app, terminal_size=SIZE, press=["N"])

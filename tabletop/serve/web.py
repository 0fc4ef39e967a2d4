"""``serve --web PORT``: the same clients in a browser, through textual-serve.

textual-serve starts one ``tabletop join URL`` process per browser tab on this
machine and relays its terminal to the page; the join screen asks for the code
(or offers the projector view), so the page itself holds no secret and every
tab is an ordinary client of the classroom server, with the same visibility.

The page loads nothing from outside this machine: textual-serve's own template
pulls its font from Google Fonts, so ours (``templates/app_index.html``, its
template otherwise unchanged) serves the font files textual-serve ships. The
page server runs on the classroom server's event loop, beside it.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

TEMPLATES = Path(__file__).resolve().parent / "templates"


def join_command(server_url: str) -> str:
    """The command each browser tab runs: ``tabletop join`` on the classroom server, reached from this machine."""
    parts = urlsplit(server_url)
    host = parts.hostname or "127.0.0.1"
    if host in ("0.0.0.0", "::", "localhost"):
        host = "127.0.0.1"
    local = f"http://{'[' + host + ']' if ':' in host else host}:{parts.port}"
    return shlex.join([sys.executable, "-m", "tabletop", "join", local])


async def start_web(server_url: str, host: str, port: int, public_url: str) -> web.AppRunner:
    """Listen on ``host:port`` with the browser page; the runner, to clean up with."""
    try:
        from textual_serve.server import Server as PageServer
    except ImportError:
        raise OSError("the browser page needs textual-serve (pip install textual-serve)") from None

    class Page(PageServer):
        async def on_startup(self, app: Any) -> None:  # textual-serve prints a logo and its own address: ours says it
            return None

    page = Page(join_command(server_url), host=host, port=port, title="tabletop", public_url=public_url, templates_path=TEMPLATES)
    app = await page._make_app()
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner

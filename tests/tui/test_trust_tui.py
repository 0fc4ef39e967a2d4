"""The TUI against bad files and failed writes: it starts, says what is wrong in one line, and loses nothing typed."""

from __future__ import annotations

import os

from textual.widgets import Input, OptionList

from tabletop import log as logmod
from tabletop import runner, signing
from tabletop.loading import load_scenario
from tabletop.session import Session
from tabletop.tui.app import make_app
from tabletop.tui.screens.board import BoardScreen
from tabletop.tui.screens.dialogs import NoteScreen
from tabletop.tui.screens.hotwash import HotWashScreen
from tabletop.tui.screens.start import StartScreen

from ..faults import enospc_after, read_only, small_disk
from .conftest import MINI, notifications, run, type_text


def unfinished_log(path) -> bytes:
    """A mini exercise stopped after its first turn: a log to resume."""
    scenario, rules = load_scenario(MINI)
    session = Session.new(scenario, rules, seed=4, log_path=path, fsync=False)
    runner.facilitate_turn(session)
    session.close()
    return path.read_bytes()


def test_bad_files_in_the_logs_folder_are_listed_as_unreadable_and_the_app_starts(home, mini_in_home, tmp_path):
    logs = home / "logs"
    logs.mkdir()
    good = logs / "good.jsonl"
    unfinished_log(good)
    header = good.read_bytes().split(b"\n")[0]
    (logs / "list.jsonl").write_bytes(b"[]\n")
    (logs / "x.jsonl").write_bytes(header + b'\n"x"\n')
    os.mkfifo(logs / "fifo.jsonl")
    (logs / "folder.jsonl").mkdir()
    (logs / "locked.jsonl").write_bytes(good.read_bytes())
    (logs / "locked.jsonl").chmod(0)
    busy = logs / "busy.jsonl"
    busy.write_bytes(good.read_bytes())
    holder = logmod.Writer.reopen(logmod.read(busy))  # another writer holds it
    app = make_app(seed=1)

    async def scenario():
        async with app.run_test(size=(110, 40)) as pilot:
            await pilot.pause()
            start = app.screen
            assert isinstance(start, StartScreen)
            entries = {e.path.name: e for e in start.logs}
            assert entries["list.jsonl"].problem == "line 1 is not a tabletop log header"
            assert entries["x.jsonl"].problem == "its last line is not an event: run 'tabletop verify' on it"
            assert entries["fifo.jsonl"].problem == "a FIFO (named pipe), not a log"
            assert entries["folder.jsonl"].problem == "a folder, not a log"
            if os.geteuid() != 0:  # root reads it all the same
                assert entries["locked.jsonl"].problem == "cannot read: permission denied"
            assert entries["good.jsonl"].problem == "" and not entries["good.jsonl"].ended
            assert entries["busy.jsonl"].elsewhere == f"pid {os.getpid()}"
            logs_list = start.query_one("#logs", OptionList)
            shown = {option.id: option for option in logs_list.options}
            for name in ("list.jsonl", "x.jsonl", "fifo.jsonl", "folder.jsonl"):
                option = shown[f"log-{start.logs.index(entries[name])}"]
                assert option.disabled and f"unreadable: {entries[name].problem}" in option.prompt.plain
            busy_option = shown[f"log-{start.logs.index(entries['busy.jsonl'])}"]
            assert f"open elsewhere (pid {os.getpid()})" in busy_option.prompt.plain
            logs_list.focus()
            logs_list.highlighted = start.logs.index(entries["busy.jsonl"])
            await pilot.pause()
            assert start.query_one("#resume").disabled and not start.query_one("#replay").disabled
            logs_list.highlighted = start.logs.index(entries["good.jsonl"])
            await pilot.pause()
            assert not start.query_one("#resume").disabled
            await pilot.click("#resume")
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)

    try:
        run(scenario())
    finally:
        holder.close()
        (logs / "locked.jsonl").chmod(0o600)


def test_resuming_a_log_another_tabletop_took_meanwhile_is_refused_naming_it(home, mini_in_home):
    logs = home / "logs"
    logs.mkdir()
    log = logs / "ex.jsonl"
    data = unfinished_log(log)
    app = make_app(seed=1)
    seen: list = []

    async def scenario():
        async with app.run_test(size=(110, 40), message_hook=seen.append) as pilot:
            await pilot.pause()
            start = app.screen
            assert start.logs[0].elsewhere == ""
            holder = logmod.Writer.reopen(logmod.read(log))  # another tabletop resumes it after the list was drawn
            try:
                logs_list = start.query_one("#logs", OptionList)
                logs_list.focus()
                logs_list.highlighted = 0
                await pilot.pause()
                await pilot.click("#resume")
                await pilot.pause()
            finally:
                holder.close()
            errors = [n.message for n in notifications(seen) if n.severity == "error"]
            assert errors == [f"cannot resume {log}: open elsewhere: another tabletop (pid {os.getpid()}) is writing this log; "
                              "close it there (or wait for it to end), then try again"]
            assert isinstance(app.screen, StartScreen)

    run(scenario())
    assert log.read_bytes() == data


def check_note_survives_a_full_disk(log, fill, free) -> None:
    app = make_app(str(MINI), seed=1, log=log)
    seen: list = []

    async def scenario():
        async with app.run_test(size=(100, 32), message_hook=seen.append) as pilot:
            await pilot.pause()
            before = log.read_bytes()
            await pilot.press("t")
            assert isinstance(app.screen, NoteScreen)
            await type_text(pilot, "Delegation walks out")
            note = app.screen.query_one("#note-text", Input)
            note.value += ": " + "minutes of the talks " * 250  # pasted; over a page, so the disk must find a new one
            typed = note.value
            fill()
            await pilot.press("enter")
            await pilot.pause()
            errors = [n.message for n in notifications(seen) if n.severity == "error"]
            assert errors and errors[-1] == (f"cannot write to the log {log}: the disk is full: free some space and try again. "
                                             "Nothing was recorded: once that is fixed, try again.")
            assert isinstance(app.screen, NoteScreen), "the dialog closed and took the text with it"
            assert app.screen.query_one("#note-text", Input).value == typed
            assert log.read_bytes() == before
            free()
            await pilot.press("enter")  # the same text, again
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)
            assert app.session.state.notes[-1].text == typed.strip()

    run(scenario())
    assert app.return_code in (None, 0)
    contents = logmod.read(log)
    assert contents.events[-1]["text"].startswith("Delegation walks out: minutes") and not contents.warnings


def test_a_note_typed_while_the_disk_is_full_is_kept_and_can_be_retried(tmp_path):
    with small_disk(tmp_path, "64k") as disk:
        check_note_survives_a_full_disk(disk.folder / "ex.jsonl", disk.fill, disk.free)


def test_a_note_typed_while_the_disk_is_full_is_kept_patched(tmp_path, monkeypatch):
    holder: dict = {}

    def fill():
        holder["space"] = enospc_after(monkeypatch, 0, "ex.jsonl")

    check_note_survives_a_full_disk(tmp_path / "ex.jsonl", fill, lambda: holder["space"].update(budget=10**9))


def test_resuming_a_read_only_log_says_so_and_stays_on_the_start_screen(tmp_path, monkeypatch):
    data = unfinished_log(tmp_path / "ex.jsonl")
    with read_only(tmp_path, {"logs/ex.jsonl": data}) as home:
        monkeypatch.setenv("TABLETOP_HOME", str(home))
        app = make_app(seed=1)
        seen: list = []

        async def scenario():
            async with app.run_test(size=(110, 40), message_hook=seen.append) as pilot:
                await pilot.pause()
                start = app.screen
                assert isinstance(start, StartScreen) and [e.path.name for e in start.logs] == ["ex.jsonl"]
                logs_list = start.query_one("#logs", OptionList)
                logs_list.focus()
                logs_list.highlighted = 0
                await pilot.pause()
                await pilot.click("#resume")
                await pilot.pause()
                errors = [n.message for n in notifications(seen) if n.severity == "error"]
                why = "the file system is read-only" if os.geteuid() == 0 else "permission denied"
                log = home / "logs" / "ex.jsonl"
                assert errors == [f"cannot resume {log}: cannot write to the log {log}: {why}: "
                                  + ("choose a path on a writable disk" if os.geteuid() == 0 else "choose a folder you may write to, or change its permissions")]
                assert isinstance(app.screen, StartScreen)

        run(scenario())
        assert (home / "logs" / "ex.jsonl").read_bytes() == data


def test_the_hot_wash_shows_the_logs_head_and_signer(tmp_path):
    log = tmp_path / "ex.jsonl"
    app = make_app(str(MINI), seed=1, log=log)

    async def scenario():
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            session = app.session
            runner.facilitate_turn(session)
            session.advance()
            runner.facilitate_turn(session)
            session.end("all turns played")
            app.screen.action_hotwash()
            await pilot.pause()
            assert isinstance(app.screen, HotWashScreen)
            text = app.screen.query_one("#hotwash-integrity").render().plain
            head = logmod.digest(log.read_bytes().splitlines()[-1])
            assert f"Log head (SHA-256 of its last line): {head}" in text
            assert f"Signed by: {signing.check(logmod.read(log)).signer}" in text  # 'unsigned', or the key's fingerprint

    run(scenario())

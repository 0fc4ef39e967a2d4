"""``tabletop serve`` as a real process, killed and started again; ``tabletop join`` refusing a bad code.

The clients are the real client (:class:`tabletop.serve.client.RemoteSession`):
they must notice the server is gone, reconnect on their own with backoff once
it is back, and end up holding the log exactly once each.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from tabletop import cli
from tabletop.game import CommandError
from tabletop.serve.client import JoinError, RemoteSession
from tests.serving import MINI, ServerProcess, ServerThread, log_records, verify


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(test, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or test}")
        time.sleep(0.05)


def answer_and_decide(client: RemoteSession, seat: str, option: str, why: str) -> None:
    for open_ob in client.unanswered(seat):
        client.answer(seat, open_ob.id, "consult", why)
    client.decide(seat, option, why)


@pytest.mark.slow  # kills the server's process and starts it again
def test_kill_the_server_mid_exercise_restart_it_and_the_clients_carry_on(tmp_path):
    log, codes_file, port = tmp_path / "class.jsonl", tmp_path / "codes.json", free_port()
    args = (str(MINI), "--port", str(port), "--log", str(log), "--codes", str(codes_file),
            "--seat", "russia=bot", "--seat", "china=bot", "--seat", "japan=bot", "--seed", "3")
    server = ServerProcess(*args).start()
    clients: list[RemoteSession] = []
    try:
        assert server.url == f"http://127.0.0.1:{port}"
        codes = json.loads(codes_file.read_text())
        assert set(codes["seats"]) == {"us", "rok", "dprk"}
        assert any(codes["facilitator"] in line for line in server.output)
        boss = RemoteSession(server.url, code=codes["facilitator"]).connect()
        teams = {s: RemoteSession(server.url, code=codes["seats"][s]).connect() for s in ("us", "rok", "dprk")}
        projector = RemoteSession(server.url, view=True).connect()
        clients = [boss, *teams.values(), projector]
        boss.release("missile")
        boss.advance()
        boss.advance()
        assert boss.state.phase == "decide"
        answer_and_decide(teams["us"], "us", "drill", "before the crash")
        boss.hand_over("japan", "human")  # japan's bot has decided; its team plays it from now on, with a code made now
        japan = boss.new_codes["japan"]
        assert json.loads(codes_file.read_text())["seats"]["japan"] == japan
        written = len(log_records(log))

        server.kill()  # mid-exercise, with no warning
        wait_for(lambda: not any(c.connected for c in clients), what="the clients to notice")
        with pytest.raises(CommandError):
            boss.advance()  # nobody to take it: refused at once, not lost in the dark
        restarted = ServerProcess(*args[:-2]).start()  # --log on an existing log resumes it; no --seed needed
        try:
            assert restarted.url == server.url
            assert any(codes["seats"]["rok"] in line for line in restarted.output)  # the same codes, read back
            assert f"japan: tabletop join {server.url} --code {japan}" in restarted.output  # the hand-over, from the log
            assert not any(line.startswith("played by bots:") and "japan" in line for line in restarted.output)
            wait_for(lambda: all(c.connected for c in clients), what="the clients to reconnect on their own")
            assert all(c.link.reconnects >= 1 for c in clients)
            wait_for(lambda: all(c.link.view.last == written for c in clients), what="the clients to catch up")
            answer_and_decide(teams["rok"], "rok", "talk", "after the restart")
            answer_and_decide(teams["dprk"], "dprk", "wait", "after the restart too")
            boss.advance()
            assert boss.state.phase == "adjudicate" and 1 in boss.state.adjudicated  # the server adjudicated on entering the phase
            boss.advance()
            total = len(log_records(log))
            wait_for(lambda: all(c.link.view.last == total for c in clients), what="every record to reach every client")
            records = log_records(log)
            assert [{k: v for k, v in r.items()} for r in boss.link.view.records] == records  # the facilitator holds the log itself
            for client in clients:
                assert [r["seq"] for r in client.link.view.records] == list(range(1, total + 1))  # each record once
                assert client.state.phase == "review" and client.state.tension == boss.state.tension
            decided = teams["rok"].state.decisions[1]
            assert decided["us"].rationale == "before the crash"  # revealed to rok after the restart
            assert restarted.stop() == 0
        finally:
            if restarted.proc and restarted.proc.poll() is None:
                restarted.kill()
    finally:
        for client in clients:
            client.close()
        if server.proc and server.proc.poll() is None:
            server.kill()
    checked = verify(log)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_join_with_a_wrong_or_used_code_says_so_in_one_line(tmp_path, capsys):
    with ServerThread(tmp_path / "x.jsonl") as server:
        assert cli.main(["join", server.url, "--code", "not-a-code"]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "code is not one of this exercise's" in err[0]
        holder = RemoteSession(server.url, code=server.code("us")).connect()
        try:
            assert cli.main(["join", server.url, "--code", server.code("us")]) == 1
            err = capsys.readouterr().err.strip().splitlines()
            assert len(err) == 1 and "in use" in err[0]
        finally:
            holder.close()
    port = free_port()
    assert cli.main(["join", f"http://127.0.0.1:{port}", "--view"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot reach" in err[0]


def test_a_scenario_this_machine_lacks_is_named(tmp_path):
    with ServerThread(tmp_path / "x.jsonl") as server:

        def elsewhere(header):
            raise JoinError(f"its scenario {header['scenario']!r} is not on this machine")

        with pytest.raises(JoinError, match="'mini' is not on this machine"):
            RemoteSession(server.url, view=True, loader=elsewhere).connect()

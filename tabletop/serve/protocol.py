"""The wire protocol, version 1: JSON text frames over one websocket (see ``docs/protocol.md``).

Kept apart from the server so that a client and the server read the same
definitions: the frame kinds, the limits, and the one way a command becomes
JSON and back (the typed commands of :mod:`tabletop.events`, through its
strict cattrs converter, with a ``type`` naming the command).
"""

from __future__ import annotations

import json
from typing import Any

import cattrs

from tabletop import events as ev

PROTOCOL = 1
PATH = "/ws"  # the websocket's path on the server
MAX_FRAME = 64 * 1024  # bytes of one client frame; a longer one is refused with an error frame
HARD_FRAME = 1024 * 1024  # past this the websocket library closes the connection (1009)
RATE = 20.0  # frames a second a connection may send, on average
BURST = 40  # and at once
HELLO_TIMEOUT = 10.0  # seconds a new connection has to say hello
HEARTBEAT = 5.0  # seconds between the server's pings; a client that misses a pong is gone
MAX_SEALED = 1000  # seqs a client may list as held sealed in its hello

# The command classes by their names on the wire.
COMMANDS: dict[str, type[Any]] = {
    "advance": ev.Advance,
    "release": ev.Release,
    "release_adhoc": ev.ReleaseAdhoc,
    "decide": ev.Decide,
    "answer": ev.Answer,
    "assess": ev.Assess,
    "adjudicate": ev.Adjudicate,
    "override": ev.Override,
    "note": ev.Note,
    "end": ev.End,
    "withhold": ev.Withhold,
    "timer": ev.Timer,
    "hand_over": ev.HandOver,
    "retract": ev.Retract,
}
NAMES = {cls: name for name, cls in COMMANDS.items()}


class FrameError(ValueError):
    """A frame that is not what the protocol expects; the message says what was expected."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> dict[str, Any]:
    """A client frame parsed: a JSON object with a text ``kind``; FrameError otherwise."""
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise FrameError("malformed", f"not valid JSON ({getattr(exc, 'msg', None) or 'nested too deeply'})") from None
    if type(frame) is not dict:
        raise FrameError("malformed", "expected a JSON object")
    if type(frame.get("kind")) is not str:
        raise FrameError("malformed", "expected a 'kind' (text) in every frame")
    return frame


def command_to_json(command: Any) -> dict[str, Any]:
    """A typed command as the wire carries it: ``{"type": NAME, ...its fields}``."""
    return {"type": NAMES[type(command)], **ev.converter.unstructure(command)}


def command_from_json(data: Any) -> Any:
    """The typed command of a frame's ``command`` object; FrameError names what is wrong (strict: no coercion)."""
    if type(data) is not dict:
        raise FrameError("malformed", "expected 'command' to be an object")
    name = data.get("type")
    cls = COMMANDS.get(name) if type(name) is str else None
    if cls is None:
        raise FrameError("malformed", f"unknown command type {name!r}; expected one of {', '.join(COMMANDS)}")
    fields = {k: v for k, v in data.items() if k != "type"}
    try:
        return ev.converter.structure(fields, cls)
    except ev.EventError as exc:
        raise FrameError("malformed", f"{name} command: {exc}") from None
    except cattrs.BaseValidationError as exc:
        raise FrameError("malformed", f"{name} command: {ev._first_problem(exc)}") from None
    except (TypeError, ValueError, KeyError, AttributeError) as exc:  # a fact the model refuses
        raise FrameError("malformed", f"{name} command: {exc}") from None


def error(code: str, message: str, ref: Any = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"kind": "error", "code": code, "message": message}
    if ref is not None:
        frame["id"] = ref
    return frame

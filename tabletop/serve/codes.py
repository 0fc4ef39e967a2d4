"""Join codes: one per human seat and one for the facilitator.

A code is 12 characters of ``secrets.token_urlsafe`` (72 random bits): typed
by a student in a few seconds, never guessed over a network (a million tries a
second would take a hundred thousand years on average). Codes are compared
with ``hmac.compare_digest`` (as SHA-256 digests, all of one length) against
every code in turn, so the time a wrong code takes says nothing about the
right ones.

The codes are written as ``{"facilitator": CODE, "seats": {SEAT: CODE}}``,
readable by the owner alone (0600) and replaced atomically, and read back when
the server restarts, so the codes handed out stay good for the whole exercise.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

import attrs

from tabletop import files
from tabletop.serve.visibility import FACILITATOR, SEAT, Role

CODE_BYTES = 9  # 12 characters of base64url


def _digest(code: str) -> bytes:
    """Codes are compared as SHA-256 digests: the same length whatever was typed, so not even the length of a code shows in the time."""
    return hashlib.sha256(code.encode("utf-8", "replace")).digest()


class CodesError(Exception):
    """A codes file that cannot be used; the message says why."""


@attrs.frozen
class Codes:
    facilitator: str
    seats: dict[str, str]

    @classmethod
    def generate(cls, seats: list[str]) -> Codes:
        return cls(secrets.token_urlsafe(CODE_BYTES), {s: secrets.token_urlsafe(CODE_BYTES) for s in seats})

    def role(self, code: Any) -> Role | None:
        """The role a code opens, or None; every code is compared, in constant time each."""
        if type(code) is not str:
            return None
        given = _digest(code.strip())
        found: Role | None = None
        if hmac.compare_digest(given, _digest(self.facilitator)):
            found = Role(FACILITATOR)
        for seat, seat_code in self.seats.items():
            if hmac.compare_digest(given, _digest(seat_code)):
                found = Role(SEAT, seat)
        return found

    def to_json(self) -> dict[str, Any]:
        return {"facilitator": self.facilitator, "seats": dict(self.seats)}

    def write(self, path: str | os.PathLike[str]) -> None:
        """Owner-only (0600, even over a file someone opened up) and atomic, with :func:`tabletop.files.write_atomic`.

        Raises a :class:`~tabletop.files.WriteError` whose text is the one line to show.
        """
        target = Path(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise files.WriteError(files.explain(exc, target.parent, "create"), target.parent, exc.errno) from None
        files.write_atomic(target, json.dumps(self.to_json(), indent=2) + "\n", mode=files.PRIVATE, keep_mode=False)

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Codes:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CodesError(f"cannot read {path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise CodesError(f"{path}: not valid JSON ({exc})") from None
        if (
            type(data) is not dict or type(data.get("facilitator")) is not str or type(data.get("seats")) is not dict
            or not all(type(k) is str and type(v) is str and v for k, v in data["seats"].items()) or not data["facilitator"]
        ):
            raise CodesError(f'{path}: expected {{"facilitator": CODE, "seats": {{SEAT: CODE, ...}}}}')
        return cls(data["facilitator"], dict(data["seats"]))

    def for_seats(self, seats: list[str]) -> Codes:
        """These codes for exactly ``seats``: the ones kept, fresh ones for seats that became human."""
        return Codes(self.facilitator, {s: self.seats.get(s) or secrets.token_urlsafe(CODE_BYTES) for s in seats})

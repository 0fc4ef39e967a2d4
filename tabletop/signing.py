"""Signed logs: the facilitator's Ed25519 key signs the log's chain head at each turn's end and at the exercise's end.

The hash chain alone is unkeyed: whoever edits a line can recompute every
``prev`` after it, and the chain holds again. A signature line carries the
SHA-256 of the line before it (the chain head, which commits to every line
before it through the chain), the signer's public key and its fingerprint,
and an Ed25519 signature over the line itself; only the holder of the private
key can write one that verifies. So an edit anywhere before a signature,
without the key, turns that signature bad; removing the signatures leaves a
log that says it is unsigned; lines added after the last signature are named
as unsigned. Whoever holds the key can still rewrite and re-sign a log: the
head hash that the hot wash and the report show, noted by the class at the
end, is what gives such a rewrite away.

Why Ed25519 through ``cryptography`` rather than ``ssh-keygen -Y``: it is one
dependency that is already installed with tabletop and works the same on every
platform, with no external program, agent or passphrase prompt inside a
running TUI; a signature costs well under a millisecond in-process, where
``ssh-keygen`` would be a process per turn; and Ed25519 signatures are
deterministic, so a headless run with the same key still writes the same log
byte for byte. The key is stored in OpenSSH's own format and fingerprinted as
OpenSSH does (``SHA256:...`` over the key's wire form), so ``ssh-keygen -lf``
shows the same fingerprint and the exported public key is an ordinary
``ssh-ed25519`` line.

The format of a signature line (a chained line like any other)::

    {"type": "signature", "seq": N, "turn": T, "prev": P, "head": P,
     "key": "SHA256:...", "public_key": BASE64 (32 bytes), "sig": BASE64 (64 bytes)}

``sig`` signs ``DOMAIN + encode(the line without "sig")``.
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import os
import stat
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from tabletop import files, paths
from tabletop import log as logmod

SIGNATURE = "signature"
DOMAIN = b"tabletop-log-signature/1\n"
KEY_FILE = "facilitator_ed25519"
TRUSTED_FILE = "trusted_keys"
_SSH_TYPE = b"ssh-ed25519"


class SigningError(Exception):
    """The key cannot be created, read or used; the message says which file and what to do."""


# ------------------------------------------------------------------ keys


def key_path() -> Path:
    """The facilitator's private key: ``data_home()/keys/facilitator_ed25519``, owner-only."""
    return paths.data_home() / "keys" / KEY_FILE


def trusted_path() -> Path:
    """Public keys whose signatures ``verify`` calls trusted, one OpenSSH line (or a fingerprint) each: a setting, in the config folder."""
    return paths.config_home() / TRUSTED_FILE


def _trusted_file() -> Path | None:
    """The trusted-keys file in force: the config folder's; until there is one, the data folder's, where earlier versions kept it.

    Once ``key --trust`` has written the config folder's (the earlier keys
    moved into it), the earlier file no longer counts: a key deleted from the
    one the README names is no longer trusted.
    """
    for path in (trusted_path(), paths.data_home() / TRUSTED_FILE):
        if path.exists():
            return path
    return None


def _blob(raw: bytes) -> bytes:
    """The OpenSSH wire form of an Ed25519 public key."""
    return struct.pack(">I", len(_SSH_TYPE)) + _SSH_TYPE + struct.pack(">I", len(raw)) + raw


def fingerprint(raw: bytes) -> str:
    """``SHA256:...`` of a raw 32-byte public key, exactly as ``ssh-keygen -l`` prints it."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(_blob(raw)).digest()).decode().rstrip("=")


@attrs.frozen
class PublicKey:
    raw: bytes
    comment: str = ""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.raw)

    def openssh(self) -> str:
        """``ssh-ed25519 AAAA... comment``: the line to hand out, put in a trusted-keys file, or pass to ``--key``."""
        line = f"ssh-ed25519 {base64.b64encode(_blob(self.raw)).decode()}"
        return f"{line} {self.comment}" if self.comment else line

    @classmethod
    def from_openssh(cls, line: str) -> PublicKey | None:
        """The key of an ``ssh-ed25519 BASE64 [comment]`` line; None for anything else."""
        parts = line.strip().split(None, 2)
        if len(parts) < 2 or parts[0] != "ssh-ed25519":
            return None
        try:
            blob = base64.b64decode(parts[1], validate=True)
        except (binascii.Error, ValueError):
            return None
        head = struct.pack(">I", len(_SSH_TYPE)) + _SSH_TYPE + struct.pack(">I", 32)
        if len(blob) != len(head) + 32 or not blob.startswith(head):
            return None
        return cls(blob[len(head):], parts[2] if len(parts) > 2 else "")


class Signer:
    """The facilitator's private key, read (or created) on first use, so importing and constructing cost nothing.

    The first signature falls at the end of the first turn, not while the
    board is first drawn, so ``cryptography`` is imported only then.
    """

    def __init__(self, path: Path | None = None, create: bool = True):
        self.path = path if path is not None else key_path()
        self.create = create
        self._key: Any = None
        self._public: PublicKey | None = None

    def _private(self) -> Any:
        if self._key is None:
            self._key = _load_or_create(self.path, self.create)
        return self._key

    @property
    def public(self) -> PublicKey:
        if self._public is None:
            from cryptography.hazmat.primitives import serialization

            raw = self._private().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            self._public = PublicKey(raw, "tabletop facilitator key")
        return self._public

    @property
    def fingerprint(self) -> str:
        return self.public.fingerprint

    def sign(self, message: bytes) -> bytes:
        return self._private().sign(message)


def _load_or_create(path: Path, create: bool) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        data = _read_private(path)
    except FileNotFoundError:
        if not create:
            raise SigningError(f"no facilitator key at {path}: 'tabletop key' creates one") from None
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption())
        try:
            _create_private(path, pem)
        except FileExistsError:  # another process made one first: use that one
            data = _read_private(path)
        else:
            return key
    try:
        loaded = serialization.load_ssh_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"cannot read the facilitator key {path}: {exc}; move it away and a new key is made") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise SigningError(f"the facilitator key {path} is not an Ed25519 key; move it away and a new key is made")
    return loaded


def _read_private(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise SigningError(files.explain(exc, path, "read the facilitator key")) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SigningError(f"the facilitator key {path} is not an ordinary file; move it away and a new key is made")
        if os.name == "posix" and info.st_mode & 0o077:
            raise SigningError(f"the facilitator key {path} may be read by others (mode {stat.S_IMODE(info.st_mode):o}): run 'chmod 600 {path}'")
        return os.read(fd, 64 * 1024)
    finally:
        os.close(fd)


def _create_private(path: Path, pem: bytes) -> None:
    """Write a new key owner-only, whole or not at all, never over an existing one (FileExistsError)."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, pem)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temp, path)  # fails if a key appeared meanwhile
        finally:
            os.unlink(temp)
    except FileExistsError:
        raise
    except OSError as exc:
        raise SigningError(files.explain(exc, path, "create the facilitator key")) from None
    files.fsync_folder(path.parent)


def own_public_key() -> PublicKey | None:
    """This user's key, if it exists (never created here: verifying has no side effects)."""
    if not key_path().exists():
        return None
    try:
        return Signer(create=False).public
    except SigningError:
        return None


def _key_lines(path: Path) -> list[tuple[str, str, str]]:
    """(line, fingerprint, comment) for each key of a file of ``ssh-ed25519`` lines or bare ``SHA256:`` fingerprints.

    Blank lines and lines starting with '#' are skipped; anything else is a SigningError naming file:line.
    """
    try:
        text = _read_small_text(path)
    except OSError as exc:
        raise SigningError(files.explain(exc, path, "read")) from None
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SHA256:") and len(line.split()[0]) == 50:
            found.append((line, line.split()[0], " ".join(line.split()[1:])))
            continue
        key = PublicKey.from_openssh(line)
        if key is None:
            raise SigningError(f"{path}:{number}: expected an 'ssh-ed25519 AAAA...' public key or a 'SHA256:...' fingerprint")
        found.append((line, key.fingerprint, key.comment))
    return found


def read_trusted(path: Path, label: str) -> dict[str, str]:
    """Fingerprint -> label (with the key's comment) for every key in ``path`` (see _key_lines)."""
    return {fp: f"{label}: {comment}" if comment else label for _line, fp, comment in _key_lines(path)}


def add_trusted(source: Path) -> list[tuple[str, bool]]:
    """Add the keys in ``source`` to the trusted-keys file (atomically); each fingerprint, and whether it was new."""
    keys = _key_lines(source)
    if not keys:
        raise SigningError(f"{source} holds no public key: expected 'ssh-ed25519 AAAA...' lines")
    target = trusted_path()
    current = _trusted_file()  # the earlier data-folder file, until the first key added since moves its keys over
    old = _read_small_text(current) if current is not None else ""
    known = {fp for _line, fp, _comment in _key_lines(current)} if old and current is not None else set()
    result, added = [], []
    for line, fp, _comment in keys:
        result.append((fp, fp not in known))
        if fp not in known:
            known.add(fp)
            added.append(line)
    if added:
        if old and not old.endswith("\n"):
            old += "\n"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SigningError(files.explain(exc, target.parent, "create")) from None
        try:
            files.write_atomic(target, old + "".join(f"{line}\n" for line in added))
        except OSError as exc:
            raise SigningError(str(exc)) from None
    return result


def _read_small_text(path: Path) -> str:
    """A small text file's contents; refuses anything but a regular file (never blocks on a FIFO)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not an ordinary file", str(path))
        return os.read(fd, 1 << 20).decode("utf-8", errors="replace")
    finally:
        os.close(fd)


def trusted_keys(key_file: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Fingerprint -> why it is trusted. With ``key_file`` (``verify --key``), only the keys in it.

    Without: the user's own key and those in the trusted-keys file.
    """
    if key_file is not None:
        return read_trusted(Path(key_file), f"given with --key {key_file}")
    trusted: dict[str, str] = {}
    own = own_public_key()
    if own is not None:
        trusted[own.fingerprint] = "your own key"
    path = _trusted_file()
    if path is not None:
        trusted.update((k, v) for k, v in read_trusted(path, f"in {path}").items() if k not in trusted)
    return trusted


# ------------------------------------------------------------ signing


def signature_record(signer: Signer, seq: int, turn: int, prev: str) -> dict[str, Any]:
    """The signature line that follows the line whose digest is ``prev``."""
    public = signer.public
    record: dict[str, Any] = {
        "type": SIGNATURE, "seq": seq, "turn": turn, "prev": prev, "head": prev,
        "key": public.fingerprint, "public_key": base64.b64encode(public.raw).decode(),
    }
    record["sig"] = base64.b64encode(signer.sign(DOMAIN + logmod.encode(record))).decode()
    return record


# ------------------------------------------------------------ checking


@attrs.frozen
class Verdict:
    """What the signatures of a log show, with the one line ``verify`` prints."""

    status: str  # "signed", "partly signed", "unsigned" or "bad"
    message: str
    head: str  # SHA-256 of the log's last line: what a class notes at the hot wash
    lines: int
    signed_to: int = 0  # the last signature's line (0: none)
    signers: tuple[str, ...] = ()
    untrusted: tuple[str, ...] = ()
    bad_line: int = 0

    @property
    def ok(self) -> bool:
        """No signature is bad (an unsigned log is not a bad one: it says so)."""
        return self.status != "bad"

    @property
    def trusted(self) -> bool:
        """Signed to the last line, by trusted keys only."""
        return self.status == "signed" and not self.untrusted

    @property
    def signer(self) -> str:
        """The fingerprint(s) of whoever signed, for the hot wash and the report; 'unsigned' when none did."""
        return ", ".join(self.signers) if self.signers else "unsigned"


def check(contents: logmod.LogContents, trusted: dict[str, str] | None = None, chain_checked: bool = False) -> Verdict:
    """The signatures of a log as :func:`tabletop.log.read` gives it.

    Walks the chain too, unless the caller says ``log.read`` checked it
    (``chain_checked``): a verdict is about the bytes it was given, even when
    they were read without the chain check.
    """
    events, digests = contents.events, contents.digests
    for index, event in enumerate(() if chain_checked else events):
        if event.get("prev") != digests[index] or event.get("seq") != index + 1:
            return Verdict("bad", f"BAD: the hash chain breaks at line {index + 2}, so no signature after it can hold", digests[-1], len(events) + 1, bad_line=index + 2)
    found = [(index + 2, event) for index, event in enumerate(events) if event.get("type") == SIGNATURE]
    return _judge(contents.path, found, lambda line: digests[line - 1], len(events) + 1, digests[-1], trusted)


class Watch:
    """A log's lines as another reader (``verify``) reads them, noting the signature lines on the way.

    Stands in for the :class:`tabletop.log.Lines` it wraps (the reader sees its
    attributes and its lines unchanged), so the signatures are judged from
    the same single pass as the replay, on exactly the bytes it read.
    """

    def __init__(self, lines: logmod.Lines):
        self._lines = lines
        self.found: list[tuple[int, dict[str, Any]]] = []
        self.digests: dict[int, str] = {}  # line number -> its digest, for each line a signature follows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lines, name)

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any], bytes]]:
        lines = self._lines
        before = lines.last  # the digest of the line read last (the header, to begin with)
        for number, record, line in lines:
            if record.get("type") == SIGNATURE:
                self.found.append((number, record))
                self.digests[number - 1] = before
            before = lines.last
            yield number, record, line

    def verdict(self, trusted: dict[str, str] | None = None) -> Verdict:
        """What the signatures show, once every line has been read (the chain was checked as they were)."""
        lines = self._lines
        return _judge(lines.name, self.found, self.digests.__getitem__, lines.count + 1, lines.last, trusted)


def _judge(
    name: str,
    found: list[tuple[int, dict[str, Any]]],
    digest_of: Callable[[int], str],
    lines: int,
    head: str,
    trusted: dict[str, str] | None,
) -> Verdict:
    if trusted is None:
        trusted = trusted_keys()
    if not found:
        return Verdict(
            "unsigned",
            f"UNSIGNED: no line of {name} is signed, so its hash chain shows only that it is whole, not who wrote it "
            f"(anyone who edits a line can recompute the chain); head {head}",
            head, lines,
        )
    latest: dict[str, tuple[int, dict[str, Any], bytes]] = {}
    every: dict[str, list[tuple[int, dict[str, Any], bytes]]] = {}
    order: list[str] = []
    keys: dict[str, str] = {}  # public_key -> its fingerprint, computed once a key
    for line, record in found:
        problem, raw = _form(record, keys)
        if problem:
            return Verdict("bad", f"BAD SIGNATURE at line {line}: {problem}", head, lines, bad_line=line)
        key = record["key"]
        if key not in latest:
            order.append(key)
        latest[key] = (line, record, raw)
        every.setdefault(key, []).append((line, record, raw))
    # The latest signature of each key covers, through the chain, everything before it that key vouched for:
    # its head checked against the line before it, and one Ed25519 check a key, show the lines were not changed
    # after signing. (Each earlier one's head is its prev, which the chain checks.)
    for key in order:
        line, record, raw = latest[key]
        if record["head"] != digest_of(line - 1):
            return Verdict("bad", f"BAD SIGNATURE at line {line}: its head is not the SHA-256 of the line before it", head, lines, bad_line=line)
        if not _valid(record, raw):
            line = _first_bad(every[key])
            return Verdict(
                "bad",
                f"BAD SIGNATURE at line {line}: it does not match the lines it covers: they were changed after they were "
                "signed, or the signature was made without the key",
                head, lines, bad_line=line,
            )
    last = found[-1][0]
    untrusted = tuple(k for k in order if k not in trusted)
    who = "; ".join(f"{k} ({'trusted: ' + trusted[k] if k in trusted else 'NOT a trusted key'})" for k in order)
    status = "signed" if last == lines else "partly signed"
    word = "signed" if not untrusted else "signed, but NOT only by trusted keys"
    if status == "signed":
        message = f"{word}: every line, to line {last}, signed by {who}; head {head}"
    else:
        message = (
            f"PARTLY {word}: lines 1 to {last} signed by {who}; the {lines - last} line(s) after it ({last + 1} to {lines}) are NOT "
            f"signed: the exercise stopped during a turn, or lines were added after the last signature; head {head}"
        )
    if untrusted:
        message += "; to trust a key, 'tabletop key --trust FILE' with its public key, or pass --key FILE"
    return Verdict(status, message, head, lines, last, tuple(order), untrusted)


def _first_bad(signatures: list[tuple[int, dict[str, Any], bytes]]) -> int:
    """The line of the first bad signature of one key, the last one being bad: named as verify names the first bad line.

    Through the chain, an edit at one line turns bad every signature after it
    and none before, so a binary search finds it in a few verifications.
    """
    low, high = 0, len(signatures) - 1  # signatures[high] is bad
    while low < high:
        middle = (low + high) // 2
        _line, record, raw = signatures[middle]
        if _valid(record, raw):
            low = middle + 1
        else:
            high = middle
    return signatures[high][0]


_FIELDS = ("head", "key", "public_key", "sig", "prev")


def _form(record: dict[str, Any], keys: dict[str, str]) -> tuple[str, bytes]:
    """Why a signature line is malformed ('' when it is not), and its raw public key.

    ``keys`` caches each public key's fingerprint: a log has one or two keys and a signature a turn.
    """
    if not all(type(record.get(f)) is str for f in _FIELDS):
        return "expected text fields " + ", ".join(_FIELDS), b""
    if record["head"] != record["prev"]:
        return "its head is not the SHA-256 of the line before it", b""
    try:
        raw = base64.b64decode(record["public_key"], validate=True)
        sig = base64.b64decode(record["sig"], validate=True)
    except (binascii.Error, ValueError):
        return "public_key and sig must be base64", b""
    if len(raw) != 32 or len(sig) != 64:
        return "expected a 32-byte Ed25519 public key and a 64-byte signature", b""
    known = keys.get(record["public_key"])
    if known is None:
        known = keys[record["public_key"]] = fingerprint(raw)
    if known != record["key"]:
        return f"its key {record['key']!r} is not the fingerprint of its public key ({known})", b""
    return "", raw


def _valid(record: dict[str, Any], raw: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    signed = {k: v for k, v in record.items() if k != "sig"}
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(record["sig"]), DOMAIN + logmod.encode(signed))
    except (InvalidSignature, ValueError):
        return False
    return True

"""Signed logs: the facilitator's key signs each turn's end and the exercise's end; forgeries with and without it.

The session calls ``writer.sign()`` after each command that starts a turn or
ends the exercise; it does not yet hand its Writer the user's key (that is
``Writer.create(..., signer=signing.Signer())`` in ``Session.new``, ``resume``
and ``branch``), so these tests give the Writer the key: :func:`wire`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from tabletop import cli, paths, report, runner, signing
from tabletop import log as logmod
from tabletop.session import Session


def wire(session: Session, signer: signing.Signer | None = None) -> Session:
    """The user's key (or ``signer``) for the session's Writer; the session itself calls ``sign()``."""
    session.writer.signer = signer or signing.Signer()
    return session


def play_signed(scenario, rules, path: Path, seed: int = 1, signer: signing.Signer | None = None) -> Path:
    runner.finish(wire(Session.new(scenario, rules, seed=seed, log_path=path, fsync=False), signer))
    return path


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")[:-1]


def rechain(lines: list[bytes], fix_heads: bool = False) -> list[bytes]:
    """What a forger without the key does after an edit: renumber, recompute every prev (and, if asked, every head)."""
    out = [lines[0]]
    for seq, line in enumerate(lines[1:], start=1):
        record = json.loads(line)
        record["seq"] = seq
        record["prev"] = logmod.digest(out[-1])
        if fix_heads and record["type"] == "signature":
            record["head"] = record["prev"]
        out.append(logmod.encode(record))
    return out


def write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def verdict(path: Path, trusted: dict[str, str] | None = None) -> signing.Verdict:
    return signing.check(logmod.read(path), trusted)


@pytest.fixture
def signed(mini, rules, tmp_path) -> Path:
    return play_signed(mini, rules, tmp_path / "signed.jsonl")


# ------------------------------------------------------------------ the key


def test_the_key_is_made_on_first_use_owner_only_in_the_data_folder(tmp_path, capsys):
    path = signing.key_path()
    shutil.rmtree(path.parent)  # this home starts without the test run's shared key
    assert path.parent.parent == paths.data_home() and not path.exists()
    assert cli.main(["key"]) == 0
    out, err = capsys.readouterr()
    fingerprint = out.split()[0]
    assert "created a new facilitator key" in err and str(path) in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # The fingerprint is OpenSSH's: SHA-256 of the key's wire form, as ssh-keygen -l prints it.
    key = serialization.load_ssh_private_key(path.read_bytes(), password=None)
    blob = base64.b64decode(key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).split()[1])
    assert fingerprint == "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    assert cli.main(["key"]) == 0
    out, err = capsys.readouterr()
    assert out.split()[0] == fingerprint and not err  # the same key the second time
    assert cli.main(["key", "--export", str(tmp_path / "facilitator.pub")]) == 0
    line = (tmp_path / "facilitator.pub").read_text()
    assert line.startswith("ssh-ed25519 AAAA") and signing.PublicKey.from_openssh(line).fingerprint == fingerprint
    if shutil.which("ssh-keygen"):
        shown = subprocess.run(["ssh-keygen", "-lf", str(tmp_path / "facilitator.pub")], capture_output=True, text=True).stdout
        assert fingerprint in shown


def test_a_key_others_may_read_is_refused_and_the_exercise_goes_on_unsigned(mini, rules, tmp_path):
    assert signing.Signer().fingerprint  # makes the key
    signing.key_path().chmod(0o644)
    with pytest.raises(signing.SigningError, match="may be read by others"):
        signing.Signer().fingerprint  # noqa: B018
    path = tmp_path / "ex.jsonl"
    session = wire(Session.new(mini, rules, seed=1, log_path=path, fsync=False))
    runner.finish(session)
    assert "may be read by others" in session.writer.signing_problem
    assert verdict(path).status == "unsigned" and logmod.read(path).events[-1]["type"] == "exercise_ended"


def test_key_export_never_writes_over_a_log(signed, capsys):
    before = signed.read_bytes()
    assert cli.main(["key", "--export", str(signed)]) == 2
    assert "it is an exercise log" in capsys.readouterr().err
    assert signed.read_bytes() == before


# ------------------------------------------------------------------ signing


def test_each_turns_end_and_the_exercises_end_are_signed(signed, mini):
    contents = logmod.read(signed)
    events = contents.events
    for line, record in contents.signatures:
        before = events[line - 3]  # the line before the signature
        assert before["type"] == "exercise_ended" or (before["type"] == "turn_started" and before["turn"] > 1)
        assert record["head"] == record["prev"] == contents.digests[line - 2] and record["turn"] == before["turn"]
    started = [e for e in events if e.get("type") == "turn_started"]  # the scenario's turns, and a closing round if one was owed
    assert len(started) >= len(mini.turns)
    assert len(contents.signatures) == len(started)  # at each turn's start but the first, and at the end
    assert events[-1]["type"] == "signature"
    result = signing.check(contents)
    assert result.status == "signed" and result.trusted and result.signers == (signing.Signer().fingerprint,)
    assert result.message.startswith(f"signed: every line, to line {len(events) + 1}, signed by {signing.Signer().fingerprint} (trusted: your own key)")
    assert result.head == logmod.digest(lines_of(signed)[-1])
    with logmod.Lines(signed) as lines:  # as verify reads it, in one pass
        watched = signing.Watch(lines)
        assert sum(1 for _ in watched) == len(events)
    assert watched.verdict() == result


def test_the_same_key_and_seed_give_the_same_signed_log_and_a_resume_gives_it_too(mini, rules, signed, tmp_path):
    reference = signed.read_bytes()
    assert play_signed(mini, rules, tmp_path / "again.jsonl").read_bytes() == reference
    lines = lines_of(signed)
    for cut in range(2, len(lines)):  # every line boundary, around every signature
        path = write(tmp_path / f"cut{cut}.jsonl", lines[:cut])
        runner.finish(resume_signed(path, mini, rules))
        assert path.read_bytes() == reference, f"resumed from line {cut}"


def resume_signed(path, mini, rules):
    """Session.resume with the key: the Writer must neither sign a point twice nor miss one.

    A log whose last event wanted a signature that a crash cut off gets it
    from ``sign_if_owed``, and the record joins the session's events.
    """
    session, _ = Session.resume(path, mini, rules)
    session.writer.fsync = False
    wire(session)
    record = session.writer.sign_if_owed()
    if record is not None:
        session.events.append(record)
    return session


# ------------------------------------------------------- forgeries without the key


def test_an_edited_rationale_with_the_chain_recomputed_is_a_bad_signature(signed, tmp_path):
    lines = lines_of(signed)
    index = next(i for i, line in enumerate(lines) if b'"decision"' in line)
    record = json.loads(lines[index])
    record["rationale"] = "Edited after the fact."
    lines[index] = logmod.encode(record)
    forged = write(tmp_path / "forged.jsonl", rechain(lines))
    first_signature = next(n for n, _ in logmod.read(forged).signatures if n > index + 1)
    result = verdict(forged)
    assert result.status == "bad" and result.bad_line == first_signature
    assert "its head is not the SHA-256 of the line before it" in result.message
    # A forger who also rewrites each head fails on the signature itself.
    forged = write(tmp_path / "forged2.jsonl", rechain(lines, fix_heads=True))
    result = verdict(forged)
    assert result.status == "bad" and "does not match the lines it covers" in result.message
    assert result.bad_line == first_signature  # the first signature the edit broke, as verify names the first bad line


def test_a_forged_header_seed_or_seats_is_a_bad_signature(signed, tmp_path):
    for field, value in (("seed", 99), ("seats", {"us": "human"})):
        lines = lines_of(signed)
        header = json.loads(lines[0])
        header[field] = value
        lines[0] = logmod.encode(header)
        result = verdict(write(tmp_path / f"{field}.jsonl", rechain(lines, fix_heads=True)))
        assert result.status == "bad", field


def test_stripping_the_signatures_leaves_a_log_that_says_it_is_unsigned(signed, tmp_path):
    lines = [line for line in lines_of(signed) if b'"type":"signature"' not in line]
    result = verdict(write(tmp_path / "stripped.jsonl", rechain(lines)))
    assert result.status == "unsigned" and not result.trusted
    assert result.message.startswith("UNSIGNED: no line of")


def test_an_edit_to_the_last_line_is_caught(signed, tmp_path):
    lines = lines_of(signed)
    last = json.loads(lines[-1])
    last["turn"] = 1  # the signature line itself: its every field is signed
    lines[-1] = logmod.encode(last)
    assert verdict(write(tmp_path / "last.jsonl", lines)).status == "bad"
    # The line before it (the exercise's end), with the chain recomputed, breaks the final signature.
    lines = lines_of(signed)
    ended = json.loads(lines[-2])
    ended["reason"] = "ended by the facilitator"
    lines[-2] = logmod.encode(ended)
    result = verdict(write(tmp_path / "ended.jsonl", rechain(lines, fix_heads=True)))
    assert result.status == "bad" and result.bad_line == len(lines)


def test_lines_added_or_the_last_signature_dropped_are_named_as_unsigned(signed, tmp_path):
    lines = lines_of(signed)
    note = {"type": "note", "seq": len(lines), "turn": 2, "prev": logmod.digest(lines[-1]), "text": "added later"}
    result = verdict(write(tmp_path / "added.jsonl", [*lines, logmod.encode(note)]))
    assert result.status == "partly signed" and result.signed_to == len(lines) and result.ok and not result.trusted
    assert f"the 1 line(s) after it ({len(lines) + 1} to {len(lines) + 1}) are NOT signed" in result.message
    result = verdict(write(tmp_path / "dropped.jsonl", lines[:-1]))
    assert result.status == "partly signed" and "exercise stopped during a turn, or lines were added" in result.message


def test_a_signature_whose_key_is_not_its_public_key_is_bad(signed, tmp_path):
    lines = lines_of(signed)
    last = json.loads(lines[-1])
    last["key"] = "SHA256:" + "A" * 43
    lines[-1] = logmod.encode(last)
    result = verdict(write(tmp_path / "key.jsonl", lines))
    assert result.status == "bad" and "is not the fingerprint of its public key" in result.message


def test_a_log_cut_at_a_turns_end_reads_as_signed_but_its_head_differs(signed, tmp_path):
    """The one cut verify cannot see on its own: the head hash noted at the hot wash gives it away."""
    lines = lines_of(signed)
    first = logmod.read(signed).signatures[0][0]
    result = verdict(write(tmp_path / "cut.jsonl", lines[:first]))
    assert result.status == "signed"
    assert result.head != verdict(signed).head


# ---------------------------------------------------------- forgeries with a key


def test_a_log_re_signed_with_another_key_is_signed_but_not_trusted(mini, rules, signed, tmp_path):
    other = signing.Signer(tmp_path / "keys" / "mallory_ed25519")
    forged = play_signed(mini, rules, tmp_path / "mallory.jsonl", signer=other)
    result = verdict(forged)
    assert result.status == "signed" and result.untrusted == (other.fingerprint,) and not result.trusted
    assert result.message.startswith("signed, but NOT only by trusted keys") and "NOT a trusted key" in result.message
    # --key: only the keys in the file count.
    ours = tmp_path / "ours.pub"
    ours.write_text(signing.Signer().public.openssh() + "\n")
    assert verdict(forged, signing.trusted_keys(ours)).untrusted == (other.fingerprint,)
    assert verdict(signed, signing.trusted_keys(ours)).trusted
    theirs = tmp_path / "theirs.txt"
    theirs.write_text(f"# a fingerprint noted in class\n{other.fingerprint}\n")
    assert verdict(forged, signing.trusted_keys(theirs)).trusted
    # And `key --trust` adds a key to the trusted-keys file.
    pub = tmp_path / "mallory.pub"
    pub.write_text(other.public.openssh() + "\n")
    assert cli.main(["key", "--trust", str(pub)]) == 0
    assert verdict(forged).trusted
    assert cli.main(["key", "--trust", str(pub)]) == 0  # twice is once
    assert signing.trusted_path().read_text().count("ssh-ed25519") == 1


def test_a_rewrite_with_the_facilitators_own_key_is_told_by_its_head(mini, rules, signed, tmp_path):
    rewritten = play_signed(mini, rules, tmp_path / "rewrite.jsonl", seed=2)  # another history, the same key
    result = verdict(rewritten)
    assert result.trusted
    assert result.head != verdict(signed).head


# ----------------------------------------------------------------- commands


def play_unsigned(scenario, rules, path: Path, seed: int = 1) -> Path:
    """A log written without a key, however the session is wired."""
    session = Session.new(scenario, rules, seed=seed, log_path=path, fsync=False)
    session.writer.signer = None
    runner.finish(session)
    return path


def test_verify_says_plainly_that_a_log_is_unsigned(mini, rules, tmp_path, capsys):
    path = play_unsigned(mini, rules, tmp_path / "plain.jsonl")
    assert cli.main(["verify", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ok ") and out[1].startswith("UNSIGNED: no line of")
    assert out[1].endswith(f"head {logmod.digest(lines_of(path)[-1])}")


def test_verify_with_a_key_file_that_is_not_one_is_a_clear_error(mini, rules, tmp_path, capsys):
    path = play_unsigned(mini, rules, tmp_path / "plain.jsonl")
    bad = tmp_path / "bad.pub"
    bad.write_text("not a key\n")
    assert cli.main(["verify", str(path), "--key", str(bad)]) == 2
    assert f"{bad}:1: expected an 'ssh-ed25519 AAAA...' public key" in capsys.readouterr().err


def test_verify_names_the_signer_of_a_signed_log(signed, capsys):
    assert cli.main(["verify", str(signed)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ok ") and out[1].startswith(f"signed: every line, to line {len(lines_of(signed))}, signed by {signing.Signer().fingerprint}")


def test_verify_fails_a_log_forged_without_the_key_at_the_bad_signature(mini, rules, tmp_path, capsys):
    """A note edited and everything recomputed replays (a note is what the facilitator typed): only the signature tells."""
    session = wire(Session.new(mini, rules, seed=1, log_path=tmp_path / "noted.jsonl", fsync=False))
    session.note("The delegation left at 14:00.")
    runner.finish(session)
    lines = lines_of(tmp_path / "noted.jsonl")
    index = next(i for i, line in enumerate(lines) if b'"note"' in line)
    record = json.loads(lines[index])
    record["text"] = "The delegation stayed."
    lines[index] = logmod.encode(record)
    forged = write(tmp_path / "forged.jsonl", rechain(lines, fix_heads=True))
    assert cli.main(["verify", str(forged)]) == 1
    out = capsys.readouterr().out
    first = next(n for n, _ in logmod.read(forged).signatures if n > index + 1)
    assert out.startswith(f"FAIL {forged}:{first}: BAD SIGNATURE at line {first}: it does not match the lines it covers"), out
    stripped = write(tmp_path / "stripped.jsonl", rechain([line for line in lines if b'"type":"signature"' not in line]))
    assert cli.main(["verify", str(stripped)]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("UNSIGNED: no line of")


def test_the_report_shows_the_head_hash_and_the_signer(mini, rules, signed, tmp_path, capsys):
    contents = logmod.read(signed)
    session = Session.replay(contents, mini, rules)
    rows = report.integrity_rows(signing.check(contents))
    for fmt in ("md", "html"):
        text = report.render(session, fmt, integrity=rows)
        assert verdict(signed).head in text and signing.Signer().fingerprint in text
    # From the command line, on an unsigned log: the head, and that it is unsigned.
    plain = play_unsigned(mini, rules, tmp_path / "plain.jsonl")
    assert cli.main(["report", str(plain)]) == 0
    out = capsys.readouterr().out
    assert f"| **Log head (SHA-256 of its last line)** | {logmod.digest(lines_of(plain)[-1])} |" in out
    assert "| **Signed by** | unsigned: nothing shows who wrote this log |" in out


def test_nothing_is_signed_or_made_when_only_verifying(mini, rules, tmp_path, capsys, monkeypatch):
    path = play_unsigned(mini, rules, tmp_path / "plain.jsonl")
    monkeypatch.setenv("TABLETOP_HOME", str(tmp_path / "fresh-home"))  # a user with no key yet
    assert cli.main(["verify", str(path)]) == 0
    assert not signing.key_path().exists() and not os.path.exists(signing.trusted_path())


def test_sign_writes_only_where_there_is_something_new_to_sign(mini, rules, tmp_path):
    session = Session.new(mini, rules, seed=1, log_path=tmp_path / "ex.jsonl", fsync=False)
    writer = session.writer
    assert writer.sign() is None  # no signer
    writer.signer = signing.Signer()
    assert writer.sign() is None  # the header and the first turn's start: the key is not loaded while an exercise starts
    assert writer.signer._key is None
    session.note("something to sign")
    record = writer.sign()
    assert record is not None and record["seq"] == writer.seq and writer.last_signature == record
    assert writer.sign() is None  # nothing new since
    session.close()
    assert verdict(tmp_path / "ex.jsonl").status == "signed"

"""The ``tabletop`` command line: the contract pinned in DESIGN.md.

User mistakes (a bad file, a missing log, a command out of turn) end with a
message and exit status 1 or 2, never a traceback. The TUI is imported only by
the commands that open it, so headless commands start fast and run without a
terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tabletop import files, paths, safetext

if TYPE_CHECKING:  # argparse is imported by _parser: `tabletop` alone opens the start screen without it
    import argparse

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_IO = 2  # a file could not be read or written: like a refusal, something the user can fix; the message says what

NEVER_OVER_A_LOG = "Never replaces an exercise log; any other FILE is replaced atomically (whole or not at all)."


class UserError(Exception):
    """A mistake the user can fix; the message says how."""


def main(argv: Sequence[str] | None = None) -> int:
    # Everything printed while a command runs shows control characters as \xNN (tabletop.safetext):
    # scenario text, log fields and file names reach the terminal as text, never as escape sequences.
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = safetext.VisibleStream(stdout), safetext.VisibleStream(stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _main(argv: Sequence[str] | None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    if words:
        args = _parse(words)
    else:
        # `tabletop` alone is `tabletop play` with its defaults: the start screen, opened without building the
        # parsers of every command first (argparse and its 14 parsers: 7 ms of the first frame, bench_tui.py)
        args = _start_screen_args()
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"tabletop: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a full disk, a read-only folder, ...: one line, never a traceback

        print(f"tabletop: {files.explain(exc)}", file=sys.stderr)
        return EXIT_IO


def _write_data(text: str) -> None:
    """A file's text (CSV, YAML) on standard output: exact into a pipe or file, control characters visible on a terminal."""
    raw = safetext.raw_stream(sys.stdout)
    isatty = getattr(raw, "isatty", None)
    raw.write(safetext.visible(text) if isatty is not None and isatty() else text)


def _parse(words: list[str]) -> argparse.Namespace:
    """The command and its arguments; a mistake in them is argparse's usage message and exit status 2."""
    parser = _parser()
    args, extra = parser.parse_known_args(words)
    if args.command is None:
        args, extra = parser.parse_known_args(["play", *words])
    if extra:  # said by the command's own parser, so its usage is the one shown (`run --seeds 7`)
        _subparsers(parser)[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _start_screen_args() -> Any:
    """What the parser gives for no words at all (``play`` with every default); a test holds the two equal."""
    from types import SimpleNamespace

    return SimpleNamespace(command="play", scenario=None, seat=[], seed=None, log=None, func=cmd_play)


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each command's own parser, by its name (msel's subcommands under 'msel')."""
    import argparse
    for action in parser._actions:  # argparse keeps them only here
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(prog="tabletop", description="Run, replay and report turn-based seminar wargames.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("play", help="open the TUI on a new exercise (default: the bundled default scenario)")
    p.add_argument("scenario", nargs="?", help="scenario file or id (default: the start screen)")
    p.add_argument("--seat", action="append", default=[], metavar="SEAT=human|bot", help="who plays a seat (repeatable)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--log", metavar="PATH", help="where to write the exercise log")
    p.set_defaults(func=cmd_play)

    p = sub.add_parser("replay", help="step through a saved exercise log in the TUI")
    p.add_argument("log")
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("run", help="headless: bots play every seat")
    p.add_argument("scenario")
    p.add_argument("--seed", type=int, default=None, help="the bots' seed (default 0; with --resume, the log's own)")
    p.add_argument("--log", metavar="PATH")
    p.add_argument("--runs", type=int, default=None, metavar="K", help="play K seeds and print outcome statistics")
    p.add_argument("--resume", action="store_true", help="carry on the exercise in --log from where it stopped")
    p.add_argument("--workers", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help="check scenario and rule files")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("resolve", help="the rule engine alone: which obligations the facts trigger")
    p.add_argument("facts", metavar="FACTS.yaml")
    p.add_argument("--rules", metavar="DIR")
    p.add_argument("--json", action="store_true")
    p.add_argument("--explain", action="store_true", help="also list the articles that did not apply, and why")
    p.add_argument("--cascade", action="store_true", help="assume every triggered assistance obligation is honoured with force")
    p.set_defaults(func=cmd_resolve)

    p = sub.add_parser("verify", help="replay a log against its scenario and check every hash and signature")
    p.add_argument("log")
    p.add_argument("--key", metavar="FILE", help="trust only the public keys in FILE (ssh-ed25519 lines or SHA256: fingerprints); "
                   "default: your own key and those in the trusted-keys file")
    p.add_argument("--bots", action="store_true", help="also re-run each bot's policy under the log's seed: would the bots as they are "
                   "now have decided as logged? (a log from before a change to the bots fails this, not the plain verify)")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("report", help="after-action report of a log", description=f"The after-action report of a log. {NEVER_OVER_A_LOG}")
    p.add_argument("log")
    p.add_argument("--format", choices=("md", "html"), default="md")
    p.add_argument("-o", "--output", metavar="FILE", help=f"where to write (default: standard output). {NEVER_OVER_A_LOG}")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("key", help="the facilitator's signing key: its fingerprint, export, trusted keys",
                       description="The facilitator's Ed25519 key signs every log at each turn's end. Made on first use, owner-only, "
                       f"in the data folder. {NEVER_OVER_A_LOG}")
    p.add_argument("--export", metavar="FILE", help="write the public key (one ssh-ed25519 line) to FILE, '-' for standard output")
    p.add_argument("--trust", metavar="FILE", help="add the public keys in FILE to the trusted keys that verify accepts")
    p.set_defaults(func=cmd_key)

    p = sub.add_parser("serve", help="hold an exercise on this machine for teams joining from their own devices")
    p.add_argument("scenario", nargs="?", help="scenario file or id (default: the bundled default); left out with --log on an existing log")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 for the class's network)")
    p.add_argument("--port", type=int, default=None, help="port to listen on (default 8765; 0 picks a free one)")
    p.add_argument("--log", metavar="PATH", help="the exercise log: resumed if it exists, else a new exercise is written to it")
    p.add_argument("--codes", metavar="FILE", help="where the join codes are kept, as JSON (default: beside the log)")
    p.add_argument("--seat", action="append", default=[], metavar="SEAT=human|bot", help="who plays a seat (repeatable; default: every seat human)")
    p.add_argument("--seed", type=int, default=None, help="the bots' seed")
    p.add_argument("--web", type=int, default=None, metavar="PORT", help="also serve the clients to a browser on this port")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("join", help="join an exercise held by 'tabletop serve': as a seat's team, the facilitator, or the projector view")
    p.add_argument("url", metavar="URL", help="the address the server printed, like http://192.168.1.10:8765")
    who = p.add_mutually_exclusive_group()  # neither: the TUI asks for the code (the browser page runs it so)
    who.add_argument("--code", help="the join code of your seat, or the facilitator's")
    who.add_argument("--view", action="store_true", help="the projector view: public information only, read-only")
    p.set_defaults(func=cmd_join)

    p = sub.add_parser("msel", help="the MSEL (the injects) as a spreadsheet in the HSEEP layout, and a planner's MSEL as a scenario")
    msel = p.add_subparsers(dest="msel_command", metavar="ACTION", required=True)
    q = msel.add_parser("export", help="write a scenario's injects as an HSEEP MSEL, .csv or .xlsx")
    q.add_argument("scenario", metavar="SCENARIO", help="scenario file or id")
    q.add_argument("-o", "--output", metavar="FILE.csv|FILE.xlsx", help=f"where to write, as .xlsx if the name ends so (default: CSV on standard output). {NEVER_OVER_A_LOG}")
    q.set_defaults(func=cmd_msel_export)
    q = msel.add_parser(
        "import", help="write a scenario from an MSEL spreadsheet (.xlsx or .csv)",
        description="Read an MSEL spreadsheet: tabletop's own export into a base scenario, or a planner's MSEL into a scenario "
        "of its own (or, with --scenario, into that one). Reports how it read the columns; every problem is given as "
        "FILE:ROW:COL with the sheet and column named, and then nothing is written.",
    )
    q.add_argument("csv", metavar="FILE.xlsx|FILE.csv")
    q.add_argument("-o", "--output", metavar="SCENARIO.yaml", help=f"where to write (default: standard output). {NEVER_OVER_A_LOG}")
    q.add_argument("--scenario", metavar="BASE", help="scenario file or id that gives everything but the injects (default: the sheet's Scenario column; "
                   "a planner's sheet without one becomes a scenario of its own)")
    q.add_argument("--map", metavar="MAP.yaml", help="how to read the sheet: columns, event types, recipients, dates (written by --write-map, then edited)")
    q.add_argument("--write-map", metavar="MAP.yaml", help="write how the sheet was read, to edit and pass to --map (written even when the sheet has problems)")
    q.add_argument("--start", metavar="YYYY-MM-DD", help="the exercise's first day, for sheets whose times have no date (T+00:30, 09:00, Day 2)")
    q.set_defaults(func=cmd_msel_import)

    p = sub.add_parser("guide", help="the facilitator guide of a scenario: one printable HTML file")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file or id")
    p.add_argument("-o", "--output", metavar="FILE.html", help="where to write (default: standard output)")
    p.set_defaults(func=cmd_guide)

    p = sub.add_parser("handouts", help="one printable brief per seat and role, the control cells' scripts and the situation manual")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file or id")
    p.add_argument("-o", "--output", metavar="DIR", required=True, help="the folder to write them into (made if missing)")
    p.set_defaults(func=cmd_handouts)
    return parser


# ------------------------------------------------------------------ helpers


def _problems(exc: Exception) -> int:
    from tabletop.yamlnodes import InputError

    if isinstance(exc, InputError):
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_INVALID
    raise exc


def _load(scenario: str):
    from tabletop.loading import load_named
    from tabletop.yamlnodes import InputError

    try:
        return load_named(scenario)
    except paths.ScenarioNotFound as exc:
        raise UserError(str(exc)) from None
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise UserError(f"{scenario} has {len(exc.problems)} problem(s); run 'tabletop validate {scenario}'") from None


def _io_failed(message: str) -> int:
    print(f"tabletop: {message}", file=sys.stderr)
    return EXIT_IO


def _explain(exc: OSError, path: str) -> str:
    return files.explain(exc, path)


def _writable(path: str) -> None:
    """Refuse, before any work, an output that is an exercise log or a folder (``files.write_atomic`` refuses again as it writes)."""
    if files.is_exercise_log(path):
        raise UserError(files.refusing_a_log(path))
    if Path(path).is_dir():
        raise UserError(f"cannot write {path}: it is a folder: give a file name")


# ----------------------------------------------------------------- commands


def cmd_validate(args: argparse.Namespace) -> int:
    from tabletop.loading import validate

    problems, checked = validate(args.paths)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {checked} file(s)", file=sys.stderr)
        return EXIT_INVALID
    print(f"ok: {checked} file(s) valid", file=sys.stderr)
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    from tabletop import treaties
    from tabletop.loading import load_facts, load_rules
    from tabletop.yamlnodes import InputError

    try:
        rules = load_rules(args.rules) if args.rules else load_rules()
        date, facts = load_facts(args.facts, rules)
    except InputError as exc:
        return _problems(exc)
    if args.cascade:
        rounds = treaties.cascade(facts, date, rules)
        strongest = {o.key: o for r in rounds for o in r.obligations}  # an obligation made stronger in a later round, once
        merged = treaties.Resolution(
            obligations=tuple(strongest.values()),
            reports=tuple(x for r in rounds for x in r.reports),
            council=tuple(c for r in rounds for c in r.council),
            wars=rounds[-1].wars if rounds else (),
        )
        result = merged
    else:
        result = treaties.resolve(facts, date, rules, explain=args.explain)
    if args.json:
        print(safetext.json_text(json.dumps(result.to_json(explain=args.explain), indent=2, ensure_ascii=False)))
        return 0
    if not result.obligations:
        print(f"No obligations on {date}.")
    for ob in result.obligations:
        treaty = rules.treaties[ob.treaty]
        print(f"{treaty.label} Art. {ob.article} [{ob.kind}, {ob.status}]: {rules.state_name(ob.obligor)} -> {rules.state_name(ob.beneficiary)}")
        print(f"  {ob.because}")
    for report in result.reports:
        print(f"UN Charter Art. 51: {report.because}")
    for outcome in result.council:
        print(f"Security Council [{outcome.outcome}]: {outcome.because}")
    if args.explain:
        for war in result.wars:
            print(war)
        for because in dict.fromkeys(item.because for item in result.not_triggered):  # once, though it is so for both parties
            print(f"not triggered: {because}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from tabletop import log as logmod
    from tabletop import signing
    from tabletop.replay import OpenError, ReplayMismatch, load_for
    from tabletop.verify import describe, verify_lines

    def fail(line: int | str, message: str) -> int:
        print(f"FAIL {args.log}:{line}: {message}")
        return EXIT_INVALID

    def warn(lines: logmod.Lines) -> None:
        for warning in lines.warnings:
            print(f"warning: {warning}", file=sys.stderr)

    try:  # --key is read first, so a bad one is said before any work; the default trust only if a signature needs it
        trusted = signing.trusted_keys(args.key) if args.key else None
    except signing.SigningError as exc:
        raise UserError(str(exc)) from None
    try:
        with logmod.Lines(args.log) as lines:
            try:
                basis = load_for(lines.header, args.log)
            except OpenError as exc:
                for _ in lines:  # without a scenario nothing replays, yet a broken line is still the first thing to name
                    pass
                warn(lines)
                return fail(1, str(exc).removeprefix(f"{args.log}: "))
            scenario, rules, changed = basis.scenario, basis.rules, basis.changed
            for warning in basis.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            watched = signing.Watch(lines)  # notes the signature lines as the replay reads them: one pass
            try:
                verdict = verify_lines(watched, scenario, rules, args.bots)  # type: ignore[arg-type]  # Watch stands in for the Lines it wraps
            except ReplayMismatch as exc:
                warn(lines)
                for message in changed:
                    print(f"CHANGED {message}")
                return fail(exc.line, exc.message)
    except logmod.LogError as exc:
        return fail(exc.line, exc.message)
    warn(lines)
    for message in changed:
        print(f"CHANGED {message}")
    try:
        signed = watched.verdict(trusted)
    except signing.SigningError as exc:  # a trusted-keys file that is not one
        raise UserError(str(exc)) from None
    if not signed.ok:
        return fail(signed.bad_line, signed.message)
    if changed:
        print(signed.message)
        print(f"FAIL {args.log}: replays, but against a changed basis (see above)")
        return EXIT_INVALID
    print(describe(args.log, verdict))
    print(signed.message)
    return 0


def cmd_key(args: argparse.Namespace) -> int:
    from tabletop import signing

    if args.export and args.export != "-":
        _writable(args.export)
    existed = signing.key_path().exists()
    try:
        if args.trust:
            for fp, new in signing.add_trusted(Path(args.trust)):
                print(f"trusted: {fp}{'' if new else ' (already)'}")
            return 0
        signer = signing.Signer()
        public = signer.public
    except signing.SigningError as exc:
        raise UserError(str(exc)) from None
    if not existed:
        print(f"created a new facilitator key in {signer.path} (owner-only)", file=sys.stderr)
    if args.export:
        if args.export == "-":
            print(public.openssh())
        else:
            files.write_atomic(args.export, public.openssh() + "\n", mode=0o644)
            print(f"wrote {args.export}: the public key {public.fingerprint}", file=sys.stderr)
        return 0
    print(f"{public.fingerprint} {signer.path}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from tabletop import runner

    scenario, rules = _load(args.scenario)
    if args.runs is not None:
        if args.runs < 1:
            raise UserError("--runs must be at least 1")
        if args.log:
            raise UserError("--log writes one exercise; with --runs, leave it out")
        first = args.seed or 0
        seeds = list(range(first, first + args.runs))
        with _progress() as bar:
            task = bar.add_task(safetext.visible(f"{scenario.id}, {len(seeds)} exercises"), total=len(seeds))
            outcomes = runner.run_many(scenario.path, seeds, workers=args.workers, progress=lambda done, total: bar.update(task, completed=done))
        print(runner.statistics(outcomes, scenario, rules))
        return 0
    from tabletop import log as logmod

    resume_hint = f"; everything acknowledged is in the log: once that is fixed, carry on with 'tabletop run {args.scenario} --log {args.log} --resume'"
    if args.resume:
        if not args.log:
            raise UserError("--resume needs --log PATH, the log to carry on")
        from tabletop.session import ResumeError, resume_log

        _same_exercise(args, scenario)
        try:
            session, warnings = resume_log(args.log, named=args.scenario)
        except ResumeError as exc:
            if exc.io:
                return _io_failed(f"{exc}{resume_hint if _has_lines(args.log) else ''}")
            raise UserError(str(exc)) from None
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
        try:
            session = runner.finish(session)
        except logmod.LogWriteError as exc:
            return _io_failed(f"{exc}{resume_hint}")
    else:
        try:
            session = runner.play(scenario, rules, seed=args.seed or 0, log_path=args.log)
        except FileExistsError:
            raise UserError(f"{args.log} exists already; a log is never overwritten, choose another path") from None
        except logmod.LogWriteError as exc:
            return _io_failed(f"{exc}{resume_hint if args.log and _has_lines(args.log) else ''}")
    state = session.state
    print(f"{scenario.id} seed {session.seed}: {len(session.events)} events, final tension {state.tension} ({rules.escalation.rung_name(state.tension)})")
    for open_ob in state.obligations.values():
        ob = open_ob.obligation
        print(f"  {open_ob.id} {rules.treaties[ob.treaty].label} Art. {ob.article} {ob.kind} {ob.obligor}->{ob.beneficiary} {ob.status}: {open_ob.answer or 'unanswered'}")
    if args.log:
        print(f"log: {args.log}")
    return 0


def _same_exercise(args: argparse.Namespace, scenario: Any) -> None:
    """Refuse to carry on a log with another scenario or seed than its own: said in its words, before any replay."""
    if not files.is_exercise_log(args.log):  # checked before anything opens it: a FIFO would block a plain open
        return  # the resume itself says what is wrong with the file
    try:
        with open(args.log, "rb") as handle:
            header = json.loads(handle.readline() or b"{}")
    except (OSError, ValueError):
        return
    if not files.is_log_header(header):
        return
    logged = header.get("scenario")
    if logged is not None and logged != scenario.id:
        raise UserError(f"{args.log} is an exercise of scenario {logged!r}, not {scenario.id!r}: "
                        f"carry it on with 'tabletop run {logged} --log {args.log} --resume'")
    seed = header.get("seed")
    if args.seed is not None and seed is not None and args.seed != seed:
        raise UserError(f"{args.log} was played with seed {seed}, not {args.seed}: a resumed exercise keeps its seed; "
                        f"leave --seed out, or start a new log")


def _has_lines(path: str) -> bool:
    """Does the log exist with a header, so that --resume can carry it on?"""
    if not files.is_exercise_log(path):  # never a plain open of a FIFO or a device: it could block
        return False
    try:
        with open(path, "rb") as handle:
            return b"\n" in handle.read(1 << 16)
    except OSError:
        return False


def _progress():
    """A progress bar on standard error (rich.progress).

    Drawn and redrawn in place on a terminal; when standard error is a file or
    a pipe, rich draws nothing while it runs and writes the finished bar once,
    as one plain line: no carriage returns, no cursor movement in a log.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # The stream under the one that makes text visible: rich writes its own control codes, and only
    # on a terminal. The description is the scenario's id, from a file: shown as text, never as markup.
    return Progress(
        TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(file=safetext.raw_stream(sys.stderr)), transient=False,
    )


def cmd_report(args: argparse.Namespace) -> int:
    from tabletop import log as logmod
    from tabletop import report, signing
    from tabletop.replay import OpenError, ReplayMismatch, open_log
    from tabletop.session import Session

    if args.output and files.is_exercise_log(args.output):
        raise UserError(files.refusing_a_log(args.output))
    try:
        contents = logmod.read(args.log)
        opened = open_log(args.log, contents)
        session = Session.replay(opened.contents, opened.scenario, opened.rules)
    except (logmod.LogError, OpenError) as exc:
        raise UserError(str(exc)) from None
    except ReplayMismatch as exc:
        raise UserError(f"{args.log}:{exc.line}: {exc.message}; run 'tabletop verify {args.log}'") from None
    for message in opened.changed:
        print(f"warning: {message}; the report shows the log as replayed against the scenario as it is now", file=sys.stderr)
    for warning in opened.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    try:
        signed = signing.check(contents, chain_checked=True)
    except signing.SigningError as exc:
        raise UserError(str(exc)) from None
    text = report.render(session, args.format, integrity=report.integrity_rows(signed))
    if args.output:
        files.write_atomic(args.output, text)  # a WriteError is one line, printed by main
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_play(args: argparse.Namespace) -> int:
    from tabletop.tui.app import run_app

    return run_app(scenario=args.scenario, seat_specs=args.seat, seed=args.seed, log=args.log)


def cmd_replay(args: argparse.Namespace) -> int:
    from tabletop.tui.app import run_replay

    return run_replay(args.log)


def cmd_serve(args: argparse.Namespace) -> int:
    from tabletop.serve.main import DEFAULT_PORT, ServeError, serve

    if args.port is not None and not 0 <= args.port <= 65535:
        raise UserError(f"--port expects 0 to 65535, got {args.port}")
    try:
        return serve(args.scenario, args.host, DEFAULT_PORT if args.port is None else args.port, args.log, args.codes, args.seat, args.seed, args.web)
    except ServeError as exc:
        raise UserError(str(exc)) from None


def cmd_join(args: argparse.Namespace) -> int:
    from tabletop.serve.client import JoinError, RemoteSession, ws_url

    session = None
    try:
        if args.code is not None or args.view:
            session = RemoteSession(args.url, code=args.code, view=args.view).connect()
        else:
            ws_url(args.url)  # a malformed address is said here, not on the join screen
    except JoinError as exc:
        print(f"tabletop join: {exc}", file=sys.stderr)
        return EXIT_INVALID
    from tabletop.tui.remote import run_remote

    return run_remote(session, args.url)


def cmd_msel_export(args: argparse.Namespace) -> int:
    from tabletop import msel
    from tabletop.loading import load_scenario
    from tabletop.yamlnodes import InputError

    if args.output:
        _writable(args.output)
    try:
        path = paths.require_scenario(args.scenario)
    except paths.ScenarioNotFound as exc:
        raise UserError(str(exc)) from None
    try:
        scenario, _ = load_scenario(path)
        as_xlsx = bool(args.output) and Path(args.output).suffix.lower() in (".xlsx", ".xlsm")
        data = msel.export_xlsx(scenario) if as_xlsx else None
    except InputError as exc:
        return _problems(exc)
    if not args.output:
        _write_data(msel.export_csv(scenario))
        return 0
    try:
        if data is not None:
            msel.write_xlsx(data, args.output)
        else:
            msel.write_csv(msel.export_csv(scenario), args.output)
    except OSError as exc:
        return _io_failed(_explain(exc, args.output))
    actions = sum(len(i.actions) for i in scenario.injects)
    also = f" and {actions} expected or controller action(s)" if actions else ""
    print(f"wrote {args.output}: {len(scenario.injects)} inject(s){also} of {scenario.id}", file=sys.stderr)
    return 0


def cmd_msel_import(args: argparse.Namespace) -> int:
    import datetime as dt

    from tabletop import msel
    from tabletop.yamlnodes import InputError

    for target in (args.output, args.write_map):
        if target:
            _writable(target)
    base = None
    if args.scenario:
        try:
            base = paths.require_scenario(args.scenario)
        except paths.ScenarioNotFound as exc:
            raise UserError(str(exc)) from None
    start = None
    if args.start:
        try:
            start = dt.date.fromisoformat(args.start)
        except ValueError:
            raise UserError(f"--start expects a date like 2025-01-31, got {args.start!r}") from None

    def write_map(text: str) -> None:
        if not (args.write_map and text):
            return
        try:
            msel.write_scenario(text, args.write_map)
        except OSError as exc:
            raise UserError(_explain(exc, args.write_map)) from None
        print(f"wrote {args.write_map}: how the sheet was read; edit it and import again with --map {args.write_map}", file=sys.stderr)

    try:
        result = msel.import_file(args.csv, base, mapping=args.map, start=start)
    except msel.SheetError as exc:
        if exc.report and "own layout" not in " ".join(exc.report):
            for line in exc.report:
                print(line, file=sys.stderr)
        write_map(exc.map_text)
        return _problems(exc)
    except InputError as exc:
        return _problems(exc)
    for line in result.report:
        print(line, file=sys.stderr)
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    write_map(result.map_text)
    if not args.output:
        _write_data(result.text)
        return 0
    try:
        msel.write_scenario(result.text, args.output)
    except OSError as exc:
        return _io_failed(_explain(exc, args.output))
    scenario = result.scenario
    if result.base is not None:
        print(f"wrote {args.output}: {scenario.id} with {len(scenario.injects)} inject(s), the rest from {result.base}", file=sys.stderr)
    else:
        menus = "no option menus (each seat answers in its own words)" if not any(scenario.options.values()) else "option menus"
        print(f"wrote {args.output}: {scenario.id}, a scenario of its own: {len(scenario.injects)} inject(s), {len(scenario.seats)} seat(s), "
              f"{len(scenario.turns)} turn(s), {menus}", file=sys.stderr)
    return 0


def cmd_guide(args: argparse.Namespace) -> int:
    from tabletop import guide
    from tabletop.htmldoc import write_atomic

    scenario, rules = _load(args.scenario)
    text = guide.render(scenario, rules)
    if not args.output:
        sys.stdout.write(text)
        return 0
    try:
        write_atomic(args.output, text)
    except OSError as exc:
        raise UserError(_explain(exc, args.output)) from None
    print(f"wrote {args.output}: the facilitator guide of {scenario.id}", file=sys.stderr)
    return 0


def cmd_handouts(args: argparse.Namespace) -> int:
    from tabletop import handouts

    scenario, rules = _load(args.scenario)
    if Path(args.output).exists() and not Path(args.output).is_dir():
        raise UserError(f"{args.output} is a file; handouts go into a folder: give a folder name")
    try:
        written = handouts.write(scenario, rules, args.output)
    except OSError as exc:
        raise UserError(_explain(exc, getattr(exc, "filename", None) or args.output)) from None
    print(f"wrote {len(written)} files into {args.output}: {handouts.INDEX} lists them", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

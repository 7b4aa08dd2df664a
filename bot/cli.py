"""The `hotseat` command. Scripts depend on classify, simulate and personas list --json:
keep their output shapes stable."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, AsyncIterator, Iterable, Sequence, TextIO

from bot import __version__
from bot.config import db_path, db_target
from bot.core.errors import HotseatError
from bot.persona.library import Library, personas_dir
from bot.persona.graph import mermaid

if TYPE_CHECKING:
    from bot.core.service import HotseatService
    from bot.frontends.panels import Commands, Panel
    from bot.persona.selftest import CaseResult

# The service, classifier and store are imported where used: `personas validate` and
# `--help` stay quick and work even while another part is broken.


def _out(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def _cannot_read(what: str, path: str | os.PathLike, e: OSError, *, verb: str = "read") -> str:
    """Say what is wrong with a file in words: "[Errno 2]" means nothing to a trainer."""
    if isinstance(e, FileNotFoundError):
        why = "it does not exist" if verb == "read" else "its folder does not exist"
    elif isinstance(e, IsADirectoryError):
        why = "it is a folder, not a file"
    elif isinstance(e, PermissionError):
        why = "permission denied"
    else:
        why = (e.strerror or str(e)).lower()
    return f"hotseat: cannot {verb} the {what} {path}: {why}."


def _library(args: argparse.Namespace) -> Library:
    return Library.load(*(Path(p) for p in args.personas)) if args.personas else Library.load(personas_dir())


@contextlib.asynccontextmanager
async def open_service(args: argparse.Namespace, db: Path | None = None) -> AsyncIterator[HotseatService]:
    from bot.core.service import HotseatService
    from bot.store import open_store

    store = await open_store(db or db_target(args.db))
    try:
        yield HotseatService(store, _library(args))  # the console's; `run` builds one per chat installation
    finally:
        await store.close()


# -- commands ----------------------------------------------------------------------------
def cmd_classify(args: argparse.Namespace) -> int:
    """One JSON object a line, in input order, labelled exactly as the bot would label it.

    Input bytes that are not UTF-8 become U+FFFD instead of stopping the batch, and the
    output is always valid UTF-8 JSON, whatever the locale.
    """
    import io

    from bot.classifier import classify
    from bot.core.errors import BadMessage
    from bot.core.text import clean_message, clean_text

    sys.stdout.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[union-attr]
    if args.text:
        texts: Iterable[str] = args.text
    else:
        stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline=None)
        texts = (line.rstrip("\n") for line in stdin)
    for text in texts:
        try:
            cleaned = clean_message(text)
        except BadMessage as e:
            _out({"text": clean_text(text), "labels": [], "error": str(e)})
            continue
        _out({"text": cleaned, "labels": [d.label for d in classify(cleaned)]})
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.classifier.evaluation import evaluate, format_report, load_jsonl

    try:
        pairs = load_jsonl(Path(args.file))
    except OSError as e:
        print(_cannot_read("labelled file", args.file, e), file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"hotseat: {e}", file=sys.stderr)
        return 2
    report = evaluate(pairs)
    if args.json:
        _out(report.to_dict())
    else:
        print(format_report(report))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    try:
        from bot.classifier import train
    except ImportError as e:  # scikit-learn is a training-only dependency
        print(f"hotseat: training needs the [train] extra ({e.name} is missing): pip install -e '.[train]'",
              file=sys.stderr)
        return 2
    settings = train.Settings(c=args.c, min_df=args.min_df, seed=args.seed)
    try:
        model = train.main(Path(args.corpus), Path(args.out), settings, curve=args.curve)
    except (OSError, ValueError) as e:
        print(f"hotseat: {e}", file=sys.stderr)
        return 2
    meta = model.meta or {}
    curve = meta.get("learning_curve", [])
    if args.plot and curve:
        try:
            Path(args.plot).write_text(train.curve_svg(curve), encoding="utf-8")
        except OSError as e:  # the weights are written by now: say so rather than lose them in a traceback
            print(f"hotseat: wrote {args.out}, but cannot write the plot {args.plot}: {e.strerror or e}",
                  file=sys.stderr)
            return 2
    if args.json:
        _out(meta)
        return 0
    print(f"trained on {meta['train_messages']} messages ({meta['features']} features) "
          f"in {meta['train_seconds']} s; dev ({meta['dev_messages']} messages) micro-F1 {meta['dev_micro_f1']:.3f}")
    for n, f1 in curve:
        print(f"  learning curve: {n:>6} training messages -> dev micro-F1 {f1:.3f}")
    if args.plot and curve:
        print(f"wrote the learning curve to {args.plot}")
    print(f"wrote {args.out}")
    return 0


class NotAPersona(HotseatError):
    """A command-line persona reference that is neither an id nor a file (exit 1, like an unknown id)."""


def _persona_file(ref: str, args: argparse.Namespace) -> Path:
    """Ids and paths both work because people type whichever they have at hand: the id
    from `personas list`, the path from their editor. A path that exists wins.

    An id also finds `<id>.yaml` when that file is too broken to load: that is exactly
    when someone wants to validate it by name.
    """
    path = Path(ref)
    if path.exists() or path.is_symlink():
        return path
    if "/" in ref or os.sep in ref or path.suffix.lower() in (".yaml", ".yml"):
        raise NotAPersona(f"{ref} does not exist.")
    folders = [Path(p) for p in args.personas] or [personas_dir()]
    lib = Library.load(*folders)
    with contextlib.suppress(HotseatError):
        source = lib.get(ref).source
        if source is not None:
            return source
    for folder in (f for f in folders if f.is_dir()):
        for suffix in (".yaml", ".yml"):
            if (folder / f"{ref}{suffix}").is_file():
                return folder / f"{ref}{suffix}"
    ids = ", ".join(sorted(lib.personas)[:12]) or "none found"
    raise NotAPersona(f"{ref[:60]!r} is neither a persona id nor a file. Persona ids: {ids}.")


def cmd_personas(args: argparse.Namespace) -> int:
    if args.action == "validate":
        paths = [_persona_file(ref, args) for ref in args.refs]
        lib = Library.load(*(paths or [Path(p) for p in args.personas] or [personas_dir()]))
        from bot.persona.selftest import tests_problems

        # A broken `tests:` section lets the persona load (see selftest), but the trainer hears of it here.
        problems = lib.problems + [p for persona in lib.sorted() for p in tests_problems(persona)]
        for problem in problems:
            print(problem, file=sys.stderr)
        bad = {p.file for p in problems}
        n_valid = sum(1 for persona in lib.personas.values() if str(persona.source) not in bad)
        print(f"{n_valid} persona(s) valid, {len(bad)} file(s) with problems.")
        return 1 if problems else 0
    if args.action == "test":
        return _test_personas(args)
    if args.action == "graph":
        path = _persona_file(args.ref, args)
        if path.is_dir():
            raise NotAPersona(f"{args.ref} is a folder; graph draws one persona: give its id or its YAML file.")
        lib = Library.load(path)
        for problem in lib.problems:
            print(problem, file=sys.stderr)
        if lib.problems:
            return 1
        print(mermaid(next(iter(lib.personas.values()))), end="")
        return 0
    lib = _library(args)
    for problem in lib.problems:
        print(f"warning: skipped {problem}", file=sys.stderr)
    if args.action == "list":
        if args.json:
            _out([p.summary() for p in lib.sorted()])
        else:
            from bot.frontends.console.render import persona_line

            for p in lib.sorted():
                print(persona_line(p))
    return 0


def _test_targets(args: argparse.Namespace) -> list[Path]:
    """Persona files to test: those named, else the one the cases file is named after, else the folder."""
    refs = list(args.refs)
    if not refs and args.cases:
        refs = [Path(args.cases).stem]
    roots = [_persona_file(ref, args) for ref in refs] or [Path(p) for p in args.personas] or [personas_dir()]
    files: list[Path] = []
    for root in roots:
        files.extend(sorted(root.glob("*.yaml")) + sorted(root.glob("*.yml")) if root.is_dir() else [root])
    return files


def _print_failure(result: CaseResult, name: str) -> None:
    from bot.frontends.console.render import mood_meter

    for why in result.why:
        print(f"      {why}")
    if not result.opening:
        return
    print(f"      transcript (seed {result.case.seed}):")
    print(f"        {name}: {result.opening}")
    for i, t in enumerate(result.turns, 1):
        print(f"        {i}. you> {t.trainee}")
        print(f"           labels: {', '.join(t.labels) or 'no behaviour detected'}")
        print(f"           {name}: {t.customer}")
        print(f"           state: {t.state} · {mood_meter(t.mood)}")
    if result.unplayed:
        print(f"        ({result.unplayed} line(s) not played: the conversation ended as {result.outcome})")


_MARKS = {"pass": "✓", "fail": "✗", "xfail": "○", "xpass": "✓"}


def _test_personas(args: argparse.Namespace) -> int:
    """`personas test`: exit 1 if a case fails, 2 if a persona or its cases could not be read at all
    (CI tells "the tests failed" from "nothing was tested"); problems go to stderr."""
    from bot.persona import selftest
    from bot.persona.loader import PersonaInvalid, load_file

    if hasattr(sys.stdout, "reconfigure"):  # ✓ and ✗ must print whatever the locale
        sys.stdout.reconfigure(encoding="utf-8", errors="replace")
    unreadable = False
    shared = None
    if args.cases:
        try:
            shared = selftest.load_cases(Path(args.cases))
        except selftest.CasesInvalid as e:
            for problem in e.problems:
                print(problem, file=sys.stderr)
            print(f"hotseat: the cases in {args.cases} cannot be run; fix the problems above.", file=sys.stderr)
            return 2
    reports = []
    totals = dict.fromkeys(("pass", "fail", "xfail", "xpass"), 0)
    for path in _test_targets(args):
        report: dict = {"id": None, "file": str(path), "cases_file": args.cases or str(path), "problems": [],
                        "results": []}
        reports.append(report)
        try:
            persona = load_file(path)
            report["id"] = persona.id
            cases = shared if shared is not None else selftest.load_cases(path)
        except (PersonaInvalid, selftest.CasesInvalid) as e:
            unreadable = True
            report["problems"] = [{"file": p.file, "line": p.line, "message": p.message} for p in e.problems]
            for problem in e.problems:
                print(problem, file=sys.stderr)
            if not args.json:
                print(f"{path}: cannot be tested; see the problems above")
            continue
        results = selftest.run_cases(persona, cases)
        report["results"] = [r.to_dict() for r in results]
        for r in results:
            totals[r.status] += 1
        if args.json:
            continue
        source = f", cases from {args.cases}" if args.cases else ""
        print(f"{persona.id} ({path}{source})")
        if not results:
            print("  no tests: add a 'tests:' section (see docs/persona-tests.md) or use --cases FILE")
        for r in results:
            note = {"xfail": f"  (known failure: {r.case.xfail})",
                    "xpass": "  (passes now: remove its xfail)"}.get(r.status, "")
            where = f"  ({r.case.where()})" if r.status == "fail" else ""
            print(f"  {_MARKS[r.status]} {r.case.name}{note}{where}")
            if r.status == "fail":
                _print_failure(r, persona.name)
    failed = totals["fail"] > 0
    if args.json:
        _out({"ok": not failed and not unreadable, "summary": {"cases": sum(totals.values()), **totals},
              "personas": reports})
    else:
        summary = (f"{sum(totals.values())} case(s): {totals['pass'] + totals['xpass']} passed, "
                   f"{totals['fail']} failed, {totals['xfail']} known failure(s)")
        if totals["xpass"]:
            summary += f", {totals['xpass']} passing despite xfail"
        if unreadable:
            summary += f"; {sum(1 for r in reports if r['problems'])} file(s) could not be tested"
        print(summary + ".")
    return 2 if unreadable else 1 if failed else 0


async def _simulate(args: argparse.Namespace) -> int:
    from bot.frontends.console import render as render
    from bot.core.events import CustomerSaid, Ended, Who
    from bot.core.service import transcript_turns

    try:
        script = Path(args.script).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as e:
        print(_cannot_read("script", args.script, e), file=sys.stderr)
        return 2
    script = [line for line in script if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        db = None if (args.db or os.environ.get("HOTSEAT_DB")) else Path(tmp) / "simulate.sqlite3"
        async with open_service(args, db) as service:
            who = Who("local", f"simulate-{os.getpid()}", "simulator", "simulator")
            async with service.start(who, args.persona_id, seed=args.seed) as starting:
                opening = starting.opened
            turns = []
            ending = None
            for line in script:
                try:
                    events = await service.reply(who, line)
                except HotseatError as e:  # an unusable line (empty after cleaning, too long) is skipped
                    print(f"hotseat: skipped a script line: {e}", file=sys.stderr)
                    continue
                turns.extend(e.turn for e in events if isinstance(e, CustomerSaid))
                ending = next((e for e in events if isinstance(e, Ended)), None)
                if ending is not None:
                    break
            if ending is None:
                (ending,) = await service.end(who)
    result = {
        "persona": opening.persona.id,
        "seed": args.seed,
        "opening": opening.customer,
        "outcome": ending.outcome,
        "turns": transcript_turns(turns),
        "debrief": ending.debrief.to_dict(),
    }
    if args.json:
        _out(result)
    else:
        print(f"{opening.persona.name}: {opening.customer}")
        for t in turns:
            print(f"\nyou> {t.trainee}")
            print(render.exchange(opening.persona.name, t.labels, t.customer, t.mood))
        print(render.debrief(ending))
    return 0


def _width() -> int:
    """How wide a progress panel is drawn: the terminal's width, or 100 into a pipe or file."""
    import shutil

    return max(40, shutil.get_terminal_size((100, 24)).columns) if sys.stdout.isatty() else 100


def _cli_commands(workspace: str, user: str | None = None) -> Commands:
    """The commands a panel mentions, as typed here: practice is `hotseat console` (as
    USER when it lands in the same workspace), and there is no `leaderboard optout`."""
    import shlex

    from bot.frontends.panels import Commands

    practise = f"`hotseat console --user {shlex.quote(user)}`" if user and workspace == "local" else "`hotseat console`"
    return Commands(start=practise, debrief="`hotseat debrief ID`", optout=None)


def _show(panel: Panel, workspace: str, file: TextIO | None = None) -> None:
    """A progress panel as text, the title naming the workspace (one database can hold several)."""
    from bot.frontends.console import render

    print(render.panel(dataclasses.replace(panel, title=f"{panel.title} — workspace {workspace}"), _width()),
          file=file)


async def _leaderboard(args: argparse.Namespace) -> int:
    """The fair board (or practice volume): ties as '=2', who is not ranked yet and how many
    sessions they need, and with --user that trainee's own rank, opted out or not."""
    from bot.core.progress import Progress
    from bot.frontends import panels

    period = args.period_option or args.period
    async with open_service(args) as service:
        progress = Progress.for_service(service)
        if args.volume:
            if args.persona:
                raise HotseatError("--volume counts every session; leave out --persona.")
            volume = await progress.volume(args.workspace, period, viewer=args.user)
        else:
            persona = service.library.get(args.persona) if args.persona else None
            board = await progress.leaderboard(args.workspace, period, persona and persona.id, viewer=args.user,
                                               limit=args.limit)
    if args.volume:
        if args.json:
            _out({"period": volume.period, "rows": [dataclasses.asdict(r) for r in volume.rows],
                  "viewer": None if volume.viewer is None else dataclasses.asdict(volume.viewer)})
        else:
            _show(panels.volume_panel(volume, viewer_name=args.user), args.workspace)
        return 0
    if args.json:
        _out({"period": board.period, "persona": board.persona_id, "min_sessions": board.min_sessions,
              "formula": board.formula, "rows": [dataclasses.asdict(r) for r in board.rows],
              "below_minimum": [dataclasses.asdict(p) for p in board.below_minimum],
              "viewer": None if board.viewer is None else dataclasses.asdict(board.viewer)})
    else:
        _show(panels.board_panel(board, persona and persona.name, viewer_name=args.user,
                                 say=_cli_commands(args.workspace)), args.workspace)
    return 0


async def _history(args: argparse.Namespace) -> int:
    """Past sessions with their six dimension scores (from the scores each ending stored)."""
    from bot.frontends import panels

    async with open_service(args) as service:
        sessions = await service.history(args.workspace, args.user, args.limit)
        dims: dict[int, dict[str, int]] = {}
        if sessions:
            rows = await service.store.scores(args.workspace, args.user, limit=max(200, 2 * args.limit))
            dims = {r.session_id: r.dimensions for r in rows if r.dimensions}
            for s in sessions:  # a scored session with no reply is not in `scores`: its debrief has them
                if s.session_id not in dims and s.score is not None and s.status == "ended":
                    body = await service.store.debrief(s.session_id)
                    found = (body or {}).get("dimensions") if isinstance(body, dict) else None
                    if isinstance(found, dict) and found:
                        dims[s.session_id] = found
    if args.json:
        _out([{**dataclasses.asdict(s), "dimensions": dims.get(s.session_id)} for s in sessions])
    else:
        scored = [dataclasses.replace(s, dimensions=dims.get(s.session_id) or s.dimensions) for s in sessions]
        _show(panels.history_panel(scored, name=args.user, say=_cli_commands(args.workspace, args.user)),
              args.workspace)
    return 0


def charts_dir(args: argparse.Namespace) -> Path:
    """Where charts go unless told: a `charts` folder beside the database."""
    return db_path(args.db).parent / "charts"


async def _console(args: argparse.Namespace) -> int:
    from bot.frontends.console.terminal import Console, local_who

    charts = None if args.no_charts else Path(args.charts) if args.charts else charts_dir(args)
    async with open_service(args) as service:
        return await Console(service, local_who(args.user), charts=charts).run(args.persona, args.seed)


def _session_id(text: str) -> int:
    digits = text.strip().lstrip("#")
    if not digits.isdigit():
        raise HotseatError(f"{text[:30]!r} is not a session id: ids are numbers, as `hotseat history USER` lists them.")
    return int(digits)


async def _debrief(args: argparse.Namespace) -> int:
    """A stored debrief again, exactly as the console printed it when the session ended."""
    from bot.debrief.scoring import Debrief
    from bot.frontends.console import render as render
    from bot.frontends.console.terminal import write_debrief_charts

    sid = _session_id(args.session_id)
    async with open_service(args) as service:
        record = await service.store.get_session(sid)
        body = await service.store.debrief(sid) if record is not None else None
        persona = service.library.personas.get(record.persona_id) if record is not None else None
    if record is None:
        raise HotseatError(f"There is no session #{sid} in {service.store.path}. "
                           "`hotseat history USER` lists a trainee's sessions.")
    if record.status == "active":
        raise HotseatError(f"Session #{sid} is still in progress; its debrief comes when it ends.")
    if body is None:
        raise HotseatError(f"Session #{sid} ended without a debrief (it was closed before anything was scored).")
    try:
        debrief = Debrief.from_dict(body)
    except (KeyError, TypeError, ValueError) as e:
        raise HotseatError(f"The stored debrief of session #{sid} cannot be read ({type(e).__name__}: {e}).") from None
    name = persona.name if persona is not None else record.persona_id
    if args.json:
        _out({"session_id": sid, "persona": record.persona_id, "user": record.user, "workspace": record.workspace,
              "outcome": record.outcome, "end_reason": record.end_reason, "debrief": debrief.to_dict()})
    else:
        print(render.debrief_text(debrief, name, record.persona_id, record.end_reason))
    if args.charts:
        paths, notes = await write_debrief_charts(debrief, name, Path(args.charts), sid)
        for line in [*(f"Chart: {p}" for p in paths), *notes]:
            print(line, file=sys.stderr if args.json else sys.stdout)
    return 0


def _file_part(text: str) -> str:
    """A user id made safe for a file name."""
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "trainee"


async def _stats(args: argparse.Namespace) -> int:
    from bot.core.progress import Progress
    from bot.debrief import charts
    from bot.frontends import panels
    from bot.frontends.console.terminal import chart_failure, default_user

    user = args.user or default_user()
    async with open_service(args) as service:
        stats = await Progress.for_service(service).stats(args.workspace, user)
    shown = panels.stats_panel(stats, user, say=_cli_commands(args.workspace, user))
    if not stats.sessions:
        _show(shown, args.workspace, file=sys.stderr if args.json else sys.stdout)
        if args.json:
            _out(dataclasses.asdict(stats) | {"chart_file": None})
        return 0
    path = None
    note = None
    if not args.no_chart:
        path = Path(args.chart) if args.chart else charts_dir(args) / f"progress-{_file_part(user)}.png"
        points = [charts.ProgressPoint(p.ended_at, p.score, dict(p.dimensions or {})) for p in stats.chart]
        title = f"{user} · {'last ' if len(points) < stats.sessions else ''}{len(points)} sessions"
        try:
            chart = await charts.render(charts.progress, points, title=title)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(chart.png)
        except Exception as e:  # a chart is a bonus: the numbers are printed whatever happens
            note, path = chart_failure("the progress chart", e), None
    if args.json:
        _out(dataclasses.asdict(stats) | {"chart_file": None if path is None else str(path)})
        if note:
            print(note, file=sys.stderr)
        return 0
    _show(shown, args.workspace)
    if path is not None:
        print(f"  Progress chart: {path}")
    if note:
        print(f"  {note}")
    return 0


async def _team(args: argparse.Namespace) -> int:
    from bot.core.progress import Progress
    from bot.frontends import panels

    sort = args.sort.strip().lower().replace("-", "_")
    descending = args.descending if args.descending is not None else sort not in ("name", "weakest")
    async with open_service(args) as service:
        page = await Progress.for_service(service).team(args.workspace, sort=sort, descending=descending,
                                                         page=args.page, per_page=args.per_page)
    if args.json:
        _out(dataclasses.asdict(page))
    else:
        _show(panels.team_panel(page), args.workspace)
    return 0


def _date(text: str | None, flag: str) -> dt.datetime | None:
    """A --since/--until day as midnight UTC; anything but YYYY-MM-DD is a friendly error."""
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
        if len(text.strip()) != 10:
            raise ValueError
    except ValueError:
        raise HotseatError(f"{flag} {text[:30]!r} is not a date: use YYYY-MM-DD, e.g. 2026-11-30.") from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


async def _export(args: argparse.Namespace) -> int:
    """Stream ended sessions as CSV or JSON Lines to a file or stdout; the count goes to stderr."""
    import io

    from bot.core.export import export

    since, until = _date(args.since, "--since"), _date(args.until, "--until")
    if since is not None and until is not None and until <= since:
        raise HotseatError(f"--until {args.until} is not after --since {args.since}: "
                           "--since is included, --until is not.")
    to_stdout = args.out in (None, "-")
    async with open_service(args) as service:
        options = dict(fmt=args.format, since=since, until=until, user=args.user, include_turns=args.turns,
                       bom=args.bom, library=service.library)
        if to_stdout:
            buffer = getattr(sys.stdout, "buffer", None)
            if buffer is None:  # a stream with no bytes underneath (a test's StringIO)
                n = await export(service.store, args.workspace, sys.stdout, **options)
            else:
                sys.stdout.flush()
                stream = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
                try:
                    n = await export(service.store, args.workspace, stream, **options)
                    stream.flush()
                except BrokenPipeError:  # `hotseat export | head`: the reader has all it wanted
                    devnull = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(devnull, sys.stdout.fileno())  # so the exit flush fails no more
                    return 0
                finally:
                    with contextlib.suppress(ValueError, OSError):
                        stream.detach()  # stdout stays usable (and open) after the export
        else:
            path = Path(args.out)
            try:
                f = open(path, "w", encoding="utf-8", newline="")
            except OSError as e:
                print(_cannot_read("export file", path, e, verb="write"), file=sys.stderr)
                return 2
            with f:
                n = await export(service.store, args.workspace, f, **options)
    where = "" if to_stdout else f" to {args.out}"
    print(f"hotseat: exported {n} session{'' if n == 1 else 's'} as {args.format.upper()}{where}.", file=sys.stderr)
    return 0




async def _db_migrate(args: argparse.Namespace) -> int:
    """Opening a store migrates it; this does only that, so a deploy can migrate once before
    starting its workers."""
    from bot.store.copy import migrate

    target = db_target(args.db)
    version = await migrate(target)
    print(f"hotseat: the database at {_shown(target)} is at schema version {version}.", file=sys.stderr)
    return 0


async def _db_copy(args: argparse.Namespace) -> int:
    """Move an installation between SQLite and PostgreSQL without losing a row."""
    from bot.store import open_store
    from bot.store.copy import copy_database

    source = await open_store(db_target(args.source))
    try:
        target = await open_store(db_target(args.target))
        try:
            counts = await copy_database(source, target)
        finally:
            await target.close()
    finally:
        await source.close()
    rows = ", ".join(f"{n} {table}" for table, n in counts.items())
    print(f"hotseat: copied {_shown(db_target(args.source))} to {_shown(db_target(args.target))}: {rows}.",
          file=sys.stderr)
    return 0


def _shown(target: str | Path) -> str:
    """A database as messages name it: a URL's password never printed."""
    from bot.config import is_db_url

    if not is_db_url(target):
        return str(target)
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(str(target))
    if parts.password is None:
        return str(target)
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


async def _run(args: argparse.Namespace) -> int:
    """Serve one chat platform until interrupted; settings come from the environment or .env."""
    import aiohttp

    from bot import logs
    from bot.core.service import HotseatService
    from bot.frontends import adapter as frontend
    from bot.config import SettingError, load_env_file

    redact = logs.setup()
    load_env_file(args.env_file)
    if args.workers is not None:
        return await _run_workers(args)
    try:
        import signal

        terminated = asyncio.current_task()
        with contextlib.suppress(NotImplementedError, RuntimeError):  # no signal handlers on Windows
            # SIGTERM (a service manager, or `--workers` stopping its workers) shuts down cleanly
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, terminated.cancel)
        async with open_service(args) as console:  # the store and personas; the service is built per platform
            for problem in console.library.problems:
                logging.getLogger("hotseat").warning("skipped a persona file: %s", problem)
            if args.platform == "slack":
                from bot.frontends.slack.app import SlackFrontEnd

                front: frontend.FrontEnd = SlackFrontEnd.from_env(http=args.http, port=args.port)
            else:
                from bot.frontends.discord.client import DiscordFrontEnd

                front = DiscordFrontEnd.from_env(shards=args.shards, shard_count=args.shard_count)
            redact.secrets = sorted({*redact.secrets, *front.secrets}, key=len, reverse=True)
            await frontend.run(front, lambda platform: HotseatService(console.store, console.library, platform=platform))
    except SettingError as e:
        print(f"hotseat: {e}", file=sys.stderr)
        return 2
    except (OSError, aiohttp.ClientError) as e:  # no network, a wrong SLACK_API_URL, a firewall
        print(f"hotseat: cannot reach {args.platform.capitalize()}: {redact.scrub(str(e))}. "
              "Check the network connection and proxy settings, then start again.", file=sys.stderr)
        return 2
    except asyncio.CancelledError:  # SIGTERM
        return 0
    return 0


def _die_with_parent() -> None:
    """In a worker, before it runs: on Linux, the kernel sends it SIGTERM if the parent dies
    (even by SIGKILL), so no worker is left holding the port."""
    with contextlib.suppress(Exception):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


async def _run_workers(args: argparse.Namespace) -> int:
    """`hotseat run slack --http --workers N`: N copies of this command without --workers, all
    listening on one port (SO_REUSEPORT: the kernel spreads connections among them; any of
    them handles any event, the database holds the rest). SIGTERM and SIGINT are passed on;
    a worker that dies is reported and the others keep serving. Exit: 0 once stopped by a
    signal, else the worst code a worker exited with."""
    if args.platform != "slack" or not args.http:
        print("hotseat: --workers runs several Slack HTTP workers: use it with `hotseat run slack --http`.",
              file=sys.stderr)
        return 2
    if args.workers < 1:
        print("hotseat: --workers takes a number of workers, 1 or more.", file=sys.stderr)
        return 2
    from bot.config import SettingError, env_number

    try:
        port = args.port if args.port is not None else int(env_number("PORT", 3000, low=0, high=65535))
    except SettingError as e:
        print(f"hotseat: {e}", file=sys.stderr)
        return 2
    if port == 0:
        print("hotseat: --workers needs a fixed port for all workers to share (--port N or $PORT).", file=sys.stderr)
        return 2
    from bot.frontends.slack.settings import SlackSettings

    try:
        SlackSettings.from_env(http=True, port=port)  # one clear message, not one from every worker
    except SettingError as e:
        print(f"hotseat: {e}", file=sys.stderr)
        return 2
    command = [sys.executable, "-m", "bot", "run", "slack", "--http", "--port", str(port),
               "--env-file", str(args.env_file)]
    if args.db:
        command += ["--db", str(args.db)]
    for path in args.personas:
        command += ["--personas", str(path)]
    import signal

    setup = _die_with_parent if os.name == "posix" else None
    workers = [await asyncio.create_subprocess_exec(*command, preexec_fn=setup) for _ in range(args.workers)]
    print(f"hotseat: started {len(workers)} Slack workers on port {port} (pids "
          f"{', '.join(str(w.pid) for w in workers)})", file=sys.stderr)
    loop = asyncio.get_running_loop()
    stopping: list[int] = []

    def forward(sig: int) -> None:
        stopping.append(sig)
        for w in workers:
            if w.returncode is None:
                w.send_signal(sig)

    handled = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, forward, sig)
            handled.append(sig)

    async def watch(n: int, worker: asyncio.subprocess.Process) -> int:
        code = await worker.wait()
        if not stopping:
            alive = sum(w.returncode is None for w in workers)
            print(f"hotseat: worker {n} (pid {worker.pid}) stopped with exit code {code}; "
                  f"{alive} worker{'' if alive == 1 else 's'} still serving", file=sys.stderr)
        return code

    try:
        codes = await asyncio.gather(*(watch(n, w) for n, w in enumerate(workers, 1)))
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
        forward(signal.SIGTERM)  # leaving for any other reason: take the workers along
    if stopping:
        return 0
    return max((c if c > 0 else 1 for c in codes if c != 0), default=0)


# -- parser ------------------------------------------------------------------------------
PERIOD_CHOICES = ["week", "month", "all"]  # bot.core.service.PERIODS, without importing the service
TEAM_SORTS = ("name", "sessions_week", "sessions", "average", "weakest", "last_practice")  # progress.TEAM_COLUMNS
# Each command level (hotseat, a command, `personas` and its actions) keeps its own list of
# --personas, joined by parse_args(): argparse parses a subcommand into a fresh namespace
# and copies it over, so one shared list would keep only the deepest level's paths.
_PERSONAS_AT = ("personas", "_personas_1", "_personas_2")


def _common(level: int) -> argparse.ArgumentParser:
    """--db and --personas, accepted before or after any command.

    Below the top level nothing is stored unless given, or a command's default would
    overwrite `hotseat --db X leaderboard`; given twice, the later --db wins.
    """
    unset = None if level == 0 else argparse.SUPPRESS
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=unset, metavar="PATH|URL",
                        help="SQLite database file, or a postgresql://user:password@host/db URL "
                             "(default: $HOTSEAT_DB or state/hotseat.sqlite3)")
    common.add_argument("--personas", dest=_PERSONAS_AT[level], action="append",
                        default=[] if level == 0 else argparse.SUPPRESS, metavar="PATH",
                        help="persona folder or file (repeatable; default: $HOTSEAT_PERSONAS or personas/)")
    return common


def _command(sub: argparse._SubParsersAction, name: str, about: str, level: int = 1) -> argparse.ArgumentParser:
    """A command whose one-line summary shows both in the list of commands and on its own --help page."""
    return sub.add_parser(name, parents=[_common(level)], help=about, description=about[:1].upper() + about[1:] + ".")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="hotseat", parents=[_common(0)],
                                 description="Practise conflict handling against difficult customers.")
    ap.add_argument("--version", action="version", version=f"hotseat {__version__}",
                    help="show the version and exit")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND",
                            help="what to do; `hotseat COMMAND --help` explains each")

    p = _command(sub, "console", "practise in the terminal")
    p.add_argument("persona", nargs="?", help="persona id (default: pick from a list)")
    p.add_argument("--seed", type=int, help="make the conversation reproducible")
    p.add_argument("--user", help="your name on the leaderboard (default: your login)")
    p.add_argument("--charts", metavar="DIR",
                   help="write the debrief's mood timeline and skill radar PNGs here "
                        "(default: a charts folder beside the database)")
    p.add_argument("--no-charts", action="store_true", help="do not draw the debrief charts")
    p.set_defaults(run=lambda a: asyncio.run(_console(a)))

    p = _command(sub, "run", "serve Hotseat in Slack or Discord (see README)")
    p.add_argument("platform", choices=["slack", "discord"], help="the chat platform to serve")
    p.add_argument("--http", action="store_true",
                   help="Slack: receive events over HTTP (needs SLACK_SIGNING_SECRET) instead of Socket Mode")
    p.add_argument("--port", type=int, help="Slack HTTP mode: port to listen on (default: $PORT or 3000)")
    p.add_argument("--shards", metavar="IDS",
                   help="Discord: serve only these gateway shards, like 0-3 (with --shard-count; "
                        "default: $HOTSEAT_DISCORD_SHARDS, else all shards in this process)")
    p.add_argument("--shard-count", type=int, metavar="N",
                   help="Discord: the total number of shards across all processes (with --shards)")
    p.add_argument("--env-file", default=".env", metavar="FILE",
                   help="read settings from this file too (default: .env)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="Slack HTTP mode: run N worker processes sharing the port (each handles any event)")
    p.set_defaults(run=lambda a: asyncio.run(_run(a)))

    p = _command(sub, "classify", "label trainee messages (JSON lines out)")
    p.add_argument("text", nargs="*", help="messages; with none, one message a line from stdin")
    p.set_defaults(run=cmd_classify)

    p = _command(sub, "simulate", "play a scripted trainee against a persona")
    p.add_argument("persona_id", metavar="PERSONA_ID", help="the persona to play against")
    p.add_argument("--script", required=True, metavar="FILE", help="file with one trainee message a line")
    p.add_argument("--seed", type=int, default=0, help="the customer's random choices (default 0)")
    p.add_argument("--json", action="store_true", help="print the transcript and debrief as one JSON object")
    p.set_defaults(run=lambda a: asyncio.run(_simulate(a)))

    p = _command(sub, "personas", "list, validate or draw personas")
    psub = p.add_subparsers(dest="action", required=True, metavar="ACTION",
                            help="what to do; `hotseat personas ACTION --help` explains each")
    q = _command(psub, "list", "list the personas with difficulty and scenario", level=2)
    q.add_argument("--json", action="store_true", help="print them as one JSON array")
    q = _command(psub, "validate", "check persona files and name each problem's file, line and fix", level=2)
    q.add_argument("refs", nargs="*", metavar="ID_OR_PATH",
                   help="persona ids, YAML files or folders (default: the personas folder)")
    q = _command(psub, "graph", "print a persona's state machine as Mermaid text", level=2)
    q.add_argument("ref", metavar="ID_OR_PATH", help="a persona id or a persona YAML file")
    q = _command(psub, "test", "play persona test cases and print pass or fail per case", level=2)
    q.add_argument("refs", nargs="*", metavar="ID_OR_PATH",
                   help="persona ids, YAML files or folders (default: the personas folder; "
                        "with --cases, the persona named like the cases file)")
    q.add_argument("--cases", metavar="FILE",
                   help="play the cases in FILE (a YAML file holding only 'tests:') instead of the persona's own")
    q.add_argument("--json", action="store_true", help="print every result, with its transcript, as one JSON object")
    p.set_defaults(run=cmd_personas)

    p = _command(sub, "eval-classifier", "precision, recall and F1 on a labelled JSONL file")
    p.add_argument("file", metavar="FILE", help='JSONL, one {"text": ..., "labels": [...]} a line')
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.set_defaults(run=cmd_eval)

    weights = Path(__file__).resolve().parent / "classifier" / "weights.npz"  # model.WEIGHTS, without numpy
    p = _command(sub, "train-classifier",
                 "rebuild the classifier's weights from the labelled corpus (needs the [train] extra)")
    p.add_argument("--corpus", default=str(Path(__file__).resolve().parents[1] / "data" / "behaviours"),
                   metavar="DIR", help="folder with train/*.jsonl and dev/*.jsonl (default: data/behaviours)")
    p.add_argument("--out", default=str(weights), metavar="FILE",
                   help="weights file to write (default: the shipped one)")
    p.add_argument("--c", type=float, default=16.0, help="inverse regularisation strength (default 16)")
    p.add_argument("--min-df", type=int, default=2, help="keep n-grams seen in this many messages (default 2)")
    p.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same weights (default 0)")
    p.add_argument("--curve", action="store_true", help="also print the learning curve on dev")
    p.add_argument("--plot", metavar="SVG", help="with --curve: also draw it to this SVG file")
    p.add_argument("--json", action="store_true", help="print the training summary as one JSON object")
    p.set_defaults(run=cmd_train)

    workspace_help = "the Slack workspace or Discord server id (default: local, the console's)"
    p = _command(sub, "leaderboard", "rank trainees by a difficulty-adjusted score, or by practice volume")
    p.add_argument("period", nargs="?", default="week", choices=PERIOD_CHOICES,
                   help="sessions ended in the last 7 days, 30 days, or ever (default: week)")
    p.add_argument("--period", dest="period_option", choices=PERIOD_CHOICES,
                   help="the same as the PERIOD argument, as an option")
    p.add_argument("--persona", metavar="ID", help="only sessions with this persona")
    p.add_argument("--volume", action="store_true",
                   help="rank practice instead: sessions in the period and the current streak of days")
    p.add_argument("--user", metavar="ID",
                   help="also show this trainee's own rank (shown even if they opted out of the board)")
    p.add_argument("--limit", type=int, default=10, help="show at most this many ranked trainees (default 10)")
    p.add_argument("--workspace", default="local", help=workspace_help)
    p.add_argument("--json", action="store_true", help="print the ranking as one JSON object")
    p.set_defaults(run=lambda a: asyncio.run(_leaderboard(a)))

    p = _command(sub, "history", "a trainee's past sessions with their skill scores, newest first")
    p.add_argument("user", help="the trainee's name (in the console: their --user or login)")
    p.add_argument("--workspace", default="local", help=workspace_help)
    p.add_argument("--limit", type=int, default=20, help="show at most this many sessions (default 20)")
    p.add_argument("--json", action="store_true", help="print the sessions as one JSON array")
    p.set_defaults(run=lambda a: asyncio.run(_history(a)))

    p = _command(sub, "debrief", "show a finished session's debrief again, as it was given")
    p.add_argument("session_id", metavar="SESSION_ID", help="the session's number, as `hotseat history` lists it")
    p.add_argument("--charts", metavar="DIR", help="also write its mood timeline and skill radar PNGs to this folder")
    p.add_argument("--json", action="store_true", help="print the stored debrief as one JSON object")
    p.set_defaults(run=lambda a: asyncio.run(_debrief(a)))

    p = _command(sub, "stats", "a trainee's progress: averages and trends per skill, weakest skill, best session")
    p.add_argument("user", nargs="?", metavar="USER",
                   help="the trainee (in the console: their --user or login; default: your login)")
    p.add_argument("--workspace", default="local", help=workspace_help)
    p.add_argument("--chart", metavar="FILE",
                   help="write the progress chart PNG here (default: charts/progress-USER.png beside the database)")
    p.add_argument("--no-chart", action="store_true", help="do not draw the progress chart")
    p.add_argument("--json", action="store_true", help="print the numbers as one JSON object")
    p.set_defaults(run=lambda a: asyncio.run(_stats(a)))

    p = _command(sub, "team", "every trainee's sessions, average, weakest skill and last practice, ten a page")
    p.add_argument("--sort", default="name", metavar="COLUMN",
                   help=f"sort by one of: {', '.join(TEAM_SORTS)} (default: name)")
    order = p.add_mutually_exclusive_group()
    order.add_argument("--asc", dest="descending", action="store_const", const=False,
                       help="lowest first (the default for name and weakest)")
    order.add_argument("--desc", dest="descending", action="store_const", const=True,
                       help="highest first (the default for the other columns)")
    p.add_argument("--page", type=int, default=1, help="which page to show (default 1)")
    p.add_argument("--per-page", type=int, default=10, help="trainees a page, 1-100 (default 10)")
    p.add_argument("--workspace", default="local", help=workspace_help)
    p.add_argument("--json", action="store_true", help="print the page as one JSON object")
    p.set_defaults(run=lambda a: asyncio.run(_team(a)), descending=None)

    p = _command(sub, "export", "write finished sessions with their scores as CSV or JSON Lines")
    p.add_argument("--format", default="csv", choices=["csv", "jsonl"], help="csv (default) or jsonl")
    p.add_argument("--since", metavar="DATE", help="sessions that ended on or after this day, YYYY-MM-DD (UTC)")
    p.add_argument("--until", metavar="DATE", help="sessions that ended before this day, YYYY-MM-DD (UTC)")
    p.add_argument("--user", metavar="ID", help="only this trainee's sessions")
    p.add_argument("--turns", action="store_true", help="add each session's transcript as a last column")
    p.add_argument("--bom", action="store_true", help="CSV: start with a byte order mark, so Excel reads UTF-8")
    p.add_argument("--out", metavar="FILE", help="write to this file (default, or -: standard output)")
    p.add_argument("--workspace", default="local", help=workspace_help)
    p.set_defaults(run=lambda a: asyncio.run(_export(a)))

    p = _command(sub, "db", "set up or move the database (migrate, copy)")
    dbs = p.add_subparsers(dest="db_action", required=True, metavar="ACTION",
                           help="`hotseat db ACTION --help` explains each")
    q = _command(dbs, "migrate", "bring the database (--db) up to this version's schema", level=2)
    q.set_defaults(run=lambda a: asyncio.run(_db_migrate(a)))
    q = _command(dbs, "copy", "copy every session, score and setting from one database into a new, empty one", level=2)
    q.add_argument("--from", dest="source", required=True, metavar="PATH|URL",
                   help="the database to copy (a SQLite file, or a postgresql:// URL)")
    q.add_argument("--to", dest="target", required=True, metavar="PATH|URL",
                   help="the empty database to fill (a SQLite file, or a postgresql:// URL)")
    q.set_defaults(run=lambda a: asyncio.run(_db_copy(a)))
    return ap


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    args = parser().parse_args(argv)
    args.personas = [p for dest in _PERSONAS_AT for p in vars(args).pop(dest, None) or []]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from bot.config import load_env_file
    from bot.store.records import StoreError

    if args.command != "run":  # `run` reads its own --env-file; every command sees the same database
        load_env_file()

    try:
        return int(args.run(args) or 0)
    except StoreError as e:
        print(f"hotseat: {e}", file=sys.stderr)
        return 2
    except HotseatError as e:
        print(f"hotseat: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""The `hotseat` command. Scripts depend on classify, simulate and personas list --json:
keep their output shapes stable."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, AsyncIterator, Iterable, Sequence

from bot import __version__
from bot.config import db_path
from bot.core.errors import HotseatError
from bot.persona.library import Library, personas_dir
from bot.persona.graph import mermaid

if TYPE_CHECKING:
    from bot.core.service import HotseatService

# The service, classifier and store are imported where used: `personas validate` and
# `--help` stay quick and work even while another part is broken.


def _out(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def _library(args: argparse.Namespace) -> Library:
    return Library.load(*(Path(p) for p in args.personas)) if args.personas else Library.load(personas_dir())


@contextlib.asynccontextmanager
async def open_service(
    args: argparse.Namespace, db: Path | None = None, platform: str = "console"
) -> AsyncIterator[HotseatService]:
    from bot.core.service import HotseatService
    from bot.store.sqlite import Store

    store = await Store.open(db or db_path(args.db))
    try:
        yield HotseatService(store, _library(args), platform=platform)
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
    except (OSError, ValueError) as e:
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
        Path(args.plot).write_text(train.curve_svg(curve), encoding="utf-8")
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


def cmd_personas(args: argparse.Namespace) -> int:
    if args.action == "validate":
        paths = [Path(p) for p in args.paths] or [personas_dir()]
        lib = Library.load(*paths)
        for problem in lib.problems:
            print(problem, file=sys.stderr)
        n_bad = len({p.file for p in lib.problems})
        print(f"{len(lib.personas)} persona(s) valid, {n_bad} file(s) with problems.")
        return 1 if lib.problems else 0
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
    # graph
    try:
        persona = lib.get(args.id)
    except HotseatError as e:
        print(f"hotseat: {e}", file=sys.stderr)
        return 1
    print(mermaid(persona), end="")
    return 0


async def _simulate(args: argparse.Namespace) -> int:
    from bot.frontends.console import render as render
    from bot.core.service import Who, transcript_turns

    try:
        script = Path(args.script).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as e:
        print(f"hotseat: cannot read the script {args.script}: {e.strerror or e}", file=sys.stderr)
        return 2
    script = [line for line in script if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        db = None if (args.db or os.environ.get("HOTSEAT_DB")) else Path(tmp) / "simulate.sqlite3"
        async with open_service(args, db) as service:
            who = Who("local", f"simulate-{os.getpid()}", "simulator", "simulator")
            opening = await service.start(who, args.persona_id, seed=args.seed)
            turns = []
            ending = None
            for line in script:
                try:
                    reply = await service.reply(who, line)
                except HotseatError as e:  # an unusable line (empty after cleaning, too long) is skipped
                    print(f"hotseat: skipped a script line: {e}", file=sys.stderr)
                    continue
                turns.append(reply.turn)
                if reply.ending is not None:
                    ending = reply.ending
                    break
            if ending is None:
                ending = await service.end(who)
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


async def _leaderboard(args: argparse.Namespace) -> int:
    from bot.frontends.console import render as render

    async with open_service(args) as service:
        board = await service.leaderboard(args.workspace, args.period, args.persona)
    if args.json:
        _out({"period": board.period, "persona": board.persona_id, "min_sessions": board.min_sessions,
              "rows": [dataclasses.asdict(r) for r in board.rows]})
    else:
        print(render.leaderboard(board))
    return 0


async def _history(args: argparse.Namespace) -> int:
    from bot.frontends.console import render as render

    async with open_service(args) as service:
        sessions = await service.history(args.workspace, args.user, args.limit)
    if args.json:
        _out([dataclasses.asdict(s) for s in sessions])
    else:
        print(render.history(args.user, sessions))
    return 0


async def _console(args: argparse.Namespace) -> int:
    from bot.frontends.console.terminal import Console, local_who

    async with open_service(args) as service:
        return await Console(service, local_who(args.user)).run(args.persona, args.seed)


async def _run(args: argparse.Namespace) -> int:
    """Serve one chat platform until interrupted; settings come from the environment or .env."""
    import aiohttp

    from bot.frontends import adapter as frontend
    from bot import logs
    from bot.config import SettingError, load_env_file

    redact = logs.setup()
    load_env_file(args.env_file)
    try:
        async with open_service(args, platform=args.platform) as service:
            for problem in service.library.problems:
                logging.getLogger("hotseat").warning("skipped a persona file: %s", problem)
            if args.platform == "slack":
                from bot.frontends.slack.app import SlackFrontEnd

                front: frontend.FrontEnd = SlackFrontEnd.from_env(service, http=args.http, port=args.port)
            else:
                from bot.frontends.discord.client import DiscordFrontEnd

                front = DiscordFrontEnd.from_env(service)
            redact.secrets = sorted({*redact.secrets, *front.secrets}, key=len, reverse=True)
            await frontend.run(front)
    except SettingError as e:
        print(f"hotseat: {e}", file=sys.stderr)
        return 2
    except (OSError, aiohttp.ClientError) as e:  # no network, a wrong SLACK_API_URL, a firewall
        print(f"hotseat: cannot reach {args.platform.capitalize()}: {redact.scrub(str(e))}. "
              "Check the network connection and proxy settings, then start again.", file=sys.stderr)
        return 2
    return 0


# -- parser ------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="SQLite database file (default: $HOTSEAT_DB or state/hotseat.sqlite3)")
    common.add_argument("--personas", action="append", default=[], metavar="PATH",
                        help="persona folder or file (repeatable; default: $HOTSEAT_PERSONAS or personas/)")
    ap = argparse.ArgumentParser(prog="hotseat", description="Practise conflict handling against difficult customers.")
    ap.add_argument("--version", action="version", version=f"hotseat {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("console", parents=[common], help="practise in the terminal")
    p.add_argument("persona", nargs="?", help="persona id (default: pick from a list)")
    p.add_argument("--seed", type=int, help="make the conversation reproducible")
    p.add_argument("--user", help="your name on the leaderboard (default: your login)")
    p.set_defaults(run=lambda a: asyncio.run(_console(a)))

    p = sub.add_parser("run", parents=[common], help="serve Hotseat in Slack or Discord (see README)")
    p.add_argument("platform", choices=["slack", "discord"])
    p.add_argument("--http", action="store_true",
                   help="Slack: receive events over HTTP (needs SLACK_SIGNING_SECRET) instead of Socket Mode")
    p.add_argument("--port", type=int, help="Slack HTTP mode: port to listen on (default: $PORT or 3000)")
    p.add_argument("--env-file", default=".env", help="read settings from this file too (default: .env)")
    p.set_defaults(run=lambda a: asyncio.run(_run(a)))

    p = sub.add_parser("classify", parents=[common], help="label trainee messages (JSON lines out)")
    p.add_argument("text", nargs="*", help="messages; with none, one message a line from stdin")
    p.set_defaults(run=cmd_classify)

    p = sub.add_parser("simulate", parents=[common], help="play a scripted trainee against a persona")
    p.add_argument("persona_id")
    p.add_argument("--script", required=True, help="file with one trainee message a line")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=lambda a: asyncio.run(_simulate(a)))

    p = sub.add_parser("personas", parents=[common], help="list, validate or draw personas")
    psub = p.add_subparsers(dest="action", required=True)
    q = psub.add_parser("list", parents=[common])
    q.add_argument("--json", action="store_true")
    q = psub.add_parser("validate", parents=[common])
    q.add_argument("paths", nargs="*", help="files or folders (default: the personas folder)")
    q = psub.add_parser("graph", parents=[common])
    q.add_argument("id")
    p.set_defaults(run=cmd_personas)

    p = sub.add_parser("eval-classifier", parents=[common], help="precision, recall and F1 on a labelled JSONL file")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_eval)

    weights = Path(__file__).resolve().parent / "classifier" / "weights.npz"  # model.WEIGHTS, without numpy
    p = sub.add_parser("train-classifier", parents=[common],
                       help="rebuild the classifier's weights from the labelled corpus (needs the [train] extra)")
    p.add_argument("--corpus", default=str(Path(__file__).resolve().parents[1] / "data" / "behaviours"),
                   help="folder with train/*.jsonl and dev/*.jsonl (default: data/behaviours)")
    p.add_argument("--out", default=str(weights), help="weights file to write (default: the shipped one)")
    p.add_argument("--c", type=float, default=16.0, help="inverse regularisation strength (default 16)")
    p.add_argument("--min-df", type=int, default=2, help="keep n-grams seen in this many messages (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--curve", action="store_true", help="also print the learning curve on dev")
    p.add_argument("--plot", metavar="SVG", help="with --curve: also draw it to this SVG file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_train)

    p = sub.add_parser("leaderboard", parents=[common], help="rank trainees by average debrief score")
    p.add_argument("period", nargs="?", default="week", choices=["week", "month", "all"])
    p.add_argument("--persona", help="only sessions with this persona")
    p.add_argument("--workspace", default="local")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=lambda a: asyncio.run(_leaderboard(a)))

    p = sub.add_parser("history", parents=[common], help="a trainee's past sessions")
    p.add_argument("user")
    p.add_argument("--workspace", default="local")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=lambda a: asyncio.run(_history(a)))
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from bot.config import load_env_file
    from bot.store.sqlite import StoreError

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

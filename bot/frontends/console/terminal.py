"""Terminal practice: the front end that runs out of the box, with no chat tokens.

Like the Slack and Discord adapters it only turns input into ConversationHandler calls and
prints the events that come back (through ConsolePort).
"""

from __future__ import annotations

import asyncio
import getpass
import re
import sys
import textwrap
import threading
from pathlib import Path
from typing import Callable, TextIO

from bot.core.events import NO_SESSION, CustomerSaid, Ended, Event, HintGiven, Note, Opened, Who
from bot.core.service import HotseatService
from bot.debrief.scoring import Debrief
from bot.frontends.console import render
from bot.frontends.conversation import ConversationHandler
from bot.frontends.port import Place
from bot.persona.records import Persona
from bot.vocab import stars

COMMANDS = {
    "/hint": "a coaching tip for this moment (costs a few points)",
    "/end": "finish now and get your debrief",
    "/quit": "leave; the conversation is kept and resumes next time",
    "/help": "this list",
}
HELP = "Type your reply to the customer. Commands: " + "; ".join(f"{c} {what}" for c, what in COMMANDS.items()) + "."
_COMMANDISH = re.compile(r"^/[a-z?]+(\s|$)")  # "/hnt", "/end now": meant as a command, not to the customer
LEFT = "\nLeft the conversation; it resumes next time you run hotseat console."


def default_user() -> str:
    """The console's trainee when no --user is given: the login name."""
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "trainee"


def local_who(user: str | None = None) -> Who:
    name = user or default_user()
    return Who(workspace="local", channel="console", user=name, user_name=name)


def chart_failure(what: str, e: BaseException) -> str:
    """One line on why a chart was not drawn; the session or report goes on without it."""
    if isinstance(e, ImportError):
        why = "matplotlib is not installed (pip install matplotlib)"
    elif isinstance(e, OSError):
        why = f"{e.strerror or e}".rstrip(".") + (f": {e.filename}" if getattr(e, "filename", None) else "")
    else:
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
    return f"(no {what}: {why})"


async def write_debrief_charts(
    debrief: Debrief, persona_name: str, folder: Path, session_id: int,
) -> tuple[list[Path], list[str]]:
    """Draw the debrief's mood timeline and skill radar (off the event loop) into `folder`
    as session-ID-mood.png and session-ID-skills.png. Returns the files written and a
    one-line note for each chart that could not be drawn: a chart never breaks a session."""
    from bot.debrief import charts

    jobs = []
    moments = debrief.timeline
    if moments:
        jobs.append(("mood timeline", f"session-{session_id}-mood.png", charts.mood_timeline,
                     ([m.mood_after for m in moments],),
                     dict(start=moments[0].mood_before, title=f"{persona_name} · anger turn by turn",
                          turning_points=[m.index for m in moments if m.turning_point])))
    if debrief.dimensions:
        jobs.append(("skill radar", f"session-{session_id}-skills.png", charts.skill_radar,
                     (debrief.dimensions,), dict(title=f"{persona_name} · {debrief.score}/100")))
    paths: list[Path] = []
    notes: list[str] = []
    for what, name, fn, args, kwargs in jobs:
        try:
            chart = await charts.render(fn, *args, **kwargs)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_bytes(chart.png)
            paths.append(path)
        except Exception as e:  # matplotlib missing or broken, a full disk: say so in one line
            if isinstance(e, ImportError):
                notes.append(chart_failure("charts", e))
                break  # the other chart needs matplotlib too
            notes.append(chart_failure(what, e))
    return paths, notes


def turns(n: int) -> str:
    return f"{n} turn" if n == 1 else f"{n} turns"


class ConsolePort:
    """Prints events; remembers whether the conversation ended, so the loop can stop.

    With `charts` (a folder), each debrief is followed by its mood timeline and skill
    radar as PNG files there, and their paths."""

    def __init__(self, say: Callable[[str], None], charts: Path | None = None) -> None:
        self.say = say
        self.ended = False
        self.charts = charts

    async def open(self, event: Opened, at: Place) -> None:
        header(self.say, event.persona)
        self.say(f"\n{HELP}\n")
        self.say(f"{event.persona.name}: {event.customer}   [{render.mood_meter(event.mood)}]")

    async def send(self, event: Event) -> None:
        if isinstance(event, CustomerSaid):
            self.say(render.exchange(event.persona.name, event.labels, event.customer, event.mood))
        elif isinstance(event, HintGiven):
            self.say(f"  tip: {event.text}  (hints used: {event.hints_used}; each costs a few points)")
        elif isinstance(event, Note):
            self.say(f"  {event.text}")
            self.ended = self.ended or event.why == NO_SESSION  # nothing left to play
        elif isinstance(event, Ended):
            self.say(render.debrief(event))
            self.ended = True
            if self.charts is not None:
                paths, notes = await write_debrief_charts(
                    event.debrief, event.persona.name, self.charts, event.session_id)
                for path in paths:
                    self.say(f" Chart: {path}")
                for note in notes:
                    self.say(f" {note}")
                if paths:
                    self.say(f" (hotseat debrief {event.session_id} shows this debrief again)")


def header(say: Callable[[str], None], p: Persona) -> None:
    say(f"\n── {p.name} · {p.scenario} · difficulty {stars(p.difficulty)}")
    brief = p.brief.strip()
    say(textwrap.indent(brief if "\n" in brief else textwrap.fill(brief, 76), "   "))


class Console:
    def __init__(
        self, service: HotseatService, who: Who, *, ask: Callable[[str], str] = input, out: TextIO | None = None,
        charts: Path | None = None,
    ) -> None:
        self.service = service
        self.handler = ConversationHandler(service)
        self.who = who
        self._ask = ask
        self.out = out or sys.stdout
        self.port = ConsolePort(self.say, charts)

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    async def ask(self, prompt: str) -> str | None:
        """One line of input, or None at end of input or Ctrl-C.

        The blocking read runs on a daemon thread, not the loop's executor: Ctrl-C (which
        cancels the main task) returns at once instead of waiting for the next Enter.
        """
        loop = asyncio.get_running_loop()
        done: asyncio.Future[str | None] = loop.create_future()

        def read() -> None:
            try:
                line: str | None = self._ask(prompt)
            except (EOFError, KeyboardInterrupt):
                line = None
            except BaseException as e:  # hand anything else to the loop, never lose it on a thread
                loop.call_soon_threadsafe(lambda err=e: done.done() or done.set_exception(err))
                return
            loop.call_soon_threadsafe(lambda: done.done() or done.set_result(line))

        threading.Thread(target=read, name="hotseat-console-input", daemon=True).start()
        return await done

    async def pick(self) -> str | None:
        personas = self.service.personas()
        self.say("Who would you like to practise with?\n")
        for i, p in enumerate(personas, 1):
            self.say(f" {i:>2}. {render.persona_line(p)}")
        while True:
            answer = await self.ask("\nPick a number or an id (empty for a random one): ")
            if answer is None:
                return None
            answer = answer.strip()
            if not answer:
                return ""
            if answer.isdigit() and 1 <= int(answer) <= len(personas):
                return personas[int(answer) - 1].id
            if answer.lower() in self.service.library.personas:
                return answer.lower()
            self.say(f"  No persona {answer[:40]!r}; pick a number from 1 to {len(personas)}.")

    async def run(self, persona_id: str | None = None, seed: int | None = None) -> int:
        try:
            return await self._run(persona_id, seed)
        except asyncio.CancelledError:  # Ctrl-C: every turn is already saved
            self.say(LEFT)
            raise

    async def _run(self, persona_id: str | None, seed: int | None) -> int:
        for problem in self.service.library.problems:
            self.say(f"(skipped a persona file with a problem: {problem})")
        if not self.service.library.personas:
            self.say("No personas could be loaded. Check the personas folder with: hotseat personas validate")
            return 1
        current = await self.service.current(self.who)
        if current is not None:
            answer = await self.ask(
                f"You have a conversation with {current.persona.name} in progress ({turns(current.turns)}). Resume it? [Y/n] "
            )
            if answer is None:
                return 0
            if answer.strip().lower() in ("n", "no"):
                if not await self.service.drop(self.who):  # only opened: gone without a trace
                    await self.handler.end(self.who, self.port)  # played: scored, as any ending
                self.port.ended = False
            else:
                header(self.say, current.persona)
                self.say(f"\n{HELP}\n")
                self.say(f"{current.persona.name}: {current.last_customer}   [{render.mood_meter(current.mood)}]")
                return await self.loop()
        if persona_id is None:
            persona_id = await self.pick()
            if persona_id is None:
                return 0
        if not await self.handler.start(self.who, self.port, persona_id or None):
            return 1
        return await self.loop()

    async def loop(self) -> int:
        while not self.port.ended:
            text = await self.ask("\nyou> ")
            command = (text or "").strip().lower()
            if text is None or command == "/quit":
                self.say(LEFT)
                return 0
            if command in ("/help", "/?"):
                self.say(HELP)
            elif command == "/hint":
                await self.handler.hint(self.who, self.port)
            elif command == "/end":
                await self.handler.end(self.who, self.port)
            elif _COMMANDISH.match(command) and command.split()[0] not in COMMANDS:
                self.say(f"  Unknown command {command[:30]!r}. Commands: {', '.join(COMMANDS)}.")
            else:
                await self.handler.message(self.who, text, self.port)
        return 0

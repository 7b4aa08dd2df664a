"""Terminal practice: the front end that runs out of the box, with no chat tokens.

Like the Slack and Discord front ends it only turns input into service calls and
renders what comes back.
"""

from __future__ import annotations

import asyncio
import getpass
import sys
import textwrap
from typing import Callable

from bot.frontends.console import render as render
from bot.core.errors import HotseatError
from bot.core.service import HotseatService, SessionTimedOut, Who

HELP = "Type your reply to the customer. Commands: /hint for a tip, /end to finish and get your debrief, /quit to leave (the conversation is kept and resumes next time)."


def local_who(user: str | None = None) -> Who:
    try:
        name = user or getpass.getuser()
    except Exception:  # no login name in some containers
        name = "trainee"
    return Who(workspace="local", channel="console", user=name, user_name=name)


class Console:
    def __init__(self, service: HotseatService, who: Who, *, ask: Callable[[str], str] = input, out=None) -> None:
        self.service = service
        self.who = who
        self._ask = ask
        self.out = out or sys.stdout

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    async def ask(self, prompt: str) -> str | None:
        try:
            return await asyncio.to_thread(self._ask, prompt)
        except (EOFError, KeyboardInterrupt):
            return None

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
        for problem in self.service.library.problems:
            self.say(f"(skipped a persona file with a problem: {problem})")
        if not self.service.library.personas:
            self.say("No personas could be loaded. Check the personas folder with: hotseat personas validate")
            return 1
        current = await self.service.current(self.who)
        if current is not None:
            answer = await self.ask(
                f"You have a conversation with {current.persona.name} in progress ({current.turns} turns). Resume it? [Y/n] "
            )
            if answer is None:
                return 0
            if answer.strip().lower() in ("n", "no"):
                self.say(render.debrief(await self.service.end(self.who)))
            else:
                self.say(f"\n{current.persona.name}: {current.last_customer}   [{render.mood_meter(current.mood)}]")
                return await self.loop(current.persona.name)
        if persona_id is None:
            persona_id = await self.pick()
            if persona_id is None:
                return 0
        try:
            opening = await self.service.start(self.who, persona_id or None, seed=seed)
        except HotseatError as e:
            self.say(str(e))
            return 1
        if opening.previous is not None:  # the last conversation ended without its debrief shown
            self.say(render.debrief(opening.previous))
        p = opening.persona
        self.say(f"\n── {p.name} · {p.scenario} · difficulty {'★' * p.difficulty}")
        self.say(textwrap.indent(textwrap.fill(p.brief, 76, replace_whitespace=False), "   ") if "\n" not in p.brief.strip() else textwrap.indent(p.brief.strip(), "   "))
        self.say(f"\n{HELP}\n")
        self.say(f"{p.name}: {opening.customer}   [{render.mood_meter(opening.mood)}]")
        return await self.loop(p.name)

    async def loop(self, name: str) -> int:
        while True:
            text = await self.ask("\nyou> ")
            if text is None or text.strip() == "/quit":
                self.say("\nLeft the conversation; it resumes next time you run hotseat console.")
                return 0
            command = text.strip().lower()
            try:
                if command in ("/help", "/?"):
                    self.say(HELP)
                elif command == "/hint":
                    hint = await self.service.hint(self.who)
                    self.say(f"  tip: {hint.text}  (hints used: {hint.hints_used}; each costs a few points)")
                elif command == "/end":
                    self.say(render.debrief(await self.service.end(self.who)))
                    return 0
                else:
                    reply = await self.service.reply(self.who, text)
                    self.say(render.exchange(name, reply.labels, reply.customer, reply.mood))
                    if reply.ending is not None:
                        self.say(render.debrief(reply.ending))
                        return 0
            except SessionTimedOut as e:
                self.say(str(e))
                self.say(render.debrief(e.ending))
                return 0
            except HotseatError as e:
                self.say(f"  {e}")

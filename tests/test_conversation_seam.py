"""One scenario suite, three front ends: the console, Slack (the real bolt app over signed
HTTP, a fake Slack on loopback) and Discord (the real discord.py client, a fake Discord on
loopback). Each scenario is played the same way on each, and what each trainee sees is
read back as a list of kinds (opened, customer, hint, note, debrief) and compared with
one expected list: the three front ends behave identically because one ConversationHandler
drives them all.

The console has one trainee and no platform message ids, threads or refusals, so the
intruder, duplicate-delivery, refused-post and idle-sweep scenarios run on Slack and
Discord only.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from bot.core.events import Who
from bot.frontends.console.terminal import HELP, ConsolePort
from bot.frontends.conversation import ConversationHandler
from bot.frontends.slack.app import SlackFrontEnd
from discord_fakes import user
from test_discord import running
from test_slack import Slack, _customer_line, _debrief, _opening, fake, serving, slack_env  # noqa: F401 (fixtures)

LINE = "I'm so sorry about the double charge, that's our mistake."
USERS = {"U1": user(700000000000000001, "Ana"), "U2": user(700000000000000002, "Bo")}


class ConsoleDriver:
    kinds = {"play", "timeout", "start_over"}

    def __init__(self, service) -> None:
        self.handler = ConversationHandler(service)
        self.out: dict[str, list[str]] = {}

    def _port(self, u: str) -> ConsolePort:
        seen = self.out.setdefault(u, [])
        return ConsolePort(seen.append)

    def _who(self, u: str) -> Who:
        return Who("local", "console", u, u)

    async def start(self, u: str, persona: str = "double-billing") -> None:
        await self.handler.start(self._who(u), self._port(u), persona)

    async def say(self, u: str, text: str, *, owner: str | None = None, message_id: str | None = None) -> None:
        await self.handler.message(self._who(u), text, self._port(u))

    async def hint(self, u: str) -> None:
        await self.handler.hint(self._who(u), self._port(u))

    async def end(self, u: str) -> None:
        await self.handler.end(self._who(u), self._port(u))

    def seen(self, u: str) -> list[str]:
        kinds = []
        for text in self.out.get(u, []):
            if text.startswith("\n── "):
                kinds.append("opened")
            elif text.startswith((f"\n{HELP}", "   ")) or not text.startswith(" ") and ": " in text.split("\n")[0][:40]:
                continue  # the brief, the help line and the customer's first line belong to the opening
            elif text.startswith("  ("):
                kinds.append("customer")
            elif text.startswith("  tip:"):
                kinds.append("hint")
            elif " Debrief: " in text:
                kinds.append("debrief")
            else:
                kinds.append("note")
        return kinds


class SlackDriver:
    kinds = {"play", "timeout", "start_over", "intruder", "duplicate", "refused", "sweep"}

    def __init__(self, slack: Slack) -> None:
        self.slack, self.fake = slack, slack.fake
        self.threads: dict[str, str] = {}
        self._old: dict[str, list[str]] = {}  # threads of sessions a start replaced
        self._ts = itertools.count(1)

    async def start(self, u: str, persona: str = "double-billing") -> None:
        self.threads[u] = await self.slack.start(persona, user=u, name=u.lower())

    async def say(self, u: str, text: str, *, owner: str | None = None, message_id: str | None = None) -> None:
        ts = message_id or f"1800000100.{next(self._ts):06d}"
        event = {"type": "message", "user": u, "text": text, "ts": ts, "thread_ts": self.threads[owner or u],
                 "channel": "C1", "channel_type": "channel", "event_ts": ts}
        await self.slack.event(event)  # a fresh event id each time: a redelivery the middleware cannot know
        await settle(lambda: len(self.fake.calls))

    async def hint(self, u: str) -> None:
        await self.slack.command("hint", user=u)
        await settle(lambda: len(self.fake.calls))

    async def end(self, u: str) -> None:
        await self.slack.command("end", user=u)
        await settle(lambda: len(self.fake.calls))

    async def sweep(self) -> None:
        await self.slack.front.handler.sweep(self.slack.front.outbox())
        await settle(lambda: len(self.fake.calls))

    def refuse_answers(self) -> None:
        self.fake.fail("chat.postMessage", "invalid_blocks")  # the formatted answer
        self.fake.fail("chat.postMessage", "msg_too_long")  # and its plain-text fallback

    def seen(self, u: str) -> list[str]:
        mine = {ts for owner, ts in self.threads.items() if owner == u} | set(self._old.get(u, []))
        kinds = []
        for c in self.fake.calls:
            ok = (c.result or {}).get("ok")
            if c.method == "chat.postMessage" and ok:
                if _opening(c) and c.result["ts"] in mine:
                    kinds.append("opened")
                elif c.args.get("thread_ts") in mine and _customer_line(c):
                    kinds.append("customer")
                elif c.args.get("thread_ts") in mine and _debrief(c):
                    kinds.append("debrief")
            elif c.method == "chat.postEphemeral" and c.args.get("user") == u:
                kinds.append("hint" if c.args["text"].startswith(":bulb:") else "note")
            elif c.method == "response_url" and u == "U1":  # only U1 uses slash commands here
                kinds.append("hint" if c.args["text"].startswith(":bulb:") else "note")
        return kinds

    async def start_again(self, u: str, persona: str) -> None:
        self._old.setdefault(u, []).append(self.threads[u])
        await self.start(u, persona)


class DiscordDriver:
    kinds = {"play", "timeout", "start_over", "intruder", "duplicate", "refused", "sweep"}

    def __init__(self, bot) -> None:
        self.bot, self.fake = bot, bot.fake
        self.threads: dict[str, list[int]] = {}
        self.tokens: dict[str, str] = {}  # interaction token -> who used it
        self.authors: dict[str, str] = {}  # message id -> who wrote it
        self._ids = itertools.count(900000000000000001)

    async def start(self, u: str, persona: str = "double-billing") -> None:
        self.threads.setdefault(u, []).append(await self.bot.start(USERS[u], persona))
        self.tokens.update({r.path.split("/")[3]: u for r in self.fake.requests if "/interactions/" in r.path
                            and r.path.split("/")[3] not in self.tokens})
        await settle(lambda: len(self.fake.requests))

    start_again = start

    async def say(self, u: str, text: str, *, owner: str | None = None, message_id: str | None = None) -> None:
        thread = self.threads[owner or u][-1]
        mid = int(message_id) if message_id else next(self._ids)
        self.authors[str(mid)] = u
        await self.fake.say(USERS[u], thread, text, message_id=mid)
        await settle(lambda: len(self.fake.requests))

    async def _slash(self, u: str, sub: str) -> None:
        self.tokens[await self.fake.slash(USERS[u], sub, self.threads[u][-1])] = u
        # a debrief waits for its charts (drawn in a worker thread, slower under load)
        await settle(lambda: len(self.fake.requests), quiet=DEBRIEF_QUIET if sub == "end" else 0.15)

    async def hint(self, u: str) -> None:
        await self._slash(u, "hint")

    async def end(self, u: str) -> None:
        await self._slash(u, "end")

    async def sweep(self) -> None:
        await self.bot.front.handler.sweep(self.bot.front.outbox())
        await settle(lambda: len(self.fake.requests), quiet=DEBRIEF_QUIET)

    def refuse_answers(self) -> None:
        self.fake.refuse_posts = lambda channel, body: (body.get("content") or "").startswith("**Dana Whitfield:**")

    def seen(self, u: str) -> list[str]:
        mine = {str(t) for t in self.threads.get(u, [])}
        kinds = []
        for r in self.fake.requests:
            if r.sent is None or r.status >= 300:
                continue
            parts = r.path.split("/")
            body = r.sent
            content = body.get("content") or ""
            if "/interactions/" in r.path or "/webhooks/" in r.path:
                token = next((p for p in parts if p in self.tokens), None)
                if self.tokens.get(token) != u or "is ready" in content or content.startswith("Session ended."):
                    continue
                kinds.append("hint" if content.startswith("💡") else "note")
            elif r.method == "POST" and len(parts) > 3 and parts[1] == "channels" and parts[3] == "messages":
                ref = body.get("message_reference")
                if ref:  # a note answering someone's message
                    if self.authors.get(str(ref["message_id"])) == u:
                        kinds.append("note")
                    continue
                if parts[2] not in mine:
                    continue
                titles = [e.get("title", "") for e in body.get("embeds") or []]
                if any(t.startswith("Practice") for t in titles):
                    kinds.append("opened")
                elif any(t.startswith("Debrief") for t in titles) or content.startswith("**Debrief"):
                    kinds.append("debrief")
                elif content.startswith("💡"):
                    kinds.append("hint")
                elif content.startswith("**") and not self._is_opening_line(r):
                    kinds.append("customer")
        return kinds

    def _is_opening_line(self, r) -> bool:
        """The customer's first line, posted right after the brief: part of the opening."""
        i = self.fake.requests.index(r)
        prev = [q for q in self.fake.requests[:i] if q.path == r.path and q.method == "POST" and q.status < 300]
        return bool(prev) and any((e.get("title") or "").startswith("Practice") for e in prev[-1].sent.get("embeds") or [])


DEBRIEF_QUIET = 0.8  # seconds of no requests before a Discord debrief (its charts drawn first) counts as absent


async def eventually(look, settled_after: float = 0.3, limit: float = 10.0):
    """What `look()` shows once it has stopped changing for `settled_after` seconds (a debrief
    that waits for its charts may come after the quiet window `settle` allows, under load)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    last, since = look(), loop.time()
    while loop.time() < deadline:
        await asyncio.sleep(0.02)
        now = look()
        if now != last:
            last, since = now, loop.time()
        elif loop.time() - since >= settled_after and "debrief" in now:
            break
    return last


async def settle(activity, quiet: float = 0.15, limit: float = 5.0) -> None:
    """Wait until the front end has stopped doing things: nothing new for `quiet` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    last, since = activity(), loop.time()
    while loop.time() < deadline:
        await asyncio.sleep(0.02)
        now = activity()
        if now != last:
            last, since = now, loop.time()
        elif loop.time() - since >= quiet:
            return


@pytest.fixture(params=["console", "slack", "discord"])
async def front(request, service, db, monkeypatch, fake, slack_env):  # noqa: F811
    if request.param == "console":
        yield ConsoleDriver(service)
    elif request.param == "slack":
        async with serving(SlackFrontEnd.from_env(http=True, port=0), service) as app, \
                aiohttp.ClientSession() as http:
            yield SlackDriver(Slack(app, fake, http))
    else:
        async with running(service, db, monkeypatch) as bot:
            yield DiscordDriver(bot)


def applies(front, scenario: str) -> None:
    if scenario not in front.kinds:
        pytest.skip(f"{type(front).__name__} has no {scenario.replace('_', ' ')}")


def stored(db: Path, sql: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


# -- the scenarios ------------------------------------------------------------------------------
async def test_start_reply_hint_end(front, db) -> None:
    applies(front, "play")
    await front.start("U1")
    await front.say("U1", LINE)
    await front.hint("U1")
    await front.end("U1")
    assert front.seen("U1") == ["opened", "customer", "hint", "debrief"]
    assert stored(db, "SELECT status, end_reason, (SELECT count(*) FROM turns), (SELECT count(*) FROM hints)"
                      " FROM sessions") == [("ended", "ended", 1, 1)]


async def test_a_line_after_the_idle_limit_gets_a_note_then_the_debrief(front, db, clock) -> None:
    applies(front, "timeout")
    await front.start("U1")
    await front.say("U1", LINE)
    clock.advance(601)
    await front.say("U1", "Sorry, I'm back.")
    assert await eventually(lambda: front.seen("U1")) == ["opened", "customer", "note", "debrief"]
    assert stored(db, "SELECT end_reason, (SELECT count(*) FROM turns) FROM sessions") == [("timed_out", 1)]


async def test_starting_over_after_going_idle_shows_the_old_debrief_first(front, db, clock) -> None:
    applies(front, "start_over")
    await front.start("U1")
    await front.say("U1", LINE)
    clock.advance(601)
    await (front.start_again("U1", "late-delivery") if hasattr(front, "start_again") else front.start("U1", "late-delivery"))
    assert await eventually(lambda: front.seen("U1")) == ["opened", "customer", "debrief", "opened"]
    assert stored(db, "SELECT persona_id, status FROM sessions ORDER BY id") == [
        ("double-billing", "ended"), ("late-delivery", "active")]


async def test_an_intruder_is_told_once_and_changes_nothing(front, db) -> None:
    applies(front, "intruder")
    await front.start("U1")
    await front.say("U2", "Calm down, it's not a big deal.", owner="U1")
    await front.say("U2", "Hello?", owner="U1")
    assert front.seen("U2") == ["note"]
    assert front.seen("U1") == ["opened"]
    assert stored(db, "SELECT count(*) FROM turns") == [(0,)]


async def test_a_message_delivered_twice_counts_once(front, db) -> None:
    applies(front, "duplicate")
    await front.start("U1")
    await front.say("U1", LINE, message_id="1800000200000001")
    await front.say("U1", LINE, message_id="1800000200000001")
    assert front.seen("U1") == ["opened", "customer"]
    assert stored(db, "SELECT count(*) FROM turns") == [(1,)]


async def test_an_answer_the_platform_refuses_is_told_as_saved(front, db) -> None:
    applies(front, "refused")
    await front.start("U1")
    front.refuse_answers()
    await front.say("U1", LINE)
    assert front.seen("U1") == ["opened", "note"]
    assert stored(db, "SELECT count(*) FROM turns") == [(1,)]  # the turn stands


async def test_the_idle_sweep_posts_the_debrief_where_the_session_lived(front, db, clock) -> None:
    applies(front, "sweep")
    await front.start("U1")
    await front.say("U1", LINE)
    clock.advance(601)
    await front.sweep()
    assert front.seen("U1") == ["opened", "customer", "debrief"]
    assert stored(db, "SELECT end_reason FROM sessions") == [("timed_out",)]


def test_adapters_hold_no_conversation_logic() -> None:
    """Session rules live in the service and the handler; an adapter that catches a session
    error has started a second copy of them."""
    rules = re.compile(r"\b(NoActiveSession|NotYourSession|AlreadyApplied|AlreadyPractising|BadMessage|StoreError"
                       r"|SessionTimedOut|SessionAlreadyEnded|sweep_idle|in_thread_word|InOrder)\b")
    adapters = Path(__file__).resolve().parents[1] / "bot" / "frontends"
    found = [f"{f.relative_to(adapters)}:{n}: {line.strip()}"
             for sub in ("console", "slack", "discord") for f in sorted((adapters / sub).glob("*.py"))
             for n, line in enumerate(f.read_text().splitlines(), 1) if rules.search(line)]
    assert found == []

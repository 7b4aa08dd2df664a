"""The one conversation handler every front end drives: payloads in, events out.

Console, Slack and Discord adapters translate what arrived into a call here and hand over
a `Port` to show the events through. Everything between is the same for all of them:

* dedupe: a platform message delivered twice (a Slack retry, a gateway replay) counts once;
* order: what is shown in one conversation reads in the order it happened (a rate-limited
  answer never lands after the next one or after the debrief), keyed by session;
* notes: every failure becomes one private `Note` (or, where speaking up would intrude,
  silence), and a result the platform refused to show is told as such, never as "not applied".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from typing import AsyncIterator, Awaitable, Callable, Hashable

from bot.core.errors import AlreadyApplied, NoActiveSession, NotYourSession
from bot.core.events import NO_SESSION, NOT_YOURS, Event, Note, Who
from bot.core.service import HotseatService
from bot.frontends.chat_commands import in_thread_word
from bot.frontends.dedupe import SeenIds
from bot.frontends.notes import START_BROKE, error_note, lost
from bot.frontends.port import Port

log = logging.getLogger(__name__)


class InOrder:
    """One lock per key. Weak: a conversation nobody is posting in costs no memory."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[Hashable, asyncio.Lock] = weakref.WeakValueDictionary()

    @contextlib.asynccontextmanager
    async def __call__(self, key: Hashable) -> AsyncIterator[None]:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            yield


class ConversationHandler:
    """Start, play, hint, end and sweep conversations for one front end."""

    def __init__(self, service: HotseatService) -> None:
        self.service = service
        self._seen = SeenIds()  # platform message ids already handled
        self._told = SeenIds(ttl=24 * 3600)  # (session, user) intruders already told once
        self._in_order = InOrder()

    # -- what a trainee does -----------------------------------------------------------------
    async def start(self, who: Who, port: Port, persona_id: str | None = None, *, avoid: str | None = None) -> bool:
        """Start a conversation and show it; whether one is now running.

        If the port cannot show the opening, the session is rolled back and the trainee is
        told why (the port's own HotseatError says how to fix it, like inviting the bot).
        """
        try:
            async with self.service.start(who, persona_id, avoid=avoid) as starting:
                for event in starting.events:
                    if event is starting.opened:
                        await port.open(event, starting.at)  # a refusal here undoes the start
                    else:  # a debrief this start settled (an idle session here): shown first
                        await self._show(port, (event,))
            return True
        except Exception as exc:
            await self._tell(port, error_note(exc, broke=START_BROKE))
            return False

    async def message(
        self, who: Who, text: str, port: Port, *, thread: str | None = None, source: str | None = None
    ) -> None:
        """A trainee's line in a conversation: a turn, or `hint` / `end` typed alone.

        With `thread`, only the session living there is meant; a thread that holds none is
        not ours to talk in, so that stays silent. Without one (a DM, the console), the
        trainee's session in the channel is, and having none is worth saying.
        """
        if source is not None and not self._seen.first_time((who.workspace, who.channel, source)):
            return
        word = in_thread_word(text)
        if word == "hint":
            call = lambda: self.service.hint(who, thread=thread)  # noqa: E731
        elif word == "end":
            call = lambda: self.service.end(who, thread=thread)  # noqa: E731
        else:
            call = lambda: self.service.reply(who, text, thread=thread, source=source)  # noqa: E731
        await self._act(who, port, thread, call)

    async def hint(self, who: Who, port: Port, *, thread: str | None = None) -> None:
        await self._act(who, port, thread, lambda: self.service.hint(who, thread=thread), speak_up=True)

    async def end(self, who: Who, port: Port, *, thread: str | None = None) -> None:
        await self._act(who, port, thread, lambda: self.service.end(who, thread=thread), speak_up=True)

    # -- what nobody asked for ---------------------------------------------------------------
    async def sweep(self, port: Port, *, idle: bool = True) -> int:
        """End idle sessions (with `idle`; another process may be the one doing that) and show
        their debriefs where they lived; how many were shown. One failed post never stops
        the others."""
        shown = 0
        for ended in await self.service.sweep_idle(idle=idle):
            async with self._in_order(ended.session_id):
                try:
                    await port.send(ended)
                    shown += 1
                except Exception:
                    log.warning("could not post the debrief of session %s", ended.session_id, exc_info=True)
        return shown

    # -- internals ---------------------------------------------------------------------------
    async def _act(
        self, who: Who, port: Port, thread: str | None, call: Callable[[], Awaitable[tuple[Event, ...]]],
        *, speak_up: bool = False,
    ) -> None:
        """Run one service call in its conversation's order and show what it returns.

        `speak_up`: a command (hint, end) asked of a thread with no session deserves an
        answer, where a stray message in someone's thread does not.

        Two locks, in this order: the conversation's address, taken before anything awaits,
        keeps lines in the order they arrived (a store with a connection pool may answer the
        second line's lookup first); the session's, which the idle sweep shares.
        """
        address = ("at", who.workspace, thread) if thread is not None else ("at", who.workspace, who.channel, who.user)
        async with self._in_order(address):
            try:
                session = await self.service.locate(who, thread)
            except Exception as exc:
                await self._refused(exc, who, port, thread, None, speak_up)
                return
            async with self._in_order(session):
                try:
                    events = await call()
                except Exception as exc:
                    await self._refused(exc, who, port, thread, session, speak_up)
                    return
                await self._show(port, events)

    async def _refused(
        self, exc: BaseException, who: Who, port: Port, thread: str | None, session: int | None, speak_up: bool
    ) -> None:
        if isinstance(exc, AlreadyApplied):
            return  # delivered again (a retry after a restart): it counted once
        if isinstance(exc, NoActiveSession):
            if thread is None or speak_up:
                await self._tell(port, Note(str(exc), NO_SESSION))
            return  # not a practice thread, or one that has ended: stay out of it
        if isinstance(exc, NotYourSession):
            if self._told.first_time((session, who.user)):
                await self._tell(port, Note(str(exc), NOT_YOURS))
            return
        await self._tell(port, error_note(exc))

    async def _show(self, port: Port, events: tuple[Event, ...]) -> None:
        """Each event in turn; one the platform refuses is logged and, where the trainee
        would miss it, noted, and the rest still go out."""
        for i, event in enumerate(events):
            try:
                await port.send(event)
            except Exception:
                log.warning("could not show %s", type(event).__name__, exc_info=True)
                note = lost(event, events[i + 1:])
                if note is not None:
                    await self._tell(port, note)

    async def _tell(self, port: Port, note: Note) -> None:
        try:
            await port.send(note)
        except Exception:  # the platform is refusing everything: nothing left to tell
            log.warning("could not deliver a note: %s", note.why, exc_info=True)


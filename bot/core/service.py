"""The platform-neutral service every front end calls: start, reply, hint, end, history,
personas (the leaderboards are bot/core/progress.py).

Front ends (console, Slack, Discord) translate their events into these calls and render
the results; all conversation rules live here and below. Each conversation has its own
lock, so messages for one session apply strictly in arrival order while different
sessions run side by side, and sessions are loaded from the store side by side too.

A conversation's final turn and its ending are saved in one transaction, so a crash never
leaves a conversation over with its session open. A session found that way on load (a
database written before that, or a persona whose turn cap was lowered) is ended as it
ended, and its debrief goes to the next message, `end`, `start` or idle sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable, Sequence, TypeVar

from bot.debrief import coaching
from bot.core import engine
from bot.classifier import classify
from bot.core.engine import Conversation
from bot.core.errors import AlreadyApplied, AlreadyPractising, HotseatError, NoActiveSession, NotYourSession
from bot.persona.library import Library
from bot.persona.offers import overpromises
from bot.core.events import (
    ALREADY_ENDED, TIMED_OUT, CustomerSaid, Ended, Event, HintGiven, Note, Opened, Who,
)
from bot.core.records import Hint, Turn
from bot.persona.records import Persona
from bot.debrief.scoring import Debrief, Played, score
from bot.store.records import ActiveSessionExists, Closing, DuplicateTurn, SessionNotActive, SessionRecord, StaleSession
from bot.store.sqlite import Store
from bot.core.text import MAX_MESSAGE_CHARS, clean_message

log = logging.getLogger(__name__)
T = TypeVar("T")
STALE_RETRIES = 5  # a step redone on a fresh read this often before the trainee is asked to resend

PERIODS: dict[str, float | None] = {"week": 7 * 86400.0, "month": 30 * 86400.0, "all": None}


@dataclass(frozen=True, slots=True)
class SessionView:
    """An active session as a front end shows it on resume."""

    session_id: int
    persona: Persona
    state: str
    mood: int
    turns: int
    last_customer: str


@dataclass(frozen=True, slots=True)
class PastSession:
    session_id: int
    persona_id: str
    persona_name: str
    status: str
    outcome: str | None
    score: int | None
    turns: int
    started_at: float
    dimensions: dict[str, int] | None = None  # the six dimension scores, once scored


def _timed_out(ended: Ended, idle_timeout: float) -> str:
    return (
        f"Your session with {ended.persona.name} had been idle for over {int(idle_timeout // 60)} minutes, "
        "so it ended before this message. Here is your debrief; start a new one any time."
    )


def _already_ended(ended: Ended) -> str:
    return (
        f"Your conversation with {ended.persona.name} had already ended, so this message was not "
        "applied. Here is your debrief; start a new one any time."
    )


class Starting:
    """A session being started: its events to show, and `at()` to give it a place."""

    def __init__(self, service: "HotseatService", live: "_Live", events: tuple[Event, ...], opened: Opened) -> None:
        self._service = service
        self._live = live
        self.events = events
        self.opened = opened

    @property
    def session_id(self) -> int:
        return self.opened.session_id

    async def at(self, thread: str) -> None:
        """The conversation lives in `thread` (a Slack thread, a Discord thread) from now on;
        messages there are its turns, even while the opening is still being shown."""
        await self._service._place(self._live, thread)


@dataclass(slots=True)
class _Live:
    record: SessionRecord
    persona: Persona
    conv: Conversation
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    hints: int = 0
    last_customer: str = ""


class HotseatService:
    def __init__(
        self,
        store: Store,
        library: Library,
        *,
        idle_timeout: float = 30 * 60,
        max_turns: int = 40,
        max_message_chars: int = MAX_MESSAGE_CHARS,
        clock: Callable[[], float] = time.time,
        min_sessions: int = 3,
        platform: str = "console",
        late_window: float = 10 * 60,
    ) -> None:
        self.store = store
        self.platform = platform  # stamped on sessions; the idle sweep takes only these
        self.library = library
        self.idle_timeout = idle_timeout
        self.max_turns = max_turns
        self.max_message_chars = max_message_chars
        self.min_sessions = min_sessions
        self.clock = clock
        self.late_window = late_window  # how long after its end a message still gets the debrief
        self._live: dict[int, _Live] = {}
        self._active: dict[tuple[str, str, str], int] = {}
        self._threads: dict[tuple[str, str], int] = {}  # (workspace, thread) -> live session id
        # One lock per session being loaded, so loads never wait on each other's reads (a
        # restart under load resumes every session at once); weak, so idle ones cost nothing.
        self._loading: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        # Endings of sessions found over on load that no front end has been handed yet,
        # with the platform that owns them (the sweep posts only its own).
        self._owed: dict[int, tuple[Ended, str]] = {}
        # Every ending this process makes goes straight to a front end; one made before it
        # started may have died with the process that made it, so a late message gets it,
        # once: these are the ones handed out so. Few, as only the late window's count.
        self._started = clock()
        self._given_late: set[int] = set()

    # -- personas -------------------------------------------------------------------
    def personas(self) -> list[Persona]:
        return self.library.sorted()

    def swap_library(self, library: Library) -> Library:
        """Put a reloaded set of personas in place in one step; the one replaced is returned.

        Only new starts (and sessions loaded from the store from now on) see it: a live
        session holds the Persona it started with, so a trainer's edit never changes a
        conversation under a trainee's feet.
        """
        old, self.library = self.library, library
        return old

    # -- start ----------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def start(
        self, who: Who, persona_id: str | None = None, *, seed: int | None = None, avoid: str | None = None,
    ) -> AsyncIterator[Starting]:
        """Begin a conversation, as one step: inside the block the front end shows `events`
        (a debrief this start settled, then `Opened`) and gives the conversation its place
        with `at()`; if the block fails, the session is discarded as if never started (no
        phantom in history, free to retry at once).

        Without a persona, a random one, other than `avoid` (for "another persona") where
        there is a choice. A session of this trainee's here that idled out ends first; one
        still live refuses the start.
        """
        if seed is None:
            seed = secrets.randbelow(2**31)
        persona = self.library.get(persona_id) if persona_id else self.library.pick(random.Random(seed), None, avoid)
        before: list[Event] = []
        try:
            existing = await self._find_live(who)
        except HotseatError:  # its persona is gone: it can never be played, so it must not block this
            existing = None
            stuck = await self.store.find_active(who.workspace, who.channel, who.user)
            if stuck is not None:
                await self.store.close_unplayable(stuck.id, self.clock())
        if existing is not None and existing.record.status == "active":
            async with existing.lock:
                if existing.record.status == "active" and self._idle(existing):
                    before.append(
                        await self._finish(existing, existing.conv.pending or "unfinished", "timed_out", "start_over")
                    )
        if not before:  # a session here found over on load: its debrief comes first
            before.extend(self._take_owed(who))
        conv, line = engine.begin(persona, seed)
        try:
            record = await self.store.create_session(
                workspace=who.workspace, channel=who.channel, user=who.user, user_name=who.user_name or who.user,
                persona_id=persona.id, seed=seed, engine=conv.to_dict(), now=self.clock(), platform=self.platform,
            )
        except ActiveSessionExists:
            live = await self._find_live(who)
            name = live.persona.name if live else "a customer"
            raise AlreadyPractising(
                f"You are already in a conversation with {name} here. Reply to them, ask for a hint, "
                "or end it before starting another."
            ) from None
        record.engine = {}  # the live Conversation is the truth from here on
        live = _Live(record, persona, conv, last_customer=line)
        self._live[record.id] = live
        self._active[(who.workspace, who.channel, who.user)] = record.id
        opened = Opened(record.id, persona, line, conv.mood, conv.state, who)
        starting = Starting(self, live, (*before, opened), opened)
        async with live.lock:  # the first line waits until the opening is shown
            try:
                yield starting
            except BaseException:
                if await self.store.discard_session(record.id):
                    live.record.status = "ended"
                    self._forget(live)
                raise

    async def _place(self, live: _Live, thread: str) -> None:
        """Remember where a front end put the conversation (a Slack thread, a Discord thread)."""
        await self.store.set_thread(live.record.id, thread)
        live.record.thread = thread
        self._threads[(live.record.workspace, thread)] = live.record.id

    # -- reply ----------------------------------------------------------------------
    async def reply(
        self, who: Who, text: str, *, thread: str | None = None, source: str | None = None
    ) -> tuple[Event, ...]:
        """Apply one trainee message: the customer's answer, and the debrief if that ended it.

        Several processes may serve one database: a session another process changed since
        this one read it is read again and the message applied to it as it now stands.

        With `thread`, the message belongs to the session living in that thread, and
        only the trainee who started it may play. With `source` (the platform's message
        id), a message delivered again raises AlreadyApplied and changes nothing, even
        after a restart or from another process.

        A session idle past the limit ends before the message instead (a note, then its
        debrief). A message from the trainee for a session that ended moments ago, whose
        debrief this process has not handed out (a crash may have kept it from being
        posted), gets that debrief rather than "no conversation running".
        """
        return await self._afresh(self._reply, who, text, thread, source)

    async def _reply(self, who: Who, text: str, thread: str | None, source: str | None) -> tuple[Event, ...]:
        live = await self._require_live(who, thread, recent=True)
        late = await self._late_ending(live, who)
        if late is not None:
            return Note(_already_ended(late), ALREADY_ENDED), late
        self._check_playable(live, who)  # only the session's own trainee hears what is wrong with a message
        text = clean_message(text, self.max_message_chars)
        async with live.lock:
            self._check_playable(live, who)
            if self._idle(live):
                ended = await self._finish(live, live.conv.pending or "unfinished", "timed_out", "timeout")
                return Note(_timed_out(ended, self.idle_timeout), TIMED_OUT), ended
            detections = tuple(classify(text))
            labels = frozenset(d.label for d in detections)
            step = engine.step(live.persona, live.conv, labels, text)
            work = step.conversation  # adopted only once saved
            turn = Turn(work.turn, text, detections, step.customer, step.state, step.mood)
            over = self._over(work.outcome, work.turn, work.closing)
            closing = debrief = None
            if over is not None:  # scored first, so the last turn and the ending commit together
                debrief = await self._score(live, over[0], extra=turn, conv=work)
                closing = Closing(over[0], over[1], debrief.to_dict(), debrief.score)
            now = self.clock()
            try:
                await self.store.record_turn(
                    live.record.id, turn, work.to_dict(), now, source, closing=closing, version=live.record.version,
                )
            except DuplicateTurn:  # checked in the turn's own transaction: no extra read per turn
                raise AlreadyApplied("That message was already answered.") from None
            except StaleSession:
                self._forget(live)
                raise
            live.record.version += 1
            live.conv = work
            live.record.updated_at = now
            live.last_customer = step.customer
            said = CustomerSaid(live.record.id, live.persona, turn, step.customer, step.state, step.mood)
            if over is None:
                return (said,)
            return said, self._ended(live, over[0], over[1], debrief, now, "reply")

    # -- hint -----------------------------------------------------------------------
    async def hint(self, who: Who, *, thread: str | None = None) -> tuple[Event, ...]:
        """A coaching tip for this moment of the conversation; it is recorded and costs points."""
        return await self._afresh(self._hint, who, thread)

    async def _hint(self, who: Who, thread: str | None) -> tuple[Event, ...]:
        live = await self._require_live(who, thread)
        async with live.lock:
            self._check_playable(live, who)
            if self._idle(live):
                ended = await self._finish(live, live.conv.pending or "unfinished", "timed_out", "timeout")
                return Note(_timed_out(ended, self.idle_timeout), TIMED_OUT), ended
            conv = live.conv
            text = coaching.hint_for(conv.counts, conv.mood, conv.last, engine.state_hint(live.persona, conv))
            try:
                await self.store.record_hint(
                    live.record.id, Hint(conv.turn, text), conv.to_dict(), self.clock(), version=live.record.version,
                )
            except StaleSession:
                self._forget(live)
                raise
            live.record.version += 1
            live.hints += 1
            return (HintGiven(live.record.id, text, live.hints),)

    # -- end ------------------------------------------------------------------------
    async def end(self, who: Who, *, thread: str | None = None) -> tuple[Event, ...]:
        """The trainee stops; the debrief scores what happened so far.

        For a session that had already ended moments ago without its debrief reaching the
        trainee (see `reply`), that debrief, as it ended.
        """
        return await self._afresh(self._end, who, thread)

    async def _end(self, who: Who, thread: str | None) -> tuple[Event, ...]:
        live = await self._require_live(who, thread, recent=True)
        late = await self._late_ending(live, who)
        if late is not None:
            return (late,)
        async with live.lock:
            self._check_playable(live, who)
            # Ending during the wrap-up after the customer accepted keeps the outcome reached.
            return (await self._finish(live, live.conv.pending or "unfinished", "ended", "end"),)

    async def drop(self, who: Who) -> bool:
        """Discard the trainee's session here if nothing was played in it (no line, no hint),
        as when they decline to resume one they only opened: no 0/100 row in history.
        Whether it went; a played session stays, to be ended and scored."""
        live = await self._find_live(who)
        if live is None:
            return False
        async with live.lock:
            if live.record.status != "active" or live.conv.turn or live.hints:
                return False
            if not await self.store.discard_session(live.record.id):
                return False
            live.record.status = "ended"
            self._forget(live)
            return True

    async def locate(self, who: Who, thread: str | None = None) -> int:
        """The id of the session a message from `who` (in `thread`) is for, live or recently
        ended; NoActiveSession if none. Front ends key their posting order on it."""
        return (await self._require_live(who, thread, recent=True)).record.id

    async def current(self, who: Who) -> SessionView | None:
        live = await self._find_live(who)
        if live is None or live.record.status != "active":
            return None
        return SessionView(
            live.record.id, live.persona, live.conv.state, live.conv.mood, live.conv.turn,
            live.last_customer or live.conv.opening,
        )

    async def sweep_idle(self, *, idle: bool = True) -> list[Ended]:
        """End this platform's sessions idle past the limit; front ends call this now and then.

        Sessions whose conversation is over but which are still open (left by a crash before
        the final turn and the ending were one transaction) end now, idle or not, as they
        ended, and their debriefs are returned with the rest, like those of sessions found
        that way by a hint or a resume prompt that had nowhere to post them.

        One session that fails (a vanished persona, a database hiccup) is logged and skipped:
        the others still end, and every ending already made is returned to be posted.

        `idle` False: only those owed endings, for a process that leaves idle sessions to the
        one process sweeping them.
        """
        endings = []
        cutoff = self.clock() - self.idle_timeout
        for record in await self.store.active_sessions(self.platform) if idle else ():
            engine_state = record.engine
            over = self._over(engine_state.get("outcome"), int(engine_state.get("turn", 0)), engine_state.get("closing"))
            if record.updated_at >= cutoff and over is None:
                continue
            try:
                live = await self._load(record)  # ends an over one, as it ended
            except HotseatError as e:
                log.warning("session %s cannot be played any more (%s); closing it unscored", record.id, e)
                await self.store.close_unplayable(record.id, self.clock())
                continue
            except Exception:
                log.exception("could not load session %s; will try again", record.id)
                continue
            try:
                async with live.lock:
                    if live.record.status == "active" and self._idle(live):
                        endings.append(await self._finish(live, live.conv.pending or "unfinished", "timed_out", "sweep"))
            except StaleSession:  # played elsewhere meanwhile, so not idle: the next sweep reads it afresh
                log.info("session %s changed in another process; not ending it now", record.id)
            except Exception:
                log.exception("could not end idle session %s; will try again", record.id)
        for session_id, (ending, platform) in list(self._owed.items()):
            if platform == self.platform:
                del self._owed[session_id]
                endings.append(ending)
        return endings

    def missed_too_long_ago(self, sent_at: float) -> bool:
        """A line written while Hotseat was down is not applied once it is older than the idle
        timeout: the conversation would have timed out had Hotseat been running."""
        return self.clock() - sent_at > self.idle_timeout

    # -- history and debriefs -------------------------------------------------------
    async def history(self, workspace: str, user: str, limit: int = 10) -> list[PastSession]:
        out = []
        limit = max(1, min(limit, 100))
        records = await self.store.history(workspace, user, limit=limit)
        dims = {s.session_id: s.dimensions for s in await self.store.scores(workspace, user, limit=limit)}
        for r in records:
            p = self.library.personas.get(r.persona_id)
            out.append(
                PastSession(
                    r.id, r.persona_id, p.name if p else r.persona_id, r.status, r.outcome, r.score,
                    int(r.engine.get("turn", 0)), r.started_at, dims.get(r.id),
                )
            )
        return out

    async def debrief(self, workspace: str, session_id: int, viewer: str, *, any_trainee: bool = False) -> Ended:
        """A finished session's debrief as it was given, to read again (cause "reread").

        Trainees read their own; `any_trainee` (a lead) reads anyone's in the workspace. A
        session of another workspace reads as missing, so ids cannot be probed across teams.
        """
        record = await self.store.get_session(session_id)
        if record is None or record.workspace != workspace:
            raise HotseatError(f"There is no session {session_id} here. `history` lists yours with their ids.")
        if record.user != viewer and not any_trainee:
            raise NotYourSession("That session is someone else's; only leads can read other trainees' debriefs.")
        body = await self.store.debrief(session_id) if record.status == "ended" else None
        if body is None:
            raise HotseatError(
                "That session is still running." if record.status == "active"
                else "That session ended before anyone replied, so it has no debrief."
            )
        persona = self.library.personas.get(record.persona_id)
        if persona is None:
            raise HotseatError(f"Session {session_id} used the persona {record.persona_id!r}, which is no longer loaded.")
        try:
            debrief = Debrief.from_dict(body)
        except (KeyError, TypeError, ValueError):
            raise HotseatError(f"Session {session_id}'s debrief was saved by a version that this one cannot read.") from None
        opening = str(record.engine.get("opening", "")) if isinstance(record.engine, dict) else ""
        return Ended(
            record.id, persona, record.outcome or debrief.outcome, record.end_reason or "terminal", debrief, "reread",
            Who(record.workspace, record.channel, record.user, record.user_name), record.thread, opening,
        )

    # -- internals -------------------------------------------------------------------
    def _idle(self, live: _Live) -> bool:
        return self.clock() - live.record.updated_at > self.idle_timeout

    def _check_playable(self, live: _Live, who: Who) -> None:
        if live.record.status != "active":
            raise NoActiveSession("That conversation has already ended. Start a new one any time.")
        if live.record.user != who.user:
            raise NotYourSession(
                "This conversation belongs to another trainee, so your message was not passed on. "
                "Start your own session to practise."
            )

    async def _find_live(self, who: Who) -> _Live | None:
        key = (who.workspace, who.channel, who.user)
        sid = self._active.get(key)
        if sid is not None:
            live = self._live.get(sid)
            if live is not None and live.record.status == "active":
                return live
        record = await self.store.find_active(*key)
        if record is None:
            return None
        live = await self._load(record)
        if live.record.status == "active":  # not when the load found it over and ended it
            self._active[key] = record.id
        return live

    async def _require_live(self, who: Who, thread: str | None, *, recent: bool = False) -> _Live:
        """The session a message is for: the thread's latest, else the trainee's active one
        here. It may have ended; callers check. With `recent`, a trainee with no active
        session here gets their latest one, so a late message can be given its debrief."""
        if thread is not None:
            cached = self._live.get(self._threads.get((who.workspace, thread), -1))
            if cached is not None:
                return cached
            record = await self.store.find_by_thread(who.workspace, thread)
            if record is None:
                raise NoActiveSession("There is no practice conversation in this thread.")
            live = await self._load(record)
        else:
            live = await self._find_live(who)
            if live is None and recent:
                record = await self.store.latest_session(who.workspace, who.channel, who.user)
                if record is not None and record.status != "active":
                    try:
                        live = await self._load(record)
                    except HotseatError:  # its persona is gone: there is nothing to show
                        live = None
        if live is None:
            raise NoActiveSession("You have no conversation running here. Start one to practise.")
        return live

    async def _late_ending(self, live: _Live, who: Who) -> Ended | None:
        """The debrief owed to a message from `who` for a session that has ended, or None.

        Owed when this process found the session over on load, or when it ended within
        `late_window` before this process started: the process that ended it may have died
        before a front end posted the debrief. Endings made here were handed out as they
        were made. Handed out at most once.
        """
        r = live.record
        if r.status == "active" or r.user != who.user:
            return None
        owed = self._owed.pop(r.id, None)
        if owed is not None:
            return owed[0]
        if (
            r.id in self._given_late or r.ended_at is None or r.ended_at >= self._started
            or self.clock() - r.ended_at > self.late_window
        ):
            return None
        self._given_late.add(r.id)  # before the read: two late messages at once get it once
        body = await self.store.debrief(r.id)
        if body is None:  # closed unscored (its persona had gone): no debrief to show
            return None
        try:
            debrief = Debrief.from_dict(body)
        except (KeyError, TypeError, ValueError):
            log.warning("session %s has a debrief this version cannot read; not showing it", r.id)
            return None
        return Ended(
            r.id, live.persona, r.outcome or debrief.outcome, r.end_reason or "terminal", debrief, "restart",
            Who(r.workspace, r.channel, r.user, r.user_name), r.thread, live.conv.opening,
        )

    def _take_owed(self, who: Who) -> list[Ended]:
        """The owed ending of a session this trainee had here, if any; it is theirs now."""
        for session_id, (ending, _) in list(self._owed.items()):
            if (ending.workspace, ending.channel, ending.user) == (who.workspace, who.channel, who.user):
                del self._owed[session_id]
                return [ending]
        return []

    def _over(self, outcome: str | None, turn: int, closing: str | None = None) -> tuple[str, str] | None:
        """(outcome, end_reason) if a conversation in this state must end, else None.

        `closing` is the outcome a customer who accepted is waiting to close on: a turn cap
        reached on the acceptance leaves no turn for the wrap-up, but the outcome stands."""
        if outcome is not None:
            return outcome, "terminal"
        if turn >= self.max_turns:
            return closing or "unfinished", "turn_cap"
        return None

    async def _load(self, record: SessionRecord) -> _Live:
        """The live session for a stored one, created once even when messages race.

        Each session loads under its own lock, so a restart under load resumes everyone
        at once rather than one after another. A session found over but still open is
        ended here, as it ended; its debrief is owed to the next caller that can post it.
        """
        live = self._live.get(record.id)
        if live is not None:
            return live
        lock = self._loading.get(record.id)
        if lock is None:
            lock = self._loading[record.id] = asyncio.Lock()
        async with lock:
            live = self._live.get(record.id)
            if live is not None:
                return live
            if record.status == "active" and record.id in self._owed:
                # this process ended it after `record` was read: read it again
                record = await self.store.get_session(record.id) or record
            return await self._build(record)

    async def _build(self, record: SessionRecord) -> _Live:
        """`_load`'s work, under the session's load lock."""
        persona = self.library.personas.get(record.persona_id)
        if persona is None:
            raise HotseatError(
                f"This conversation used the persona {record.persona_id!r}, which is no longer loaded. "
                "Ask a trainer to restore it, or start a new session."
            )
        conv = Conversation.from_dict(record.engine)
        if conv.state not in persona.states:
            raise HotseatError(
                f"The persona {persona.id!r} changed since this conversation began and its state "
                f"{conv.state!r} is gone. Please start a new session."
            )
        record.engine = {}  # the live Conversation is the truth from here on
        if record.status != "active":
            return _Live(record, persona, conv, last_customer=conv.opening)  # looked at, never kept
        hints = len(await self.store.hints(record.id))
        turns = await self.store.turns(record.id) if conv.turn else []
        live = _Live(record, persona, conv, hints=hints, last_customer=turns[-1].customer if turns else conv.opening)
        over = self._over(conv.outcome, conv.turn, conv.closing)
        if over is None:
            self._live[record.id] = live
            if record.thread is not None:
                self._threads[(record.workspace, record.thread)] = record.id
            return live
        try:
            ending = await self._finish(live, *over, "restart")
        except SessionNotActive:  # another process ended it meanwhile: its ending is theirs
            fresh = await self.store.get_session(record.id)
            if fresh is None:
                raise NoActiveSession("That conversation no longer exists. Start a new one any time.") from None
            return await self._build(fresh)
        log.info("session %s was over but still open; ended it as %s (%s)", record.id, *over)
        self._owed[record.id] = (ending, record.platform)
        return live

    async def _afresh(self, step: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run `step`; if another process changed the session first (StaleSession, which has
        already dropped this process's copy), run it again on the session as stored now."""
        for _ in range(STALE_RETRIES - 1):
            try:
                return await step(*args)
            except StaleSession:
                log.debug("session changed in another process; reading it again")
        return await step(*args)

    def _forget(self, live: _Live) -> None:
        """An ended session leaves memory; the store keeps it."""
        key = (live.record.workspace, live.record.channel, live.record.user)
        if self._active.get(key) == live.record.id:
            del self._active[key]
        if live.record.thread is not None:
            self._threads.pop((live.record.workspace, live.record.thread), None)
        self._live.pop(live.record.id, None)

    async def _score(
        self, live: _Live, outcome: str, *, extra: Turn | None = None, conv: Conversation | None = None,
        waited: bool = False,
    ) -> Debrief:
        """The debrief of the session's stored turns and hints (plus `extra`, a last turn not
        saved yet, so it can be saved with its ending, and `conv`, the conversation after it).

        Offers of what the persona's policy forbids are flagged; closing is scored only if
        the trainee had a chance to close: a turn followed the customer's acceptance, or the
        conversation waited for one (`waited`: ended by the trainee or the idle timeout
        during the wrap-up), or it ended otherwise. Only the turn cap on the acceptance
        itself leaves no chance.
        The turn-by-turn timeline replays the engine for what it counted on each turn."""
        from bot.debrief.timeline import engine_counts  # local: only scoring needs it

        rid = live.record.id
        turns = await self.store.turns(rid)
        hints = await self.store.hints(rid)
        if extra is not None:
            turns.append(extra)
        accepted = (conv or live.conv).accepted_turn
        chance = waited or not (outcome == "resolved" and accepted is not None and turns and accepted >= turns[-1].index)
        return score(Played(
            live.persona.id, live.persona.difficulty, outcome, turns, hints,
            mood_start=live.persona.mood_start,
            overpromises=overpromises(live.persona, turns), chance_to_close=chance,
            weights=live.persona.weights,
            counts_before=engine_counts(live.persona, (conv or live.conv).seed, turns),
        ))

    async def _finish(self, live: _Live, outcome: str, end_reason: str, cause: str) -> Ended:
        """End a session with no new turn (end, timeout, found over on load)."""
        debrief = await self._score(live, outcome, waited=end_reason in ("ended", "timed_out"))
        now = self.clock()
        try:
            await self.store.finish_session(
                live.record.id, outcome=outcome, end_reason=end_reason, engine=live.conv.to_dict(),
                debrief=debrief.to_dict(), score=debrief.score, now=now, version=live.record.version,
            )
        except StaleSession:
            self._forget(live)
            raise
        live.record.version += 1
        return self._ended(live, outcome, end_reason, debrief, now, cause)

    def _ended(self, live: _Live, outcome: str, end_reason: str, debrief: Debrief, now: float, cause: str) -> Ended:
        """Mark a saved ending on the live session, let it leave memory, describe it."""
        r = live.record
        r.status = "ended"
        r.outcome = outcome
        r.end_reason = end_reason
        r.score = debrief.score
        r.ended_at = now
        self._forget(live)
        who = Who(r.workspace, r.channel, r.user, r.user_name)
        return Ended(r.id, live.persona, outcome, end_reason, debrief, cause, who, r.thread, live.conv.opening)


def transcript_turns(turns: Sequence[Turn]) -> list[dict]:
    """Turns as plain dicts, the shape `simulate --json` prints."""
    return [
        {"trainee": t.trainee, "labels": t.labels, "customer": t.customer, "state": t.state, "mood": t.mood}
        for t in turns
    ]

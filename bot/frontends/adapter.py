"""The contract every chat front end (Slack, Discord) implements, and the loop that runs one.

A front end translates platform events into service calls and renders what comes back;
it holds no conversation rules. What all of them share lives here: turning any failure
into words a trainee can act on, and the idle sweep that posts debriefs nobody asked for.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import weakref
from typing import AsyncIterator, ClassVar, Hashable

from bot.core.errors import HotseatError
from bot.core.service import Ending, HotseatService
from bot.store.sqlite import StoreError

log = logging.getLogger(__name__)

SWEEP_EVERY = 60.0  # seconds between idle sweeps; sessions idle for 30 minutes end within a minute

SOMETHING_BROKE = (
    "Sorry, something went wrong on Hotseat's side and your message was not applied. "
    "Your conversation so far is saved; please try again in a moment."
)
STORE_BROKE = (
    "Hotseat cannot reach its database right now, so your message was not applied. "
    "Please tell whoever runs Hotseat; your earlier turns are safe."
)


def user_error(exc: BaseException) -> str:
    """What to tell the trainee about a failure; the full story goes to the log, never to chat."""
    if isinstance(exc, StoreError):
        log.error("store error: %s", exc)
        return STORE_BROKE
    if isinstance(exc, HotseatError):
        return str(exc)
    log.exception("unexpected error in a front end handler", exc_info=exc)
    return SOMETHING_BROKE


class InOrder:
    """One lock per conversation, so what is posted there reads in the order it happened
    (a rate-limited answer never lands after the next one or the debrief). Weak: a
    conversation nobody is posting in costs no memory, however many threads pass by."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[Hashable, asyncio.Lock] = weakref.WeakValueDictionary()

    @contextlib.asynccontextmanager
    async def __call__(self, key: Hashable) -> AsyncIterator[None]:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            yield


class FrontEnd(abc.ABC):
    """One chat platform. Subclasses own their connection and render the service's results."""

    name: ClassVar[str]

    def __init__(self, service: HotseatService) -> None:
        self.service = service

    @property
    def secrets(self) -> tuple[str, ...]:
        """Tokens this front end holds, so the log filter can scrub them."""
        return ()

    @abc.abstractmethod
    async def serve(self) -> None:
        """Connect and handle events until cancelled."""

    @abc.abstractmethod
    async def deliver_ending(self, ending: Ending) -> None:
        """Post the debrief of a session that ended without a message (an idle timeout)."""

    async def close(self) -> None:
        """Release connections; called once after serve() returns or is cancelled."""


async def sweep_once(front: FrontEnd) -> int:
    """End idle sessions and post their debriefs; one failed post never stops the others."""
    delivered = 0
    for ending in await front.service.sweep_idle():
        try:
            await front.deliver_ending(ending)
            delivered += 1
        except Exception:  # a deleted channel or a platform hiccup loses one post, not the loop
            log.exception("could not post the debrief of session %s", ending.session_id)
    return delivered


async def run(front: FrontEnd, *, sweep_every: float = SWEEP_EVERY) -> None:
    """Serve `front` with the idle sweep beside it, until cancelled or the front end stops."""

    async def sweeper() -> None:
        while True:
            await asyncio.sleep(sweep_every)
            try:
                await sweep_once(front)
            except Exception:
                log.exception("idle sweep failed; will try again")

    task = asyncio.create_task(sweeper(), name=f"hotseat-{front.name}-sweeper")
    try:
        await front.serve()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await front.close()

"""The contract every chat front end (Slack, Discord) implements, and the loop that runs one.

An adapter connects, learns which installation it is (sessions are stamped with it, so
bots for several workspaces can share one database without sweeping each other's), then
serves: it turns platform payloads into ConversationHandler calls and shows the events
through ports. It holds no conversation rules.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import os
import secrets
import socket
from typing import Callable, ClassVar

from bot.core.service import HotseatService
from bot.frontends.conversation import ConversationHandler
from bot.frontends.port import Port

log = logging.getLogger(__name__)

SWEEP_EVERY = 60.0  # seconds between idle sweeps; sessions idle for 30 minutes end within a minute
SWEEP_LEASE = 2.5  # sweeps a lease lasts: a crashed sweeper is replaced within three minutes


class FrontEnd(abc.ABC):
    """One chat platform."""

    name: ClassVar[str]

    @property
    def secrets(self) -> tuple[str, ...]:
        """Tokens this front end holds, so the log filter can scrub them."""
        return ()

    @abc.abstractmethod
    async def connect(self) -> str:
        """Log in and return this installation's identity, like `slack:T123` (no events yet)."""

    @abc.abstractmethod
    async def serve(self, handler: ConversationHandler) -> None:
        """Handle platform events through `handler` until cancelled."""

    @abc.abstractmethod
    def outbox(self) -> Port:
        """A port for events nobody asked for (the idle sweep's debriefs): shown where each
        conversation lived; notes have no one to go to and are only logged."""

    async def close(self) -> None:
        """Release connections; called once after serve() returns or is cancelled."""


async def run(
    front: FrontEnd, build: Callable[[str], HotseatService], *, sweep_every: float = SWEEP_EVERY
) -> None:
    """Connect `front`, build the service for its identity, and serve it with the idle sweep
    beside it, until cancelled or the front end stops.

    With several processes on one database, one at a time sweeps idle sessions (it holds
    the platform's sweep lease, renewed every sweep); every process still posts the endings
    it found itself (sessions found over on load)."""
    try:
        handler = ConversationHandler(build(await front.connect()))
        me = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"

        async def sweeper() -> None:
            service = handler.service
            while True:
                await asyncio.sleep(sweep_every)
                try:
                    leading = await service.store.claim_lease(
                        f"sweep:{service.platform}", me, service.clock(), sweep_every * SWEEP_LEASE,
                    )
                    await handler.sweep(front.outbox(), idle=leading)
                except Exception:
                    log.exception("idle sweep failed; will try again")

        task = asyncio.create_task(sweeper(), name=f"hotseat-{front.name}-sweeper")
        try:
            await front.serve(handler)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    finally:
        await front.close()

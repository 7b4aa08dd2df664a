"""What every chat front end shares: the run loop (connect, build the service for that
installation, serve, sweep idle sessions in the background) and error wording."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.core.errors import NotYourSession
from bot.core.events import Ended, Event, Opened, Who
from bot.core.service import HotseatService
from bot.frontends import adapter as frontend
from bot.frontends import notes
from bot.frontends.conversation import ConversationHandler
from bot.store.sqlite import StoreError
from conftest import begin


class Outbox:
    """Records what it would post; one channel can be broken on purpose."""

    def __init__(self, broken_channel: str = "") -> None:
        self.posted: list[Ended] = []
        self.broken_channel = broken_channel

    async def open(self, event: Opened, at) -> None:
        raise AssertionError("nobody starts a session through the outbox")

    async def send(self, event: Event) -> None:
        assert isinstance(event, Ended)
        if event.channel == self.broken_channel:
            raise ConnectionError("channel deleted")
        self.posted.append(event)


class Recorder(frontend.FrontEnd):
    name = "recorder"

    def __init__(self) -> None:
        self.box = Outbox()
        self.serving = asyncio.Event()
        self.closed = False
        self.handler: ConversationHandler | None = None

    async def connect(self) -> str:
        return "recorder:A1"

    async def serve(self, handler: ConversationHandler) -> None:
        self.handler = handler
        self.serving.set()
        await asyncio.Event().wait()

    def outbox(self) -> Outbox:
        return self.box

    async def close(self) -> None:
        self.closed = True


async def test_the_sweep_posts_each_timed_out_debrief_where_it_lived(service, clock) -> None:
    box = Outbox(broken_channel="gone")
    await begin(service, Who("T1", "gone", "U1", "Ana"), "double-billing", thread="gone/1")
    await begin(service, Who("T1", "C2", "U2", "Bo"), "late-delivery", thread="C2/7")
    clock.advance(601)
    assert await ConversationHandler(service).sweep(box) == 1  # the broken channel lost its post, not the loop
    assert [(e.user_name, e.thread, e.end_reason, e.cause) for e in box.posted] == [("Bo", "C2/7", "timed_out", "sweep")]
    assert await service.current(Who("T1", "gone", "U1")) is None  # still ended and scored


async def test_run_builds_the_service_for_the_installation_sweeps_and_closes_on_cancel(service, clock) -> None:
    front = Recorder()
    built: list[HotseatService] = []

    def build(platform: str) -> HotseatService:
        built.append(HotseatService(service.store, service.library, clock=clock, idle_timeout=600, platform=platform))
        return built[-1]

    task = asyncio.create_task(frontend.run(front, build, sweep_every=0.01))
    await asyncio.wait_for(front.serving.wait(), 2)
    assert [s.platform for s in built] == ["recorder:A1"] and front.handler.service is built[0]
    await begin(built[0], Who("T1", "C1", "U1", "Ana"), "double-billing", thread="C1/1")
    await begin(service, Who("T1", "C9", "U9", "Cy"), "double-billing", thread="C9/1")  # another bot's session
    clock.advance(601)
    for _ in range(200):
        if front.box.posted:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    assert [e.thread for e in front.box.posted] == ["C1/1"]  # its own, never the other installation's
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert front.closed


def test_user_errors_are_friendly_and_never_leak_internals(caplog) -> None:
    assert "belongs to another trainee" in notes.user_error(NotYourSession(
        "This conversation belongs to another trainee, so your message was not passed on."))
    assert notes.user_error(StoreError("disk I/O error at /secret/path")) == notes.STORE_BROKE
    with caplog.at_level(logging.ERROR):
        text = notes.user_error(KeyError("xoxb-internal"))
    assert text == notes.SOMETHING_BROKE and "xoxb" not in text
    assert "unexpected error" in caplog.text  # the full story went to the log

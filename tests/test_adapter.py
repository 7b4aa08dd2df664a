"""What every chat front end shares: the idle sweep that posts debriefs, and error wording."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.frontends import adapter as frontend
from bot.core.errors import NotYourSession
from bot.core.service import Ending, Who
from bot.store.sqlite import StoreError


class Recorder(frontend.FrontEnd):
    """A front end that records what it would post; one channel can be broken on purpose."""

    name = "recorder"

    def __init__(self, service, broken_channel: str = "") -> None:
        super().__init__(service)
        self.posted: list[Ending] = []
        self.broken_channel = broken_channel
        self.serving = asyncio.Event()
        self.closed = False

    async def serve(self) -> None:
        self.serving.set()
        await asyncio.Event().wait()

    async def deliver_ending(self, ending: Ending) -> None:
        if ending.channel == self.broken_channel:
            raise ConnectionError("channel deleted")
        self.posted.append(ending)

    async def close(self) -> None:
        self.closed = True


async def test_the_sweep_posts_each_timed_out_debrief_where_it_lived(service, clock) -> None:
    front = Recorder(service, broken_channel="gone")
    await service.start(Who("T1", "gone", "U1", "Ana"), "double-billing", thread="gone/1")
    await service.start(Who("T1", "C2", "U2", "Bo"), "late-delivery", thread="C2/7")
    clock.advance(601)
    assert await frontend.sweep_once(front) == 1  # the broken channel lost its post, not the loop
    assert [(e.user_name, e.thread, e.end_reason) for e in front.posted] == [("Bo", "C2/7", "timed_out")]
    assert await service.current(Who("T1", "gone", "U1")) is None  # still ended and scored


async def test_run_sweeps_in_the_background_and_closes_on_cancel(service, clock) -> None:
    front = Recorder(service)
    await service.start(Who("T1", "C1", "U1", "Ana"), "double-billing", thread="C1/1")
    clock.advance(601)
    task = asyncio.create_task(frontend.run(front, sweep_every=0.01))
    await asyncio.wait_for(front.serving.wait(), 2)
    for _ in range(200):
        if front.posted:
            break
        await asyncio.sleep(0.01)
    assert [e.thread for e in front.posted] == ["C1/1"]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert front.closed


def test_user_errors_are_friendly_and_never_leak_internals(caplog) -> None:
    assert "belongs to another trainee" in frontend.user_error(NotYourSession(
        "This conversation belongs to another trainee, so your message was not passed on."))
    assert frontend.user_error(StoreError("disk I/O error at /secret/path")) == frontend.STORE_BROKE
    with caplog.at_level(logging.ERROR):
        text = frontend.user_error(KeyError("xoxb-internal"))
    assert text == frontend.SOMETHING_BROKE and "xoxb" not in text
    assert "unexpected error" in caplog.text  # the full story went to the log

"""Several Hotseat processes over one database: any of them may take a conversation's next
message, and the conversation plays exactly as if one process had served it all.

Each "process" here is its own HotseatService over its own store connection, so each holds
its own in-memory copy of live sessions, as separate processes would.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.core.errors import AlreadyApplied
from bot.core.events import Who
from bot.core.service import HotseatService
from bot.persona.library import Library
from bot.store.sqlite import Store
from conftest import Clock, begin, ended, hinted, said

LINES = [
    "Hi Dana, I'm Sam from billing. I'm so sorry you were charged twice, that must be really stressful.",
    "Can you tell me the date of the second charge?",
    "That's our mistake and I'll take care of it myself.",
    "I've refunded the duplicate $17.99 just now; you'll see it back on your card within 3 to 5 business days.",
    "Thank you for your patience, Dana. Is there anything else I can help with?",
]


@pytest.fixture
async def two(db: Path, library: Library, clock: Clock):
    """Two services over one database file, each with its own connection and memory."""
    stores = [await Store.open(db), await Store.open(db)]
    try:
        yield [HotseatService(s, library, clock=clock, idle_timeout=600, max_turns=30, platform="slack")
               for s in stores]
    finally:
        for s in stores:
            await s.close()


async def _played_by_one(library: Library, path: Path, clock: Clock, who: Who) -> list[tuple[str, str, int]]:
    store = await Store.open(path)
    try:
        one = HotseatService(store, library, clock=clock, idle_timeout=600, max_turns=30, platform="slack")
        await begin(one, who, "double-billing", seed=7, thread="1.0")
        out = []
        for i, line in enumerate(LINES):
            if i == 2:
                await one.hint(who, thread="1.0")
            out.append(said(await one.reply(who, line, thread="1.0", source=f"m{i}")))
        return [(s.customer, s.state, s.mood) for s in out]
    finally:
        await store.close()


async def test_alternating_processes_play_the_conversation_one_process_would(
    two: list[HotseatService], library: Library, tmp_path: Path, clock: Clock, who: Who,
) -> None:
    a, b = two
    opening = await begin(a, who, "double-billing", seed=7, thread="1.0")
    sid = opening[0].session_id
    await b.current(who)  # b reads the session now, so its copy goes stale as a plays on
    events = []
    for i, line in enumerate(LINES):
        serving = (a, b)[i % 2]
        if i == 2:
            assert hinted(await b.hint(who, thread="1.0")).hints_used == 1
        events.append(await serving.reply(who, line, thread="1.0", source=f"m{i}"))
    # the same lines, hint and seed, served by one process: the same customer, line for line
    alone = await _played_by_one(library, tmp_path / "alone.sqlite3", clock, who)
    assert [(said(e).customer, said(e).state, said(e).mood) for e in events] == alone
    last = ended(events[-1])
    assert last is not None and last.outcome == "resolved"
    turns = await a.store.turns(sid)
    assert [t.index for t in turns] == [1, 2, 3, 4, 5] and [t.trainee for t in turns] == LINES
    assert len(await a.store.hints(sid)) == 1 and last.debrief.hints_used == 1


async def test_one_message_delivered_to_both_processes_is_applied_once(two: list[HotseatService], who: Who) -> None:
    a, b = two
    sid = (await begin(a, who, "double-billing", seed=3, thread="1.0"))[0].session_id
    await b.current(who)
    results = await asyncio.gather(
        a.reply(who, LINES[0], thread="1.0", source="m0"),
        b.reply(who, LINES[0], thread="1.0", source="m0"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["AlreadyApplied", "tuple"]
    assert [t.trainee for t in await a.store.turns(sid)] == [LINES[0]]
    with pytest.raises(AlreadyApplied):  # and again later, from either
        await a.reply(who, LINES[0], thread="1.0", source="m0")
    said(await a.reply(who, LINES[1], thread="1.0", source="m1"))  # the conversation goes on


async def test_an_idle_sweep_never_ends_a_session_another_process_just_played(
    two: list[HotseatService], clock: Clock, who: Who,
) -> None:
    a, b = two
    sid = (await begin(a, who, "double-billing", seed=3, thread="1.0"))[0].session_id
    said(await a.reply(who, LINES[0], thread="1.0", source="m0"))  # a's copy: last played now
    clock.advance(500)
    said(await b.reply(who, LINES[1], thread="1.0", source="m1"))  # played on b, 500 s later
    clock.advance(200)  # idle 700 s by a's stale copy, 200 s in truth
    assert await a.sweep_idle() == []
    assert (await a.store.get_session(sid)).status == "active"
    said(await a.reply(who, LINES[2], thread="1.0", source="m2"))  # a takes the next line, afresh
    assert [t.index for t in await b.store.turns(sid)] == [1, 2, 3]
    clock.advance(601)  # now truly idle: either process ends it, once
    swept = await a.sweep_idle() + await b.sweep_idle()
    assert [e.session_id for e in swept] == [sid]


async def test_one_process_at_a_time_sweeps_and_a_crashed_sweeper_is_replaced(
    two: list[HotseatService], clock: Clock,
) -> None:
    """Each process runs the sweep loop; the one holding the platform's lease ends idle
    sessions (so they are read and ended once, by one process), and when it stops renewing
    (it crashed), another takes over once the lease runs out."""
    from bot.frontends import adapter as frontend
    from test_adapter import Recorder

    a, b = two
    fronts = [Recorder(), Recorder()]
    for f in fronts:
        f.name = "slack"
    sweeps = {0: 0, 1: 0}
    for i, service in enumerate((a, b)):
        original = service.sweep_idle

        async def counted(*, idle: bool = True, i: int = i, original=original):
            sweeps[i] += idle
            return await original(idle=idle)

        service.sweep_idle = counted  # type: ignore[method-assign]
    tasks = [asyncio.create_task(frontend.run(f, lambda p, s=s: s, sweep_every=0.02)) for f, s in zip(fronts, (a, b))]
    try:
        await begin(a, Who("T1", "C1", "U1", "Ana"), "double-billing", thread="C1/1")
        await begin(b, Who("T1", "C2", "U2", "Bo"), "late-delivery", thread="C2/1")
        clock.advance(601)
        for _ in range(200):
            if sum(len(f.box.posted) for f in fronts) == 2:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        leader = 0 if sweeps[0] else 1
        assert sweeps[1 - leader] == 0  # the other never swept while the lease was held
        assert sorted(e.user for e in fronts[leader].box.posted) == ["U1", "U2"] and not fronts[1 - leader].box.posted
        tasks[leader].cancel()  # the sweeping process dies; its lease lapses after 2.5 sweeps
        await asyncio.gather(tasks[leader], return_exceptions=True)
        await begin(a, Who("T1", "C3", "U3", "Cy"), "double-billing", thread="C3/1")
        clock.advance(601)  # the service clock is also the lease's: the dead holder's lease is long gone
        for _ in range(200):
            if fronts[1 - leader].box.posted:
                break
            await asyncio.sleep(0.01)
        assert [e.user for e in fronts[1 - leader].box.posted] == ["U3"]
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
